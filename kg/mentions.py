"""Find entity mentions in a parsed document: spaCy NER plus a rule layer.

Candidates come from five sources, strongest first when they overlap:

1. speaker labels at the start of a line ("JANE DOE: ...") -> Person;
2. job titles (:mod:`kg.positions`) -> Position;
3. capitalised names built around an organisation word ("... University",
   "Center for ...", "Foreign Ministry") -> Organization;
4. spaCy's NER and the knowledge-base ruler (:mod:`kg.nlp`), cleaned: a leading "the"
   and a trailing possessive are dropped, "Acme's Jane Doe" is split in two, a broken
   "Name (ACR" is cut at the bracket, and generic words ("AI", "IPO") are refused;
5. demonyms ("South Korean") -> a mention of their country, when the knowledge base
   knows it; otherwise nothing;
6. knowledge-base names inside entities the NER gave an ignored label, capitalised
   names the NER missed but the context types (:mod:`kg.context`), and further
   occurrences of a name already found.

Each mention's type comes from, in order: the knowledge base, the context (an
apposition "X, an AI-centred social media app"; a descriptor "computing company X";
a following noun "the X system"; a copula "X is a professor"; see :mod:`kg.context`),
the shape of the name and finally the NER label. ``Mention.rule`` records which one decided, so linking can
weigh them. Offsets always point into ``Document.text``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from .context import (
    DETERMINERS, HEAD_TYPES, ORG_WORDS, context_type, has_org_word, head_type, is_org_word,
    product_shaped, spacy_ids,
)
from .kb import KBEntry, load_kb
from .nlp import add_rule_components, doc_view, fold_quotes
from .positions import find_positions
from .stances import REPORT_VERBS
from .types import Document, EntityType, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "GENERIC_WORDS",
    "HEAD_TYPES",
    "NER_TYPES",
    "ORG_WORDS",
    "add_rule_components",
    "find_mentions",
    "head_type",
]

#: spaCy NER label -> kg type; labels not listed (DATE, MONEY, ...) are not entities.
NER_TYPES: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.COMPANY,
    "GPE": EntityType.PLACE,
    "LOC": EntityType.PLACE,
    "FAC": EntityType.PLACE,
    "PRODUCT": EntityType.PRODUCT,
    "EVENT": EntityType.EVENT,
}

#: Words that name a kind of thing, not a thing: never an entity on their own.
GENERIC_WORDS = frozenset(
    """ai ar vr xr mr ml agi llm llms nlp ipo ipos utc gmt pc pcs os tv gps api apis sdk gdp
    it hr pr faq url usb cpu cpus gpu gpus html pdf sms wi-fi wifi 5g 4g 3g lte ev evs iot
    saas b2b dna am pm et pt est pst bst cet q1 q2 q3 q4 ceo cfo cto coo internet web net
    app apps online covid covid-19 m&a r&d""".split()
)

_DESCRIBES_ORG_OR_PERSON = (EntityType.COMPANY, EntityType.PRODUCT, EntityType.PERSON)

# Rule priority when candidates overlap (higher wins), then length.
_PRIORITY = {"speaker": 5, "position": 4, "org-name": 3, "kb": 2, "ner": 1, "demonym": 1}
_SPEAKER = re.compile(
    r"(?m)^[ \t]*([A-Z][A-Z'’.\-]+(?:[ \t]+[A-Z][A-Z'’.\-]+){1,3})[ \t]*:"
)
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Za-z0-9&.\-]{1,9})\)")
_CONNECTORS = {"of", "for", "and", "on", "&", "the", "de"}
_WORD = re.compile(r"\w+")
#: Verbs that, right after an unknown name opening a sentence, show it is a speaker
#: ("Brandex said ..."): reporting verbs and a few stronger ones.
_SPEAKS = REPORT_VERBS | frozenset("warn argue claim confirm deny insist predict".split())
_HE_SHE = frozenset({"he", "she", "his", "her", "him"})
#: Singular common nouns that open a sentence and say things: never a name.
_COLLECTIVE = frozenset("""police management staff government research everyone everybody
nobody somebody someone anyone data analysis evidence history media press industry
""".split())
_CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()
)


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    label: EntityType
    rule: str
    priority: int
    trim: bool = True  # may lose its edges to a stronger overlapping candidate


def _is_generic(span: Span) -> bool:
    words = [t for t in span if not t.is_punct]
    return not words or all(t.lower_ in GENERIC_WORDS for t in words)


def _clean(span: Span) -> list[Span]:
    """Trim a candidate and split it at an inner possessive; may return nothing."""
    doc = span.doc
    s, e = span.start, span.end
    tok = dict(enumerate(span, start=s))  # each Token made once: ``doc[k]`` makes a new one
    # A broken "Name (ACR": keep the name before the bracket.
    for k in range(s, e):
        if tok[k].text in ("(", "[", '"'):
            e = k if k > s else e
            if k == s:
                s += 1
            break
    while s < e and (tok[s].lower_ in ("the", "a", "an") or tok[s].is_punct or tok[s].is_space):
        s += 1
    # "Rival Anthropic", "Chipmaker Acme": a description glued to the name.
    while s < e - 1 and (tok[s].is_sent_start or tok[s].is_lower) and (
        (tok[s + 1].is_title and head_type(tok[s].text) in _DESCRIBES_ORG_OR_PERSON)
        or (tok[s].pos_ == "NOUN" and tok[s + 1].is_lower
            and head_type(tok[s + 1].text) in _DESCRIBES_ORG_OR_PERSON)
    ):
        s += 1
    while e > s and (tok[e - 1].tag_ == "POS" or tok[e - 1].is_punct or tok[e - 1].is_space
                     or tok[e - 1].lower_ in ("'s", "'")):
        e -= 1
    if s >= e:
        return []
    for k in range(s + 1, e - 1):
        if k == e - 2 and _group_apostrophe(doc, k, e):
            continue  # "Harlow Supporters' Trust": a plural possessive inside a name
        if tok[k].tag_ == "POS" or tok[k].lower_ == "'s":
            return [*_clean(doc[s:k]), *_clean(doc[k + 1 : e])]
    return [doc[s:e]]


def _shouting(span: Span) -> bool:
    """All-capital words too long to be an acronym ("ECONOMICS REPORT")."""
    return any(t.is_upper and t.is_alpha and len(t) >= 6 for t in span)


def _org_names(doc: Doc, flags: list[tuple[bool, bool, bool, bool]]) -> list[Span]:
    """Capitalised names that contain an organisation word ("Institute for Fiscal Studies")."""
    from spacy.attrs import IS_LOWER, SPACY

    out = []
    i, n = 0, len(doc)
    # the words and flags the walk reads, from the Doc's arrays (no Token per word)
    view = doc_view(doc)
    low, texts = view.lowers, view.texts
    # once per token, as each is looked at several times: a capitalised alphabetic word
    # that is a proper noun or an organisation word, and no day or month
    name = [alpha and (title or upper) and w not in _CALENDAR and (propn or is_org_word(text))
            for (propn, title, upper, alpha), w, text in zip(flags, low, texts)]
    lower, space = zip(*doc.to_array([IS_LOWER, SPACY]).tolist()) if n else ((), ())
    while i < n:
        if not name[i]:
            i += 1
            continue
        j = i
        while j < n:
            if name[j] or (
                low[j] in _CONNECTORS and lower[j] and j + 1 < n and name[j + 1]
            ):
                j += 1
            elif (  # "Human-Centered": a hyphen inside a capitalised compound
                texts[j] == "-" and not space[j - 1] and not space[j]
                and j + 1 < n and flags[j + 1][1]
            ):
                j += 2
            elif (  # "Dunmore Teachers' Union": a plural possessive inside the name
                j + 1 < n and name[j + 1] and texts[j] in _APOSTROPHES
                and _group_apostrophe(doc, j, j + 2 if j + 2 >= n or not name[j + 2] else n)
            ):
                j += 2
            else:
                break
        # a lone word is no organisation's name: tested first, as most runs are one word;
        # only an apostrophe before the last word can make a group's possessive
        if j - i >= 2 and (has_org_word(words := low[i:j])
                           or (texts[j - 2] in _APOSTROPHES and _group_possessive(doc[i:j]))):
            end = j
            # "University of California, Davis": a campus after a comma.
            if ("university" in words and end + 1 < n and texts[end] == ","
                    and doc[end + 1].pos_ == "PROPN" and doc[end + 1].ent_type_ in ("", "PERSON", "GPE")
                    and (end + 2 >= n or not name[end + 2] or doc[end + 2].is_sent_start)):
                end += 2
            out.append(doc[i:end])
        i = max(j, i + 1)
    return out


def _group_possessive(span: Span) -> bool:
    """A name a group owns ("Harlow Supporters' Trust", "Dunmore Teachers' Union"):
    a plural possessive of people before the name's last word names an organisation."""
    k = span.end - 2  # only the word before the last can be such an apostrophe
    return k > span.start and _group_apostrophe(span.doc, k, span.end)


#: Plural endings of words for people ("supporters", "teachers", "employees", "musicians").
_PEOPLE_PLURAL = ("ers", "ors", "ees", "ans", "ents", "ists", "men")
#: Plurals with those endings that end company names ("General Motors' robotaxi unit").
_FIRM_PLURALS = frozenset({"motors", "brothers", "partners", "labs", "systems"})


_APOSTROPHES = ("'", "’")


def _group_apostrophe(doc: Doc, k: int, end: int) -> bool:
    """True when ``doc[k]`` is the apostrophe of a people plural followed by one last
    capitalised word that is no person ("Supporters' Trust", not "Acme Systems' Jane")."""
    if not (doc[k].text in _APOSTROPHES and k >= 1 and k + 2 == end):
        return False
    before, after = doc[k - 1], doc[k + 1]
    return (before.is_title and not before.whitespace_ and before.lower_.endswith(_PEOPLE_PLURAL)
            and before.lower_ not in _FIRM_PLURALS and after.is_title
            and after.ent_type_ != "PERSON")


def _flags(doc: Doc) -> list[tuple[bool, bool, bool, bool]]:
    """Per token: (proper noun, title case, all capitals, alphabetic), from the Doc's arrays.

    Scans that look at every token test these first, so they make a spaCy ``Token``
    (a costly object) only for the few capitalised words.
    """
    # from the Doc's arrays, shared with the other stages
    ids, view = spacy_ids(), doc_view(doc)
    rows = zip(view.pos, view.flags(ids.is_title), view.flags(ids.is_upper), view.flags(ids.is_alpha))
    propn = ids.propn
    return [(pos == propn, title == 1, upper == 1, alpha == 1) for pos, title, upper, alpha in rows]


def _sentence_starts(doc: Doc) -> list[int]:
    return [s.start_char for s in doc.sents]


def _kb_entry(text: str, span: Span | None = None) -> KBEntry | None:
    kb = load_kb()
    if span is not None and span.kb_id_:
        entry = kb.by_id(span.kb_id_)
        if entry is not None:
            return entry
    return kb.lookup(text)


_UNKNOWN = object()  # no knowledge-base entry looked up yet


def _type_span(span: Span, ner_label: str, document: Document,
               companies: frozenset[str] = frozenset(), entry: object = _UNKNOWN
               ) -> tuple[EntityType, str] | None:
    if entry is _UNKNOWN:
        entry = _kb_entry(document.text[span.start_char : span.end_char], span)
    if entry is not None and not (entry.weak and ner_label == "PERSON"):
        return entry.type, "kb"
    ctx = context_type(span.doc, span, ner_label)
    if ctx is not None:
        return ctx
    words = doc_view(span.doc).lowers[span.start : span.end]
    if (has_org_word(words) or _group_possessive(span)) and \
            ner_label in ("ORG", "FAC", "GPE", "PERSON", "PRODUCT"):
        return EntityType.ORGANIZATION, "org-name"
    if ner_label in ("ORG", "PERSON") and product_shaped(span, companies):
        return EntityType.PRODUCT, "name-shape"
    label = NER_TYPES.get(ner_label)
    return (label, "ner") if label is not None else None


def _heading(sent: Span) -> bool:
    """A title-case line without a final stop ("Tech Giants Face New Rules")."""
    # read on the Doc's arrays (a Token per word cost more)
    ids, view = spacy_ids(), doc_view(sent.doc)
    texts = view.texts
    # the last character of the stripped sentence text, without joining that text
    k = sent.end - 1
    while k >= sent.start and not texts[k].strip():
        k -= 1
    if k < sent.start or texts[k][-1] in '.!?"\'':
        return False
    alpha, title, upper = view.flags(ids.is_alpha), view.flags(ids.is_title), view.flags(ids.is_upper)
    words = [i for i in range(sent.start, sent.end) if alpha[i] and len(texts[i]) > 3]
    return len(words) >= 2 and sum(bool(title[i] or upper[i]) for i in words) >= 0.75 * len(words)


def _ent_candidates(doc: Doc, document: Document) -> list[_Cand]:
    kb = load_kb()
    from spacy.attrs import IS_LOWER

    # the words written in lower case, without making Tokens
    lower_words = {w for w, low in zip(doc_view(doc).texts, doc_view(doc).flags(IS_LOWER)) if low}
    ents = doc.ents  # a new tuple on every access
    cleaned = {ent.start: _clean(ent) for ent in ents if ent.label_ in NER_TYPES}
    # Single-word organisation names in this text: "Acme" makes "Acme Cloud" a product.
    companies = frozenset(
        sp.text for ent in ents if ent.label_ == "ORG" for sp in cleaned[ent.start] if len(sp) == 1
    )
    headings: dict[int, bool] = {}  # sentence start -> is it a heading
    sents = list(doc.sents)  # ``Span.sent`` searches the Doc anew on every call
    starts = [sent.start for sent in sents]

    def heading(span: Span) -> bool:
        sent = sents[bisect_right(starts, span.start) - 1]
        if sent.start not in headings:
            headings[sent.start] = _heading(sent)
        return headings[sent.start]

    out = []
    for ent in ents:
        if ent.label_ == "NORP":
            entry = kb.lookup_demonym(ent.text) or kb.lookup(ent.text)
            if entry is not None and entry.type in (EntityType.COUNTRY, EntityType.PLACE):
                out.append(_Cand(ent.start_char, ent.end_char, entry.type, "demonym", 1))
            continue
        if ent.label_ not in NER_TYPES:
            continue
        from_ruler = bool(ent.kb_id_)
        for span in cleaned[ent.start]:
            if _is_generic(span):
                continue
            text = document.text[span.start_char : span.end_char]
            entry = _kb_entry(text, span)
            looked_up = span  # the span ``entry`` was looked up for
            if entry is None:
                span = _trim_generic_tail(span)
                if span is None:
                    continue
                text = document.text[span.start_char : span.end_char]
            if entry is None and (_shouting(span) or not any(c.isupper() for c in text)):
                continue
            # A capitalised common noun opening a sentence ("Software giant X").
            if entry is None and len(span) == 1 and span[0].is_sent_start and (
                span[0].pos_ == "NOUN" or span[0].lower_ in lower_words
            ):
                continue
            # Names in a title-case heading are guesses unless the body repeats them.
            if entry is None and heading(span) and not _twice(document.text, text):
                continue
            # "the 737 MAX": a model number and a short capitalised name are one product.
            if (entry is None and len(span) == 1 and span.start >= 2 and span[0].is_upper
                    and len(span[0]) <= 4 and doc[span.start - 1].like_num
                    and doc[span.start - 1].text.isdigit() and doc[span.start - 2].lower_ in DETERMINERS):
                span = doc[span.start - 1 : span.end]
                out.append(_Cand(span.start_char, span.end_char, EntityType.PRODUCT, "name-shape",
                                 _PRIORITY["ner"]))
                continue
            typed = _type_span(span, ent.label_, document, companies,
                               entry if span is looked_up else _UNKNOWN)
            if typed is None:
                continue
            rule = "kb" if from_ruler and typed[1] == "ner" else typed[1]
            prio = _PRIORITY["kb"] if rule == "kb" else _PRIORITY["ner"]
            out.append(_Cand(span.start_char, span.end_char, typed[0], rule, prio))
    return out


def _twice(text: str, part: str) -> bool:
    """``text.count(part) >= 2``, stopping at the second occurrence."""
    first = text.find(part)
    return first >= 0 and text.find(part, first + max(1, len(part))) >= 0


def _trim_generic_tail(span: Span) -> Span | None:
    """ "Chrome Web" -> "Chrome" when the rest is a known name and the tail is generic."""
    e = span.end
    while e - 1 > span.start and span.doc[e - 1].lower_ in GENERIC_WORDS:
        e -= 1
    if e < span.end:
        short = span.doc[span.start : e]
        if load_kb().lookup(short.text) is not None:
            return short
    return span


def _kb_spans(doc: Doc) -> list[_Cand]:
    """Knowledge-base names the NER put in an ignored entity ("Acme and Widgetly" as
    a work of art); they yield to every other candidate."""
    out = []
    for sp in doc.spans.get("kg_kb", []):
        entry = load_kb().by_id(sp.kb_id_)
        if entry is not None:
            out.append(_Cand(sp.start_char, sp.end_char, entry.type, "kb", 0, trim=False))
    return out


def _unlabelled_names(doc: Doc, cands: list[_Cand], text: str,
                      flags: list[tuple[bool, bool, bool, bool]]) -> list[_Cand]:
    """Capitalised names the NER missed, kept only when the context says what they are
    ("Quonix Robotics, a warehouse startup, ...")."""
    taken = sorted((c.start, c.end) for c in cands)
    starts = [s for s, _ in taken]
    max_ends = list(accumulate((e for _, e in taken), max))

    def overlaps(start: int, end: int) -> bool:
        k = bisect_right(starts, end - 1)  # the candidates starting before ``end``
        return k > 0 and max_ends[k - 1] > start

    # sliced from the article, not ``doc.text`` (which spaCy joins anew on every access);
    # folded, as the tokens compared with it are
    surnames = {fold_quotes(t).lower() for c in cands if c.label == EntityType.PERSON
                for t in text[c.start : c.end].split()[-1:]}
    out = []
    n = len(doc)
    proper = [propn and title and alpha for propn, title, _, alpha in flags]
    # only a title-case alphabetic word can be an unknown name (:func:`_unknown_word`):
    # the others are passed over on the flags, without making their Token
    titled = [title and alpha for _, title, _, alpha in flags]
    sent_start = doc_view(doc).sent_start
    i = 0
    while i < n:
        j = i
        while j < n and proper[j] and (j == i or not sent_start[j]):
            j += 1
        if j == i and titled[i] and sent_start[i] and _unknown_word(doc[i]):
            j = i + 1  # "Brandex said": the tagger took an unknown name for a noun
            span = doc[i:j]
            i = j
            if not overlaps(span.start_char, span.end_char):
                label = _speaker_name(span, surnames)
                if label is not None:
                    out.append(_Cand(span.start_char, span.end_char, label, "speaks", 0,
                                     trim=False))
            continue
        if j == i:
            i += 1
            continue
        span = doc[i:j]
        i = j
        if overlaps(span.start_char, span.end_char):
            continue
        if span[0].lower_ in _CALENDAR or _is_generic(span):
            continue
        ctx = context_type(doc, span)
        if ctx is not None and ctx[1] in ("apposition", "descriptor", "copula"):
            out.append(_Cand(span.start_char, span.end_char, ctx[0], ctx[1], 0, trim=False))
        elif ctx is None and len(span) == 1:  # a longer unknown name may be a person's
            label = _speaker_name(span, surnames)
            if label is not None:
                out.append(_Cand(span.start_char, span.end_char, label, "speaks", 0, trim=False))
    return out


def _unknown_word(t: Token) -> bool:
    """A capitalised singular noun opening a sentence that is no common word we know."""
    low = t.lower_
    return (t.is_sent_start and t.pos_ == "NOUN" and t.is_title and t.is_alpha and len(t) > 2
            and t.lemma_.lower() == low and low not in _COLLECTIVE and low not in GENERIC_WORDS
            and low not in _CALENDAR and head_type(t.text) is None and not is_org_word(t.text))


def _speaker_name(span: Span, surnames: set[str]) -> EntityType | None:
    """The type of an unknown name that opens a sentence as the subject of a reporting
    verb ("Brandex said it ..."): a person when a he/she follows in the sentence, else a
    company; None when the context is anything else or the name is a known surname."""
    doc = span.doc
    if not span[0].is_sent_start or span.end >= len(doc) or span[-1].lower_ in surnames:
        return None
    verb = doc[span.end]
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in _SPEAKS:
        return None
    if span.root.head.i != verb.i or span.root.dep_ not in ("nsubj", "compound"):
        return None
    lower = {t.text.lower() for t in doc if t.is_lower}
    if any(t.lower_ in lower for t in span):  # a common word capitalised at the start
        return None
    rest = doc[verb.i : verb.sent.end]
    return EntityType.PERSON if any(t.lower_ in _HE_SHE for t in rest) else EntityType.COMPANY


def _speakers(document: Document) -> list[_Cand]:
    out = []
    for m in _SPEAKER.finditer(document.text):
        out.append(_Cand(m.start(1), m.end(1), EntityType.PERSON, "speaker", _PRIORITY["speaker"]))
    return out


def _acronyms(cands: list[_Cand], document: Document) -> list[_Cand]:
    """ "Institute for Fiscal Studies (IFS)": the acronym is a mention of the same thing."""
    out = []
    for c in cands:
        m = _ACRONYM_AFTER.match(document.text, c.end)
        if m and c.label not in (EntityType.PERSON, EntityType.POSITION):
            out.append(_Cand(m.start(1), m.end(1), c.label, "acronym", c.priority))
    return out


class _Taken:
    """Which chosen candidate owns each character of the text (chosen ones never overlap).

    Marking and asking cost the length of the span, so choosing among all candidates
    is linear in their total length, not quadratic in their number.
    """

    def __init__(self, size: int) -> None:
        self.owner = [-1] * size
        self.chosen: list[_Cand] = []

    def add(self, c: _Cand) -> None:
        self.owner[c.start : c.end] = [len(self.chosen)] * (c.end - c.start)
        self.chosen.append(c)

    def free(self, start: int, end: int) -> bool:
        return max(self.owner[start:end], default=-1) < 0

    def overlapping(self, start: int, end: int) -> list[_Cand]:
        """The chosen candidates overlapping ``[start, end)``, in the order they were chosen."""
        found = set(self.owner[start:end])
        found.discard(-1)
        return [self.chosen[k] for k in sorted(found)]


class _WordStarts(dict):
    """Start offsets of the maximal ``\\w+`` runs of a text, by the run's text, found
    for a word when first asked for (with ``str.find``: a text has far more words than
    the names looked up in it)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, word: str) -> list[int]:
        text, n, out = self.text, len(word), []
        s = text.find(word)
        while s >= 0:
            # a whole run: no word character just before or just after it
            if not (s and _WORD_CHAR.match(text, s - 1)) and not _WORD_CHAR.match(text, s + n):
                out.append(s)
            s = text.find(word, s + 1)
        self[word] = out
        return out


_WORD_CHAR = re.compile(r"\w")


def _occurrences(name: str, text: str, index: _WordStarts) -> list[int]:
    """Starts of ``name`` as a whole word sequence in ``text``, left to right, not overlapping.

    The same matches as ``re.finditer`` with ``(?<![\\w-])`` and ``(?![\\w-])`` around the
    name, found from the index of word starts instead of a scan of the text per name.
    """
    first = _WORD.match(name)
    if first is None:  # a name that does not open with a word character: scan
        pattern = r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"
        return [m.start() for m in re.finditer(pattern, text)]
    out: list[int] = []
    after = 0
    for s in index[first.group()]:
        e = s + len(name)
        if s < after or (s and text[s - 1] == "-") or not text.startswith(name, s):
            continue
        if e < len(text) and (text[e] == "-" or _WORD.match(text, e)):
            continue
        out.append(s)
        after = e
    return out


def _repeats(doc: Doc, taken: _Taken, text: str) -> list[_Cand]:
    """Other occurrences of a name already found, where the NER missed it again."""
    out: list[_Cand] = []
    names = {text[c.start : c.end]: c.label for c in taken.chosen
             if c.rule not in ("position", "demonym", "speaker")}
    index: _WordStarts | None = None
    for name, label in sorted(names.items()):
        if len(name) < 2 or not any(ch.isupper() for ch in name):
            continue
        if index is None:
            index = _WordStarts(text)
        for s in _occurrences(name, text, index):
            e = s + len(name)
            if not taken.free(s, e) or doc.char_span(s, e) is None:
                continue
            c = _Cand(s, e, label, "repeat", 0)
            out.append(c)
            taken.add(c)
    return out


def _trim_overlap(c: _Cand, chosen: list[_Cand], text: str) -> _Cand | None:
    """``c`` less what stronger candidates took at its edges ("Analyst [Jane Doe]").

    ``chosen`` are the stronger candidates in the order they were chosen; only those
    overlapping ``c`` matter.
    """
    for o in chosen:
        if c.end <= o.start or c.start >= o.end:
            continue
        if not c.trim:
            return None
        if o.start <= c.start and o.end < c.end:
            c = _Cand(o.end, c.end, c.label, c.rule, c.priority)
        elif o.start > c.start and o.end >= c.end:
            c = _Cand(c.start, o.start, c.label, c.rule, c.priority)
        else:
            return None
        part = text[c.start : c.end]
        c.start += len(part) - len(part.lstrip(" ,'-"))
        c.end -= len(part) - len(part.rstrip(" ,'-"))
        if c.end <= c.start or not text[c.start].isupper():
            return None
    return c


def find_mentions(doc: Doc, document: Document) -> list[Mention]:
    """Return the entity mentions of ``doc`` in text order, without overlaps.

    Args:
        doc: ``document.text`` parsed by :func:`kg.nlp.load_nlp`'s pipeline.
        document: the article; every mention's text is ``document.text[start:end]``.
    """
    cands = _speakers(document)
    for span in find_positions(doc):
        cands.append(_Cand(span.start_char, span.end_char, EntityType.POSITION, "position",
                           _PRIORITY["position"]))
    flags = _flags(doc)
    for span in _org_names(doc, flags):
        for part in _clean(span):
            text = document.text[part.start_char : part.end_char]
            entry = _kb_entry(text)
            label = entry.type if entry else (context_type(doc, part) or (EntityType.ORGANIZATION,))[0]
            if label == EntityType.PERSON:
                continue
            cands.append(_Cand(part.start_char, part.end_char, label,
                               "kb" if entry else "org-name", _PRIORITY["org-name"]))
    cands.extend(_ent_candidates(doc, document))
    cands.extend(_kb_spans(doc))
    cands.extend(_unlabelled_names(doc, cands, document.text, flags))
    cands.extend(_acronyms(cands, document))
    cands.sort(key=lambda c: (-c.priority, -(c.end - c.start), c.start))
    taken = _Taken(len(document.text))
    for c in cands:
        c = _trim_overlap(c, taken.overlapping(c.start, c.end), document.text)
        if c is not None:
            taken.add(c)
    _repeats(doc, taken, document.text)
    chosen = sorted(taken.chosen, key=lambda c: c.start)
    starts = _sentence_starts(doc)
    return [
        Mention(document.id, c.start, c.end, document.text[c.start : c.end], c.label,
                max(0, bisect_right(starts, c.start) - 1), c.rule)
        for c in chosen
    ]
