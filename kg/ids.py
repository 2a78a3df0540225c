"""Stable, readable identifiers for entities, stances and facts.

Ids are slugs made only of ``[a-z0-9-]``, so they are safe as IRI segments without
percent-encoding, and they depend only on their input: the same name gives the same
id on every run, machine and document.

Examples:
    >>> slugify("Jane Q. Doe")
    'jane-q-doe'
    >>> slugify("Société Générale")
    'societe-generale'
    >>> slugify("U.S.")
    'u-s'
    >>> slugify("!!!").startswith("x-")
    True
    >>> len(slugify("a" * 500)) <= 80
    True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["slugify", "short_hash"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def short_hash(*parts: str, length: int = 10) -> str:
    """Hex digest of the parts (joined by NUL), ``length`` characters long."""
    data = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:length]


def slugify(text: str) -> str:
    """Lower-case ASCII slug of ``text``; long or empty slugs get a hash to stay unique."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    if not slug:
        return "x-" + short_hash(text)
    if len(slug) > MAX_SLUG:
        slug = slug[: MAX_SLUG - 11].rstrip("-") + "-" + short_hash(text)
    return slug
