"""Python's cyclic garbage collector, tuned for kg's batch work.

kg builds large structures that hold no reference cycles (RDF lines, node dicts) beside
a large long-lived spaCy model. Each collection walks every tracked object, so at the
default thresholds they cost a noticeable share of a build.

Examples:
    >>> import gc
    >>> before = gc.get_threshold()
    >>> with fewer_collections((50_000, 20, 10)):
    ...     gc.get_threshold()
    (50000, 20, 10)
    >>> gc.get_threshold() == before
    True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["no_gc", "fewer_collections"]


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the collector while a big, acyclic structure is built.

    Each collection would walk every object made so far, which makes building a million
    small objects quadratic; nothing made inside may form a reference cycle, or it
    lives until the next collection after the block.

    Examples:
        >>> import gc
        >>> with no_gc():
        ...     gc.isenabled()
        False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def fewer_collections(thresholds: tuple[int, int, int]) -> Iterator[None]:
    """Collect with ``thresholds`` (see :func:`gc.set_threshold`) inside the block, then
    restore the previous ones; full collections still run, so cycles do not pile up."""
    old = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*old)
