"""kg serve: SPARQL 1.1 Protocol over real HTTP (urllib, raw sockets and SPARQLWrapper),
content negotiation, the pages, and the endpoint's safety limits (no spaCy)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import SPARQLWrapper as SW  # the test extra installs it: no silent skip
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.cli import serve as serve_cli
from kg.export import write
from kg.query import get_query, sparql
from kg.serve import LOOPBACK, Limits, SparqlApp, make_server, negotiate
from kg.store import open_store, urlopen

pytestmark = pytest.mark.server

COMPANIES = "SELECT ?name WHERE { ?c a kg:Company ; rdfs:label ?name } ORDER BY ?name"
# every triple three times over: far too slow for rdflib to finish in a second
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def graph_dir(tmp_path, small_kg):
    write(small_kg, tmp_path / "graph.ttl", "turtle")
    return tmp_path


@pytest.fixture
def with_html(graph_dir, small_kg):
    write(small_kg, graph_dir / "graph.html", "html")
    return graph_dir


@contextlib.contextmanager
def running(app, host=LOOPBACK):
    server = make_server(app, host, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def make_app(graph_dir, engine=None, **limits):
    store = open_store([graph_dir / "graph.ttl"], engine=engine)
    return SparqlApp(store, limits=Limits(**limits), graph_html=graph_dir / "graph.html")


@pytest.fixture
def url(graph_dir):
    with running(make_app(graph_dir)) as base:
        yield base


def request(url, path, *, data=None, headers=None, method=None):
    req = urllib.request.Request(url + path, data=data, headers=headers or {}, method=method)
    try:
        with urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def q(text, **extra):
    return "/sparql?" + urllib.parse.urlencode({"query": text, **extra})


# ---------------------------------------------------------------- protocol
def test_get_json(url):
    status, headers, body = request(url, q(COMPANIES), headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    rows = json.loads(body)["results"]["bindings"]
    assert [r["name"]["value"] for r in rows] == ["Acme", "Globex"]


@pytest.mark.parametrize("ctype, body", [
    ("application/x-www-form-urlencoded", urllib.parse.urlencode({"query": COMPANIES}).encode()),
    ("application/sparql-query", COMPANIES.encode()),
    ("application/sparql-query; charset=utf-8", COMPANIES.encode()),
])
def test_post(url, ctype, body):
    status, _, out = request(url, "/sparql", data=body, headers={"Content-Type": ctype, "Accept": "text/csv"})
    assert status == 200
    assert out.decode().splitlines() == ["name", "Acme", "Globex"]


@pytest.mark.parametrize("accept, ctype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json;q=0.5, text/csv;q=0.9", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
])
def test_content_negotiation_for_results(url, accept, ctype):
    status, headers, body = request(url, q(COMPANIES), headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"] == ctype + "; charset=utf-8"
    text = body.decode()
    if ctype.endswith("xml"):
        names = [e.text for e in ET.fromstring(text).iter("{http://www.w3.org/2005/sparql-results#}literal")]
    elif ctype == "text/csv":
        names = [r[0] for r in csv.reader(io.StringIO(text))][1:]
    elif ctype == "text/tab-separated-values":
        names = [line.strip('"') for line in text.splitlines()[1:]]
    else:
        names = [r["name"]["value"] for r in json.loads(text)["results"]["bindings"]]
    assert names == ["Acme", "Globex"]


@pytest.mark.parametrize("accept, ctype, parse_as", [
    (None, "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_content_negotiation_for_graphs(url, accept, ctype, parse_as):
    status, headers, body = request(url, q("CONSTRUCT WHERE { ?s kg:competitorOf ?o }"),
                                    headers={"Accept": accept} if accept else {})
    assert status == 200 and headers["Content-Type"].startswith(ctype)
    g = Graph().parse(data=body.decode(), format=parse_as)
    assert [(str(s), str(o)) for s, _, o in g] == [
        ("https://kg.example.org/id/acme", "https://kg.example.org/id/globex")]


def test_format_parameter_and_not_acceptable(url):
    status, headers, _ = request(url, q(COMPANIES, format="csv"))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, _, body = request(url, q(COMPANIES), headers={"Accept": "image/png"})
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = request(url, q(COMPANIES, format="yaml"))
    assert status == 400 and b"unknown format 'yaml'" in body


def test_ask_and_bad_query(url):
    status, _, body = request(url, q("ASK { id:acme kg:competitorOf id:globex }"))
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    status, headers, body = request(url, q("SELECT ?x WHERE {\n ?x ?y \n}"))
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("invalid SPARQL: line 2, column 2:")


def test_service_description_and_head(url):
    status, headers, body = request(url, "/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body.decode(), format="turtle")
    assert len(g) > 3
    status, headers, body = request(url, q(COMPANIES), method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_remote_queries_through_kg_query(url, graph_dir):
    local = sparql(open_store([graph_dir / "graph.ttl"]), get_query("competitors"), params={"entity": "Acme"})
    remote = sparql(open_store([url + "/sparql"]), get_query("competitors"), params={"entity": "Acme"})
    assert remote == local and remote.bindings
    result = CliRunner().invoke(cli, ["query", url + "/sparql", "counts", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "type,Company,2" in result.stdout.splitlines()


# ---------------------------------------------------------------- SPARQLWrapper as the client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select(url, method):
    client = SW.SPARQLWrapper(url + "/sparql")
    client.setMethod(method)
    client.setQuery("PREFIX kg: <https://kg.example.org/ontology#>\n"
                    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + COMPANIES)
    client.setReturnFormat(SW.JSON)
    data = client.query().convert()
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == ["Acme", "Globex"]


@pytest.mark.parametrize("fmt", ["XML", "CSV", "TSV"])
def test_sparqlwrapper_other_formats(url, fmt):
    client = SW.SPARQLWrapper(url + "/sparql")
    client.setQuery(COMPANIES)
    client.setReturnFormat(getattr(SW, fmt))
    out = client.query().convert()
    text = out.toxml() if fmt == "XML" else out.decode()
    assert "Acme" in text and "Globex" in text


def test_sparqlwrapper_ask_and_construct(url):
    client = SW.SPARQLWrapper(url + "/sparql")
    client.setQuery("ASK { id:widget kg:productOf id:globex }")
    client.setReturnFormat(SW.JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT WHERE { ?s kg:productOf ?o }")
    client.setReturnFormat(SW.TURTLE)
    g = Graph().parse(data=client.query().convert().decode(), format="turtle")
    assert len(g) == 1
    client.setReturnFormat(SW.RDFXML)
    assert len(client.queryAndConvert()) == 1


def test_sparqlwrapper_update_is_refused(url):
    client = SW.SPARQLWrapper(url + "/sparql")
    client.setMethod(SW.POST)
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(Exception) as err:
        client.query()
    assert "403" in str(err.value)


# ---------------------------------------------------------------- pages
def test_query_page_works_offline(url):
    status, headers, body = request(url, "/")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert "script-src 'sha256-" in csp and "unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    # nothing loaded from elsewhere: no src/href to another host
    assert "src=" not in page and "://" not in "".join(
        x for x in page.split('"') if x.startswith(("http", "//")))
    assert '"name": "competitors"' in page and "fetch(\"/sparql\"" in page


def test_graph_view_and_unknown_pages(with_html, url):
    status, headers, body = request(url, "/graph.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Globex" in body
    assert request(url, "/secret")[0] == 404
    assert request(url, "/../graph.ttl")[0] == 404


# ---------------------------------------------------------------- safety
def test_binds_loopback_unless_told_otherwise(graph_dir):
    server = make_server(make_app(graph_dir), port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
    host = next(p for p in serve_cli.command.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_other_hosts_are_refused_on_loopback(url):
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must get nothing
    status, _, body = request(url, q(COMPANIES), headers={"Host": "evil.example:8001"})
    assert status == 403 and b"unexpected Host" in body
    assert request(url, q(COMPANIES), headers={"Host": "localhost:8001"})[0] == 200


@pytest.mark.parametrize("method, path, ctype, data, status", [
    ("POST", "/sparql", "application/sparql-update", b"CLEAR ALL", 403),
    ("POST", "/sparql", "application/x-www-form-urlencoded", b"update=DROP+ALL", 403),
    ("GET", "/sparql?update=DROP+ALL", None, None, 403),
    ("GET", q("DELETE WHERE { ?s ?p ?o }"), None, None, 403),
    ("POST", "/sparql", "application/sparql-query", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
    ("PUT", "/sparql?default", "text/turtle", b"<urn:a> <urn:b> <urn:c> .", 405),
    ("DELETE", "/sparql?default", None, None, 405),
    ("POST", "/graph.html", "text/turtle", b"<urn:a> <urn:b> <urn:c> .", 405),
    ("POST", "/sparql", "text/plain", b"SELECT * {}", 415),
])
def test_writes_are_refused(url, graph_dir, method, path, ctype, data, status):
    got, _, body = request(url, path, data=data, method=method,
                           headers={"Content-Type": ctype} if ctype else {})
    assert got == status, body
    count = json.loads(request(url, q("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))[2])
    assert int(count["results"]["bindings"][0]["n"]["value"]) == len(Graph().parse(graph_dir / "graph.ttl"))


def _children() -> set[int]:
    out = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with contextlib.suppress(OSError):
            with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
                out |= {int(x) for x in fh.read().split()}
    return out


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_query_time_is_capped(graph_dir, engine):
    with running(make_app(graph_dir, engine, timeout=1.0)) as base:
        before = _children()
        started = time.monotonic()
        status, _, body = request(base, q(SLOW if engine == "rdflib" else
                                          SLOW.replace("?g ?h ?i }", "?g ?h ?i . ?j ?k ?l . ?m ?n ?o }")))
        took = time.monotonic() - started
        assert status == 503, body
        assert b"took longer than 1 s and was stopped" in body
        assert took < 5
        assert _children() <= before  # the worker was killed and reaped
        assert request(base, q(COMPANIES))[0] == 200  # and the server still answers


def test_result_size_is_capped(graph_dir):
    with running(make_app(graph_dir, max_rows=2)) as base:
        status, headers, body = request(base, q("SELECT * { ?s ?p ?o }"))
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 2
        assert headers["X-KG-Truncated"] == "only the first 2 results were sent"
        status, headers, body = request(base, q("CONSTRUCT WHERE { ?s ?p ?o }"),
                                        headers={"Accept": "application/n-triples"})
        assert status == 200 and len(body.decode().splitlines()) == 2
        assert "X-KG-Truncated" in headers
        status, headers, _ = request(base, q(COMPANIES))
        assert status == 200 and "X-KG-Truncated" not in headers


def _raw(base, data: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_oversized_requests_are_rejected(graph_dir):
    with running(make_app(graph_dir, max_request_bytes=2048)) as base:
        big = b"SELECT * { ?s ?p ?o } #" + b"x" * 4000
        status, _, body = request(base, "/sparql", data=big,
                                  headers={"Content-Type": "application/sparql-query"})
        assert status == 413 and b"larger than 2048 bytes" in body
        status, _, body = request(base, q("SELECT * { ?s ?p ?o } #" + "x" * 4000))
        assert status == 414
        # a huge Content-Length is refused before any body is read
        head = _raw(base, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          b"application/sparql-query\r\nContent-Length: 10000000000\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413")
        head = _raw(base, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          b"application/sparql-query\r\nConnection: close\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 411")
        assert request(base, q(COMPANIES))[0] == 200


def test_negotiate():
    offered = {"a/x": "x", "a/y": "y", "b/z": "z"}
    assert negotiate("a/y;q=0.2, b/*;q=0.9", offered) == "b/z"
    assert negotiate("a/*", offered) == "a/x"
    assert negotiate("a/x;q=0, c/c", offered) is None
    assert negotiate("", offered) == "a/x"


# ---------------------------------------------------------------- the command
def test_get_mode_prints_the_response(with_html):
    graph_dir = with_html
    runner = CliRunner()
    g = str(graph_dir / "graph.ttl")
    result = runner.invoke(cli, ["serve", g, "--get", q(COMPANIES), "--accept", "text/csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["name", "Acme", "Globex"]
    result = runner.invoke(cli, ["serve", g, "--get", q("SELEC ?x")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: HTTP 400: invalid SPARQL: line 1, column 1:")
    result = runner.invoke(cli, ["serve", g, "--get", "/sparql?update=CLEAR+ALL"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: HTTP 403: SPARQL Update is refused: this endpoint is read-only"
    result = runner.invoke(cli, ["serve", g, "--get", "/graph.html"])
    assert result.exit_code == 0 and "Globex" in result.stdout


def test_serves_an_oxigraph_store_folder(graph_dir, tmp_path):
    from kg.push import push_to_folder

    push_to_folder([graph_dir / "graph.ttl"], tmp_path / "store")
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "store"), "--get", q(COMPANIES),
                                      "--accept", "text/csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["name", "Acme", "Globex"]


def test_port_in_use_is_a_clear_error(graph_dir):
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", str(graph_dir / "graph.ttl"), "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: Address already in use")


def test_query_memory_is_capped(tmp_path):
    # 3,000 triples squared, sorted: rdflib needs gigabytes for that; the worker gets 64 MB more
    g = Graph()
    from rdflib import Literal, URIRef

    for i in range(3000):
        g.add((URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(i)))
    g.serialize(tmp_path / "big.nt", format="nt")
    app = SparqlApp(open_store([tmp_path / "big.nt"]),
                    limits=Limits(timeout=60, max_memory=64 * 1024**2))
    resp = app.handle("GET", q("SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"), {})
    assert resp.status == 500
    assert b"more memory than this server allows" in resp.body
    assert app.handle("GET", q("ASK { ?s ?p 7 }"), {}).status == 200


def test_too_many_queries_at_once(graph_dir):
    app = make_app(graph_dir, timeout=0.5, max_concurrent=1)
    assert app._slots.acquire(timeout=1)  # one query is running
    try:
        resp = app.handle("GET", q(COMPANIES), {})
    finally:
        app._slots.release()
    assert resp.status == 503 and resp.headers["Retry-After"] == "1"
    assert b"too many queries at once" in resp.body
    assert app.handle("GET", q(COMPANIES), {}).status == 200


def test_kg_serve_process_listens_on_loopback_by_default(graph_dir):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(graph_dir / "graph.ttl"),
                             "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert line.startswith("serving "), line
        base = line.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")
        assert base.startswith("http://127.0.0.1:")
        status, _, body = request(base, q(COMPANIES), headers={"Accept": "text/csv"})
        assert status == 200 and body.decode().splitlines() == ["name", "Acme", "Globex"]
    finally:
        proc.terminate()
        proc.wait(10)
