"""Stances: views a person states through a reporting verb ("X believes that ...")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .types import Document, Entity, Stance

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["extract_stances"]


def extract_stances(
    doc: Doc, document: Document, entities: list[Entity]
) -> tuple[list[Stance], list[Entity]]:
    """Return the stances stated in ``doc`` and any new Topic entities they refer to."""
    return [], []
