"""Rules added for unseen articles, each on made-up sentences (positive and negative).

Runs the real pipeline with the trained model, like ``tests/test_relations.py``.
"""

from __future__ import annotations

import pytest

from kg.config import Config
from kg.pipeline import extract
from kg.types import Document, EntityType, Predicate

P = Predicate


def _extract(nlp, text: str):
    return extract(Document.from_text(text), nlp=nlp, config=Config())


def _facts(nlp, text: str) -> set[tuple[str, str, str]]:
    ex = _extract(nlp, text)
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.subject], r.predicate.value, names[r.object]) for r in ex.relations}


# (text, subject, predicate, object, expected)
CASES = [
    # a deal announced counts; one offered or sought does not
    ("Quellon Corp said on Monday it would acquire Varnix Labs for $2 billion.",
     "Quellon Corp", P.ACQUIRED, "Varnix Labs", True),
    ("Quellon Corp agreed on Monday to acquire Varnix Labs for $2 billion.",
     "Quellon Corp", P.ACQUIRED, "Varnix Labs", True),
    ("Quellon Corp offered to acquire Varnix Labs, but the board refused.",
     "Quellon Corp", P.ACQUIRED, "Varnix Labs", False),
    ("Quellon Corp would acquire Varnix Labs if regulators agreed.",
     "Quellon Corp", P.ACQUIRED, "Varnix Labs", False),
    ("Quellon Corp did not agree to acquire Varnix Labs.",
     "Quellon Corp", P.ACQUIRED, "Varnix Labs", False),
    # "Y attracted investment from X"
    ("Varnix Labs, a young start-up, has attracted investment from Amazon and Google.",
     "Amazon", P.INVESTED_IN, "Varnix Labs", True),
    ("Varnix Labs, a young start-up, has attracted investment from Amazon and Google.",
     "Google", P.INVESTED_IN, "Varnix Labs", True),
    ("Varnix Labs, a young start-up, did not attract investment from Amazon.",
     "Amazon", P.INVESTED_IN, "Varnix Labs", False),
    # a part of a company stands for the company
    ("Dana Morrow, who leads Intel's graphics division, spoke on Tuesday.",
     "Dana Morrow", P.WORKS_FOR, "Intel", True),
    ("Dana Morrow, who leads a charity drive, spoke on Tuesday.",
     "Dana Morrow", P.WORKS_FOR, "Intel", False),
    # a job only offered is not held
    ("Intel had offered to hire Dana Morrow and Ravi Sethi.", "Dana Morrow", P.WORKS_FOR, "Intel", False),
    ("Intel hired Dana Morrow in 2019.", "Dana Morrow", P.WORKS_FOR, "Intel", True),
    # a title set off after the first of two people is not the second's
    ("The fund was created by Tom Hale, the co-founder of Intel, and Mary Voss.",
     "Tom Hale", P.FOUNDER_OF, "Intel", True),
    ("The fund was created by Tom Hale, the co-founder of Intel, and Mary Voss.",
     "Mary Voss", P.FOUNDER_OF, "Intel", False),
    # "the maker of A and B": both are products
    ("Quellon Corp bought Varnix Labs, the maker of Moon Quest and Star Farm, last year.",
     "Star Farm", P.PRODUCT_OF, "Varnix Labs", True),
    ("Quellon Corp bought Varnix Labs, the maker of Moon Quest and Star Farm, last year.",
     "Moon Quest", P.PRODUCT_OF, "Varnix Labs", True),
]


@pytest.mark.parametrize(("text", "subject", "predicate", "obj", "expected"), CASES)
def test_rule(nlp, text, subject, predicate, obj, expected):
    found = _facts(nlp, text)
    assert ((subject, predicate.value, obj) in found) is expected, sorted(found)


@pytest.mark.parametrize(("text", "name", "etype"), [
    ("Quellon Corp bought Varnix Labs, the maker of Moon Quest and Star Farm, last year.",
     "Star Farm", EntityType.PRODUCT),
    ("Tom Hale, the director-general of the agency, resigned.", "director-general", EntityType.POSITION),
    ("Intel co-founder Gordon Pratt said so.", "Intel", EntityType.COMPANY),
    ("Intel co-founder Gordon Pratt said so.", "founder", EntityType.POSITION),
])
def test_entity(nlp, text, name, etype):
    ents = {e.name: e.type for e in _extract(nlp, text).entities}
    assert ents.get(name) == etype, ents


@pytest.mark.parametrize("text", [
    "Tom Hale, the director of the agency, resigned.",
    "Intel co-founder Gordon Pratt said so.",
])
def test_no_glued_title(nlp, text):
    names = {e.name for e in _extract(nlp, text).entities}
    assert not any(n.startswith(("Intel co", "director-")) for n in names), names


@pytest.mark.parametrize(("text", "expected"), [
    ("Jane Roe, head of Intel's chip business, said so.", True),
    ("Jane Roe, head of a chip business, said so.", False),
])
def test_title_of_a_unit_is_held_at_its_owner(nlp, text, expected):
    assert (("Jane Roe", "worksFor", "Intel") in _facts(nlp, text)) is expected


@pytest.mark.parametrize(("text", "fact", "expected"), [
    # "who co-founded X" with "co" split off by the parser
    ("Chief executive Marcus Bell spoke. Bell, who co-founded Drivewell in 2014 with his "
     "brother Anthony, owns a house.", ("Marcus Bell", "founderOf", "Drivewell"), True),
    ("Chief executive Marcus Bell spoke. Bell, who co-founded Drivewell in 2014 with his "
     "brother Anthony, owns about 20 percent of the company.",
     ("Marcus Bell", "investedIn", "Drivewell"), True),
    # "X owns N percent of Y"
    ("Brookfield Asset Management, which owns 12 percent of Solvane Energy, welcomed it.",
     ("Brookfield Asset Management", "investedIn", "Solvane Energy"), True),
    ("Solvane Energy said its sales fell 9 percent in Japan and at Brookfield Asset Management.",
     ("Solvane Energy", "investedIn", "Brookfield Asset Management"), False),
])
def test_more_facts(nlp, text, fact, expected):
    assert (fact in _facts(nlp, text)) is expected, sorted(_facts(nlp, text))


@pytest.mark.parametrize(("text", "fact", "expected"), [
    # a description set off after the name stands for it
    ("The parts were made by Zorvex, a German supplier that is a subsidiary of Continental.",
     ("Zorvex", "subsidiaryOf", "Continental"), True),
    ("The parts were made by Zorvex, a German supplier that is a subsidiary of Continental.",
     ("Zorvex", "locatedIn", "Germany"), True),
    ("Quandro Labs, a Swedish supplier, grew.", ("Quandro Labs", "locatedIn", "Sweden"), True),
    ("Quandro Labs sold parts to a Swedish supplier.", ("Quandro Labs", "locatedIn", "Sweden"), False),
    # "Jane Doe co-founded Acme", however the parser splits "co-"
    ("Ravi Menon co-founded Paxwell, a payments startup, in 2018.",
     ("Ravi Menon", "founderOf", "Paxwell"), True),
])
def test_described_and_split_parses(nlp, text, fact, expected):
    assert (fact in _facts(nlp, text)) is expected, sorted(_facts(nlp, text))


@pytest.mark.parametrize(("text", "fact", "expected"), [
    ("Quandro Bank is partly owned by Sparlund Holding, a Swedish investor.",
     ("Sparlund Holding", "investedIn", "Quandro Bank"), True),
    ("Quandro Bank is partly owned by Sparlund Holding, a Swedish investor.",
     ("Quandro Bank", "subsidiaryOf", "Sparlund Holding"), False),
])
def test_part_ownership_is_a_stake(nlp, text, fact, expected):
    assert (fact in _facts(nlp, text)) is expected, sorted(_facts(nlp, text))


def test_a_subject_misparsed_as_a_compound_still_competes(nlp):
    text = ("Arvona Semiconductor said on Monday it had hired a new chief executive, who ran the "
            "company's data centre group.\n\nArvona competes with Nvidia and AMD in the market "
            "for AI accelerators.")
    found = _facts(nlp, text)
    assert ("Arvona Semiconductor", "competitorOf", "Nvidia") in found, sorted(found)


@pytest.mark.parametrize(("fact", "expected"), [
    (("Twitch", "productOf", "Amazon"), True),
    (("TikTok", "productOf", "Amazon"), False),
])
def test_singular_relative_clause_speaks_of_the_nearest_conjunct(nlp, fact, expected):
    text = "Zorvo faces strong competition from TikTok and Twitch, which is owned by Amazon."
    assert (fact in _facts(nlp, text)) is expected


@pytest.mark.parametrize(("text", "fact", "expected"), [
    ("Paxwell raised $120 million this year from investors led by Accel.",
     ("Accel", "investedIn", "Paxwell"), True),
    ("Vistaro, a video platform, has raised $200 million from investors including Tiger Global.",
     ("Tiger Global", "investedIn", "Vistaro"), True),
    ("Paxwell hopes to raise $50 million from Accel.", ("Accel", "investedIn", "Paxwell"), False),
    ("Paxwell raised prices for Accel.", ("Accel", "investedIn", "Paxwell"), False),
])
def test_raising_money_from_investors(nlp, text, fact, expected):
    assert (fact in _facts(nlp, text)) is expected, sorted(_facts(nlp, text))


def test_a_platform_that_raises_money_is_a_company(nlp):
    ents = {e.name: e.type for e in _extract(
        nlp, "Vistaro, a video platform, has raised $200 million from Tiger Global.").entities}
    assert ents.get("Vistaro") == EntityType.COMPANY, ents
