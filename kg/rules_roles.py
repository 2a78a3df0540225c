"""Relation rules about people: positions, employers, founders and interviews.

Each rule is ``rule(ctx, sent)`` and adds facts through ``ctx.add`` (see
:mod:`kg.relations`). The central one, :func:`position_frames`, reads a *position
frame*: a title noun (a Position entity such as "chief executive", or a known title
word) together with who holds it and for which organisation, in all the shapes news
writes it:

- "X's CEO Y", "X chief Y", "X spokeswoman Y", "X founder Y" (the title modifies the name)
- "Y, chief executive of X", "X's chief executive, Y," (apposition, either way round)
- "Y is a professor of law at X", "Y, who is the top technical officer for X" (copula)
- "the CEO of X, Y, stated" (the parser hangs Y on X: still read as Y's title)
- "the company's founders, including Y" (a list introduced by "including")
- "expert Y at X" (the organisation hangs on the person)

Examples:
    >>> position_kind("Chief Executive Officer"), position_kind("co-founder"), position_kind("editor")
    ('ceo', 'founder', 'other')
    >>> position_kind("early investor")  # "an early investor in X" invests, not works
    'investor'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .coref import ORG_TYPES, PERSON, Resolution
from .grammar import (
    agents, conjuncts, governing_verb, has_prt, is_former, is_negated, is_realis, objects,
    prep_objects, subjects,
)
from .ids import slugify
from .types import Entity, EntityType, Mention, Predicate

if TYPE_CHECKING:
    from spacy.tokens import Token

    from .relations import Context, Sentence

__all__ = [
    "TITLE_NOUNS", "position_kind", "position_frames", "person_org_modifiers",
    "work_verbs", "founder_verbs", "interviews",
]

#: Title words read as a position even when no Position entity covers them
#: (they then give ``worksFor`` but no ``holdsPosition``).
TITLE_NOUNS = frozenset("""
spokesman spokeswoman spokesperson ceo executive president chairman chairwoman chair
founder co-founder cofounder director officer manager analyst expert professor editor
reporter correspondent head chief engineer researcher scientist economist lawyer
attorney counsel vp cto cfo coo employee boss secretary minister adviser advisor
consultant designer strategist anchor host columnist producer lecturer dean official
investor backer shareholder
""".split())

#: What a title can be held at: organisations, and services typed as products.
EMPLOYER_TYPES = ORG_TYPES | {EntityType.PRODUCT}

_CEO = ("ceo", "chief executive", "chief exec")
_FOUNDER = ("founder", "co-founder", "cofounder", "co - founder")
_ORG_PREPS = frozenset({"of", "at", "for", "with", "in"})
_HOLDER_LISTS = frozenset({"including", "like", "such"})
_COPULAS = frozenset({"be", "become", "remain", "serve", "work", "act"})
_NAMING_VERBS = frozenset({"name", "appoint", "elect", "promote", "make", "hire", "tap"})
_POSITION = frozenset({EntityType.POSITION})


def position_kind(text: str) -> str:
    """Classify a title: ``"ceo"``, ``"founder"``, ``"investor"`` or ``"other"``."""
    low = text.lower().replace("’", "'")
    if any(w in low for w in _CEO):
        return "ceo"
    if any(w in low for w in _FOUNDER):
        return "founder"
    if any(w in low for w in ("investor", "backer", "shareholder", "stakeholder")):
        return "investor"
    return "other"


def _resolve_all(ctx: Context, toks: list[Token], types) -> list[tuple[Entity, float, Token]]:
    out = []
    for t in toks:
        r: Resolution | None = ctx.res.resolve(t, types)
        if r is not None:
            out.append((r.entity, r.confidence, t))
    return out


def _position_tokens(ctx: Context, sent: Sentence):
    """(title token, Position entity or None) for every title in ``sent``."""
    res = ctx.res
    seen: set[int] = set()
    for tok in sent.pick(TITLE_NOUNS, _POSITION):
        ent = res.entity_at(tok, _POSITION)
        if ent is not None:
            root = res.root(tok)
            if root.i not in seen:
                seen.add(root.i)
                yield root, ent
        elif (tok.pos_ in ("NOUN", "PROPN") and res.entity_at(tok) is None
              and (tok.lower_ in TITLE_NOUNS or tok.lemma_.lower() in TITLE_NOUNS)
              and tok.i not in seen):
            # "chief" in "chief executive" is part of the title, not one by itself
            if tok.dep_ in ("amod", "compound") and tok.head.lower_ in TITLE_NOUNS \
                    and tok.head.i == tok.i + 1:
                continue
            seen.add(tok.i)
            yield tok, None


def _is_title(ctx: Context, tok: Token) -> bool:
    return (ctx.res.entity_at(tok, _POSITION) is not None
            or ((tok.lower_ in TITLE_NOUNS or tok.lemma_.lower() in TITLE_NOUNS)
                and ctx.res.entity_at(tok) is None))


def _listed_before(ctx: Context, p: Token) -> list[Token]:
    """The title that ``p`` is listed after ("president" for "co-founder" in "a president
    and co-founder"), however the parser split ``p``'s tokens."""
    res = ctx.res
    span = res.unit(p)
    ids = {t.i for t in span}
    for t in span:
        if t.dep_ in ("conj", "appos") and t.head.i not in ids and t.head.i < t.i \
                and _is_title(ctx, t.head):
            return [res.root(t.head)]
    return []


def _holders(ctx: Context, p: Token) -> list[tuple[Entity, float, Token, str]]:
    """Who holds the title ``p``: (person, confidence, token, rule)."""
    res = ctx.res
    out: list[tuple[Entity, float, Token, str]] = []

    def take(toks: list[Token], conf: float, rule: str) -> None:
        for e, c, t in _resolve_all(ctx, toks, PERSON):
            out.append((e, conf * c, t, rule))

    dep, head = res.dep(p), res.head(p)
    # "CEO Jane Doe", "stock expert John Roe": walk up a chain of modifiers
    h, d = head, dep
    for _ in range(4):
        if d not in ("compound", "amod", "nmod"):
            break
        if res.entity_at(h, PERSON) is not None:
            take(conjuncts(h, res), 0.9, "title-name")
            break
        if h.pos_ not in ("NOUN", "PROPN") or res.entity_at(h) is not None:
            break
        d, h = res.dep(h), res.head(h)
    if out:
        return out
    # "Nvidia founder and CEO Jensen Huang": the parser coordinates the first title
    # with the name that the second title modifies
    for c in res.children(p):
        if c.dep_ == "conj" and res.entity_at(c, PERSON) is not None and any(
                k.dep_ in ("compound", "amod") and _is_title(ctx, k) for k in res.children(c)):
            take([c], 0.85, "title-name")
    if out:
        return out
    # "Jane Doe, a co-founder" / "the chief executive, John Roe,"
    if dep == "appos":
        # "A, the co-founder of X, and B": a title set off after A is not B's
        take([c for c in conjuncts(head, res) if c.i < p.i], 0.9, "title-appos")
    appos = [c for c in res.children(p) if c.dep_ == "appos"]
    take([t for a in appos for t in conjuncts(a, res)], 0.9, "title-appos")
    if out:
        return out
    # "the CEO of Acme, Jane Doe," parsed as an apposition to MySpace
    for o in prep_objects(p, _ORG_PREPS, res):
        if res.entity_at(o, ORG_TYPES) is not None:
            inner = [c for c in res.children(o) if c.dep_ == "appos"]
            take([t for a in inner for t in conjuncts(a, res)], 0.8, "title-appos")
    if out:
        return out
    # "Y is a professor", "Y, who is the top technical officer", "Y became CEO"
    if dep in ("attr", "acomp", "oprd") and head.lemma_.lower() in _COPULAS:
        take(subjects(head, res), 0.85, "title-copula")
    elif dep == "oprd" and head.lemma_.lower() in _NAMING_VERBS:
        # "X named Y chief executive" (the parser may hang Y on the title)
        named = objects(head, res) or subjects(head, res, passive=True) or [
            c for c in res.children(p) if c.dep_ in ("nmod", "compound")
            and res.entity_at(c, PERSON) is not None]
        take(named, 0.85, "title-named")
    elif dep == "pobj" and head.lower_ == "as" and head.head.pos_ in ("VERB", "AUX"):
        verb = head.head
        if verb.lemma_.lower() in _NAMING_VERBS:
            take(objects(verb, res) or subjects(verb, res, passive=True), 0.8, "title-as")
        else:
            take(subjects(verb, res), 0.8, "title-as")
    if out:
        return out
    # "a president and co-founder of X": the second title shares the first's holder
    for q in _listed_before(ctx, p):
        return [(e, c, t, r) for e, c, t, r in _holders(ctx, q)]
    # "the company's founders, including Mr. Doe": trust the words over the
    # attachment, since parsers often hang "including" on the verb
    after = p.doc[p.i + 1: p.i + 3]
    for c in list(res.children(p)) + [t for t in after if t.lower_ in _HOLDER_LISTS]:
        if c.lower_ in _HOLDER_LISTS and (c.head.i == p.i or c.i <= p.i + 2):
            objs = [conj for o in c.children if o.dep_ == "pobj" for conj in conjuncts(o, res)]
            if c.lower_ == "such":
                objs = prep_objects(c, frozenset({"as"}), res) or objs
            take(objs, 0.8, "title-including")
    return out


def _orgs(ctx: Context, p: Token, holders) -> list[tuple[Entity, float, Token, str]]:
    """For which organisation the title ``p`` is held."""
    res = ctx.res
    out: list[tuple[Entity, float, Token, str]] = []

    def take(toks: list[Token], conf: float, rule: str, types=EMPLOYER_TYPES) -> None:
        for e, c, t in _resolve_all(ctx, toks, types):
            # a site or service typed as a product can still employ ("YouTube's CEO")
            out.append((e, conf * c * (0.9 if e.type == EntityType.PRODUCT else 1.0), t, rule))

    kids = res.children(p)
    take([c for c in kids if c.dep_ == "poss"], 0.9, "title-poss")
    compounds = [t for c in kids if c.dep_ in ("compound", "nmod") for t in c.subtree
                 if not res.same_unit(t, p)]
    take([t for t in compounds if res.entity_at(t, EMPLOYER_TYPES) is not None], 0.9,
         "title-modifier")
    take([u for o in prep_objects(p, _ORG_PREPS, res) for u in _unit_owners(o)], 0.85, "title-of")
    if out:
        return out
    # "a president and co-founder of X": titles in a list share the organisation
    partners = [res.root(c) for c in res.children(p)
                if c.dep_ in ("conj", "appos") and _is_title(ctx, c)]
    for _person, _c, tok, rule in holders:  # "X founder and CEO Y": CEO of X too
        h = res.root(tok)
        if rule == "title-name" and h.dep_ == "conj" and _is_title(ctx, h.head) \
                and not res.same_unit(h.head, p):
            partners.append(res.root(h.head))
    for q in partners + _listed_before(ctx, p):
        qk = res.children(q)
        take([c for c in qk if c.dep_ == "poss"], 0.85, "title-poss")
        take([c for c in qk if c.dep_ in ("compound", "nmod")
              and res.entity_at(c, EMPLOYER_TYPES) is not None], 0.85, "title-modifier")
        take(prep_objects(q, _ORG_PREPS, res), 0.8, "title-of")
    if out:
        return out
    # "X named Y chief executive": the naming organisation
    if res.dep(p) == "oprd" and res.head(p).lemma_.lower() in _NAMING_VERBS:
        take(subjects(res.head(p), res, passive=False), 0.8, "title-named")
        if out:
            return out
    for person, _c, tok, rule in holders:
        if rule != "title-name":
            continue
        pk = res.children(tok)
        take([c for c in pk if c.dep_ == "poss"], 0.85, "title-poss")
        take([c for c in pk if c.dep_ in ("compound", "nmod") and not res.same_unit(c, p)
              and res.entity_at(c, EMPLOYER_TYPES) is not None], 0.85, "title-modifier")
        take(prep_objects(tok, frozenset({"at", "of", "from", "with"}), res), 0.8,
             "title-name-at")
    return out


_LEAVING = frozenset({"resign", "retire", "quit", "leave", "depart", "exit"})


def _ended(verb: Token) -> bool:
    """True for "stepped down", "resigned", "left", "until 2019", "formerly"."""
    lemma = verb.lemma_.lower()
    if lemma in _LEAVING or (lemma == "step" and has_prt(verb, "down")):
        return True
    return any(c.lower_ in ("formerly", "previously", "until") for c in verb.children)


def _title_former(ctx: Context, p: Token) -> bool:
    """A title held in the past: "was a professor", "stepped down as CEO", "served
    until 2019 as chairman"."""
    res = ctx.res
    head, dep = res.head(p), res.dep(p)
    if dep in ("attr", "acomp") and head.lemma_ == "be":
        return head.tag_ == "VBD" or _ended(head)
    if dep == "pobj" and head.lower_ == "as" and head.head.pos_ in ("VERB", "AUX"):
        return _ended(head.head) or (head.head.lemma_.lower() == "serve"
                                     and head.head.tag_ == "VBD")
    return False


def position_frames(ctx: Context, sent: Sentence) -> None:
    """holdsPosition, worksFor, ceoOf and founderOf from a title and its frame."""
    res = ctx.res
    for p, pos_ent in _position_tokens(ctx, sent):
        holders = _holders(ctx, p)
        if not holders:
            continue
        kind = position_kind(" ".join(t.text for t in res.unit(p)) if pos_ent is None
                             else pos_ent.name + " " + " ".join(t.text for t in res.unit(p)))
        orgs = _orgs(ctx, p, holders)
        if not orgs and kind in ("founder", "ceo") and not any(
                c.dep_ in ("poss", "compound", "prep", "nmod") for c in res.children(p)):
            # a bare "a co-founder" / "the chief executive" is of the firm in focus
            org = res.salient(p, ORG_TYPES)
            if org is not None:
                orgs = [(org, 0.6, p, "title-implicit")]
        former = is_former(p, res) or (kind != "founder" and _title_former(ctx, p))
        for person, pc, ptok, prule in holders:
            if pos_ent is not None:
                ctx.add(person, Predicate.HOLDS_POSITION, pos_ent, [p, ptok], pc, prule,
                        former=former and kind != "founder")
            for org, oc, otok, orule in orgs:
                conf = min(pc, oc)
                if kind == "founder":
                    ctx.add(person, Predicate.FOUNDER_OF, org, [p, ptok, otok], conf, orule)
                    continue
                if kind == "investor":
                    ctx.add(person, Predicate.INVESTED_IN, org, [p, ptok, otok], conf * 0.9,
                            orule, former=former)
                    continue
                if pos_ent is None:
                    conf *= 0.9
                ctx.add(person, Predicate.WORKS_FOR, org, [p, ptok, otok], conf, orule,
                        former=former)
                if kind == "ceo":
                    ctx.add(person, Predicate.CEO_OF, org, [p, ptok, otok], conf, orule,
                            former=former)


def person_org_modifiers(ctx: Context, sent: Sentence) -> None:
    """worksFor from "X's Y" (an organisation owning a person) and "Y from/of/at X"."""
    res = ctx.res
    seen: set[int] = set()
    for tok in sent.pick(types=PERSON):
        person = res.entity_at(tok, PERSON)
        if person is None or res.root(tok).i in seen:
            continue
        root = res.root(tok)
        seen.add(root.i)
        kids = res.children(root)
        for c in kids:
            if c.dep_ == "poss":
                org = res.entity_at(c, ORG_TYPES)
                if org is not None:
                    ctx.add(person, Predicate.WORKS_FOR, org, [root, c], 0.75, "org-poss-person")
        for prep, conf in (("from", 0.75), ("of", 0.7), ("at", 0.65)):
            for o in prep_objects(root, frozenset({prep}), res):
                org = res.entity_at(o, ORG_TYPES)
                if org is not None:
                    ctx.add(person, Predicate.WORKS_FOR, org, [root, o], conf,
                            f"person-{prep}-org")


_WORK_VERBS = {"work": (("for", "at"), 0.8), "join": ((), 0.8), "lead": ((), 0.7),
               "head": ((), 0.75), "run": ((), 0.6), "leave": ((), 0.75), "quit": ((), 0.75)}
# what work_verbs' and interviews' first tests look for (each rule walks only the tokens
# holding its words: Sentence.pick)
_WORK_WORDS = frozenset({*_WORK_VERBS, "hire"})
_INTERVIEW_WORDS = frozenset({"interview"})


_PART_NOUNS = frozenset({"division", "unit", "business", "arm", "team", "department", "group",
                         "operations", "branch", "subsidiary"})


def _unit_owners(tok: Token) -> list[Token]:
    """ "leads X's gaming division", "the chip business of X": the part stands for X."""
    if tok.pos_ != "NOUN" or tok.lemma_.lower() not in _PART_NOUNS:
        return [tok]
    owners = [c for c in tok.children if c.dep_ == "poss"]
    owners += [g for p in tok.children if p.dep_ == "prep" and p.lower_ == "of"
               for g in p.children if g.dep_ == "pobj"]
    return owners or [tok]


def work_verbs(ctx: Context, sent: Sentence) -> None:
    """worksFor from "Y works for X", "Y joined X", "Y heads X", "X hired Y"
    (former for "Y left X")."""
    res = ctx.res
    for verb in sent.pick(_WORK_WORDS):
        lemma = verb.lemma_.lower()
        if verb.pos_ != "VERB" or is_negated(verb):
            continue
        # "offered to hire Y", "tried to join X": not (yet) a job.
        if lemma in _WORK_VERBS or lemma == "hire":
            if not is_realis(verb, future_ok=True):
                continue
        if lemma == "hire":
            objs, by = objects(verb, res), agents(verb, res)  # first: often neither
            pairs = [(o, s) for s in subjects(verb, res, passive=False)
                     for o in objs] if objs else []
            pairs += [(s, a) for s in subjects(verb, res, passive=True) for a in by] if by else []
            conf = 0.75
        elif lemma in _WORK_VERBS:
            preps, conf = _WORK_VERBS[lemma]
            objs = prep_objects(verb, frozenset(preps), res) if preps else objects(verb, res)
            objs = [u for o in objs for u in _unit_owners(o)]
            pairs = [(s, o) for s in subjects(verb, res, passive=False) for o in objs]
        else:
            continue
        for s, o in pairs:
            rs, ro = res.resolve(s, PERSON), res.resolve(o, EMPLOYER_TYPES)
            if rs is None or ro is None:
                continue
            if ro.entity.type == EntityType.PRODUCT:  # "has run Acme TV" (a service)
                conf_o = 0.9
            else:
                conf_o = 1.0
            former = _ended(verb) or (lemma == "work" and verb.tag_ == "VBD")
            ctx.add(rs.entity, Predicate.WORKS_FOR, ro.entity, [verb, s, o],
                    conf * conf_o * min(rs.confidence, ro.confidence), f"verb-{lemma}",
                    former=former)


_FOUND_VERBS = {"found": 0.9, "co-found": 0.9, "cofound": 0.9, "establish": 0.85,
                "start": 0.75, "create": 0.7, "set": 0.75, "launch": 0.6}


def founder_verbs(ctx: Context, sent: Sentence) -> None:
    """founderOf from "Y founded X", "Y and classmates started X", "X was founded by Y"."""
    res = ctx.res
    for verb in sent.pick(_FOUND_VERBS):
        lemma = verb.lemma_.lower()
        if verb.pos_ != "VERB" or lemma not in _FOUND_VERBS or is_negated(verb):
            continue
        if lemma == "set" and not has_prt(verb, "up"):
            continue
        conf = _FOUND_VERBS[lemma]
        founders = subjects(verb, res, passive=False)
        doc = verb.doc
        if (verb.i >= 2 and doc[verb.i - 1].text == "-" and doc[verb.i - 2].lower_ == "co"
                and not doc[verb.i - 2].whitespace_):
            # "who co-founded X": the parser may split "co" off as the verb
            founders += subjects(doc[verb.i - 2], res, passive=False)
            # ... and then lose the words around it: "Jane Doe co-founded Acme"
            if not founders and verb.i >= 3 and res.entity_at(doc[verb.i - 3], PERSON):
                founders.append(doc[verb.i - 3])
        # "X started the company in 2006 with Y": Y founded it too
        founders += prep_objects(verb, frozenset({"with"}), res)
        objs = objects(verb, res)
        if not objs and founders and verb.i + 1 < len(doc) and res.entity_at(doc[verb.i + 1]):
            objs = [doc[verb.i + 1]]  # the object the broken parse hung elsewhere
        pairs = [(s, o) for s in founders for o in objs]
        by = agents(verb, res)  # first: most verbs have none, and then no subject walk
        pairs += [(a, s) for s in subjects(verb, res, passive=True) for a in by] if by else []
        for s, o in pairs:
            rs = res.resolve(s, PERSON)
            ro = res.resolve(o, ORG_TYPES | {EntityType.PRODUCT})
            if rs is None or ro is None:
                continue
            ctx.add(rs.entity, Predicate.FOUNDER_OF, ro.entity, [verb, s, o],
                    conf * min(rs.confidence, ro.confidence), f"verb-{lemma}")


# ----------------------------------------------------------------------- interviews
_TELL_VERBS = frozenset({"tell", "say", "explain", "reveal", "admit", "confirm"})


def _interview_event(ctx: Context, word: Token, interviewee: Entity, interviewer: Entity,
                     outlet: Entity | None, tokens: list[Token], conf: float, rule: str) -> None:
    name = f"Interview of {interviewee.name} by {interviewer.name}"
    eid = slugify(name)
    mention = Mention(ctx.document.id, word.idx, word.idx + len(word.text), word.text,
                      EntityType.EVENT, ctx.res.sent_index(word), rule)
    old = ctx.events.get(eid)
    mentions = (old.mentions if old else ()) + (mention,)
    event = Entity(eid, name, EntityType.EVENT, frozenset(), mentions,
                   description=f"{interviewer.name} interviews {interviewee.name}")
    ctx.events[eid] = event
    ctx.entities[eid] = event
    ctx.add(interviewee, Predicate.INTERVIEWED_BY, interviewer, tokens, conf, rule)
    ctx.add(event, Predicate.INTERVIEWEE, interviewee, tokens, conf, rule)
    ctx.add(event, Predicate.INTERVIEWER, interviewer, tokens, conf, rule)
    if outlet is not None:
        ctx.add(event, Predicate.OUTLET, outlet, tokens, conf, rule)


def _outlet(ctx: Context, tok: Token, who: Entity) -> Entity | None:
    if who.type in ORG_TYPES:
        return who
    for c in ctx.res.children(tok):
        if c.dep_ in ("poss", "compound"):
            org = ctx.res.entity_at(c, ORG_TYPES)
            if org is not None:
                return org
    for o in prep_objects(ctx.res.root(tok), frozenset({"from", "of", "at"}), ctx.res):
        org = ctx.res.entity_at(o, ORG_TYPES)
        if org is not None:
            return org
    jobs = ctx.employers(who)
    return jobs[0] if jobs else None


def interviews(ctx: Context, sent: Sentence) -> None:
    """interviewedBy and the interview Event from "Y sat down for an interview with
    Z's W", "in an interview with W, Y said", "W's interview with Y", "W interviewed Y".
    """
    res = ctx.res
    who_types = PERSON | ORG_TYPES
    for tok in sent.pick(_INTERVIEW_WORDS):
        lemma = tok.lemma_.lower()
        if lemma == "interview" and tok.pos_ == "NOUN":
            withs = prep_objects(tok, frozenset({"with"}), res)
            poss = [c for c in tok.children if c.dep_ == "poss"]
            if poss and withs:  # "W's interview with Y"
                pairs = [(w, p) for w in withs for p in poss]
                rule, conf = "interview-poss-with", 0.75
            else:
                verb = governing_verb(tok)
                subs = subjects(verb, res) if verb is not None else []
                if not withs and verb is not None and verb.lemma_.lower() in _TELL_VERBS:
                    # "Y told Reuters in an interview that ..."
                    withs = [o for o in verb.children if o.dep_ in ("dobj", "dative")]
                pairs = [(s, w) for s in subs for w in withs]
                rule, conf = "interview-with", 0.85
            for y, w in pairs:
                ry, rw = res.resolve(y, PERSON), res.resolve(w, who_types)
                if ry is None or rw is None:
                    continue
                _interview_event(ctx, tok, ry.entity, rw.entity,
                                 _outlet(ctx, res.root(w), rw.entity), [tok, y, w],
                                 conf * min(ry.confidence, rw.confidence), rule)
        elif lemma == "interview" and tok.pos_ == "VERB" and not is_negated(tok):
            objs, by = objects(tok, res), agents(tok, res)  # first: often neither
            pairs = [(s, o) for s in subjects(tok, res, passive=False)
                     for o in objs] if objs else []
            pairs += [(a, s) for s in subjects(tok, res, passive=True) for a in by] if by else []
            for w, y in pairs:
                ry, rw = res.resolve(y, PERSON), res.resolve(w, who_types)
                if ry is None or rw is None:
                    continue
                _interview_event(ctx, tok, ry.entity, rw.entity,
                                 _outlet(ctx, res.root(w), rw.entity), [tok, y, w],
                                 0.85 * min(ry.confidence, rw.confidence), "verb-interview")
