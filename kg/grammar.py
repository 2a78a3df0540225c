"""Small walks over a spaCy dependency parse, shared by the relation rules.

Every helper takes tokens and a :class:`~kg.coref.Resolver` (so multi-token names act
as one unit) and answers one grammatical question: the subjects of a verb, the objects
of its prepositions, whether it is negated or only attempted, and so on.

Examples:
    A hand-made parse of "Microsoft tried to buy Yahoo" (no trained model needed):

    >>> from spacy.tokens import Doc
    >>> from spacy.vocab import Vocab
    >>> doc = Doc(Vocab(), words=["Microsoft", "tried", "to", "buy", "Yahoo"],
    ...           heads=[1, 1, 3, 1, 3], deps=["nsubj", "ROOT", "aux", "xcomp", "dobj"],
    ...           pos=["PROPN", "VERB", "PART", "VERB", "PROPN"],
    ...           lemmas=["Microsoft", "try", "to", "buy", "Yahoo"])
    >>> is_realis(doc[1]), is_realis(doc[3])  # the trying happened, the buying did not
    (True, False)
    >>> governing_verb(doc[4]).text
    'buy'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .nlp import doc_view

if TYPE_CHECKING:
    from spacy.tokens import Token

    from .coref import Resolver

__all__ = [
    "IRREALIS_HEADS", "conjuncts", "subjects", "objects", "prep_objects", "agents",
    "governing_verb", "is_negated", "is_realis", "has_prt", "is_former",
]

#: Verbs that make a dependent action only an attempt, plan or offer, not a fact
#: ("tried to buy", "offered ... to buy", "plans to acquire").
IRREALIS_HEADS = frozenset("""
try attempt seek offer want plan propose aim hope bid consider intend expect agree
look threaten fail refuse wish prepare negotiate explore weigh mull
""".split())
_MODALS = frozenset({"will", "would", "could", "may", "might", "should", "can", "must",
                     "shall", "'ll", "wo", "ca"})
_NOT_FUTURE_MODALS = _MODALS - {"will", "would", "'ll"}  # a commitment may count as done
_TO = frozenset({"to"})
_FORMER_WORDS = frozenset({"former", "ex", "onetime", "one-time", "erstwhile", "previous",
                           "then", "past", "retired", "outgoing", "late"})


def conjuncts(tok: Token, res: Resolver) -> list[Token]:
    """``tok`` followed by the nouns coordinated with it ("A, B and C").

    A common noun that its apposition names stands for the names: "executives Jane Doe
    and John Roe" gives Jane Doe and John Roe.
    """
    out = [res.root(tok)]
    i = 0
    while i < len(out):
        for c in res.children(out[i]):
            # "A and B Corp" parsed as A modifying "B Corp": A is still a conjunct
            split = (c.dep_ in ("nmod", "compound") and res.entity_at(c) is not None
                     and res.entity_at(out[i]) is not None
                     and any(g.dep_ == "cc" for g in res.kids(c)))
            if (c.dep_ == "conj" or split) and all(not res.same_unit(c, o) for o in out):
                out.append(res.root(c))
        i += 1
    named = []
    for t in out:
        appos = [c for c in res.kids(t) if c.dep_ == "appos" and res.entity_at(c) is not None]
        ent = res.entity_at(t)
        listed = _examples(t, res) if t.pos_ == "NOUN" and ent is None else []
        if t.pos_ == "NOUN" and appos and (ent is None or ent.type == "Position"):
            named += conjuncts(appos[0], res)
        elif listed:  # "local sellers such as A and B" stands for A and B
            named += listed
        else:
            named.append(t)
    return named


def _examples(noun: Token, res: Resolver) -> list[Token]:
    """Named examples of a common noun: "sellers such as A and B", "rivals like A"."""
    out: list[Token] = []
    for c in res.kids(noun):
        if c.dep_ != "prep":
            continue
        if c.lower_ in ("like", "including") or (
                c.lower_ == "as" and any(g.lower_ == "such" for g in res.kids(c))):
            out += [t for o in res.kids(c) if o.dep_ == "pobj" for t in conjuncts(o, res)]
        elif c.lower_ == "such":
            out += [t for a in res.kids(c) if a.lower_ == "as"
                    for o in res.kids(a) if o.dep_ == "pobj" for t in conjuncts(o, res)]
    return [t for t in out if res.entity_at(t) is not None]


def _verb_subjects(verb: Token, res: Resolver) -> list[Token]:
    return [c for c in res.kids(verb) if c.dep_ in ("nsubj", "nsubjpass", "csubj")]


def subjects(verb: Token, res: Resolver, *, passive: bool | None = None) -> list[Token]:
    """The subjects of ``verb`` (and their conjuncts); shared subjects are inherited.

    A verb coordinated with another ("X won and offered ...") or controlled by it
    ("X tried to buy ...") takes that verb's subject; a relative clause ("the firm
    that makes ...") takes the noun it modifies.
    """
    v = verb
    for _ in range(6):
        subs = _verb_subjects(v, res)
        if passive is not None:
            subs = [s for s in subs if (s.dep_ == "nsubjpass") == passive]
        if subs:
            return [c for s in subs for c in conjuncts(s, res)]
        if v.dep_ == "relcl":
            return conjuncts(v.head, res)
        if v.dep_ in ("conj", "xcomp", "advcl", "acl") and v.head.i != v.i:
            if v.dep_ == "acl" and v.head.pos_ in ("NOUN", "PROPN"):
                return conjuncts(v.head, res) if v.tag_ == "VBG" else []
            v = v.head
            continue
        break
    return []


def objects(verb: Token, res: Resolver) -> list[Token]:
    """Direct objects of ``verb`` with their conjuncts."""
    return [c for o in res.kids(verb) if o.dep_ in ("dobj", "obj")
            for c in conjuncts(o, res)]


def prep_objects(tok: Token, preps: frozenset[str] | set[str], res: Resolver) -> list[Token]:
    """Objects of ``tok``'s prepositions named in ``preps`` ("with", "against", ...)."""
    out = []
    for p in res.children(tok):
        if p.dep_ in ("prep", "agent") and p.lower_ in preps:
            for o in res.kids(p):
                if o.dep_ in ("pobj", "pcomp"):
                    out.extend(conjuncts(o, res))
    return out


def agents(verb: Token, res: Resolver) -> list[Token]:
    """The by-phrase of a passive verb ("was bought by X")."""
    return prep_objects(verb, frozenset({"by"}), res)


def governing_verb(tok: Token, *, max_steps: int = 6) -> Token | None:
    """The nearest verb above ``tok`` in the tree (None at the root of a verbless line)."""
    t = tok
    for _ in range(max_steps):
        if t.head.i == t.i:
            return t if t.pos_ in ("VERB", "AUX") else None
        t = t.head
        if t.pos_ in ("VERB", "AUX"):
            return t
    return None


def is_negated(verb: Token) -> bool:
    """True for "did not buy", "never bought"."""
    # the children read from the Doc's arrays (:func:`~kg.nlp.doc_view`): ``Token.children``
    # makes a new Token for each child on every call
    view = doc_view(verb.doc)
    deps, low = view.deps, view.lowers
    return any(deps[c] == "neg" or low[c] in ("never", "not", "n't") for c in view.kids[verb.i])


def _has_aux(verb: Token, words: frozenset[str]) -> bool:
    """True when an auxiliary child of ``verb`` is one of ``words`` ("would", "to")."""
    view = doc_view(verb.doc)
    deps, low = view.deps, view.lowers
    return any(deps[c] == "aux" and low[c] in words for c in view.kids[verb.i])


def is_realis(verb: Token, *, future_ok: bool = False) -> bool:
    """True when the text states the action happened (not tried, offered, planned,
    negated or only possible).

    "X bought Y" and "Y was bought by X" are realis; "X tried to buy Y", "X offered
    $1bn to buy Y", "X would buy Y", "X did not buy Y" are not. With ``future_ok``, a
    commitment ("X will invest in Y", "X said it would invest") counts too.
    """
    if is_negated(verb):
        return False
    modals = _NOT_FUTURE_MODALS if future_ok else _MODALS
    if _has_aux(verb, modals) or _has_aux(verb, _TO):
        return False
    v = verb
    for _ in range(4):
        if v.dep_ in ("xcomp", "ccomp", "advcl", "acl", "relcl", "conj", "pcomp") \
                and v.head.i != v.i:
            if v.head.lemma_.lower() in IRREALIS_HEADS and v.dep_ != "conj":
                return False
            if v.dep_ in ("xcomp", "advcl", "pcomp") and not is_realis_shallow(v.head):
                return False
            v = v.head
            continue
        break
    return True


def is_realis_shallow(verb: Token) -> bool:
    """Negation and modals only (no walk up the tree)."""
    return not is_negated(verb) and not _has_aux(verb, _MODALS)


def has_prt(verb: Token, particle: str) -> bool:
    """True when ``verb`` carries the particle ("set up", "took over"); parsers label
    it a particle, an adverb ("stepped down") or a preposition ("took over X")."""
    view = doc_view(verb.doc)
    deps, low = view.deps, view.lowers
    return any(deps[c] in ("prt", "advmod", "prep") and low[c] == particle
               for c in view.kids[verb.i])


def is_former(tok: Token, res: Resolver) -> bool:
    """True when a noun is marked as past: "former chief executive", "ex-CEO"."""
    span = res.unit(tok)
    if any(t.lower_.startswith("ex-") or t.lower_ in _FORMER_WORDS for t in span[:2]):
        return True
    for c in res.children(tok):
        if c.dep_ in ("amod", "advmod", "compound", "nmod") and (
                c.lower_ in _FORMER_WORDS or c.lower_.startswith("ex-")):
            return True
        if c.dep_ in ("amod", "compound") and c.lower_ == "ex":
            return True
    prev = span[0].nbor(-1) if span[0].i > 0 else None
    if prev is not None and prev.lower_ in ("-", "–") and prev.i > 0 \
            and prev.nbor(-1).lower_ == "ex":
        return True
    return False
