"""Stances from reporting verbs, on short sentences written for these tests.

The person entities are made by hand (every exact occurrence of the name is a mention),
so these tests measure the stance rules alone, whatever the mention finder does.
"""

from __future__ import annotations

import pytest

from kg.ids import slugify
from kg.stances import extract_stances, is_reporting_verb, stance_id
from kg.types import Document, Entity, EntityType, Mention, Polarity


def entity(doc: Document, name: str, etype: EntityType = EntityType.PERSON) -> Entity:
    mentions, at = [], doc.text.find(name)
    while at >= 0:
        mentions.append(Mention(doc.id, at, at + len(name), name, etype, 0, "test"))
        at = doc.text.find(name, at + 1)
    return Entity(slugify(name), name, etype, frozenset(), tuple(mentions))


def run(nlp, text: str, *people: str, companies: tuple[str, ...] = ()):
    doc = Document.from_text(text, source="t.txt")
    ents = [entity(doc, p) for p in people]
    ents += [entity(doc, c, EntityType.COMPANY) for c in companies]
    stances, topics = extract_stances(nlp(text), doc, ents)
    names = {e.id: e.name for e in [*ents, *topics]}
    return doc, stances, topics, names


@pytest.mark.parametrize("text, people, holder, topic, polarity, verb", [
    ("Jane Doe believes that open-source software helps everyone.", ["Jane Doe"],
     "Jane Doe", "open-source software", "supports", "believe"),
    ("Jane Doe met reporters on Monday. She argued against nuclear power.", ["Jane Doe"],
     "Jane Doe", "nuclear power", "opposes", "argue"),
    ("John Smith does not believe that remote work improves productivity.", ["John Smith"],
     "John Smith", "remote work", "opposes", "believe"),
    ("Jane Doe sees electric cars as the future of transport.", ["Jane Doe"],
     "Jane Doe", "electric cars", "neutral", "see"),
    ("Jane Doe emphasized the company's commitment to renewable energy.", ["Jane Doe"],
     "Jane Doe", "renewable energy", "supports", "emphasize"),
    ("Jane Doe advocated for stricter privacy rules.", ["Jane Doe"],
     "Jane Doe", "privacy rules", "supports", "advocate"),
    ("Rather than one giant model, Jane Doe envisions many small language models.",
     ["Jane Doe"], "Jane Doe", "small language models", "supports", "envision"),
    ("Acme's chief executive, Jane Doe, says the merger will create jobs.", ["Jane Doe"],
     "Jane Doe", "merger", "neutral", "say"),
    ("\u201cPrices will rise,\u201d Jane Doe said.", ["Jane Doe"],
     "Jane Doe", "prices", "neutral", "say"),
    # a surname the mention finder missed still names the person
    ("Jane Doe joined Acme in May. Doe suggested that property taxes should fall.",
     ["Jane Doe"], "Jane Doe", "property taxes", "neutral", "suggest"),
    # "he" is the nearest person mentioned before it (no gender guessing)
    ("Jane Doe met John Smith in Paris. He said that interest rates will rise.",
     ["Jane Doe", "John Smith"], "John Smith", "interest rates", "neutral", "say"),
])
def test_stance_from_reporting_verb(nlp, text, people, holder, topic, polarity, verb):
    doc, stances, topics, names = run(nlp, text, *people)
    assert len(stances) == 1, [(s.verb, s.claim) for s in stances]
    s = stances[0]
    assert (names[s.holder], names[s.topic], s.polarity.value, s.verb) == (
        holder, topic, polarity, verb)
    assert s.id == stance_id(s.holder, s.evidence.start, s.verb)
    assert doc.text[s.evidence.start:s.evidence.end] == s.evidence.text
    assert s.evidence.doc_id == doc.id
    assert 0.0 <= s.confidence <= 1.0 and s.rule.startswith("reporting-verb")
    assert s.claim and s.claim in doc.text
    assert [t.type for t in topics] == [EntityType.TOPIC] * len(topics)


@pytest.mark.parametrize("text, people, companies", [
    ("The report says sales fell.", [], []),                        # no person at all
    ("The report says sales fell.", ["Jane Doe"], []),              # a person, not the subject
    ("Jane Doe saw the car.", ["Jane Doe"], []),                    # perception, not a view
    ("Jane Doe sold the company to Acme.", ["Jane Doe"], []),       # not a reporting verb
    ("He said that prices will rise. Jane Doe agreed.", ["Jane Doe"], []),  # no antecedent
    ("Acme believes that prices will rise.", [], ["Acme"]),         # a company, not a person
    ("Jane Doe arrived. It rained. It snowed. The wind blew. The sun set. "
     "He said that prices will rise.", ["Jane Doe"], []),           # too far back
    ("I think we will win, said a fan of Jane Doe.", ["Jane Doe"], []),
])
def test_no_stance(nlp, text, people, companies):
    _, stances, topics, _ = run(nlp, text, *people, companies=tuple(companies))
    assert stances == [] and topics == []


def test_anaphoric_topic_takes_the_previous_stance_topic(nlp):
    text = "Jane Doe praised solar power. She believes this approach will cut costs."
    _, stances, topics, names = run(nlp, text, "Jane Doe")
    assert [names[s.topic] for s in stances] == ["solar power", "solar power"]
    assert [t.name for t in topics] == ["solar power"]


def test_same_topic_text_is_one_entity_with_every_mention(nlp):
    text = ("Jane Doe believes that remote work helps families.\n"
            "John Smith argued that remote work hurts teams.")
    doc, stances, topics, names = run(nlp, text, "Jane Doe", "John Smith")
    assert len(stances) == 2 and len({s.topic for s in stances}) == 1
    (topic,) = topics
    assert topic.id == slugify("remote work")
    assert [doc.text[m.start:m.end] for m in topic.mentions] == ["remote work", "remote work"]
    assert sorted(s.polarity for s in stances) == [Polarity.OPPOSES, Polarity.SUPPORTS]


def test_evidence_is_the_sentence_without_a_heading_line(nlp):
    text = "Remote work and the office\nJane Doe believes that remote work helps families."
    doc, stances, _, _ = run(nlp, text, "Jane Doe")
    (s,) = stances
    assert s.evidence.text == "Jane Doe believes that remote work helps families."
    assert s.evidence.start == text.index("Jane Doe")


def test_topic_that_names_an_entity_reuses_it(nlp):
    text = "Jane Doe believes that Widget will sell well."
    doc = Document.from_text(text, source="t.txt")
    ents = [entity(doc, "Jane Doe"), entity(doc, "Widget", EntityType.PRODUCT)]
    stances, topics = extract_stances(nlp(text), doc, ents)
    assert [s.topic for s in stances] == ["widget"] and topics == []


def test_two_verbs_in_one_sentence_are_two_stances(nlp):
    text = ("While she believes the evidence does not support a ban, Jane Doe emphasized "
            "the need for stronger safety tools.")
    _, stances, _, names = run(nlp, text, "Jane Doe")
    assert sorted(s.verb for s in stances) == ["believe", "emphasize"]
    assert len({s.id for s in stances}) == 2


@pytest.mark.parametrize("lemma, expected", [
    ("believe", True), ("say", True), ("advocate", True), ("discuss", True),
    ("sell", False), ("buy", False), ("run", False),
])
def test_is_reporting_verb(lemma, expected):
    assert is_reporting_verb(lemma) is expected


def test_stance_id_depends_on_holder_sentence_and_verb():
    a = stance_id("jane-doe", 10, "believe")
    assert a.startswith("stance-") and a == stance_id("jane-doe", 10, "believe")
    assert len({a, stance_id("john-smith", 10, "believe"), stance_id("jane-doe", 11, "believe"),
                stance_id("jane-doe", 10, "say")}) == 4


def test_no_person_entities_means_no_work():
    doc = Document.from_text("Anything.", source="t.txt")
    assert extract_stances(None, doc, []) == ([], [])


@pytest.mark.parametrize("topic_text, etype", [
    ("Brisco", EntityType.COMPANY),  # an alias of the company's name
    ("the Harlow Foundation", EntityType.ORGANIZATION),
])
def test_topic_naming_a_company_by_alias_is_the_company(nlp, topic_text, etype):
    text = f"Jane Doe criticized {topic_text} on Monday."
    doc = Document.from_text(text, source="t.txt")
    name = topic_text.removeprefix("the ")
    at = text.find(name)
    company = Entity("org-1", name + " Group", etype, frozenset({name}),
                     (Mention(doc.id, at, at + len(name), name, etype, 0, "test"),))
    stances, topics = extract_stances(nlp(text), doc, [entity(doc, "Jane Doe"), company])
    assert [s.topic for s in stances] == ["org-1"] and topics == []


def test_topic_naming_no_entity_is_a_new_topic(nlp):
    doc, stances, topics, names = run(nlp, "Jane Doe criticized Brisco on Monday.", "Jane Doe",
                                      companies=("Velto",))
    assert [names[s.topic] for s in stances] == ["Brisco"] and [t.name for t in topics] == ["Brisco"]
