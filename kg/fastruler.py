"""An exact, faster ``match`` for spaCy's attribute ruler.

Why: ``en_core_web_sm``'s attribute ruler (179 token patterns that map tags to POS and
morphology, plus lemma exceptions) takes about an eighth of the pipeline's time.
spaCy's ``Matcher`` tests every pattern at every token and calls a Python predicate for
each ``IN``/``NOT_IN``/``REGEX`` value. Almost all the patterns are one token with
equality and set tests on a few attributes, so which of them match a token depends
only on those attribute values: :class:`RuleMatcher` works that out once per distinct
combination and looks it up after. Multi-token patterns start from the same look-up.

The result is the list ``AttributeRuler.match`` returns, for the same ``Doc``: spaCy's
own ``set_annotations`` then applies it. A pattern this module cannot read (a quantifier,
an extension attribute, another predicate) keeps spaCy's ``Matcher``, and a pipeline
with no attribute ruler is left as it is.

Examples:
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = nlp.add_pipe("attribute_ruler")
    >>> ruler.add([[{"LOWER": {"IN": ["hi", "hello"]}}]], {"LEMMA": "greet"})
    >>> speed_up(nlp)
    True
    >>> [t.lemma_ for t in nlp("Hello there, hi")]
    ['greet', '', '', 'greet']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler
    from spacy.tokens import Doc

__all__ = ["RuleMatcher", "speed_up"]

#: Token attributes read from ``Doc.to_array``, which gives the values the Matcher
#: compares (``TEXT`` is ``ORTH`` to it).
_COLUMNS = ("ORTH", "LOWER", "NORM", "TAG", "DEP", "IS_SPACE")
_ALIASES = {"TEXT": "ORTH"}
#: Look-ups kept per pipeline; a corpus has far fewer distinct token signatures.
_CACHE_LIMIT = 200_000


class _Unsupported(Exception):
    """A pattern the look-up cannot evaluate exactly as the Matcher does."""


def _compile_value(value, is_flag: bool):
    """One attribute test as ``(kind, operand)``; raises ``_Unsupported`` otherwise."""
    from spacy.strings import get_string_id

    if is_flag:
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return "eq", int(value)
        raise _Unsupported(value)
    if isinstance(value, str):
        return "eq", get_string_id(value)
    if isinstance(value, dict) and len(value) == 1:
        (op, operand), = value.items()
        if op in ("IN", "NOT_IN") and isinstance(operand, list) \
                and all(isinstance(v, str) for v in operand):
            return op, frozenset(get_string_id(v) for v in operand)
        if op == "REGEX" and isinstance(operand, str):
            return op, re.compile(operand)
    raise _Unsupported(value)


def _compile_spec(spec: dict) -> tuple:
    """A token spec as a tuple of ``(attribute, kind, operand)`` tests."""
    tests = []
    for key, value in spec.items():
        if not isinstance(key, str):
            raise _Unsupported(key)
        name = _ALIASES.get(key.upper(), key.upper())
        if name not in _COLUMNS:
            raise _Unsupported(key)
        tests.append((name, *_compile_value(value, name.startswith("IS_"))))
    return tuple(tests)


class RuleMatcher:
    """``AttributeRuler.match`` by a look-up per distinct token signature.

    Args:
        ruler: the attribute ruler whose patterns to match; patterns that the look-up
            cannot read stay with a spaCy ``Matcher`` of their own.
    """

    def __init__(self, ruler: AttributeRuler):
        from spacy.attrs import IDS
        from spacy.matcher import Matcher

        self._strings = ruler.vocab.strings
        self._specs: list[tuple] = []          # distinct token specs, tests by column
        self._single: dict[int, list] = {}     # spec -> [(rule, key)] of one-token patterns
        self._multi: list[tuple] = []          # (rule, key, spec ids) of longer patterns
        self._first: dict[int, list] = {}      # spec -> indices into _multi it starts
        self.rest = Matcher(ruler.vocab)       # patterns the look-up cannot read
        self._cache: dict[tuple, tuple] = {}
        # a spec is tried only for tokens that pass one of its equality or IN tests
        self._index: dict[tuple[int, int], list[int]] = {}
        self._always: list[int] = []
        compiled = []
        for rule, pattern in enumerate(ruler.patterns):
            key = self._strings.add(str(rule))
            for tokens in pattern["patterns"]:
                try:
                    compiled.append((rule, key, [_compile_spec(spec) for spec in tokens]))
                except _Unsupported:
                    self.rest.add(key, [tokens])
        # the signature holds only the attributes some pattern tests: fewer distinct ones
        names = sorted({test[0] for *_, specs in compiled for spec in specs for test in spec})
        self._columns = [IDS[name] for name in names]
        for rule, key, specs in compiled:
            ids = [self._spec_id(tuple((names.index(n), kind, op) for n, kind, op in spec))
                   for spec in specs]
            if len(ids) == 1:
                self._single.setdefault(ids[0], []).append((rule, key))
            elif ids:
                self._first.setdefault(ids[0], []).append(len(self._multi))
                self._multi.append((rule, key, ids))

    def _spec_id(self, spec: tuple) -> int:
        if spec in self._specs:
            return self._specs.index(spec)
        self._specs.append(spec)
        spec_id = len(self._specs) - 1
        # an equality test narrows best; an IN test indexes the spec under each value
        anchors = [t for t in spec if t[1] == "eq"] or [t for t in spec if t[1] == "IN"]
        if not anchors:
            self._always.append(spec_id)
        else:
            column, kind, operand = anchors[0]
            for value in (operand,) if kind == "eq" else operand:
                self._index.setdefault((column, value), []).append(spec_id)
        return spec_id

    def _passes(self, spec: tuple, row: tuple) -> bool:
        for column, kind, operand in spec:
            value = row[column]
            if kind == "eq":
                ok = value == operand
            elif kind == "IN":
                ok = value in operand
            elif kind == "NOT_IN":
                ok = value not in operand
            else:
                ok = operand.search(self._strings[value]) is not None
            if not ok:
                return False
        return True

    def _look_up(self, row: tuple) -> tuple:
        """What a token with these attribute values matches: one-token rules, the
        longer patterns it starts, and the spec ids it passes."""
        tried = set(self._always)
        for column, value in enumerate(row):
            tried.update(self._index.get((column, value), ()))
        passed = frozenset(i for i in tried if self._passes(self._specs[i], row))
        single = tuple(hit for i in sorted(passed) for hit in self._single.get(i, ()))
        starts = tuple(m for i in sorted(passed) for m in self._first.get(i, ()))
        found = (single, starts, passed)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[row] = found
        return found

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """The sorted ``(rule, key, start, end)`` list ``AttributeRuler.match`` gives."""
        cache, look_up = self._cache, self._look_up
        if not self._columns:
            rows = [()] * len(doc)
        else:
            # one attribute comes back as a flat array: keep it a row per token
            array = doc.to_array(self._columns).reshape(len(doc), len(self._columns))
            rows = [tuple(row) for row in array.tolist()]
        hits = [cache.get(row) or look_up(row) for row in rows]
        found = set()
        for start, (single, starts, _) in enumerate(hits):
            for rule, key in single:
                found.add((rule, key, start, start + 1))
            for m in starts:
                rule, key, ids = self._multi[m]
                end = start + len(ids)
                if end <= len(hits) and all(ids[j] in hits[start + j][2]
                                            for j in range(1, len(ids))):
                    found.add((rule, key, start, end))
        if len(self.rest):
            for key, start, end in self.rest(doc, allow_missing=True, as_spans=False):
                found.add((int(self._strings[key]), key, start, end))
        return sorted(found)


def speed_up(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Give ``nlp``'s attribute ruler a :class:`RuleMatcher` (idempotent).

    Returns:
        Whether the pipeline has an attribute ruler under ``name`` to speed up.
    """
    from spacy.pipeline import AttributeRuler

    if name not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe(name)
    if not isinstance(ruler, AttributeRuler):
        return False
    if not isinstance(ruler.__dict__.get("match"), RuleMatcher):
        # an instance attribute: ``AttributeRuler.__call__`` calls ``self.match``
        ruler.match = RuleMatcher(ruler)
    return True
