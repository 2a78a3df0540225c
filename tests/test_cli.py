"""The command line: exit codes, exact error lines, data on stdout (no spaCy)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import cli
from kg.export import write


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def graph_files(tmp_path, small_kg):
    write(small_kg, tmp_path / "graph.ttl", "turtle")
    write(small_kg, tmp_path / "graph.json", "json")
    return tmp_path


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_query_table(runner, graph_files):
    q = "SELECT ?name WHERE { ?c a kg:Company ; rdfs:label ?name } ORDER BY ?name"
    result = runner.invoke(cli, ["query", str(graph_files / "graph.ttl"), q])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "name"
    assert [l.strip() for l in lines[2:4]] == ["Acme", "Globex"]
    assert lines[-1] == "(2 rows)"


def test_query_json_and_csv(runner, graph_files):
    q = "SELECT ?p WHERE { id:jane-doe ?p id:acme } ORDER BY ?p"
    out = runner.invoke(cli, ["query", str(graph_files / "graph.ttl"), q, "--format", "json"])
    assert out.exit_code == 0, out.output
    values = [b["p"]["value"] for b in json.loads(out.stdout)["results"]["bindings"]]
    assert values == ["https://kg.example.org/ontology#ceoOf", "https://kg.example.org/ontology#worksFor"]
    out = runner.invoke(cli, ["query", str(graph_files / "graph.ttl"), q, "-f", "csv"])
    assert out.stdout.splitlines()[0] == "p"


def test_query_from_rq_file_and_ask(runner, graph_files, tmp_path):
    rq = tmp_path / "ask.rq"
    rq.write_text("ASK { ?s kg:competitorOf ?o }")
    result = runner.invoke(cli, ["query", str(graph_files / "graph.ttl"), str(rq)])
    assert result.exit_code == 0 and result.stdout == "yes\n"


@pytest.mark.parametrize("args, error", [
    (["query", "missing.ttl", "ASK {}"], "Error: no such graph file: 'missing.ttl'"),
    (["build", "no/such/article.txt"], "Error: no such file or folder: 'no/such/article.txt'"),
    (["export", "missing.json", "-f", "nt"], "Error: cannot read 'missing.json': No such file or directory"),
])
def test_bad_input_gives_one_error_line(runner, args, error):
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.strip() == error
    assert "Traceback" not in result.output


def test_malformed_sparql(runner, graph_files):
    result = runner.invoke(cli, ["query", str(graph_files / "graph.ttl"), "SELEC ?x"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: invalid SPARQL:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_export_format_is_a_usage_error(runner, graph_files):
    result = runner.invoke(cli, ["export", str(graph_files / "graph.json"), "-f", "docx"])
    assert result.exit_code == 2
    assert "'docx' is not one of" in result.stderr


def test_export_to_stdout_and_file(runner, graph_files, tmp_path):
    result = runner.invoke(cli, ["export", str(graph_files / "graph.json"), "-f", "nt"])
    assert result.exit_code == 0
    assert "<https://kg.example.org/id/acme>" in result.stdout
    out = tmp_path / "x.ttl"
    result = runner.invoke(cli, ["export", str(graph_files / "graph.ttl"), "-f", "ttl", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text().startswith("@prefix")


def test_build_empty_file(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    result = runner.invoke(cli, ["build", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {str(empty)!r} is empty; an article needs some text"
    assert not (tmp_path / "out").exists()


def test_bad_confidence_threshold(runner, tmp_path):
    result = runner.invoke(cli, ["build", "--min-confidence", "3"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: min_confidence must be between 0 and 1, got 3.0"


# ------------------------------------------------------------- build: streamed exports (model)
ARTICLE = "Acme's CEO Jane Doe said Acme competes with Globex, which makes the Widget phone.\n"


def _previous(out):
    from kg.export import DEFAULT_FILES

    out.mkdir(parents=True, exist_ok=True)
    for name in DEFAULT_FILES:
        (out / name).write_bytes(f"previous {name}\n".encode())
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize("validate", ["--validate", "--no-validate"])
def test_build_exports_are_the_serialized_graph(runner, nlp, tmp_path, validate):
    """Each streamed export (the checked Turtle copied, with --validate) is byte for byte
    what serialize() makes of the graph the build wrote."""
    from kg.export import DEFAULT_FILES, serialize
    from kg.graph import KnowledgeGraph

    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(article), "-o", str(out), "-q", validate])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(DEFAULT_FILES)  # no temp files
    kg = KnowledgeGraph.from_json((out / "graph.json").read_text(encoding="utf-8"))
    for name, fmt in DEFAULT_FILES.items():
        assert (out / name).read_bytes() == serialize(kg, fmt).encode("utf-8"), name


@pytest.mark.parametrize("jobs", ["1", "2"])  # with 2, graph.json is written by a child
@pytest.mark.parametrize("error, line", [
    (OSError(28, "No space left on device"),
     "Error: cannot write {path!r}: No space left on device; no output file was changed"),
    ("output", "Error: the disk is on fire"),
])
def test_build_export_failing_midway_keeps_previous_exports(runner, nlp, tmp_path, monkeypatch,
                                                            error, line, jobs):
    import dataclasses

    import kg.background
    import kg.cli.build as build
    from kg.errors import OutputError
    from kg.export import FORMATS

    monkeypatch.setattr(kg.background, "can_fork", lambda: True)
    monkeypatch.setattr(build, "can_fork", lambda: True)

    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    out = tmp_path / "out"
    previous = _previous(out)
    real = FORMATS.get("json")

    def broken(kg, base_iri, fh):
        fh.write(b'{\n "directed": true,\n')  # a partial file in its temp file...
        raise error if isinstance(error, OSError) else OutputError("the disk is on fire")

    monkeypatch.setitem(FORMATS._items, "json", dataclasses.replace(real, stream=broken))
    result = runner.invoke(cli, ["build", str(article), "-o", str(out), "--no-validate",
                                 "--jobs", jobs])
    assert result.exit_code == 1
    errors = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert errors == [line.format(path=(out / "graph.json").as_posix())]
    # ...removed with the other staged files; every previous export as it was
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous


# ------------------------------------------------- build --jobs N: the check beside the exports
@pytest.mark.parametrize("fails", [False, True])
def test_build_collects_garbage_less_often_and_restores_the_thresholds(runner, tmp_path,
                                                                         monkeypatch, fails):
    """The thresholds are raised while a build runs and restored after, even on an error."""
    import gc

    import kg.cli.build as build
    from kg.errors import InputError

    seen = []

    def fake_build_corpus(*args, **kwargs):
        seen.append(gc.get_threshold())
        if fails:
            raise InputError("no articles")
        from kg.graph import KnowledgeGraph
        return KnowledgeGraph(), None

    monkeypatch.setattr(build, "build_corpus", fake_build_corpus)
    before = gc.get_threshold()
    result = runner.invoke(cli, ["build", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"),
                                 "-q", "--no-validate"])
    assert result.exit_code == (1 if fails else 0), result.output
    assert seen == [build.BUILD_GC_THRESHOLDS] != [before]
    assert gc.get_threshold() == before


def test_build_jobs_checks_in_a_child_while_exports_are_staged(runner, nlp, tmp_path, monkeypatch):
    """With --jobs 2 the SHACL check runs in a forked child, and another writes some
    exports; the exports are the same."""
    import os

    import kg.background
    import kg.cli.build as build
    from kg.export import DEFAULT_FILES

    monkeypatch.setattr(kg.background, "can_fork", lambda: True)
    monkeypatch.setattr(build, "can_fork", lambda: True)
    seen = tmp_path / "checked-in"

    def recording(real):
        def check(kg, turtle, base_iri):
            seen.write_text(str(os.getpid()))
            return real(kg, turtle, base_iri)
        return check

    # a child runs check_build; in-process, the check is started while exports are staged
    monkeypatch.setattr(build, "check_build", recording(build.check_build))
    monkeypatch.setattr(build, "start_check_build", recording(build.start_check_build))
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    outs = {}
    for jobs in ("1", "2"):
        outs[jobs] = tmp_path / f"out{jobs}"
        result = runner.invoke(cli, ["build", str(article), "-o", str(outs[jobs]), "--jobs", jobs])
        assert result.exit_code == 0, result.output
        assert "SHACL: 0 violation(s), 0 warning(s)" in result.stderr
        checked_in = int(seen.read_text())
        assert (checked_in == os.getpid()) is (jobs == "1")
        wrote = result.stderr.splitlines()[-1]  # in the usual order, whoever wrote each
        assert wrote == "wrote: " + ", ".join(str(outs[jobs] / n) for n in DEFAULT_FILES)
    assert {p.name: p.read_bytes() for p in outs["1"].iterdir()} == \
        {p.name: p.read_bytes() for p in outs["2"].iterdir()}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_violation_found_while_exports_are_staged_writes_nothing(runner, nlp, tmp_path,
                                                                       monkeypatch, jobs):
    """The check ends after the exports are staged (in a child with --jobs 2, in this
    process with --jobs 1): a violation removes them all."""
    import kg.background
    import kg.cli.build as build
    from kg.errors import ValidationError

    monkeypatch.setattr(kg.background, "can_fork", lambda: True)
    monkeypatch.setattr(build, "can_fork", lambda: True)

    def violated(kg, turtle, base_iri):
        raise ValidationError("the built graph violates kg's SHACL shapes (1 violation(s))")

    class Started:  # what start_check_build returns: the check ends in result()
        def __init__(self, *args):
            self.args = args

        def result(self):
            staged.extend(p.name for p in out.iterdir() if ".kgtmp-" in p.name)
            return violated(*self.args)

    staged = []

    monkeypatch.setattr(build, "check_build", violated)
    monkeypatch.setattr(build, "start_check_build", Started)
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    out = tmp_path / "out"
    previous = _previous(out)
    result = runner.invoke(cli, ["build", str(article), "-o", str(out), "--jobs", jobs])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == \
        "Error: the built graph violates kg's SHACL shapes (1 violation(s))"
    # the exports staged meanwhile are removed; every previous export as it was
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous
    if jobs == "1":  # the check ended once every export was staged
        assert len(staged) >= len(previous)


class _Exited(Exception):
    """os._exit, caught: the test process goes on."""


@pytest.fixture
def hard_exit(monkeypatch):
    """``kg.cli.main`` with ``os._exit`` recorded instead of ending pytest."""
    import kg.cli as cli_module
    from kg.cli import _util

    monkeypatch.setitem(_util._SKIP_TEARDOWN, "asked", False)
    monkeypatch.setitem(_util._SKIP_TEARDOWN, "kept", None)

    def record(code):
        raise _Exited(code)

    monkeypatch.setattr(cli_module.os, "_exit", record)
    return cli_module.main


def test_a_finished_build_ends_without_the_teardown(hard_exit, nlp, tmp_path, monkeypatch):
    article = tmp_path / "a.txt"
    article.write_text("Acme Corp hired Jane Doe as its chief executive officer.", encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["kg", "build", str(article), "-o", str(tmp_path / "out"), "-q"])
    with pytest.raises(_Exited) as ended:
        hard_exit()
    assert ended.value.args == (0,)
    assert (tmp_path / "out" / "graph.ttl").stat().st_size > 0  # written before the exit
    from kg.cli import _util
    from kg.graph import KnowledgeGraph

    assert isinstance(_util._SKIP_TEARDOWN["kept"], KnowledgeGraph)  # freed by the exit


@pytest.mark.parametrize("args, code", [(["--version"], 0), (["build", "missing.txt"], 1),
                                        (["build", "--jobs", "0"], 2)])
def test_other_exits_keep_pythons_teardown(hard_exit, monkeypatch, tmp_path, args, code):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["kg", *args])
    with pytest.raises(SystemExit) as ended:
        hard_exit()
    assert ended.value.code == code
