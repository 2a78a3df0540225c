"""Sentence boundaries from kg's line-break component (needs the trained model)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("text, sentences", [
    # a heading line, then a line whose first word the parser used to cut off
    ("Acme's bet on open software\nOkafor emphasized Acme's dedication to open software, "
     "contrasting it with rivals like Globex and Initech.\n",
     ["Acme's bet on open software", "Okafor emphasized Acme's dedication to open software, "
      "contrasting it with rivals like Globex and Initech."]),
    # two sentences on one line still split after the period
    ("Okafor runs Acme. She founded it in 2001.",
     ["Okafor runs Acme.", "She founded it in 2001."]),
    # one sentence a line, no final period on the first
    ("Acme grew\nGlobex shrank.", ["Acme grew", "Globex shrank."]),
])
def test_sentences_split_only_at_line_breaks_or_end_punctuation(nlp, text, sentences):
    doc = nlp(text)
    assert [s.text.strip() for s in doc.sents] == sentences


def test_typographic_quotes_keep_offsets(nlp):
    text = "Acme’s “chief” Okafor\u00a0spoke."
    doc = nlp(text)
    assert len(doc.text) == len(text)
    for tok in doc:
        assert len(text[tok.idx: tok.idx + len(tok.text)]) == len(tok.text)
    assert [t.text for t in doc if t.is_alpha] == ["Acme", "chief", "Okafor", "spoke"]


def _line_breaks_token_by_token(doc):
    """kg_line_breaks' rules written the plain way, one Token.is_sent_start at a time
    (spaCy's setter scans the whole Doc on every call), as the reference."""
    terminal, closers = tuple('.!?:;"\')'), {'"', "'", ")", "]", "}", "»"}
    for i, tok in enumerate(doc[:-1]):
        if "\n" not in tok.text:
            continue
        first, prev = doc[i + 1].text[:1], doc[i - 1].text if i else ""
        if tok.text.count("\n") > 1 or first.isupper() or first.isdigit() or \
                first in "\"'(" or prev.endswith(terminal):
            doc[i + 1].is_sent_start = True
    for i in range(1, len(doc)):
        tok, prev = doc[i], doc[i - 1]
        if tok.is_sent_start is not None or tok.is_space or prev.is_space or "\n" in prev.text:
            continue
        if not (prev.text.endswith(terminal) or prev.text in closers):
            tok.is_sent_start = False
    return doc


@pytest.mark.parametrize("text", [
    "Acme grew\nGlobex shrank.\n\nheadline here\nlower case goes on. Next one (yes) here.",
    "“Quote,” she said.\n1. First item\n- second item\n\n\nEnd",
    "one line only",
    "\n\nLeading breaks. Then text!\n",
])
def test_line_breaks_match_the_token_by_token_rules(nlp, text):
    got = nlp.get_pipe("kg_line_breaks")(nlp.make_doc(text))
    want = _line_breaks_token_by_token(nlp.make_doc(text))
    assert [t.is_sent_start for t in got] == [t.is_sent_start for t in want]


def test_line_breaks_check_the_parse_once_not_per_token(nlp):
    from spacy.tokens import Doc

    class CountingDoc(Doc):
        checks = 0

        def has_annotation(self, attr, **kw):
            CountingDoc.checks += 1
            return super().has_annotation(attr, **kw)

    words = ["Acme", "grew", "\n", "Globex", "shrank", "."] * 200
    doc = CountingDoc(nlp.vocab, words=words)
    nlp.get_pipe("kg_line_breaks")(doc)
    assert any(t.is_sent_start for t in doc[1:])
    assert CountingDoc.checks <= 2  # spaCy's per-token setter asks once per token


def test_line_breaks_refuse_a_parsed_doc(nlp):
    doc = nlp("Acme grew.\nGlobex shrank.")
    with pytest.raises(ValueError, match="before the parser"):
        nlp.get_pipe("kg_line_breaks")(doc)


def test_doc_view_is_kept_per_thread():
    """Threads reading different documents each keep their own Doc's view."""
    import threading

    import spacy

    from kg.nlp import doc_view

    blank = spacy.blank("en")
    mine, theirs = blank("Acme makes widgets."), blank("Globex sells phones.")
    first = doc_view(mine)
    seen = []
    other = threading.Thread(target=lambda: seen.append(doc_view(theirs)))
    other.start()
    other.join()
    assert seen[0].doc is theirs and seen[0].texts[0] == "Globex"
    assert doc_view(mine) is first  # the other thread's document did not replace it
    assert doc_view(theirs) is not seen[0] and doc_view(theirs).doc is theirs
