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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_BASE_IRI
from .graph import KnowledgeGraph
from .io import atomic_write_many, atomic_write_text
from .registry import Registry

__all__ = ["Exporter", "FORMATS", "serialize", "serialize_many", "shared_emission", "write",
           "write_many", "DEFAULT_FILES"]


@dataclass(frozen=True, slots=True)
class Exporter:
    """How to turn a graph into text for one format."""

    name: str
    suffix: str
    render: Callable[[KnowledgeGraph, str], str]
    media_type: str


FORMATS: Registry[Exporter] = Registry("format")


def _xml_cr(text: str) -> str:
    # XML parsers turn a raw CR into LF; a character reference keeps it. kg's own
    # markup never contains CR, so every CR here is inside a text value.
    return text.replace("\r", "&#13;")


def _jsonld_context(base_iri: str) -> dict[str, str]:
    from .rdf import PREFIXES

    return {**{p: str(ns) for p, ns in PREFIXES.items()}, "id": base_iri}


# ----------------------------------------------------------------------------- RDF
# Each RDF format is written by pyoxigraph from kg's statements, emitted once per
# graph (kg.rdf.Statements); serialize_many shares one emission between formats.
_SESSION: ContextVar[dict | None] = ContextVar("kg_export_session", default=None)


def _statements(kg: KnowledgeGraph, base_iri: str):
    from .rdf import Statements

    session = _SESSION.get()
    if session is None:
        return Statements(kg, base_iri)
    key = (id(kg), base_iri)
    if key not in session:
        session[key] = (kg, Statements(kg, base_iri))  # kg kept alive: its id stays its own
    return session[key][1]


def _ox_prefixes(base_iri: str) -> dict[str, str]:
    # sub-namespaces of the base get their own prefix, so fact and mention IRIs read
    # as fact:1641a3ac40 rather than <https://.../fact/1641a3ac40>
    extra = {name: f"{base_iri}{name}/"
             for name in ("agent", "build", "doc", "fact", "mention", "role")}
    return dict(sorted({**_jsonld_context(base_iri), **extra}.items()))


def _ox(kg: KnowledgeGraph, base_iri: str, fmt: str, quads: bool) -> str:
    import pyoxigraph as ox

    st = _statements(kg, base_iri)
    data = ox.serialize(st.quads() if quads else st.triples(),
                        format=getattr(ox.RdfFormat, fmt), prefixes=_ox_prefixes(base_iri))
    return data.decode("utf-8")


_BLOCK_START = re.compile(r"\n(?=[^\t\n}])")


def _tidy(text: str, base_iri: str) -> str:
    """pyoxigraph's Turtle/TriG with the prefixes sorted and a blank line between blocks.

    pyoxigraph escapes line breaks inside literals, so every line break in its output
    is markup: a line that starts without a tab opens a subject (or a named graph).
    """
    body = text
    while body.startswith("@prefix "):
        body = body[body.index("\n") + 1:]
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in _ox_prefixes(base_iri).items())
    return head + "\n" + _BLOCK_START.sub("\n\n", body)


def _turtle(kg: KnowledgeGraph, base_iri: str) -> str:
    """Turtle, subject by subject in IRI order, prefixes declared."""
    return _tidy(_ox(kg, base_iri, "TURTLE", quads=False), base_iri)


def _nt(kg: KnowledgeGraph, base_iri: str) -> str:
    """N-Triples, one triple a line, sorted: kg's statements are canonical N-Triples
    already, byte for byte what pyoxigraph writes of them (tests check it)."""
    return _statements(kg, base_iri).ntriples


def _rdfxml(kg: KnowledgeGraph, base_iri: str) -> str:
    """RDF/XML, one rdf:Description per subject, in IRI order."""
    return _xml_cr(_ox(kg, base_iri, "RDF_XML", quads=False))


def _trig(kg: KnowledgeGraph, base_iri: str) -> str:
    """TriG: the default graph first, then one named graph per document, in IRI order."""
    return _tidy(_ox(kg, base_iri, "TRIG", quads=True), base_iri)


def _nquads(kg: KnowledgeGraph, base_iri: str) -> str:
    """N-Quads, graph by graph (the default graph first), each graph's lines sorted;
    like :func:`_nt`, exactly what pyoxigraph writes of them."""
    return _statements(kg, base_iri).nquads


_JSONLD_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


def _jsonld(kg: KnowledgeGraph, base_iri: str) -> str:
    """Compact JSON-LD: a context of kg's prefixes and one node object per subject.

    Written here rather than by pyoxigraph, whose JSON-LD has no context (every IRI in
    full). kg's graph has no blank nodes or lists, so compacting is only shortening
    IRIs with a prefix, ``rdf:type`` as ``@type`` and plain strings as JSON strings.
    It is written straight from kg's own sorted N-Triples lines: one node a subject,
    one member a predicate (``rdf:type`` as ``@type``), and each literal's N-Triples
    string, whose only escapes (``\\\\``, ``\\"``, ``\\n``, ``\\r``, ``\\t``) are JSON's too.
    """
    from .rdf import RDF

    context = _jsonld_context(base_iri)
    spaces = sorted(((ns, p) for p, ns in context.items()), key=lambda x: -len(x[0]))
    short: dict[str, str] = {}

    def compact(iri: str) -> str:
        out = short.get(iri)
        if out is None:
            out = iri
            for ns, prefix in spaces:
                if iri.startswith(ns) and _JSONLD_LOCAL.match(iri, len(ns)):
                    out = f"{prefix}:{iri[len(ns):]}"
                    break
            short[iri] = out
        return out

    rdf_type = f"<{RDF.type}>"
    known = short.get
    nodes: list[str] = []
    subject, key = "", ""
    groups: list[tuple[str, list[str]]] = []

    def flush() -> None:
        if subject:
            members = [f'"@id": "{compact(subject[1:-1])}"'] + [
                f'"{k}": {v[0] if len(v) == 1 else "[" + ", ".join(v) + "]"}' for k, v in groups]
            nodes.append("    {" + ", ".join(members) + "}")

    for line in _statements(kg, base_iri).ntriples.split("\n")[:-1]:
        s, p, o = line[:-2].split(" ", 2)  # IRIs hold no space; a literal may
        if s != subject:
            flush()
            subject, key, groups = s, "", []
        if o[0] == "<":
            iri = o[1:-1]
            value = f'"{known(iri) or compact(iri)}"'
            k = "@type" if p == rdf_type else (known(p[1:-1]) or compact(p[1:-1]))
            if k != "@type":
                value = '{"@id": ' + value + "}"
        else:
            # an N-Triples string is a JSON string: kg escapes only \\ " LF CR tab
            end = o.rindex('"') + 1
            if end == len(o):
                value = o
            elif o[end] == "@":
                value = f'{{"@language": "{o[end + 1:]}", "@value": {o[:end]}}}'
            else:  # ^^<datatype>
                value = f'{{"@type": "{compact(o[end + 3:-1])}", "@value": {o[:end]}}}'
            k = known(p[1:-1]) or compact(p[1:-1])
        if k != key:
            key = k
            groups.append((k, []))
        groups[-1][1].append(value)
    flush()
    # one node object a line: readable and diffable, with no JSON encoder in the loop
    head = json.dumps({"@context": context}, indent=2, sort_keys=True)[:-2]
    body = ",\n".join(nodes)
    return head + ',\n  "@graph": [\n' + body + ("\n" if body else "") + "  ]\n}\n"


def _json(kg: KnowledgeGraph, base_iri: str) -> str:
    """kg's node-link JSON (:meth:`KnowledgeGraph.to_dict`), one node or edge a line.

    One item a line keeps json's C encoder (an indent would mean its pure-Python one,
    the slowest part of a build's exports) and still reads and diffs line by line.
    """
    data = kg.to_dict()
    parts = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list) and value:
            text = "[\n" + ",\n".join(
                "  " + json.dumps(v, ensure_ascii=False, sort_keys=True) for v in value) + "\n ]"
        else:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f" {json.dumps(key)}: {text}")
    # kg's own format stays lossless: what clean_text would replace (a lone surrogate,
    # which UTF-8 cannot carry; U+FEFF, ...) is written as a JSON \\u escape instead,
    # which json.loads reads back as the same character.
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")


def _html(kg: KnowledgeGraph, base_iri: str) -> str:
    from .viz import render_html

    return render_html(kg)


def _ontology(kg: KnowledgeGraph, base_iri: str) -> str:
    """kg's ontology (the TBox the graph's owl:imports names); the same for every graph."""
    from .rdf import ontology_text

    return ontology_text()


_GRAPHML_KEYS = (  # (for, name, type): each becomes <key id="d<i>" ...>
    ("node", "label", "string"), ("node", "name", "string"), ("node", "type", "string"),
    ("node", "iri", "string"), ("node", "aliases", "string"), ("node", "wikidata", "string"),
    ("node", "mentions", "int"), ("node", "polarity", "string"),
    ("node", "confidence", "double"), ("edge", "label", "string"),
    ("edge", "confidence", "double"), ("edge", "former", "boolean"),
    ("edge", "evidence", "string"), ("edge", "docs", "string"),
)


def _graphml(kg: KnowledgeGraph, base_iri: str) -> str:
    """Entities and stances as nodes, facts as edges, every value a scalar (Gephi, Cytoscape).

    Written directly, one element a line (networkx's writer builds an ElementTree of
    the whole graph first, several times slower); networkx reads it back.
    """
    from xml.sax.saxutils import escape, quoteattr

    from .graph import ABOUT, HAS_STANCE
    from .rdf import clean_text, entity_iri

    key_id = {(f, name): f"d{i}" for i, (f, name, _) in enumerate(_GRAPHML_KEYS)}
    out = ["<?xml version='1.0' encoding='utf-8'?>",
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    out += [f'  <key id="{key_id[f, name]}" for="{f}" attr.name="{name}" attr.type="{t}" />'
            for f, name, t in _GRAPHML_KEYS]
    out.append('  <graph edgedefault="directed">')

    def element(tag: str, attrs: str, kind: str, values: dict) -> None:
        out.append(f"    <{tag} {attrs}>")
        for name, value in values.items():
            text = (str(value).lower() if isinstance(value, bool) else
                    str(value) if isinstance(value, (int, float)) else escape(value))
            out.append(f'      <data key="{key_id[kind, name]}">{text}</data>')
        out.append(f"    </{tag}>")

    edges: list[tuple[str, str, str, dict]] = []
    for node, data in kg.entities():
        name = clean_text(data["name"])
        element("node", f"id={quoteattr(node)}", "node", {
            "label": name, "name": name, "type": data["type"],
            "iri": str(entity_iri(node, base_iri)),
            "aliases": clean_text("; ".join(data["aliases"])),
            "wikidata": data.get("wikidata") or "", "mentions": len(data["mentions"])})
    for node, data in kg.stances():
        claim = clean_text(data["claim"])
        element("node", f"id={quoteattr(node)}", "node", {
            "label": claim, "name": claim, "type": "Stance",
            "iri": str(entity_iri(node, base_iri)), "polarity": data["polarity"],
            "confidence": float(data["confidence"])})
        edges.append((data["holder"], node, HAS_STANCE, {"label": HAS_STANCE}))
        edges.append((node, data["topic"], ABOUT, {"label": ABOUT}))
    for s, p, o, data in kg.relations():
        prov = data["provenance"]
        edges.append((s, o, p, {
            "label": p, "confidence": float(data["confidence"]),
            "former": bool(data.get("former")),
            "evidence": clean_text(" | ".join(x["evidence"] for x in prov)),
            "docs": clean_text(" ".join(sorted({x["doc"] for x in prov})))}))
    for s, o, key, values in edges:
        element("edge", f"source={quoteattr(s)} target={quoteattr(o)} id={quoteattr(key)}",
                "edge", values)
    out += ["  </graph>", "</graphml>", ""]
    return _xml_cr("\n".join(out))


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
    # an entity's IRI and label cells recur on many rows: make each once
    nodes: dict[str, tuple[str, str]] = {}

    def node(n: str) -> tuple[str, str]:
        cells = nodes.get(n)
        if cells is None:
            cells = nodes[n] = (str(entity_iri(n, base_iri)), _cell(names.get(n, n)))
        return cells

    sources = {d: _cell(doc.source) for d, doc in kg.documents.items()}
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    for s, p, o, data in kg.relations():
        (s_iri, s_label), (o_iri, o_label) = node(s), node(o)
        former = "true" if data.get("former") else "false"
        for prov in data["provenance"]:
            out.writerow([
                s_iri, s_label, p, o_iri, o_label, _cell(prov["evidence"]),
                str(_decimal(prov["confidence"])), sources.get(prov["doc"], ""),
                _cell(prov["doc"]), prov["start"], prov["end"], _cell(prov["rule"]), former,
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


def serialize_many(kg: KnowledgeGraph, formats: Iterable[str], *,
                   base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """Return ``kg`` as text in each of ``formats``: format (as given) -> text.

    The RDF formats share one emission of kg's statements (:class:`kg.rdf.Statements`)
    instead of each making its own, so a build's exports cost about one of them.

    Raises:
        UnknownFormatError: a format is not registered (checked before any work).
        ConfigError: ``base_iri`` is not an absolute IRI ending in ``/`` or ``#``.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> texts = serialize_many(KnowledgeGraph(), ["nt", "ttl"])
        >>> texts["nt"] == serialize(KnowledgeGraph(), "nt")
        True
    """
    exporters = {fmt: FORMATS.get(fmt) for fmt in formats}
    with shared_emission():
        return {fmt: exp.render(kg, base_iri) for fmt, exp in exporters.items()}


@contextmanager
def shared_emission() -> Iterator[None]:
    """Within this block, :func:`serialize` emits each graph's RDF statements once.

    For callers that render formats one at a time (to keep one text in memory at a
    time) but want the RDF formats to share one emission, as :func:`serialize_many`
    does. The graphs must not change inside the block.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> kg = KnowledgeGraph()
        >>> with shared_emission():
        ...     ttl, nt = serialize(kg, "ttl"), serialize(kg, "nt")
        >>> nt == serialize(kg, "nt")
        True
    """
    token = _SESSION.set({})
    try:
        yield
    finally:
        _SESSION.reset(token)


def write_many(
    kg: KnowledgeGraph, files: Mapping[str | os.PathLike[str], str], *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> list[Path]:
    """Write ``kg`` to each path of ``files`` (path -> format), all rendered first.

    Like :func:`serialize_many`, the RDF formats share one emission; every file is
    rendered before any is written, then all are written atomically.
    """
    texts = serialize_many(kg, dict.fromkeys(files.values()), base_iri=base_iri)
    return atomic_write_many({Path(path): texts[fmt] for path, fmt in files.items()})
