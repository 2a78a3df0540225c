"""End to end on the interview with the trained model (marked 'model')."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.export import DEFAULT_FILES

from .conftest import ROOT

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    # the same command as the README's, from the project root (sources are stored as given)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = CliRunner().invoke(cli, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def test_build_writes_every_file_and_a_summary(built):
    out, result = built
    for name in DEFAULT_FILES:
        assert (out / name).stat().st_size > 0, name
    assert "entities: " in result.stderr and "relations: " in result.stderr
    assert "Person" in result.stderr


def test_interview_graph_has_its_main_entities(built):
    out, _ = built
    g = Graph().parse(out / "graph.ttl", format="turtle")
    rows = g.query("SELECT ?n WHERE { ?p a kg:Person ; rdfs:label ?n }",
                   initNs={"kg": "https://kg.example.org/ontology#",
                           "rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
    people = {str(r.n) for r in rows}
    assert "Mark Zuckerberg" in people


def test_committed_exports_match_a_fresh_build(built):
    """exports/ is committed so users can open it before installing: keep it current."""
    out, _ = built
    stale = [name for name in DEFAULT_FILES
             if (ROOT / "exports" / name).read_bytes() != (out / name).read_bytes()]
    assert not stale, f"exports/ is stale, run `kg build` and commit: {stale}"


def test_python_dash_m(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "build" in result.stdout
