"""Build settings, validated once, early.

Examples:
    >>> Config(min_confidence=0.5).min_confidence
    0.5
    >>> Config(min_confidence=2)
    Traceback (most recent call last):
    ...
    kg.errors.ConfigError: min_confidence must be between 0 and 1, got 2
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError

__all__ = ["Config", "DEFAULT_BASE_IRI"]

#: Entities, stances and facts are minted under this base unless --base-iri says otherwise.
DEFAULT_BASE_IRI = "https://kg.example.org/id/"

_IRI_OK = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$")


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one build.

    Args:
        model: spaCy pipeline to load (package name or path); None = en_core_web_sm.
        min_confidence: facts below this confidence are left out of the graph.
        base_iri: namespace for minted IRIs; must end with ``/`` or ``#``.
    """

    model: str | None = None
    min_confidence: float = 0.5
    base_iri: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        if not isinstance(self.min_confidence, (int, float)) or not (
            0.0 <= self.min_confidence <= 1.0
        ):
            raise ConfigError(
                f"min_confidence must be between 0 and 1, got {self.min_confidence}"
            )
        if not _IRI_OK.match(self.base_iri):
            raise ConfigError(
                f"base IRI {self.base_iri!r} is not an absolute IRI ending in '/' or '#' "
                "(e.g. https://example.org/kg/)"
            )
