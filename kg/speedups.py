"""Exact, faster stand-ins for two slow parts of spaCy's trained English pipelines.

Why: in ``en_core_web_sm`` the attribute ruler and the lemmatizer took about a sixth of
the parse, most of it per-token Python work that gives the same answer for the same
token attributes. :func:`speed_up` replaces that work with look-ups; the ``Doc`` that
comes out is the same.

- :class:`RuleMatcher` is the attribute ruler's ``match``. spaCy's ``Matcher`` tests
  every pattern at every token and calls a Python predicate for each ``IN``/``NOT_IN``/
  ``REGEX`` value. Almost all the patterns (179 in the model) are one token with equality
  and set tests on a few attributes, so which of them match a token depends only on those
  attribute values: the matcher works that out once per distinct combination and looks
  it up after. Multi-token patterns start from the same look-up. A pattern this module
  cannot read (a quantifier, an extension attribute, another predicate) keeps spaCy's
  ``Matcher``. :class:`RuleApplier` then writes each token's attributes once.
- :class:`LemmaCache` is the lemmatizer's ``lemmatize``. spaCy's rule lemmatizer caches
  only words that reach its suffix rules; the rest (base forms, proper nouns) are worked
  out again at every token. Its answer depends on the word, POS and morphology alone, so
  the cache keeps every answer under those three. Only spaCy's own rule and lookup
  modes are cached: another lemmatizer may read more of the token.

Examples:
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = nlp.add_pipe("attribute_ruler")
    >>> ruler.add([[{"LOWER": {"IN": ["hi", "hello"]}}]], {"LEMMA": "greet"})
    >>> speed_up(nlp)
    ['attribute_ruler']
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

__all__ = ["LemmaCache", "RuleApplier", "RuleMatcher", "speed_up"]

#: Token attributes read from ``Doc.to_array``, which gives the values the Matcher
#: compares (``TEXT`` is ``ORTH`` to it).
_COLUMNS = ("ORTH", "LOWER", "NORM", "TAG", "DEP", "IS_SPACE")
_ALIASES = {"TEXT": "ORTH"}
#: Look-ups kept per component; a corpus has far fewer distinct token signatures.
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


class RuleApplier:
    """``AttributeRuler.set_annotations``, one write per token instead of one per match.

    spaCy builds a ``Span`` and writes the attributes for every match in rule order, so a
    token's later rules overwrite its earlier ones; merging each token's attributes in
    that order and writing them once gives the same token. Only for rulers that set
    token-level attributes (POS, tag, dependency, lemma, morphology): a lexeme's
    attributes, shared between tokens, keep spaCy's order of writes.

    Args:
        ruler: the attribute ruler to apply the matches of.
    """

    def __init__(self, ruler: AttributeRuler):
        self._ruler = ruler

    @staticmethod
    def applies_to(ruler: AttributeRuler) -> bool:
        from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

        token_level = {DEP, LEMMA, MORPH, POS, TAG}
        return all(isinstance(key, int) and key in token_level
                   for attrs in ruler.attrs for key in attrs)

    def __call__(self, doc: Doc, matches: list) -> None:
        from spacy.pipeline import AttributeRuler
        from spacy.tokens._retokenize import set_token_attrs

        ruler = self._ruler
        merged: dict[int, dict] = {}
        for rule, _key, start, end in matches:  # in rule order
            index = ruler.indices[rule]
            target = (start if index >= 0 else end) + index
            if not start <= target < end:
                # spaCy's own error for a target outside the match
                return AttributeRuler.set_annotations(ruler, doc, matches)
            attrs = ruler.attrs[rule]
            earlier = merged.get(target)
            merged[target] = attrs if earlier is None else {**earlier, **attrs}
        for target, attrs in merged.items():
            set_token_attrs(doc[target], attrs)


class LemmaCache:
    """A lemmatizer's ``lemmatize``, called once per (word, POS, morphology).

    Args:
        lemmatize: the function to cache; its answer must depend on those three alone.
    """

    def __init__(self, lemmatize):
        self.lemmatize = lemmatize
        self._cache: dict[tuple[int, int, int], list[str]] = {}

    def __call__(self, token) -> list[str]:
        key = (token.orth, token.pos, token.morph.key)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[key] = self.lemmatize(token)
        return found


def _cacheable(lemmatizer) -> bool:
    """Whether the lemmatizer's answer depends on word, POS and morphology alone."""
    from spacy.lang.en.lemmatizer import EnglishLemmatizer
    from spacy.pipeline import Lemmatizer

    method = getattr(lemmatizer.lemmatize, "__func__", None)
    if method is Lemmatizer.lookup_lemmatize:
        return True
    return method is Lemmatizer.rule_lemmatize and type(lemmatizer).is_base_form in (
        Lemmatizer.is_base_form, EnglishLemmatizer.is_base_form)


def speed_up(nlp: Language) -> list[str]:
    """Give ``nlp``'s attribute rulers a :class:`RuleMatcher` and its lemmatizers a
    :class:`LemmaCache` (idempotent). Patterns added to a ruler afterwards are not seen.

    Both are instance attributes that spaCy's components call: ``AttributeRuler.__call__``
    calls ``self.match`` and ``Lemmatizer.__call__`` calls ``self.lemmatize`` (which
    spaCy itself sets per instance, from the mode).

    Returns:
        The names of the components sped up.
    """
    from spacy.pipeline import AttributeRuler, Lemmatizer

    names = []
    for name, component in nlp.pipeline:
        if isinstance(component, AttributeRuler):
            if not isinstance(component.__dict__.get("match"), RuleMatcher):
                component.match = RuleMatcher(component)
                if RuleApplier.applies_to(component):
                    component.set_annotations = RuleApplier(component)
            names.append(name)
        elif isinstance(component, Lemmatizer):
            if not isinstance(component.lemmatize, LemmaCache):
                if not _cacheable(component):
                    continue
                component.lemmatize = LemmaCache(component.lemmatize)
            names.append(name)
    return names
