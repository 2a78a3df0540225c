"""Export a KnowledgeGraph to files, one registry entry per format.

``serialize(kg, "turtle")`` returns text; ``write(kg, path, "ttl")`` writes it
atomically. ``--format`` choices, aliases and "unknown format" errors all come from
:data:`FORMATS`.

Examples:
    >>> from kg.graph import KnowledgeGraph
    >>> "turtle" in FORMATS.names() and FORMATS.get("ttl") is FORMATS.get("turtle")
    True
    >>> serialize(KnowledgeGraph(), "nt")
    ''
    >>> serialize(KnowledgeGraph(), "xml2")
    Traceback (most recent call last):
    ...
    kg.errors.UnknownFormatError: unknown format 'xml2'; choose one of: ...
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_BASE_IRI
from .graph import KnowledgeGraph
from .io import atomic_write_text
from .registry import Registry

__all__ = ["Exporter", "FORMATS", "serialize", "write", "DEFAULT_FILES"]


@dataclass(frozen=True, slots=True)
class Exporter:
    """How to turn a graph into text for one format."""

    name: str
    suffix: str
    render: Callable[[KnowledgeGraph, str], str]
    media_type: str


FORMATS: Registry[Exporter] = Registry("format")


def _rdf(fmt: str) -> Callable[[KnowledgeGraph, str], str]:
    def render(kg: KnowledgeGraph, base_iri: str) -> str:
        from .rdf import to_rdf

        g = to_rdf(kg, base_iri)
        if fmt == "nt":
            # one triple a line, sorted: byte-identical for identical graphs
            lines = sorted(set(g.serialize(format="nt").splitlines()) - {""})
            return "".join(line + "\n" for line in lines)
        if fmt == "json-ld":
            return _canonical_json(g.serialize(format="json-ld"))
        return g.serialize(format=fmt)

    return render


def _sorted_json(value):
    """Sort every JSON array: rdflib's JSON-LD order follows Python's hash seed."""
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _canonical_json(text: str) -> str:
    data = _sorted_json(json.loads(text))
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _json(kg: KnowledgeGraph, base_iri: str) -> str:
    return kg.to_json()


def _html(kg: KnowledgeGraph, base_iri: str) -> str:
    from .viz import render_html

    return render_html(kg)


for _exp, _aliases in (
    (Exporter("turtle", ".ttl", _rdf("turtle"), "text/turtle"), ("ttl",)),
    (Exporter("nt", ".nt", _rdf("nt"), "application/n-triples"), ("ntriples", "n-triples")),
    (Exporter("json-ld", ".jsonld", _rdf("json-ld"), "application/ld+json"), ("jsonld",)),
    (Exporter("json", ".json", _json, "application/json"), ("node-link",)),
    (Exporter("html", ".html", _html, "text/html"), ()),
):
    FORMATS.add(_exp.name, _exp, aliases=_aliases)

#: What ``kg build`` writes: file name -> format.
DEFAULT_FILES: dict[str, str] = {
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.jsonld": "json-ld",
    "graph.json": "json",
    "graph.html": "html",
}


def serialize(kg: KnowledgeGraph, format: str, *, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """Return ``kg`` as text in ``format`` (a name or alias from :data:`FORMATS`)."""
    return FORMATS.get(format).render(kg, base_iri)


def write(
    kg: KnowledgeGraph, path: str | os.PathLike[str], format: str, *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Path:
    """Write ``kg`` to ``path`` in ``format``, atomically (temp file, then rename)."""
    return atomic_write_text(path, serialize(kg, format, base_iri=base_iri))
