"""kg query and kg.query: sources, engines, query forms, result formats, errors (no spaCy)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.errors import InputError, QueryError, UnknownNameError
from kg.export import write
from kg.query import bundled_queries, format_result, get_query, read_query, sparql
from kg.rdf import to_rdf
from kg.store import ENGINES, Term, open_store

COMPANIES = "SELECT ?name WHERE { ?c a kg:Company ; rdfs:label ?name } ORDER BY ?name"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def ttl(tmp_path, small_kg):
    path = tmp_path / "graph.ttl"
    write(small_kg, path, "turtle")
    return path


def run(runner, *args):
    return runner.invoke(cli, ["query", *map(str, args)])


# ---------------------------------------------------------------- sources and engines
@pytest.mark.parametrize("fmt, name", [
    ("turtle", "g.ttl"), ("nt", "g.nt"), ("json-ld", "g.jsonld"), ("xml", "g.rdf"),
    ("trig", "g.trig"), ("nquads", "g.nq"), ("turtle", "g.ttl.gz"),
])
@pytest.mark.parametrize("engine", ENGINES)
def test_any_rdf_format_loads(tmp_path, small_kg, fmt, name, engine):
    g = to_rdf(small_kg)
    data = g.serialize(format=fmt).encode() if fmt not in ("trig", "nquads") else None
    if data is None:
        from rdflib import Dataset, URIRef

        ds = Dataset()
        named = ds.graph(URIRef("https://example.org/g"))
        for t in g:
            named.add(t)
        data = ds.serialize(format=fmt).encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result = sparql(open_store([path], engine=engine), COMPANIES)
    assert result.rows == [{"name": "Acme"}, {"name": "Globex"}]


@pytest.mark.parametrize("engine", ENGINES)
def test_kgs_node_link_json_is_a_graph_too(tmp_path, small_kg, engine):
    write(small_kg, tmp_path / "graph.json", "json")
    rows = sparql(open_store([tmp_path / "graph.json"], engine=engine), COMPANIES).rows
    assert rows == [{"name": "Acme"}, {"name": "Globex"}]


def test_several_files_are_one_graph(tmp_path, small_kg):
    g = to_rdf(small_kg)
    triples = sorted(g)
    half = len(triples) // 2
    a, b = Graph(), Graph()
    for t in triples[:half]:
        a.add(t)
    for t in triples[half:]:
        b.add(t)
    a.serialize(tmp_path / "a.ttl", format="turtle")
    b.serialize(tmp_path / "b.nt", format="nt")
    for engine in ENGINES:
        store = open_store([tmp_path / "a.ttl", tmp_path / "b.nt"], engine=engine)
        assert store.triple_count() == len(g)
        assert sparql(store, COMPANIES).rows == [{"name": "Acme"}, {"name": "Globex"}]


def test_an_oxigraph_store_folder(tmp_path, ttl, runner):
    from kg.push import push_to_folder

    push_to_folder([ttl], tmp_path / "store")
    result = run(runner, tmp_path / "store", COMPANIES, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["name", "Acme", "Globex"]
    result = run(runner, tmp_path / "store", COMPANIES, "--engine", "rdflib")
    assert result.exit_code == 1
    assert "is an Oxigraph store: query it with --engine oxigraph" in result.stderr


@pytest.mark.parametrize("sources, message", [
    (["missing.ttl"], "no such graph file: 'missing.ttl'"),
    (["notes.txt"], "cannot tell the RDF format of 'notes.txt' from its suffix"),
    ([], "no graph given"),
])
def test_bad_sources(tmp_path, monkeypatch, sources, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match=message):
        open_store(sources)


def test_unparsable_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .")
    for engine in ENGINES:
        with pytest.raises(InputError, match=r"cannot parse '.*bad.ttl' as turtle"):
            open_store([bad], engine=engine)


def test_mixed_sources_are_refused(tmp_path, ttl):
    (tmp_path / "store").mkdir()
    with pytest.raises(InputError, match="not several of them"):
        open_store([ttl, "http://127.0.0.1:9/sparql"])


def test_unknown_engine():
    with pytest.raises(UnknownNameError, match="unknown engine 'jena'; choose one of: oxigraph, rdflib"):
        open_store(["x.ttl"], engine="jena")


# ---------------------------------------------------------------- query forms and formats
@pytest.mark.parametrize("engine", ENGINES)
def test_prefixes_are_pre_declared(ttl, engine):
    q = ("SELECT ?s WHERE { ?s a kg:Person ; rdfs:label ?l ; org:hasMembership ?m . "
         "FILTER(?l = 'Jane Doe'^^xsd:string) ?m a org:Membership . "
         "OPTIONAL { ?s owl:sameAs ?x } OPTIONAL { ?s skos:altLabel ?y } "
         "OPTIONAL { ?s schema:name ?z } OPTIONAL { ?d dcterms:source ?src ; a prov:Entity } }")
    assert sparql(open_store([ttl], engine=engine), q).rows == [
        {"s": "https://kg.example.org/id/jane-doe"}]


@pytest.mark.parametrize("engine", ENGINES)
def test_ask_construct_describe(ttl, engine):
    store = open_store([ttl], engine=engine)
    assert sparql(store, "ASK { id:acme kg:competitorOf id:globex }").boolean is True
    assert sparql(store, "ASK { id:globex kg:competitorOf id:acme }").boolean is False
    built = sparql(store, "CONSTRUCT { ?o kg:rivalOf ?s } WHERE { ?s kg:competitorOf ?o }")
    assert built.kind == "CONSTRUCT"
    g = Graph().parse(data=format_result(built, "turtle"), format="turtle")
    assert isomorphic(g, Graph().parse(
        data="<https://kg.example.org/id/globex> <https://kg.example.org/ontology#rivalOf> "
             "<https://kg.example.org/id/acme> .", format="nt"))
    described = sparql(store, "DESCRIBE id:acme")
    assert described.kind == "DESCRIBE"
    labels = {(s.value, o.value) for s, p, o in described.triples
              if p.value == "http://www.w3.org/2000/01/rdf-schema#label"}
    assert ("https://kg.example.org/id/acme", "Acme") in labels


def test_select_formats_follow_the_w3c_specs(ttl):
    q = ("SELECT ?c ?name ?n ?missing WHERE { ?c a kg:Company ; rdfs:label ?name . "
         "BIND(STRLEN(?name) AS ?n) OPTIONAL { ?c kg:none ?missing } } ORDER BY ?name")
    result = sparql(open_store([ttl]), q)
    data = json.loads(format_result(result, "json"))
    assert data["head"]["vars"] == ["c", "name", "n", "missing"]
    first = data["results"]["bindings"][0]
    assert first == {"c": {"type": "uri", "value": "https://kg.example.org/id/acme"},
                     "name": {"type": "literal", "value": "Acme"},
                     "n": {"type": "literal", "value": "4",
                           "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
    root = ET.fromstring(format_result(result, "xml"))
    assert [v.get("name") for v in root.iter(f"{SRX}variable")] == ["c", "name", "n", "missing"]
    b = root.find(f"{SRX}results/{SRX}result")
    assert b.find(f"{SRX}binding[@name='c']/{SRX}uri").text == "https://kg.example.org/id/acme"
    assert b.find(f"{SRX}binding[@name='n']/{SRX}literal").get("datatype").endswith("#integer")
    text = format_result(result, "csv")
    assert "\r\n" in text
    assert list(csv.reader(io.StringIO(text))) == [
        ["c", "name", "n", "missing"], ["https://kg.example.org/id/acme", "Acme", "4", ""],
        ["https://kg.example.org/id/globex", "Globex", "6", ""]]
    assert format_result(result, "tsv").splitlines() == [
        "?c\t?name\t?n\t?missing",
        '<https://kg.example.org/id/acme>\t"Acme"\t"4"^^<http://www.w3.org/2001/XMLSchema#integer>\t',
        '<https://kg.example.org/id/globex>\t"Globex"\t"6"^^<http://www.w3.org/2001/XMLSchema#integer>\t']
    table = format_result(result, "table").splitlines()
    assert table[0].split(" | ")[0].strip() == "c" and table[2].startswith("id:acme ")
    assert table[-1] == "(2 rows)"


def test_literals_with_quotes_newlines_and_languages_survive_every_format():
    g = Graph().parse(data='<urn:a> <urn:p> "say \\"hi\\"\\n\\ttab\\\\ <b>&amp;" , "chat"@fr .',
                      format="turtle")
    r = sparql(g, "SELECT ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)")
    values = [b["o"] for b in r.bindings]
    assert values == [Term("literal", "chat", None, "fr"),
                      Term("literal", 'say "hi"\n\ttab\\ <b>&amp;')]
    assert [b["o"]["value"] for b in json.loads(format_result(r, "json"))["results"]["bindings"]] \
        == ["chat", 'say "hi"\n\ttab\\ <b>&amp;']
    lits = ET.fromstring(format_result(r, "xml")).iter(f"{SRX}literal")
    assert [(x.text, x.get("{http://www.w3.org/XML/1998/namespace}lang")) for x in lits] == [
        ("chat", "fr"), ('say "hi"\n\ttab\\ <b>&amp;', None)]
    assert format_result(r, "tsv").splitlines()[1:] == ['"chat"@fr', '"say \\"hi\\"\\n\\ttab\\\\ <b>&amp;"']
    assert list(csv.reader(io.StringIO(format_result(r, "csv"))))[2] == ['say "hi"\n\ttab\\ <b>&amp;']
    assert "\n" not in format_result(r, "table").splitlines()[3][:-1]


@pytest.mark.parametrize("fmt, parse_as", [("table", "turtle"), ("turtle", "turtle"), ("nt", "nt"),
                                           ("json", "json-ld"), ("xml", "xml")])
def test_graph_formats(ttl, fmt, parse_as):
    r = sparql(open_store([ttl]), "CONSTRUCT WHERE { ?s kg:competitorOf ?o }")
    g = Graph().parse(data=format_result(r, fmt), format=parse_as)
    assert len(g) == 1


@pytest.mark.parametrize("query, fmt, message", [
    ("CONSTRUCT WHERE { ?s ?p ?o }", "csv", "csv is a format for SELECT and ASK results"),
    ("DESCRIBE id:acme", "tsv", "tsv is a format for SELECT and ASK results; a DESCRIBE answer"),
    ("SELECT * WHERE { ?s ?p ?o }", "turtle", "turtle is a format for graphs"),
    ("ASK { ?s ?p ?o }", "nt", "nt is a format for graphs"),
])
def test_format_that_does_not_fit_the_answer(ttl, query, fmt, message):
    with pytest.raises(QueryError, match=message):
        format_result(sparql(open_store([ttl]), query), fmt)


def test_engines_give_identical_results_on_typed_values(tmp_path):
    path = tmp_path / "n.ttl"
    path.write_text('@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                    '<urn:a> <urn:p> 1.0, 0.80, 01, 1e0, "x"^^xsd:string, "y"@EN, true .')
    # Oxigraph keeps numbers in canonical form, rdflib keeps the text as written: results
    # are given in canonical form, so both engines print the same values
    q = "SELECT ?o (DATATYPE(?o) AS ?t) WHERE { ?s ?p ?o }"
    a, b = ({(r["o"], r["t"].value) for r in sparql(open_store([path], engine=e), q).bindings}
            for e in ENGINES)
    assert a == b
    assert sorted((t.value, t.lang, dt.rsplit("#")[-1]) for t, dt in a) == [
        ("0.8", None, "decimal"), ("1", None, "integer"), ("1.0", None, "decimal"),
        ("1.0E0", None, "double"), ("true", None, "boolean"), ("x", None, "string"),
        ("y", "en", "langString")]


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("engine, query, error", [
    ("rdflib", "SELEC ?x", "Error: invalid SPARQL: line 1, column 1: Expected {SelectQuery | "
     "ConstructQuery | DescribeQuery | AskQuery}, found 'SELEC'"),
    ("rdflib", "SELECT ?x WHERE {\n  ?x foo:bar ?y }", "Error: invalid SPARQL: line 2, column 6: "
     "unknown prefix foo: declare it with PREFIX or use a full <IRI>"),
    ("rdflib", "SELECT ?x WHERE {\n ?x ?y \n}", "Error: invalid SPARQL: line 2, column 2: "
     "Expected SelectQuery, found '?'"),
    ("oxigraph", "SELECT ?x WHERE {\n  ?x foo:bar ?y }", "Error: invalid SPARQL: line 2, column 6: "
     "unknown prefix foo: declare it with PREFIX or use a full <IRI>"),
    ("oxigraph", "SELEC ?x", "Error: invalid SPARQL: line 1, column 9: "),
    ("rdflib", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
     "Error: SPARQL Update (INSERT) is refused: kg's queries and endpoint are read-only"),
    ("oxigraph", "PREFIX x: <urn:x#>\n# drop it\nDROP ALL",
     "Error: SPARQL Update (DROP) is refused: kg's queries and endpoint are read-only"),
])
def test_query_errors_are_one_line_with_position(runner, ttl, engine, query, error):
    result = run(runner, ttl, query, "--engine", engine)
    assert result.exit_code == 1
    assert result.stderr.startswith(error), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("args, code, error", [
    (["competitor"], 1, "Error: unknown bundled query 'competitor'; choose one of: competitors, "
     "counts, entities, facts, positions, products, stances, wikidata"),
    (["competitors", "-p", "entity"], 2, "'entity' is not NAME=VALUE"),
    (["competitors", "-p", "firm=Acme"], 1,
     "Error: unknown parameter 'firm' for query 'competitors'; its parameters: entity"),
    (["competitors", "-p", "entity=Initech"], 1, "Error: no entity called 'Initech' in the graph"),
    (["SELECT * { ?s ?p ?o }", "-p", "entity=Acme"], 1,
     "Error: parameters work with bundled queries only"),
    (["missing.rq"], 1, "Error: cannot read query file 'missing.rq': No such file or directory"),
    (["ASK {}", "-f", "yaml"], 2, "Invalid value for '-f' / '--format'"),
    (["ASK {}", "--engine", "jena"], 2, "Invalid value for '--engine'"),
])
def test_cli_errors(runner, ttl, args, code, error):
    result = run(runner, ttl, *args)
    assert result.exit_code == code, result.output
    assert error in result.stderr
    assert "Traceback" not in result.output


def test_cli_needs_a_graph_and_a_query(runner):
    result = run(runner, "competitors")
    assert result.exit_code == 2
    assert "give one or more graphs and then a QUERY" in result.stderr


# ---------------------------------------------------------------- the command
def test_list_names_every_bundled_query_with_its_description(runner):
    result = runner.invoke(cli, ["query", "--list"])
    assert result.exit_code == 0
    for q in bundled_queries():
        assert f"{q.name:<12} {q.description}" in result.stdout
        for p in q.params:
            assert f"-p {p.name}=...  {p.help}" in result.stdout


def test_show_prints_a_bundled_query(runner):
    result = runner.invoke(cli, ["query", "--show", "positions"])
    assert result.exit_code == 0 and result.stdout == get_query("positions").text


def test_bundled_query_by_name_with_a_parameter(runner, ttl):
    result = run(runner, ttl, "competitors", "-p", "entity=Acme", "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert [(r["company"]["value"], r["competitor"]["value"]) for r in rows] == [("Acme", "Globex")]


@pytest.mark.parametrize("engine", ENGINES)
def test_rq_file_and_engines_agree(runner, ttl, tmp_path, engine):
    rq = tmp_path / "q.rq"
    rq.write_text("# companies\n" + COMPANIES, encoding="utf-8")
    result = run(runner, ttl, rq, "--engine", engine, "-f", "tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout == '?name\n"Acme"\n"Globex"\n'


def test_read_query_tells_files_names_and_text_apart(tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("ASK {}")
    assert read_query(str(rq)) == "ASK {}"
    assert read_query("counts") is get_query("counts")
    assert read_query("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"


def test_construct_prints_turtle_by_default(runner, ttl):
    result = run(runner, ttl, "CONSTRUCT WHERE { ?s kg:productOf ?o }")
    assert result.exit_code == 0
    assert "id:widget kg:productOf id:globex ." in result.stdout


def test_an_endpoint_answering_nonsense_is_a_store_error():
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from kg.errors import StoreError

    class Html(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b"<html>login first</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        with pytest.raises(StoreError, match=r"sent an answer kg cannot read \(text/html\)"):
            sparql(open_store([url]), "ASK {}")
    finally:
        server.shutdown()
        server.server_close()
