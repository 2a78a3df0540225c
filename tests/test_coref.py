"""Pronoun and definite-description resolution (kg.coref) on short written texts."""

from __future__ import annotations

import pytest

from kg import linking, mentions
from kg.coref import ORG_TYPES, PERSON, Resolver
from kg.types import Document, EntityType


def resolver(nlp, text: str) -> tuple[Resolver, object]:
    document = Document.from_text(text)
    doc = nlp(text)
    entities = linking.link_mentions(mentions.find_mentions(doc, document), document)
    return Resolver(doc, entities), doc


def token(doc, word: str, nth: int = 0):
    hits = [t for t in doc if t.text == word]
    return hits[nth]


@pytest.mark.parametrize("text, word, nth, types, expected", [
    # he/she/his -> the nearest suitable preceding person
    ("Tim Cook spoke on Monday. He said sales rose.", "He", 0, PERSON, "Tim Cook"),
    ("Jane Doe met Intel. Later she left.", "she", 0, PERSON, "Jane Doe"),
    ("Pat Gelsinger runs Intel. Satya Nadella runs Microsoft. He said so.", "He", 0, PERSON,
     "Satya Nadella"),
    # it/its -> the salient company, by subject position
    ("Intel makes chips. Its profit rose.", "Its", 0, ORG_TYPES, "Intel"),
    ("Microsoft says its new browser is faster than Google's.", "its", 0, ORG_TYPES, "Microsoft"),
    # definite descriptions
    ("Oracle reported profits. The company hired staff.", "company", 0, ORG_TYPES, "Oracle"),
    # the description's nationality rules out the American firm; the court is the
    # subject of the description's own clause, so it is not the company either
    ("Samsung Electronics sued the American firm Apple. A court ruled for the South Korean"
     " company.", "company", 0, ORG_TYPES, "Samsung Electronics"),
    # naming descriptions: apposition and a name right after the noun
    ("China's largest search company, Baidu, grew.", "company", 0, ORG_TYPES, "Baidu"),
    ("The software company Oracle grew.", "company", 0, ORG_TYPES, "Oracle"),
    # relative pronouns take the noun their clause hangs on
    ("Tim Cook, who runs Apple, spoke.", "who", 0, PERSON, "Tim Cook"),
])
def test_resolves(nlp, text, word, nth, types, expected):
    res, doc = resolver(nlp, text)
    r = res.resolve(token(doc, word, nth), types)
    assert r is not None, f"{word!r} unresolved in {text!r}"
    assert r.entity.name == expected
    if r.how != "name":
        assert r.confidence < 1.0


@pytest.mark.parametrize("text, word, types", [
    ("The weather was bad. It rained.", "It", ORG_TYPES),  # no company before "It"
    ("Intel makes chips. He said so.", "He", PERSON),  # a company is not "he"
    ("Sales rose. The company hired staff.", "company", ORG_TYPES),  # nothing to refer to
    ("Jane Doe likes a company.", "company", ORG_TYPES),  # indefinite: a new referent
])
def test_does_not_resolve(nlp, text, word, types):
    res, doc = resolver(nlp, text)
    assert res.resolve(token(doc, word), types) is None


def test_multi_token_names_act_as_one_unit(nlp):
    res, doc = resolver(nlp, "Jane Okafor, a co-founder, left.")
    co = token(doc, "co")
    unit = res.unit(co)
    assert "".join(t.text_with_ws for t in unit).strip() == "co-founder"
    assert res.entity_at(co, {EntityType.POSITION}) is not None
    assert res.root(co).text == "founder"


@pytest.mark.parametrize("text, word, expected", [
    # "it" takes the subject company of the sentence before, not its object
    ("Velto Systems competes with Zorbia. Last year it acquired Quill.", "it", "Velto Systems"),
    ("Brisco Corp sued Velto Systems. Later it settled.", "it", "Brisco Corp"),
    # an object company is still the referent when no company was a subject
    ("Analysts praised Zorbia Labs. Last year it acquired Quill.", "it", "Zorbia Labs"),
    # the main clause's subject outranks a company repeated in the clauses inside it
    ("Velmora Group, which owns Zorbia Labs, has been under pressure since Zorbia Labs lost"
     " a patent. Last year it bought Quill Labs.", "it", "Velmora Group"),
])
def test_it_prefers_the_subject_company(nlp, text, word, expected):
    res, doc = resolver(nlp, text)
    r = res.resolve(token(doc, word), ORG_TYPES)
    assert r is not None and r.entity.name == expected


@pytest.mark.parametrize("text, word, expected", [
    # a description whose head noun is in a name takes that name, even as an object
    ("Velto Systems lent money to Nordby Bank. An analyst at the bank said the loan was"
     " large.", "bank", "Nordby Bank"),
    ("Brisco Corp gave money to the Harlow Foundation. The foundation's chief executive,"
     " Jane Mills, spoke.", "foundation", "Harlow Foundation"),
    # no name holds the noun: the most salient company, the subject
    ("Brisco Corp sued Velto Systems. Later, the company said profits rose.", "company",
     "Brisco Corp"),
])
def test_description_prefers_a_name_with_its_head_noun(nlp, text, word, expected):
    res, doc = resolver(nlp, text)
    r = res.resolve(token(doc, word), ORG_TYPES)
    assert r is not None and r.entity.name == expected and r.how == "description"


def test_trust_is_the_organisation_named_a_trust(nlp):
    res, doc = resolver(nlp, "Fans were cautious. The Harlow Supporters' Trust said it wanted"
                             " guarantees. \"We want more,\" said Ann Lee, the trust's chair.")
    r = res.resolve(token(doc, "trust"), ORG_TYPES)
    assert r is not None and r.entity.name == "Harlow Supporters' Trust"


def test_institution_noun_needs_a_name_that_says_so(nlp):
    res, doc = resolver(nlp, "Brisco Corp sued Velto Systems. The foundation said nothing.")
    assert res.resolve(token(doc, "foundation"), ORG_TYPES) is None


def _hand_resolver(nlp, text: str, companies: list[str]):
    """A resolver over entities given by name (every occurrence is a mention)."""
    from kg.ids import slugify
    from kg.types import Entity, Mention
    document = Document.from_text(text)
    ents = []
    for name in companies:
        ms, at = [], text.find(name)
        while at >= 0:
            ms.append(Mention(document.id, at, at + len(name), name, EntityType.COMPANY, 0, "t"))
            at = text.find(name, at + 1)
        ents.append(Entity(slugify(name), name, EntityType.COMPANY, frozenset(), tuple(ms)))
    doc = nlp(text)
    return Resolver(doc, ents), doc


@pytest.mark.parametrize("noun, expected", [
    ("club", "Dunmore Rovers"),  # described as a club by apposition
    ("firm", "Velto Capital"),  # described as a firm before its name
])
def test_description_prefers_the_entity_described_by_its_noun(nlp, noun, expected):
    text = ("Dunmore Rovers, the English league club, agreed to be sold to the private equity"
            " firm Velto Capital. Velto Capital will take a stake. The shares will be held by"
            f" Tom Reyes, the {noun}'s chairman.")
    res, doc = _hand_resolver(nlp, text, ["Dunmore Rovers", "Velto Capital"])
    r = res.resolve(token(doc, noun, 1), ORG_TYPES)
    assert r is not None and r.entity.name == expected
