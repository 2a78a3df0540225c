"""Tiny name -> implementation registries (export formats, result formats, stages).

Unknown names raise :class:`~kg.errors.UnknownNameError` listing the valid ones, so
``--format`` choices, aliases and error messages all come from one place.

Examples:
    >>> shouts = Registry("shout")
    >>> @shouts.register("loud", aliases=("LOUD",))
    ... def loud(s): return s.upper()
    >>> shouts.get("LOUD")("hi"), shouts.names()
    ('HI', ['loud'])
    >>> shouts.get("quiet")
    Traceback (most recent call last):
    ...
    kg.errors.UnknownNameError: unknown shout 'quiet'; choose one of: LOUD, loud
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from .errors import UnknownFormatError, UnknownNameError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names (and aliases) to objects of one kind."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._canonical: list[str] = []

    def register(self, name: str, *, aliases: tuple[str, ...] = ()) -> Callable[[T], T]:
        """Decorator: register the decorated object under ``name`` and ``aliases``."""

        def deco(obj: T) -> T:
            self.add(name, obj, aliases=aliases)
            return obj

        return deco

    def add(self, name: str, obj: T, *, aliases: tuple[str, ...] = ()) -> None:
        """Register ``obj`` under ``name`` (the canonical name) and ``aliases``."""
        if name not in self._items:
            self._canonical.append(name)
        for key in (name, *aliases):
            self._items[key] = obj

    def get(self, name: str) -> T:
        """Return the object registered as ``name``; unknown names list the choices."""
        try:
            return self._items[name]
        except KeyError:
            if self.kind == "format":
                raise UnknownFormatError(name, self._items) from None
            raise UnknownNameError(self.kind, name, self._items) from None

    def names(self) -> list[str]:
        """Canonical names in registration order (aliases left out)."""
        return list(self._canonical)

    def all_names(self) -> list[str]:
        """Every accepted name, aliases included, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items
