"""kg.extsort: sorted runs on disk merged into every distinct line once, in order."""

from __future__ import annotations

import random

import pytest

import kg.extsort as extsort
from kg.extsort import merge_runs, write_run


def _merge(runs: list[list[bytes]], folder) -> list[bytes]:
    paths = [write_run(sorted(lines), folder) for lines in runs]
    return [line for batch in merge_runs(paths, folder) for line in batch]


def _lines(rng: random.Random, n: int, distinct: int) -> list[bytes]:
    return [f"<s{rng.randrange(distinct)}> <p> \"{rng.randrange(3)} x\" .\n".encode()
            for _ in range(n)]


@pytest.mark.parametrize(("runs", "n", "distinct"), [
    (1, 50, 10),        # duplicates inside one run (line-major runs keep them)
    (3, 200, 40),       # duplicates across runs
    (5, 1000, 5000),    # mostly distinct
    (70, 30, 20),       # more runs than FAN_IN: merged in groups first
])
def test_merge_gives_each_distinct_line_once_in_order(tmp_path, runs, n, distinct):
    rng = random.Random(runs * 1000 + n)
    data = [_lines(rng, n, distinct) for _ in range(runs)]
    assert _merge(data, tmp_path) == sorted({line for lines in data for line in lines})
    assert list(tmp_path.iterdir()) == []  # every run removed once read


@pytest.mark.parametrize("runs", [[], [[]], [[], [b"a\n"], []], [[b"a\n", b"a\n"], [b"a\n"]]])
def test_merge_of_empty_or_equal_runs(tmp_path, runs):
    assert _merge(runs, tmp_path) == sorted({line for lines in runs for line in lines})


def test_small_reads_still_give_every_line_once(tmp_path, monkeypatch):
    """Batches cut at many places (the smallest reads, runs several reads long): no line
    lost or doubled at a cut."""
    monkeypatch.setattr(extsort, "_READ", 1)
    rng = random.Random(7)
    data = [_lines(rng, 6000, 3000) for _ in range(4)]  # ~150 kB a run, 32 kB a read
    assert _merge(data, tmp_path) == sorted({line for lines in data for line in lines})
