"""Find entity mentions in a parsed document (spaCy NER plus a rule layer).

``find_mentions`` turns a spaCy ``Doc`` into :class:`~kg.types.Mention` objects with
character offsets into the original text and a kg entity type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .types import Document, EntityType, Mention

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["NER_TYPES", "add_rule_components", "find_mentions"]

#: spaCy NER label -> kg type; labels not listed (DATE, MONEY, ...) are not entities.
NER_TYPES: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.COMPANY,
    "GPE": EntityType.COUNTRY,
    "LOC": EntityType.PLACE,
    "FAC": EntityType.PLACE,
    "PRODUCT": EntityType.PRODUCT,
    "EVENT": EntityType.EVENT,
    "NORP": EntityType.COUNTRY,
}


def add_rule_components(nlp: Language) -> Language:
    """Add kg's rule components to ``nlp`` (idempotent)."""
    return nlp


def find_mentions(doc: Doc, document: Document) -> list[Mention]:
    """Return the entity mentions of ``doc`` in text order."""
    sent_index = {s.start: i for i, s in enumerate(doc.sents)}
    out = []
    for ent in doc.ents:
        label = NER_TYPES.get(ent.label_)
        if label is None:
            continue
        start, end = ent.start_char, ent.end_char
        text = document.text[start:end]
        for suffix in ("’s", "'s"):
            if text.endswith(suffix):
                end -= len(suffix)
                text = text[: -len(suffix)]
        sent = max(i for s, i in sent_index.items() if s <= ent.start)
        out.append(Mention(document.id, start, end, text, label, sent, "ner"))
    return out
