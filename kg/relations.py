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


@dataclass(frozen=True)
class Sentence:
    """One sentence as the rules read it.

    Its tokens are made once and shared by every rule (iterating a spaCy Span builds new
    Token objects on each pass), with each token's lower-case lemma and form and the
    type of the entity it names, read once from the document's arrays. A rule walks
    only the tokens its first test may accept (:meth:`pick`), found from these lists
    rather than from spaCy's Token attributes, and nothing in a sentence without them.
    Iterating it gives its tokens, as iterating the Span would.
    """

    span: Span
    tokens: list[Token]
    lemmas: list[str]  # each token's lemma, lower-cased
    lowers: list[str]  # each token's lower-case form
    kinds: list[EntityType | None]  # the type of the entity each token names, if any
    words: frozenset[str]  # the lemmas and lower-case forms of all its tokens
    nouns: frozenset[str]  # the lemmas of its common nouns
    types: frozenset[EntityType]  # the types of the entities named in it
    # per (words, types) a rule asks for: those that occur in the document at all, and
    # the document's words and types; shared by its sentences
    in_doc: dict = field(default_factory=dict, repr=False, compare=False)
    doc_words: frozenset[str] = frozenset()
    doc_types: frozenset = frozenset()

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def pick(self, words: Collection[str] = (), types: Collection[EntityType] = ()
             ) -> list[Token]:
        """The tokens whose lemma or lower-case form is one of ``words`` or that name an
        entity of one of ``types``, in text order: what a rule's first test may accept."""
        # The 20 rules ask every sentence for their (large) word sets: each set is cut
        # once per document to the words the document has, and the sentence is tested
        # against those few. A token's words and type are in the document's, so the
        # tokens picked are the same.
        try:
            found = self.in_doc.get((words, types))
        except TypeError:  # a set that cannot be remembered: test it as it is
            found = (words, types)
        if found is None:
            found = self.in_doc[words, types] = (self.doc_words.intersection(words),
                                                 self.doc_types.intersection(types))
        words, types = found
        if self.words.isdisjoint(words) and self.types.isdisjoint(types):
            return []
        return [t for t, lemma, low, kind
                in zip(self.tokens, self.lemmas, self.lowers, self.kinds)
                if lemma in words or low in words or kind in types]


def _sentences(doc: Doc, res: Resolver) -> Iterator[Sentence]:
    """The document's sentences, read from its token arrays at once (no Token objects),
    each distinct lemma lower-cased once."""
    from spacy.symbols import NOUN

    view = doc_view(doc)
    lemmas, lowers, all_pos = view.lemmas, view.lowers, view.pos
    kinds = res.token_types()
    in_doc: dict = {}
    doc_words = frozenset(lemmas).union(lowers)
    doc_types = frozenset(kinds)  # with None if a token names no entity, as ``kinds`` has
    for span in res.sents:
        a, b = span.start, span.end
        pos = all_pos[a:b]
        sent_lemmas = lemmas[a:b]
        sent_kinds = kinds[a:b]
        yield Sentence(
            span, res.tokens[a:b], sent_lemmas, lowers[a:b], sent_kinds,
            frozenset(sent_lemmas).union(lowers[a:b]),
            frozenset(m for m, p in zip(sent_lemmas, pos) if p == NOUN),
            frozenset(k for k in sent_kinds if k is not None), in_doc, doc_words, doc_types)


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
