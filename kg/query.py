"""Run SPARQL over kg graphs: inline text, ``.rq`` files or bundled queries; format results.

:func:`sparql` runs a query over a graph, a :class:`~kg.store.Store` or graph files.
Bundled queries (``kg/queries/*.rq``) answer the usual questions (competitors,
positions, products, stances, facts with provenance, Wikidata links, counts); their
parameters (``entity=Acme``) name an entity by label, alias, IRI or Wikidata id and are
bound with ``VALUES``, never pasted into the query as text. :func:`format_result` writes
the W3C SPARQL results formats (JSON, XML, CSV, TSV), a plain table, or RDF for graphs.

Examples:
    >>> from rdflib import Graph
    >>> g = Graph().parse(data="<urn:a> <urn:p> 'x' .", format="turtle")
    >>> result = sparql(g, "SELECT ?o WHERE { ?s ?p ?o }")
    >>> result.rows
    [{'o': 'x'}]
    >>> print(format_result(result, "tsv"), end="")
    ?o
    "x"
    >>> sorted(q.name for q in bundled_queries())[:3]
    ['competitors', 'counts', 'entities']
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from rdflib import Graph

from .errors import InputError, QueryError, UnknownNameError
from .registry import Registry
from .store import (
    QUERY_PREFIXES, QueryResult, RdflibStore, Store, Term, load_graph, open_store,
)

__all__ = [
    "QueryResult", "Term", "BundledQuery", "Param", "load_graph", "sparql", "format_result",
    "media_type", "bundled_queries", "get_query", "bind_params", "values_vars", "resolve_entity",
    "read_query", "RESULT_FORMATS",
]


# ---------------------------------------------------------------- bundled queries
@dataclass(frozen=True, slots=True)
class Param:
    """A bundled query's parameter: ``--param name=VALUE`` binds ``?var`` to an entity."""

    name: str
    var: str
    help: str


@dataclass(frozen=True, slots=True)
class BundledQuery:
    """A query shipped in ``kg/queries``: its name, one-line description and parameters."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str


_PARAM = re.compile(r"#\s*@param\s+([a-z][a-z0-9_-]*)\s+\?(\w+)\s+(.+)")


def _parse_bundled(name: str, text: str) -> BundledQuery:
    lines = text.splitlines()
    description = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else ""
    params = tuple(Param(m.group(1), m.group(2), m.group(3).strip())
                   for m in map(_PARAM.match, lines) if m)
    return BundledQuery(name, description, params, text)


@lru_cache(maxsize=1)
def _bundled() -> dict[str, BundledQuery]:
    folder = resources.files("kg") / "queries"
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            found[name] = _parse_bundled(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(found.items()))


def bundled_queries() -> list[BundledQuery]:
    """Every bundled query, sorted by name."""
    return list(_bundled().values())


def get_query(name: str) -> BundledQuery:
    """The bundled query called ``name``; unknown names list the choices.

    Examples:
        >>> get_query("competitors").params[0].name
        'entity'
        >>> get_query("competitor")
        Traceback (most recent call last):
        ...
        kg.errors.UnknownNameError: unknown bundled query 'competitor'; choose one of: ...
    """
    try:
        return _bundled()[name]
    except KeyError:
        raise UnknownNameError("bundled query", name, _bundled()) from None


_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def read_query(arg: str) -> str | BundledQuery:
    """Interpret a command-line query: a ``.rq`` file, a bundled query's name, or SPARQL.

    Examples:
        >>> read_query("counts").name, read_query("ASK { ?s ?p ?o }")
        ('counts', 'ASK { ?s ?p ?o }')
    """
    p = Path(arg)
    if arg.endswith(".rq") or ("\n" not in arg and len(arg) < 4096 and p.is_file()):
        try:
            return p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot read query file {arg!r}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InputError(f"query file {arg!r} is not UTF-8 text") from None
    if _NAME.match(arg):
        return get_query(arg)
    return arg


# ---------------------------------------------------------------- parameters
_IRI_BAD = re.compile(r'[\s<>"{}|^`\\]')
_QID = re.compile(r"^Q[1-9][0-9]*$")


def _as_iri(value: str) -> str | None:
    """``value`` as an IRI when it is written as one (``<...>``, ``http://...``, ``id:meta``)."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    elif ":" in v and v.split(":", 1)[0] in QUERY_PREFIXES:
        prefix, local = v.split(":", 1)
        v = QUERY_PREFIXES[prefix] + local
    elif _QID.match(v):
        v = QUERY_PREFIXES["wd"] + v
    elif not re.match(r"(?i)^(https?|urn):", v):
        return None
    if _IRI_BAD.search(v):
        raise InputError(f"{value!r} is not a valid IRI")
    return v


def resolve_entity(store: Store, value: str) -> list[str]:
    """IRIs of the entities ``value`` names: a label or alias (any case), an IRI, an id
    slug, or a Wikidata IRI/QID the entity is linked to. Sorted; empty when none.

    Examples:
        >>> from rdflib import Graph
        >>> from kg.store import RdflibStore
        >>> store = RdflibStore(Graph().parse(format="turtle", data='''
        ...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ...     <https://kg.example.org/id/acme> rdfs:label "Acme" .'''))
        >>> resolve_entity(store, "ACME"), resolve_entity(store, "id:acme"), resolve_entity(store, "Initech")
        (['https://kg.example.org/id/acme'], ['https://kg.example.org/id/acme'], [])
    """
    iri = _as_iri(value)
    if iri is not None:
        qid = iri.rsplit("/", 1)[-1] if iri.startswith(QUERY_PREFIXES["wd"]) else ""
        text = f"""SELECT DISTINCT ?e WHERE {{
  {{ VALUES ?e {{ <{iri}> }} ?e ?p ?o }}
  UNION {{ ?e owl:sameAs <{iri}> }}
  UNION {{ ?e kg:wikidata {Term.literal(qid).n3()} }}
}} ORDER BY ?e"""
    else:
        name = Term.literal(value.strip().lower()).n3()
        slug = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
        by_slug = f"UNION {{ VALUES ?e {{ id:{slug} }} ?e rdfs:label ?any }}" if slug else ""
        text = f"""SELECT DISTINCT ?e WHERE {{
  {{ ?e rdfs:label|skos:altLabel ?l FILTER(LCASE(STR(?l)) = {name}) }}
  {by_slug}
}} ORDER BY ?e"""
    return [b["e"].value for b in store.query(text).bindings
            if "e" in b and b["e"].kind == "uri"]


_VALUES = re.compile(
    r"VALUES\s*(?:\(((?:\s*\?\w+)+)\s*\)|\?(\w+))\s*\{\s*(?:\((?:\s*UNDEF)+\s*\)|UNDEF)\s*\}")


def values_vars(query: BundledQuery) -> list[str]:
    """The variables of the query's parameter line ``VALUES (?a ?b) { (UNDEF UNDEF) }``.

    One ``VALUES`` line, first in the WHERE clause, binds every parameter: rdflib then
    joins it lazily with the pattern that follows, so a parameter narrows the search
    instead of filtering a full scan.

    Examples:
        >>> values_vars(get_query("stances"))
        ['h', 't']
    """
    m = _VALUES.search(query.text)
    if m is None:
        return []
    return [v.lstrip("?") for v in m.group(1).split()] if m.group(1) else [m.group(2)]


def bind_params(query: BundledQuery, params: Mapping[str, str], store: Store) -> str:
    """The query's text with each given parameter bound in its ``VALUES`` line.

    A value naming several entities (an ambiguous label) binds all of them.

    Examples:
        >>> from rdflib import Graph
        >>> from kg.store import RdflibStore
        >>> store = RdflibStore(Graph().parse(format="turtle", data='''
        ...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ...     <https://kg.example.org/id/jo> rdfs:label "Jo" .'''))
        >>> text = bind_params(get_query("stances"), {"person": "Jo"}, store)
        >>> "VALUES (?h ?t) { (<https://kg.example.org/id/jo> UNDEF) }" in text
        True

    Raises:
        QueryError: an unknown parameter, or a value that names no entity.
    """
    by_name = {p.name: p for p in query.params}
    bound: dict[str, list[str]] = {}
    for name, value in params.items():
        if name not in by_name:
            choices = ", ".join(by_name) or "none"
            raise QueryError(f"unknown parameter {name!r} for query {query.name!r}; "
                             f"its parameters: {choices}")
        iris = resolve_entity(store, value)
        if not iris:
            raise QueryError(
                f"no entity called {value!r} in the graph (looked at labels, aliases and IRIs); "
                "list them with the bundled query 'entities'")
        bound[by_name[name].var] = iris
    if not bound:
        return query.text
    names = values_vars(query)
    missing = set(bound) - set(names)
    if missing:  # a bundled query whose VALUES line lacks a parameter is a bug, not bad input
        raise AssertionError(f"{query.name}.rq: ?{', ?'.join(sorted(missing))} not in its VALUES line")
    columns = [[f"<{i}>" for i in bound[v]] if v in bound else ["UNDEF"] for v in names]
    if len(names) == 1:
        values = f"VALUES ?{names[0]} {{ {' '.join(columns[0])} }}"
    else:
        rows = " ".join("(" + " ".join(r) + ")" for r in itertools.product(*columns))
        values = f"VALUES ({' '.join('?' + v for v in names)}) {{ {rows} }}"
    return _VALUES.sub(lambda _m: values, query.text, count=1)


# ---------------------------------------------------------------- running
def sparql(
    source: Graph | Store | str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    query: str | BundledQuery,
    *,
    params: Mapping[str, str] | None = None,
    engine: str | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a SPARQL query (text or a :class:`BundledQuery`) and return its result.

    Args:
        source: an rdflib Graph, a Store, or graph file(s) / store folder / endpoint URL.
        query: SPARQL text with kg's prefixes pre-declared, or a bundled query.
        params: values for a bundled query's parameters.
        engine: ``rdflib`` or ``oxigraph`` when ``source`` is files.
        max_rows: keep at most this many rows (``result.truncated`` tells).

    Raises:
        QueryError: malformed SPARQL (with line and column), SPARQL Update, bad parameters.

    Examples:
        >>> from rdflib import Graph
        >>> g = Graph().parse(data="<urn:a> <urn:p> <urn:b> .", format="nt")
        >>> sparql(g, "ASK { <urn:a> ?p ?o }").boolean
        True
        >>> sparql(g, "SELECT ?x WHERE { ?x ?y }")
        Traceback (most recent call last):
        ...
        kg.errors.QueryError: invalid SPARQL: line 1, column 19: Expected SelectQuery, found '?'
    """
    if isinstance(source, Graph):
        store: Store = RdflibStore(source)
    elif isinstance(source, (str, os.PathLike)):
        store = open_store([source], engine=engine)
    elif isinstance(source, Sequence):
        store = open_store(list(source), engine=engine)
    else:
        store = source
    if isinstance(query, BundledQuery):
        text = bind_params(query, params or {}, store)
    elif params:
        raise QueryError("parameters work with bundled queries only; "
                         "write the values into your own query")
    else:
        text = query
    return store.query(text, max_rows=max_rows)


# ---------------------------------------------------------------- formats
@dataclass(frozen=True, slots=True)
class ResultFormat:
    """How to write a result: ``render`` for SELECT/ASK, ``rdf`` (rdflib name) for graphs."""

    name: str
    media_type: str | None
    render: Callable[[QueryResult], str] | None
    rdf: str | None
    rdf_media_type: str | None


RESULT_FORMATS: Registry[ResultFormat] = Registry("format")


def _compact(iri: str) -> str:
    best = ""
    for prefix, ns in QUERY_PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(QUERY_PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if re.fullmatch(r"[A-Za-z0-9_]([\w.-]*[\w-])?", local):
                best = prefix
    return f"{best}:{iri[len(QUERY_PREFIXES[best]):]}" if best else f"<{iri}>"


def _cell(term: Term | None, width: int = 100) -> str:
    if term is None:
        return ""
    text = _compact(term.value) if term.kind == "uri" else (
        f"_:{term.value}" if term.kind == "bnode" else term.value)
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(r: QueryResult) -> str:
    if r.boolean is not None:
        return ("yes" if r.boolean else "no") + "\n"
    cells = [[_cell(b.get(v)) for v in r.vars] for b in r.bindings]
    widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(r.vars)]

    def line(vals: list[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()

    out = [line(r.vars), "-+-".join("-" * w for w in widths)] + [line(c) for c in cells]
    n = len(cells)
    out.append(f"({n} row{'s' if n != 1 else ''}{', truncated' if r.truncated else ''})")
    return "\n".join(out) + "\n"


def _csv(r: QueryResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180, as SPARQL 1.1 CSV asks
    if r.boolean is not None:
        w.writerows([["boolean"], ["true" if r.boolean else "false"]])
        return buf.getvalue()
    w.writerow(r.vars)
    for b in r.bindings:
        w.writerow([("_:" + b[v].value if b[v].kind == "bnode" else b[v].value) if v in b else ""
                    for v in r.vars])
    return buf.getvalue()


def _tsv(r: QueryResult) -> str:
    if r.boolean is not None:
        return "?boolean\n" + ("true" if r.boolean else "false") + "\n"
    out = ["\t".join("?" + v for v in r.vars)]
    out += ["\t".join(b[v].n3() if v in b else "" for v in r.vars) for b in r.bindings]
    return "\n".join(out) + "\n"


def _json_term(t: Term) -> dict[str, str]:
    d = {"type": t.kind, "value": t.value}
    if t.lang:
        d["xml:lang"] = t.lang
    elif t.datatype:
        d["datatype"] = t.datatype
    return d


def _json(r: QueryResult) -> str:
    if r.boolean is not None:
        return json.dumps({"head": {}, "boolean": r.boolean}) + "\n"
    bindings = [{k: _json_term(t) for k, t in b.items()} for b in r.bindings]
    return json.dumps({"head": {"vars": r.vars}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    return xml_escape(_XML_BAD.sub("\ufffd", text), {'"': "&quot;"})


def _xml(r: QueryResult) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f'<variable name="{_x(v)}"/>' for v in r.vars]
    out.append("</head>")
    if r.boolean is not None:
        out.append(f"<boolean>{'true' if r.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for b in r.bindings:
            out.append("<result>")
            for v, t in b.items():
                if t.kind == "uri":
                    value = f"<uri>{_x(t.value)}</uri>"
                elif t.kind == "bnode":
                    value = f"<bnode>{_x(t.value)}</bnode>"
                elif t.lang:
                    value = f'<literal xml:lang="{_x(t.lang)}">{_x(t.value)}</literal>'
                elif t.datatype:
                    value = f'<literal datatype="{_x(t.datatype)}">{_x(t.value)}</literal>'
                else:
                    value = f"<literal>{_x(t.value)}</literal>"
                out.append(f'<binding name="{_x(v)}">{value}</binding>')
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


for _f in (
    ResultFormat("table", "text/plain", _table, "turtle", "text/turtle"),
    ResultFormat("csv", "text/csv", _csv, None, None),
    ResultFormat("tsv", "text/tab-separated-values", _tsv, None, None),
    ResultFormat("json", "application/sparql-results+json", _json, "json-ld", "application/ld+json"),
    ResultFormat("xml", "application/sparql-results+xml", _xml, "xml", "application/rdf+xml"),
    ResultFormat("turtle", None, None, "turtle", "text/turtle"),
    ResultFormat("nt", None, None, "nt", "application/n-triples"),
):
    RESULT_FORMATS.add(_f.name, _f, aliases={"turtle": ("ttl",), "nt": ("ntriples",)}.get(_f.name, ()))


def _graph_text(r: QueryResult, fmt: str) -> str:
    from .rdf import bind_prefixes

    g = bind_prefixes(Graph())
    g.bind("org", QUERY_PREFIXES["org"])
    for s, p, o in r.triples:
        g.add((s.to_rdflib(), p.to_rdflib(), o.to_rdflib()))
    if fmt == "nt":  # one triple a line, sorted, so equal graphs print equal text
        return "".join(sorted(line + "\n" for line in g.serialize(format="nt").splitlines() if line))
    return g.serialize(format=fmt)


def _check(r: QueryResult, f: ResultFormat) -> None:
    if r.is_graph and f.rdf is None:
        raise QueryError(f"{f.name} is a format for SELECT and ASK results; a {r.kind} answer "
                         "is a graph: use table (Turtle), turtle, nt, json (JSON-LD) or xml (RDF/XML)")
    if not r.is_graph and f.render is None:
        raise QueryError(f"{f.name} is a format for graphs (CONSTRUCT, DESCRIBE); for {r.kind} "
                         "results use table, csv, tsv, json or xml")


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render ``result``: SELECT/ASK as table, csv, tsv, json or xml (W3C SPARQL results
    formats); CONSTRUCT/DESCRIBE as Turtle (table, turtle), nt, JSON-LD (json) or RDF/XML (xml).

    Examples:
        >>> from rdflib import Graph
        >>> g = Graph().parse(data="<urn:a> <urn:p> <urn:b> .", format="nt")
        >>> print(format_result(sparql(g, "CONSTRUCT WHERE { ?s ?p ?o }"), "nt"), end="")
        <urn:a> <urn:p> <urn:b> .
        >>> format_result(sparql(g, "SELECT ?s WHERE { ?s ?p ?o }"), "csv")  # CRLF, as RFC 4180 says
        's\\r\\nurn:a\\r\\n'
    """
    f = RESULT_FORMATS.get(fmt)
    _check(result, f)
    return _graph_text(result, f.rdf) if result.is_graph else f.render(result)


def media_type(result: QueryResult, fmt: str) -> str:
    """The media type of ``format_result(result, fmt)``.

    Examples:
        >>> from kg.store import QueryResult
        >>> media_type(QueryResult("ASK", boolean=True), "json"), media_type(QueryResult("CONSTRUCT"), "json")
        ('application/sparql-results+json', 'application/ld+json')
    """
    f = RESULT_FORMATS.get(fmt)
    _check(result, f)
    return (f.rdf_media_type if result.is_graph else f.media_type) or "text/plain"
