"""Long texts: pieces that cover the text exactly, and extraction work linear in length.

The scaling tests count work, not time: every Python and C function call a stage makes
(``sys.setprofile`` events) on a text and on the same kind of text twice as long. A
stage that compares every mention with every other, or scans the whole document for
every verb, makes about four times the calls on the doubled text; a linear one about
two. The texts are invented here: made-up names, one paragraph per "article", each
with its own people and companies, pronouns and reporting verbs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import kg
from kg import linking, longtext, mentions, relations, stances
from kg.coref import Resolver
from kg.nlp import fold_quotes
from kg.types import Document

_SYL = ["var", "lo", "qui", "zen", "tor", "mal", "bri", "dex", "nor", "pha", "sel", "kan"]


def _name(k: int, parts: int = 2) -> str:
    out = []
    for _ in range(parts):
        out.append(_SYL[k % len(_SYL)])
        k //= len(_SYL)
    return "".join(out).capitalize()


def _paragraph(k: int) -> str:
    person, firm, rival = f"Tessa {_name(k, 3)}", f"{_name(k)} Labs", f"{_name(k + 77)} Systems"
    return (
        f"{firm} said on Monday that it had hired {person} as chief executive. "
        f"{person}, the chief executive of {firm}, believes that open-source software "
        f"helps smaller companies compete. She argued against strict rules for start-ups. "
        f"{firm} competes with {rival} in the market for cloud software. "
        f"The company invested $5 million in {rival}, a start-up based in Lisbon. "
        f"“We will grow,” {_name(k, 3)} said.\n\n"
    )


def _text(paragraphs: int) -> str:
    return "".join(_paragraph(k) for k in range(paragraphs))


def _work(fn, *args) -> int:
    """Work units of ``fn(*args)``: Python function calls plus lines run in kg's code."""
    count = 0

    def lines(frame, event, arg):
        nonlocal count
        count += event == "line"
        return lines

    def calls(frame, event, arg):
        nonlocal count
        count += 1
        return lines if frame.f_code.co_filename.startswith(_KG) else None

    sys.settrace(calls)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
    return count


_KG = str(Path(kg.__file__).parent)


@pytest.fixture(scope="module")
def stage_work(nlp):
    """Work each stage does on a text of 12 paragraphs and on one of 24."""
    out = {}
    for n in (12, 24):
        document = Document.from_text(_text(n), source="long.txt")
        doc = nlp(document.text)
        found = mentions.find_mentions(doc, document)
        entities = linking.link_mentions(found, document)
        out[n] = {
            "find_mentions": _work(mentions.find_mentions, doc, document),
            "Resolver": _work(Resolver, doc, entities),
            "extract_relations": _work(relations.extract_relations, doc, document, entities),
            "extract_stances": _work(stances.extract_stances, doc, document, entities),
            "kg_line_breaks": _work(nlp.get_pipe("kg_line_breaks"), nlp.make_doc(document.text)),
        }
    return out


@pytest.mark.parametrize("stage", ["find_mentions", "Resolver", "extract_relations",
                                   "extract_stances", "kg_line_breaks"])
def test_stage_work_grows_linearly_with_the_text(stage_work, stage):
    small, large = stage_work[12][stage], stage_work[24][stage]
    assert small > 0
    assert large <= 2.2 * small, f"{stage}: {small} calls on 12 paragraphs, {large} on 24"


def test_the_scaling_texts_give_the_stages_something_to_do(nlp):
    document = Document.from_text(_text(3), source="t.txt")
    doc = nlp(document.text)
    entities = linking.link_mentions(mentions.find_mentions(doc, document), document)
    found, _ = stances.extract_stances(doc, document, entities)
    rels, _ = relations.extract_relations(doc, document, entities)
    assert len({s.holder for s in found}) >= 2
    assert len(rels) >= 6


@pytest.mark.parametrize("text, limit", [
    ("One. Two.\n\nThree four.\n\nFive.", 14),
    ("x" * 25, 10),
    ("a b c d e f g h i j k", 4),
    ("Line one.\r\nLine two.\r\nLine three.", 12),
])
def test_split_spans_cover_the_text_exactly(text, limit):
    spans = longtext.split_spans(text, limit)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(0 < e - s <= limit for s, e in spans)


@pytest.mark.parametrize("limit", [0, -3])
def test_split_spans_refuses_a_limit_below_one(limit):
    with pytest.raises(ValueError, match=str(limit)):
        longtext.split_spans("text", limit)


def test_parse_in_pieces_keeps_the_text_and_offsets(nlp):
    text = _text(4)
    doc = longtext.parse(nlp, text, max_chars=300)
    assert doc.text == fold_quotes(text)  # one character for one: offsets hold
    whole = nlp(text)
    assert [t.idx for t in doc if not t.is_space] == [t.idx for t in whole if not t.is_space]


def test_extract_in_pieces_points_into_the_whole_text(nlp):
    from kg.pipeline import extract

    document = Document.from_text(_text(6), source="long.txt")
    ex = longtext.extract_in_pieces(
        document, nlp, lambda piece, parsed: extract(piece, nlp=nlp, doc=parsed), max_chars=900)
    assert ex.entities and ex.relations
    for e in ex.entities:
        for m in e.mentions:
            assert document.text[m.start:m.end] == m.text
    for r in ex.relations:
        assert document.text[r.evidence.start:r.evidence.end] == r.evidence.text
