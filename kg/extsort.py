"""Sorting more lines than memory holds: sorted runs on disk, merged (an external sort).

A producer sorts what it holds in memory, writes it as one *run* (:func:`write_run`)
and starts afresh; :func:`merge_runs` then reads all runs back at once, a bounded
part of each in memory at a time, and yields every line once, in order. Lines are bytes ending
in ``\\n``; sorting UTF-8 bytes gives the same order as sorting the text by code point.

Examples:
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> runs = [write_run([b"b\\n", b"d\\n"], d), write_run(b"a\\nb\\n", d)]
    >>> b"".join(line for batch in merge_runs(runs, d) for line in batch)
    b'a\\nb\\nd\\n'
    >>> import os; os.listdir(d)  # runs are removed once read
    []
"""

from __future__ import annotations

import bisect
import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from itertools import chain, compress
from operator import ne
from pathlib import Path

__all__ = ["write_run", "merge_runs", "FAN_IN"]

#: Most runs read at once; more are first merged in groups (each group one open file).
FAN_IN = 64

_BUFFER = 1 << 16


def write_run(lines: Iterable[bytes] | bytes, folder: str | os.PathLike[str]) -> Path:
    """Write sorted ``lines`` (or their bytes joined) as a run in ``folder``; a line may
    repeat (:func:`merge_runs` gives each line once).

    Raises:
        OSError: the run could not be written (the partial file is removed).
    """
    fd, name = tempfile.mkstemp(suffix=".run", dir=folder)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            if isinstance(lines, bytes):
                fh.write(lines)
            else:
                fh.writelines(lines)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def merge_runs(runs: Iterable[str | os.PathLike[str]],
               folder: str | os.PathLike[str]) -> Iterator[list[bytes]]:
    """Every line of the sorted ``runs``, in order, each distinct line once, in batches.

    Each run is removed once it has been read; more than :data:`FAN_IN` runs are first
    merged group by group into new runs in ``folder``.
    """
    paths = [Path(p) for p in runs]
    while len(paths) > FAN_IN:
        group, paths = paths[:FAN_IN], paths[FAN_IN:]
        paths.append(write_run((line for batch in _merged(group) for line in batch), folder))
    return _merged(paths)


#: Bytes read from all runs at a time while merging (split between them).
_READ = 1 << 22


def _merged(paths: list[Path]) -> Iterator[list[bytes]]:
    # Merged a batch at a time, not a line at a time: every line read so far that is
    # no greater than the smallest "last line read" of the runs not yet finished can
    # be output (nothing unread sorts before it); those are cut from each run's sorted
    # list by bisection and sorted together (timsort merges sorted runs in linear
    # time), so no Python code runs per line.
    files = []
    try:
        for path in paths:
            files.append(open(path, "rb", buffering=_BUFFER))  # noqa: SIM115 (closed below)
        hint = max(1 << 15, _READ // max(1, len(files)))
        pending: list[list[bytes]] = [[] for _ in files]
        open_runs = set(range(len(files)))  # runs with lines left to read
        previous = None
        while True:
            for i in list(open_runs):
                if not pending[i]:
                    pending[i] = files[i].readlines(hint)
                    if not pending[i]:
                        open_runs.discard(i)
            if not any(pending):
                return
            bound = min((pending[i][-1] for i in open_runs), default=None)
            batch: list[bytes] = []
            for i, lines in enumerate(pending):
                if lines:
                    cut = len(lines) if bound is None else bisect.bisect_right(lines, bound)
                    batch += lines[:cut]
                    pending[i] = lines[cut:]
            batch.sort()
            # equal lines are neighbours once sorted: keep each line unequal to the one
            # before it (compared in C; no line is hashed)
            batch = list(compress(batch, chain((True,), map(ne, batch[1:], batch))))
            if batch[0] == previous:
                del batch[0]
            if batch:
                previous = batch[-1]
                yield batch
    finally:
        for fh in files:
            fh.close()
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink()
