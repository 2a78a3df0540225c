"""Export a KnowledgeGraph to files, one registry entry per format.

``serialize(kg, "turtle")`` returns text; ``write(kg, path, "ttl")`` writes it
atomically. ``--format`` choices, aliases and "unknown format" errors all come from
:data:`FORMATS`. Every format is deterministic: the same graph gives the same bytes,
whatever ``PYTHONHASHSEED`` is. Text in every format has been through
:func:`kg.rdf.clean_text`, so no output carries NUL, a byte-order mark or a lone
surrogate.

Examples:
    >>> from kg.graph import KnowledgeGraph
    >>> "turtle" in FORMATS.names() and FORMATS.get("ttl") is FORMATS.get("turtle")
    True
    >>> serialize(KnowledgeGraph(), "csv").splitlines()[0]
    'subject,subject_label,predicate,object,object_label,evidence,confidence,source,doc,start,end,rule,former'
    >>> serialize(KnowledgeGraph(), "xml2")
    Traceback (most recent call last):
    ...
    kg.errors.UnknownFormatError: unknown format 'xml2'; choose one of: ...
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
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


def _sorted_lines(text: str) -> str:
    # one statement a line, sorted: byte-identical for identical graphs. Split on LF
    # only: str.splitlines() would also split inside literals at U+2028, U+0085...
    lines = sorted(set(text.split("\n")) - {""})
    return "".join(line + "\n" for line in lines)


def _xml_cr(text: str) -> str:
    # XML parsers turn a raw CR into LF; a character reference keeps it. kg's own
    # markup never contains CR, so every CR here is inside a text value.
    return text.replace("\r", "&#13;")


def _sorted_json(value):
    """Sort every JSON array: rdflib's JSON-LD order follows Python's hash seed."""
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld_context(base_iri: str) -> dict[str, str]:
    from .rdf import PREFIXES

    return {**{p: str(ns) for p, ns in PREFIXES.items()}, "id": base_iri}


def _turtle(kg: KnowledgeGraph, base_iri: str) -> str:
    from .rdf import to_rdf

    return to_rdf(kg, base_iri).serialize(format="turtle")


def _nt(kg: KnowledgeGraph, base_iri: str) -> str:
    from .rdf import to_rdf

    return _sorted_lines(to_rdf(kg, base_iri).serialize(format="nt"))


def _jsonld(kg: KnowledgeGraph, base_iri: str) -> str:
    from .rdf import to_rdf

    text = to_rdf(kg, base_iri).serialize(format="json-ld", context=_jsonld_context(base_iri))
    data = _sorted_json(json.loads(text))
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _rdfxml(kg: KnowledgeGraph, base_iri: str) -> str:
    from .rdf import to_rdf

    return _rdfxml_text(to_rdf(kg, base_iri))


def _qname(iri: str, prefixes: dict[str, str]) -> tuple[str, str]:
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(ns):]
        if iri.startswith(ns) and local and (local[0].isalpha() or local[0] == "_") and all(
            c.isalnum() or c in "-_." for c in local
        ):
            return prefix, local
    raise ValueError(f"no XML name for property {iri}")  # kg only writes prefixed ones


def _rdfxml_text(g) -> str:
    """Flat RDF/XML, one rdf:Description per subject, everything sorted.

    rdflib's own writer visits subjects in hash order, so its output changes with
    PYTHONHASHSEED; this one does not.
    """
    from xml.sax.saxutils import escape, quoteattr

    from rdflib import Literal

    from .rdf import PREFIXES

    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    used: set[str] = {"rdf"}
    body: list[str] = []
    for subject in sorted(set(g.subjects())):
        body.append(f"  <rdf:Description rdf:about={quoteattr(str(subject))}>")
        for p, o in sorted(g.predicate_objects(subject), key=lambda po: (str(po[0]), po[1].n3())):
            prefix, local = _qname(str(p), prefixes)
            used.add(prefix)
            tag = f"{prefix}:{local}"
            if not isinstance(o, Literal):
                body.append(f"    <{tag} rdf:resource={quoteattr(str(o))}/>")
                continue
            attrs = ""
            if o.language:
                attrs = f" xml:lang={quoteattr(o.language)}"
            elif o.datatype:
                attrs = f" rdf:datatype={quoteattr(str(o.datatype))}"
            body.append(f"    <{tag}{attrs}>{escape(str(o))}</{tag}>")
        body.append("  </rdf:Description>")
    ns = "".join(f"\n    xmlns:{p}={quoteattr(prefixes[p])}" for p in sorted(used))
    head = f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{ns}>'
    return _xml_cr("\n".join([head, *body, "</rdf:RDF>"]) + "\n")


def _trig(kg: KnowledgeGraph, base_iri: str) -> str:
    """TriG from per-graph Turtle (deterministic), graphs sorted by name, default first."""
    from rdflib import Graph

    from .rdf import bind_prefixes, to_dataset

    ds = to_dataset(kg, base_iri)
    prefix_lines: set[str] = set()
    blocks: list[str] = []
    graphs = sorted((g for g in ds.graphs() if len(g)),
                    key=lambda g: (g.identifier != ds.default_graph.identifier, str(g.identifier)))
    for graph in graphs:
        copy = bind_prefixes(Graph(), base_iri)
        for t in graph:
            copy.add(t)
        lines = copy.serialize(format="turtle").split("\n")
        prefix_lines.update(x for x in lines if x.startswith("@prefix"))
        # no re-indenting: a line may be inside a multi-line literal
        body = [x for x in lines if not x.startswith("@prefix")]
        while body and not body[0]:
            body.pop(0)
        while body and not body[-1]:
            body.pop()
        name = "" if graph.identifier == ds.default_graph.identifier else f"<{graph.identifier}> "
        blocks.append(name + "{\n" + "\n".join(body) + "\n}\n")
    return "\n".join(sorted(prefix_lines)) + "\n\n" + "\n".join(blocks)


def _nquads(kg: KnowledgeGraph, base_iri: str) -> str:
    from .rdf import to_dataset

    return _sorted_lines(to_dataset(kg, base_iri).serialize(format="nquads"))


def _json(kg: KnowledgeGraph, base_iri: str) -> str:
    # kg's own format stays lossless: what clean_text would replace (a lone surrogate,
    # which UTF-8 cannot carry; U+FEFF, ...) is written as a JSON \\u escape instead,
    # which json.loads reads back as the same character.
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", kg.to_json())


_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")


def _html(kg: KnowledgeGraph, base_iri: str) -> str:
    from .viz import render_html

    return render_html(kg)


def _ontology(kg: KnowledgeGraph, base_iri: str) -> str:
    """kg's ontology (the TBox the graph's owl:imports names); the same for every graph."""
    from .rdf import ontology_text

    return ontology_text()


def _graphml(kg: KnowledgeGraph, base_iri: str) -> str:
    """Entities and stances as nodes, facts as edges, every value a scalar (Gephi, Cytoscape)."""
    import networkx as nx

    from .graph import ABOUT, HAS_STANCE
    from .rdf import clean_text, entity_iri

    g = nx.MultiDiGraph()
    for node, data in kg.entities():
        g.add_node(node, label=clean_text(data["name"]), name=clean_text(data["name"]),
                   type=data["type"], iri=str(entity_iri(node, base_iri)),
                   aliases=clean_text("; ".join(data["aliases"])),
                   wikidata=data.get("wikidata") or "", mentions=len(data["mentions"]))
    for node, data in kg.stances():
        g.add_node(node, label=clean_text(data["claim"]), name=clean_text(data["claim"]),
                   type="Stance", iri=str(entity_iri(node, base_iri)),
                   polarity=data["polarity"], confidence=float(data["confidence"]))
        g.add_edge(data["holder"], node, key=HAS_STANCE, label=HAS_STANCE)
        g.add_edge(node, data["topic"], key=ABOUT, label=ABOUT)
    for s, p, o, data in kg.relations():
        prov = data["provenance"]
        g.add_edge(s, o, key=p, label=p, confidence=float(data["confidence"]),
                   former=bool(data.get("former")),
                   evidence=clean_text(" | ".join(x["evidence"] for x in prov)),
                   docs=clean_text(" ".join(sorted({x["doc"] for x in prov}))))
    # write_graphml, not generate_graphml: the latter splits its text with splitlines(),
    # which also breaks at CR and U+2028 inside values
    buf = io.BytesIO()
    nx.write_graphml_xml(g, buf, encoding="utf-8", prettyprint=True)
    return _xml_cr(buf.getvalue().decode("utf-8"))


CSV_COLUMNS = ("subject", "subject_label", "predicate", "object", "object_label", "evidence",
               "confidence", "source", "doc", "start", "end", "rule", "former")


def _cell(text: str) -> str:
    from .rdf import clean_text

    text = clean_text(text)
    # a spreadsheet runs a cell that starts with one of these as a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(kg: KnowledgeGraph, base_iri: str) -> str:
    """One row per statement of a fact (a fact read from two sentences has two rows)."""
    from .rdf import _decimal, entity_iri

    names = {n: d["name"] for n, d in kg.entities()}
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    for s, p, o, data in kg.relations():
        for prov in data["provenance"]:
            doc = kg.documents.get(prov["doc"])
            out.writerow([
                str(entity_iri(s, base_iri)), _cell(names.get(s, s)), p,
                str(entity_iri(o, base_iri)), _cell(names.get(o, o)), _cell(prov["evidence"]),
                str(_decimal(prov["confidence"])), _cell(doc.source if doc else ""),
                _cell(prov["doc"]), prov["start"], prov["end"], _cell(prov["rule"]),
                "true" if data.get("former") else "false",
            ])
    return buf.getvalue()


for _exp, _aliases in (
    (Exporter("turtle", ".ttl", _turtle, "text/turtle"), ("ttl",)),
    (Exporter("nt", ".nt", _nt, "application/n-triples"), ("ntriples", "n-triples")),
    (Exporter("json-ld", ".jsonld", _jsonld, "application/ld+json"), ("jsonld",)),
    (Exporter("rdfxml", ".rdf", _rdfxml, "application/rdf+xml"), ("xml", "rdf", "rdf/xml")),
    (Exporter("trig", ".trig", _trig, "application/trig"), ()),
    (Exporter("nquads", ".nq", _nquads, "application/n-quads"), ("nq", "n-quads")),
    (Exporter("graphml", ".graphml", _graphml, "application/graphml+xml"), ()),
    (Exporter("csv", ".csv", _csv, "text/csv"), ()),
    (Exporter("json", ".json", _json, "application/json"), ("node-link",)),
    (Exporter("html", ".html", _html, "text/html"), ()),
    (Exporter("ontology", ".ttl", _ontology, "text/turtle"), ("owl", "tbox")),
):
    FORMATS.add(_exp.name, _exp, aliases=_aliases)

#: What ``kg build`` writes: file name -> format.
DEFAULT_FILES: dict[str, str] = {
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.jsonld": "json-ld",
    "graph.rdf": "rdfxml",
    "graph.trig": "trig",
    "graph.nq": "nquads",
    "graph.graphml": "graphml",
    "facts.csv": "csv",
    "graph.json": "json",
    "graph.html": "html",
    "ontology.ttl": "ontology",
}


def serialize(kg: KnowledgeGraph, format: str, *, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """Return ``kg`` as text in ``format`` (a name or alias from :data:`FORMATS`).

    Raises:
        UnknownFormatError: ``format`` is not registered; the message lists the formats.
        ConfigError: ``base_iri`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    return FORMATS.get(format).render(kg, base_iri)


def write(
    kg: KnowledgeGraph, path: str | os.PathLike[str], format: str, *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Path:
    """Write ``kg`` to ``path`` in ``format``, atomically (temp file, then rename)."""
    return atomic_write_text(path, serialize(kg, format, base_iri=base_iri))
