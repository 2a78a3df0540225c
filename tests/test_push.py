"""kg push: upload to a real Oxigraph server (the PyPI package ``oxigraph``) over the SPARQL
1.1 Graph Store HTTP Protocol, query it back over HTTP; errors when a store refuses or is
unreachable. Under CI (CI=true) a server that cannot start fails the tests instead of
skipping them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

import kg
from kg.cli import cli
from kg.errors import InputError, StoreError
from kg.export import write
from kg.push import push, push_to_folder
from kg.query import get_query, sparql
from kg.store import open_store, urlopen

from .conftest import DATA

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph_command() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")  # installed by the test extra
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Oxigraph server needed under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1 (its store in a temp folder), stopped afterwards."""
    command = _oxigraph_command()
    if command is None:
        _unavailable("the `oxigraph` command is missing; pip install -e '.[test]'")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    log = (location.parent / "oxigraph.log").open("wb")
    proc = subprocess.Popen([command, "serve", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(urllib.request.Request(base + "/query?query=ASK%7B%7D"), timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    _unavailable(f"oxigraph serve did not start (exit {proc.poll()}); "
                                 f"see {location.parent / 'oxigraph.log'}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


@pytest.fixture
def store_url(oxigraph):
    """The server, emptied before each test."""
    req = urllib.request.Request(oxigraph + "/update", data=b"CLEAR ALL", method="POST",
                                 headers={"Content-Type": "application/sparql-update"})
    urlopen(req, timeout=10).close()
    return oxigraph


def remote_count(base: str, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    res = open_store([base + "/query"]).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(res.bindings[0]["n"].value)


@pytest.fixture
def small_ttl(tmp_path, small_kg):
    path = tmp_path / "small.ttl"
    write(small_kg, path, "turtle")
    return path


# ---------------------------------------------------------------- pushing
def test_push_and_query_back(store_url, small_ttl):
    result = CliRunner().invoke(cli, ["push", str(small_ttl), "--endpoint", store_url + "/store"])
    assert result.exit_code == 0, result.output
    n = len(Graph().parse(small_ttl))
    assert result.stderr.strip() == (f"pushed {n} triples to {store_url}/store "
                                     "(added to the default graph)")
    assert remote_count(store_url) == n
    local = sparql(open_store([small_ttl]), get_query("competitors"), params={"entity": "Acme"})
    remote = sparql(open_store([store_url + "/query"]), get_query("competitors"),
                    params={"entity": "Acme"})
    assert remote == local and remote.rows[0]["competitor"] == "Globex"


def test_named_graph_add_and_replace(store_url, small_ttl, tmp_path):
    other = tmp_path / "other.nt"
    other.write_text("<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:p> <urn:c> .\n")
    g = "https://example.org/graph/news"
    n = len(Graph().parse(small_ttl))
    push([small_ttl], store_url + "/store", graph=g)
    assert remote_count(store_url, g) == n and remote_count(store_url) == 0
    push([other], store_url + "/store", graph=g)  # POST adds
    assert remote_count(store_url, g) == n + 2
    result = push([other], store_url + "/store", graph=g, replace=True)  # PUT replaces
    assert (result.triples, result.replaced) == (2, True)
    assert remote_count(store_url, g) == 2


def test_several_files_in_any_format(store_url, small_kg, tmp_path):
    write(small_kg, tmp_path / "a.jsonld", "json-ld")
    (tmp_path / "b.nt").write_text("<urn:a> <urn:p> <urn:b> .\n")
    result = push([tmp_path / "a.jsonld", tmp_path / "b.nt"], store_url + "/store")
    expected = len(Graph().parse(tmp_path / "a.jsonld")) + 1
    assert result.triples == expected == remote_count(store_url)


@pytest.fixture(scope="module")
def interview_ttl(tmp_path_factory, nlp):
    path = tmp_path_factory.mktemp("interview") / "graph.ttl"
    write(kg.build([DATA / "interview.txt"]), path, "turtle")
    return path


def test_push_the_interview_graph(store_url, interview_ttl):
    result = CliRunner().invoke(cli, ["push", str(interview_ttl), "--endpoint", store_url + "/store",
                                      "--replace", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert remote_count(store_url) == len(Graph().parse(interview_ttl))
    query = CliRunner().invoke(cli, ["query", store_url + "/query", "competitors",
                                     "-p", "entity=Meta", "-f", "csv"])
    assert query.exit_code == 0, query.output
    competitors = {line.split(",")[1] for line in query.stdout.splitlines()[1:]}
    assert {"OpenAI", "Google"} <= competitors


def test_push_into_a_store_folder(tmp_path, small_ttl):
    folder = tmp_path / "db"
    result = CliRunner().invoke(cli, ["push", str(small_ttl), "--store", str(folder)])
    assert result.exit_code == 0, result.output
    n = len(Graph().parse(small_ttl))
    assert open_store([folder]).triple_count() == n
    push_to_folder([small_ttl], folder, replace=True)
    assert open_store([folder]).triple_count() == n


# ---------------------------------------------------------------- refusals
def test_unreachable_store(small_ttl):
    port = _free_port()  # nothing listens there
    result = CliRunner().invoke(cli, ["push", str(small_ttl), "--endpoint", f"http://127.0.0.1:{port}/store"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot reach the store at http://127.0.0.1:{port}/store: ")
    assert "Connection refused" in result.stderr and len(result.stderr.splitlines()) == 1


def test_wrong_path_is_refused(store_url, small_ttl):
    with pytest.raises(StoreError, match=rf"the store at {store_url}/nothing refused the upload: HTTP 404"):
        push([small_ttl], store_url + "/nothing")


def test_a_read_only_endpoint_refuses(small_ttl):
    """kg serve is read-only: a Graph Store PUT to it is refused with 405."""
    from kg.serve import SparqlApp, make_server

    server = make_server(SparqlApp(open_store([small_ttl])), port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        result = CliRunner().invoke(cli, ["push", str(small_ttl), "--endpoint", url, "--replace"])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: the store at {url} refused the upload: HTTP 405 "
                                    "Method Not Allowed: this endpoint is read-only")


@pytest.mark.parametrize("args, code, error", [
    (["--endpoint", "localhost:7878/store"], 1, "Error: --endpoint 'localhost:7878/store' is not an "
     "http(s) URL of a Graph Store endpoint (e.g. http://localhost:7878/store)"),
    (["--endpoint", "http://127.0.0.1:9/store", "--graph", "not an iri"], 1,
     "Error: --graph 'not an iri' is not an absolute IRI"),
    ([], 2, "give exactly one of --endpoint URL and --store DIR"),
    (["--endpoint", "http://127.0.0.1:9/store", "--store", "x"], 2, "give exactly one of"),
])
def test_bad_arguments(small_ttl, args, code, error):
    result = CliRunner().invoke(cli, ["push", str(small_ttl), *args])
    assert result.exit_code == code
    assert error in result.stderr


def test_missing_or_bad_graph_file(tmp_path):
    with pytest.raises(InputError, match="no such graph file"):
        push([tmp_path / "none.ttl"], "http://127.0.0.1:9/store")
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    with pytest.raises(InputError, match="cannot parse .*bad.ttl' as turtle"):
        push([bad], "http://127.0.0.1:9/store")
