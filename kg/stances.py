"""Stances: views a person states through a reporting verb ("X believes that ...").

A stance is read from one clause whose verb is a reporting or opinion verb (believe,
argue, emphasize, advocate, see ... as, ...) and whose subject is a person: a name, a
surname, or "he"/"she" resolved to the nearest preceding person mention. Participles
that hang on such a clause ("..., suggesting that ...") share its subject.

From the clause kg takes:

- the **claim**: the verb's complement (its clause, object or prepositional phrase);
- the **topic**: a short noun phrase the claim is about, picked by one general rule:
  a framing phrase in the sentence ("Addressing X, ...", "asked about X") first, else
  the complement clause's subject, else the verb's object or prepositional object.
  Relational nouns are looked through ("the importance of X", "a commitment to X",
  "a future with millions of X" -> X), and anaphoric phrases ("this approach",
  "these") take the topic of the holder's previous stance;
- the **polarity** from general cues: support or opposition verbs and nouns
  ("advocated for", "commitment to", "against", "challenges"), negation (which flips
  the reading), and "rather than" / "instead of" (what follows is rejected);
- the **evidence**: the sentence verbatim (a line break ends it) with its offsets.

Examples:
    >>> is_reporting_verb("believe"), is_reporting_verb("sell")
    (True, False)
    >>> stance_id("jane-doe", 10, "believe") == stance_id("jane-doe", 10, "believe")
    True
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from .ids import short_hash, slugify
from .nlp import doc_view
from .types import Document, Entity, EntityType, Evidence, Mention, Polarity, Stance

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "OPINION_VERBS", "REPORT_VERBS", "WEAK_VERBS", "is_reporting_verb", "stance_id",
    "extract_stances",
]

#: Verbs that state a view: a stance read from them is fairly certain.
OPINION_VERBS = frozenset("""
believe think argue contend insist maintain advocate envision envisage emphasize emphasise
stress reaffirm reiterate acknowledge concede admit suggest propose urge warn predict
expect hope fear doubt oppose support endorse champion favor favour reject criticize
criticise dismiss deny question defend praise welcome recommend caution see view consider
regard call push affirm assert claim declare feel
""".split())
#: Verbs that report what someone said: the view is the reported content.
REPORT_VERBS = frozenset("""
say note indicate mention state reveal explain add tell announce observe remark point
describe highlight underscore express comment report
""".split())
#: Verbs that only say a topic came up; a stance from them alone is weak.
WEAK_VERBS = frozenset("discuss address touch talk".split())

_SEE_VERBS = frozenset({"see", "view", "regard", "consider", "describe"})
_PREP_VERBS = {"advocate": "for", "call": "for", "push": "for", "argue": "against",
               "warn": "against", "caution": "against", "talk": "about", "touch": "on"}
_SUPPORT_WORDS = frozenset("""
advocate support endorse champion favor favour back praise welcome defend urge reaffirm
commitment dedication committed dedicated importance important crucial critical essential
vital key benefit beneficial accelerate enable enhance improve better help open promise
promising opportunity potential valuable
""".split())
_OPPOSE_WORDS = frozenset("""
oppose reject criticize criticise condemn dismiss deny doubt challenge against harm
harmful danger dangerous risk risky threat threaten damage worry concern skeptical
sceptical warn caution hurt undermine weaken worsen
""".split())
#: Nouns that stand for something else named in their prepositional phrase.
_LIGHT_NOUNS = frozenset("""
importance commitment dedication support idea possibility impact effect debate role vision
future focus issue question matter notion concept kind type sort form number range lot
variety set series amount part use case need value benefit risk danger threat potential
connection link relationship way approach tool view perspective plan goal aim strategy million
billion thousand hundred dozen many some all one none most each
""".split())
#: Nouns too generic to name a topic on their own.
_GENERIC_NOUNS = frozenset("""
people person user users one thing things something everything anything everyone someone
lot way time year today company firm
""".split())
_QUANTITY_WORDS = frozenset("""
many several multiple few various numerous other such same more less most least much
""".split())
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
_ANAPHORS = frozenset({"this", "these", "that", "those", "it", "they", "them", "such"})
_FRAME_VERBS = frozenset({"address", "discuss", "ask", "regard", "concern"})
_TOPIC_PREPS = frozenset({"of", "to", "on", "about", "for", "with", "in", "towards", "toward",
                          "regarding", "over", "against"})
_SUBJECT_DEPS = frozenset({"nsubj"})
_INHERIT_DEPS = frozenset({"advcl", "conj", "xcomp"})
_WINDOW = 3  # sentences back that "he"/"she" may reach


def is_reporting_verb(lemma: str) -> bool:
    """True when a verb with this lemma can state a view."""
    return lemma in OPINION_VERBS or lemma in REPORT_VERBS or lemma in WEAK_VERBS


def stance_id(holder: str, start: int, verb: str) -> str:
    """The id of the stance ``holder`` states with ``verb`` in the sentence at ``start``."""
    return "stance-" + short_hash(holder, str(start), verb)


# ---------------------------------------------------------------------------- holders
@dataclass(frozen=True)
class _PersonMention:
    start: int
    end: int
    entity: Entity


class _People:
    """Person mentions in text order, to resolve a clause's subject to a Person entity.

    Lookups bisect sorted offsets, so a long text costs log(mentions) per verb, not a
    scan of every mention.
    """

    def __init__(self, entities: list[Entity]) -> None:
        self.persons = [e for e in entities if e.type is EntityType.PERSON]
        self.mentions = sorted(
            (_PersonMention(m.start, m.end, e) for e in self.persons for m in e.mentions),
            key=lambda m: (m.start, m.end),
        )
        self._starts = [m.start for m in self.mentions]
        # running maximum of the ends: the first mention ending after x is found by
        # bisection even if mentions overlap
        self._max_ends = list(accumulate((m.end for m in self.mentions), max))
        # a name's or alias's last word (case-folded) -> the persons it may stand for
        self._surnames: dict[str, list[int]] = {}
        for k, e in enumerate(self.persons):
            for n in {e.name, *e.aliases}:
                last = n.casefold().split()[-1:]
                if last and k not in self._surnames.setdefault(last[0], [k]):
                    self._surnames[last[0]].append(k)
        self._of_person: dict[int, list[int]] = {}  # person index -> its mentions' indices
        index = {id(e): k for k, e in enumerate(self.persons)}
        for j, m in enumerate(self.mentions):
            self._of_person.setdefault(index[id(m.entity)], []).append(j)

    def at(self, start: int, end: int) -> Entity | None:
        """The first person mention (in text order) that overlaps ``[start, end)``."""
        k = bisect_right(self._max_ends, start)
        if k < len(self.mentions) and self.mentions[k].start < end:
            return self.mentions[k].entity
        return None

    def by_name(self, word: str, before: int) -> Entity | None:
        """A person whose name or alias ends with ``word`` (a surname), nearest first."""
        fits = sorted(self._surnames.get(word.casefold(), ()))
        if not fits:
            return None
        # the last mention of any fitting person that starts before ``before``
        last = max((js[bisect_left(js, before, key=lambda j: self._starts[j]) - 1]
                    for js in (self._of_person.get(k, []) for k in fits)
                    if js and self._starts[js[0]] < before), default=None)
        return self.mentions[last].entity if last is not None else self.persons[fits[0]]

    def before(self, pos: int, floor: int) -> Entity | None:
        """The person mentioned last before ``pos`` but not before ``floor``."""
        k = bisect_left(self._starts, pos) - 1
        return self.mentions[k].entity if k >= 0 and self._starts[k] >= floor else None


def _subjects(verb: Token) -> list[Token]:
    """The verb's subjects; participles and coordinated verbs share their head's."""
    tok = verb
    for _ in range(4):
        subs = [c for c in tok.children if c.dep_ in _SUBJECT_DEPS]
        if subs:
            return subs
        if tok.dep_ not in _INHERIT_DEPS or tok.head.i == tok.i:
            break
        tok = tok.head
    # A finite verb opening a sentence lost its subject to a wrong sentence split
    # ("Doe | emphasized ..."): the name just before it, on the same line, is it.
    if verb.is_sent_start and verb.tag_ in ("VBD", "VBZ", "VBP") and verb.i > 0:
        prev = verb.doc[verb.i - 1]
        if prev.pos_ in ("PROPN", "PRON") and "\n" not in prev.whitespace_ + prev.text:
            return [prev]
    return []


def _holder(verb: Token, people: _People, sent_starts: list[int]) -> tuple[Entity, bool] | None:
    """(person, resolved from a pronoun) for the verb's subject, if it is a person."""
    subs = _subjects(verb)
    # "Acme's chief executive, Jane Doe, says ...": the name in apposition holds the view
    subs += [a for sub in subs for a in sub.children if a.dep_ == "appos"]
    for sub in subs:
        span = sub.doc[sub.left_edge.i: sub.i + 1]
        name_toks = [t for t in span if t.dep_ in ("compound", "flat") or t.i == sub.i]
        start = min(t.idx for t in name_toks)
        person = people.at(start, sub.idx + len(sub.text))
        if person:
            return person, False
        if sub.lower_ in _PERSON_PRONOUNS:
            k = bisect_right(sent_starts, sub.idx) - 1
            person = people.before(sub.idx, sent_starts[max(0, k - _WINDOW)])
            if person is None and sub.head.dep_ == "advcl" and sub.head.i < sub.head.head.i:
                # "While she believes X, Jane Doe said Y": the main clause names her
                main = [t for t in sub.head.head.children if t.dep_ in _SUBJECT_DEPS]
                person = next((people.at(t.idx, t.idx + len(t)) for t in main
                               if people.at(t.idx, t.idx + len(t))), None)
            if person:
                return person, True
        elif sub.pos_ == "PROPN":
            person = people.by_name(sub.text, sub.idx)
            if person:
                return person, False
    return None


# ---------------------------------------------------------------------------- claims
def _complements(verb: Token) -> list[Token]:
    """The children of ``verb`` that carry what is claimed.

    A reported clause may come first ("“...,” she said"); other complements follow.
    """
    keep = ("ccomp", "dobj", "xcomp", "attr", "acomp", "oprd", "dative", "prep", "parataxis")
    out = [c for c in verb.children
           if c.dep_ in keep and (c.i > verb.i or c.dep_ in ("ccomp", "parataxis"))]
    if not out and verb.dep_ == "parataxis":  # "It will pay, he says, by ...": the host clause
        out = [verb.head]
    return out


def _is_clause(comp: Token, verb: Token) -> bool:
    return comp.dep_ in ("ccomp", "parataxis") or comp.i == verb.head.i != verb.i


def _claim_span(verb: Token, line: tuple[int, int]) -> Span | None:
    comps = [c for c in _complements(verb) if line[0] <= c.idx < line[1]]
    if not comps:
        return None
    start = min(c.left_edge.i for c in comps)
    end = max(c.right_edge.i for c in comps) + 1
    doc = verb.doc
    while start < end and (doc[start].idx < line[0] or doc[start].is_punct
                           or doc[start].dep_ == "mark"):
        start += 1
    while end > start and doc[end - 1].idx >= line[1]:
        end -= 1
    while start < end and (doc[start].is_punct or doc[start].dep_ == "mark"):
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end] if end > start else None


def _valid(verb: Token) -> bool:
    """Reporting verbs whose frame makes them state a view here."""
    lemma = verb.lemma_.lower()
    deps = {c.dep_ for c in verb.children}
    if lemma in _SEE_VERBS:  # "sees X as Y", "sees that": not "saw the car"
        return "ccomp" in deps or any(c.dep_ == "prep" and c.lower_ == "as"
                                      for c in verb.children)
    if verb.dep_ == "parataxis" and not any(c.dep_ in ("dobj", "ccomp") for c in verb.children):
        return lemma in REPORT_VERBS or lemma in OPINION_VERBS
    if lemma in _PREP_VERBS:
        wanted = _PREP_VERBS[lemma]
        if lemma in ("call", "push", "touch", "talk"):
            return any(c.dep_ == "prep" and c.lower_ == wanted for c in verb.children)
    return bool(deps & {"ccomp", "dobj", "xcomp", "prep", "attr", "acomp", "parataxis"})


# ---------------------------------------------------------------------------- topics
def _descend(noun: Token, depth: int = 0) -> Token:
    """Look through relational nouns: "the importance of X" -> X."""
    if depth > 4 or noun.lemma_.lower() not in _LIGHT_NOUNS:
        return noun
    # "millions or even billions of X": the phrase may hang on a coordinated noun
    preps = [p for n in (noun, *noun.conjuncts) for p in n.children]
    for prep in preps:
        if prep.dep_ != "prep" or prep.lower_ not in _TOPIC_PREPS:
            continue
        for obj in prep.children:
            if obj.dep_ == "pobj":
                return _descend(obj, depth + 1)
            if obj.dep_ == "pcomp":  # "the importance of maintaining connections to X"
                options = [c for c in obj.children if c.dep_ in ("dobj", "attr")]
                options += [g for c in obj.children if c.dep_ == "prep"
                            for g in c.children if g.dep_ == "pobj"]
                for target in options:  # "commitment to providing tools for X"
                    found = _descend(target, depth + 1)
                    if _usable(found):
                        return found
    for acl in noun.children:  # "a commitment to cut emissions" -> emissions
        if acl.dep_ == "acl" and acl.i > noun.i:
            obj = next((c for c in acl.children if c.dep_ == "dobj"), None)
            if obj is not None and _usable(_descend(obj, depth + 1)):
                return _descend(obj, depth + 1)
    for rel in noun.children:  # "a future where creators ..." -> creators
        if rel.dep_ == "relcl":
            sub = next((c for c in rel.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if sub is not None and sub.lower_ not in _ANAPHORS and sub.pos_ != "PRON":
                return _descend(sub, depth + 1)
    return noun


def _phrase(noun: Token) -> tuple[int, int] | None:
    """Char span of the noun with its modifiers, without determiners, possessors, degree."""
    doc = noun.doc
    drop = set()
    for child in noun.lefts:
        if child.dep_ in ("det", "predet", "poss", "nummod", "quantmod", "case", "prep"):
            drop.update(t.i for t in child.subtree)
    for i in range(noun.left_edge.i, noun.i):
        if doc[i].lower_ in _QUANTITY_WORDS or doc[i].tag_ in ("JJR", "JJS", "RBR", "RBS"):
            drop.add(i)
    left = max(drop) + 1 if drop else noun.left_edge.i
    head = noun.head
    if noun.dep_ == "dobj" and head.dep_ == "acl" and head.pos_ in ("ADJ", "NOUN", "PROPN") \
            and head.i == left - 1:
        # the small model reads "commitment to clean energy" as "to clean (v.) energy"
        left = head.i
    while left < noun.i and (doc[left].is_punct or doc[left].dep_ == "cc"):
        left += 1
    end = noun.i + 1
    if end < len(doc) and doc[end].dep_ == "cc" and doc[end].head.i == noun.i:
        conj = next((c for c in noun.rights if c.dep_ == "conj"), None)
        if conj is not None:  # "AR and VR": keep coordinated nouns
            end = conj.i + 1
    toks = doc[left:end]
    if not toks or all(t.is_stop or t.is_punct for t in toks):
        return None
    return toks.start_char, toks.end_char


def _usable(noun: Token) -> bool:
    low = noun.lemma_.lower()
    if noun.pos_ == "PRON" or noun.lower_ in _ANAPHORS or noun.like_num:
        return False
    has_mods = any(c.dep_ in ("amod", "compound", "nmod", "npadvmod") for c in noun.lefts)
    if (low in _LIGHT_NOUNS or low in _GENERIC_NOUNS or noun.lower_ in _GENERIC_NOUNS) \
            and not has_mods:
        return False
    return noun.pos_ in ("NOUN", "PROPN", "X", "ADJ") or noun.dep_ in ("dobj", "pobj", "nsubj")


def _anaphoric(noun: Token) -> bool:
    if noun.lower_ in _ANAPHORS and noun.pos_ in ("PRON", "DET"):
        return True
    return any(c.dep_ == "det" and c.lower_ in ("this", "these", "that", "those", "such")
               for c in noun.children)


def _frame_topic(sent: Span, verb: Token) -> Token | None:
    """The X of "Addressing X, ..." / "When asked about X, ..." before the verb."""
    for tok in sent:
        if tok.i >= verb.i:
            break
        if tok.lemma_.lower() not in _FRAME_VERBS or tok.dep_ not in ("advcl", "acl", "pcomp"):
            continue
        for child in tok.children:
            if child.dep_ == "dobj":
                return child
            if child.dep_ == "prep" and child.lower_ in ("about", "on"):
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None:
                    return obj
    for tok in sent:  # "On X, ...", "Regarding X, ..." opening the sentence
        if tok.i >= verb.i:
            break
        if tok.dep_ == "prep" and tok.lower_ in ("regarding", "concerning") and tok.head.i == verb.i:
            return next((c for c in tok.children if c.dep_ == "pobj"), None)
    return None


def _candidates(verb: Token, sent: Span) -> list[Token]:
    """Nouns that may name the topic, best first."""
    out: list[Token] = []
    frame = _frame_topic(sent, verb)
    if frame is not None:
        out.append(frame)
    for comp in _complements(verb):
        if _is_clause(comp, verb):
            for c in comp.children:
                if c.dep_ in ("nsubj", "nsubjpass"):
                    out.append(c)
                elif c.dep_ == "csubj":  # "that maintaining a lead could be ..."
                    out += [g for g in c.children if g.dep_ == "dobj"]
            out += [c for c in comp.children if c.dep_ in ("dobj", "attr")]
            for p in comp.children:
                if p.dep_ == "prep":
                    out += [c for c in p.children if c.dep_ == "pobj"]
    for comp in _complements(verb):
        if comp.dep_ in ("dobj", "attr", "oprd"):
            out.append(comp)
        elif comp.dep_ == "xcomp":
            out += [c for c in comp.children if c.dep_ in ("dobj", "attr")]
    for comp in _complements(verb):
        if comp.dep_ == "prep" and comp.lower_ in _TOPIC_PREPS | {"as"}:
            out += [c for c in comp.children if c.dep_ == "pobj"]
    return out


# ---------------------------------------------------------------------------- polarity
def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _rejected(sent: Span) -> list[set[int]]:
    """Token indices of what "rather than" / "instead of" turn down in the sentence."""
    out = []
    low = doc_view(sent.doc).lowers  # the words compared on the array: no Token per word
    for k in range(sent.start + 1, sent.end):
        if not ((low[k] == "than" and low[k - 1] == "rather") or
                (low[k] == "of" and low[k - 1] == "instead")):
            continue
        tok = sent.doc[k]
        region = {t.i for t in tok.subtree} - {tok.i}
        if not region and tok.dep_ == "cc":  # "enhance X rather than replace them"
            conj = next((c for c in tok.head.children if c.dep_ == "conj" and c.i > tok.i), None)
            region = {t.i for t in conj.subtree} if conj is not None else set()
        if region:
            out.append(region)
    return out


def _polarity(verb: Token, claim: Span | None, topic_tok: Token | None, sent: Span) -> Polarity:
    score = 0
    words = [verb] + (list(claim) if claim is not None else [])
    lemmas = [t.lemma_.lower() for t in words]
    score += sum(1 for w in lemmas if w in _SUPPORT_WORDS)
    score -= sum(1 for w in lemmas if w in _OPPOSE_WORDS)
    if topic_tok is not None:
        for region in _rejected(sent):
            if topic_tok.i in region:
                score -= 2
            elif (claim is not None and claim.start <= min(region) < claim.end) or (
                    any(a.i == verb.i for a in sent.doc[min(region)].ancestors)):
                score += 1  # chosen over the rejected alternative of the same clause
    flips = _negated(verb)
    if claim is not None:
        heads = [t for t in claim if t.dep_ == "ccomp" and t.head.i == verb.i]
        flips ^= any(_negated(h) for h in heads)
        if any(_negated(h) for h in heads) and score == 0:
            return Polarity.OPPOSES
    if flips:
        score = -score
    return Polarity.SUPPORTS if score > 0 else Polarity.OPPOSES if score < 0 else Polarity.NEUTRAL


# ---------------------------------------------------------------------------- sentences
def _sentences(doc: Doc) -> list[Span]:
    """spaCy's sentences, with a verbless fragment glued to the sentence it starts.

    The parser sometimes cuts a name off its clause ("Jane | Doe believes ..."); a piece
    with no verb and no final punctuation, on the same line as what follows, belongs
    to it.
    """
    from spacy.symbols import AUX, VERB

    # read from the Doc's arrays: iterating each sentence made a Token per word
    view = doc_view(doc)
    verbal = {VERB, AUX}
    out: list[Span] = []
    for sent in doc.sents:
        if out:
            prev = out[-1]
            last = prev.end - 1
            # sentences are adjacent, and the whitespace after a token is one space or
            # none: a line break in or after the piece is inside one of its tokens
            fragment = verbal.isdisjoint(view.pos[prev.start:prev.end]) and \
                view.texts[last] not in (".", "!", "?", ":", ";") and \
                not any("\n" in t for t in view.texts[prev.start:prev.end])
            if fragment:
                out[-1] = doc[prev.start:sent.end]
                continue
        out.append(sent)
    return out


def _line_bounds(text: str, start: int, end: int, pos: int) -> tuple[int, int]:
    """The part of text[start:end] on the same line as ``pos``, without outer spaces."""
    s = text.rfind("\n", start, pos) + 1 or start
    s = max(s, start)
    e = text.find("\n", pos, end)
    e = end if e < 0 else e
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


#: Entity types whose name, given as a stance's topic, is that entity.
_NAMED_TOPICS = frozenset({EntityType.COMPANY, EntityType.ORGANIZATION, EntityType.PRODUCT})


@dataclass
class _Topics:
    """Topic entities by id, and each holder's last topic (for "this approach")."""

    document: Document
    existing: dict[str, Entity]
    made: dict[str, Entity]
    last: dict[str, tuple[int, str]]
    # each topic's mentions, kept apart from ``made`` so adding one costs O(1)
    mentions: dict[str, list[Mention]] = field(default_factory=dict)
    seen: set[tuple[str, Mention]] = field(default_factory=set)
    names: dict[str, str] | None = None  # casefolded name or alias -> named entity id

    def get(self, start: int, end: int, sent_no: int, proper: bool) -> str:
        """Id of the topic at text[start:end]; ``proper`` keeps a leading capital."""
        text = self.document.text[start:end]
        first = text.split()[0]
        # a common noun capitalised only because it opens the sentence is lower-cased
        name = text if proper or first.isupper() else text[:1].lower() + text[1:]
        tid = slugify(name)
        if tid in self.existing:  # the topic is a named thing already in the graph
            return tid
        named = self.named(text)
        if named is not None:  # "Acme" as a topic is the company, not a new Topic
            return named
        mention = Mention(self.document.id, start, end, text, EntityType.TOPIC, sent_no,
                          "stance-topic")
        if tid not in self.made:
            self.made[tid] = Entity(tid, name, EntityType.TOPIC, frozenset(), ())
            self.mentions[tid] = []
        if (tid, mention) not in self.seen:
            self.seen.add((tid, mention))
            self.mentions[tid].append(mention)
        return tid

    def named(self, text: str) -> str | None:
        """Id of the company, organisation or product named exactly ``text`` (or by an
        alias), ignoring case and a possessive."""
        if self.names is None:
            self.names = {}
            for e in self.existing.values():
                if e.type in _NAMED_TOPICS:
                    for n in (e.name, *e.aliases):
                        self.names.setdefault(n.casefold(), e.id)
        key = text.casefold().removesuffix("'s").removesuffix("’s").strip()
        return self.names.get(key)

    def entities(self) -> list[Entity]:
        """The topics made, by id, each with all its mentions."""
        return [dataclasses.replace(self.made[t], mentions=tuple(self.mentions[t]))
                for t in sorted(self.made)]


def _confidence(lemma: str, claim: Span | None, verb: Token, pronoun: bool,
                topic_found: bool) -> float:
    if lemma in OPINION_VERBS:
        base = 0.85
    elif lemma in REPORT_VERBS:
        base = 0.75 if any(c.dep_ == "ccomp" for c in verb.children) else 0.6
    else:
        base = 0.6 if any(c.dep_ == "ccomp" for c in verb.children) else 0.45
    if pronoun:
        base -= 0.05
    if not topic_found:
        base -= 0.1
    if claim is None:
        base -= 0.2
    return round(max(0.0, min(1.0, base)), 2)


def extract_stances(
    doc: Doc, document: Document, entities: list[Entity]
) -> tuple[list[Stance], list[Entity]]:
    """Return the stances stated in ``doc`` and the Topic entities they are about.

    Args:
        doc: ``document.text`` parsed by spaCy (tagger and dependency parser needed).
        document: the article; evidence and topic names are sliced from its text.
        entities: the document's linked entities; Person mentions give the holders.

    Returns:
        The stances in text order, and the new Topic entities (same text, same id).
    """
    people = _People(entities)
    if not people.mentions and not people.persons:
        return [], []
    sents = _sentences(doc)
    sent_starts = [s.start_char for s in sents]
    topics = _Topics(document, {e.id: e for e in entities}, {}, {})
    stances: dict[str, Stance] = {}
    from spacy.symbols import VERB

    # which tokens are verbs, read as one array: a Token is made only for those
    verbs = [i for i, pos in enumerate(doc_view(doc).pos) if pos == VERB]
    for sent_no, sent in enumerate(sents):
        for i in verbs[bisect_left(verbs, sent.start):bisect_left(verbs, sent.end)]:
            verb = doc[i]
            lemma = verb.lemma_.lower()
            if not is_reporting_verb(lemma) or not _valid(verb):
                continue
            held = _holder(verb, people, sent_starts)
            if held is None:
                continue
            holder, pronoun = held
            line = _line_bounds(document.text, sent.start_char, sent.end_char, verb.idx)
            claim = _claim_span(verb, line)
            topic_id, topic_tok = None, None
            for cand in _candidates(verb, sent):
                if not line[0] <= cand.idx < line[1]:
                    continue
                if _anaphoric(cand) and holder.id in topics.last:
                    last_sent, last_topic = topics.last[holder.id]
                    if sent_no - last_sent <= 2:
                        topic_id, topic_tok = last_topic, cand
                        break
                noun = _descend(cand)
                named = people.at(noun.idx, noun.idx + len(noun))
                if not _usable(noun) or (named is not None and named.id == holder.id):
                    continue
                span = _phrase(noun)
                if span is None or not line[0] <= span[0] < line[1]:
                    continue
                first = doc.char_span(span[0], span[1], alignment_mode="expand")[0]
                topic_id = topics.get(span[0], span[1], sent_no, first.pos_ == "PROPN")
                topic_tok = noun
                break
            if topic_id is None:
                continue
            topics.last[holder.id] = (sent_no, topic_id)
            s, e = line
            evidence = Evidence(document.id, document.text[s:e], s, e)
            sid = stance_id(holder.id, s, lemma)
            if sid in stances:
                continue
            claim_text = document.text[claim.start_char:claim.end_char] if claim else \
                document.text[s:e]
            stances[sid] = Stance(
                sid, holder.id, topic_id, claim_text,
                _polarity(verb, claim, topic_tok, sent), evidence, verb=lemma,
                confidence=_confidence(lemma, claim, verb, pronoun, True),
                rule=f"reporting-verb{'+pronoun' if pronoun else ''}",
            )
    return list(stances.values()), topics.entities()
