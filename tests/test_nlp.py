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
