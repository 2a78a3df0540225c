"""KnowledgeGraph: merging, reading, node-link JSON round trips (no spaCy)."""

from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.graph import ABOUT, HAS_STANCE, KnowledgeGraph
from kg.types import Document, Entity, EntityType, Evidence, Extraction, Predicate, Relation


def test_entities_relations_and_stances(small_kg):
    ids = [n for n, _ in small_kg.entities()]
    assert ids == sorted(ids)
    assert {"acme", "jane-doe", "ceo", "globex", "widget", "open-source-software"} == set(ids)
    assert ("jane-doe", "worksFor", "acme") in small_kg.facts()
    assert ("acme", "competitorOf", "globex") in small_kg.facts()
    (sid, stance), = small_kg.stances()
    assert stance["holder"] == "jane-doe" and stance["polarity"] == "supports"
    assert small_kg.graph.has_edge("jane-doe", sid, key=HAS_STANCE)
    assert small_kg.graph.has_edge(sid, "open-source-software", key=ABOUT)


def test_symmetric_fact_stored_once_in_either_direction(small_kg, sample_document):
    ev = Evidence(sample_document.id, "x", 0, 1)
    small_kg.add_relation(Relation("globex", Predicate.COMPETITOR_OF, "acme", ev, 0.7, "rival"))
    competitor = [f for f in small_kg.facts() if f[1] == "competitorOf"]
    assert competitor == [("acme", "competitorOf", "globex")]
    _, _, _, data = next(r for r in small_kg.relations() if r[1] == "competitorOf")
    assert [p["rule"] for p in data["provenance"]] == ["compete-with", "rival"]


def test_same_entity_from_two_documents_is_one_node(sample_extraction):
    other = Document.from_text("Acme Inc. grew.", source="b.txt")
    acme2 = Entity("acme", "Acme", EntityType.COMPANY, frozenset({"Acme Inc"}))
    kg = KnowledgeGraph()
    kg.add(sample_extraction)
    kg.add(Extraction(other, (acme2,)))
    node = kg.graph.nodes["acme"]
    assert set(node["aliases"]) == {"Acme Inc.", "Acme Inc"}
    assert len(kg.documents) == 2


def test_relation_to_unknown_entity_is_refused(small_kg, sample_document):
    ev = Evidence(sample_document.id, "x", 0, 1)
    with pytest.raises(ValueError, match="unknown entity 'nobody'"):
        small_kg.add_relation(Relation("nobody", Predicate.WORKS_FOR, "acme", ev))


def test_find_by_name_or_alias(small_kg):
    assert small_kg.find("ACME INC.") == "acme"
    assert small_kg.find("chief executive") == "ceo"
    assert small_kg.find("Initech") is None


def test_summary_counts(small_kg):
    s = small_kg.summary()
    assert s["entities"]["Company"] == 2 and s["entities"]["Stance"] == 1
    assert s["relations"] == {"ceoOf": 1, "competitorOf": 1, "holdsPosition": 1,
                              "productOf": 1, "worksFor": 1}


def test_json_round_trip_is_lossless(small_kg):
    again = KnowledgeGraph.from_json(small_kg.to_json())
    assert again == small_kg
    assert again.to_json() == small_kg.to_json()
    assert again.documents == small_kg.documents


def test_merge_two_graphs(small_kg):
    merged = KnowledgeGraph()
    merged.merge(small_kg)
    merged.merge(small_kg)
    assert merged.facts() == small_kg.facts()
    assert len(merged) == len(small_kg)


@pytest.mark.parametrize("text, message", [
    ("{", "invalid JSON at line 1"),
    ("[]", "no 'nodes'"),
    ('{"nodes": [{"x": 1}], "edges": []}', "not a kg node-link graph"),
])
def test_bad_json_is_an_input_error(text, message):
    with pytest.raises(InputError, match=message):
        KnowledgeGraph.from_json(text)
