"""The shared dataclasses and ids (no spaCy)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, strategies as st

from kg.ids import slugify
from kg.types import Document, Evidence, Predicate, Relation


def test_document_id_depends_only_on_text():
    a = Document.from_text("same text", source="a.txt")
    b = Document.from_text("same text", source="b.txt")
    c = Document.from_text("other text", source="a.txt")
    assert a.id == b.id != c.id


def test_types_are_frozen(sample_document):
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_document.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("confidence", [-0.1, 1.5])
def test_relation_confidence_must_be_a_probability(confidence):
    ev = Evidence("d", "s", 0, 1)
    with pytest.raises(ValueError, match="confidence"):
        Relation("a", Predicate.WORKS_FOR, "b", ev, confidence)


def test_symmetric_relation_key_is_direction_free():
    ev = Evidence("d", "s", 0, 1)
    a = Relation("b", Predicate.PARTNER_OF, "a", ev)
    b = Relation("a", Predicate.PARTNER_OF, "b", ev)
    assert a.key == b.key == ("a", "partnerOf", "b")
    assert Relation("b", Predicate.WORKS_FOR, "a", ev).key == ("b", "worksFor", "a")


@given(st.text())
def test_slugs_are_iri_safe_and_stable(text):
    slug = slugify(text)
    assert slug == slugify(text)
    assert slug and len(slug) <= 80
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert slug == slug.lower()


@given(st.text(min_size=1), st.text(min_size=1))
def test_distinct_long_names_give_distinct_slugs(a, b):
    long_a, long_b = "x" * 100 + a, "x" * 100 + b
    if long_a != long_b:
        assert slugify(long_a) != slugify(long_b)
