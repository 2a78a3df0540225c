"""Job titles ("chief executive", "co-founder", "professor of law") as Position mentions.

A title is found from its head noun and the words that qualify it, not from a list of
whole phrases: "investment manager", "top technical officer" and "senior vice
president" are all the head plus its modifiers. Heads fall in two groups:

- *strong* heads (CEO, founder, president, spokeswoman, professor, ...) name a position
  wherever they occur as a noun;
- *weak* heads (manager, analyst, officer, expert, ...) also name everyday roles, so
  they count only next to a person-shaped name ("investment manager Jane Doe",
  "Jane Doe, who is the top technical officer").

:func:`canonical_position` maps a surface form to one name with aliases, so "CEO",
"chief executive" and "Chief Executive Officer" become one Position entity. It does
not need spaCy.

Examples:
    >>> canonical_position("CEO")
    ('chief executive', ('CEO', 'chief executive officer'))
    >>> canonical_position("co-founders")
    ('founder', ('co-founder', 'cofounder'))
    >>> canonical_position("Professor of Law")[0]
    'professor of law'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .nlp import doc_view

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["STRONG_HEADS", "WEAK_HEADS", "canonical_position", "find_positions", "singular"]

STRONG_HEADS = frozenset(
    """ceo cfo cto coo cio cmo cso chairman chairwoman chairperson president vice-president
    founder co-founder cofounder spokesman spokeswoman spokesperson professor prosecutor
    senator governor mayor minister ambassador chancellor treasurer secretary congressman
    congresswoman lawmaker premier commissioner""".split()
)
WEAK_HEADS = frozenset(
    """manager analyst officer expert engineer scientist researcher economist reporter
    correspondent journalist lawyer attorney judge blogger executive director editor
    consultant strategist adviser advisor designer developer investor partner head
    official owner writer author host anchor columnist producer entrepreneur lecturer
    chair""".split()
)
# Adjectives that belong to a title; other adjectives ("famous", "new") do not.
TITLE_ADJECTIVES = frozenset(
    """chief top senior junior technical executive financial operating general managing
    associate assistant deputy vice principal lead legal creative political economic
    foreign interim acting national regional global digital independent""".split()
)
# Heads whose "of + field" complement is part of the title ("professor of law").
OF_HEADS = frozenset({"professor", "minister", "secretary", "director", "head", "lecturer"})
# Multi-word titles read as one: longest first, lower case.
PHRASES = (
    "chief executive officer", "chief financial officer", "chief technology officer",
    "chief technical officer", "chief operating officer", "chief information officer",
    "chief marketing officer", "chief product officer", "chief scientist",
    "chief executive", "vice president", "managing director", "executive director",
    "editor in chief", "editor-in-chief", "prime minister", "attorney general",
    "secretary general", "general counsel", "board member",
)
_CANON: dict[str, tuple[str, tuple[str, ...]]] = {
    "ceo": ("chief executive", ("CEO", "chief executive officer")),
    "c.e.o.": ("chief executive", ("CEO", "chief executive officer")),
    "chief executive": ("chief executive", ("CEO", "chief executive officer")),
    "chief executive officer": ("chief executive", ("CEO", "chief executive officer")),
    "cfo": ("chief financial officer", ("CFO",)),
    "chief financial officer": ("chief financial officer", ("CFO",)),
    "cto": ("chief technology officer", ("CTO",)),
    "chief technology officer": ("chief technology officer", ("CTO",)),
    "coo": ("chief operating officer", ("COO",)),
    "chief operating officer": ("chief operating officer", ("COO",)),
    "cio": ("chief information officer", ("CIO",)),
    "chief information officer": ("chief information officer", ("CIO",)),
    "cmo": ("chief marketing officer", ("CMO",)),
    "chief marketing officer": ("chief marketing officer", ("CMO",)),
    # A co-founder is a founder: one Position, so both spellings meet in one node.
    "founder": ("founder", ("co-founder", "cofounder")),
    "co-founder": ("founder", ("co-founder", "cofounder")),
    "cofounder": ("founder", ("co-founder", "cofounder")),
    "vice-president": ("vice president", ()),
    "chairwoman": ("chairwoman", ("chair",)),
    "chairman": ("chairman", ("chair",)),
    "editor-in-chief": ("editor in chief", ("editor-in-chief",)),
}
# PHRASES split once and grouped by first word, in PHRASES order (longest first), so each
# token compares only the phrases that can start with it.
_PHRASES_BY_FIRST: dict[str, list[list[str]]] = {}
for _p in PHRASES:
    _PHRASES_BY_FIRST.setdefault(_p.split()[0], []).append(_p.split())
_HEADS = STRONG_HEADS | WEAK_HEADS
_TITLE_SUFFIXES = frozenset({"general", "elect", "designate", "at-large"})
_IRREGULAR = {"spokesmen": "spokesman", "spokeswomen": "spokeswoman", "chairmen": "chairman",
              "chairwomen": "chairwoman", "congressmen": "congressman"}


def singular(word: str) -> str:
    """Singular of a title word ("founders" -> "founder"); unknown words are unchanged.

    Examples:
        >>> singular("founders"), singular("spokesmen"), singular("CEOs"), singular("press")
        ('founder', 'spokesman', 'CEO', 'press')
    """
    low = word.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low.endswith("s") and low[:-1] in _HEADS:
        return word[:-1]
    return word


def canonical_position(text: str) -> tuple[str, tuple[str, ...]]:
    """One name (lower case) and its aliases for a title as written."""
    words = re.sub(r"\s+", " ", text.strip()).split(" ")
    words[-1] = singular(words[-1])
    # "professor of law": the head is before "of"
    if "of" in words:
        i = words.index("of")
        words[i - 1] = singular(words[i - 1])
    phrase = " ".join(words)
    low = phrase.lower()
    for key in (low, low.replace("chief executive officer", "chief executive")):
        if key in _CANON:
            return _CANON[key]
    return low, ()


def _is_head(tok: Token) -> bool:
    low = tok.lower_
    if tok.pos_ not in ("NOUN", "PROPN") and low not in ("ceo", "cfo", "cto", "coo"):
        return False
    s = singular(low).lower()
    return s in STRONG_HEADS or s in WEAK_HEADS


def _modifier(tok: Token) -> bool:
    """A word that can qualify a title: a title adjective or a lower-case common noun."""
    low = tok.lower_
    if low in TITLE_ADJECTIVES:
        return tok.is_lower or tok.is_title
    # Sentence-initial words are capitalised ("Stock expert ..."): judge by the tag.
    lowered = tok.is_lower or (tok.is_sent_start and tok.is_title)
    return lowered and tok.pos_ == "NOUN" and tok.tag_ != "NNS" and tok.is_alpha


def _person_shaped(tokens: list[Token]) -> bool:
    return len(tokens) >= 2 and all(t.is_title or t.is_upper for t in tokens) and all(
        t.pos_ == "PROPN" for t in tokens
    )


def _name_after(doc: Doc, i: int) -> bool:
    toks = []
    while i < len(doc) and doc[i].pos_ == "PROPN" and (doc[i].is_title or doc[i].is_upper):
        toks.append(doc[i])
        i += 1
    return _person_shaped(toks) or (
        bool(toks) and toks[0].ent_type_ == "PERSON" and len(toks) >= 1 and len(toks) <= 3
    )


def _name_before(doc: Doc, start: int) -> bool:
    """A person-shaped name shortly before: "Jane Doe, who is the ...", "Jane Doe is a ..."."""
    i = start - 1
    skipped = 0
    while i >= 0 and skipped < 5:
        t = doc[i]
        if t.pos_ == "PROPN":
            break
        if t.lower_ in {",", "who", "is", "was", "'s", "be", "a", "an", "the", "former", "now",
                        "also", "has", "been", "as", "currently", "its", "his", "her"} or t.lower_ in TITLE_ADJECTIVES:
            i -= 1
            skipped += 1
            continue
        return False
    toks = []
    while i >= 0 and doc[i].pos_ == "PROPN":
        toks.insert(0, doc[i])
        i -= 1
    return _person_shaped(toks) or any(t.ent_type_ == "PERSON" for t in toks)


def _inside_name(tok: Token) -> bool:
    return tok.ent_type_ not in ("", "PERSON", "NORP", "GPE") and tok.ent_iob_ in ("B", "I")


def find_positions(doc: Doc) -> list[Span]:
    """Spans of ``doc`` that name a job title, in text order, not overlapping.

    The span holds the title only: no determiner, possessive, organisation name or
    "former" (that is a fact about the holding, not about the title).
    """
    out: list[Span] = []
    taken: set[int] = set()
    # lower-case forms from the token array (no Token objects); only a word that starts
    # a known title phrase or is a title head ("ceo", "founders") can start a title, so
    # the loop looks at those alone
    lower = doc_view(doc).lowers
    starts = {w for w in set(lower) if w in _PHRASES_BY_FIRST or singular(w) in _HEADS}
    for i in [i for i, w in enumerate(lower) if w in starts]:
        tok = doc[i]
        if i in taken or _inside_name(tok):
            continue
        # Longest known multi-word title first.
        phrase = next(
            (p for p in _PHRASES_BY_FIRST.get(lower[i], ()) if lower[i : i + len(p)] == p), None
        )
        if phrase:
            end = i + len(phrase)
            head_idx = end - 1
            strong = True
        elif _is_head(tok):
            # Only a noun that ends its phrase is a head ("manager" not in "manager pay").
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "NOUN" and nxt.is_lower and not _is_head(nxt):
                continue
            end, head_idx = i + 1, i
            strong = singular(tok.lower_).lower() in STRONG_HEADS
        else:
            continue
        start = i
        # "co-founder", "vice-president": the tokenizer splits the hyphen off.
        if (start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in ("co", "vice")
                and not doc[start - 2].whitespace_ and not doc[start - 1].whitespace_):
            start -= 2
        # A word the NER put in a name is the employer, not part of the title ("Acme co-founder").
        while (start > 0 and i - start < 3 and _modifier(doc[start - 1]) and start - 1 not in taken
               and doc[start - 1].ent_type_ in ("", "NORP")):
            start -= 1
        # "director-general", "president-elect": a hyphenated suffix is part of the title.
        if (end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
                and not doc[end].whitespace_ and doc[end + 1].lower_ in _TITLE_SUFFIXES):
            end += 2
            strong = True
        head = singular(doc[head_idx].lower_).lower()
        if head in OF_HEADS and end + 1 < len(doc) and doc[end].lower_ == "of":
            j = end + 1
            while j < len(doc) and j - end <= 3 and doc[j].is_lower and doc[j].pos_ in ("NOUN", "ADJ"):
                j += 1
            if j > end + 1 and doc[j - 1].pos_ == "NOUN":
                end = j
        if not strong and not (_name_after(doc, end) or _name_before(doc, start)):
            continue
        span = doc[start:end]
        out.append(span)
        taken.update(range(start, end))
    return out
