"""Run SPARQL over kg graphs and format the results.

Examples:
    >>> from rdflib import Graph
    >>> g = Graph().parse(data="<urn:a> <urn:p> 'x' .", format="turtle")
    >>> result = sparql(g, "SELECT ?o WHERE { ?s ?p ?o }")
    >>> result.rows
    [{'o': 'x'}]
    >>> print(format_result(result, "csv"), end="")
    o
    x
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .errors import InputError, QueryError
from .registry import Registry

__all__ = ["QueryResult", "load_graph", "sparql", "format_result", "RESULT_FORMATS"]

RDF_SUFFIXES = {
    ".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld",
    ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".trig": "trig", ".nq": "nquads",
}


@dataclass
class QueryResult:
    """A SELECT's variables and rows (values as strings), or an ASK's boolean."""

    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    boolean: bool | None = None


def load_graph(path: str | os.PathLike[str]) -> Graph:
    """Parse an RDF file, choosing the parser from its suffix."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such graph file: {str(p)!r}")
    fmt = RDF_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the RDF format of {str(p)!r}; use one of: "
            + ", ".join(sorted(RDF_SUFFIXES))
        )
    try:
        return Graph().parse(p, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot parse {str(p)!r} as {fmt}: {first}") from None


def sparql(graph: Graph, query: str) -> QueryResult:
    """Run a SELECT or ASK query; syntax errors raise QueryError."""
    from .rdf import PREFIXES

    try:
        # the graph's own prefixes (e.g. id: for the base IRI), then kg's usual ones
        init_ns = {p: n for p, n in graph.namespaces() if p}
        init_ns.update(PREFIXES)
        result = graph.query(query, initNs=init_ns)
    except Exception as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(f"invalid SPARQL: {msg}") from None
    if result.type == "ASK":
        return QueryResult(boolean=bool(result.askAnswer))
    if result.type != "SELECT":
        raise QueryError(f"{result.type} queries are not supported here; use SELECT or ASK")
    names = [str(v) for v in result.vars]
    rows = [
        {n: str(row[n]) for n in names if row[n] is not None}
        for row in result
    ]
    return QueryResult(vars=names, rows=rows)


RESULT_FORMATS: Registry = Registry("format")


@RESULT_FORMATS.register("table")
def _table(r: QueryResult) -> str:
    if r.boolean is not None:
        return ("yes" if r.boolean else "no") + "\n"
    cells = [[row.get(v, "") for v in r.vars] for row in r.rows]
    widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(r.vars)]
    line = lambda vals: " | ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(r.vars), "-+-".join("-" * w for w in widths)]
    out += [line(c) for c in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


@RESULT_FORMATS.register("csv")
def _csv(r: QueryResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if r.boolean is not None:
        w.writerow(["boolean"])
        w.writerow(["true" if r.boolean else "false"])
        return buf.getvalue()
    w.writerow(r.vars)
    for row in r.rows:
        w.writerow([row.get(v, "") for v in r.vars])
    return buf.getvalue()


@RESULT_FORMATS.register("json")
def _json(r: QueryResult) -> str:
    if r.boolean is not None:
        return json.dumps({"head": {}, "boolean": r.boolean}) + "\n"
    bindings = [{k: {"value": v} for k, v in row.items()} for row in r.rows]
    return json.dumps({"head": {"vars": r.vars}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render a QueryResult as ``table``, ``csv`` or ``json``."""
    return RESULT_FORMATS.get(fmt)(result)
