"""Parse texts of any length with spaCy, keeping offsets into the original text.

spaCy refuses texts longer than ``nlp.max_length`` (1,000,000 characters by default)
because its parser and NER need memory in proportion to the text. Rather than raise
that limit, a long text is cut into pieces of at most :data:`CHUNK_CHARS` characters
at paragraph breaks (else at a sentence end, else at whitespace), the pieces are
parsed one by one, and joined back with ``Doc.from_docs``. The pieces cover the text
exactly, so the joined Doc's text *is* the original text and every character offset
the extraction stages read from it points into the original. Texts below the limit
are parsed in one go, exactly as before.

The extraction stages are written for articles, and some of their work grows faster
than the text (every mention against every other, every sentence for every verb). So
:func:`extract_in_pieces` goes one step further for a text over :data:`CHUNK_CHARS`:
each piece is parsed *and extracted* on its own, and the pieces' results are shifted
to offsets in the whole text and merged (an entity found in several pieces is one
entity with all its mentions). The cost is context across piece boundaries (a pronoun
whose antecedent is in the previous piece); articles below the limit are untouched.

Part of the NLP layer: like the extraction stages it imports spaCy (lazily).

Examples:
    >>> text = "One. Two.\\n\\nThree four.\\n\\nFive."
    >>> spans = split_spans(text, 14)
    >>> [text[s:e] for s, e in spans]
    ['One. Two.\\n\\n', 'Three four.\\n\\n', 'Five.']
    >>> "".join(text[s:e] for s, e in spans) == text
    True
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .nlp import fold_quotes
from .types import Document, Entity, Evidence, Extraction

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["CHUNK_CHARS", "split_spans", "parse", "extract_in_pieces"]

#: Longest text parsed and extracted at once: about 8,000 words, more than nearly any
#: article, and well under spaCy's default max_length of 1,000,000 characters.
CHUNK_CHARS = 50_000

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")
_SPACE = re.compile(r"\s")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _cut(window: str) -> int:
    """Where to end a piece that starts ``window``: after a paragraph break, sentence, space."""
    floor = len(window) // 4  # never make pieces much smaller than needed
    para = window.rfind("\n\n")
    if para >= floor:
        return para + 2
    ends = [m.end() for m in _SENTENCE_END.finditer(window, floor)]
    if ends:
        return ends[-1]
    spaces = [m.end() for m in _SPACE.finditer(window, floor)]
    if spaces:
        return spaces[-1]
    cut = len(window)
    if window.endswith("\r"):  # keep a CRLF pair together
        cut -= 1
    return max(cut, 1)


def split_spans(text: str, max_chars: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """Cut ``text`` into consecutive ``(start, end)`` spans of at most ``max_chars``.

    The spans cover ``text`` exactly, in order, without gaps or overlaps.

    Examples:
        >>> split_spans("abc", 10)
        [(0, 3)]
        >>> split_spans("x" * 25, 10)
        [(0, 10), (10, 20), (20, 25)]
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    spans = []
    pos = 0
    while len(text) - pos > max_chars:
        end = pos + _cut(text[pos : pos + max_chars])
        spans.append((pos, end))
        pos = end
    spans.append((pos, len(text)))
    return spans


def parse(nlp: Language, text: str, *, max_chars: int | None = None) -> Doc:
    """Return ``nlp(text)``, parsing a long text piece by piece (same text, same offsets).

    ``max_chars`` defaults to :data:`CHUNK_CHARS`, read at call time.
    """
    limit = max(1, min(max_chars or CHUNK_CHARS, nlp.max_length))
    # spaCy cannot encode a lone surrogate (possible in a str from JSON); U+FFFD takes
    # its place one for one, so every offset still points at the same character
    text = _SURROGATE.sub("\ufffd", text)
    if len(text) <= limit:
        return nlp(text)
    from spacy.tokens import Doc

    spans = split_spans(text, limit)
    docs = list(nlp.pipe(text[s:e] for s, e in spans))
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    joined = doc.text
    # kg's tokenizer reads typographic quotes as ASCII ones, one character for one
    if joined != text and joined != fold_quotes(text):  # pragma: no cover  (a spaCy bug)
        raise RuntimeError("joining the parsed pieces changed the text")
    return doc


def _shift_evidence(ev: Evidence, offset: int) -> Evidence:
    return dataclasses.replace(ev, start=ev.start + offset, end=ev.end + offset)


def _merge(old: Entity, new: Entity) -> Entity:
    return dataclasses.replace(
        old, aliases=old.aliases | new.aliases, mentions=old.mentions + new.mentions,
        wikidata=old.wikidata or new.wikidata, description=old.description or new.description,
    )


def extract_in_pieces(
    document: Document,
    nlp: Language,
    extract_piece: Callable[[Document, Any], Extraction],
    *,
    max_chars: int | None = None,
) -> Extraction:
    """Extract a long document piece by piece and merge the results.

    Args:
        document: the whole document.
        nlp: the pipeline that parses each piece.
        extract_piece: ``(piece_document, parsed_piece) -> Extraction``; the piece is
            ``document`` with the piece's text (same id, source and metadata).
        max_chars: longest piece (default :data:`CHUNK_CHARS`, read at call time).

    Returns:
        One Extraction of ``document`` whose offsets, sentence numbers and evidence
        point into the whole text; stance ids of later pieces get the piece's offset
        as a suffix, so they stay unique.
    """
    limit = max(1, min(max_chars or CHUNK_CHARS, nlp.max_length))
    entities: dict[str, Entity] = {}
    relations, stances = [], []
    sentences = 0
    for start, end in split_spans(document.text, limit):
        piece = dataclasses.replace(document, text=document.text[start:end])
        parsed = parse(nlp, piece.text, max_chars=limit)
        ex = extract_piece(piece, parsed)
        for e in ex.entities:
            moved = dataclasses.replace(e, mentions=tuple(
                dataclasses.replace(m, start=m.start + start, end=m.end + start,
                                    sent=m.sent + sentences) for m in e.mentions))
            entities[e.id] = _merge(entities[e.id], moved) if e.id in entities else moved
        relations += [dataclasses.replace(r, evidence=_shift_evidence(r.evidence, start))
                      for r in ex.relations]
        stances += [dataclasses.replace(s, id=s.id if not start else f"{s.id}-{start}",
                                        evidence=_shift_evidence(s.evidence, start))
                    for s in ex.stances]
        sentences += sum(1 for _ in parsed.sents)
    return Extraction(document, tuple(sorted(entities.values(), key=lambda e: e.id)),
                      tuple(relations), tuple(stances))
