"""Sorting more lines than memory holds: sorted runs on disk, merged (an external sort).

A producer sorts what it holds in memory, writes it as one *run* (:func:`write_run`)
and starts afresh; :func:`merge_runs` then reads all runs back at once, one line of
each in memory at a time, and yields every line once, in order. Lines are bytes ending
in ``\\n``; sorting UTF-8 bytes gives the same order as sorting the text by code point.

Examples:
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> runs = [write_run([b"b\\n", b"d\\n"], d), write_run(b"a\\nb\\n", d)]
    >>> b"".join(merge_runs(runs, d))
    b'a\\nb\\nd\\n'
    >>> import os; os.listdir(d)  # runs are removed once read
    []
"""

from __future__ import annotations

import contextlib
import heapq
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["write_run", "merge_runs", "FAN_IN"]

#: Most runs read at once; more are first merged in groups (each group one open file).
FAN_IN = 64

_BUFFER = 1 << 16


def write_run(lines: Iterable[bytes] | bytes, folder: str | os.PathLike[str]) -> Path:
    """Write sorted, distinct ``lines`` (or their bytes joined) as a run in ``folder``.

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
               folder: str | os.PathLike[str]) -> Iterator[bytes]:
    """Every line of the sorted ``runs``, in order, each distinct line once.

    Each run is removed once it has been read; more than :data:`FAN_IN` runs are first
    merged group by group into new runs in ``folder``.
    """
    paths = [Path(p) for p in runs]
    while len(paths) > FAN_IN:
        group, paths = paths[:FAN_IN], paths[FAN_IN:]
        paths.append(write_run(_merged(group), folder))
    return _merged(paths)


def _merged(paths: list[Path]) -> Iterator[bytes]:
    files = []
    try:
        for path in paths:
            files.append(open(path, "rb", buffering=_BUFFER))  # noqa: SIM115 (closed below)
        previous = None
        for line in heapq.merge(*files):
            if line != previous:
                yield line
                previous = line
    finally:
        for fh in files:
            fh.close()
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink()
