"""A progress bar on stderr for long builds: documents done, documents/s and ETA.

It is a thin layer over :mod:`tqdm`. By default it is shown only when stderr is a
terminal, so logs and captured output stay clean; ``--progress`` forces it on and
``--quiet`` turns it off.

Examples:
    >>> import io
    >>> out = io.StringIO()
    >>> with progress_bar(3, enabled=True, file=out) as bar:
    ...     bar.update(3)
    >>> "3/3" in out.getvalue() and "doc/s" in out.getvalue()
    True
    >>> show_progress(quiet=True, forced=True)
    False
"""

from __future__ import annotations

import sys
from typing import IO

from tqdm import tqdm

__all__ = ["progress_bar", "show_progress", "count_documents"]


class _Bar(tqdm):
    # tqdm's monitor thread (started even for a disabled bar) only tunes refresh rates;
    # without it the build stays single-threaded, so --jobs can fork its workers safely.
    monitor_interval = 0


def show_progress(*, quiet: bool, forced: bool | None = None, stream: IO[str] | None = None) -> bool:
    """Decide whether to draw a bar: never when quiet, else as forced, else on a TTY.

    Args:
        quiet: ``--quiet`` was given.
        forced: ``True``/``False`` from ``--progress/--no-progress``; ``None`` = auto.
        stream: where the bar would go (default stderr).

    Examples:
        >>> import io
        >>> show_progress(quiet=False, stream=io.StringIO())
        False
        >>> show_progress(quiet=False, forced=True)
        True
    """
    if quiet:
        return False
    if forced is not None:
        return forced
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def progress_bar(
    total: int | None, *, enabled: bool, file: IO[str] | None = None, desc: str = "extracting"
) -> tqdm:
    """A tqdm bar counting documents; a no-op object when ``enabled`` is false.

    Args:
        total: how many documents are expected (``None`` if unknown: no ETA then).
        enabled: draw it at all.
        file: where to draw (default stderr; never stdout, which carries data).
        desc: the label in front of the bar.

    Examples:
        >>> import io
        >>> out = io.StringIO()
        >>> with progress_bar(5, enabled=False, file=out) as bar:
        ...     bar.update(1)
        >>> out.getvalue()
        ''
    """
    return _Bar(
        total=total, disable=not enabled, file=file or sys.stderr, unit="doc", desc=desc,
        mininterval=0.5, smoothing=0.1, dynamic_ncols=True, leave=enabled,
    )


def count_documents(inputs: list[str]) -> int | None:
    """How many documents ``inputs`` hold, for the ETA: files, or lines of ``.jsonl``.

    Returns ``None`` when the inputs cannot be listed; the reader reports why.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.txt").write_text("One.")
        >>> _ = (d / "b.md").write_text("Two.")
        >>> count_documents([str(d)])
        2
        >>> count_documents(["no/such/file.txt"]) is None
        True
    """
    from .errors import KGError
    from .ingest import expand_inputs

    try:
        files = expand_inputs(inputs)
    except KGError:
        return None
    total = 0
    for path in files:
        if path.suffix.lower() == ".jsonl":
            try:
                with open(path, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                return None
        else:
            total += 1
    return total
