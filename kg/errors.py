"""One exception family for everything kg reports to users.

Library code raises a :class:`KGError` subclass whose message names the bad value
and says what is allowed or what to do next; only ``kg.cli`` turns it into
``Error: ...`` and an exit code. Tracebacks are for bugs, not for bad input.

Examples:
    >>> try:
    ...     raise UnknownFormatError("xml2", ["nt", "turtle"])
    ... except KGError as exc:
    ...     print(exc)
    unknown format 'xml2'; choose one of: nt, turtle
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "KGError",
    "ConfigError",
    "InputError",
    "ExtractionError",
    "UnknownNameError",
    "UnknownFormatError",
    "QueryError",
    "OutputError",
    "ValidationError",
    "StoreError",
]


class KGError(Exception):
    """Base of every error kg reports to a user. ``exit_code`` is the CLI's exit status."""

    exit_code = 1


class ConfigError(KGError):
    """A setting is invalid (unknown model, bad threshold, bad base IRI)."""


class InputError(KGError):
    """An input file or folder cannot be read as an article or a graph."""


class ExtractionError(KGError):
    """An NLP stage failed or returned the wrong kind of value."""


class UnknownNameError(KGError):
    """A name (format, stage, bundled query) is not registered."""

    def __init__(self, kind: str, name: str, choices: Iterable[str]) -> None:
        self.name = name
        self.choices = sorted(choices)
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(self.choices)}")


class UnknownFormatError(UnknownNameError):
    """An export or result format is not registered."""

    def __init__(self, name: str, choices: Iterable[str]) -> None:
        super().__init__("format", name, choices)


class QueryError(KGError):
    """A SPARQL query is malformed or cannot be run."""


class OutputError(KGError):
    """An output file or folder cannot be written."""


class ValidationError(KGError):
    """A graph violates kg's SHACL shapes."""


class StoreError(KGError):
    """A triple store or remote endpoint refused or could not be reached."""
