"""Property-based tests (Hypothesis) of the real pipeline and model on hostile text.

For any text, including quotes, backslashes, line breaks, markup, ``onerror=``,
right-to-left and zero-width characters, NUL and other control characters, lone
surrogates and 10,000-character names: extraction never crashes, every mention and
every piece of evidence is an exact slice of the document, the Turtle kg writes parses
back (as do the JSON-LD and N-Triples, to the same triples), and the graph passes kg's
SHACL shapes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.pipeline import extract
from kg.types import Document

HOSTILE = [
    '"', "'", '"""', "\\", "\\n", "\n", "\r\n", "\r", "\t", "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">', "onerror=", "</textarea>", "]]>", "{{7*7}}", "${x}",
    "&amp;", "&lt;", "\u202e", "\u200f", "\u200b", "\u2066", "\ufeff", "\u2028", "\x00",
    "\x07", "\x1b[31m", "\x7f", "\ud800", "\udfff", "😀", "e\u0301", "%00", "@prefix",
    "<https://evil.example/>", "_:b0", "^^xsd:string", "#", "\\u0000",
]
WORDS = [
    "Acme", "Globex", "Initech", "Jane", "Doe", "John", "Smith", "Paris", "Berlin",
    "Widget", "CEO", "chief", "executive", "founded", "acquired", "said", "believes",
    "open-source", "software", "Corp.", "Inc.", "the", "of", "in", "and", "with",
]

piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(HOSTILE),
                  st.text(max_size=6))
name = st.one_of(
    st.lists(piece, min_size=1, max_size=4).map(" ".join),
    st.lists(st.sampled_from(WORDS[:9]), min_size=1, max_size=3).map(" ".join),
    st.sampled_from(["X" * 10_000, "Acme" + "\u200b" * 500 + "Corp", "A" * 2_000 + " Inc."]),
)
TEMPLATES = [
    "{a} is the CEO of {b}.", "{a} said \"{c}\" about {b}.", "{b} acquired {c} in {d}.",
    "{a}, chief executive of {b}, believes {c} is good.", "{b} competes with {c}.",
    "{a} founded {b} in {d}.\n\n{a} said: '{c}'", "{a}\\{b}\r\n{c}\t{d}",
]


@st.composite
def articles(draw) -> Document:
    parts = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=4))
    text = " ".join(t.format(a=draw(name), b=draw(name), c=draw(name), d=draw(name))
                    for t in parts)
    if draw(st.booleans()):
        text += " " + draw(st.text(max_size=80))
    title = draw(st.one_of(st.none(), name))
    url = draw(st.sampled_from([None, "https://news.example/a?b=1&c=<2>", 'x" onerror="y']))
    return Document.from_text(text, source=draw(st.sampled_from(
        ["a.txt", 'dir/"quoted" \\ name.txt', "über/<b>.html", "c.jsonl#line=3"])),
        title=title, url=url, date=draw(st.sampled_from([None, "2024-05-01", "not a date"])))


FAST = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check_slices(ex) -> None:
    text = ex.document.text
    for entity in ex.entities:
        for m in entity.mentions:
            assert 0 <= m.start <= m.end <= len(text), m
            assert m.text == text[m.start:m.end], m
    for fact in (*ex.relations, *ex.stances):
        ev = fact.evidence
        assert 0 <= ev.start <= ev.end <= len(text), ev
        assert ev.text == text[ev.start:ev.end], ev


@FAST
@given(document=articles())
def test_extraction_never_crashes_and_slices_are_exact(nlp, document):
    ex = extract(document, nlp=nlp)
    _check_slices(ex)


@settings(FAST, max_examples=12)  # pyshacl takes about a second a graph
@given(document=articles())
def test_turtle_parses_and_passes_shacl(nlp, document):
    from kg.validate import validate

    kg = KnowledgeGraph()
    kg.add(extract(document, nlp=nlp))
    turtle = serialize(kg, "turtle")
    assert "\x00" not in turtle and "\ufeff" not in turtle
    parsed = Graph().parse(data=turtle, format="turtle")
    assert len(parsed) > 0
    report = validate(kg, graph=parsed)
    assert report.conforms, report.text()
    # JSON-LD and N-Triples carry the same triples
    from rdflib.compare import isomorphic

    for fmt, parser in (("json-ld", "json-ld"), ("nt", "nt")):
        other = Graph().parse(data=serialize(kg, fmt), format=parser)
        assert isomorphic(other, parsed), fmt
    # the same input gives the same bytes
    again = KnowledgeGraph()
    again.add(extract(document, nlp=nlp))
    assert serialize(again, "turtle") == turtle


@settings(max_examples=30, deadline=None, derandomize=True)
@given(text=st.text(min_size=1, max_size=300))
def test_any_unicode_text(nlp, text):
    ex = extract(Document.from_text(text), nlp=nlp)
    _check_slices(ex)


@pytest.mark.parametrize("chunk", [40, 97, 300])
def test_long_texts_parsed_in_pieces_keep_exact_offsets(nlp, monkeypatch, chunk):
    import kg.longtext

    monkeypatch.setattr(kg.longtext, "CHUNK_CHARS", chunk)
    text = ("Acme Corp. hired Jane Doe as chief executive in Paris.\n\n"
            "She said \"Globex competes with Initech\" on Monday. ") * 6 + "X" * 150 + " Berlin."
    ex = extract(Document.from_text(text), nlp=nlp)
    _check_slices(ex)
    names = {e.name for e in ex.entities}
    assert {"Jane Doe", "Paris"} <= names, names
    # merged across pieces: one entity per id, sentence numbers follow the text
    assert len({e.id for e in ex.entities}) == len(ex.entities)
    assert len({s.id for s in ex.stances}) == len(ex.stances)
    mentions = sorted((m.start, m.sent) for e in ex.entities for m in e.mentions)
    assert [s for _, s in mentions] == sorted(s for _, s in mentions)
    assert len(next(e for e in ex.entities if e.name == "Jane Doe").mentions) >= 6


# ------------------------------------------------------------- ingest (no model)
any_char = st.characters(blacklist_categories=())  # surrogates and controls included


@settings(max_examples=200, deadline=None, derandomize=True)
@given(value=st.one_of(st.text(any_char, max_size=60), st.integers(), st.none(),
                       st.lists(st.text(max_size=3), max_size=2)),
       extra=st.dictionaries(st.sampled_from(["title", "date", "url", "id", "x"]),
                             st.one_of(st.text(any_char, max_size=10), st.booleans(),
                                       st.floats(allow_nan=True))))
def test_any_jsonl_line_gives_a_document_or_a_named_error(tmp_path_factory, value, extra):
    import json

    from kg.errors import InputError
    from kg.ingest import read_jsonl

    path = tmp_path_factory.mktemp("jsonl") / "c.jsonl"
    line = json.dumps({"text": value, **extra})  # ASCII: lone surrogates as \\ud800 escapes
    path.write_text(line + "\n", encoding="utf-8")
    (item,) = list(read_jsonl(path))
    if isinstance(item, InputError):
        assert str(item).startswith(f"{path.as_posix()!r} line 1")
    else:
        assert item.text == value and value.strip()
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogate got through


@settings(max_examples=60, deadline=None, derandomize=True)
@given(html=st.one_of(
    st.text(any_char.filter(lambda c: not "\ud800" <= c <= "\udfff"), max_size=200),
    st.lists(st.sampled_from(["<p>", "</p>", "<script>", "</script>", "<nav>", "<div", ">",
                              "&amp;", "&#0;", "<!--", "-->", "<![CDATA[", "Acme hired Jane.",
                              "<html>", "<body>", "\x00", "<meta charset='x'>"]),
             max_size=30).map("".join),
))
def test_any_html_gives_text_or_a_named_error(html):
    from kg.ingest import html_to_text

    try:
        text, meta = html_to_text(html)
    except ValueError:
        return  # read_document turns it into an InputError naming the file
    assert isinstance(text, str) and all(isinstance(v, str) for v in meta.values())
