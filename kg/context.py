"""What a name is, from the words around it: descriptions, name shape, organisation words.

These rules type names that the knowledge base does not know. A description next to a
name says what it is: an apposition ("Quonix, a warehouse startup"), a descriptor before
it ("software company Quonix"), a noun after it ("the Brightline Alert system") or a
copula ("Quonix is the biggest search engine"). Its head noun maps to a type through
:data:`HEAD_TYPES`.

Examples:
    >>> head_type("carmaker"), head_type("browser")
    (<EntityType.COMPANY: 'Company'>, <EntityType.PRODUCT: 'Product'>)
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .kb import CORPORATE_WORDS, load_kb
from .nlp import doc_view
from .positions import STRONG_HEADS, WEAK_HEADS, singular
from .types import EntityType

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .nlp import DocView

__all__ = ["CLUB_WORDS", "DETERMINERS", "HEAD_TYPES", "ORG_WORDS", "SpacyIds", "context_type", "has_org_word", "head_type",
           "is_org_name_word", "is_org_word", "product_shaped", "spacy_ids"]

#: Organisation words that make a capitalised name an Organization.
ORG_WORDS = frozenset(
    """university institute institution foundation commission department ministry agency
    council association society center centre court bureau committee administration
    authority board parliament senate congress union school college academy museum
    organization organisation federation fund laboratory laboratories lab labs
    observatory tribunal police army navy government assembly forum""".split()
)

#: Words that end a club's or society's name after its short name ("Rotherford United"):
#: with :data:`ORG_WORDS` and the knowledge base's corporate words, they keep "<short name> +
#: word" an organisation, not a product.
CLUB_WORDS = frozenset(
    """united city athletic athletico rovers rangers wanderers albion fc afc cf sc club
    trust town county orchestra choir""".split()
)

# Titles a firm can hold as well as a person ("X, a Swedish investor"): they type nothing.
_EITHER = frozenset({"investor", "partner", "owner", "head", "host", "operator", "producer",
                     "developer", "designer", "consultant", "adviser", "advisor"})

#: Head nouns of descriptions ("the carmaker", "an AI-centred app") -> the type they give.
HEAD_TYPES: dict[str, EntityType] = {
    **dict.fromkeys(
        """company companies firm corporation giant maker carmaker automaker chipmaker
        phonemaker startup start-up retailer manufacturer conglomerate provider supplier
        rival competitor leader airline bank insurer brand business subsidiary operator
        studio chain supermarket grocer lender miner carrier dealer distributor exporter
        utility drugmaker toymaker""".split(), EntityType.COMPANY),
    **dict.fromkeys(
        """agency regulator commission watchdog nonprofit non-profit charity foundation
        university institute organization organisation ministry department court council
        association union government exchange school college body authority committee
        laboratory lab newspaper magazine broadcaster outlet wire""".split(),
        EntityType.ORGANIZATION),
    **dict.fromkeys(
        """app application assistant chatbot browser platform device phone smartphone
        handset tablet software program programme system engine website site game console
        product model tool service network format standard protocol encyclopedia
        computer laptop car vehicle drug vaccine turbine aircraft jet plane airliner
        truck chip processor satellite rocket medicine therapy treatment inhaler pill
        robot drone headset camera watch speaker""".split(), EntityType.PRODUCT),
    **dict.fromkeys(
        """city town state province region county capital""".split(), EntityType.PLACE),
    **dict.fromkeys(["country", "nation"], EntityType.COUNTRY),
    **dict.fromkeys(
        [*(STRONG_HEADS | WEAK_HEADS) - _EITHER, "singer", "actor", "actress", "player", "billionaire",
         "businessman", "businesswoman", "student", "politician", "activist", "filmmaker",
         "moviemaker", "policymaker", "peacemaker", "winemaker", "dressmaker", "matchmaker",
         "kingmaker", "dealmaker", "playmaker", "homemaker", "troublemaker", "rainmaker",
         "decisionmaker"],
        EntityType.PERSON),
}
# "news service", "social network": the modifier changes what the head says.
_MODIFIED_HEADS = {
    ("news", "service"): EntityType.ORGANIZATION,
    ("news", "agency"): EntityType.ORGANIZATION,
    ("television", "network"): EntityType.COMPANY,
    ("tv", "network"): EntityType.COMPANY,
    ("cable", "network"): EntityType.COMPANY,
    ("search", "leader"): EntityType.COMPANY,
    ("telecom", "network"): EntityType.COMPANY,
    ("mobile", "network"): EntityType.COMPANY,
    ("wireless", "network"): EntityType.COMPANY,
}

DETERMINERS = {"a", "an", "the", "its", "their", "his", "her"}
_COPULA = {"is", "was", "are", "were", "'s", "remains", "became", "becomes"}


# cached: the rules ask for every noun of every sentence, and a text repeats its nouns
@lru_cache(maxsize=8192)
def head_type(head: str, modifier: str | None = None) -> EntityType | None:
    """The entity type a description's head noun gives ("carmaker" -> Company).

    Examples:
        >>> head_type("app"), head_type("carmaker"), head_type("spokeswoman")
        (<EntityType.PRODUCT: 'Product'>, <EntityType.COMPANY: 'Company'>, <EntityType.PERSON: 'Person'>)
        >>> head_type("service", "news")
        <EntityType.ORGANIZATION: 'Organization'>
        >>> head_type("idea") is None
        True
    """
    head = singular(head.lower()).lower()
    if head.endswith("s") and head[:-1] in HEAD_TYPES:
        head = head[:-1]
    if modifier and (modifier.lower(), head) in _MODIFIED_HEADS:
        return _MODIFIED_HEADS[(modifier.lower(), head)]
    if head not in HEAD_TYPES and len(head) > 7 and head.endswith("maker"):
        return EntityType.COMPANY  # "chipmaker", "snackmaker": any "-maker" is a firm
    return HEAD_TYPES.get(head)


class SpacyIds(NamedTuple):
    """spaCy's ids for what the name rules test, the same in every vocabulary: each
    Doc's arrays (:class:`~kg.nlp.DocView`) hold these numbers, not the strings."""

    noun: int
    propn: int
    modifiers: frozenset[int]  # the parts of speech a noun phrase may hold before its head
    modifier_tags: frozenset[int]  # ... and the tags
    possessive: int  # the tag "POS"
    tag: int  # the attributes
    is_lower: int
    is_upper: int
    is_title: int
    is_alpha: int
    is_punct: int
    is_space: int
    like_num: int


@lru_cache(maxsize=1)
def spacy_ids() -> SpacyIds:
    """The ids, found once (spaCy is imported only when extraction needs it; an
    ``import`` inside a function run for every name cost more than the function).

    Examples:
        >>> from spacy.symbols import NOUN
        >>> spacy_ids().noun == NOUN
        True
    """
    from spacy.attrs import (
        IS_ALPHA, IS_LOWER, IS_PUNCT, IS_SPACE, IS_TITLE, IS_UPPER, LIKE_NUM, TAG,
    )
    from spacy.strings import get_string_id
    from spacy.symbols import ADJ, ADV, NOUN, NUM, PROPN

    tags = frozenset(get_string_id(t) for t in ("HYPH", "VBN", "VBG", "POS"))
    return SpacyIds(NOUN, PROPN, frozenset({ADJ, ADV, NUM}), tags, get_string_id("POS"), TAG,
                    IS_LOWER, IS_UPPER, IS_TITLE, IS_ALPHA, IS_PUNCT, IS_SPACE, LIKE_NUM)


def _np_head(ids: SpacyIds, pos: list[int], tags: list[int], i: int, limit: int = 8,
             stop: int | None = None) -> tuple[int | None, int | None]:
    """Head noun (and the word before it) of the noun phrase starting at token ``i``, as
    token indices (``pos`` and ``tags`` are the Doc's)."""
    head = prev = None
    end = min(len(pos) if stop is None else stop, i + limit)
    for j in range(i, end):
        if pos[j] == ids.noun or pos[j] == ids.propn:
            prev, head = (j - 1 if j > i else None), j
        elif not (pos[j] in ids.modifiers or tags[j] in ids.modifier_tags):
            break
    return head, prev


def _apposition_start(ids: SpacyIds, view: DocView, e: int, sent_end: int) -> int | None:
    """Where the description in "X, the ..." or "X, Acme's ..." starts, if there is one."""
    if e + 2 >= sent_end or view.texts[e] != ",":
        return None
    if view.lowers[e + 1] in DETERMINERS:
        return e + 2
    pos = view.pos
    k = e + 1
    while k < sent_end and k - e <= 3 and pos[k] == ids.propn:
        k += 1
    if k > e + 1 and k < sent_end and view.flags(ids.tag)[k] == ids.possessive:
        return k + 1
    return None


def context_type(doc: Doc, span: Span, ner_label: str = "") -> tuple[EntityType, str] | None:
    """Type from the words around a name, with the rule that found it.

    A following noun says nothing about a place or a person: "the Detroit carmaker".
    """
    # read on the Doc's arrays: this runs for every name, and a Token per word cost more
    ids, view = spacy_ids(), doc_view(doc)
    texts, lowers, pos, tags = view.texts, view.lowers, view.pos, view.flags(ids.tag)
    noun = ids.noun
    s, e = span.start, span.end
    sent_end = view.sent_end_of(s)  # ``span.sent`` walks the Doc on every call
    # Apposition after: "X, the Internet search leader," / "X, an AI-centred app,"
    start = _apposition_start(ids, view, e, sent_end)
    if start is not None:
        head, prev = _np_head(ids, pos, tags, start)
        if head is not None and pos[head] == noun:
            t = head_type(texts[head], texts[prev] if prev is not None else None)
            if t is not None:
                return t, "apposition"
    # Descriptor before: "computing company X", "Internet meeting website X", "company, X"
    j = s - 1
    if j >= 1 and texts[j] == "," and pos[j - 1] == noun:
        j -= 1
    if j >= 0 and pos[j] == noun and (view.flags(ids.is_lower)[j] or view.sent_start[j]):
        t = head_type(texts[j], texts[j - 1] if j > 0 else None)
        if t is not None:
            return t, "descriptor"
    # Following noun: "the X system", "the X stock exchange", "the X open-source
    # operating system". It says nothing about a place ("the Detroit carmaker") or after a
    # possessive ("X's popular service" is something X owns).
    head, prev = _np_head(ids, pos, tags, e, limit=5, stop=sent_end)
    if (head is not None and pos[head] == noun and view.flags(ids.is_lower)[head]
            and e < sent_end and tags[e] != ids.possessive
            and ner_label not in ("GPE", "LOC", "FAC", "NORP")):
        t = head_type(texts[head], texts[prev] if prev is not None and prev >= e else None)
        if t in (EntityType.PRODUCT, EntityType.ORGANIZATION, EntityType.COMPANY):
            return t, "head-noun"
    # Copula: "X is a professor of law", "X was the biggest search engine"
    if e + 2 < sent_end and lowers[e] in _COPULA and lowers[e + 1] in DETERMINERS:
        head, prev = _np_head(ids, pos, tags, e + 2)
        if head is not None and pos[head] == noun:
            t = head_type(texts[head], texts[prev] if prev is not None else None)
            if t is not None:
                return t, "copula"
    return None


def is_org_word(word: str) -> bool:
    w = word.lower()
    return w in ORG_WORDS or (w.endswith("s") and w[:-1] in ORG_WORDS)


def is_org_name_word(word: str) -> bool:
    """A word that ends an organisation's full name ("Rotherford United", "Acme Foundation")."""
    w = word.lower().replace(".", "")
    return w in CORPORATE_WORDS or w in CLUB_WORDS or is_org_word(w)


def has_org_word(words: list[str]) -> bool:
    """An organisation word, or "central bank" (other banks are companies)."""
    # :func:`is_org_word` inlined: this runs for every capitalised name in a text
    for w in words:
        w = w.lower()
        if w in ORG_WORDS or (w.endswith("s") and w[:-1] in ORG_WORDS):
            return True
    return "bank" in words and any(
        a == "central" and b == "bank" for a, b in zip(words, words[1:])
    )


def product_shaped(span: Span, companies: frozenset[str] = frozenset()) -> bool:
    """A product's name by its shape.

    "Galaxy Z Fold", "Pixel 8" (a known product's name or a model number inside),
    "Apple Music" (a company's name, from the knowledge base or ``companies`` named
    elsewhere in the text, then a non-corporate word; "Rotherford United" or "Acme
    Foundation" end in a word of an organisation's name, see :func:`is_org_name_word`) or
    "iPod" (a lower-case first letter).
    """
    if len(span) == 1 and span[0].text[:1].islower() and any(c.isupper() for c in span[0].text):
        return True
    kb = load_kb()
    view = doc_view(span.doc)  # the Doc's arrays: a Token per word cost more
    texts = view.texts
    for k in range(len(span) - 1, 0, -1):
        prefix = span[:k].text if k > 1 else texts[span.start]
        entry = kb.lookup(prefix)
        etype = entry.type if entry is not None else (
            EntityType.COMPANY if prefix in companies else None)
        if etype is not None:
            rest = [t.lower_ for t in span[k:]]
            return etype == EntityType.PRODUCT or (
                etype == EntityType.COMPANY and not all(w in CORPORATE_WORDS for w in rest)
                and not is_org_name_word(rest[-1])
            )
    like_num, upper = view.flags(spacy_ids().like_num), view.flags(spacy_ids().is_upper)
    return len(span) > 1 and any(
        like_num[i] or (len(texts[i]) == 1 and upper[i]) or any(c.isdigit() for c in texts[i])
        for i in range(span.start + 1, span.end)
    )
