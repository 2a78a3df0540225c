"""Resolve what a token refers to, for relation extraction.

A relation rule sees tokens; it needs entities. :class:`Resolver` answers "which entity
does this token stand for?" in four ways, most reliable first:

1. **names**: the token is inside an entity mention (multi-token mentions act as one
   unit, so a parse that splits "co-founder" into three tokens still reads as one noun);
2. **naming descriptions**: a common noun that the text names on the spot, by
   apposition or a name right after it ("the company, Acme", "computer company Apple",
   "Google, the Internet search leader");
3. **pronouns**: "he/she/his" -> the most salient preceding Person, "it/its" -> the most
   salient preceding company or organisation, "they/their" -> the most salient preceding
   group, "who/which" -> the noun its relative clause hangs on;
4. **definite descriptions**: "the company", "the South Korean company", "these
   applications" -> the most salient preceding entity of a fitting type whose known
   nationality does not contradict the description.

Salience is a small Lappin-Leass-style score: each earlier reference to an entity adds
a weight for its grammatical role (subject > object > other), halved for every sentence
back. Resolutions are computed in one left-to-right pass, so a resolved description
("these applications") counts as a reference for a later pronoun ("they").

Examples:
    >>> from kg.types import EntityType
    >>> sorted(ORG_TYPES) == sorted([EntityType.COMPANY, EntityType.ORGANIZATION])
    True
    >>> "company" in ORG_NOUNS and "app" in PRODUCT_NOUNS
    True
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .nlp import doc_view
from .types import Entity, EntityType

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence

    from spacy.tokens import Doc, Token

__all__ = [
    "ORG_TYPES", "PLACE_TYPES", "PERSON", "COMPANY_NOUNS", "INSTITUTION_NOUNS", "ORG_NOUNS",
    "PRODUCT_NOUNS", "Resolution", "Resolver",
]

ORG_TYPES = frozenset({EntityType.COMPANY, EntityType.ORGANIZATION})
PLACE_TYPES = frozenset({EntityType.COUNTRY, EntityType.PLACE})
PERSON = frozenset({EntityType.PERSON})
THING_TYPES = ORG_TYPES | {EntityType.PRODUCT}

#: Head nouns that describe a company ("the company", "the carmaker", "the website").
COMPANY_NOUNS = frozenset("""
company firm corporation giant maker carmaker automaker manufacturer chipmaker startup
start-up business conglomerate group website site network retailer publisher developer
operator provider broadcaster studio airline carrier lender insurer bank outlet leader
player rival competitor partner subsidiary unit division service club team fund
""".split())

#: Head nouns of institutions: "the commission" refers back only to an organisation
#: whose name says so ("European Commission"), never to just any salient firm.
INSTITUTION_NOUNS = frozenset("""
organization organisation agency institute institution foundation university college
school lab laboratory exchange charity nonprofit regulator ministry department
commission court council committee government parliament newspaper union association
trust federation league society party alliance coalition
""".split())

#: Head nouns that describe a company or organisation.
ORG_NOUNS = COMPANY_NOUNS | INSTITUTION_NOUNS

#: Head nouns that describe a product ("the app", "its search engine").
PRODUCT_NOUNS = frozenset("""
product app application service browser engine system device phone smartphone tablet
software platform assistant program programme tool model chatbot console computer
car vehicle game network website site series brand format suite os version chip
processor headset camera robot drug vaccine
""".split())

_WORDS = re.compile(r"\w+")
# nouns that describe a firm, body or product: a name may stand in apposition to them,
# and only they make a definite description ("the company")
_DESCRIBING_NOUNS = ORG_NOUNS | PRODUCT_NOUNS
_SUFFIX_NOUNS = frozenset({"company", "corporation", "firm", "group", "business"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_PERSON_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
_IT_PRONOUNS = frozenset({"it", "its", "itself"})
_THEY_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
_POSSESSIVES = frozenset({"its", "his", "her", "their"})
_RELATIVE = frozenset({"who", "whom", "whose", "which", "that"})
_REFERRING_PRONOUNS = _PERSON_PRONOUNS | _IT_PRONOUNS | _THEY_PRONOUNS
_MAIN_SUBJECT = 1.3
_ROLE_WEIGHT = {"nsubj": 1.0, "nsubjpass": 1.0, "dobj": 0.7, "attr": 0.7, "appos": 0.7,
                "pobj": 0.5, "poss": 0.5}


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a token stands for: the entity, how it was found and how far to trust it."""

    entity: Entity
    how: str  # "name", "apposition", "pronoun", "description"
    confidence: float


class Resolver:
    """Token -> entity lookups for one parsed document (see the module docstring).

    Args:
        doc: the spaCy parse of the document.
        entities: the document's entities; their mentions' character offsets locate them.
    """

    def __init__(self, doc: Doc, entities: list[Entity]) -> None:
        self.doc = doc
        self._entity: dict[int, Entity] = {}
        self._unit: dict[int, tuple[int, int]] = {}
        # read as arrays (iterating the Doc makes a Token object per token); tokens never
        # overlap, so their starts and ends both ascend with their index
        tok_starts = doc.to_array("IDX").tolist()
        tok_ends = [s + n for s, n in zip(tok_starts, doc.to_array("LENGTH").tolist())]
        by_start = dict(zip(tok_starts, range(len(tok_starts))))
        ends = dict(zip(tok_ends, range(len(tok_ends))))
        for entity in entities:
            for m in entity.mentions:
                first = by_start.get(m.start)
                last = ends.get(m.end)
                if first is None or last is None:  # mention cuts a token: overlap instead
                    # the tokens overlapping the mention, found by bisection
                    first = bisect_right(tok_ends, m.start)
                    last = bisect_left(tok_starts, m.end) - 1
                    if first > last:
                        continue
                for i in range(first, last + 1):
                    old = self._unit.get(i)
                    if old is None or (old[1] - old[0]) < (last - first):
                        self._entity[i] = entity
                        self._unit[i] = (first, last + 1)
        # one Token object per index, made once: ``doc[i]`` and iterating a Doc or Span
        # build a new Token every time, and the rules look at the same tokens many times
        self.tokens: list[Token] = list(doc)
        # each token's children, from the head array (shared with the grammar tests):
        # Token.children walks the token's subtree edges and makes new Tokens on every
        # call, and the rules ask often
        tokens = self.tokens
        self._kids_of: list[list[Token]] = [[tokens[c] for c in kids] if kids else []
                                            for kids in doc_view(doc).kids]
        self.sents = list(doc.sents)
        self._sent_of: list[int] = [k for k, sent in enumerate(self.sents)
                                    for _ in range(sent.start, sent.end)]
        self.nationality: dict[str, set[str]] = defaultdict(set)
        # the nouns an entity was described by ("X, the Premier League club" -> club)
        self.described: dict[str, set[str]] = defaultdict(set)
        self._refs: list[tuple[int, int, Entity, float]] = []  # (token, sent, entity, weight)
        self._ref_pos: list[int] = []  # the refs' token indices, for bisection
        self._resolved: dict[int, Resolution] = {}
        # per unit (first, end) token range: its tokens, root and outside children; rules
        # ask for the same few units many times
        self._tokens: dict[tuple[int, int], tuple[Token, ...]] = {}
        self._roots: dict[tuple[int, int], Token] = {}
        self._kids: dict[tuple[int, int], tuple[Token, ...]] = {}
        self._pass()

    # ------------------------------------------------------------------ units
    def entity_at(self, tok: Token, types: Collection[EntityType] | None = None) -> Entity | None:
        """The entity whose mention covers ``tok`` (of one of ``types``, if given)."""
        e = self._entity.get(tok.i)
        return e if e is not None and (types is None or e.type in types) else None

    def unit(self, tok: Token) -> list[Token]:
        """The tokens of the mention ``tok`` is in (just ``tok`` outside mentions)."""
        return list(self._unit_tokens(tok))

    def _unit_tokens(self, tok: Token) -> tuple[Token, ...]:
        key = self._unit.get(tok.i, (tok.i, tok.i + 1))
        found = self._tokens.get(key)
        if found is None:
            found = self._tokens[key] = tuple(self.tokens[key[0]:key[1]])
        return found

    def kids(self, tok: Token) -> Sequence[Token]:
        """The children of ``tok`` in text order, as ``tok.children`` gives them but read
        once per document (:meth:`children` gives those of its whole mention). Shared:
        callers must not change it."""
        return self._kids_of[tok.i]

    def root(self, tok: Token) -> Token:
        """The unit's syntactic head: its last token whose head lies outside the unit."""
        key = self._unit.get(tok.i)
        if key is None:  # a token outside every mention is its own unit and root
            return self.tokens[tok.i]
        found = self._roots.get(key)
        if found is None:
            span = self._unit_tokens(tok)
            ids = {t.i for t in span}
            outside = [t for t in span if t.head.i not in ids or t.head.i == t.i]
            found = self._roots[key] = outside[-1] if outside else span[-1]
        return found

    def same_unit(self, a: Token, b: Token) -> bool:
        """True when both tokens are in one mention (or are the same token)."""
        return a.i == b.i or (a.i in self._unit and self._unit.get(a.i) == self._unit.get(b.i))

    def children(self, tok: Token) -> list[Token]:
        """Children of the whole unit of ``tok`` that lie outside it, in text order."""
        key = self._unit.get(tok.i)
        if key is None:  # outside every mention: the token's own children, in text order
            return list(self._kids_of[tok.i])
        found = self._kids.get(key)
        if found is None:
            span = self._unit_tokens(tok)
            ids = {t.i for t in span}
            found = self._kids[key] = tuple(sorted(
                (c for t in span for c in self._kids_of[t.i] if c.i not in ids), key=lambda c: c.i))
        return list(found)

    def head(self, tok: Token) -> Token:
        """The head of the unit's root (the root itself at the top of a sentence)."""
        return self.root(tok).head

    def dep(self, tok: Token) -> str:
        """The dependency label of the unit's root."""
        return self.root(tok).dep_

    @property
    def sent_of(self) -> Sequence[int]:
        """For each token, the index of its sentence in :attr:`sents`. Shared: callers
        must not change it."""
        return self._sent_of

    def sent_index(self, tok: Token) -> int:
        """Index of the sentence ``tok`` is in."""
        return self._sent_of[tok.i]

    def token_types(self) -> list[EntityType | None]:
        """For each token, the type of the entity whose mention covers it (or None)."""
        found: list[EntityType | None] = [None] * len(self.tokens)
        for i, e in self._entity.items():
            found[i] = e.type
        return found

    # ------------------------------------------------------------------ resolution
    def resolve(self, tok: Token, types: Collection[EntityType] | None = None
                ) -> Resolution | None:
        """What ``tok`` refers to (an entity of one of ``types``), or None.

        Names are trusted fully; naming descriptions nearly so; pronouns and definite
        descriptions less (their ``confidence`` says how much).
        """
        e = self.entity_at(tok, types)
        if e is not None:
            return Resolution(e, "name", 1.0)
        if self.entity_at(tok) is not None:
            return None  # a named entity of another type
        named = self.named_by(tok, types)
        if named is not None:
            return Resolution(named, "apposition", 0.95)
        lower = tok.lower_
        if lower in _RELATIVE and tok.tag_ in ("WP", "WDT", "WP$") or (
                lower == "that" and tok.dep_ in ("nsubj", "nsubjpass")
                and tok.head.dep_ == "relcl"):
            if tok.head.dep_ == "relcl" and tok.head.head.i != tok.i:
                return self.resolve(tok.head.head, types)
            return None
        r = self._resolved.get(tok.i)
        if r is not None and (types is None or r.entity.type in types):
            return r
        if r is None and tok.pos_ == "PRON" and types is not None:
            # the pass resolved with default types; a rule may want another type
            r = self._antecedent(tok, types)
            if r is not None:
                return Resolution(r, "pronoun", 0.8)
        return None

    def named_by(self, tok: Token, types: Collection[EntityType] | None = None) -> Entity | None:
        """The entity a common noun is named as on the spot, by apposition or adjacency.

        "the company, Acme" (appos), "computer company Apple" (the noun modifies the
        name), "company Globex" (a name right after the noun, whatever the parse says),
        "Google, the Internet search leader" (the noun is in apposition to a name).
        """
        if tok.pos_ not in ("NOUN", "PROPN") or self.entity_at(tok) is not None:
            return None
        if tok.lemma_.lower() not in _DESCRIBING_NOUNS:
            # any noun is named by a product before it: "the Kindle electronic reader"
            for c in self.kids(tok):
                if c.dep_ in ("compound", "nmod") and c.i < tok.i:
                    e = self.entity_at(c, types)
                    if e is not None and e.type == EntityType.PRODUCT:
                        return e
            return None
        for c in self.kids(tok):
            if c.dep_ in ("appos", "compound", "nmod"):
                e = self.entity_at(c, types)
                if e is not None:
                    return e
        if tok.dep_ in ("compound", "nmod", "appos"):
            e = self.entity_at(tok.head, types)
            if e is not None:
                return e
        if tok.dep_ == "appos":
            # "the head of SAP, a German software company": the parser hung the
            # apposition on "head"; it belongs to the name just before the comma
            edge = tok.left_edge.i
            if edge >= 2 and self.doc[edge - 1].text == ",":
                e = self.entity_at(self.doc[edge - 2], types)
                if e is not None:
                    return e
        nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
        if nxt is not None and nxt.pos_ == "PROPN":
            e = self.entity_at(nxt, types)
            if e is not None and self.unit(nxt)[0].i == nxt.i:
                return e
        return None

    # ------------------------------------------------------------------ the pass
    def _weight(self, tok: Token) -> float:
        root = self.root(tok)
        w = _ROLE_WEIGHT.get(root.dep_, 0.4)
        if root.dep_ == "poss" and root.head.dep_ in ("nsubj", "nsubjpass"):
            w = 0.7
        elif root.dep_ == "compound" and root.head.pos_ in ("VERB", "AUX") \
                and root.i < root.head.i:
            # the small model reads "Velto Systems competes" as a compound of the verb:
            # a name hung on the verb before it is its subject
            w = 1.0
        return w

    def _pass(self) -> None:
        from spacy.symbols import NOUN, PRON

        # only names, pronouns and common nouns can refer: the others are skipped on the
        # part-of-speech array, without reading their Token attributes
        view = doc_view(self.doc)
        pos, lowers = view.pos, view.lowers
        seen_units: set[tuple[int, int]] = set()
        # the named tokens, pronouns and common nouns in text order; no other is read
        wanted = sorted(self._entity.keys() | {i for i, p in enumerate(pos)
                                               if p == PRON or p == NOUN})
        tokens, entity = self.tokens, self._entity
        for i in wanted:
            tok = tokens[i]
            e = entity.get(i)
            if e is not None:
                u = self._unit[i]
                if u in seen_units:
                    continue
                seen_units.add(u)
                self._add_ref(tok, e)
                self._note_nationality(tok, e)
                continue
            if pos[i] == PRON:
                if lowers[i] not in _REFERRING_PRONOUNS:
                    continue  # "I", "you", "we", "something": _resolve_in_pass skips them
                r = self._resolve_in_pass(tok)
            elif view.lemmas[i] not in _DESCRIBING_NOUNS:
                r = self._product_before(i)  # all _resolve_in_pass can find for this noun
            else:
                r = self._resolve_in_pass(tok)
            if r is not None:
                self._resolved[tok.i] = r
                self._add_ref(tok, r.entity)

    def _product_before(self, i: int) -> Resolution | None:
        """:meth:`named_by` for a noun that describes no firm, body or product, read on
        the Doc's arrays: a product named in a compound before it ("the Kindle reader")."""
        view = doc_view(self.doc)
        deps = view.deps
        for c in view.kids[i]:
            if c < i and deps[c] in ("compound", "nmod"):
                e = self._entity.get(c)
                if e is not None and e.type == EntityType.PRODUCT:
                    return Resolution(e, "apposition", 0.95)
        return None

    def _add_ref(self, tok: Token, entity: Entity) -> None:
        self._refs.append((tok.i, self._sent_of[tok.i], entity, self._weight(tok)))
        self._ref_pos.append(tok.i)

    def _resolve_in_pass(self, tok: Token) -> Resolution | None:
        lower = tok.lower_
        if tok.pos_ == "PRON":
            types = (PERSON if lower in _PERSON_PRONOUNS else THING_TYPES
                     if lower in _IT_PRONOUNS else THING_TYPES | PERSON
                     if lower in _THEY_PRONOUNS else None)
            if types is None:
                return None
            # "it"/"him" name someone other than their own clause's subject;
            # possessives and reflexives ("its", "itself") may name that subject
            free = lower in _POSSESSIVES or lower.endswith(("self", "selves"))
            # a possessive looks first in its own sentence ("X's phones sold, and its
            # rival ..."), as a reader scanning back would
            near = lower in _POSSESSIVES
            if lower in _IT_PRONOUNS:
                e = (self._antecedent(tok, ORG_TYPES, clause_free=free, near=near, main=True)
                     or self._antecedent(tok, types, clause_free=free, near=near, main=True))
            else:
                e = self._antecedent(tok, types, clause_free=free, near=near, main=True)
            return Resolution(e, "pronoun", 0.8) if e is not None else None
        if tok.pos_ != "NOUN":
            return None
        named = self.named_by(tok)
        if named is not None:
            return Resolution(named, "apposition", 0.95)
        lemma = tok.lemma_.lower()
        if lemma not in _DESCRIBING_NOUNS:
            return None  # no description of a firm, body or product (tested first: cheap)
        det = next((c.lower_ for c in self.kids(tok) if c.dep_ in ("det", "poss")), None)
        if det not in _DEFINITE:
            return None
        if any(c.pos_ == "PROPN" and c.dep_ in ("compound", "nmod") for c in self.kids(tok)):
            return None  # "the Android operating system" names its own, new referent
        named_as, needs_name = None, False
        plural = tok.tag_ in ("NNS", "NNPS")
        if plural and (lemma in ORG_NOUNS or any(c.dep_ == "nummod" for c in self.kids(tok))):
            return None  # "the two companies" is a group, not one antecedent
        if lemma in COMPANY_NOUNS:
            types = THING_TYPES if lemma in PRODUCT_NOUNS else ORG_TYPES
            # a legal suffix ("... Co.", "... Group") says nothing about which firm
            named_as = None if lemma in PRODUCT_NOUNS else lemma
        elif lemma in INSTITUTION_NOUNS:
            types, named_as = ORG_TYPES, lemma
            needs_name = True
        elif lemma in PRODUCT_NOUNS:
            types = frozenset({EntityType.PRODUCT})
        else:
            return None
        e = self._antecedent(tok, types, nationality=self._demonyms(tok), clause_free=False,
                             named_as=named_as, needs_name=needs_name)
        return Resolution(e, "description", 0.75) if e is not None else None

    def _demonyms(self, tok: Token) -> set[str]:
        """Country/place entity ids that modify a noun ("the South Korean company")."""
        out = set()
        for c in self.kids(tok):
            if c.dep_ in ("amod", "compound", "nmod", "poss"):
                for t in c.subtree:
                    e = self.entity_at(t, PLACE_TYPES)
                    if e is not None:
                        out.add(e.id)
        return out

    def _note_nationality(self, tok: Token, entity: Entity) -> None:
        if entity.type not in ORG_TYPES:
            return
        root = self.root(tok)
        kids = self.children(tok)
        nouns = [root] + [c for c in kids if c.dep_ in ("compound", "appos") and c.pos_ == "NOUN"]
        if root.dep_ in ("compound", "appos") and root.head.pos_ == "NOUN":
            nouns.append(root.head)
        for n in nouns:
            self.nationality[entity.id] |= self._demonyms(n)
            if n.i != root.i and n.pos_ == "NOUN":
                self.described[entity.id].add(n.lemma_.lower())
        for p in kids:  # "a court in Japan"
            if p.dep_ == "prep" and p.lower_ == "in":
                for o in self.kids(p):
                    e = self.entity_at(o, PLACE_TYPES)
                    if e is not None:
                        self.nationality[entity.id].add(e.id)

    def _antecedent(self, tok: Token, types: Collection[EntityType], *,
                    nationality: set[str] | None = None, clause_free: bool = True,
                    named_as: str | None = None, near: bool = False,
                    needs_name: bool = False, main: bool = False) -> Entity | None:
        """The most salient entity of ``types`` referred to before ``tok``.

        Unless ``clause_free``, references that are arguments of ``tok``'s own verb are
        skipped: in "a court ruled for the company", the company is not the court.
        An entity whose name holds the word ``named_as`` ("the bank" -> "Nordby Bank")
        is preferred; with ``needs_name`` no other entity qualifies.
        """
        here = self._sent_of[tok.i]
        clause = None if clause_free else _clause(tok)
        score: dict[str, float] = defaultdict(float)
        best_in: dict[tuple[str, int], float] = {}
        last: dict[str, int] = {}
        ents: dict[str, Entity] = {}
        # refs are in text order: walk back from ``tok`` over the last few sentences
        for k in range(bisect_left(self._ref_pos, tok.i, hi=len(self._refs)) - 1, -1, -1):
            i, s, e, w = self._refs[k]
            if here - s > 3:
                break
            if e.type not in types:
                continue
            if clause is not None and s == here and _clause(self.tokens[i]) == clause:
                continue
            if needs_name and not self._called(e, named_as):
                continue
            if nationality:
                known = self.nationality.get(e.id)
                if known and not (known & nationality):
                    continue
            if not main:
                score[e.id] += w * 0.5 ** (here - s)
            else:
                if w == 1.0 and self.root(self.tokens[i]).head.dep_ == "ROOT":
                    # for a pronoun, the main clause's subject is what the sentence is
                    # about, more than a subject inside it ("X, ..., since Y lost ...")
                    w = _MAIN_SUBJECT
                # and an entity's strongest role in each sentence counts, not how often
                # the sentence repeats it
                if best_in.get((e.id, s), 0.0) < w:
                    score[e.id] += (w - best_in.get((e.id, s), 0.0)) * 0.5 ** (here - s)
                    best_in[(e.id, s)] = w
            last.setdefault(e.id, i)
            ents[e.id] = e
        if not score:
            return None
        if named_as and not needs_name:
            titled = {k for k in score if self._called(ents[k], named_as)}
            if titled:
                score = {k: v for k, v in score.items() if k in titled}
        current = {k for k, i in last.items() if k in score and self._sent_of[i] == here}
        if near and current:
            score = {k: v for k, v in score.items() if k in current}
        for k in current:  # the sentence being read is the most recent topic
            score[k] += 0.5
        best = max(score, key=lambda k: (score[k], last[k]))
        return ents[best]

    def _called(self, entity: Entity, noun: str) -> bool:
        """True when the text described the entity by ``noun`` ("X, the club") or its
        name holds it ("Nordby Bank" for "bank"; a legal suffix like "Co." does not count)."""
        return noun in self.described.get(entity.id, ()) or (
            noun not in _SUFFIX_NOUNS and _names(entity, noun))

    def salient(self, tok: Token, types: Collection[EntityType]) -> Entity | None:
        """The most salient entity of ``types`` mentioned before ``tok`` (the topic the
        text is about at that point), for a title with no organisation: "a co-founder"."""
        return self._antecedent(tok, types)

    def references(self, entity_types: Collection[EntityType] | None = None
                   ) -> Iterator[tuple[Token, Entity]]:
        """Every (first token, entity) reference found by the pass, in text order."""
        for i, _s, e, _w in self._refs:
            if entity_types is None or e.type in entity_types:
                yield self.tokens[i], e


def _names(entity: Entity, noun: str) -> bool:
    """True when the entity's name or an alias holds ``noun`` ("Nordby Bank", "bank")."""
    return any(noun in _WORDS.findall(n.lower()) for n in (entity.name, *entity.aliases))


def _clause(tok: Token) -> int:
    """Index of the verb whose clause ``tok`` is in (-1 for a verbless line)."""
    t = tok
    for _ in range(8):
        if t.head.i == t.i:
            break
        t = t.head
        if t.pos_ in ("VERB", "AUX"):
            return t.i
    return -1
