"""The Dask executor, against a real local Dask cluster on 127.0.0.1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import ConfigError
from kg.parallel import extract_documents

from .test_parallel import fail_on, make_articles

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    """A local cluster: one worker thread in this process, so it shares the loaded model."""
    import logging

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
        host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_gives_what_local_gives(nlp, scheduler):
    docs = make_articles(19)
    local = list(extract_documents(docs))
    remote = list(extract_documents(docs, executor="dask", scheduler=scheduler))
    assert [e.document.id for e in remote] == [d.id for d in docs]
    assert remote == local


def test_dask_reports_failed_documents(nlp, scheduler, monkeypatch):
    # the cluster's worker runs in this process, so the patched stage applies there too
    docs = make_articles(3)
    fail_on(monkeypatch, docs[1].source, RuntimeError("boom"))
    failed = []
    got = list(extract_documents(docs, executor="dask", scheduler=scheduler,
                                 on_error=lambda d, e: failed.append((d.source, str(e)))))
    assert [e.document.source for e in got] == [docs[0].source, docs[2].source]
    assert failed == [(docs[1].source, f"{docs[1].source}: RuntimeError: boom")]


def test_cli_dask_build_matches_local_build(nlp, scheduler, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for doc in make_articles(10):
        (folder / doc.source.split("/")[1]).write_text(doc.text, encoding="utf-8")
    runner = CliRunner()
    local = runner.invoke(cli, ["build", str(folder), "-o", str(tmp_path / "local")])
    dask = runner.invoke(cli, ["build", str(folder), "-o", str(tmp_path / "dask"),
                               "--executor", "dask", "--scheduler", scheduler])
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    for name in ("graph.ttl", "graph.json"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"^cannot reach the Dask scheduler 'tcp://127\.0\.0\.1:9'"):
        list(extract_documents(make_articles(1), executor="dask", scheduler="tcp://127.0.0.1:9"))


def test_cli_unreachable_scheduler(tmp_path):
    (tmp_path / "a.txt").write_text("Velmora Corp hired Omar Vell.")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"),
                                      "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot reach the Dask scheduler 'tcp://127.0.0.1:9'")
    assert "dask scheduler" in last
