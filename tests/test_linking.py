"""Linking on hand-built mentions (no spaCy): one entity per real thing, stable ids."""

from __future__ import annotations

import pytest

from kg.linking import initials, link_mentions
from kg.types import Document, Entity, EntityType as T, Mention


def mentions(text: str, *spans: tuple[str, T, str] | tuple[str, T]) -> tuple[Document, list[Mention]]:
    """Mentions of each surface form, in order, found left to right in ``text``."""
    doc = Document.from_text(text)
    out, pos = [], 0
    for span in spans:
        surface, label, rule = (*span, "ner")[:3]
        start = text.index(surface, pos)
        out.append(Mention(doc.id, start, start + len(surface), surface, label, 0, rule))
        pos = start + 1
    return doc, out


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in entities}


def test_surname_and_honorific_join_the_full_name():
    doc, ms = mentions("Wei Zhang runs Globex. Zhang said Mr. Zhang agreed.",
                       ("Wei Zhang", T.PERSON), ("Globex", T.COMPANY), ("Zhang", T.PERSON),
                       ("Mr. Zhang", T.PERSON))
    ents = by_name(link_mentions(ms, doc))
    assert set(ents) == {"Wei Zhang", "Globex"}
    assert ents["Wei Zhang"].aliases == {"Zhang", "Mr. Zhang"}
    assert len(ents["Wei Zhang"].mentions) == 3


def test_an_ambiguous_surname_joins_nobody():
    doc, ms = mentions("Ann Lee and Bo Lee met. Lee left.",
                       ("Ann Lee", T.PERSON), ("Bo Lee", T.PERSON), ("Lee", T.PERSON))
    assert set(by_name(link_mentions(ms, doc))) == {"Ann Lee", "Bo Lee", "Lee"}


def test_shouted_speaker_label_joins_the_person_and_keeps_the_plain_name():
    doc, ms = mentions("Ann Okafor spoke.\nANN OKAFOR: We grew.",
                       ("Ann Okafor", T.PERSON), ("ANN OKAFOR", T.PERSON, "speaker"))
    (ent,) = link_mentions(ms, doc)
    assert (ent.name, ent.aliases) == ("Ann Okafor", frozenset({"ANN OKAFOR"}))


@pytest.mark.parametrize(
    ("long", "short"),
    [("Institute for Fiscal Studies", "IFS"), ("Bureau of Rural Statistics", "BRS")],
)
def test_acronym_defined_in_brackets_joins_its_long_form(long, short):
    doc, ms = mentions(f"The {long} ({short}) said. Later {short} agreed.",
                       (long, T.ORGANIZATION, "org-name"), (short, T.ORGANIZATION, "acronym"),
                       (short, T.COMPANY))
    (ent,) = link_mentions(ms, doc)
    assert ent.name == long and short in ent.aliases and ent.type == T.ORGANIZATION


def test_acronym_matching_initials_joins_without_brackets():
    doc, ms = mentions("The Office of Fair Markets said. The OFM agreed.",
                       ("Office of Fair Markets", T.ORGANIZATION), ("OFM", T.COMPANY))
    (ent,) = link_mentions(ms, doc)
    assert ent.name == "Office of Fair Markets"


def test_acronym_with_two_possible_long_forms_stays_apart():
    doc, ms = mentions("Pacific Rail Corp and Prime Realty Corp. PRC said.",
                       ("Pacific Rail", T.COMPANY), ("Prime Realty", T.COMPANY), ("PRC", T.COMPANY))
    # "PRC" is also an alias of China in the knowledge base: it must not join either firm.
    names = set(by_name(link_mentions(ms, doc)))
    assert {"Pacific Rail", "Prime Realty"} <= names and len(names) == 3


def test_knowledge_base_gives_name_type_aliases_and_wikidata():
    doc, ms = mentions("The U.S. market. The United States and American buyers.",
                       ("U.S.", T.PLACE), ("United States", T.PLACE), ("American", T.COUNTRY, "demonym"))
    (ent,) = link_mentions(ms, doc)
    assert (ent.id, ent.name, ent.type, ent.wikidata) == ("united-states", "United States",
                                                         T.COUNTRY, "Q30")
    assert {"U.S.", "American", "USA"} <= ent.aliases


def test_weak_knowledge_base_name_does_not_take_a_person():
    # "Ford" is also a surname: a mention typed Person stays a person.
    doc, ms = mentions("Ford said it was fine.", ("Ford", T.PERSON))
    (ent,) = link_mentions(ms, doc)
    assert ent.type == T.PERSON and ent.wikidata is None


def test_positions_meet_in_one_canonical_node():
    doc, ms = mentions("The CEO, a chief executive. Another Chief Executive Officer.",
                       ("CEO", T.POSITION, "position"), ("chief executive", T.POSITION, "position"),
                       ("Chief Executive Officer", T.POSITION, "position"))
    (ent,) = link_mentions(ms, doc)
    assert ent.id == "chief-executive" and ent.type == T.POSITION
    assert {"CEO", "Chief Executive Officer"} <= ent.aliases


def test_short_company_name_joins_its_corporate_long_form():
    doc, ms = mentions("Quonix Holdings grew. Quonix hired.",
                       ("Quonix Holdings", T.COMPANY), ("Quonix", T.COMPANY))
    (ent,) = link_mentions(ms, doc)
    assert ent.name == "Quonix Holdings" and ent.aliases == {"Quonix"}


def test_company_name_does_not_swallow_its_product():
    doc, ms = mentions("Quonix launched Quonix Studio Pro.",
                       ("Quonix", T.COMPANY), ("Quonix Studio Pro", T.PRODUCT))
    assert set(by_name(link_mentions(ms, doc))) == {"Quonix", "Quonix Studio Pro"}


def test_near_identical_spellings_merge_with_rapidfuzz():
    doc, ms = mentions("Katarzyna Wojcik said. Katarzyna Wojcick added.",
                       ("Katarzyna Wojcik", T.PERSON), ("Katarzyna Wojcick", T.PERSON))
    assert len(link_mentions(ms, doc)) == 1


@pytest.mark.parametrize(("a", "b"), [("Ann Lee", "Ann Lei"), ("Globex", "Globus")])
def test_different_short_names_do_not_merge(a, b):
    doc, ms = mentions(f"{a} and {b}.", (a, T.PERSON), (b, T.PERSON))
    assert len(link_mentions(ms, doc)) == 2


def test_context_rules_outvote_the_ner_label():
    doc, ms = mentions("Zorblax, an app. Zorblax grew. Zorblax won.",
                       ("Zorblax", T.PRODUCT, "apposition"), ("Zorblax", T.PERSON),
                       ("Zorblax", T.PERSON))
    (ent,) = link_mentions(ms, doc)
    assert ent.type == T.PRODUCT


def test_ids_are_stable_across_documents():
    d1, m1 = mentions("Quonix hired Ann Okafor.", ("Quonix", T.COMPANY), ("Ann Okafor", T.PERSON))
    d2, m2 = mentions("Later, Ann Okafor left Quonix.", ("Ann Okafor", T.PERSON), ("Quonix", T.COMPANY))
    assert [e.id for e in link_mentions(m1, d1)] == [e.id for e in link_mentions(m2, d2)]
    assert [e.id for e in link_mentions(m1, d1)] == ["ann-okafor", "quonix"]


def test_same_slug_for_two_types_gets_typed_ids():
    doc, ms = mentions("Madison met people in Madison.",
                       ("Madison", T.PERSON, "speaker"), ("Madison", T.PLACE, "kb"))
    # Same normalised name: one group, typed by the stronger vote.
    assert len(link_mentions(ms, doc)) == 1
    doc, ms = mentions("Acme-1 and Acme 1.", ("Acme-1", T.PERSON), ("Acme 1", T.PLACE))
    ids = sorted(e.id for e in link_mentions(ms, doc))
    assert ids == ["acme-1-person", "acme-1-place"]


def test_output_is_sorted_and_every_mention_is_kept():
    doc, ms = mentions("Zeta met Alpha and Zeta.", ("Zeta", T.COMPANY), ("Alpha", T.COMPANY),
                       ("Zeta", T.COMPANY))
    ents = link_mentions(ms, doc)
    assert [e.id for e in ents] == ["alpha", "zeta"]
    assert sum(len(e.mentions) for e in ents) == len(ms)


def test_no_mentions_no_entities():
    assert link_mentions([], Document.from_text("Nothing here.")) == []


@pytest.mark.parametrize(
    ("name", "acr"),
    [("Securities and Exchange Commission", "SEC"), ("Center for Open Data", "COD"),
     ("Bank of the West", "BW"), ("Food-and-Drug Agency", "FDA")],
)
def test_initials(name, acr):
    assert initials(name) == acr


# ---------------------------------------------------------------- mention repairs
from kg.linking import refine_mentions  # noqa: E402


@pytest.mark.parametrize(("text", "spans", "expected"), [
    # two names read as one are split when the parts stand alone
    ("Zorbix and the Quell Institute and Varn met. Varn left.",
     [("Quell Institute and Varn", T.ORGANIZATION, "org-name")], ["Quell Institute", "Varn"]),
    ("They sell Moon Quest and Star Farm today.", [("Moon Quest and Star Farm", T.COMPANY)],
     ["Moon Quest", "Star Farm"]),
    # one-word halves never seen alone stay one name ("Marks and Spencer"-like)
    ("Brill and Crane opened a shop.", [("Brill and Crane", T.COMPANY)], ["Brill and Crane"]),
    # a dangling connector is cut
    ("Rivals such as Quell Robotics and Varn exist.", [("Quell Robotics and", T.COMPANY)],
     ["Quell Robotics"]),
    # "Jane &" + "John Doe Foundation" is one name
    ("The Jane & John Doe Foundation gave.", [("Jane &", T.ORGANIZATION, "org-name"),
                                              ("John Doe Foundation", T.ORGANIZATION, "org-name")],
     ["Jane & John Doe Foundation"]),
    # a country before a state body is its own entity
    ("The U.S. Treasury spoke.", [("U.S. Treasury", T.COMPANY)], ["U.S.", "Treasury"]),
    ("The Japan Airlines flight left.", [("Japan Airlines", T.COMPANY)], ["Japan Airlines"]),
    # a demonym inside a person's name is part of the name
    ("Nina French Holt spoke.", [("Nina", T.PERSON), ("French", T.COUNTRY, "demonym")],
     ["Nina French Holt"]),
    ("The French Senate met.", [("French", T.COUNTRY, "demonym")], ["French"]),
    # a product line and its model are one product
    ("Its Orbit S9 phones sold well.", [("Orbit", T.PRODUCT, "kb"), ("S9", T.PRODUCT, "head-noun")],
     ["Orbit S9"]),
])
def test_refine_mentions(text, spans, expected):
    doc, ms = mentions(text, *spans)
    assert [m.text for m in refine_mentions(ms, doc)] == expected


def test_maker_of_makes_products():
    doc, ms = mentions("Varnix, the maker of Moon Quest, grew.", ("Varnix", T.COMPANY),
                       ("Moon Quest", T.COMPANY))
    assert [m.label for m in refine_mentions(ms, doc)] == [T.COMPANY, T.PRODUCT]


@pytest.mark.parametrize(("short", "long", "joined"), [
    ("Quell Institute", "Quell Institute of India", True),
    ("Doe Foundation", "Jane & John Doe Foundation", True),
    ("Quell Institute", "Quell Institute of Farming", False),
])
def test_shorter_organisation_name_joins_the_longer(short, long, joined):
    doc, ms = mentions(f"The {long} said so. The {short} agreed.",
                       (long, T.ORGANIZATION, "org-name"), (short, T.ORGANIZATION, "org-name"))
    assert (len(link_mentions(ms, doc)) == 1) is joined


@pytest.mark.parametrize(("text", "joined"), [
    ("The Federal Quell Commission (FQC) met. The FQC ruled.", True),
    ("SEOUL, South Korea (AP) — Prices rose. AP said so.", False),
])
def test_bracketed_short_form_must_abbreviate(text, joined):
    long = "Federal Quell Commission" if "Quell" in text else "South Korea"
    short = "FQC" if "Quell" in text else "AP"
    doc, ms = mentions(text, (long, T.ORGANIZATION if "Quell" in text else T.COUNTRY),
                       (short, T.ORGANIZATION), (short, T.ORGANIZATION))
    assert (len(link_mentions(ms, doc)) == 1) is joined


@pytest.mark.parametrize(("text", "surface", "expected"), [
    ("Jo Ma is the chief executive of X.", "X.", "X"),
    ("Jo Ma runs Quell Manufacturing Co. and more.", "Quell Manufacturing Co.", "Quell Manufacturing Co."),
    ("Jo Ma runs Quell Co.", "Quell Co.", "Quell Co."),
])
def test_sentence_full_stop_is_not_part_of_a_name(text, surface, expected):
    doc, ms = mentions(text, (surface, T.COMPANY))
    assert [m.text for m in refine_mentions(ms, doc)] == [expected]


@pytest.mark.parametrize(("text", "spans", "expected"), [
    # a name next to a person's title is a person
    ("Ola Brandt, an energy analyst, spoke.",
     [("Ola Brandt", T.COMPANY), ("energy analyst", T.POSITION, "position")], T.PERSON),
    ("Zorbix appointed Ola Brandt as chief executive.",
     [("Zorbix", T.COMPANY, "kb"), ("Ola Brandt", T.COMPANY), ("chief executive", T.POSITION, "position")],
     T.PERSON),
    ("The chief executive Ola Brandt spoke.",
     [("chief executive", T.POSITION, "position"), ("Ola Brandt", T.COMPANY)], T.PERSON),
    # ... but not before a title a company can hold, nor as the employer
    ("Varnix, an investor in Zorbix, spoke.",
     [("Varnix", T.COMPANY), ("investor", T.POSITION, "position")], T.COMPANY),
    ("Varnix's chief executive spoke.",
     [("Varnix", T.COMPANY), ("chief executive", T.POSITION, "position")], T.COMPANY),
    # "in Name" is a place
    ("They own a mall in Kelby, sadly.", [("Kelby", T.PERSON)], T.PLACE),
    ("They own a mall in Kelby's view.", [("Kelby", T.PERSON)], T.PERSON),
    # a "person" listed with companies is a company, unless it is a surname used alone
    ("Zorbix competes with Varnix and Quell Gamma.",
     [("Zorbix", T.COMPANY), ("Varnix", T.COMPANY), ("Quell Gamma", T.PERSON)], T.COMPANY),
    ("Zorbix sued Varnix and Ann Gamma. Gamma said no.",
     [("Zorbix", T.COMPANY), ("Varnix", T.COMPANY), ("Ann Gamma", T.PERSON)], T.PERSON),
    ("The chief of Varnix, Ann Gamma, spoke.",
     [("Varnix", T.COMPANY), ("Ann Gamma", T.PERSON)], T.PERSON),
    # a "place" with a digit in it is a model
    ("They sell the ZR-15 turbine.", [("ZR-15", T.PLACE)], T.PRODUCT),
])
def test_context_relabels(text, spans, expected):
    doc, ms = mentions(text, *spans)
    target = [s for s in spans if s[0] in ("Ola Brandt", "Varnix", "Kelby", "Quell Gamma",
                                            "Ann Gamma", "ZR-15")][-1][0]
    got = {m.text: m.label for m in refine_mentions(ms, doc)}
    assert got[target] == expected


def test_company_short_name_is_not_a_founders_surname():
    doc, ms = mentions("Greyfield Properties grew. Its founder, Rob Greyfield, left. Greyfield said so.",
                       ("Greyfield Properties", T.COMPANY), ("Rob Greyfield", T.PERSON),
                       ("Greyfield", T.COMPANY))
    ents = by_name(link_mentions(ms, doc))
    assert set(ents) == {"Greyfield Properties", "Rob Greyfield"}
    assert "Greyfield" in ents["Greyfield Properties"].aliases


def test_one_description_outweighs_repeated_ner_guesses():
    text = "Lumix grew. Lumix, the streaming service, grew. Lumix won. Lumix lost. Lumix hired."
    doc, ms = mentions(text, ("Lumix", T.PERSON), ("Lumix", T.PRODUCT, "apposition"),
                       ("Lumix", T.PERSON), ("Lumix", T.PERSON), ("Lumix", T.PERSON))
    assert [e.type for e in link_mentions(ms, doc)] == [T.PRODUCT]
    doc, ms = mentions(text, ("Lumix", T.PERSON), ("Lumix", T.PRODUCT), ("Lumix", T.PERSON))
    assert [e.type for e in link_mentions(ms, doc)] == [T.PERSON]


def test_a_surname_is_a_person_whatever_the_ner_said():
    doc, ms = mentions("Elva Marquez spoke. Marquez said no. Marquez left.",
                       ("Elva Marquez", T.PERSON), ("Marquez", T.COMPANY), ("Marquez", T.COMPANY))
    ents = link_mentions(ms, doc)
    assert [(e.name, e.type) for e in ents] == [("Elva Marquez", T.PERSON)]


@pytest.mark.parametrize(("text", "surface", "expected"), [
    ("Q&A: Nordby Bank's new boss", "Q&A: Nordby Bank", "Nordby Bank"),
    ("Nordby Bank: a history", "Nordby Bank", "Nordby Bank"),
])
def test_heading_label_before_a_colon_is_not_part_of_a_name(text, surface, expected):
    doc, ms = mentions(text, (surface, T.COMPANY))
    assert [m.text for m in refine_mentions(ms, doc)] == [expected]


@pytest.mark.parametrize(("text", "spans", "target", "expected"), [
    # the object of "competes with" is a firm
    ("Pelby competes with Mondo and Walkby in snacks.",
     [("Pelby", T.COMPANY, "kb"), ("Mondo", T.PERSON), ("Walkby", T.PERSON)], "Walkby", T.COMPANY),
    ("Pelby competes with Mondo and Walkby in snacks.",
     [("Pelby", T.COMPANY, "kb"), ("Mondo", T.PERSON), ("Walkby", T.PERSON)], "Mondo", T.COMPANY),
    ("Pelby hired Mondo and Walkby in June.",
     [("Pelby", T.COMPANY, "kb"), ("Mondo", T.PERSON), ("Walkby", T.PERSON)], "Mondo", T.PERSON),
    # "the maker of Crisko crisps and Dunby biscuits": both are products
    ("Pelby, the maker of Crisko crisps and Dunby biscuits, grew.",
     [("Pelby", T.COMPANY, "kb"), ("Crisko", T.PERSON), ("Dunby", T.PERSON)], "Dunby", T.PRODUCT),
])
def test_more_context_relabels(text, spans, target, expected):
    doc, ms = mentions(text, *spans)
    assert {m.text: m.label for m in refine_mentions(ms, doc)}[target] == expected


def test_a_short_name_guessed_as_a_person_joins_its_company():
    doc, ms = mentions("Pelby Foods grew. Shares of Pelby rose.",
                       ("Pelby Foods", T.COMPANY, "org-name"), ("Pelby", T.PERSON))
    assert [(e.name, e.type) for e in link_mentions(ms, doc)] == [("Pelby Foods", T.COMPANY)]


@pytest.mark.parametrize(("head", "expected"), [
    ("snackmaker", T.COMPANY), ("chain", T.COMPANY), ("maker", T.COMPANY), ("lawmaker", T.PERSON),
    ("filmmaker", T.PERSON), ("policymakers", T.PERSON)])
def test_head_nouns(head, expected):
    from kg.context import head_type
    assert head_type(head) == expected


def test_short_forms_the_ner_missed_are_found():
    text = "Nordby Bank grew. Later Nordby said Elva Marquez agreed, and Marquez left Nordby."
    doc, ms = mentions(text, ("Nordby Bank", T.COMPANY, "org-name"), ("Elva Marquez", T.PERSON))
    got = [(m.text, m.label) for m in refine_mentions(ms, doc)]
    assert got == [("Nordby Bank", T.COMPANY), ("Nordby", T.COMPANY), ("Elva Marquez", T.PERSON),
                   ("Marquez", T.PERSON), ("Nordby", T.COMPANY)]
    assert [e.name for e in link_mentions(ms, doc)] == ["Elva Marquez", "Nordby Bank"]


@pytest.mark.parametrize("text", [
    "Tom Price spoke. The price rose and Price left.",     # used in lower case too
    "Tom Price spoke. Then Price Waterhouse agreed.",       # part of another name
])
def test_short_forms_are_not_taken_from_ambiguous_words(text):
    doc, ms = mentions(text, ("Tom Price", T.PERSON))
    assert [m.text for m in refine_mentions(ms, doc)] == ["Tom Price"]


@pytest.mark.parametrize(("text", "word", "left", "right"), [
    ("Acme said Acme's unit and Acmes grew", "Acme", "", ""),
    ("X-Acme, Acme-Y and (Acme)", "Acme", "-", "-"),
    ("Doe, Mr. Doe, O'Doe, Doe&Co and Doe_2", "Doe", "&'’.-", "&-"),
    ("AAA AA A", "AA", "", ""),  # overlapping candidates
    ("Élan élan Élanor", "Élan", "", ""),
    ("", "Acme", "", ""),
    ("Acme", "Acme", "", ""),
])
def test_standalone_finds_what_the_lookaround_regex_finds(text, word, left, right):
    import re

    from kg.linking import _standalone

    pattern = (r"(?<![\w" + re.escape(left) + "])" if left else r"(?<!\w)") + re.escape(word) \
        + (r"(?![\w" + re.escape(right) + "])" if right else r"(?!\w)")
    assert list(_standalone(text, word, left, right)) == [
        m.start() for m in re.finditer(pattern, text)]
