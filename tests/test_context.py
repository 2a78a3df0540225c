"""Name shapes: "<company> + word" is a product unless the word ends an organisation's name."""

from __future__ import annotations

import pytest
import spacy

from kg.context import is_org_name_word, product_shaped
from kg.pipeline import extract
from kg.types import Document, EntityType as T, Predicate


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def span(blank, name: str):
    doc = blank(name)
    return doc[:]


@pytest.mark.parametrize("name", ["Quonix Nova", "Quonix Studio Pro", "Quonix Pay", "Quonix X2"])
def test_company_and_a_product_word_is_product_shaped(blank, name):
    assert product_shaped(span(blank, name), frozenset({"Quonix"}))


@pytest.mark.parametrize("name", ["Rotherford United", "Rotherford City", "Rotherford Athletic",
                                  "Rotherford Rovers", "Rotherford FC", "Rotherford Club",
                                  "Rotherford Foundation", "Rotherford Trust", "Rotherford Group",
                                  "Rotherford Holdings", "Rotherford Bank", "Rotherford University",
                                  "Rotherford Council", "Rotherford Association",
                                  "Rotherford Partners", "Rotherford Capital", "Rotherford Ventures"])
def test_company_and_an_organisation_word_is_not_product_shaped(blank, name):
    assert not product_shaped(span(blank, name), frozenset({"Rotherford"}))


@pytest.mark.parametrize(("word", "expected"), [("United", True), ("F.C.", True), ("Trust", True),
                                                ("Nova", False), ("Pay", False)])
def test_is_org_name_word(word, expected):
    assert is_org_name_word(word) is expected


def test_club_with_its_short_form_alone_gets_no_product_of(nlp):
    text = ("Rotherford United won the league on Saturday. Manager Tom Gaskell said Rotherford "
            "had played well all season.\n\nSeparately, the drugmaker Pelmont launched the asthma "
            "inhaler Breathix in March. Acme Robotics also released Acme Nova, a new robot. "
            "Acme said Acme Nova would ship in May.")
    ex = extract(Document.from_text(text), nlp=nlp)
    names = {e.id: e for e in ex.entities}
    types = {e.name: e.type for e in ex.entities}
    products = {(names[r.subject].name, names[r.object].name) for r in ex.relations
                if r.predicate == Predicate.PRODUCT_OF}
    assert types.get("Rotherford United") != T.PRODUCT
    assert not any(s == "Rotherford United" for s, _ in products)
    assert types.get("Acme Nova") == T.PRODUCT and types.get("Breathix") == T.PRODUCT
    assert ("Acme Nova", "Acme") in products or ("Acme Nova", "Acme Robotics") in products
