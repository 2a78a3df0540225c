"""Bundled queries: exact answers on the hand-made graph, real answers on the interview,
and identical results from rdflib and pyoxigraph."""

from __future__ import annotations

from dataclasses import replace

import pytest

import kg
from kg.graph import KnowledgeGraph
from kg.errors import QueryError
from kg.export import write
from kg.query import bundled_queries, get_query, sparql, values_vars
from kg.store import open_store

from .conftest import DATA

NAMES = ["competitors", "counts", "entities", "facts", "positions", "products", "stances",
         "wikidata"]


def rows(result, *cols):
    return [tuple(b[c].value if c in b else None for c in cols) for b in result.bindings]


@pytest.fixture
def small(tmp_path, sample_extraction):
    """The hand-made graph (conftest's small_kg), with Acme linked to Wikidata item Q42."""
    ents = tuple(replace(e, wikidata="Q42") if e.id == "acme" else e
                 for e in sample_extraction.entities)
    g = KnowledgeGraph()
    g.add(replace(sample_extraction, entities=ents))
    path = tmp_path / "small.ttl"
    write(g, path, "turtle")
    return {e: open_store([path], engine=e) for e in ("rdflib", "oxigraph")}


@pytest.fixture(scope="module")
def interview(tmp_path_factory, nlp):
    path = tmp_path_factory.mktemp("interview") / "graph.ttl"
    write(kg.build([DATA / "interview.txt"]), path, "turtle")
    return {e: open_store([path], engine=e) for e in ("rdflib", "oxigraph")}


def test_every_bundled_query_is_listed_with_a_description():
    queries = bundled_queries()
    assert [q.name for q in queries] == NAMES
    for q in queries:
        assert q.description and len(q.description.splitlines()) == 1
        # every parameter is bound in the one VALUES line that opens the WHERE clause
        assert {p.var for p in q.params} <= set(values_vars(q)), q.name
        if q.params:
            assert q.text.count("VALUES") == 1


def test_entities_query_knows_every_entity_type():
    import re

    from kg.types import ENTITY_TYPES

    listed = re.search(r"VALUES \?t \{([^}]*)\}", get_query("entities").text).group(1)
    assert sorted(listed.replace("kg:", "").split()) == sorted(ENTITY_TYPES)


# ---------------------------------------------------------------- the hand-made graph
SMALL_CASES = [
    ("competitors", {}, ("company", "competitor"),
     [("Acme", "Globex"), ("Globex", "Acme")]),
    ("competitors", {"entity": "acme inc."}, ("company", "competitor"), [("Acme", "Globex")]),
    ("competitors", {"entity": "id:globex"}, ("company", "competitor"), [("Globex", "Acme")]),
    ("competitors", {"entity": "Widget"}, ("company", "competitor"), []),
    ("positions", {}, ("person", "position", "organization", "former"),
     [("Jane Doe", "CEO", "Acme", "false")]),
    ("positions", {"organization": "Acme"}, ("person", "position", "organization"),
     [("Jane Doe", "CEO", "Acme")]),
    ("positions", {"organization": "Globex"}, ("person",), []),
    ("positions", {"person": "JANE DOE"}, ("person", "position"), [("Jane Doe", "CEO")]),
    ("positions", {"position": "chief executive"}, ("person", "position"), [("Jane Doe", "CEO")]),
    ("positions", {"position": "Widget"}, ("person",), []),
    ("positions", {"person": "Jane Doe", "organization": "Acme", "position": "CEO"},
     ("person", "position", "organization"), [("Jane Doe", "CEO", "Acme")]),
    ("positions", {"person": "Jane Doe", "organization": "Globex"}, ("person",), []),
    ("products", {}, ("product", "maker"), [("Widget", "Globex")]),
    ("products", {"maker": "Acme"}, ("product", "maker"), []),
    ("products", {"product": "widget"}, ("product", "maker"), [("Widget", "Globex")]),
    ("stances", {"person": "Jane Doe"}, ("person", "topic", "polarity", "claim"),
     [("Jane Doe", "open-source software", "supports", "open-source software helps everyone")]),
    ("stances", {"topic": "open-source software"}, ("person",), [("Jane Doe",)]),
    ("stances", {"person": "Acme"}, ("person",), []),
    ("stances", {"person": "Jane Doe", "topic": "open-source software"}, ("person",), [("Jane Doe",)]),
    ("facts", {"entity": "Acme"}, ("subject", "predicate", "object", "confidence", "rule"),
     [("Acme", "competitorOf", "Globex", "0.8", "compete-with"),
      ("Jane Doe", "ceoOf", "Acme", "0.9", "poss-title"),
      ("Jane Doe", "worksFor", "Acme", "0.9", "poss-title")]),
    ("facts", {"entity": "Widget"}, ("subject", "predicate", "object", "source"),
     [("Widget", "productOf", "Globex", "tests/sample.txt")]),
    ("entities", {}, ("name", "type", "mentions"),
     [("Acme", "Company", "1"), ("CEO", "Position", "1"), ("Globex", "Company", "1"),
      ("Jane Doe", "Person", "1"), ("Widget", "Product", "1"),
      ("open-source software", "Topic", "0")]),
    ("wikidata", {}, ("entity", "type", "wikidata"),
     [("Acme", "Company", "http://www.wikidata.org/entity/Q42")]),
]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name, params, cols, expected", SMALL_CASES,
                         ids=[f"{c[0]}-{'-'.join(c[1].values()) or 'all'}" for c in SMALL_CASES])
def test_bundled_query_on_small_graph(small, engine, name, params, cols, expected):
    result = sparql(small[engine], get_query(name), params=params)
    assert rows(result, *cols) == expected


def test_facts_carry_the_evidence_sentence(small):
    result = sparql(small["rdflib"], get_query("facts"), params={"entity": "Widget"})
    assert rows(result, "evidence") == [("Acme competes with Globex, which makes the Widget phone.",)]


def test_counts_on_small_graph(small):
    got = {(k, n): int(c) for k, n, c in rows(sparql(small["rdflib"], get_query("counts")),
                                                "kind", "name", "count")}
    expected = {("type", "Company"): 2, ("type", "Person"): 1, ("type", "Position"): 1,
                ("type", "Product"): 1, ("type", "Topic"): 1, ("type", "Stance"): 1,
                ("predicate", "competitorOf"): 1, ("predicate", "productOf"): 1,
                ("predicate", "worksFor"): 1, ("predicate", "ceoOf"): 1,
                ("predicate", "holdsPosition"): 1}
    assert {k: got.get(k) for k in expected} == expected


def test_a_wikidata_id_names_the_entity_linked_to_it(small):
    for store in small.values():
        assert rows(sparql(store, get_query("competitors"), params={"entity": "Q42"}),
                    "company") == [("Acme",)]
        assert rows(sparql(store, get_query("competitors"), params={"entity": "wd:Q42"}),
                    "company") == [("Acme",)]


def test_a_name_shared_by_several_entities_binds_them_all():
    from rdflib import Graph

    g = Graph().parse(format="turtle", data="""
        @prefix kg: <https://kg.example.org/ontology#> . @prefix id: <https://kg.example.org/id/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        id:apex-co a kg:Company ; rdfs:label "Apex" ; kg:competitorOf id:zenith .
        id:apex-ltd a kg:Company ; rdfs:label "apex" ; kg:competitorOf id:nadir .
        id:zenith a kg:Company ; rdfs:label "Zenith" . id:nadir a kg:Company ; rdfs:label "Nadir" .
    """)
    assert rows(sparql(g, get_query("competitors"), params={"entity": "APEX"}),
                "company", "competitor") == [("Apex", "Zenith"), ("apex", "Nadir")]


@pytest.mark.parametrize("params, message", [
    ({"entity": "Nobody"}, "no entity called 'Nobody' in the graph"),
    ({"company": "Acme"}, "unknown parameter 'company' for query 'competitors'; its parameters: entity"),
    ({"entity": "<urn:a b>"}, "'<urn:a b>' is not a valid IRI"),
])
def test_bad_parameters(small, params, message):
    with pytest.raises(Exception) as err:
        sparql(small["rdflib"], get_query("competitors"), params=params)
    assert message in str(err.value)


def test_parameter_values_cannot_inject_sparql(small):
    evil = 'Acme" } ; DROP ALL ; SELECT * { ?s ?p ?o'
    with pytest.raises(QueryError, match="no entity called"):
        sparql(small["rdflib"], get_query("facts"), params={"entity": evil})


# ---------------------------------------------------------------- engines agree
def _variants():
    for q in bundled_queries():
        yield q.name, {}
    yield "competitors", {"entity": "Acme"}
    yield "facts", {"entity": "Jane Doe"}
    yield "positions", {"organization": "Acme"}
    yield "stances", {"person": "Jane Doe"}


@pytest.mark.parametrize("name, params", list(_variants()))
def test_rdflib_and_oxigraph_agree_on_small_graph(small, name, params):
    a = sparql(small["rdflib"], get_query(name), params=params)
    b = sparql(small["oxigraph"], get_query(name), params=params)
    assert a.bindings and a == b


INTERVIEW_VARIANTS = [(q, {}) for q in NAMES] + [
    ("competitors", {"entity": "Meta"}), ("facts", {"entity": "Meta"}),
    ("positions", {"person": "Mark Zuckerberg"}), ("stances", {"person": "Mark Zuckerberg"}),
    ("products", {"maker": "Meta"}),
]


@pytest.mark.parametrize("name, params", INTERVIEW_VARIANTS)
def test_rdflib_and_oxigraph_agree_on_interview(interview, name, params):
    try:
        a = sparql(interview["rdflib"], get_query(name), params=params)
    except QueryError as exc:  # the entity is not extracted yet: both engines must say so
        with pytest.raises(QueryError, match="no entity called"):
            sparql(interview["oxigraph"], get_query(name), params=params)
        pytest.fail(f"extraction does not produce the entity yet: {exc}")
    assert a == sparql(interview["oxigraph"], get_query(name), params=params)


# ---------------------------------------------------------------- the interview's real answers
def _interview(interview, name, **params):
    return sparql(interview["rdflib"], get_query(name), params=params)


def test_interview_competitors_of_meta(interview):
    competitors = {c for _, c in rows(_interview(interview, "competitors", entity="Meta"),
                                      "company", "competitor")}
    assert {"OpenAI", "Google"} <= competitors


def test_interview_ceo_holds_the_ceo_position_at_meta(interview):
    # "CEO" names the position by its label or an alias ("chief executive" would do too)
    got = rows(_interview(interview, "positions", person="Mark Zuckerberg", position="CEO",
                          organization="Meta"), "person", "organization")
    assert ("Mark Zuckerberg", "Meta") in got


def test_interview_emily_chang_works_for_bloomberg(interview):
    got = rows(_interview(interview, "positions", person="Emily Chang"), "organization")
    assert ("Bloomberg",) in got


def test_interview_meta_ai_is_metas_product(interview):
    got = rows(_interview(interview, "products", maker="Meta"), "product", "maker")
    assert ("Meta AI", "Meta") in got


def test_interview_zuckerberg_supports_open_source_ai(interview):
    got = rows(_interview(interview, "stances", person="Mark Zuckerberg"),
               "topic", "polarity", "evidence")
    assert any("open" in topic.lower() and polarity == "supports" for topic, polarity, _ in got), got
    assert all(evidence for _, _, evidence in got)


def test_interview_facts_about_meta_have_provenance(interview):
    got = rows(_interview(interview, "facts", entity="Meta"),
               "subject", "predicate", "object", "evidence", "confidence", "source")
    competitor_facts = [r for r in got if r[1] == "competitorOf" and "OpenAI" in (r[0], r[2])]
    assert competitor_facts, got
    for _, _, _, evidence, confidence, source in competitor_facts:
        assert "OpenAI and Google" in evidence
        assert 0 < float(confidence) <= 1
        assert source.endswith("interview.txt")


def test_interview_zuckerberg_was_interviewed_by_emily_chang(interview):
    got = rows(_interview(interview, "facts", entity="Emily Chang"), "subject", "predicate", "object")
    assert ("Mark Zuckerberg", "interviewedBy", "Emily Chang") in got


def test_interview_entities_are_typed(interview):
    got = set(rows(_interview(interview, "entities"), "name", "type"))
    assert {("Mark Zuckerberg", "Person"), ("Emily Chang", "Person"), ("Meta", "Company"),
            ("OpenAI", "Company"), ("Google", "Company")} <= got


def test_interview_meta_is_linked_to_wikidata(interview):
    got = rows(_interview(interview, "wikidata"), "entity", "wikidata")
    assert ("Meta", "http://www.wikidata.org/entity/Q380") in got


def test_interview_counts(interview):
    got = {(k, n): int(c) for k, n, c in rows(_interview(interview, "counts"), "kind", "name", "count")}
    assert got.get(("type", "Person"), 0) >= 2
    assert got.get(("type", "Company"), 0) >= 3
    assert got.get(("predicate", "competitorOf"), 0) >= 2
