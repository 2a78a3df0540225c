"""Where SPARQL runs: rdflib or pyoxigraph over graph files, an Oxigraph store, an endpoint.

:func:`open_store` turns sources into a :class:`Store`: RDF files (any format rdflib
reads, optionally gzipped, or kg's node-link JSON) are loaded into rdflib (the default)
or an in-memory pyoxigraph store (``engine="oxigraph"``, much faster on big graphs); a
folder is an on-disk Oxigraph store, opened read-only; an ``http(s)://`` URL is a remote
SPARQL endpoint. Every store answers with the same engine-neutral :class:`QueryResult`
of :class:`Term` values, so output and tests do not depend on the engine.

Examples:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.ttl"
    >>> _ = path.write_text('<urn:a> <urn:p> "x" .')
    >>> for engine in ENGINES:
    ...     print(engine, open_store([path], engine=engine).query("SELECT ?o { ?s ?p ?o }").rows)
    rdflib [{'o': 'x'}]
    oxigraph [{'o': 'x'}]
    >>> open_store([path]).query("SELEC ?o")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: invalid SPARQL: line 1, column 1: Expected {SelectQuery | ConstructQuery | DescribeQuery | AskQuery}, found 'SELEC'
"""

from __future__ import annotations

import gzip
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import Namespace

from .config import DEFAULT_BASE_IRI
from .errors import InputError, QueryError, StoreError

__all__ = [
    "ENGINES", "QUERY_PREFIXES", "RDF_SUFFIXES", "Term", "QueryResult", "Store", "RdflibStore",
    "OxigraphStore", "RemoteStore", "open_store", "load_graph", "rdf_format",
]

ENGINES = ("rdflib", "oxigraph")

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Suffix -> format name (rdflib's names); ``.gz`` may follow any of them.
RDF_SUFFIXES = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".nq": "nquads",
    ".trig": "trig", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
    ".xml": "xml", ".n3": "n3",
}
QUAD_FORMATS = {"nquads", "trig"}


def _query_prefixes() -> dict[str, str]:
    from .rdf import PREFIXES

    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    prefixes.setdefault("org", "http://www.w3.org/ns/org#")
    prefixes.setdefault("id", DEFAULT_BASE_IRI)
    return prefixes


#: Prefixes every query may use without declaring them.
QUERY_PREFIXES: dict[str, str] = _query_prefixes()


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term in a result: ``kind`` is ``uri``, ``literal`` or ``bnode``.

    Simple literals have no datatype (``xsd:string`` is dropped), language-tagged ones
    only a ``lang``, so results from different engines compare equal.

    Examples:
        >>> Term("literal", "3", datatype="http://www.w3.org/2001/XMLSchema#integer").n3()
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
        >>> Term.from_rdflib(Literal("chat", lang="fr")).n3()
        '"chat"@fr'
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        """A literal, normalised (``xsd:string`` and ``rdf:langString`` dropped)."""
        if lang or datatype in (XSD_STRING, RDF_LANGSTRING):
            datatype = None
        elif datatype is not None and datatype.startswith(XSD_NS):
            value = _canonical_number(value, datatype[len(XSD_NS):])
        return cls("literal", value, datatype, lang.lower() if lang else None)

    @classmethod
    def from_rdflib(cls, term: Any) -> Term:
        """Convert an rdflib term."""
        if isinstance(term, Literal):
            dt = str(term.datatype) if term.datatype is not None else None
            return cls.literal(str(term), dt, term.language)
        if isinstance(term, BNode):
            return cls("bnode", str(term))
        return cls("uri", str(term))

    @classmethod
    def from_oxigraph(cls, term: Any) -> Term:
        """Convert a pyoxigraph term (quoted triples become their N-Triples text)."""
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return cls.literal(term.value, term.datatype.value, term.language)
        if isinstance(term, ox.BlankNode):
            return cls("bnode", term.value)
        if isinstance(term, ox.NamedNode):
            return cls("uri", term.value)
        return cls.literal(str(term))

    def to_rdflib(self) -> Any:
        """The rdflib term for this value."""
        if self.kind == "uri":
            return URIRef(self.value)
        if self.kind == "bnode":
            return BNode(self.value)
        return Literal(self.value, lang=self.lang,
                       datatype=URIRef(self.datatype) if self.datatype else None)

    def n3(self) -> str:
        """N-Triples/Turtle syntax (as in SPARQL TSV results)."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = '"' + _escape(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        return f"{text}^^<{self.datatype}>" if self.datatype else text


XSD_NS = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {"integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
             "unsignedShort", "unsignedByte"}


def _canonical_number(value: str, xsd_type: str) -> str:
    """XSD canonical form of a number, so "0.80" (rdflib keeps it) equals "0.8" (Oxigraph).

    Examples:
        >>> [_canonical_number(v, t) for v, t in [("01", "integer"), ("0.80", "decimal"),
        ...     ("3", "decimal"), ("1e0", "double"), ("x", "integer")]]
        ['1', '0.8', '3.0', '1.0E0', 'x']
    """
    from decimal import Decimal, InvalidOperation

    try:
        if xsd_type in _INTEGERS:
            return str(int(value.strip()))
        if xsd_type == "decimal":
            d = Decimal(value.strip())
            if not d.is_finite():
                return value
            text = f"{d:f}"
            if "." in text:
                text = text.rstrip("0")
            return text + "0" if text.endswith(".") else (text if "." in text else text + ".0")
        if xsd_type in ("double", "float"):
            f = float(value.strip())
            if f != f or f in (float("inf"), float("-inf")):
                return {"nan": "NaN", "inf": "INF", "-inf": "-INF"}[str(f)]
            # the shortest digits that round-trip (repr), in XSD's 1.0E0 shape
            m, _, e = f"{Decimal(repr(f)).normalize():E}".partition("E")
            if "." not in m:
                m += ".0"
            return f"{m}E{int(e)}"
    except (ValueError, InvalidOperation):
        return value
    return value


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


@dataclass
class QueryResult:
    """One query's answer, whatever the engine.

    ``kind`` is ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``. A SELECT has ``vars``
    and ``bindings`` (variable -> :class:`Term`, unbound variables absent); an ASK has
    ``boolean``; graph queries have ``triples``. ``truncated`` is set when a row limit cut
    the answer short.
    """

    kind: str = "SELECT"
    vars: list[str] = field(default_factory=list)
    bindings: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False

    @property
    def rows(self) -> list[dict[str, str]]:
        """SELECT rows with plain string values (the lexical form or the IRI)."""
        return [{k: t.value for k, t in b.items()} for b in self.bindings]

    @property
    def is_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE answers."""
        return self.kind in ("CONSTRUCT", "DESCRIBE")

    def __len__(self) -> int:
        return len(self.triples) if self.is_graph else len(self.bindings)


class Store(Protocol):
    """Anything that answers SPARQL queries with a :class:`QueryResult`."""

    engine: str

    def query(self, text: str, *, max_rows: int | None = None) -> QueryResult:
        """Run ``text`` (kg's prefixes pre-declared); keep at most ``max_rows`` rows."""

    def triple_count(self) -> int:
        """Number of triples (in every graph)."""


# ---------------------------------------------------------------- query errors
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_COMMENT = re.compile(r"(?m)#[^\n<>\"']*$")


def refuse_updates(text: str) -> None:
    """Raise QueryError if ``text`` is SPARQL Update: kg only reads graphs.

    Examples:
        >>> refuse_updates("PREFIX a: <urn:a#> # note\\nDROP ALL")
        Traceback (most recent call last):
        ...
        kg.errors.QueryError: SPARQL Update (DROP) is refused: kg's queries and endpoint are read-only
    """
    m = _UPDATE.match(_COMMENT.sub("", text))
    if m:
        raise QueryError(
            f"SPARQL Update ({m.group(1).upper()}) is refused: kg's queries and endpoint are read-only")


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _where(text: str, needle: str) -> str:
    """``line L, column C`` of the first ``needle`` in ``text`` (1-based)."""
    i = text.find(needle)
    if i < 0:
        return ""
    line = text.count("\n", 0, i) + 1
    return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}: "


def _rdflib_error(exc: Exception, text: str) -> QueryError:
    from pyparsing import ParseException

    if isinstance(exc, ParseException):
        msg = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", _first_line(exc))
        return QueryError(f"invalid SPARQL: line {exc.lineno}, column {exc.col}: {msg}")
    m = re.match(r"Unknown namespace prefix\s*:\s*(\S+)", str(exc))
    if m:
        where = _where(text, m.group(1) + ":")
        return QueryError(f"invalid SPARQL: {where}unknown prefix {m.group(1)}: "
                          "declare it with PREFIX or use a full <IRI>")
    return QueryError(f"query failed: {_first_line(exc)}")


def _unknown_prefix(text: str, line: int, col: int) -> QueryError | None:
    """Oxigraph reports an undeclared prefix where the name ends: find the name."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    m = re.search(r"([A-Za-z][\w.-]*)?:[\w.%-]*$", lines[line - 1][: col - 1])
    if m is None:
        return None
    prefix = m.group(1) or ""
    return QueryError(f"invalid SPARQL: line {line}, column {m.start() + 1}: unknown prefix "
                      f"{prefix}: declare it with PREFIX or use a full <IRI>")


def _oxigraph_error(exc: Exception, text: str) -> QueryError:
    msg = _first_line(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", msg)
    if m and "Prefix not found" in m.group(3):
        found = _unknown_prefix(text, int(m.group(1)), int(m.group(2)))
        if found is not None:
            return found
    if m:
        detail = m.group(3)
        detail = detail if len(detail) <= 160 else detail[:157] + "..."
        return QueryError(f"invalid SPARQL: line {m.group(1)}, column {m.group(2)}: {detail}")
    if isinstance(exc, SyntaxError):
        return QueryError(f"invalid SPARQL: {msg}")
    return QueryError(f"query failed: {msg}")


# ---------------------------------------------------------------- loading files
def rdf_format(path: str | os.PathLike[str]) -> str:
    """The RDF format of ``path`` from its suffix (``.gz`` allowed after it).

    Examples:
        >>> rdf_format("exports/graph.nt.gz"), rdf_format("a.TTL")
        ('nt', 'turtle')
        >>> rdf_format("notes.txt")
        Traceback (most recent call last):
        ...
        kg.errors.InputError: cannot tell the RDF format of 'notes.txt' from its suffix; use one of: .jsonld, .n3, .nq, .nt, .ntriples, .owl, .rdf, .trig, .ttl, .turtle, .xml (or kg's .json; .gz allowed)
    """
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    fmt = RDF_SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        choices = ", ".join(sorted(s for s in RDF_SUFFIXES if s != ".json"))
        raise InputError(f"cannot tell the RDF format of {str(p)!r} from its suffix; "
                         f"use one of: {choices} (or kg's .json; .gz allowed)")
    return fmt


def _open(p: Path) -> IO[bytes]:
    try:
        return gzip.open(p, "rb") if p.suffix.lower() == ".gz" else p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {str(p)!r}: {exc.strerror or exc}") from None


def _node_link(p: Path, fmt: str) -> Graph | None:
    """kg's node-link JSON (``graph.json``) as RDF; None when it is JSON-LD."""
    if fmt != "json-ld" or p.suffix.lower() != ".json":
        return None
    try:
        with _open(p) as fh:
            data = json.load(fh)
    except (ValueError, UnicodeDecodeError):
        return None
    if not (isinstance(data, dict) and "nodes" in data and ("links" in data or "edges" in data)):
        return None
    from .graph import KnowledgeGraph
    from .rdf import to_rdf

    return to_rdf(KnowledgeGraph.from_json(json.dumps(data)))


def _check_file(p: Path) -> None:
    if not p.is_file():
        raise InputError(f"no such graph file: {str(p)!r}")


def _parse_failed(p: Path, fmt: str, exc: BaseException) -> InputError:
    return InputError(f"cannot parse {str(p)!r} as {fmt}: {_first_line(exc)[:300]}")


def load_graph(path: str | os.PathLike[str], graph: Graph | None = None) -> Graph:
    """Parse an RDF file (or kg's node-link JSON) into ``graph`` (a new Graph by default).

    Quads (TriG, N-Quads) are read into one graph: their graph names are dropped.

    Examples:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.nt.gz"
        >>> _ = path.write_bytes(gzip.compress(b"<urn:a> <urn:p> <urn:b> ."))
        >>> len(load_graph(path))
        1
        >>> load_graph(path.with_name("none.ttl"))
        Traceback (most recent call last):
        ...
        kg.errors.InputError: no such graph file: '...none.ttl'
    """
    p = Path(path)
    _check_file(p)
    fmt = rdf_format(p)
    g = graph if graph is not None else Graph()
    converted = _node_link(p, fmt)
    if converted is not None:
        for prefix, ns in converted.namespaces():
            g.bind(prefix, ns)
        g += converted
        return g
    try:
        with _open(p) as fh:
            if fmt in QUAD_FORMATS:
                from rdflib import Dataset

                ds = Dataset()
                ds.parse(fh, format=fmt)
                for s, pr, o, _ in ds.quads((None, None, None, None)):
                    g.add((s, pr, o))
            else:
                g.parse(fh, format=fmt)
    except InputError:
        raise
    except Exception as exc:  # rdflib raises many parser-specific types
        raise _parse_failed(p, fmt, exc) from None
    return g


# ---------------------------------------------------------------- stores
def _sparql_kind(result_type: str) -> str:
    return result_type.upper()


class RdflibStore:
    """Queries over an in-memory rdflib Graph (kg's reference engine)."""

    engine = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._ns = {**{p: str(n) for p, n in graph.namespaces() if p}, **QUERY_PREFIXES}
        own_id = dict(graph.namespaces()).get("id")
        if own_id is not None:  # a graph minted under another --base-iri
            self._ns["id"] = str(own_id)

    def query(self, text: str, *, max_rows: int | None = None) -> QueryResult:
        refuse_updates(text)
        try:
            res = self.graph.query(text, initNs={p: Namespace(n) for p, n in self._ns.items()})
            kind = _sparql_kind(res.type)
            if kind == "ASK":
                return QueryResult(kind, boolean=bool(res.askAnswer))
            if kind in ("CONSTRUCT", "DESCRIBE"):
                triples = []
                for t in res:
                    if max_rows is not None and len(triples) >= max_rows:
                        return QueryResult(kind, triples=triples, truncated=True)
                    triples.append(tuple(Term.from_rdflib(x) for x in t))
                return QueryResult(kind, triples=triples)
            names = [str(v) for v in res.vars]
            bindings: list[dict[str, Term]] = []
            for row in res:
                if max_rows is not None and len(bindings) >= max_rows:
                    return QueryResult(kind, names, bindings, truncated=True)
                bindings.append({n: Term.from_rdflib(row[n]) for n in names
                                 if row[n] is not None})
            return QueryResult(kind, names, bindings)
        except (QueryError, MemoryError, RecursionError):
            raise
        except Exception as exc:
            raise _rdflib_error(exc, text) from None

    def triple_count(self) -> int:
        return len(self.graph)


class OxigraphStore:
    """Queries over a pyoxigraph Store, in memory or on disk (read-only)."""

    engine = "oxigraph"

    def __init__(self, store: Any, path: Path | None = None) -> None:
        self.store = store
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> OxigraphStore:
        """Open the on-disk Oxigraph store in folder ``path`` read-only."""
        import pyoxigraph as ox

        p = Path(path)
        if not (p / "CURRENT").is_file():
            raise InputError(f"{str(p)!r} is a folder but not an Oxigraph store; "
                             "give graph files, or create a store with `kg push GRAPH --store DIR`")
        try:
            return cls(ox.Store.read_only(str(p)), p)
        except OSError as exc:
            raise InputError(f"cannot open the Oxigraph store {str(p)!r}: {_first_line(exc)}") from None

    @classmethod
    def load(cls, paths: Iterable[str | os.PathLike[str]]) -> OxigraphStore:
        """Load graph files into a new in-memory store (quads keep their graphs)."""
        import pyoxigraph as ox

        formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                   "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
                   "json-ld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML,
                   "n3": ox.RdfFormat.N3}
        store = ox.Store()
        for path in paths:
            p = Path(path)
            _check_file(p)
            fmt = rdf_format(p)
            converted = _node_link(p, fmt)
            try:
                if converted is not None:
                    store.load(converted.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
                    continue
                with _open(p) as fh:
                    store.load(fh, formats[fmt], base_iri=p.resolve().as_uri())
            except (SyntaxError, ValueError, OSError) as exc:
                raise _parse_failed(p, fmt, exc) from None
        return cls(store)

    def query(self, text: str, *, max_rows: int | None = None) -> QueryResult:
        import pyoxigraph as ox

        refuse_updates(text)
        try:
            res = self.store.query(text, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True)
            if isinstance(res, ox.QueryBoolean):
                return QueryResult("ASK", boolean=bool(res))
            if isinstance(res, ox.QueryTriples):
                kind = "DESCRIBE" if _is_describe(text) else "CONSTRUCT"
                triples = []
                for t in res:
                    if max_rows is not None and len(triples) >= max_rows:
                        return QueryResult(kind, triples=triples, truncated=True)
                    triples.append((Term.from_oxigraph(t.subject), Term.from_oxigraph(t.predicate),
                                    Term.from_oxigraph(t.object)))
                return QueryResult(kind, triples=triples)
            names = [v.value for v in res.variables]
            bindings: list[dict[str, Term]] = []
            for sol in res:
                if max_rows is not None and len(bindings) >= max_rows:
                    return QueryResult("SELECT", names, bindings, truncated=True)
                row = {}
                for n in names:
                    value = sol[n]
                    if value is not None:
                        row[n] = Term.from_oxigraph(value)
                bindings.append(row)
            return QueryResult("SELECT", names, bindings)
        except QueryError:
            raise
        except (SyntaxError, OSError, ValueError, TypeError) as exc:
            raise _oxigraph_error(exc, text) from None

    def triple_count(self) -> int:
        return len(self.store)


def _is_describe(text: str) -> bool:
    body = re.sub(r"(?is)^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*", "",
                  _COMMENT.sub("", text))
    return body[:8].upper() == "DESCRIBE"


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def urlopen(req: urllib.request.Request, timeout: float):
    """``urllib.request.urlopen``, but never through a proxy for a loopback address
    (a proxy from the environment cannot reach this machine's own servers)."""
    host = urllib.parse.urlsplit(req.full_url).hostname or ""
    if host in _LOCAL_HOSTS:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        return opener.open(req, timeout=timeout)
    return urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 (http(s) only)


class RemoteStore:
    """A remote SPARQL 1.1 Protocol endpoint (Oxigraph, Fuseki, GraphDB, ``kg serve``...)."""

    engine = "remote"

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.url = url
        self.timeout = timeout

    def _post(self, text: str, accept: str) -> tuple[str, bytes]:
        missing = [p for p in QUERY_PREFIXES
                   if not re.search(rf"(?i)PREFIX\s+{re.escape(p)}:", text)]
        # one line of prefixes keeps the endpoint's line numbers one off at most
        head = " ".join(f"PREFIX {p}: <{QUERY_PREFIXES[p]}>" for p in missing)
        req = urllib.request.Request(
            self.url, data=(head + "\n" + text).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/sparql-query; charset=utf-8",
                     "Accept": accept})
        try:
            with urlopen(req, timeout=self.timeout) as resp:
                return resp.headers.get_content_type(), resp.read()
        except urllib.error.HTTPError as exc:
            body = _first_line(Exception(exc.read(2000).decode("utf-8", "replace")))[:300]
            kind = QueryError if exc.code == 400 else StoreError
            raise kind(f"the endpoint {self.url} answered HTTP {exc.code} {exc.reason}: {body}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach the endpoint {self.url}: {reason}") from None

    def query(self, text: str, *, max_rows: int | None = None) -> QueryResult:
        refuse_updates(text)
        ctype, body = self._post(
            text, "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8")
        try:
            return self._read(text, ctype, body, max_rows)
        except (ValueError, KeyError, TypeError, AttributeError, SyntaxError) as exc:
            raise StoreError(f"the endpoint {self.url} sent an answer kg cannot read "
                             f"({ctype}): {_first_line(exc)[:200]}") from None

    def _read(self, text: str, ctype: str, body: bytes, max_rows: int | None) -> QueryResult:
        if ctype in ("application/sparql-results+json", "application/json"):
            data = json.loads(body)
            if "boolean" in data:
                return QueryResult("ASK", boolean=bool(data["boolean"]))
            names = list(data["head"].get("vars", []))
            bindings = [{k: _json_term(v) for k, v in b.items()}
                        for b in data["results"]["bindings"]]
            truncated = max_rows is not None and len(bindings) > max_rows
            return QueryResult("SELECT", names, bindings[:max_rows] if truncated else bindings,
                               truncated=truncated)
        if ctype not in ("application/n-triples", "text/plain", "text/turtle"):
            raise ValueError("expected SPARQL JSON results, N-Triples or Turtle")
        g = Graph().parse(data=body.decode("utf-8"),
                          format="nt" if ctype in ("application/n-triples", "text/plain") else "turtle")
        triples = [tuple(Term.from_rdflib(x) for x in t) for t in g]
        truncated = max_rows is not None and len(triples) > max_rows
        kind = "DESCRIBE" if _is_describe(text) else "CONSTRUCT"
        return QueryResult(kind, triples=triples[:max_rows] if truncated else triples,
                           truncated=truncated)

    def triple_count(self) -> int:
        res = self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(res.bindings[0]["n"].value)


def _json_term(v: dict[str, str]) -> Term:
    kind = v.get("type")
    if kind == "uri":
        return Term("uri", v["value"])
    if kind == "bnode":
        return Term("bnode", v["value"])
    return Term.literal(v["value"], v.get("datatype"), v.get("xml:lang"))


def _is_url(source: str | os.PathLike[str]) -> bool:
    return isinstance(source, str) and re.match(r"(?i)https?://", source) is not None


def open_store(sources: Sequence[str | os.PathLike[str]], *, engine: str | None = None) -> Store:
    """Open ``sources`` for querying.

    Args:
        sources: graph files (loaded into one graph), or one Oxigraph store folder, or
            one SPARQL endpoint URL.
        engine: ``rdflib`` (default for files) or ``oxigraph``; a store folder needs
            ``oxigraph`` and a URL is always queried remotely.

    Raises:
        InputError: a source is missing, unreadable or not RDF; sources are mixed.
        UnknownNameError: ``engine`` is not one of :data:`ENGINES`.

    Examples:
        >>> open_store(["http://127.0.0.1:7878/query"]).engine
        'remote'
        >>> open_store(["a.ttl", "http://127.0.0.1:7878/query"])
        Traceback (most recent call last):
        ...
        kg.errors.InputError: query either graph files, or one Oxigraph store folder, or one endpoint URL, not several of them: a.ttl, http://127.0.0.1:7878/query
    """
    from .errors import UnknownNameError

    if engine is not None and engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    if not sources:
        raise InputError("no graph given; pass graph files, an Oxigraph store folder or an endpoint URL")
    urls = [s for s in sources if _is_url(s)]
    folders = [s for s in sources if not _is_url(s) and Path(s).is_dir()]
    if (urls or folders) and len(sources) > 1:
        raise InputError("query either graph files, or one Oxigraph store folder, or one endpoint "
                         f"URL, not several of them: {', '.join(map(str, sources))}")
    if urls:
        return RemoteStore(str(urls[0]))
    if folders:
        if engine == "rdflib":
            raise InputError(f"{str(folders[0])!r} is an Oxigraph store: query it with --engine oxigraph")
        return OxigraphStore.open(folders[0])
    if engine == "oxigraph":
        return OxigraphStore.load(sources)
    g = Graph()
    for source in sources:
        load_graph(source, g)
    return RdflibStore(g)
