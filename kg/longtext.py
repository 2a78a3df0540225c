"""Parse texts of any length with spaCy, keeping offsets into the original text.

spaCy refuses texts longer than ``nlp.max_length`` (1,000,000 characters by default)
because its parser and NER need memory in proportion to the text. Rather than raise
that limit, a long text is cut into pieces of at most :data:`CHUNK_CHARS` characters
at paragraph breaks (else at a sentence end, else at whitespace), the pieces are
parsed one by one, and joined back with ``Doc.from_docs``. The pieces cover the text
exactly, so the joined Doc's text *is* the original text and every character offset
the extraction stages read from it points into the original. Texts below the limit
are parsed in one go, exactly as before.

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

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["CHUNK_CHARS", "split_spans", "parse"]

#: Longest piece parsed at once (well under spaCy's default max_length of 1,000,000).
CHUNK_CHARS = 100_000

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
    if doc.text != text:  # pragma: no cover  (would be a spaCy bug; offsets must hold)
        raise RuntimeError("joining the parsed pieces changed the text")
    return doc
