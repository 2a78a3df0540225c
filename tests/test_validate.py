"""SHACL validation: kg's own output conforms; each broken contract is reported (no spaCy)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, XSD

from kg.cli import cli
from kg.config import DEFAULT_BASE_IRI
from kg.errors import ValidationError
from kg.export import write
from kg.graph import KnowledgeGraph
from kg.rdf import KG, to_rdf
from kg.validate import (SH, _findings, check_build, check_evidence, shapes_graph, split_shapes,
                         validate, validate_graph, validate_turtle)

from .test_rdf import hostile_kg

ID = DEFAULT_BASE_IRI
ACME, JANE, GLOBEX = URIRef(ID + "acme"), URIRef(ID + "jane-doe"), URIRef(ID + "globex")


def test_kg_output_conforms_without_warnings(small_kg):
    report = validate(small_kg)
    assert report.conforms and report.findings == [], report.text()


def test_hostile_text_still_conforms():
    report = validate(hostile_kg())
    assert report.conforms, report.text()


def _statement(g: Graph, p) -> URIRef:
    return next(st for st in g.subjects(RDF.predicate, p))


def _break_confidence(g):
    st = _statement(g, KG.productOf)
    g.set((st, KG.confidence, Literal("1.5", datatype=XSD.decimal)))


def _break_confidence_type(g):
    st = _statement(g, KG.productOf)
    g.set((st, KG.confidence, Literal("high")))


def _break_offsets(g):
    st = _statement(g, KG.productOf)
    g.set((st, KG.startOffset, Literal(500, datatype=XSD.integer)))


def _unasserted_statement(g):
    g.remove((ACME, KG.competitorOf, GLOBEX))


def _blank_entity(g):
    g.add((BNode("b1"), RDF.type, KG.Person))
    g.add((BNode("b1"), RDFS.label, Literal("Nobody")))


def _bad_polarity(g):
    g.set((URIRef(ID + "stance-test1"), KG.polarity, Literal("maybe")))


def _role_without_member(g):
    g.remove((URIRef(ID + "role/jane-doe/acme/ceo"), URIRef("http://www.w3.org/ns/org#member"), None))


def _bad_sha(g):
    doc = next(g.subjects(RDF.type, KG.Document))
    g.set((doc, KG.sha256, Literal("abc")))


def _stance_without_holder_link(g):
    g.remove((JANE, KG.hasStance, None))


BREAKAGES = [
    ("no label", lambda g: g.remove((ACME, RDFS.label, None)),
     "id:acme rdfs:label: an entity has exactly one non-empty rdfs:label"),
    ("two labels", lambda g: g.add((ACME, RDFS.label, Literal("ACME"))),
     "id:acme rdfs:label: an entity has exactly one non-empty rdfs:label"),
    ("two kg types", lambda g: g.add((ACME, RDF.type, KG.Person)),
     "id:acme rdf:type: an entity has exactly one kg entity type"),
    ("fact without statement", lambda g: g.add((ACME, KG.partnerOf, GLOBEX)),
     "id:acme kg:partnerOf: a fact has no rdf:Statement carrying its provenance"),
    ("statement of an unasserted triple", _unasserted_statement,
     "a statement's triple is not asserted in the graph"),
    ("no evidence", lambda g: g.remove((_statement(g, KG.productOf), KG.evidence, None)),
     "kg:evidence: exactly one non-empty kg:evidence (the sentence)"),
    ("confidence above 1", _break_confidence, "kg:confidence"),
    ("confidence not a decimal", _break_confidence_type, "kg:confidence"),
    ("start after end", _break_offsets, "kg:startOffset"),
    ("sameAs outside Wikidata", lambda g: g.add((ACME, OWL.sameAs, URIRef("http://dbpedia.org/resource/Acme"))),
     "owl:sameAs links only to a Wikidata item"),
    ("sameAs without its Q-id", lambda g: g.add((ACME, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1"))),
     "owl:sameAs without the matching kg:wikidata Q-id"),
    ("malformed Q-id", lambda g: g.add((ACME, KG.wikidata, Literal("wd:Q1"))),
     "kg:wikidata is one Wikidata Q-id such as Q380"),
    ("blank-node entity", _blank_entity, "kg never writes blank nodes"),
    ("unknown polarity", _bad_polarity, "kg:polarity"),
    ("role without member", _role_without_member, "org:member"),
    ("bad document hash", _bad_sha, "kg:sha256"),
    ("stance not linked from its holder", _stance_without_holder_link,
     "the holder points to its stance with kg:hasStance"),
]


@pytest.mark.parametrize("name, breakage, expected", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_each_broken_contract_is_a_violation(small_kg, name, breakage, expected):
    g = to_rdf(small_kg)
    breakage(g)
    report = validate_graph(g)
    assert not report.conforms
    lines = [f.line() for f in report.violations]
    assert any(expected in line for line in lines), "\n".join(lines)


def test_unexpected_kinds_are_warnings_not_violations(small_kg):
    g = to_rdf(small_kg)
    g.add((JANE, KG.worksFor, URIRef(ID + "widget")))  # a product is no employer
    st = URIRef(ID + "fact/manual")
    for t in [(st, RDF.type, RDF.Statement), (st, RDF.type, KG.Fact), (st, RDF.subject, JANE),
              (st, RDF.predicate, KG.worksFor), (st, RDF.object, URIRef(ID + "widget"))]:
        g.add(t)
    for p, o in [(KG.evidence, Literal("x")), (KG.startOffset, Literal(0, datatype=XSD.integer)),
                 (KG.endOffset, Literal(1, datatype=XSD.integer)),
                 (KG.confidence, Literal("0.5", datatype=XSD.decimal)), (KG.rule, Literal("r"))]:
        g.add((st, p, o))
    g.add((st, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), next(g.subjects(RDF.type, KG.Document))))
    g.add((st, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), next(g.subjects(RDF.type, KG.Build))))
    report = validate_graph(g)
    assert report.conforms, report.text()
    assert [f.line() for f in report.warnings] == [
        "Warning: id:jane-doe kg:worksFor: Value does not have class kg:Organization (value: id:widget)"
    ]


def test_company_counts_as_organization_through_the_ontology(small_kg):
    g = to_rdf(small_kg)  # jane-doe worksFor acme, a kg:Company
    assert validate_graph(g).findings == []
    assert validate_graph(g, ontology=False).warnings  # without the TBox it cannot tell


def _with_evidence(small_kg, text: str, start: int, end: int) -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.documents = dict(small_kg.documents)
    kg.graph = small_kg.graph.copy()
    for s, o, k, d in kg.graph.edges(keys=True, data=True):
        if k == "productOf":
            d["provenance"] = [{**d["provenance"][0], "evidence": text, "start": start, "end": end}]
    return kg


def test_evidence_that_is_not_in_the_document_is_a_violation(small_kg):
    kg = _with_evidence(small_kg, "Globex makes no phones at all.", 83, 113)
    (finding,) = check_evidence(kg)
    assert finding.severity == "Violation"
    assert "evidence does not occur verbatim in doc-" in finding.line()
    assert not validate(kg).conforms


def test_evidence_at_wrong_offsets_is_a_warning(small_kg):
    kg = _with_evidence(small_kg, "Acme competes with Globex", 0, 25)
    (finding,) = check_evidence(kg)
    assert finding.severity == "Warning" and "not at offsets 0-25" in finding.message


def test_check_build_refuses_a_broken_graph(small_kg):
    from kg.export import serialize

    kg = _with_evidence(small_kg, "Invented sentence.", 0, 18)
    with pytest.raises(ValidationError, match=r"the built graph violates kg's SHACL shapes \(1 violation"):
        check_build(kg, serialize(kg, "turtle"))
    assert check_build(small_kg, serialize(small_kg, "turtle")).conforms


# ---------------------------------------------------------------------------- CLI
@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("name", ["graph.ttl", "graph.nt", "graph.jsonld", "graph.rdf",
                                  "graph.trig", "graph.nq", "graph.json"])
def test_validate_command_accepts_every_format_kg_writes(runner, tmp_path, small_kg, name):
    fmt = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld",
           "graph.rdf": "rdfxml", "graph.trig": "trig", "graph.nq": "nquads",
           "graph.json": "json"}[name]
    write(small_kg, tmp_path / name, fmt)
    result = runner.invoke(cli, ["validate", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == "0 violation(s), 0 warning(s)"


def test_validate_command_prints_violations_and_fails(runner, tmp_path, small_kg):
    g = to_rdf(small_kg)
    g.remove((ACME, RDFS.label, None))
    path = tmp_path / "bad.ttl"
    g.serialize(path, format="turtle")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Violation: id:acme rdfs:label: an entity has exactly one non-empty rdfs:label"]
    assert result.stderr.splitlines()[-1] == (
        f"Error: {str(path)!r} does not conform to the shapes: 1 violation(s), 0 warning(s)")
    assert "Traceback" not in result.output


def test_validate_strict_fails_on_warnings(runner, tmp_path, small_kg):
    g = to_rdf(small_kg)
    g.add((JANE, KG.holdsPosition, ACME))  # a company is no position (a warning)
    path = tmp_path / "warn.nt"
    g.serialize(path, format="nt")
    assert runner.invoke(cli, ["validate", str(path)]).exit_code == 1  # no statement: violation
    st = _statement(g, KG.holdsPosition)
    g.set((st, RDF.object, ACME))
    g.remove((JANE, KG.holdsPosition, URIRef(ID + "ceo")))
    g.serialize(path, format="nt")
    relaxed = runner.invoke(cli, ["validate", str(path)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "Warning: id:jane-doe kg:holdsPosition" in relaxed.stdout
    strict = runner.invoke(cli, ["validate", str(path), "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.strip().endswith("does not conform to the shapes: 0 violation(s), 1 warning(s)")


@pytest.mark.parametrize("args, error", [
    (["validate", "missing.ttl"], "Error: no such graph file: 'missing.ttl'"),
    (["validate", "missing.json"], "Error: cannot read 'missing.json': No such file or directory"),
])
def test_validate_command_bad_input(runner, args, error):
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.strip() == error


def test_validate_command_with_other_shapes(runner, tmp_path, small_kg):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kg: <https://kg.example.org/ontology#> .
        <urn:s> a sh:NodeShape ; sh:targetClass kg:Company ;
            sh:property [ sh:path kg:mention ; sh:minCount 2 ; sh:message "two mentions" ] .
    """)
    write(small_kg, tmp_path / "g.ttl", "turtle")
    result = runner.invoke(cli, ["validate", str(tmp_path / "g.ttl"), "--shapes", str(shapes)])
    assert result.exit_code == 1
    assert sorted(result.stdout.splitlines()) == [
        "Violation: id:acme kg:mention: two mentions",
        "Violation: id:globex kg:mention: two mentions",
    ]


def test_build_fails_loudly_and_writes_nothing_on_a_violation(runner, tmp_path, small_kg,
                                                              monkeypatch):
    """``kg build`` validates what it is about to write (here: evidence made up)."""
    import kg.cli.build as build_cli

    broken = _with_evidence(small_kg, "Invented sentence.", 0, 18)
    monkeypatch.setattr(build_cli, "build_corpus", lambda *a, **k: (broken, None))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", "tests/sample.txt", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: the built graph violates kg's SHACL shapes (1 violation(s), 0 warning(s)); "
        "first: Violation: <https://kg.example.org/id/fact/")
    assert not out.exists() or not any(out.iterdir())
    monkeypatch.setattr(build_cli, "build_corpus", lambda *a, **k: (small_kg, None))
    result = runner.invoke(cli, ["build", "tests/sample.txt", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "SHACL: 0 violation(s), 0 warning(s)" in result.stderr
    assert (out / "ontology.ttl").exists() and (out / "graph.trig").exists()


def test_evidence_check_skips_documents_without_text(small_kg):
    from kg.rdf import from_rdf

    back = from_rdf(to_rdf(small_kg))  # documents come back without their text
    assert check_evidence(back) == []
    doc = next(iter(back.documents.values()))
    back.documents[doc.id] = replace(doc, text="Something else entirely.")
    assert len(check_evidence(back)) == 6  # five facts and a stance, none in that text


# ---------------------------------------------------------------------------- how the shapes run
def _mention_text_too_long(g):
    mention = next(g.subjects(RDF.type, KG.Mention))
    g.set((mention, KG.text, Literal(str(g.value(mention, KG.text)) + " and more")))


def _reference(g: Graph) -> list[str]:
    """pyshacl on the shapes as written, ontology mixed in: what kg checked before."""
    import pyshacl

    from kg.rdf import bind_prefixes, ontology_graph

    _, report, _ = pyshacl.validate(g, shacl_graph=shapes_graph(), ont_graph=ontology_graph(),
                                    inference="none", allow_warnings=True, advanced=True)
    names = bind_prefixes(Graph())
    return sorted({f.line() for f in _findings(report, names)})


WARNINGS = [
    ("worksFor a product", lambda g: g.add((JANE, KG.worksFor, URIRef(ID + "widget")))),
    ("mention text longer than its span", _mention_text_too_long),
]


@pytest.mark.parametrize("name, breakage", [(b[0], b[1]) for b in BREAKAGES] + WARNINGS,
                         ids=[b[0] for b in BREAKAGES] + [w[0] for w in WARNINGS])
def test_split_shapes_find_what_the_shapes_as_written_find(small_kg, name, breakage):
    g = to_rdf(small_kg)
    breakage(g)
    expected = _reference(g)
    assert expected  # each breakage is caught by the shapes as written
    assert sorted({f.line() for f in validate_graph(g).findings}) == expected


def test_whole_graph_warning_runs_on_oxigraph(small_kg):
    g = to_rdf(small_kg)
    _mention_text_too_long(g)
    report = validate_graph(g)
    assert report.conforms
    assert [f.message for f in report.warnings] == [
        "text length differs from the span its offsets give"]


def test_validate_graph_leaves_the_callers_graph_alone(small_kg):
    from pyoxigraph import Store

    g = to_rdf(small_kg)
    store = Store()
    store.bulk_extend(__import__("kg.validate", fromlist=["_to_quads"])._to_quads(g))
    before = (len(g), len(store))
    g.remove((ACME, RDFS.label, None))
    assert not validate_graph(g).conforms
    assert validate_graph(g, store=store).violations  # the label check runs on g
    assert (len(g) + 1, len(store)) == before


SHAPE_CASES = [
    ("open node shape", "", True),
    ("closed node shape", "sh:closed true ; sh:ignoredProperties (rdf:type) ;", False),
    ("deactivated node shape", "sh:deactivated false ;", False),
]


@pytest.mark.parametrize("name, extra, flattened", SHAPE_CASES, ids=[c[0] for c in SHAPE_CASES])
def test_split_shapes_moves_targets_only_where_that_keeps_the_meaning(name, extra, flattened):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {extra}
            sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    """, format="turtle")
    core, sparql = split_shapes(shapes)
    assert sparql is None
    prop = next(shapes.objects(URIRef("urn:ex:S"), SH.property))
    assert ((prop, SH.targetClass, URIRef("urn:ex:C")) in core) is flattened
    assert ((URIRef("urn:ex:S"), SH.property, prop) in core) is not flattened


def test_referenced_node_shape_keeps_its_properties():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:D ; sh:node ex:S .
    """, format="turtle")
    core, _ = split_shapes(shapes)
    assert (URIRef("urn:ex:S"), SH.property, None) in core


@pytest.mark.parametrize("extra, on_oxigraph", [
    ("", True),
    ('sh:in ("a") ;', False),  # Oxigraph reads "a" as "a"^^xsd:string: stays on rdflib
])
def test_only_pure_sparql_shapes_run_on_oxigraph(extra, on_oxigraph):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {extra}
            sh:sparql [ sh:select "SELECT $this WHERE {{ $this ex:bad ?x }}" ] .
    """, format="turtle")
    core, sparql = split_shapes(shapes)
    s = URIRef("urn:ex:S")
    assert (sparql is not None and (s, SH.targetClass, None) in sparql) is on_oxigraph
    assert ((s, SH.targetClass, None) in core) is not on_oxigraph


def test_check_build_refuses_text_that_is_not_turtle(small_kg):
    with pytest.raises(ValidationError, match=r"^the built graph is not valid Turtle \("):
        check_build(small_kg, "<urn:a> <urn:p> .")


def test_validate_command_rejects_unusable_shapes(runner, tmp_path, small_kg):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p ?o } }" ] .
    """)
    write(small_kg, tmp_path / "g.ttl", "turtle")
    result = runner.invoke(cli, ["validate", str(tmp_path / "g.ttl"), "--shapes", str(shapes)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: the SHACL shapes cannot be used: ")
    assert result.stderr.strip().endswith("; fix the shapes file")
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------- check_build's preselection
def _mention(g):
    return next(g.subjects(RDF.type, KG.Mention))


def _role(g):
    return next(g.subjects(RDF.type, KG.Role))


def _set(node, p, o):
    return lambda g: g.set((node(g), p, o))


def _add(node, p, o):
    return lambda g: g.add((node(g), p, o))


def _drop(node, p, o=None):
    return lambda g: g.remove((node(g), p, o))


def _doc(g):
    return next(g.subjects(RDF.type, KG.Document))


def _build(g):
    return next(g.subjects(RDF.type, KG.Build))


def _fact(g):
    return _statement(g, KG.productOf)


def _stance(g):
    return URIRef(ID + "stance-test1")


def _acme(g):
    return ACME


# each reaches a construct the SPARQL preselection compiles (a count, a datatype, an
# ill-typed literal, a class through subclasses, an inverse path, a list, a comparison)
PRESELECTION_CASES = [
    ("ill-typed sentence number", _set(_mention, KG.sentence, Literal("abc", datatype=XSD.integer))),
    ("label with a language tag", _set(_acme, RDFS.label, Literal("Acme", lang="en"))),
    ("empty label", _set(_acme, RDFS.label, Literal(""))),
    ("mention given as text", _add(_acme, KG.mention, Literal("Acme"))),
    ("two start offsets", _add(_mention, KG.startOffset, Literal(1, datatype=XSD.integer))),
    ("statement not typed kg:Fact", _drop(_fact, RDF.type, KG.Fact)),
    ("mention without end offset", _drop(_mention, KG.endOffset)),
    ("role derived from a document", lambda g: g.set((_role(g), PROV.wasDerivedFrom, _doc(g)))),
    ("stance holder given as text", _set(_stance, KG.holder, Literal("Jane Doe"))),
    ("polarity with a language tag", _set(_stance, KG.polarity, Literal("supports", lang="en"))),
    ("negative sentence number", _set(_mention, KG.sentence, Literal(-1, datatype=XSD.integer))),
    ("ill-typed build time", _add(_build, PROV.endedAtTime, Literal("soon", datatype=XSD.dateTime))),
    ("statement of a predicate outside the list", _set(_fact, RDF.predicate, KG.mention)),
    ("statement from two documents",
     _add(_fact, PROV.wasDerivedFrom, URIRef(ID + "doc/doc-000000000000"))),
    ("document with two hashes", _add(_doc, KG.sha256, Literal("0" * 64))),
    ("no role label and a string former", lambda g: (g.remove((_role(g), RDFS.label, None)),
                                                      g.set((_role(g), KG.former, Literal("no"))))),
]

_CASES = [(b[0], b[1]) for b in BREAKAGES] + WARNINGS + PRESELECTION_CASES


def _masked(lines) -> list[str]:
    """Findings with a blank node's label (random in each parse) masked."""
    import re

    out = []
    for line in lines:
        m = re.match(r"^\w+: ('[^']*')[ :]", line)
        out.append(line.replace(m.group(1), "_:b") if m else line)
    return sorted(out)


@pytest.fixture
def whole_graph_runs(monkeypatch) -> list:
    """Records each run of pyshacl on the whole graph (the preselection not used)."""
    import kg.validate

    runs: list = []
    whole = kg.validate.validate_graph
    monkeypatch.setattr(kg.validate, "validate_graph",
                        lambda *a, **k: runs.append(1) or whole(*a, **k))
    return runs


@pytest.mark.parametrize("name, breakage", _CASES, ids=[c[0] for c in _CASES])
def test_check_build_finds_what_pyshacl_finds_on_the_whole_graph(small_kg, whole_graph_runs,
                                                                  name, breakage):
    g = to_rdf(small_kg)
    breakage(g)
    expected = _reference(g)
    assert expected  # each breakage is caught by the shapes as written
    assert _masked(f.line() for f in validate_turtle(g.serialize(format="turtle")).findings) \
        == _masked(expected)
    # the preselection ran, unless a blank node (whose label Oxigraph's store changes) is in
    blank = any(isinstance(term, BNode) for triple in g for term in triple)
    assert bool(whole_graph_runs) == blank


def test_a_literal_oxigraph_would_rewrite_sends_the_whole_graph_to_pyshacl(small_kg, whole_graph_runs):
    from pyoxigraph import RdfFormat, parse

    from kg.rdf import bind_prefixes
    from kg.validate import graph_from_quads

    g = to_rdf(small_kg)
    mention = _mention(g)
    g.remove((mention, KG.sentence, None))
    # Oxigraph would store "-1": its triples would not be the text's
    turtle = g.serialize(format="turtle") + f'<{mention}> <{KG.sentence}> "-01"^^<{XSD.integer}> .\n'
    lines = sorted(f.line() for f in validate_turtle(turtle).findings)
    assert whole_graph_runs
    assert lines == _reference(graph_from_quads(parse(turtle, RdfFormat.TURTLE),
                                                bind_prefixes(Graph())))
    assert any("kg:sentence: Value is not >=" in line for line in lines), lines


def test_check_build_reads_a_turtle_file(small_kg, tmp_path):
    from kg.export import serialize

    path = tmp_path / "graph.ttl"
    path.write_text(serialize(small_kg, "turtle"), encoding="utf-8")
    assert check_build(small_kg, path).findings == check_build(small_kg, path.read_text()).findings
    broken = _with_evidence(small_kg, "Invented sentence.", 0, 18)
    with pytest.raises(ValidationError, match=r"the built graph violates kg's SHACL shapes"):
        check_build(broken, path)


@pytest.mark.parametrize("content, error", [
    (None, r"^cannot read the built graph '.*missing\.ttl': No such file or directory"),
    ("<urn:a> <urn:p> .", r"^the built graph is not valid Turtle \("),
])
@pytest.mark.parametrize("started", [False, True], ids=["check_build", "start_check_build"])
def test_check_build_bad_turtle_file(small_kg, tmp_path, content, error, started):
    from kg.validate import start_check_build

    path = tmp_path / "missing.ttl"
    if content is not None:
        path.write_text(content)
    if started:  # a started check raises a bad file from result(), not when started
        check = start_check_build(small_kg, path).result
    else:
        def check():
            return check_build(small_kg, path)
    with pytest.raises(ValidationError, match=error):
        check()


UNSUPPORTED = [
    ("a node reference", "sh:path ex:p ; sh:node ex:T"),
    ("a logical constraint", "sh:path ex:p ; sh:or ( [ sh:datatype xsd:string ] )"),
    ("a sequence path", "sh:path ( ex:p ex:q ) ; sh:minCount 1"),
    ("a typed list member", "sh:path ex:p ; sh:in ( 1 2 )"),
    ("a qualified shape that is not a list", "sh:path ex:p ; sh:qualifiedValueShape "
                                             "[ sh:class ex:C ] ; sh:qualifiedMaxCount 1"),
    ("a closed shape", "sh:closed true"),
    ("a lookaround pattern", 'sh:path ex:p ; sh:pattern "^(?!x)"'),
    ("a backreference", 'sh:path ex:p ; sh:pattern "(a)\\\\1"'),
    ("a word boundary", 'sh:path ex:p ; sh:pattern "\\\\bword"'),
    ("verbose pattern flags", 'sh:path ex:p ; sh:pattern "a" ; sh:flags "x"'),
    ("a count without a path", "sh:minCount 1"),
]


@pytest.mark.parametrize("name, body", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_shapes_the_preselection_cannot_compile_are_refused(name, body):
    from pyoxigraph import Store

    from kg.shacl_sparql import Unsupported, compile_shapes

    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix ex: <urn:ex:> .
        ex:S sh:targetClass ex:C ; {body} .
    """, format="turtle")
    with pytest.raises(Unsupported):
        compile_shapes(shapes, Store())


def test_implicit_class_targets_are_refused():
    from pyoxigraph import Store

    from kg.shacl_sparql import Unsupported, compile_shapes

    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:ex:C> a sh:NodeShape, rdfs:Class ; sh:property [ sh:path <urn:ex:p> ; sh:minCount 1 ] .
    """, format="turtle")
    with pytest.raises(Unsupported, match="implicit class target"):
        compile_shapes(split_shapes(shapes)[0], Store())


def test_findings_name_a_blank_node_by_its_label_in_the_text(small_kg):
    turtle = to_rdf(small_kg).serialize(format="turtle") + (
        f'_:z0 a <{KG.Person}> ; <{RDFS.label}> "Nobody" .\n')
    lines = [f.line() for f in validate_turtle(turtle).violations]
    assert lines == ["Violation: 'z0': kg never writes blank nodes: every typed node needs an IRI "
                     "(value: 'z0')"]


# ---------------------------------------------------------------------------- the text scan beside the load
_XSD_INT, _XSD_DEC, _XSD_DBL = (f"http://www.w3.org/2001/XMLSchema#{t}"
                                for t in ("integer", "decimal", "double"))


@pytest.mark.parametrize("text, expected", [
    ("<urn:a> <urn:p> 1, -2.50, +3, .5, 4e1, 5.E-2 .",
     {("1", _XSD_INT), ("-2.50", _XSD_DEC), ("+3", _XSD_INT), (".5", _XSD_DEC),
      ("4e1", _XSD_DBL), ("5.E-2", _XSD_DBL)}),
    ("<urn:a> <urn:p> 01;<urn:q> 7.", {("01", _XSD_INT), ("7", _XSD_INT)}),
    # digits in strings, IRIs, comments, names and language tags are no numbers
    ('@prefix x: <urn:x:> .\nx:a-01 x:p "07 and 1.50", """0.10\n"quoted" 02""", \'03\', '
     "'''04''', \"x\"@de-1996 ; x:q <urn:05> ; x:r x:b\\'06 . # 08 \"\n", set()),
    ("<urn:a> <urn:p> true, false .", set()),
])
def test_quick_scan_finds_every_bare_number(text, expected):
    from kg.validate import _quick_scan

    typed, blank = _quick_scan(text)
    assert {(lit.value, lit.datatype.value) for lit in typed} == expected
    assert not blank


@pytest.mark.parametrize("text", [
    '<urn:a> <urn:p> "1"^^<urn:t> .',  # a datatype: the parser resolves it
    "<urn:a> <urn:p> [ <urn:q> 1 ] .",
    "_:b <urn:p> 1 .",
    "<urn:a> <urn:p> ( 1 2 ) .",
    '<urn:a> <urn:p> "unterminated .',
    b"<urn:a> <urn:p> \"\xff\" .",
])
def test_quick_scan_leaves_blank_nodes_and_datatypes_to_the_parser(text):
    from kg.validate import _quick_scan

    assert _quick_scan(text) is None


def test_a_bare_number_oxigraph_would_rewrite_sends_the_whole_graph_to_pyshacl(small_kg,
                                                                                whole_graph_runs):
    g = to_rdf(small_kg)
    mention = _mention(g)
    g.remove((mention, KG.sentence, None))
    turtle = g.serialize(format="turtle") + f"<{mention}> <{KG.sentence}> -01 .\n"
    lines = sorted(f.line() for f in validate_turtle(turtle).findings)
    assert whole_graph_runs
    g.add((mention, KG.sentence, Literal("-01", datatype=XSD.integer)))
    assert lines == _reference(g)
    assert any("kg:sentence: Value is not >=" in line for line in lines), lines


def test_numbers_in_strings_names_and_comments_keep_the_preselection(small_kg, whole_graph_runs):
    g = to_rdf(small_kg)
    g.set((ACME, RDFS.label, Literal('Acme 007 "1.50" \'02\'')))
    g.add((URIRef(ID + "x-01"), RDFS.label, Literal("x 0.10")))
    turtle = "# 01 1.0\n" + g.serialize(format="turtle")
    assert _masked(f.line() for f in validate_turtle(turtle).findings) == _masked(_reference(g))
    assert not whole_graph_runs


def test_a_started_check_reports_what_check_build_reports(small_kg, tmp_path):
    from kg.export import serialize
    from kg.validate import start_check_build

    path = tmp_path / "graph.ttl"
    path.write_text(serialize(small_kg, "turtle"), encoding="utf-8")
    pending = start_check_build(small_kg, path)
    assert pending.result().findings == check_build(small_kg, path).findings
    broken = _with_evidence(small_kg, "Invented sentence.", 0, 18)
    pending = start_check_build(broken, path)  # the failure is raised by result()
    with pytest.raises(ValidationError, match=r"the built graph violates kg's SHACL shapes"):
        pending.result()


# ---------------------------------------------------------------------------- the check beside the caller
@pytest.mark.parametrize("name, breakage", [
    ("no label", lambda g: g.remove((ACME, RDFS.label, None))),  # a focus node
    ("fact without statement", lambda g: g.add((ACME, KG.partnerOf, GLOBEX))),  # whole graph
    ("mention text longer than its span", _mention_text_too_long),  # a whole-graph warning
    ("blank-node entity", _blank_entity),  # no preselection: pyshacl on the whole graph
])
def test_the_check_runs_in_a_thread_of_its_own(small_kg, monkeypatch, whole_graph_runs,
                                               name, breakage):
    import threading

    import kg.shacl_sparql
    import kg.validate

    threads = []
    for module, fn in ((kg.shacl_sparql, "candidates"), (kg.validate, "_pyshacl"),
                       (kg.validate, "_quick_scan")):
        real = getattr(module, fn)
        monkeypatch.setattr(module, fn, lambda *a, real=real, fn=fn, **k:
                            threads.append((fn, threading.current_thread())) or real(*a, **k))
    g = to_rdf(small_kg)
    breakage(g)
    report = validate_turtle(g.serialize(format="turtle"))
    assert _masked(f.line() for f in report.findings) == _masked(_reference(g))
    assert bool(whole_graph_runs) == (name == "blank-node entity")
    # the queries, the whole-graph shapes and the focus nodes' neighbourhood (if any)
    # were checked by one thread, the text scanned by another, none by the caller's
    checker = {t for fn, t in threads if fn != "_quick_scan"}
    scanner = {t for fn, t in threads if fn == "_quick_scan"}
    assert len(checker) == len(scanner) == 1 and checker != scanner
    assert threading.main_thread() not in checker | scanner
    pyshacl_runs = [fn for fn, _ in threads].count("_pyshacl")
    assert pyshacl_runs == {"no label": 2, "blank-node entity": 3}.get(name, 1)


def test_shapes_the_loading_thread_cannot_compile_go_to_pyshacl_whole(small_kg, monkeypatch,
                                                                     whole_graph_runs):
    import kg.shacl_sparql
    import kg.validate
    from kg.shacl_sparql import Unsupported

    def unsupported(*_):
        raise Unsupported("as if the shapes had a construct the queries do not cover")

    monkeypatch.setattr(kg.shacl_sparql, "compile_shapes", unsupported)
    monkeypatch.setattr(kg.validate, "_COMPILED", {})
    g = to_rdf(small_kg)
    g.add((ACME, RDFS.label, Literal("ACME")))
    lines = sorted(f.line() for f in validate_turtle(g.serialize(format="turtle")).findings)
    assert whole_graph_runs
    assert lines == _reference(g)
    assert "Violation: id:acme rdfs:label: an entity has exactly one non-empty rdfs:label" in lines


def test_a_failure_in_the_loading_thread_is_raised_by_result(small_kg, monkeypatch, tmp_path):
    import kg.validate
    from kg.export import serialize
    from kg.validate import start_check_build

    def broken(*_):
        raise RuntimeError("the preselection broke")

    monkeypatch.setattr(kg.validate, "_compiled", broken)
    path = tmp_path / "graph.ttl"
    path.write_text(serialize(small_kg, "turtle"), encoding="utf-8")
    pending = start_check_build(small_kg, path)
    with pytest.raises(RuntimeError, match="the preselection broke"):
        pending.result()


# text beyond ASCII: the scan reads UTF-8 bytes; strings, IRIs and names still hide their
# digits, and no bare number beside them is missed
_WIDE = [
    ('@prefix é: <urn:é:> .\né:a-01 é:p "naïve 07 \u201c1.50\u201d \U0001F600 02", 3 ;'
     " é:q <urn:ü05>, 04.5 . # 08 \u00e9\n", {("3", _XSD_INT), ("04.5", _XSD_DEC)}),
    ("<urn:a> <urn:p> '''\u00e9\n07''', -01, \"\u00e9\\\"1\" .", {("-01", _XSD_INT)}),
    ('<urn:a> <urn:p> "\u00e9" ; <urn:q> 1.0E3 .', {("1.0E3", _XSD_DBL)}),
]


@pytest.mark.parametrize("text, expected", _WIDE)
@pytest.mark.parametrize("as_bytes", [False, True], ids=["text", "bytes"])
def test_quick_scan_reads_text_beyond_ascii(text, expected, as_bytes):
    from pyoxigraph import RdfFormat, parse

    from kg.validate import _quick_scan, _scan

    typed, blank = _quick_scan(text.encode() if as_bytes else text)
    assert {(lit.value, lit.datatype.value) for lit in typed} == expected
    assert not blank
    assert _scan(parse(text, RdfFormat.TURTLE)) == (typed, False)  # what the parser reads


@pytest.mark.parametrize("label", ["Acme", "Acmé \u201cSüd\u201d \U0001F600"])
@pytest.mark.parametrize("from_file", [False, True], ids=["text", "file"])
def test_a_bare_number_oxigraph_would_rewrite_beside_any_text(small_kg, whole_graph_runs, tmp_path,
                                                              label, from_file):
    g = to_rdf(small_kg)
    g.set((ACME, RDFS.label, Literal(label)))
    mention = _mention(g)
    g.remove((mention, KG.sentence, None))
    turtle = g.serialize(format="turtle") + f"<{mention}> <{KG.sentence}> -01 .\n"
    path = tmp_path / "graph.ttl"
    path.write_text(turtle, encoding="utf-8")  # a file is scanned as the bytes it holds
    lines = sorted(f.line() for f in validate_turtle(path if from_file else turtle).findings)
    assert len(whole_graph_runs) == 1
    g.add((mention, KG.sentence, Literal("-01", datatype=XSD.integer)))
    assert lines == _reference(g)
    assert any("kg:sentence: Value is not >=" in line for line in lines), lines


# ---------------------------------------------------------------------------- shapes for the focus alone
def _preselected_lines(shapes_ttl: str, data_ttl: str) -> tuple[list[str], list[str]]:
    """Findings of ``shapes_ttl`` on ``data_ttl``: through the preselection (pyshacl on
    the focus nodes' neighbourhood, with :func:`shapes_for`), and by pyshacl on it all."""
    from pyoxigraph import RdfFormat, Store

    from kg.rdf import bind_prefixes
    from kg.shacl_sparql import candidates, compile_shapes, neighbourhood, shapes_for
    from kg.validate import _pyshacl, _rdflib_terms, graph_from_quads

    shapes = Graph().parse(data=shapes_ttl, format="turtle")
    core, _ = split_shapes(shapes)
    store = Store()
    store.load(data_ttl, RdfFormat.TURTLE)
    focus = candidates(store, compile_shapes(core, store))
    assert focus  # each case has a node to report
    term, names = _rdflib_terms(), bind_prefixes(Graph())
    around = graph_from_quads(neighbourhood(store, focus))
    part = shapes_for(core, store, focus)
    # every shape in the part targets focus nodes only
    assert {o for _, o in part.subject_objects(SH.targetNode)} <= {term(f) for f in focus}
    assert not any((None, t, None) in part for t in (SH.targetClass, SH.targetSubjectsOf,
                                                      SH.targetObjectsOf))
    found = _findings(_pyshacl(around, part), names, {term(f) for f in focus})
    whole = graph_from_quads(store)
    return (sorted({f.line() for f in found}),
            sorted({f.line() for f in _findings(_pyshacl(whole, core), names)}))


_SHAPES_FOR_CASES = [
    ("a literal focus node (objects of a property)", """
        ex:S sh:targetObjectsOf ex:p ; sh:datatype xsd:integer .""",
     'ex:a ex:p 1, "x", "y"@en, "2"^^xsd:decimal . ex:b ex:p 3 .'),
    ("neighbours the shape also targets", """
        ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .
        ex:T sh:targetClass ex:C ; sh:property [ sh:path ex:r ; sh:class ex:C ] .""",
     "ex:a a ex:C ; ex:r ex:b . ex:b a ex:C ; ex:q 1 ; ex:r ex:c . ex:c a ex:C ; ex:q 2 ; "
     "ex:r ex:d . ex:d a ex:D ; ex:q 3 ."),
    ("a node targeted two ways", """
        ex:S sh:targetSubjectsOf ex:p ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:maxCount 1 ] .""",
     "ex:a ex:p 1, 2 . ex:b a ex:C ; ex:p 1, 2 . ex:c a ex:C ; ex:p 1 ."),
]


@pytest.mark.parametrize("name, shapes, data", _SHAPES_FOR_CASES,
                         ids=[c[0] for c in _SHAPES_FOR_CASES])
def test_shapes_for_the_focus_find_what_pyshacl_finds_on_the_whole_graph(name, shapes, data):
    prefixes = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix ex: <urn:ex:> .\n")
    preselected, whole = _preselected_lines(prefixes + shapes, prefixes + data)
    assert whole and any(line.startswith("Violation") for line in whole)
    assert preselected == whole


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_child_forked_while_a_check_thread_prepares_can_check(small_kg):
    import os

    import kg.validate
    from kg.export import serialize

    turtle = serialize(small_kg, "turtle")
    with kg.validate._PREPARING:  # as if a check thread were reading the shapes
        pid = os.fork()
        if pid == 0:  # the child: its own check must not wait for the parent's thread
            import signal

            signal.alarm(60)  # a child left waiting fails the test rather than hang it
            code = 2
            try:
                code = 0 if validate_turtle(turtle).conforms else 1
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
