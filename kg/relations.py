"""Extract relations between entities from the grammar of each sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .types import Document, Entity, EntityType, Evidence, Predicate, Relation

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["extract_relations"]

POSITION_WORDS = {"ceo": "CEO", "chief executive": "chief executive"}


def extract_relations(doc: Doc, document: Document, entities: list[Entity]) -> list[Relation]:
    """Return relations read from possessive patterns ("X's CEO Y")."""
    by_span = {(m.start, m.end): e for e in entities for m in e.mentions}
    out: list[Relation] = []
    for sent in doc.sents:
        ev = Evidence(document.id, document.text[sent.start_char : sent.end_char],
                      sent.start_char, sent.end_char)
        for tok in sent:
            if tok.lower_ in POSITION_WORDS and tok.head.ent_type_ == "PERSON":
                person = next((e for (s, t), e in by_span.items()
                               if s <= tok.head.idx < t and e.type == EntityType.PERSON), None)
                org = next((by_span[k] for k in by_span
                            if any(k[0] <= c.idx < k[1] for c in tok.children if c.dep_ == "poss")), None)
                if person and org:
                    out.append(Relation(person.id, Predicate.WORKS_FOR, org.id, ev, 0.8, "poss-title"))
    return out
