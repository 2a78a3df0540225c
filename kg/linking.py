"""Group mentions into entities: one :class:`~kg.types.Entity` per real thing.

Mentions are first keyed by what they name: a knowledge-base entry (exact or, for
long names, fuzzy), a canonical job title, or their normalised text (case, "the",
possessive, "Mr." and company suffixes folded). Keys are then merged when one names
the other:

- a lone surname or first name joins the one person whose full name ends (or starts)
  with it ("Zhang", "Mr. Zhang" -> "Wei Zhang");
- an acronym joins the name it abbreviates, whether defined in brackets ("Center for
  Policy Studies (CPS)") or matching its initials ("SEC");
- "Acme" joins "Acme Electronics" when the rest is a corporate word;
- near-identical spellings of the same type join (rapidfuzz ratio >= 90).

Each entity takes the knowledge base's name, type and Wikidata id when it has an
entry; otherwise the fullest name seen and the type its mentions vote for, weighted by
how each mention's type was decided. Ids are :func:`kg.ids.slugify` of the name, so the
same thing gets the same id in every document.

Examples:
    >>> from kg.types import Document, Mention, EntityType as T
    >>> d = Document.from_text("Wei Zhang runs Acme. Mr. Zhang said so.")
    >>> ms = [Mention(d.id, 0, 9, "Wei Zhang", T.PERSON), Mention(d.id, 15, 19, "Acme", T.COMPANY),
    ...       Mention(d.id, 25, 30, "Zhang", T.PERSON, 1)]
    >>> [(e.id, e.name, sorted(e.aliases)) for e in link_mentions(ms, d)]
    [('acme', 'Acme', []), ('wei-zhang', 'Wei Zhang', ['Zhang'])]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from rapidfuzz import fuzz

from .ids import slugify
from .context import has_org_word
from .kb import CORPORATE_WORDS, KBEntry, load_kb, normalize_name
from .positions import canonical_position
from .types import Document, Entity, EntityType, Mention

__all__ = ["RULE_WEIGHTS", "initials", "link_mentions", "refine_mentions"]

#: How much a mention's type counts, by the rule that decided it.
RULE_WEIGHTS: dict[str, float] = {
    "kb": 5, "speaker": 4, "position": 4, "apposition": 3, "descriptor": 3, "org-name": 3,
    "copula": 2, "head-noun": 2, "name-shape": 2, "acronym": 1, "ner": 1, "demonym": 1,
    "title-adjacent": 3, "preposition": 2, "coordination": 2,
    "repeat": 0,
}
_CONNECTORS = {"of", "for", "and", "the", "&", "on", "de", "in"}
_ACRONYM_DEF = re.compile(r"\s*\(([A-Z][A-Za-z0-9&.\-]{1,9})\)")
_ORG_TYPES = (EntityType.COMPANY, EntityType.ORGANIZATION)
_PLACES = (EntityType.COUNTRY, EntityType.PLACE)
# "the maker of X": X is something made.
_MADE_BY = re.compile(r"\b(?:maker|makers|developer|developers|publisher|creator|creators)\s+of\s+(?:the\s+)?$")
# Public bodies named after their country ("U.S. Treasury"): the country is its own entity.
_STATE_BODIES = frozenset(
    """treasury army navy senate congress parliament government military pentagon""".split())
# Words whose full stop belongs to the name ("Acme Co.", "Jones Jr.").
_ABBREVIATIONS = frozenset("co inc corp ltd plc llc bros jr sr st no dept intl mfg".split())
# Order for breaking ties between equally voted types.
_TYPE_ORDER = list(EntityType)


def initials(name: str) -> str:
    """Upper-case initials of a name's content words.

    Examples:
        >>> initials("Securities and Exchange Commission"), initials("Institute for Fiscal Studies")
        ('SEC', 'IFS')
    """
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _CONNECTORS]
    return "".join(w[0] for w in words).upper()


def _abbreviates(short: str, name: str) -> bool:
    """ "(FTC)" after "Federal Trade Commission", not a credit line such as "Seoul (AP)":
    the short form's first letter starts a word of the name and its capitals follow the
    name's letters in order.

    Examples:
        >>> _abbreviates("FTC", "Federal Trade Commission"), _abbreviates("AP", "South Korea")
        (True, False)
    """
    letters = [c for c in short.upper() if c.isalpha()]
    if not letters or letters[0] not in {w[0].upper() for w in name.split() if w}:
        return False
    rest = iter(name.upper())
    return all(c in rest for c in letters)


class _Groups:
    """Union-find over mention keys."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, k: tuple[str, str]) -> tuple[str, str]:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, keep: tuple[str, str], drop: tuple[str, str]) -> None:
        a, b = self.find(keep), self.find(drop)
        if a != b:
            # A knowledge-base key always stays the root of its group.
            if b[0] == "kb" and a[0] != "kb":
                a, b = b, a
            self.parent[b] = a


def _key(m: Mention) -> tuple[tuple[str, str], KBEntry | None]:
    if m.label == EntityType.POSITION:
        return ("pos", canonical_position(m.text)[0]), None
    kb = load_kb()
    entry = kb.lookup_demonym(m.text) if m.rule == "demonym" else None
    entry = entry or kb.lookup(m.text)
    if entry is None and m.label != EntityType.PERSON:
        entry = kb.fuzzy(m.text)
    if entry is not None and (entry.type == m.label or (not entry.weak and m.rule in ("kb", "ner"))):
        return ("kb", entry.id), entry
    return ("name", normalize_name(m.text)), None


def _display(texts: list[str]) -> str:
    """The fullest, most natural spelling: longest, not shouted, most frequent."""
    if len(texts) == 1:  # most names are spelt once: nothing to rank
        best = texts[0]
    else:
        counts = Counter(texts)

        def rank(t: str) -> tuple[int, int, int, str]:
            shouted = t.isupper() and len(t) > 5
            return (int(not shouted), len(t.split()), counts[t], t)

        best = max(counts, key=rank)
    return _LEADING_THE.sub("", best) if best.startswith(("the", "The")) else best


_LEADING_THE = re.compile(r"^(?:the|The)\s+")


_GUESS_RULES = frozenset({"ner", "repeat", "acronym", "demonym"})


def _vote(ms: list[Mention]) -> EntityType:
    """The type the mentions vote for. The NER's guesses count at most twice per type:
    repeating a name repeats the same guess, while one description ("Acme, the
    streaming service") is evidence of its own."""
    score: dict[EntityType, float] = defaultdict(float)
    guesses: dict[EntityType, float] = defaultdict(float)
    for m in ms:
        w = RULE_WEIGHTS.get(m.rule, 1)
        if m.rule in _GUESS_RULES:
            w = max(0.0, min(w, 2.0 - guesses[m.label]))
            guesses[m.label] += w
        score[m.label] += w
    return max(score, key=lambda t: (score[t], -_TYPE_ORDER.index(t)))


def _merge_names(groups: _Groups, keys: dict[tuple[str, str], list[Mention]],
                 document: Document) -> None:
    names = {k: _display([m.text for m in ms]) for k, ms in keys.items()}
    types = {k: _vote(ms) for k, ms in keys.items()}
    # Normalised full names ("Mr." and case folded); a KB key's is its entry's name.
    full = {k: normalize_name(names[k]) if k[0] == "kb" else k[1] for k in keys}
    persons = [k for k in keys if types[k] == EntityType.PERSON and len(full[k].split()) >= 2]
    # each name's words and lower case once: the loops below compare every pair of names
    words = {k: names[k].split() for k in keys}
    lows = {k: names[k].lower() for k in keys}
    corporate: set[tuple[str, str]] = set()
    # "Acme" and "Acme Electronics"
    for k in keys:
        # a short name the NER alone typed ("Pelham" as a person) can be the company's too
        if types[k] not in _ORG_TYPES and not all(m.rule in _GUESS_RULES for m in keys[k]):
            continue
        prefix = lows[k] + " "
        for o in keys:
            if o == k or types[o] not in _ORG_TYPES or not lows[o].startswith(prefix):
                continue
            rest = words[o][len(words[k]):]
            if rest and all(w.lower().strip(".,") in CORPORATE_WORDS for w in rest):
                groups.union(o, k)
                corporate.add(k)
    # Lone surnames and first names join the one person they can belong to.
    ends = {p: (full[p].split()[-1], full[p].split()[0]) for p in persons}
    for k in keys:
        if k[0] != "name" or len(k[1].split()) != 1 or k in corporate:
            continue
        word = k[1]
        owners = {groups.find(p) for p in persons if word in ends[p]}
        # a place the NER guessed can be a surname ("Anand said"); a known one cannot
        guessed_place = all(m.rule in _GUESS_RULES for m in keys[k])
        if len(owners) == 1 and (types[k] not in _PLACES or guessed_place):
            groups.union(owners.pop(), k)
            # a surname is the person's whatever the NER guessed for it alone
            keys[k] = [m if m.label == EntityType.PERSON else Mention(
                m.doc_id, m.start, m.end, m.text, EntityType.PERSON, m.sent, "repeat")
                for m in keys[k]]
    # Acronyms: defined in brackets right after the long form, or matching its initials.
    by_norm = {normalize_name(names[k]): k for k in keys}
    for k, ms in keys.items():
        for m in ms:
            d = _ACRONYM_DEF.match(document.text, m.end)
            if d and normalize_name(d.group(1)) in by_norm and _abbreviates(d.group(1), names[k]):
                groups.union(k, by_norm[normalize_name(d.group(1))])
    for k in keys:
        short = names[k]
        if not (short.isupper() and 2 <= len(short) <= 6 and short.isalpha()):
            continue
        longs = {groups.find(o) for o in keys if o != k and len(words[o]) >= 2
                 and initials(names[o]) == short and types[o] not in (EntityType.PERSON,)}
        if len(longs) == 1:
            groups.union(longs.pop(), k)
    # "Acme Institute" and "Acme Institute of Ruritania"; "Doe Foundation" and "Jane & John
    # Doe Foundation": a shorter organisation name inside a longer one.
    kb = load_kb()
    for k in keys:
        if types[k] not in _ORG_TYPES or len(words[k]) < 2:
            continue
        short = lows[k]
        for o in keys:
            long = lows[o]
            if o == k or types[o] not in _ORG_TYPES or len(long) <= len(short):
                continue
            tail = long[len(short):].split(" ", 2)
            place = kb.lookup(tail[2]) if long.startswith(short + " ") and len(tail) == 3 else None
            if (place is not None and tail[1] in ("of", "in") and place.type in _PLACES) or (
                    long.endswith(" " + short) and k[0] == "name" and o[0] == "name"):
                groups.union(o, k)
    # Near-identical spellings of the same type (rapidfuzz, not hand-rolled).
    plain = sorted(k for k in keys if k[0] == "name" and len(k[1]) >= 6)
    for i, a in enumerate(plain):
        for b in plain[i + 1 :]:
            if types[a] == types[b] and fuzz.ratio(a[1], b[1]) >= 90:
                groups.union(a, b)


def _mention(m: Mention, start: int, end: int, label: EntityType | None = None,
             rule: str | None = None, text: str = "") -> Mention | None:
    part = text[start:end]
    start += len(part) - len(part.lstrip(" ,"))
    end -= len(part) - len(part.rstrip(" ,"))
    if end <= start:
        return None
    return Mention(m.doc_id, start, end, text[start:end], label or m.label, m.sent, rule or m.rule)


def _standalone(text: str, word: str, left: str = "", right: str = "") -> Iterator[int]:
    r"""Where ``word`` occurs in ``text`` with no word character (nor one of ``left``) just
    before it and none (nor one of ``right``) just after it.

    The hits of ``re.finditer(r"(?<![\w<left>])<word>(?![\w<right>])", text)``, found with
    ``str.find``: ``re`` compiles each new word's pattern afresh, which costs far more
    than the search (``\w`` is what ``str.isalnum`` accepts, and the underscore).

    Examples:
        >>> list(_standalone("Acme, Acmes and X-Acme", "Acme", left="-"))
        [0]
    """
    step, end = max(len(word), 1), len(text)
    i = text.find(word)
    while i != -1:
        j = i + len(word)
        glued = (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_" or text[i - 1] in left)
                 ) or (j < end and (text[j].isalnum() or text[j] == "_" or text[j] in right))
        if glued:
            i = text.find(word, i + 1)
        else:
            yield i
            i = text.find(word, i + step)


def _alone_elsewhere(name: str, m: Mention, text: str) -> bool:
    for start in _standalone(text, name, "-", "-"):
        if start + len(name) <= m.start or start >= m.end:
            return True
    return False


def _split_coordination(m: Mention, text: str) -> list[Mention]:
    """ "Acme Games and Widget World" named as one thing: two names, when the parts
    stand on their own (known, used alone elsewhere, or two words each)."""
    if " and " not in m.text or load_kb().lookup(m.text) is not None or m.label in (
            EntityType.POSITION, EntityType.PERSON):
        return [m]
    cut = m.text.index(" and ")
    left, right = m.text[:cut].strip(), m.text[cut + 5 :].strip()
    if not (left[:1].isupper() and right[:1].isupper()):
        return [m]
    kb = load_kb()
    known = [kb.lookup(x) for x in (left, right)]
    if not (any(known) or (len(left.split()) >= 2 and len(right.split()) >= 2)
            or _alone_elsewhere(left, m, text) or _alone_elsewhere(right, m, text)):
        return [m]
    out = []
    for (s, e), entry in zip(((m.start, m.start + cut), (m.start + cut + 5, m.end)), known):
        label = entry.type if entry is not None else m.label
        rule = "kb" if entry is not None else m.rule
        if rule == "org-name" and not has_org_word([w.lower() for w in text[s:e].split()]):
            rule = "ner"
        part = _mention(m, s, e, label, rule, text)
        if part is not None:
            out.extend(_split_coordination(part, text))
    return out


def _leading_country(m: Mention, text: str) -> list[Mention]:
    """ "U.S. Treasury" -> the country and the body."""
    words = m.text.split(" ", 1)
    if len(words) < 2 or m.rule == "kb" or m.label in _PLACES:
        return [m]
    entry = load_kb().lookup(words[0])
    rest = words[1]
    if entry is None or entry.type != EntityType.COUNTRY or not (
            rest.lower() in _STATE_BODIES or has_org_word(rest.lower().split())):
        return [m]
    country = _mention(m, m.start, m.start + len(words[0]), EntityType.COUNTRY, "kb", text)
    body = _mention(m, m.start + len(words[0]) + 1, m.end, EntityType.ORGANIZATION, "org-name", text)
    return [x for x in (country, body) if x is not None]


def refine_mentions(mentions: list[Mention], document: Document) -> list[Mention]:
    """Repair mention boundaries the name finder gets wrong, before grouping.

    - "Acme and Widgetly" read as one name becomes two;
    - a dangling connector is cut ("Acme Robotics and");
    - "Bill &" + "Jane Doe Foundation" join into one name;
    - "U.S. Treasury" gives the country and the body;
    - a demonym inside a person's name ("Jane French Doe") is part of the name;
    - a name after "the maker of" is a product.

    Examples:
        >>> from kg.types import Document, Mention, EntityType as T
        >>> d = Document.from_text("Zorbix, the maker of Moon Quest and Star Farm, grew.")
        >>> ms = [Mention(d.id, 0, 6, "Zorbix", T.COMPANY),
        ...       Mention(d.id, 21, 45, "Moon Quest and Star Farm", T.COMPANY)]
        >>> [(m.text, m.label.value) for m in refine_mentions(ms, d)]
        [('Zorbix', 'Company'), ('Moon Quest', 'Product'), ('Star Farm', 'Product')]
    """
    text = document.text
    ms = sorted(mentions, key=lambda m: (m.start, m.end))
    out: list[Mention] = []
    i = 0
    while i < len(ms):
        m = ms[i]
        nxt = ms[i + 1] if i + 1 < len(ms) else None
        if m.text.endswith((" &", " and")) and nxt is not None and m.text.endswith("&") and (
                text[m.end : nxt.start] == " " and nxt.label not in (EntityType.POSITION,)):
            merged = _mention(m, m.start, nxt.end, nxt.label, nxt.rule, text)
            ms[i + 1] = merged  # type: ignore[assignment]
            i += 1
            continue
        if ": " in m.text and m.label not in (EntityType.POSITION,):
            # "Interview: Acme Bank" from a heading: the label before the colon is not a name
            cut = m.text.rindex(": ") + 2
            if m.text[cut : cut + 1].isupper():
                m = _mention(m, m.start + cut, m.end, text=text)  # type: ignore[assignment]
        trimmed = _DANGLING.sub("", m.text)
        # "... chief executive of X." : a sentence's full stop is not part of the name
        if (trimmed.endswith(".") and trimmed.count(".") == 1 and len(trimmed) > 1
                and trimmed[:-1].split()[-1].lower() not in _ABBREVIATIONS
                and (m.end == len(text) or text[m.end] in " \n\r\t\"'”’")):
            trimmed = trimmed[:-1]
        if trimmed != m.text:
            m = _mention(m, m.start, m.start + len(trimmed), text=text)  # type: ignore[assignment]
            if m is None or not m.text[:1].isupper():
                i += 1
                continue
        if m.rule == "demonym" and out:
            prev = out[-1]
            after = re.match(r" ([A-Z][a-z][\w'’-]*)\b", text[m.end :])
            if (after and text[prev.end : m.start] == " " and len(prev.text.split()) == 1
                    and prev.label not in (EntityType.POSITION, *_PLACES)):
                end = m.end + after.end()
                if nxt is not None and nxt.start < end:
                    i += 1  # the next mention is the surname we take in
                out[-1] = _mention(prev, prev.start, end, EntityType.PERSON, "ner", text)  # type: ignore[assignment]
                i += 1
                continue
        if (nxt is not None and m.label == EntityType.PRODUCT and nxt.label == EntityType.PRODUCT
                and text[m.end : nxt.start] == " "):
            # "Galaxy" + "S23": a product line and its model are one product.
            ms[i + 1] = Mention(m.doc_id, m.start, nxt.end, text[m.start : nxt.end],  # type: ignore[call-arg]
                                EntityType.PRODUCT, m.sent, "name-shape")
            i += 1
            continue
        made = bool(_MADE_BY.search(text[max(0, m.start - 40) : m.start])) or bool(
            out and out[-1].rule == "descriptor" and out[-1].label == EntityType.PRODUCT
            and re.fullmatch(r"(?:\s+[a-z]+)?(?:,\s+|\s+and\s+|,\s+and\s+)",
                             text[out[-1].end : m.start]))
        for part in _split_coordination(m, text):
            for piece in _leading_country(part, text):
                if made and piece.rule not in ("kb",) and (
                        piece.label in _ORG_TYPES or piece.rule in _GUESS_RULES):
                    piece = Mention(piece.doc_id, piece.start, piece.end, piece.text,
                                    EntityType.PRODUCT, piece.sent, "descriptor")
                out.append(piece)
        i += 1
    return _short_forms(_relabel(out, text), text)


_DANGLING = re.compile(r"(?:\s+(?:and|&|of|or))+$")
_SENT_BREAK = re.compile(r"[.!?][\"'”’)]?\s+(?=[\"“'‘(]?[A-Z])|\n\s*\n")


def _short_forms(ms: list[Mention], text: str) -> list[Mention]:
    """Later uses of a name's short form that the NER missed: "Nordby" for "Nordby Bank",
    "Marquez" for "Elva Marquez". A short form is a whole capitalised word standing
    alone (no capitalised neighbour) that the text never uses in lower case."""
    forms: dict[str, EntityType] = {}
    for m in ms:
        words = m.text.split()
        if m.rule == "repeat" or len(words) < 2:
            continue
        if m.label in _ORG_TYPES and all(w.lower().strip(".,") in CORPORATE_WORDS for w in words[1:]):
            forms.setdefault(words[0], m.label)
        elif m.label == EntityType.PERSON and len(words) <= 3:
            forms.setdefault(words[-1], EntityType.PERSON)
    taken = [(m.start, m.end) for m in ms]
    added: list[Mention] = []
    for word, label in sorted(forms.items()):
        # used in lower case as a whole word (\b...\b)? The substring test first: most
        # words never occur in lower case. A lower-case form that is not all letters
        # ("İ" lowers to two characters) keeps the regex's own word boundaries.
        low = word.lower()
        if len(word) < 3 or not word[0].isupper() or not word.isalpha() or (
                low in text and (next(_standalone(text, low), -1) >= 0 if low.isalpha()
                                 else re.search(r"\b" + re.escape(low) + r"\b", text))):
            continue
        for s in _standalone(text, word, "&'’.-", "&-"):
            e = s + len(word)
            if any(a < e and s < b for a, b in taken):
                continue
            before = re.search(r"(?:^|[.!?][\"'”’]?\s+|\n\s*)?([\w&.-]+)\s+$", text[max(0, s - 40) : s])
            if before and before.group(0)[:1] in ".!?\n":
                before = None  # the word before opens the sentence: capitalised anyway
            after = re.match(r"\s+([\w&.-]+)", text[e : e + 40])
            if (before and before.group(1)[:1].isupper()) or (after and after.group(1)[:1].isupper()):
                continue
            prev = max((m for m in ms if m.end <= s), key=lambda m: m.end, default=None)
            sent = prev.sent + len(_SENT_BREAK.findall(text, prev.end, s)) if prev else 0
            added.append(Mention(ms[0].doc_id, s, e, word, label, sent, "repeat"))
            taken.append((s, e))
    return sorted([*ms, *added], key=lambda m: (m.start, m.end))


# Titles a company can hold too ("an investor in X", "a partner of Y").
_SHARED_TITLES = frozenset("""investor partner owner head host producer developer designer
    consultant adviser advisor provider supplier leader operator member""".split())
_BEFORE_TITLE = re.compile(r"^(?:,\s+(?:who\s+(?:is|was)\s+)?(?:(?:a|an|the)\s+)?(?:former\s+)?|\s+as\s+)$")
# "competes with X", "rivals X and Y", "rivals such as X": X is a firm, not a person.
_COMPETES = re.compile(
    r"\b(?:compete[sd]?|competing)\s+(?:(?:directly|head-on)\s+)?(?:with|against)\s+"
    r"(?:[A-Z][\w&'.-]*\s+(?:[A-Z][\w&'.-]*\s+)?(?:,\s+|and\s+|,\s+and\s+))?$"
    r"|\brivals?\s+(?:such\s+as|like|including)?\s*$")
# "X, a video platform, has raised $200 million": a firm that raises funding.
_RAISED = re.compile(r"(?:,[^.,;]{1,80},)?\s+(?:has\s+|had\s+|have\s+)?(?:also\s+)?raised\s+"
                     r"(?:about\s+|more\s+than\s+|nearly\s+|over\s+)?[$€£¥]")
_WEAK_RULES = frozenset({"ner", "repeat", "name-shape", "head-noun"})


def _relabel(ms: list[Mention], text: str) -> list[Mention]:
    """Types the words around a name make plain, where the NER guessed:

    - next to a person's title ("Jane Doe, an analyst", "chief executive Jane Doe",
      "appointed Jane Doe as chief executive") -> Person;
    - "in Name" for a one-word "person" -> Place ("a mall in Kent");
    - a "person" listed with companies ("competes with Acme and Widget Works") -> Company,
      unless part of its name is used alone elsewhere (a surname).
    """
    out = list(ms)
    for k, m in enumerate(out):
        if m.rule not in _WEAK_RULES and not (m.rule == "apposition" and m.label == EntityType.PRODUCT):
            continue
        prev = out[k - 1] if k > 0 else None
        nxt = out[k + 1] if k + 1 < len(out) else None
        label, rule = None, ""
        if m.label != EntityType.COMPANY and _RAISED.match(text, m.end):
            label, rule = EntityType.COMPANY, "descriptor"  # firms raise money, products do not
        elif m.label == EntityType.PLACE and any(
                re.search(r"[A-Za-z][\w-]*\d|\d[\w-]*[A-Za-z]", w) for w in m.text.split()):
            label, rule = EntityType.PRODUCT, "name-shape"  # "the SV-15": a model, not a place
        elif m.label != EntityType.PERSON:
            titled = [p for p, gap in ((nxt, text[m.end : nxt.start] if nxt else ""),
                                       (prev, text[prev.end : m.start] if prev else ""))
                      if p is not None and p.label == EntityType.POSITION
                      and p.text.split()[-1].lower().rstrip("s") not in _SHARED_TITLES
                      and ((p is nxt and _BEFORE_TITLE.match(gap)) or (p is prev and gap == " "))]
            if titled and not text[m.end : m.end + 2] in ("'s", "’s"):
                label, rule = EntityType.PERSON, "title-adjacent"
        elif len(m.text.split()) == 1 and text[max(0, m.start - 4) : m.start] == " in " and (
                text[m.end : m.end + 2] not in ("'s", "’s")):
            label, rule = EntityType.PLACE, "preposition"
        else:
            listed = [p for p in (prev, nxt) if p is not None and p.label == EntityType.COMPANY
                      and re.fullmatch(r",?\s+(?:and|or)\s+",
                                       text[min(p.end, m.end) : max(p.start, m.start)])]
            alone = any(_alone_elsewhere(w, m, text) for w in m.text.split() if len(w) > 2)
            if listed and not alone:
                label, rule = EntityType.COMPANY, "coordination"
            elif _COMPETES.search(text[max(0, m.start - 60) : m.start]) and not alone:
                label, rule = EntityType.COMPANY, "coordination"
        if label is not None:
            out[k] = Mention(m.doc_id, m.start, m.end, m.text, label, m.sent, rule)
    return out


def link_mentions(mentions: list[Mention], document: Document) -> list[Entity]:
    """Merge the mentions of one document into entities, sorted by id.

    Args:
        mentions: from :func:`kg.mentions.find_mentions` (or built by hand).
        document: the article the mentions point into.
    """
    mentions = refine_mentions(mentions, document)
    keys: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    entries: dict[tuple[str, str], KBEntry] = {}
    for m in mentions:
        k, entry = _key(m)
        keys[k].append(m)
        if entry is not None:
            entries[k] = entry
    groups = _Groups()
    for k in keys:
        groups.find(k)
    _merge_names(groups, keys, document)
    merged: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for k, ms in keys.items():
        merged[groups.find(k)].extend(ms)
    entities = [_entity(root, ms, entries.get(root)) for root, ms in merged.items()]
    return _unique_ids(entities)


def _entity(root: tuple[str, str], ms: list[Mention], entry: KBEntry | None) -> Entity:
    ms = sorted(ms, key=lambda m: (m.start, m.end))
    texts = [m.text for m in ms]
    aliases = set(texts)
    wikidata = None
    if entry is not None:
        name, etype, wikidata = entry.name, entry.type, entry.wikidata
        aliases.update(entry.aliases)
    elif root[0] == "pos":
        name, extra = canonical_position(ms[0].text)
        etype = EntityType.POSITION
        aliases.update(extra)
    else:
        # Demonyms name a country only through the knowledge base; a speaker label
        # is the person's name shouted, so the plain spelling is preferred.
        name = _display([m.text for m in ms if m.rule != "demonym"] or texts)
        etype = _vote(ms)
    aliases.discard(name)
    return Entity(slugify(name), name, etype, frozenset(aliases), tuple(ms), wikidata)


def _unique_ids(entities: list[Entity]) -> list[Entity]:
    """Two different things with the same slug (a person and a place) get typed ids."""
    seen = Counter(e.id for e in entities)
    out = []
    for e in entities:
        if seen[e.id] > 1:
            e = Entity(f"{e.id}-{e.type.value.lower()}", e.name, e.type, e.aliases,
                       e.mentions, e.wikidata, e.description)
        out.append(e)
    return sorted(out, key=lambda e: e.id)
