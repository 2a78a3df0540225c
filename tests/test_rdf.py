"""RDF mapping: golden graphs compared by isomorphism, round trips (no spaCy)."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import SKOS

from kg.config import DEFAULT_BASE_IRI
from kg.rdf import KG, from_rdf, to_rdf

from .conftest import TESTS

GOLDEN = TESTS / "golden" / "small.ttl"
ID = DEFAULT_BASE_IRI


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        raise AssertionError(
            "graphs differ\nonly in actual:\n" + only_actual.serialize(format="nt")
            + "\nonly in expected:\n" + only_expected.serialize(format="nt")
        )


@pytest.fixture
def pinned_version(monkeypatch):
    """The golden file records the build's tool version; pin it so releases don't churn it."""
    import kg.rdf

    monkeypatch.setattr(kg.rdf, "_version", lambda: "0.0.0")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_matches_golden_turtle(small_kg, pinned_version):
    expected = Graph().parse(GOLDEN, format="turtle")
    assert_isomorphic(to_rdf(small_kg), expected)


def test_every_entity_has_one_label_and_a_kg_type(small_kg):
    g = to_rdf(small_kg)
    for node, data in small_kg.entities():
        iri = URIRef(ID + node)
        assert list(g.objects(iri, RDFS.label)) == [Literal(data["name"])]
        assert (iri, RDF.type, KG[data["type"]]) in g
    assert (URIRef(ID + "acme"), SKOS.altLabel, Literal("Acme Inc.")) in g


def test_every_fact_has_a_reification_with_verbatim_evidence(small_kg, sample_document):
    g = to_rdf(small_kg)
    facts = [(s, p, o) for s, p, o in g if str(p).startswith(str(KG))
             and p in {KG[x] for x in ("worksFor", "competitorOf", "productOf", "holdsPosition", "ceoOf")}]
    assert len(facts) == 5
    for s, p, o in facts:
        st = [x for x in g.subjects(RDF.subject, s)
              if (x, RDF.predicate, p) in g and (x, RDF.object, o) in g]
        assert st, f"no statement node for {p}"
        evidence = str(g.value(st[0], KG.evidence))
        assert evidence in sample_document.text


def test_no_blank_nodes(small_kg):
    from rdflib import BNode

    g = to_rdf(small_kg)
    assert not any(isinstance(t, BNode) for triple in g for t in triple)


def test_round_trip_keeps_entities_facts_and_stances(small_kg):
    back = from_rdf(to_rdf(small_kg))
    assert back.facts() == small_kg.facts()
    assert [(n, d["name"], d["type"], d["aliases"]) for n, d in back.entities()] == [
        (n, d["name"], d["type"], d["aliases"]) for n, d in small_kg.entities()
    ]
    assert [d["claim"] for _, d in back.stances()] == [d["claim"] for _, d in small_kg.stances()]
    # documents' text stays out of RDF, so their hash cannot be recomputed from it
    a, b = to_rdf(back), to_rdf(small_kg)
    for g in (a, b):
        g.remove((None, KG.sha256, None))
    assert_isomorphic(a, b)


def test_custom_base_iri(small_kg):
    g = to_rdf(small_kg, "https://example.com/news/")
    assert (URIRef("https://example.com/news/acme"), RDF.type, KG.Company) in g
