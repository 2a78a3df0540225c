"""Run one call in a forked child process while this process goes on.

``kg build --jobs N`` uses it to check the graph against kg's shapes while the exports
are being written: the check needs the whole graph, so it cannot start before the
extraction ends, but nothing else waits for it until the exports are renamed into place.

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
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["can_fork", "in_background"]

T = TypeVar("T")

# The call the child runs, handed over by the fork itself rather than pickled.
_CALL: tuple[Callable[..., Any], tuple[Any, ...]] | None = None


def can_fork() -> bool:
    """True where a child can be forked safely: ``fork`` exists and no other thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _run_call() -> Any:
    fn, args = _CALL  # type: ignore[misc]  # set before the fork
    return fn(*args)


class _Job:
    """The pending result of :func:`in_background`."""

    def __init__(self, future: Future, pool: ProcessPoolExecutor | None) -> None:
        self._future, self._pool = future, pool

    def result(self) -> Any:
        """Wait for the call; return its result or raise what it raised."""
        try:
            return self._future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def cancel(self) -> None:
        """Stop waiting: the child is ended and its result dropped."""
        if self._pool is not None:
            for proc in list(getattr(self._pool, "_processes", {}).values()):
                proc.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def in_background(fn: Callable[..., T], *args: Any) -> _Job:
    """Start ``fn(*args)`` in a forked child (or, where that is unsafe, run it now).

    The result (or the exception) must be picklable; the arguments need not be.
    """
    global _CALL
    if not can_fork():
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # handed to the caller by result(), as from a child
            future.set_exception(exc)
        return _Job(future, None)
    _CALL = (fn, args)
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_run_call)  # the worker is forked here, with _CALL set
    finally:
        _CALL = None
    return _Job(future, pool)
