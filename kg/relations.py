"""Extract relations between entities from the grammar of each sentence.

The rules read spaCy's dependency parse, never mere co-occurrence: "X's CEO Y",
"Y, chief executive of X", "X launched Y", "A and B are competing", "X ended its
agreement with Y" ... Each rule is a function ``rule(ctx, sent)`` in
:mod:`kg.rules_roles` (people: positions, employers, founders, interviews) or
:mod:`kg.rules_business` (companies: products, competitors, partners, deals, places).
Pronouns and definite descriptions are resolved by :class:`~kg.coref.Resolver`.

Every fact keeps its evidence (the sentence verbatim, with character offsets into the
document), the rule's name and a confidence: the rule's own reliability times how the
arguments were found (a name is trusted more than "it" or "the company").

Examples:
    >>> from kg.types import Predicate, EntityType as T
    >>> allowed(Predicate.CEO_OF, T.PERSON, T.COMPANY), allowed(Predicate.CEO_OF, T.COMPANY, T.PERSON)
    (True, False)
    >>> allowed(Predicate.LOCATED_IN, T.COMPANY, T.COUNTRY), allowed(Predicate.LOCATED_IN, T.PERSON, T.COUNTRY)
    (True, False)
    >>> [r.__name__ for r in RULES][:2]
    ['position_frames', 'person_org_modifiers']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import rules_business, rules_roles
from .coref import Resolver
from .nlp import doc_view
from .types import Document, Entity, EntityType, Evidence, Predicate, Relation

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["SIGNATURES", "RULES", "Context", "allowed", "extract_relations"]

T = EntityType
_ORG = frozenset({T.COMPANY, T.ORGANIZATION})
_THING = _ORG | {T.PRODUCT}
_PLACE = frozenset({T.COUNTRY, T.PLACE})

#: Which entity types each predicate may join (subject types, object types).
SIGNATURES: dict[Predicate, tuple[frozenset[EntityType], frozenset[EntityType]]] = {
    Predicate.HOLDS_POSITION: (frozenset({T.PERSON}), frozenset({T.POSITION})),
    Predicate.WORKS_FOR: (frozenset({T.PERSON}), _THING),
    Predicate.CEO_OF: (frozenset({T.PERSON}), _THING),
    Predicate.FOUNDER_OF: (frozenset({T.PERSON}), _THING),
    Predicate.INTERVIEWED_BY: (frozenset({T.PERSON}), _ORG | {T.PERSON}),
    Predicate.PRODUCT_OF: (frozenset({T.PRODUCT}), _ORG),
    Predicate.COMPETITOR_OF: (_THING, _THING),
    Predicate.PARTNER_OF: (_THING, _THING),
    Predicate.INVESTED_IN: (_ORG | {T.PERSON}, _THING),
    Predicate.ACQUIRED: (_ORG | {T.PERSON}, _THING),
    Predicate.SUBSIDIARY_OF: (_ORG, _ORG),
    Predicate.LOCATED_IN: (_ORG | _PLACE, _PLACE),
    Predicate.INTERVIEWER: (frozenset({T.EVENT}), _ORG | {T.PERSON}),
    Predicate.INTERVIEWEE: (frozenset({T.EVENT}), frozenset({T.PERSON})),
    Predicate.OUTLET: (frozenset({T.EVENT}), _ORG | {T.PRODUCT}),
}


def allowed(predicate: Predicate, subject: EntityType, obj: EntityType) -> bool:
    """True when the data model lets ``predicate`` join entities of these types."""
    subj_types, obj_types = SIGNATURES[predicate]
    return subject in subj_types and obj in obj_types


@dataclass
class Context:
    """What a rule needs: the parse, the resolver, and where to put its facts."""

    doc: Doc
    document: Document
    res: Resolver
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    events: dict[str, Entity] = field(default_factory=dict)
    done: set[tuple[str, str]] = field(default_factory=set)  # (rule, key) read once per document
    # relations by subject id, in the order added: employers() must not scan every fact
    by_subject: dict[str, list[Relation]] = field(default_factory=dict, repr=False)
    # what a rule derives once per document from its entities (not per sentence)
    memo: dict[str, object] = field(default_factory=dict, repr=False)

    def evidence(self, tokens: Iterable[Token]) -> Evidence:
        """The sentence of ``tokens`` verbatim, cut to the lines they are on.

        A heading that the parser glued to the next sentence is left out, so the
        evidence is the sentence a reader would quote.
        """
        toks = list(tokens)
        # the resolver's sentence spans (Token.sent walks the sentence on every call)
        sent = self.res.sents[self.res.sent_index(toks[0])]
        text = self.document.text
        start, end = sent.start_char, sent.end_char
        # in the first token's sentence
        inside = [t for t in toks if sent.start <= t.i < sent.end]
        lo = min(t.idx for t in inside)
        hi = max(t.idx + len(t.text) for t in inside)
        nl = text.rfind("\n", start, lo)
        if nl != -1:
            start = nl + 1
        nl = text.find("\n", hi, end)
        if nl != -1:
            end = nl
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Evidence(self.document.id, text[start:end], start, end)

    def add(self, subject: Entity, predicate: Predicate, obj: Entity, tokens: Iterable[Token],
            confidence: float, rule: str, *, former: bool = False) -> Relation | None:
        """Record a fact if the types fit the predicate; returns it (or None)."""
        if subject.id == obj.id or not allowed(predicate, subject.type, obj.type):
            return None
        rel = Relation(subject.id, predicate, obj.id, self.evidence(tokens),
                       round(max(0.0, min(1.0, confidence)), 3), rule, former)
        self.relations.append(rel)
        self.by_subject.setdefault(rel.subject, []).append(rel)
        return rel

    def employers(self, person: Entity) -> list[Entity]:
        """Organisations a person was already found to work for (or lead, or found)."""
        preds = (Predicate.WORKS_FOR, Predicate.CEO_OF, Predicate.FOUNDER_OF)
        ids = [r.object for r in self.by_subject.get(person.id, ())
               if r.predicate in preds and not r.former]
        return [self.entities[i] for i in dict.fromkeys(ids) if i in self.entities]


Rule = Callable[[Context, "Sentence"], None]

#: Every relation rule, in the order they run (people first: later rules use employers).
RULES: list[Rule] = [
    rules_roles.position_frames, rules_roles.person_org_modifiers, rules_roles.work_verbs,
    rules_roles.founder_verbs, rules_roles.interviews,
    rules_business.product_possessives, rules_business.product_verbs,
    rules_business.product_copulas, rules_business.maker_nouns,
    rules_business.hyphen_compounds, rules_business.product_names,
    rules_business.competitor_nouns, rules_business.compete_verbs,
    rules_business.contest_nouns, rules_business.partner_nouns,
    rules_business.partner_verbs, rules_business.investments, rules_business.acquisitions,
    rules_business.subsidiaries, rules_business.locations,
]


class _Picks:
    """Which tokens of a document each rule's first test may accept, by sentence.

    The 20 rules ask every sentence for the tokens with one of their (large) sets of
    words or entity types: 140,000 questions on 500 articles, nearly all answered "none".
    The document's tokens are indexed once by lemma, lower-case form and entity type;
    each set a rule asks for is then looked up once per document (only the few words
    the document has), and a sentence's answer is one dictionary lookup.
    """

    def __init__(self, lemmas: list[str], lowers: list[str], kinds: list[EntityType | None],
                 sent_of: list[int], tokens: list[Token]) -> None:
        self.by_word: dict[str, list[int]] = {}
        self.by_type: dict[EntityType, list[int]] = {}
        for i, (lemma, low, kind) in enumerate(zip(lemmas, lowers, kinds)):
            self.by_word.setdefault(lemma, []).append(i)
            if low != lemma:
                self.by_word.setdefault(low, []).append(i)
            if kind is not None:
                self.by_type.setdefault(kind, []).append(i)
        self.sent_of, self.tokens = sent_of, tokens
        # (words, types) -> sentence index -> the tokens picked there, in text order
        self.found: dict[tuple, dict[int, tuple[Token, ...]]] = {}

    def pick(self, sent: int, words: Collection[str], types: Collection[EntityType]
             ) -> list[Token]:
        key = (words, types)
        try:
            found = self.found.get(key)
        except TypeError:  # a set made anew by the rule: remembered by its contents
            key = (frozenset(words), frozenset(types))
            found = self.found.get(key)
        if found is None:
            found = self.found[key] = self._group(words, types)
        return list(found.get(sent, ()))

    def _group(self, words: Collection[str], types: Collection[EntityType]
               ) -> dict[int, tuple[Token, ...]]:
        by_word, by_type = self.by_word, self.by_type
        # only the words the document has: test the smaller collection against the other
        if len(words) > len(by_word):
            hits = [i for w in by_word if w in words for i in by_word[w]]
        else:
            hits = [i for w in words if w in by_word for i in by_word[w]]
        hits += [i for k in types if k in by_type for i in by_type[k]]
        out: dict[int, list[Token]] = {}
        sent_of, tokens = self.sent_of, self.tokens
        for i in sorted(set(hits)):
            out.setdefault(sent_of[i], []).append(tokens[i])
        return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Sentence:
    """One sentence as the rules read it.

    Its tokens are made once and shared by every rule (iterating a spaCy Span builds new
    Token objects on each pass). A rule walks only the tokens its first test may accept
    (:meth:`pick`), found from an index of the document's words and entity types rather
    than from spaCy's Token attributes, and nothing in a sentence without them.
    Iterating it gives its tokens, as iterating the Span would.
    """

    span: Span
    tokens: list[Token]
    nouns: frozenset[str]  # the lemmas of its common nouns
    no: int = 0  # its index in the document
    picks: _Picks | None = field(default=None, repr=False, compare=False)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def pick(self, words: Collection[str] = (), types: Collection[EntityType] = ()
             ) -> list[Token]:
        """The tokens whose lemma or lower-case form is one of ``words`` or that name an
        entity of one of ``types``, in text order: what a rule's first test may accept."""
        return self.picks.pick(self.no, words, types)


def _sentences(doc: Doc, res: Resolver) -> Iterator[Sentence]:
    """The document's sentences, read from its token arrays at once (no Token objects)."""
    from spacy.symbols import NOUN

    view = doc_view(doc)
    lemmas, all_pos = view.lemmas, view.pos
    picks = _Picks(lemmas, view.lowers, res.token_types(), res.sent_of, res.tokens)
    for no, span in enumerate(res.sents):
        a, b = span.start, span.end
        yield Sentence(
            span, res.tokens[a:b],
            frozenset(m for m, p in zip(lemmas[a:b], all_pos[a:b]) if p == NOUN), no, picks)


def _dedupe(relations: list[Relation]) -> list[Relation]:
    """One relation per fact and sentence, keeping the most confident reading."""
    best: dict[tuple, Relation] = {}
    for r in relations:
        k = (*r.key, r.evidence.start, r.former)
        if k not in best or r.confidence > best[k].confidence:
            best[k] = r
    return sorted(best.values(), key=lambda r: (r.evidence.start, r.key, r.rule))


def extract_relations(doc: Doc, document: Document, entities: list[Entity]
                      ) -> tuple[list[Relation], list[Entity]]:
    """Read the relations stated in ``doc`` between ``entities``.

    Args:
        doc: the spaCy parse of ``document.text``.
        document: the article (evidence offsets point into its text).
        entities: the article's entities (with mentions).

    Returns:
        The relations, and new entities the rules introduced (an interview's Event).
    """
    if not doc.has_annotation("DEP"):
        return [], []  # a pipeline without a parser: no grammar to read relations from
    ctx = Context(doc, document, Resolver(doc, entities), {e.id: e for e in entities})
    for sent in _sentences(doc, ctx.res):
        for rule in RULES:
            rule(ctx, sent)
    rels = _dedupe(ctx.relations)
    return rels, sorted(ctx.events.values(), key=lambda e: e.id)
