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


# ---------------------------------------------------------------------------- hostile text
from kg.graph import KnowledgeGraph  # noqa: E402
from kg.ids import slugify  # noqa: E402
from kg.types import (  # noqa: E402
    Document, Entity, EntityType, Evidence, Extraction, Mention, Polarity, Predicate,
    Relation, Stance,
)

#: Names and sentences an article (or a scraper) may hand kg. Lone surrogates cannot
#: be in a Document (its text is hashed as UTF-8), so they go into aliases and claims.
NASTY = [
    'Quote "Q" O\'Neil \'\'\' """ end\\',
    'Back\\slash \\n \\u0041 \\"',
    'Line\nbreak\r\nCRLF\rCR\u2028LS\u2029PS',
    '<script>alert(1)</script><img src=x onerror=alert(1)>',
    'RTL \u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u200f',
    'Zero\u200bwidth\u200c\u200d\u2060\ufeffbom',
    'NUL\x00ctl\x01\x1b[31m\x7fdel\x85nel\x9f',
    'Nonchar\ufffe\uffff\U0001fffe\ufdd0',
    '" . <urn:x> <urn:y> "z } { @prefix',
    '"}, {"@id": "x", "@type": "@json"',
    ']]> &amp; <!-- --> &#0;',
    'Tab\tcombining e\u0301 emoji \U0001F600',
]
LONG_NAME = "N" + "x" * 9998 + "!"
RAW_ID = "raw id/with?#%&<>\"{}|\\^`"


def hostile_kg() -> KnowledgeGraph:
    """A graph whose every text field is hostile, with a raw (non-slug) entity id too."""
    names = NASTY + [LONG_NAME]
    text, spans = "", []
    for a, b in zip(names, names[1:]):
        start = len(text)
        text += f"{a} works for {b}."
        spans.append((start, len(text)))
        text += "\n"
    doc = Document.from_text(text, source='dir/<"evil">\x00\\file.txt',
                             title=NASTY[0] + NASTY[6], url="https://e.org/?a=1&b=<2>")
    entities: dict[str, Entity] = {}
    rels = []
    for i, ((a, b), (start, end)) in enumerate(zip(zip(names, names[1:]), spans)):
        ia, ib = (RAW_ID if i == 0 else slugify(a)), slugify(b)
        sb = start + len(a) + len(" works for ")
        entities.setdefault(ia, Entity(
            ia, a, EntityType.PERSON, frozenset({a + " alias \ud800\udfff"}),
            (Mention(doc.id, start, start + len(a), a, EntityType.PERSON, i, "test"),)))
        entities.setdefault(ib, Entity(
            ib, b, EntityType.COMPANY, frozenset(),
            (Mention(doc.id, sb, sb + len(b), b, EntityType.COMPANY, i, "te\x00st"),),
            wikidata="Q42" if i == 0 else None, description=b))
        rels.append(Relation(ia, Predicate.WORKS_FOR, ib, Evidence(doc.id, text[start:end], start, end),
                             0.75, "rule\x00" + a[:20], former=i % 2 == 1))
    topic = Entity("topic-x", NASTY[3], EntityType.TOPIC)
    entities[topic.id] = topic
    stance = Stance("stance-x", RAW_ID, topic.id, NASTY[6] + "\udc80", Polarity.OPPOSES,
                    rels[0].evidence, verb=NASTY[8], confidence=0.5, rule=NASTY[2])
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, tuple(entities.values()), tuple(rels), (stance,)))
    return kg


def _comparable(kg: KnowledgeGraph) -> dict:
    """kg.to_dict() without what RDF does not carry: document text and type votes."""
    data = kg.to_dict()
    for node in data["nodes"]:
        node.pop("type_votes", None)
        node.get("mentions", []).sort(key=lambda m: (m["doc"], m["start"], m["end"]))
    for edge in data["edges"]:
        edge.get("provenance", []).sort(key=lambda p: (p["doc"], p["start"], p["end"], p["rule"]))
    data["graph"]["documents"] = [
        {**d, "text": None, "meta": sorted(m for m in map(tuple, d["meta"]) if m[0] != "sha256")}
        for d in data["graph"]["documents"]
    ]
    return data


def test_round_trip_gives_back_the_same_knowledge_graph(small_kg):
    assert _comparable(from_rdf(to_rdf(small_kg))) == _comparable(small_kg)


def test_round_trip_keeps_the_document_hash(small_kg):
    back = from_rdf(to_rdf(small_kg))
    g = to_rdf(back)
    (doc,) = small_kg.documents.values()
    assert (URIRef(ID + "doc/" + doc.id), KG.sha256, Literal(doc.sha256)) in g
    assert not list(g.objects(None, KG.meta))  # the hash rides in meta, not as kg:meta


def test_round_trip_with_many_statements_per_fact(sample_extraction):
    from dataclasses import replace

    kg = KnowledgeGraph()
    kg.add(sample_extraction)
    rel = sample_extraction.relations[3]
    kg.add_relation(replace(rel, rule="other-rule", confidence=0.123456789))
    back = from_rdf(to_rdf(kg))
    assert _comparable(back) == _comparable(kg)
    (data,) = [d for s, p, o, d in back.relations() if p == "competitorOf"]
    assert sorted(p["confidence"] for p in data["provenance"]) == [0.123456789, 0.8]


def test_round_trip_of_hostile_text_is_clean_text():
    from kg.rdf import clean_text

    kg = hostile_kg()
    back = from_rdf(to_rdf(kg))
    assert back.facts() == kg.facts()
    for (n1, d1), (n2, d2) in zip(back.entities(), kg.entities(), strict=True):
        assert n1 == n2  # raw ids come back through percent-encoding
        assert d1["name"] == clean_text(d2["name"])
        assert d1["aliases"] == [clean_text(a) for a in d2["aliases"]]


@pytest.mark.parametrize("bad, replaced", [
    ("\x00", True), ("\x01", True), ("\x1b", True), ("\x7f", True), ("\x85", True),
    ("\ud800", True), ("\udfff", True), ("\ufeff", True), ("\ufffe", True), ("\uffff", True),
    ("\U0001fffe", True), ("\U0010ffff", True),
    ("\t", False), ("\n", False), ("\r", False), ("\u200b", False), ("\u202e", False),
    ("\u2028", False), ("\U0001F600", False), ("\ufffd", False), ('"', False), ("\\", False),
])
def test_clean_text_replaces_only_unsafe_characters(bad, replaced):
    from kg.rdf import REPLACEMENT, clean_text

    text = f"a{bad}b"
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)  # offsets stay valid
    assert cleaned == (f"a{REPLACEMENT}b" if replaced else text)


def test_hostile_graph_has_only_clean_literals_and_valid_iris():
    from rdflib.term import _is_valid_uri

    from kg.rdf import clean_text

    g = to_rdf(hostile_kg())
    for triple in g:
        for term in triple:
            if isinstance(term, Literal):
                assert str(term) == clean_text(str(term))
            else:
                assert _is_valid_uri(str(term)), term
    assert URIRef(ID + "raw%20id%2Fwith%3F%23%25%26%3C%3E%22%7B%7D%7C%5C%5E%60") in set(g.subjects())


# ---------------------------------------------------------------------------- IRIs
@pytest.mark.parametrize("node_id, iri", [
    ("mark-zuckerberg", ID + "mark-zuckerberg"),
    ("a b", ID + "a%20b"),
    ("société", ID + "soci%C3%A9t%C3%A9"),
    ("x\x00y", ID + "x%EF%BF%BDy"),
])
def test_entity_iris_are_percent_safe(node_id, iri):
    from kg.rdf import entity_iri

    assert str(entity_iri(node_id)) == iri


@pytest.mark.parametrize("base", ["kg.example.org/id/", "https://e.org/id", "https://e.org/a b/"])
def test_bad_base_iri_is_refused(small_kg, base):
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="base IRI"):
        to_rdf(small_kg, base)


def test_iris_are_the_same_across_documents(sample_extraction):
    """The same entity read from two documents is one IRI with mentions from both."""
    from dataclasses import replace

    other = replace(sample_extraction, document=Document.from_text(
        "Other text.", source="b.txt"))
    kg = KnowledgeGraph()
    kg.add(sample_extraction)
    kg.add(other)
    g = to_rdf(kg)
    assert len(list(g.objects(URIRef(ID + "acme"), RDFS.label))) == 1
    assert len(list(g.subjects(RDF.type, KG.Document))) == 2


# ---------------------------------------------------------------------------- roles, links, build
ORG = "http://www.w3.org/ns/org#"


def test_role_node_ties_person_position_and_organisation(small_kg):
    g = to_rdf(small_kg)
    role = URIRef(ID + "role/jane-doe/acme/ceo")
    assert (role, RDF.type, KG.Role) in g
    assert (role, URIRef(ORG + "member"), URIRef(ID + "jane-doe")) in g
    assert (role, URIRef(ORG + "organization"), URIRef(ID + "acme")) in g
    assert (role, URIRef(ORG + "role"), URIRef(ID + "ceo")) in g
    assert (role, KG.former, Literal(False)) in g
    assert (URIRef(ID + "jane-doe"), URIRef(ORG + "hasMembership"), role) in g
    # the flat triples stay for simple queries
    assert (URIRef(ID + "jane-doe"), KG.holdsPosition, URIRef(ID + "ceo")) in g
    assert (URIRef(ID + "jane-doe"), KG.worksFor, URIRef(ID + "acme")) in g


@pytest.mark.parametrize("pos_former, org_former, org_same_sentence, iri, former", [
    (False, False, True, "role/jane-doe/acme/ceo", False),
    (True, False, True, "role/jane-doe/acme/ceo", True),
    (False, True, True, "role/jane-doe/acme/ceo", True),
    (True, False, False, "role/jane-doe/-/ceo", True),
])
def test_roles_pair_positions_with_organisations_of_the_same_sentence(
        sample_document, pos_former, org_former, org_same_sentence, iri, former):
    d = sample_document
    jane = Entity("jane-doe", "Jane Doe", EntityType.PERSON)
    ceo = Entity("ceo", "CEO", EntityType.POSITION)
    acme = Entity("acme", "Acme", EntityType.COMPANY)
    s0 = Evidence(d.id, d.text[:82], 0, 82)
    s1 = Evidence(d.id, d.text[83:139], 83, 139)
    rels = (Relation("jane-doe", Predicate.HOLDS_POSITION, "ceo", s0, former=pos_former),
            Relation("jane-doe", Predicate.WORKS_FOR, "acme", s0 if org_same_sentence else s1,
                     former=org_former))
    kg = KnowledgeGraph()
    kg.add(Extraction(d, (jane, ceo, acme), rels))
    g = to_rdf(kg)
    assert (URIRef(ID + iri), KG.former, Literal(former)) in g
    roles = set(g.subjects(RDF.type, KG.Role))
    assert URIRef(ID + iri) in roles
    if not org_same_sentence:  # the organisation gets a membership of its own
        assert URIRef(ID + "role/jane-doe/acme/-") in roles


def test_wikidata_links_only_for_knowledge_base_entities(sample_extraction):
    from dataclasses import replace

    from rdflib.namespace import OWL

    from kg.rdf import SCHEMA, WD

    acme = replace(sample_extraction.entities[0], wikidata="Q380")
    kg = KnowledgeGraph()
    kg.add(replace(sample_extraction, entities=(acme, *sample_extraction.entities[1:])))
    g = to_rdf(kg)
    assert (URIRef(ID + "acme"), OWL.sameAs, WD.Q380) in g
    assert (URIRef(ID + "acme"), SCHEMA.sameAs, WD.Q380) in g
    assert len(list(g.triples((None, OWL.sameAs, None)))) == 1
    assert len(list(g.triples((None, SCHEMA.sameAs, None)))) == 1


@pytest.mark.parametrize("qid", ["380", "wd:Q380", "Q0", "Q38 0"])
def test_malformed_wikidata_ids_get_no_link(sample_extraction, qid):
    from dataclasses import replace

    from rdflib.namespace import OWL

    acme = replace(sample_extraction.entities[0], wikidata=qid)
    kg = KnowledgeGraph()
    kg.add(replace(sample_extraction, entities=(acme, *sample_extraction.entities[1:])))
    assert not list(to_rdf(kg).triples((None, OWL.sameAs, None)))


def test_every_fact_and_stance_is_generated_by_the_build(small_kg, monkeypatch):
    from rdflib.namespace import PROV

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    g = to_rdf(small_kg)
    (build,) = g.subjects(RDF.type, KG.Build)
    for node in [*g.subjects(RDF.type, RDF.Statement), *g.subjects(RDF.type, KG.Stance)]:
        assert (node, PROV.wasGeneratedBy, build) in g
    agent = g.value(build, PROV.wasAssociatedWith)
    from kg import __version__

    assert str(g.value(agent, URIRef("https://schema.org/softwareVersion"))) == __version__
    assert g.value(build, PROV.endedAtTime) is None  # no clock time unless asked for


@pytest.mark.parametrize("epoch, stamp", [("0", "1970-01-01T00:00:00Z"),
                                          ("1700000000", "2023-11-14T22:13:20Z")])
def test_source_date_epoch_sets_the_build_time(small_kg, monkeypatch, epoch, stamp):
    from rdflib.namespace import PROV, XSD

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    g = to_rdf(small_kg)
    (build,) = g.subjects(RDF.type, KG.Build)
    assert g.value(build, PROV.endedAtTime) == Literal(stamp, datatype=XSD.dateTime)


@pytest.mark.parametrize("epoch", ["yesterday", "-5", "1.5"])
def test_bad_source_date_epoch_is_a_config_error(small_kg, monkeypatch, epoch):
    from kg.errors import ConfigError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(ConfigError, match=f"SOURCE_DATE_EPOCH must be whole seconds.*{epoch!r}"):
        to_rdf(small_kg)


def test_confidence_is_an_exact_decimal(small_kg):
    from rdflib.namespace import XSD

    g = to_rdf(small_kg)
    values = {str(o) for o in g.objects(None, KG.confidence)}
    assert values == {"0.9", "0.8", "0.85"}
    assert all(o.datatype == XSD.decimal for o in g.objects(None, KG.confidence))


def test_dataset_has_one_named_graph_per_document_and_the_same_triples(sample_extraction):
    from dataclasses import replace

    from kg.rdf import doc_iri, to_dataset

    kg = KnowledgeGraph()
    kg.add(sample_extraction)
    second = Document.from_text("Globex makes Widget.", source="b.txt")
    ev = Evidence(second.id, second.text, 0, len(second.text))
    kg.add(Extraction(second, (), (Relation("widget", Predicate.PRODUCT_OF, "globex", ev, 0.7, "make"),)))
    ds = to_dataset(kg)
    names = {str(g.identifier) for g in ds.graphs() if len(g)} - {str(ds.default_graph.identifier)}
    assert names == {str(doc_iri(d)) for d in kg.documents}
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    assert_isomorphic(union, to_rdf(kg))
    # the fact stated in both documents is in both graphs; its statements are split
    fact = (URIRef(ID + "widget"), KG.productOf, URIRef(ID + "globex"))
    assert {str(c) for *_, c in ds.quads((*fact, None))} == names


@pytest.mark.parametrize("which", ["small", "hostile"])
def test_statements_spilled_to_disk_translate_the_same_and_leave_no_files(
        small_kg, which, monkeypatch, tmp_path):
    """Past its budget a graph's statements are sorted on disk; rdflib graphs and
    datasets made from them are the same, and the temp files are gone after."""
    import tempfile

    import kg.rdf
    from kg.rdf import Statements, to_dataset

    kg_ = small_kg if which == "small" else hostile_kg()
    expected, expected_ds = to_rdf(kg_), to_dataset(kg_)
    monkeypatch.setattr(kg.rdf, "SPILL_CHARS", 1000)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Statements(kg_) as st:
        assert st.on_disk and len(list(tmp_path.iterdir())) == 1
    assert_isomorphic(to_rdf(kg_), expected)
    quads = sorted(to_dataset(kg_).quads((None, None, None, None)))
    assert quads == sorted(expected_ds.quads((None, None, None, None)))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="closed"):
        st.ntriples  # noqa: B018 (read after close)


@pytest.mark.parametrize("budget", [0, 1, 300, 10**9])
def test_statements_are_the_same_whatever_the_budget(small_kg, budget):
    from kg.rdf import Statements

    reference = Statements(hostile_kg())
    with Statements(hostile_kg(), budget=budget) as st:
        assert st.on_disk == (budget < 10**9)
        assert st.ntriples == reference.ntriples and st.nquads == reference.nquads
        assert list(st.ntriples_lines()) == reference.ntriples.split("\n")[:-1]
        assert [str(t) for t in st.quads()] == [str(t) for t in reference.quads()]
