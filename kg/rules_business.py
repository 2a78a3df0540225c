"""Relation rules about companies: products, competitors, partners, deals and places.

Each rule is ``rule(ctx, sent)`` and adds facts through ``ctx.add`` (see
:mod:`kg.relations`). The patterns, over the dependency parse:

- productOf: "X's Y", "its Y", "X's new Y search engine", "X launched/offers/makes Y",
  "Y, made by X", "Y is a project of X", "X, which operates Y", a product named after
  its maker ("Acme Phone" -> Acme)
- competitorOf: "competitors like A and B", "X's rival Y", "A competes with B", "A and
  B are competing", "its battle with B", "the battle between A and B", "its struggle
  against B"
- partnerOf: "partnership/agreement/deal with", "A cooperates with B" (former when the
  agreement "ended")
- investedIn, acquired (only when it happened: "tried to buy" is not an acquisition),
  subsidiaryOf, locatedIn ("China's largest company, Acme", "the South Korean company",
  "Sydney company Globex", "X, based in Y")

Examples:
    >>> sorted(CONTEST_NOUNS)[:3]
    ['battle', 'clash', 'competition']
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

from .context import head_type
from .coref import ORG_NOUNS, ORG_TYPES, PERSON, PLACE_TYPES, PRODUCT_NOUNS
from .grammar import (
    IRREALIS_HEADS, agents, conjuncts, governing_verb, has_prt, is_negated, is_realis,
    objects, prep_objects, subjects,
)
from .types import Entity, EntityType, Predicate

if TYPE_CHECKING:
    from spacy.tokens import Token

    from .relations import Context, Sentence

__all__ = [
    "CONTEST_NOUNS", "product_possessives", "product_verbs", "product_copulas",
    "maker_nouns", "hyphen_compounds", "product_names", "competitor_nouns", "compete_verbs",
    "contest_nouns", "partner_nouns", "partner_verbs", "investments", "acquisitions", "subsidiaries",
    "locations",
]

PRODUCT = frozenset({EntityType.PRODUCT})
THING = ORG_TYPES | PRODUCT

_MAKE_VERBS = {"launch": 0.85, "release": 0.85, "introduce": 0.85, "unveil": 0.85,
               "debut": 0.85, "develop": 0.85, "make": 0.8, "build": 0.8, "produce": 0.8,
               "manufacture": 0.85, "design": 0.75, "create": 0.8, "publish": 0.75,
               "offer": 0.75, "sell": 0.7, "operate": 0.75, "run": 0.65, "own": 0.7,
               "roll": 0.8, "ship": 0.7, "market": 0.7}
_MADE_OF_NOUNS = frozenset({"product", "project", "service", "brand", "app", "application",
                            "creation", "platform", "website", "site", "offering"})
_MAKER_NOUNS = frozenset({"maker", "developer", "creator", "owner", "publisher", "operator",
                          "manufacturer", "producer", "provider", "designer", "seller",
                          "distributor", "inventor"})
COMPETITOR_NOUNS = frozenset({"competitor", "rival", "challenger", "foe"})
CONTEST_NOUNS = frozenset({"battle", "fight", "war", "struggle", "rivalry", "competition",
                           "race", "feud", "showdown", "clash", "duel"})
_PARTNER_NOUNS = {"partnership": 0.85, "alliance": 0.85, "collaboration": 0.85,
                  "agreement": 0.75, "pact": 0.75, "contract": 0.7, "venture": 0.75,
                  "deal": 0.7, "tie-up": 0.8, "cooperation": 0.8}
_ENDING_VERBS = frozenset({"end", "terminate", "cancel", "scrap", "drop", "exit", "abandon",
                           "break", "quit", "dissolve", "sever", "halt", "suspend"})
_PARTNER_VERBS = frozenset({"partner", "cooperate", "collaborate", "team", "ally"})
_BUY_VERBS = {"buy": 0.85, "acquire": 0.9, "purchase": 0.85, "take": 0.8, "absorb": 0.75,
              "snap": 0.75}
_REPORTING = frozenset({"say", "announce", "confirm", "tell", "state", "report", "disclose"})
_PART_OWNED = frozenset({"partly", "partially", "jointly", "part"})
_MONEY_WORDS = frozenset({"money", "funding", "funds", "capital", "cash", "financing"})
_HOLD_VERBS = frozenset({"own", "hold", "control", "buy", "acquire", "take", "have"})
_RECEIVE_VERBS = frozenset({"attract", "receive", "get", "secure", "win", "land", "draw"})
_STAKE_NOUNS = frozenset({"stake", "share", "shares", "investment", "holding"})
_UNIT_NOUNS = frozenset({"subsidiary", "unit", "division", "arm", "affiliate"})

# The words (lemma or lower-case form) a rule's first test looks for: each rule walks
# only the tokens holding them (Sentence.pick), and skips a sentence without any.
_COMPETE_WORDS = frozenset({"compete", "competes", "vie", "rival"})
_PARTNERSHIP_WORDS = frozenset({"partner", *_PARTNER_NOUNS})
_PARTNER_VERB_WORDS = _PARTNER_VERBS | {"work", "join"}  # "work together", "join forces"
_INVEST_WORDS = frozenset({"invest", "raise", "back", "fund", "finance", "percent", "%",
                           *_STAKE_NOUNS})
_ACQUIRE_WORDS = frozenset({*_BUY_VERBS, "acquisition", "purchase", "takeover", "buyout"})
_SUBSIDIARY_WORDS = _UNIT_NOUNS | {"parent", "own"}
_BASED_WORDS = frozenset({"base", "headquarter", "headquartered", "locate"})


def _res(ctx: Context, toks, types) -> list[tuple[Entity, float, Token]]:
    out = []
    for t in toks:
        r = ctx.res.resolve(t, types)
        if r is not None:
            out.append((r.entity, r.confidence, t))
    return out


def _singular_antecedent(rel: Token, verb: Token) -> Token:
    """ "A and B, which is owned by C": a singular verb after a relative pronoun speaks of
    the nearest conjunct, B, not of A."""
    if rel.lower_ not in ("which", "that", "who") or verb.dep_ != "relcl":
        return rel
    if not any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("is", "was", "has") for c in verb.children):
        return rel
    ante = verb.head
    conj = [c for c in ante.subtree if c.dep_ == "conj" and c.head.i == ante.i and c.i < verb.i]
    return conj[-1] if conj else rel


def _subjects(verb: Token, res) -> list[Token]:
    """Active subjects; when there are none, a name the parser hung on the verb as a
    compound ("Acme competes with ..." read as a noun phrase) is the subject."""
    subs = subjects(verb, res, passive=False)
    if subs:
        return subs
    return [c for c in res.children(verb) if c.dep_ == "compound" and c.i < verb.i
            and res.entity_at(c) is not None]


def _described(ctx: Context, tok: Token, types):
    """The named thing a description stands for when the description is set off
    after the name: "Acme, a German supplier that is ..." -> Acme (for "that" or
    "supplier"). Returns (entity, confidence) or None."""
    t = tok
    if t.lower_ in ("that", "which", "who") and t.head.dep_ == "relcl":
        t = t.head.head
    if t.pos_ == "NOUN" and t.dep_ == "appos":
        e = ctx.res.entity_at(t.head, types)
        if e is not None:
            return e, 0.9
    return None


def _np_head(ctx: Context, tok: Token) -> Token:
    """Climb from a name to the head of its noun phrase ("Bing" -> "engine" in
    "its new Bing search engine")."""
    res = ctx.res
    h = res.root(tok)
    for _ in range(4):
        if h.dep_ in ("compound", "nmod") and h.head.pos_ in ("NOUN", "PROPN") \
                and res.entity_at(h.head) in (None, res.entity_at(tok)) and h.head.i > h.i:
            h = h.head
        else:
            break
    return h


def _noun_objects(ctx: Context, noun: Token, preps: frozenset[str]) -> list[Token]:
    """Objects of a noun's prepositions; for a direct object also its verb's, since the
    parser often hangs the phrase on the verb ("ended its agreement | with X")."""
    out = prep_objects(noun, preps, ctx.res)
    if not out and noun.dep_ == "dobj":
        out = prep_objects(noun.head, preps, ctx.res)
    return out


def _owner(ctx: Context, noun: Token, types=THING, exclude=()) -> list[tuple[Entity, float, Token]]:
    """Whose ``noun`` it is: its possessor, an of-phrase, else the clause's subject
    (a person's employer stands in for the person)."""
    res = ctx.res
    kids = res.children(noun)
    got = _res(ctx, [c for c in kids if c.dep_ == "poss"], types)
    if got:
        return [(e, c * 0.95, t) for e, c, t in got]
    verb = governing_verb(noun)
    if verb is None:
        return []
    out = []
    for s in subjects(verb, res):
        r = res.resolve(s, types)
        if r is not None and r.entity.id not in exclude:
            out.append((r.entity, r.confidence * 0.85, s))
            continue
        rp = res.resolve(s, PERSON)
        if rp is not None:
            out += [(e, rp.confidence * 0.75, s) for e in ctx.employers(rp.entity)
                    if e.type in types and e.id not in exclude]
    return out


# ----------------------------------------------------------------------- productOf
def product_possessives(ctx: Context, sent: Sentence) -> None:
    """productOf from "X's Y", "its Y", "X's new Y search engine", "Y from X"; and
    "X's <product noun>" naming a product mentioned earlier in the sentence."""
    res = ctx.res
    seen: set[int] = set()
    products_here: list[tuple[Token, Entity]] = []
    for tok in sent.pick(PRODUCT_NOUNS, PRODUCT):
        product = res.entity_at(tok, PRODUCT)
        if product is not None:
            root = res.root(tok)
            if root.i in seen:
                continue
            seen.add(root.i)
            products_here.append((root, product))
            head = _np_head(ctx, root)
            if head.dep_ == "appos" and head.head.pos_ == "NOUN":
                head = head.head  # "its own AI chip, the X100"
            kids = res.children(root) + ([c for c in head.children] if head.i != root.i else [])
            for org, c, t in _res(ctx, [k for k in kids if k.dep_ == "poss"], ORG_TYPES):
                ctx.add(product, Predicate.PRODUCT_OF, org, [root, t], 0.85 * c, "poss-product")
            for org, c, t in _res(ctx, prep_objects(head, frozenset({"from", "by"}), res),
                                  ORG_TYPES):
                ctx.add(product, Predicate.PRODUCT_OF, org, [root, t], 0.7 * c, "product-from")
        elif (tok.pos_ == "NOUN" and tok.lemma_.lower() in PRODUCT_NOUNS and products_here
              and res.entity_at(tok) is None and res.named_by(tok) is None):
            poss = [c for c in tok.children if c.dep_ == "poss"
                    and res.entity_at(c, ORG_TYPES) is not None]
            if poss:
                root, product = products_here[-1]
                org = res.entity_at(poss[0], ORG_TYPES)
                ctx.add(product, Predicate.PRODUCT_OF, org, [root, tok, poss[0]], 0.6,
                        "poss-description")


def product_verbs(ctx: Context, sent: Sentence) -> None:
    """productOf from "X launched Y", "X offers Y", "Y was made by X", "Y, made by X",
    "X, which operates Y"."""
    res = ctx.res
    for verb in sent.pick(_MAKE_VERBS):
        lemma = verb.lemma_.lower()
        if verb.pos_ != "VERB" or lemma not in _MAKE_VERBS or is_negated(verb):
            continue
        if lemma == "roll" and not has_prt(verb, "out"):
            continue
        conf = _MAKE_VERBS[lemma]
        # objects and by-agents once, and first: most verbs have neither, and then
        # their subjects need no walk
        objs, by = objects(verb, res), agents(verb, res)
        pairs = [(o, s) for s in _subjects(verb, res) for o in objs] if objs else []
        pairs += [(_singular_antecedent(s, verb), a) for s in subjects(verb, res, passive=True)
                  for a in by] if by else []
        if by and verb.dep_ == "acl" and verb.tag_ == "VBN":
            pairs += [(p, a) for p in conjuncts(verb.head, res) for a in by]
        for p, m in pairs:
            rp, rm = res.resolve(p, PRODUCT), res.resolve(m, ORG_TYPES)
            if rp is None or rm is None:
                continue
            ctx.add(rp.entity, Predicate.PRODUCT_OF, rm.entity, [verb, p, m],
                    conf * min(rp.confidence, rm.confidence), f"verb-{lemma}")


def product_copulas(ctx: Context, sent: Sentence) -> None:
    """productOf from "Y is a project of X", "Y, a service of X"."""
    res = ctx.res
    for noun in sent.pick(_MADE_OF_NOUNS):
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in _MADE_OF_NOUNS:
            continue
        makers = _res(ctx, prep_objects(noun, frozenset({"of", "from", "by"}), res), ORG_TYPES)
        if not makers:
            continue
        if noun.dep_ in ("attr",) and noun.head.lemma_ == "be":
            items = subjects(noun.head, res)
        elif noun.dep_ == "appos":
            items = [noun.head]
        else:
            continue
        for p, pc, pt in _res(ctx, items, PRODUCT):
            for m, mc, mt in makers:
                ctx.add(p, Predicate.PRODUCT_OF, m, [noun, pt, mt], 0.8 * min(pc, mc),
                        "product-of-noun")


def maker_nouns(ctx: Context, sent: Sentence) -> None:
    """productOf from "X, the maker of Y", "the developer of Y, X", "X is the owner of
    Y" (an owned company is a subsidiary)."""
    res = ctx.res
    for noun in sent.pick(_MAKER_NOUNS):
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in _MAKER_NOUNS:
            continue
        made = prep_objects(noun, frozenset({"of"}), res)
        if not made:
            continue
        if noun.dep_ == "attr" and noun.head.lemma_ == "be":
            makers = _res(ctx, subjects(noun.head, res), ORG_TYPES)
        else:
            named = res.named_by(noun, ORG_TYPES)
            makers = [(named, 0.95, noun)] if named is not None else []
            if not makers:  # "the maker of Y, X," with X parsed as Y's apposition
                makers = _res(ctx, [c for o in made for c in res.children(o)
                                    if c.dep_ == "appos"], ORG_TYPES)
        owner = noun.lemma_.lower() == "owner"
        for m, mc, mt in makers:
            for p, pc, pt in _res(ctx, made, THING if owner else PRODUCT):
                pred = (Predicate.SUBSIDIARY_OF if p.type in ORG_TYPES
                        else Predicate.PRODUCT_OF)
                ctx.add(p, pred, m, [noun, pt, mt], 0.8 * min(mc, pc),
                        f"noun-{noun.lemma_.lower()}")


_HYPHEN_VERBS = {"own": "owned", "control": "owned", "back": "backed", "fund": "backed",
                 "finance": "backed", "make": "made", "build": "made", "develop": "made"}


def hyphen_compounds(ctx: Context, sent: Sentence) -> None:
    """"Google-owned YouTube", "Ford-backed Argo", "Samsung-made chips"."""
    res = ctx.res
    for verb in sent.pick(_HYPHEN_VERBS):
        kind = _HYPHEN_VERBS.get(verb.lemma_.lower())
        if kind is None or verb.tag_ != "VBN" or verb.dep_ != "amod":
            continue
        if verb.i == 0 or verb.nbor(-1).text not in ("-", "–"):
            continue
        agents_ = _res(ctx, [c for c in verb.children if c.dep_ in ("npadvmod", "compound", "nmod")
                             and c.i < verb.i], ORG_TYPES | PERSON)
        items = _res(ctx, [res.root(verb.head)], THING)
        for a, ac, at in agents_:
            for i, ic, it in items:
                conf = 0.8 * min(ac, ic)
                if kind == "backed":
                    ctx.add(a, Predicate.INVESTED_IN, i, [verb, at, it], conf, "hyphen-backed")
                elif i.type == EntityType.PRODUCT:
                    ctx.add(i, Predicate.PRODUCT_OF, a, [verb, at, it], conf, f"hyphen-{kind}")
                elif kind == "owned":
                    ctx.add(i, Predicate.SUBSIDIARY_OF, a, [verb, at, it], conf, "hyphen-owned")


def product_names(ctx: Context, sent: Sentence) -> None:
    """productOf for a product named after its maker: "Acme Phone" -> Acme.

    Read once, at the product's first mention that spells the maker's name.
    """
    res = ctx.res
    orgs = ctx.memo.get("maker-names")
    if orgs is None:
        # once per document: each organisation with its names long enough to match
        orgs = ctx.memo["maker-names"] = [
            (e, [n for n in {e.name, *e.aliases} if len(n) >= 3])
            for e in ctx.entities.values() if e.type in ORG_TYPES]
    for tok in sent.pick(types=PRODUCT):
        product = res.entity_at(tok, PRODUCT)
        if product is None or res.root(tok).i != tok.i:
            continue
        if ("maker-in-name", product.id) in ctx.done:
            continue
        text = " ".join(t.text for t in res.unit(tok))
        for org, names in orgs:
            if ctx.entities.get(org.id) is not org:  # replaced since (only events are added)
                continue
            # the rest must read as a name ("Acme Phone"), not an amount ("Acme 1.8 billion")
            if any(text.startswith(n + " ") and text[len(n) + 1:][:1].isalpha()
                   for n in names):
                ctx.done.add(("maker-in-name", product.id))
                ctx.add(product, Predicate.PRODUCT_OF, org, res.unit(tok), 0.7, "maker-in-name")
                break


# ----------------------------------------------------------------------- competitorOf
def _pairwise(ctx: Context, toks: list[Token], pred: Predicate, anchor: list[Token],
              conf: float, rule: str, *, former: bool = False) -> None:
    got = _res(ctx, toks, THING)
    for (a, ac, at), (b, bc, bt) in combinations(got, 2):
        ctx.add(a, pred, b, [*anchor, at, bt], conf * min(ac, bc), rule, former=former)


def _shared(ctx: Context, noun: Token, pred: Predicate, conf: float, rule: str,
            *, former: bool = False) -> None:
    """"A and B ended their joint venture": a plural possessor shared by the clause's
    coordinated subjects."""
    poss = [c for c in noun.children if c.dep_ == "poss" and c.lower_ == "their"]
    verb = governing_verb(noun)
    # "A and B have a joint venture": held by both subjects
    held = noun.dep_ == "dobj" and verb is not None and verb.lemma_.lower() in _HOLD_VERBS
    if (poss or held) and verb is not None:
        subs = subjects(verb, ctx.res)
        if len(subs) > 1:
            _pairwise(ctx, subs, pred, [noun], conf, rule, former=former)


def _relational_noun(ctx: Context, noun: Token, pred: Predicate, conf: float, rule: str,
                     *, former: bool = False) -> None:
    """"competitors like A and B", "X's rival Y", "Y, a partner of X", "A and B are rivals"."""
    res = ctx.res
    others: list[Token] = []
    for c in res.children(noun):
        if c.lower_ in ("like", "including") and c.dep_ == "prep":
            others += [t for o in c.children if o.dep_ == "pobj" for t in conjuncts(o, res)]
        elif c.lower_ == "such":
            others += prep_objects(c, frozenset({"as"}), res)
        elif c.lower_ == "as" and any(g.lower_ == "such" for g in c.children):
            others += [t for o in c.children if o.dep_ == "pobj" for t in conjuncts(o, res)]
        elif c.dep_ == "appos":
            others += conjuncts(c, res)
    owner_from_head = []
    if noun.dep_ in ("compound", "amod", "appos", "nmod") and noun.head.pos_ == "PROPN":
        others += conjuncts(noun.head, res)
        # "X's rival Y": the possessive hangs on the name
        owner_from_head = [c for c in res.children(noun.head) if c.dep_ == "poss"]
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if nxt is not None and nxt.pos_ == "PROPN" and res.entity_at(nxt, THING) is not None:
        others.append(res.root(nxt))
    targets = _res(ctx, others, THING)
    if noun.dep_ == "attr" and noun.head.lemma_ == "be":
        subs = subjects(noun.head, res)
        of = prep_objects(noun, frozenset({"of", "to"}), res)
        if of:
            for a, ac, at in _res(ctx, subs, THING):
                for b, bc, bt in _res(ctx, of, THING):
                    ctx.add(a, pred, b, [noun, at, bt], conf * min(ac, bc), rule, former=former)
        elif len(subs) > 1:
            _pairwise(ctx, subs, pred, [noun], conf, rule, former=former)
        return
    if not targets:
        return
    of = _res(ctx, prep_objects(noun, frozenset({"of", "to"}), res) + owner_from_head, THING)
    owners = of or _owner(ctx, noun, exclude={e.id for e, _c, _t in targets})
    if not owners:  # "contrasting it with competitors like A and B": the sentence's firm
        tid = {e.id for e, _c, _t in targets}
        near = [(t, e) for t in noun.sent if t.i < noun.i
                for e in [res.entity_at(t, ORG_TYPES)] if e is not None and e.id not in tid]
        owners = [(near[-1][1], 0.7, near[-1][0])] if near else []
    for o, oc, ot in owners:
        for t, tc, tt in targets:
            ctx.add(o, pred, t, [noun, ot, tt], conf * min(oc, tc), rule, former=former)


def competitor_nouns(ctx: Context, sent: Sentence) -> None:
    """competitorOf from "competitors like A and B", "X's rival Y", "A and B are rivals"."""
    for noun in sent.pick(COMPETITOR_NOUNS):
        if noun.pos_ in ("NOUN", "ADJ") and noun.lemma_.lower() in COMPETITOR_NOUNS \
                and ctx.res.entity_at(noun) is None:
            _relational_noun(ctx, noun, Predicate.COMPETITOR_OF, 0.85, f"noun-{noun.lemma_.lower()}")


def compete_verbs(ctx: Context, sent: Sentence) -> None:
    """competitorOf from "A competes with B", "A and B are competing", "A rivals B"."""
    res = ctx.res
    for verb in sent.pick(_COMPETE_WORDS):
        lemma = verb.lemma_.lower()
        if verb.lower_ == "competes" and verb.pos_ == "NOUN":
            # "X competes with Y" misread as a noun compound "X competes": the name
            # before it is still the subject
            lemma, subs = "compete", [c for c in res.children(verb) if c.dep_ == "compound"]
            if not subs and verb.i > 0 and res.entity_at(verb.nbor(-1), THING) is not None:
                subs = [res.root(verb.nbor(-1))]  # even the name itself may be misread
        elif verb.pos_ != "VERB" or lemma not in ("compete", "vie", "rival") or is_negated(verb):
            continue
        else:
            subs = _subjects(verb, res)
        objs = (objects(verb, res) if lemma == "rival"
                else prep_objects(verb, frozenset({"with", "against"}), res))
        if objs:
            for a, ac, at in _res(ctx, subs, THING):
                for b, bc, bt in _res(ctx, objs, THING):
                    ctx.add(a, Predicate.COMPETITOR_OF, b, [verb, at, bt], 0.85 * min(ac, bc),
                            f"verb-{lemma}")
        elif len(subs) > 1:
            _pairwise(ctx, subs, Predicate.COMPETITOR_OF, [verb], 0.85, f"verb-{lemma}")


def contest_nouns(ctx: Context, sent: Sentence) -> None:
    """competitorOf from "its battle with B", "the battle between A and B", "its
    struggle against B"."""
    res = ctx.res
    for noun in sent.pick(CONTEST_NOUNS):
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in CONTEST_NOUNS:
            continue
        rule = f"noun-{noun.lemma_.lower()}"
        between = prep_objects(noun, frozenset({"between"}), res)
        if len(between) > 1:
            _pairwise(ctx, between, Predicate.COMPETITOR_OF, [noun], 0.8, rule)
            continue
        # "its battle with Y", "its struggle against Y", "competition from Y"
        targets = _res(ctx, _noun_objects(ctx, noun, frozenset({"with", "against", "from"})),
                       THING)
        if not targets:
            _shared(ctx, noun, Predicate.COMPETITOR_OF, 0.75, rule)
            continue
        for o, oc, ot in _owner(ctx, noun, exclude={e.id for e, _c, _t in targets}):
            for t, tc, tt in targets:
                ctx.add(o, Predicate.COMPETITOR_OF, t, [noun, ot, tt], 0.8 * min(oc, tc), rule)


# ----------------------------------------------------------------------- partnerOf
def partner_nouns(ctx: Context, sent: Sentence) -> None:
    """partnerOf from "its partnership with B", "A ended its agreement with B"
    (former), "the alliance between A and B", "X's partner Y"."""
    res = ctx.res
    for noun in sent.pick(_PARTNERSHIP_WORDS):
        lemma = noun.lemma_.lower()
        if noun.pos_ != "NOUN" or (lemma != "partner" and lemma not in _PARTNER_NOUNS):
            continue
        verb = governing_verb(noun)
        former = (verb is not None and verb.lemma_.lower() in _ENDING_VERBS) or any(
            c.lower_ in ("former", "previous", "past") for c in noun.children)
        if lemma == "partner":
            _relational_noun(ctx, noun, Predicate.PARTNER_OF, 0.8, "noun-partner", former=former)
            continue
        if any(c.dep_ == "acl" and c.lemma_.lower() in _BUY_VERBS for c in noun.children) \
                or any(c.lemma_.lower() in _BUY_VERBS for c in noun.subtree if c.pos_ == "VERB"):
            continue  # "a deal to buy X" is an acquisition, not a partnership
        conf, rule = _PARTNER_NOUNS[lemma], f"noun-{lemma}"
        between = prep_objects(noun, frozenset({"between"}), res)
        if len(between) > 1:
            _pairwise(ctx, between, Predicate.PARTNER_OF, [noun], conf, rule, former=former)
            continue
        targets = _res(ctx, _noun_objects(ctx, noun, frozenset({"with"})), THING)
        if not targets:
            _shared(ctx, noun, Predicate.PARTNER_OF, conf, rule, former=former)
            continue
        for o, oc, ot in _owner(ctx, noun, exclude={e.id for e, _c, _t in targets}):
            for t, tc, tt in targets:
                ctx.add(o, Predicate.PARTNER_OF, t, [noun, ot, tt], conf * min(oc, tc), rule,
                        former=former)


def _together(verb: Token) -> bool:
    """"work together", "join forces"."""
    lemma = verb.lemma_.lower()
    if lemma == "work":  # "together" hangs on the verb or on its "with"
        return any(t.lower_ == "together" for c in verb.children for t in (c, *c.children)
                   if c.dep_ in ("advmod", "prep"))
    if lemma == "join":
        return any(c.lower_ == "forces" for c in verb.children)
    return False


def partner_verbs(ctx: Context, sent: Sentence) -> None:
    """partnerOf from "A partnered with B", "A will cooperate with B", "A and B teamed
    up", "A and B said they would work together"."""
    res = ctx.res
    for verb in sent.pick(_PARTNER_VERB_WORDS):
        lemma = verb.lemma_.lower()
        if verb.pos_ != "VERB" or is_negated(verb):
            continue
        if lemma not in _PARTNER_VERBS and not _together(verb):
            continue
        if lemma == "team" and not has_prt(verb, "up"):
            continue
        subs = _subjects(verb, res)
        if len(subs) == 1 and subs[0].lower_ in ("they", "we") and verb.dep_ == "ccomp":
            subs = subjects(verb.head, res)  # "A and B said they would work together"
        objs = prep_objects(verb, frozenset({"with"}), res) or [
            o for c in verb.children if c.lower_ == "together"
            for o in prep_objects(c, frozenset({"with"}), res)]
        if objs:
            for a, ac, at in _res(ctx, subs, THING):
                for b, bc, bt in _res(ctx, objs, THING):
                    ctx.add(a, Predicate.PARTNER_OF, b, [verb, at, bt], 0.8 * min(ac, bc),
                            f"verb-{lemma}")
        elif len(subs) > 1:
            _pairwise(ctx, subs, Predicate.PARTNER_OF, [verb], 0.8, f"verb-{lemma}")


# ----------------------------------------------------------------------- deals
def investments(ctx: Context, sent: Sentence) -> None:
    """investedIn from "X invested in Y", "X bought a stake in Y", "X's investment in
    Y", "Y, backed by X"."""
    res = ctx.res
    investor_types = ORG_TYPES | PERSON
    for tok in sent.pick(_INVEST_WORDS):
        lemma = tok.lemma_.lower()
        pairs: list[tuple[Token, Token]] = []
        if tok.pos_ == "VERB" and lemma == "invest" and is_realis(tok, future_ok=True):
            # "invested $10 billion in X": the parser often hangs "in X" on the amount
            holders = [tok] + [o for o in tok.children if o.dep_ in ("dobj", "npadvmod")]
            targets = [t for h in holders for t in prep_objects(h, frozenset({"in"}), res)]
            pairs = [(s, o) for s in _subjects(tok, res) for o in targets]
            conf = 0.85 if is_realis(tok) else 0.65  # "said it would invest": a commitment
        elif tok.pos_ == "NOUN" and (lemma in _STAKE_NOUNS or lemma in ("percent", "%")):
            verb = governing_verb(tok)
            if verb is not None and not is_realis(verb):
                continue
            if lemma in ("percent", "%"):
                # "X owns 20 percent of Y" (not "sales fell 9 percent")
                if verb is None or verb.lemma_.lower() not in _HOLD_VERBS or tok.dep_ != "dobj":
                    continue
                targets = _noun_objects(ctx, tok, frozenset({"of", "in"}))
            else:
                targets = _noun_objects(ctx, tok, frozenset({"in"}))
            if targets:
                owners = [c for c in tok.children if c.dep_ == "poss"]
                owners += prep_objects(tok, frozenset({"by", "from"}), res)
                if not owners and verb is not None:
                    owners = subjects(verb, res, passive=False)
                conf = 0.75
            elif verb is not None and verb.lemma_.lower() in _RECEIVE_VERBS:
                # "Y attracted investment from X": the receiver is the verb's subject.
                owners = prep_objects(tok, frozenset({"from"}), res)
                targets = subjects(verb, res, passive=False) if owners else []
                conf = 0.7
            else:
                continue
            pairs = [(o, t) for o in owners for t in targets]
        elif tok.pos_ == "VERB" and lemma == "raise" and is_realis(tok) and any(
                c.dep_ == "dobj" and (c.lower_ in _MONEY_WORDS or any(
                    g.tag_ == "$" or g.like_num for g in c.subtree)) for c in tok.children):
            # "Y raised $85 million from X" / "... from investors including X", "led by X"
            backers = prep_objects(tok, frozenset({"from"}), res)
            for b in list(backers):
                if b.pos_ == "NOUN":
                    backers += [a for c in b.children if c.dep_ == "acl"
                                and c.lemma_.lower() == "lead" for a in agents(c, res)]
            pairs = [(b, t) for t in _subjects(tok, res) for b in backers]
            conf = 0.75
        elif tok.pos_ == "VERB" and lemma in ("back", "fund", "finance") and tok.tag_ == "VBN":
            items = conjuncts(tok.head, res) if tok.dep_ == "acl" else subjects(
                tok, res, passive=True)
            pairs = [(a, i) for i in items for a in agents(tok, res)]
            conf = 0.7
        for a, b in pairs:
            ra, rb = res.resolve(a, investor_types), res.resolve(b, THING)
            if ra is None or rb is None:
                continue
            ctx.add(ra.entity, Predicate.INVESTED_IN, rb.entity, [tok, a, b],
                    conf * min(ra.confidence, rb.confidence), f"invest-{lemma}")


def _announced(verb: Token) -> bool:
    """ "X will/would buy Y", "X agreed to buy Y": a deal stated as settled, not sought."""
    if any(c.dep_ == "advcl" and any(m.lower_ in ("if", "unless") for m in c.children)
           for c in verb.children):
        return False  # "would buy Y if regulators agreed": a condition, not a deal
    would = any(c.dep_ == "aux" and c.lower_ in ("would", "'d") for c in verb.children)
    if is_realis(verb, future_ok=True):
        # a bare "X would buy Y" is hypothetical; "X said it would buy Y" is reported
        return not would or (verb.dep_ == "ccomp" and verb.head.lemma_.lower() in _REPORTING)
    head = verb.head
    return (verb.dep_ == "xcomp" and head.i != verb.i and head.lemma_.lower() == "agree"
            and is_realis(head, future_ok=True))


def acquisitions(ctx: Context, sent: Sentence) -> None:
    """acquired from "X bought/acquired Y", "Y was acquired by X", "X completed its
    purchase of Y"; never from an offer, attempt, plan or negation."""
    res = ctx.res
    buyer_types = ORG_TYPES | PERSON
    for tok in sent.pick(_ACQUIRE_WORDS):
        lemma = tok.lemma_.lower()
        pairs: list[tuple[Token, Token]] = []
        if tok.pos_ == "VERB" and lemma in _BUY_VERBS:
            if lemma == "take" and not has_prt(tok, "over"):
                continue
            if lemma == "snap" and not has_prt(tok, "up"):
                continue
            announced = False
            if not is_realis(tok):
                # "said it would acquire Y", "agreed to buy Y": a deal announced counts.
                announced = _announced(tok)
                if not announced:
                    continue
            objs = objects(tok, res)
            if lemma in ("take", "snap"):  # "took over X" with "over" read as a preposition
                objs += prep_objects(tok, frozenset({"over", "up"}), res)
            by = agents(tok, res)
            pairs = [(s, o) for s in _subjects(tok, res) for o in objs] if objs else []
            pairs += [(a, s) for s in subjects(tok, res, passive=True) for a in by] if by else []
            conf = _BUY_VERBS[lemma] * (0.8 if announced else 1.0)
        elif tok.pos_ == "NOUN" and lemma in ("acquisition", "purchase", "takeover", "buyout"):
            verb = governing_verb(tok)
            if verb is not None and (not is_realis(verb)
                                     or verb.lemma_.lower() in IRREALIS_HEADS):
                continue
            if any(c.lower_ in ("proposed", "planned", "failed", "attempted", "possible",
                                "potential", "rumored", "rumoured") for c in tok.children):
                continue
            targets = prep_objects(tok, frozenset({"of"}), res)
            owners = [c for c in tok.children if c.dep_ == "poss"]
            owners += prep_objects(tok, frozenset({"by"}), res)
            pairs = [(o, t) for o in owners for t in targets]
            conf = 0.65
        for a, b in pairs:
            ra, rb = res.resolve(a, buyer_types), res.resolve(b, THING)
            if ra is None or rb is None:
                continue
            ctx.add(ra.entity, Predicate.ACQUIRED, rb.entity, [tok, a, b],
                    conf * min(ra.confidence, rb.confidence), f"acquire-{lemma}")


def subsidiaries(ctx: Context, sent: Sentence) -> None:
    """subsidiaryOf from "X, a subsidiary of Y", "Y's unit X", "X is owned by Y",
    "Y owns X", "X's parent company Y"."""
    res = ctx.res
    for tok in sent.pick(_SUBSIDIARY_WORDS):
        lemma = tok.lemma_.lower()
        pairs: list[tuple[Token, Token, float]] = []
        if tok.pos_ == "NOUN" and lemma in _UNIT_NOUNS:
            parents = prep_objects(tok, frozenset({"of"}), res)
            parents += [c for c in tok.children if c.dep_ == "poss"]
            if tok.dep_ == "attr" and tok.head.lemma_ == "be":
                kids = subjects(tok.head, res)
            elif tok.dep_ in ("appos", "compound"):
                kids = [tok.head]
            else:
                kids = [c for c in tok.children if c.dep_ == "appos"]
            pairs = [(k, p, 0.8) for k in kids for p in parents]
        elif tok.pos_ == "NOUN" and lemma == "parent":
            children = [c for c in tok.children if c.dep_ == "poss"]
            children += prep_objects(tok, frozenset({"of"}), res)
            head = tok.head if tok.dep_ == "compound" else tok
            parents = [c for c in head.children if c.dep_ == "appos"]
            if head.dep_ == "appos":
                parents.append(head.head)
            if head.dep_ == "attr" and head.head.lemma_ == "be":
                parents += subjects(head.head, res)
            if not children:
                children = [c for c in head.children if c.dep_ == "poss"]
                children += prep_objects(head, frozenset({"of"}), res)
            pairs = [(k, p, 0.8) for k in children for p in parents]
        elif tok.pos_ == "VERB" and lemma == "own" and not is_negated(tok):
            objs, by = objects(tok, res), agents(tok, res)  # first: often neither
            pairs = [(o, s, 0.7) for s in _subjects(tok, res) for o in objs] if objs else []
            pairs += [(_singular_antecedent(s, tok), a, 0.75)
                      for s in subjects(tok, res, passive=True) for a in by] if by else []
            if by and tok.dep_ == "acl" and tok.tag_ == "VBN":
                pairs += [(k, a, 0.75) for k in conjuncts(tok.head, res) for a in by]
        for k, p, conf in pairs:
            rk, rp = res.resolve(k, THING), res.resolve(p, ORG_TYPES)
            if rp is None:
                continue
            kid = (rk.entity, rk.confidence) if rk is not None else _described(ctx, k, THING)
            if kid is None:
                continue
            if lemma == "own" and any(c.lower_ in _PART_OWNED for c in tok.children):
                # "X is partly owned by Y": a stake, not a parent
                ctx.add(rp.entity, Predicate.INVESTED_IN, kid[0], [tok, k, p],
                        conf * min(kid[1], rp.confidence), "invest-own")
                continue
            # a unit typed as a product ("YouTube, a subsidiary of Google") is its product
            pred = (Predicate.PRODUCT_OF if kid[0].type == EntityType.PRODUCT
                    else Predicate.SUBSIDIARY_OF)
            ctx.add(kid[0], pred, rp.entity, [tok, k, p],
                    conf * min(kid[1], rp.confidence), f"subsidiary-{lemma}")


# ----------------------------------------------------------------------- locatedIn
def _places_modifying(ctx: Context, noun: Token) -> list[tuple[Entity, Token]]:
    res = ctx.res
    out = []
    for c in res.children(noun):
        if c.dep_ not in ("amod", "compound", "nmod", "poss", "npadvmod"):
            continue
        for t in c.subtree:
            if res.same_unit(t, noun):
                continue
            e = res.entity_at(t, PLACE_TYPES)
            if e is not None and all(e.id != x.id for x, _ in out):
                out.append((e, t))
    return out


def locations(ctx: Context, sent: Sentence) -> None:
    """locatedIn from a place modifying an organisation ("China's largest company,
    Acme", "the South Korean company", "Sydney computing company Globex") and from
    "X, based in Y" / "headquartered in"."""
    res = ctx.res
    seen: set[int] = set()
    # common nouns that describe an organisation ("the company", "the carmaker")
    org_nouns = {n for n in sent.nouns if n in ORG_NOUNS or head_type(n) in ORG_TYPES}
    for tok in sent.pick(_BASED_WORDS | org_nouns, ORG_TYPES):
        org_ent = res.entity_at(tok, ORG_TYPES)
        if org_ent is not None:
            root = res.root(tok)
            if root.i in seen:
                continue
            seen.add(root.i)
            for place, pt in _places_modifying(ctx, root):
                ctx.add(org_ent, Predicate.LOCATED_IN, place, [root, pt], 0.8, "place-modifier")
        elif tok.pos_ == "NOUN" and (tok.lemma_.lower() in ORG_NOUNS or head_type(
                tok.lemma_) in (EntityType.COMPANY, EntityType.ORGANIZATION)) \
                and res.entity_at(tok) is None:
            places = _places_modifying(ctx, tok)
            if not places:
                continue
            r = res.resolve(tok, ORG_TYPES) if tok.lemma_.lower() in ORG_NOUNS else None
            found = (r.entity, r.confidence) if r is not None else _described(ctx, tok, ORG_TYPES)
            if found is None:
                continue
            for place, pt in places:
                ctx.add(found[0], Predicate.LOCATED_IN, place, [tok, pt], 0.85 * found[1],
                        "place-modifier")
        elif tok.lemma_.lower() in _BASED_WORDS \
                and tok.tag_ == "VBN":
            places = _res(ctx, prep_objects(tok, frozenset({"in"}), res), PLACE_TYPES)
            if tok.dep_ in ("acl", "amod"):
                items = [tok.head]
            else:
                items = subjects(tok, res, passive=True) or subjects(tok, res)
            for o, oc, ot in _res(ctx, items, ORG_TYPES):
                for p, pc, pt in places:
                    ctx.add(o, Predicate.LOCATED_IN, p, [tok, ot, pt], 0.85 * min(oc, pc),
                            "based-in")
