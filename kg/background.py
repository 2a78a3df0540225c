"""Run one call in a forked child process while this process goes on.

``kg build --jobs N`` uses it to check the graph against kg's shapes while the exports
are being written, and to write some exports while it writes the others: the check and
the exports need the whole graph, so they cannot start before the extraction ends, but
they need not wait for each other.

The child is forked, so it sees the caller's objects as they are (a large graph is not
pickled, only the result comes back). Where forking is not safe (no ``fork`` start
method, or other threads running, whose locks a fork could copy held), the call runs
in this process, before :func:`in_background` returns.

Examples:
    >>> job = in_background(sum, [1, 2, 3])
    >>> job.result()
    6
    >>> in_background(int, "x").result()
    Traceback (most recent call last):
    ...
    ValueError: invalid literal for int() with base 10: 'x'
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

from .errors import KGError

__all__ = ["can_fork", "in_background"]


def can_fork() -> bool:
    """True where a child can be forked safely: ``fork`` exists and no other thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _child(conn, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome = ("ok", fn(*args))
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = ("error", exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # the result or the error would not pickle
        conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    conn.close()


class _Job:
    """The pending result of :func:`in_background`."""

    def __init__(self, name: str, outcome: tuple[str, Any] | None = None,
                 process: Any = None, conn: Any = None) -> None:
        self.name, self._outcome, self._process, self._conn = name, outcome, process, conn

    def result(self) -> Any:
        """Wait for the call; return its result or raise what it raised.

        Raises:
            KGError: the child died without a result (killed, out of memory).
        """
        if self._outcome is None:
            try:
                self._outcome = self._conn.recv()  # before join: a large result fills the pipe
            except EOFError:
                self._outcome = ("error", KGError(
                    f"{self.name} stopped: its process died (out of memory?)"))
            finally:
                self._end()
        kind, value = self._outcome
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Stop waiting: the child is ended and its result dropped (no-op once done)."""
        if self._process is not None:
            self._process.terminate()
            self._end()

    def _end(self) -> None:
        if self._process is not None:
            self._process.join()
            self._conn.close()
            self._process = None


def in_background(fn: Callable[..., Any], *args: Any, name: str = "a background job") -> _Job:
    """Start ``fn(*args)`` in a forked child (or, where that is unsafe, run it now).

    The result (or the exception) must be picklable; the arguments need not be: the
    child is a fork, so it has them already. ``name`` says what the call is, in the
    error raised if its process dies. Starting a child starts no thread here, so several
    may run at once.
    """
    if not can_fork():
        try:
            return _Job(name, ("ok", fn(*args)))
        except Exception as exc:  # raised by result(), as from a child
            return _Job(name, ("error", exc))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    process.start()
    child.close()  # the child's end: EOF here once the child is gone
    return _Job(name, process=process, conn=parent)
