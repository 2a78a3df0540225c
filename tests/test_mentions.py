"""Mention rules on short sentences written for these tests (need the trained model)."""

from __future__ import annotations

import pytest

from kg.linking import link_mentions
from kg.mentions import find_mentions, head_type
from kg.nlp import fold_quotes
from kg.positions import canonical_position, find_positions, singular
from kg.types import Document, EntityType as T, Mention


def found(nlp, text: str) -> list[Mention]:
    document = Document.from_text(text)
    return find_mentions(nlp(text), document)


def texts(ms: list[Mention], label: T | None = None) -> list[str]:
    return [m.text for m in ms if label is None or m.label == label]


def entities(nlp, text: str):
    document = Document.from_text(text)
    return {e.name: e for e in link_mentions(find_mentions(nlp(text), document), document)}


# --- offsets and typography -------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Globex’s Maria Lopez said the “new” plan works.",
        "Globex's Maria Lopez said the \"new\" plan works.",
        "‘Quonix’ hired Ann Okafor\u00a0in Berlin.",
    ],
)
def test_every_mention_text_is_the_document_slice(nlp, text):
    ms = found(nlp, text)
    assert ms
    for m in ms:
        assert m.text == text[m.start : m.end]


def test_fold_quotes_keeps_length():
    text = "‘a’ “b” c\u00a0d"
    assert len(fold_quotes(text)) == len(text)


@pytest.mark.parametrize("apostrophe", ["’", "'"])
def test_possessive_splits_owner_and_person(nlp, apostrophe):
    ms = found(nlp, f"Reuters{apostrophe} Maria Lopez interviewed the minister.")
    assert "Reuters" in texts(ms) and "Maria Lopez" in texts(ms, T.PERSON)
    assert not any(apostrophe in m.text for m in ms)


def test_trailing_possessive_is_not_part_of_the_name(nlp):
    assert "Microsoft" in texts(found(nlp, "Microsoft’s new phone sold well."))


# --- sentences ----------------------------------------------------------------------

def test_heading_without_full_stop_is_its_own_sentence(nlp):
    doc = nlp("Quarterly Results Beat Forecasts\nGlobex sold more phones than expected.")
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "Quarterly Results Beat Forecasts"


def test_hard_wrapped_line_stays_one_sentence(nlp):
    doc = nlp("Globex sold more phones\nthan anyone expected this year.")
    assert len(list(doc.sents)) == 1


def test_title_case_heading_names_are_not_guessed(nlp):
    ms = found(nlp, "Tech Giants Brace For Tough Quarter\nAnalysts expect slower sales.")
    assert ms == []


# --- generic words, "the", non-entities ----------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "AI will change everything, and AI is everywhere.",
        "The AR and VR markets grew while the IPO waited.",
        "The IPO raised money at 1300 UTC.",
    ],
)
def test_generic_words_are_never_entities(nlp, text):
    assert not [m for m in found(nlp, text) if m.text in {"AI", "AR", "VR", "IPO", "UTC"}]


def test_dates_money_and_numbers_are_not_entities(nlp):
    assert found(nlp, "On Monday, 5 May 2021, they paid $5 million for 300 tonnes.") == []


def test_leading_the_is_stripped(nlp):
    assert "European Commission" in texts(found(nlp, "He wrote to the European Commission on time."))


def test_capitalised_common_noun_opening_a_sentence_is_not_a_name(nlp):
    ms = found(nlp, "Hardware makers struggle. Hardware giant Globex said sales fell.")
    assert "Hardware" not in texts(ms)


# --- acronyms, speakers, demonyms -----------------------------------------------------

def test_acronym_in_brackets_is_tied_to_its_long_form(nlp):
    ents = entities(nlp, "Officials at the Institute for Rural Studies (IRS) said prices rose. "
                         "The IRS expects more.")
    e = ents["Institute for Rural Studies"]
    assert e.type == T.ORGANIZATION and "IRS" in e.aliases


def test_uppercase_speaker_label_is_the_person(nlp):
    ents = entities(nlp, "Analyst Maria Lopez follows the market.\n"
                         "MARIA LOPEZ: \"Prices will rise.\"")
    assert "MARIA LOPEZ" in ents["Maria Lopez"].aliases
    assert ents["Maria Lopez"].type == T.PERSON


def test_single_word_label_is_not_a_speaker(nlp):
    assert "COMMERCIAL" not in texts(found(nlp, 'COMMERCIAL: "Buy it now."'))


@pytest.mark.parametrize(
    ("text", "adjective", "country"),
    [("The South Korean company won the case.", "South Korean", "South Korea"),
     ("A Japanese court ruled on Friday.", "Japanese", "Japan")],
)
def test_demonym_is_a_mention_of_its_country(nlp, text, adjective, country):
    e = entities(nlp, text)[country]
    assert e.type == T.COUNTRY and adjective in e.aliases


def test_unknown_demonym_makes_no_entity(nlp):
    assert found(nlp, "Arab protesters filled the streets.") == []


# --- types ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        ("Zorblax, an AI-centred social media app, grew quickly.", "Zorblax", T.PRODUCT),
        ("Quonix, a Berlin-based maker of robots, raised money.", "Quonix", T.COMPANY),
        ("Sydney software company Quonix hired 40 people.", "Quonix", T.COMPANY),
        ("Parents can use the Brightline Alert system to find children.", "Brightline Alert",
         T.PRODUCT),
        ("Greenfield University opened a new campus.", "Greenfield University", T.ORGANIZATION),
        ("The Center for Rural Futures published a report.", "Center for Rural Futures",
         T.ORGANIZATION),
        ("A spokesman for the Foreign Ministry declined to comment.", "Foreign Ministry",
         T.ORGANIZATION),
        ("Maria Lopez is a professor of history at a college.", "Maria Lopez", T.PERSON),
        ("Gmail users reported problems.", "Gmail", T.PRODUCT),
        ("Samsung introduced the Galaxy Z Fold on Wednesday.", "Galaxy Z Fold", T.PRODUCT),
        ("Rival Anthropic released a new model.", "Anthropic", T.COMPANY),
        ("Quonix sells the Zentrix open-source operating system.", "Zentrix", T.PRODUCT),
        ("Many people now pay with Samsung Pay.", "Samsung Pay", T.PRODUCT),
        ("Fans queued for the new iWidget in London.", "iWidget", T.PRODUCT),
        ("Users pay through Zapnet, Quonix's popular payment service.", "Zapnet", T.PRODUCT),
        ("Users pay through Zapnet, Quonix's popular payment service.", "Quonix", T.COMPANY),
    ],
)
def test_type_from_knowledge_base_context_and_name_shape(nlp, text, name, etype):
    ents = entities(nlp, text)
    assert name in ents, sorted(ents)
    assert ents[name].type == etype


def test_knowledge_base_entity_gets_wikidata_and_preferred_name(nlp):
    ents = entities(nlp, "Shares of Apple Inc. rose in the U.S. on Monday.")
    assert ents["Apple"].wikidata == "Q312"
    assert ents["United States"].wikidata == "Q30"


def test_names_outside_the_knowledge_base_are_found_and_typed(nlp):
    ents = entities(nlp, "Quonix Robotics, a warehouse startup, hired Ann Okafor as its chief "
                         "executive.")
    assert ents["Quonix Robotics"].type == T.COMPANY and ents["Quonix Robotics"].wikidata is None
    assert ents["Ann Okafor"].type == T.PERSON


def test_a_name_found_once_is_found_again_where_the_model_missed_it(nlp):
    text = "Quonix Robotics, a warehouse startup, grew. Investors like Quonix Robotics a lot."
    ents = entities(nlp, text)
    assert len(ents["Quonix Robotics"].mentions) == 2


# --- positions ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Globex chief executive Maria Lopez resigned.", "chief executive"),
        ("Globex CEO Maria Lopez resigned.", "CEO"),
        ("Maria Lopez, a co-founder of Globex, resigned.", "co-founder"),
        ("Maria Lopez is a professor of law at Yale.", "professor of law"),
        ("Fund veteran and investment manager Ann Okafor disagrees.", "investment manager"),
        ("Ann Okafor, who is the top technical officer for Globex, spoke.", "top technical officer"),
        ("The company's spokeswoman, Ann Okafor, declined to comment.", "spokeswoman"),
        ("Globex named a new chief financial officer on Monday.", "chief financial officer"),
        ("The founders kept control.", "founders"),
        ("Senior vice president Ann Okafor spoke.", "Senior vice president"),
    ],
)
def test_position_mentions(nlp, text, title):
    ms = found(nlp, text)
    assert title in texts(ms, T.POSITION)
    for m in ms:
        assert m.text == text[m.start : m.end]


@pytest.mark.parametrize(
    "text",
    [
        "Our engineers are proud of the product.",
        "The manager of the store was away.",
        "Analysts expect slower growth.",
        "The famous actor arrived late.",
    ],
)
def test_everyday_roles_are_not_positions(nlp, text):
    assert texts(found(nlp, text), T.POSITION) == []


def test_former_is_not_part_of_the_title(nlp):
    assert [s.text for s in find_positions(nlp("Ann Okafor, a former chief executive, left."))] == [
        "chief executive"
    ]


@pytest.mark.parametrize(
    ("surface", "name", "alias"),
    [
        ("CEO", "chief executive", "CEO"),
        ("Chief Executive Officer", "chief executive", "chief executive officer"),
        ("co-founder", "founder", "co-founder"),
        ("founders", "founder", "co-founder"),
        ("spokesmen", "spokesman", None),
        ("Professor of Law", "professor of law", None),
        ("CTO", "chief technology officer", "CTO"),
    ],
)
def test_canonical_position(surface, name, alias):
    got_name, aliases = canonical_position(surface)
    assert got_name == name
    assert alias is None or alias in aliases


@pytest.mark.parametrize(
    ("word", "expected"), [("founders", "founder"), ("analysts", "analyst"), ("press", "press"),
                           ("chairmen", "chairman"), ("bus", "bus")],
)
def test_singular(word, expected):
    assert singular(word) == expected


@pytest.mark.parametrize(
    ("head", "modifier", "etype"),
    [("carmaker", None, T.COMPANY), ("app", None, T.PRODUCT), ("regulator", None, T.ORGANIZATION),
     ("service", "news", T.ORGANIZATION), ("service", "messaging", T.PRODUCT),
     ("professor", None, T.PERSON), ("country", None, T.COUNTRY), ("apps", None, T.PRODUCT)],
)
def test_head_type(head, modifier, etype):
    assert head_type(head, modifier) == etype


@pytest.mark.parametrize("head", ["idea", "week", "market", "people"])
def test_head_type_unknown(head):
    assert head_type(head) is None


def test_knowledge_base_ruler_adds_names_the_model_missed(nlp):
    doc = nlp("Many teenagers use Instagram every day.")
    assert ("Instagram", "instagram") in [(e.text, e.kb_id_) for e in doc.spans["kg_kb"]]


def test_knowledge_base_names_inside_an_ignored_entity_are_found(nlp):
    # The small model reads "Facebook and Instagram" here as one work of art.
    ents = entities(nlp, "Many teenagers use Facebook and Instagram every day.")
    assert ents["Instagram"].type == T.PRODUCT and "Facebook" in ents


@pytest.mark.parametrize("text, name, label", [
    ("Brandex said it would cut prices.", "Brandex", T.COMPANY),
    ("Jane Ulm left. Quorvane announced a new drug on Monday.", "Quorvane", T.COMPANY),
])
def test_unknown_name_opening_a_sentence_before_a_reporting_verb(nlp, text, name, label):
    ms = found(nlp, text)
    assert [m.label for m in ms if m.text == name] == [label]


@pytest.mark.parametrize("text", [
    "Police said the road was closed.",
    "Officials said it would close.",
    "Management said it would cut jobs.",
])
def test_common_noun_before_a_reporting_verb_is_not_a_name(nlp, text):
    assert texts(found(nlp, text)) == []


@pytest.mark.parametrize("text, whole", [
    ("Fans met the Harlow Supporters' Trust on Monday.", "Harlow Supporters' Trust"),
    ("The Dunmore Teachers' Union wants higher pay.", "Dunmore Teachers' Union"),
])
def test_plural_possessive_inside_an_organisation_name_is_kept(nlp, text, whole):
    assert whole in texts(found(nlp, text), T.ORGANIZATION)


@pytest.mark.parametrize("text, owner, owned", [
    ("Velto Systems' Jane Ulm spoke.", "Velto Systems", "Jane Ulm"),  # a person follows
    ("Analysts praised Velto Systems' Ulm Labs on Monday.", "Velto Systems", None),
])
def test_possessive_of_a_firm_is_not_one_name(nlp, text, owner, owned):
    ms = texts(found(nlp, text))
    assert owner in ms and not any("'" in m for m in ms)
    assert owned is None or owned in ms


def test_singular_possessive_still_splits_the_name(nlp):
    ms = texts(found(nlp, "Velto Systems' Jane Ulm spoke. Brisco's Tom Reyes agreed."))
    assert "Jane Ulm" in ms and "Tom Reyes" in ms
