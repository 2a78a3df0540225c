"""Parallel extraction (kg.parallel) and the progress bar (kg.progress)."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import ConfigError, ExtractionError
from kg.ingest import SUFFIXES
from kg.parallel import batched, extract_documents
from kg.progress import count_documents, progress_bar, show_progress
from kg.types import Document

# Made-up articles; several batches' worth, so workers really share the work.
TEMPLATES = [
    "{a} Corp said on Monday that it hired {p} as chief executive.",
    "{p}, who founded {a} Labs in {c}, said the company will compete with {b} Systems.",
    "Shares of {b} Systems rose after {a} Corp agreed to buy its cloud unit for $2 billion.",
]
NAMES = [("Velmora", "Ostrik", "Tessa Marlow", "Lisbon"), ("Quandle", "Brevic", "Omar Vell", "Perth"),
         ("Zentaro", "Kallix", "Ines Dorrow", "Quito"), ("Plovix", "Merrow", "Juno Staal", "Accra")]


def make_articles(n: int) -> list[Document]:
    docs = []
    for i in range(n):
        a, b, p, c = NAMES[i % len(NAMES)]
        text = " ".join(t.format(a=a, b=b, p=p, c=c) for t in TEMPLATES[: 1 + i % 3])
        docs.append(Document.from_text(f"{text} (Item {i}.)", source=f"mem/{i:03d}.txt"))
    return docs


@pytest.mark.parametrize("n, size, lengths", [
    (0, 3, []), (1, 3, [1]), (6, 3, [3, 3]), (7, 3, [3, 3, 1]), (5, 8, [5]),
])
def test_batched(n, size, lengths):
    assert [len(b) for b in batched(range(n), size)] == lengths


@pytest.mark.parametrize("kwargs, message", [
    ({"jobs": 0}, "--jobs must be a whole number of at least 1, got 0"),
    ({"jobs": "2"}, "--jobs must be a whole number of at least 1, got '2'"),
    ({"executor": "spark"}, "unknown executor 'spark'; choose one of: local, dask"),
    ({"scheduler": "tcp://127.0.0.1:8786"}, "--scheduler needs --executor dask"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ConfigError) as err:
        list(extract_documents(make_articles(2), **kwargs))
    assert str(err.value) == message


def test_progress_bar_shows_rate_and_eta():
    out = io.StringIO()
    with progress_bar(4, enabled=True, file=out) as bar:
        bar.update(2)
        bar.update(2)
    text = out.getvalue()
    assert "4/4" in text and "doc/s" in text and "<" in text  # elapsed<remaining


@pytest.mark.parametrize("quiet, forced, tty, shown", [
    (True, True, True, False), (True, None, True, False), (False, None, True, True),
    (False, None, False, False), (False, True, False, True), (False, False, True, False),
])
def test_show_progress(quiet, forced, tty, shown):
    class Stream(io.StringIO):
        def isatty(self):
            return tty

    assert show_progress(quiet=quiet, forced=forced, stream=Stream()) is shown


def test_count_documents_counts_files(tmp_path):
    (tmp_path / "a.txt").write_text("One.")
    (tmp_path / "b.md").write_text("Two.")
    assert count_documents([str(tmp_path)]) == 2
    assert count_documents([str(tmp_path / "a.txt"), str(tmp_path / "b.md")]) == 2
    assert count_documents([str(tmp_path / "missing")]) is None


@pytest.mark.skipif(".jsonl" not in SUFFIXES, reason="this kg reads no .jsonl yet")
def test_count_documents_counts_jsonl_lines(tmp_path):
    (tmp_path / "a.txt").write_text("One.")
    (tmp_path / "c.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\n{"text": "z"}\n')
    assert count_documents([str(tmp_path)]) == 4


@pytest.mark.parametrize("other_thread, method", [(False, "fork"), (True, "forkserver")])
def test_workers_are_forked_only_from_a_single_threaded_process(other_thread, method,
                                                                monkeypatch):
    import gc
    import threading

    import kg.parallel
    from kg.parallel import _context

    if not other_thread:  # threads that earlier tests left (Dask's) must not count here
        monkeypatch.setattr(kg.parallel.threading, "active_count", lambda: 1)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    if other_thread:
        thread.start()
    try:
        # an unknown model is not loaded here: the first batch reports it
        ctx, warm = _context("no-such-model-xyz")
    finally:
        stop.set()
        if other_thread:
            thread.join()
        gc.unfreeze()
    assert ctx.get_start_method() == method
    assert (warm is None) is (method == "fork")


# ------------------------------------------------------------- with the model


def test_jobs_2_gives_exactly_what_jobs_1_gives(nlp):
    docs = make_articles(20)
    serial = list(extract_documents(docs, jobs=1))
    parallel = list(extract_documents(docs, jobs=2))
    assert [e.document.id for e in serial] == [d.id for d in docs]
    assert parallel == serial
    assert any(e.relations or len(e.entities) > 2 for e in serial)


def test_batched_parse_equals_one_by_one(nlp):
    from kg.pipeline import extract

    docs = make_articles(9)
    assert list(extract_documents(docs)) == [extract(d, nlp=nlp) for d in docs]


def test_texts_too_long_to_parse_whole_take_the_pipeline_path(nlp, monkeypatch):
    import kg.longtext
    from kg.pipeline import extract

    docs = make_articles(6)
    monkeypatch.setattr(kg.longtext, "CHUNK_CHARS", 150)
    assert {len(d.text) > 150 for d in docs} == {True, False}
    assert list(extract_documents(docs)) == [extract(d, nlp=nlp) for d in docs]


def fail_on(monkeypatch, source: str, error: Exception) -> None:
    """Make extraction of the document from ``source`` raise ``error`` (in this process)."""
    import kg.pipeline

    real = kg.pipeline.extract

    def extract(document, **kwargs):
        if document.source == source:
            raise error
        return real(document, **kwargs)

    monkeypatch.setattr(kg.pipeline, "extract", extract)


@pytest.mark.parametrize("error, message", [
    (ExtractionError("stage 'x' must return a list of Entity"),
     "mem/bad.txt: stage 'x' must return a list of Entity"),
    (RuntimeError("boom"), "mem/bad.txt: RuntimeError: boom"),
])
def test_a_failing_document_is_skipped_or_fatal(nlp, monkeypatch, error, message):
    docs = make_articles(3)
    docs.insert(1, Document.from_text("Plovix Corp hired Juno Staal.", source="mem/bad.txt"))
    fail_on(monkeypatch, "mem/bad.txt", error)
    failed = []
    got = list(extract_documents(docs, on_error=lambda d, e: failed.append((d.source, str(e)))))
    assert [e.document.source for e in got] == ["mem/000.txt", "mem/001.txt", "mem/002.txt"]
    assert failed == [("mem/bad.txt", message)]
    with pytest.raises(ExtractionError) as err:
        list(extract_documents(docs))
    assert str(err.value) == message


@pytest.fixture
def article_dir(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for doc in make_articles(12):
        (folder / doc.source.split("/")[1]).write_text(doc.text, encoding="utf-8")
    return folder


def test_cli_jobs_output_is_identical(nlp, tmp_path, article_dir):
    runner = CliRunner()
    for jobs in ("1", "2"):
        result = runner.invoke(cli, ["build", str(article_dir), "-j", jobs, "-o",
                                     str(tmp_path / f"out{jobs}"), "--no-progress"])
        assert result.exit_code == 0, result.output
    for name in ("graph.ttl", "graph.nt", "graph.json", "graph.jsonld"):
        assert (tmp_path / "out1" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes()


@pytest.mark.parametrize("flags, shown", [
    (["--progress"], True), ([], False), (["--progress", "--quiet"], False),
])
def test_cli_progress_bar_on_stderr(nlp, tmp_path, article_dir, flags, shown):
    result = CliRunner().invoke(cli, ["build", str(article_dir), "-o", str(tmp_path / "o"), *flags])
    assert result.exit_code == 0, result.output
    assert ("12/12" in result.stderr and "doc/s" in result.stderr) is shown
    assert "doc/s" not in result.stdout


@pytest.mark.parametrize("args, message", [
    (["-j", "0"], "Error: Invalid value for '-j' / '--jobs': 0 is not in the range x>=1."),
    (["--executor", "spark"], "Error: Invalid value for '--executor': 'spark' is not one of 'local', 'dask'."),
])
def test_cli_bad_parallel_options(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["build", str(tmp_path), *args])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == message


def test_cli_scheduler_without_dask(tmp_path, article_dir):
    result = CliRunner().invoke(cli, ["build", str(article_dir), "--scheduler", "tcp://127.0.0.1:9",
                                      "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "Error: --scheduler needs --executor dask"
