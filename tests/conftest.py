"""Global fixtures. Nothing here needs spaCy: model tests use the ``nlp`` fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import KnowledgeGraph
from kg.types import (
    Document, Entity, EntityType, Evidence, Extraction, Mention, Polarity, Predicate,
    Relation, Stance,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TESTS = Path(__file__).resolve().parent

SAMPLE_TEXT = (
    "Acme’s CEO Jane Doe said the company believes open-source software helps everyone.\n"
    "Acme competes with Globex, which makes the Widget phone.\n"
)


@pytest.fixture
def sample_document() -> Document:
    return Document.from_text(SAMPLE_TEXT, source="tests/sample.txt", title="sample")


def _mention(doc: Document, text: str, label: EntityType, sent: int = 0) -> Mention:
    start = doc.text.index(text)
    return Mention(doc.id, start, start + len(text), text, label, sent, "test")


def _sentence(doc: Document, n: int) -> Evidence:
    lines = doc.text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:n])
    text = lines[n].rstrip("\n")
    return Evidence(doc.id, text, start, start + len(text))


@pytest.fixture
def sample_extraction(sample_document: Document) -> Extraction:
    """A hand-made extraction of SAMPLE_TEXT covering every kind of node."""
    d = sample_document
    acme = Entity("acme", "Acme", EntityType.COMPANY, frozenset({"Acme Inc."}),
                  (_mention(d, "Acme", EntityType.COMPANY),), wikidata=None)
    jane = Entity("jane-doe", "Jane Doe", EntityType.PERSON, frozenset(),
                  (_mention(d, "Jane Doe", EntityType.PERSON),))
    ceo = Entity("ceo", "CEO", EntityType.POSITION, frozenset({"chief executive"}),
                 (_mention(d, "CEO", EntityType.POSITION),))
    globex = Entity("globex", "Globex", EntityType.COMPANY, frozenset(),
                    (_mention(d, "Globex", EntityType.COMPANY, 1),))
    widget = Entity("widget", "Widget", EntityType.PRODUCT, frozenset(),
                    (_mention(d, "Widget", EntityType.PRODUCT, 1),))
    topic = Entity("open-source-software", "open-source software", EntityType.TOPIC)
    s0, s1 = _sentence(d, 0), _sentence(d, 1)
    rels = (
        Relation("jane-doe", Predicate.HOLDS_POSITION, "ceo", s0, 0.9, "poss-title"),
        Relation("jane-doe", Predicate.WORKS_FOR, "acme", s0, 0.9, "poss-title"),
        Relation("jane-doe", Predicate.CEO_OF, "acme", s0, 0.9, "poss-title"),
        Relation("acme", Predicate.COMPETITOR_OF, "globex", s1, 0.8, "compete-with"),
        Relation("widget", Predicate.PRODUCT_OF, "globex", s1, 0.85, "make"),
    )
    stance = Stance("stance-test1", "jane-doe", "open-source-software",
                    "open-source software helps everyone", Polarity.SUPPORTS, s0,
                    verb="believe", confidence=0.8, rule="reporting-verb")
    return Extraction(d, (acme, ceo, globex, jane, topic, widget), rels, (stance,))


@pytest.fixture
def small_kg(sample_extraction: Extraction) -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.add(sample_extraction)
    return kg


@pytest.fixture(scope="session")
def nlp():
    """The trained spaCy pipeline with kg's components (tests using it are 'model')."""
    from kg.nlp import load_nlp

    return load_nlp()


def pytest_collection_modifyitems(config, items):
    # Tests that take the ``nlp`` fixture need the trained model: mark them so
    # ``-m "not model"`` gives a fast run of everything else.
    for item in items:
        if "nlp" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)
