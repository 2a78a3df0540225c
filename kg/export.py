"""Export a KnowledgeGraph to files, one registry entry per format.

``serialize(kg, "turtle")`` returns text; ``write(kg, path, "ttl")`` writes it
atomically and ``write_to(kg, fh, "ttl")`` into an open binary file, both streaming
it piece by piece (a large graph's export is never held in memory whole).
``--format`` choices, aliases and "unknown format" errors all come from
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
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from .config import DEFAULT_BASE_IRI
from .graph import JSON_FORMAT_VERSION, KnowledgeGraph
from .io import atomic_write_streams
from .registry import Registry

__all__ = ["Exporter", "FORMATS", "serialize", "serialize_many", "shared_emission", "write",
           "write_many", "write_to", "DEFAULT_FILES"]

#: A streaming writer: ``stream(kg, base_iri, fh)`` writes UTF-8 to the binary file ``fh``.
Stream = Callable[[KnowledgeGraph, str, BinaryIO], None]


@dataclass(frozen=True, slots=True)
class Exporter:
    """How to turn a graph into text for one format.

    ``render`` returns the text; ``stream``, when given, writes the same text as UTF-8
    into an open binary file piece by piece, which is what files are written with.
    """

    name: str
    suffix: str
    render: Callable[[KnowledgeGraph, str], str]
    media_type: str
    stream: Stream | None = None

    def write_to(self, kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
        """Write ``kg`` in this format as UTF-8 to ``fh``, streamed when it can be."""
        if self.stream is not None:
            self.stream(kg, base_iri, fh)
        else:
            fh.write(self.render(kg, base_iri).encode("utf-8"))


def _render_with(stream: Stream) -> Callable[[KnowledgeGraph, str], str]:
    """The ``render`` of a format written by ``stream``: the same bytes, as text."""

    def render(kg: KnowledgeGraph, base_iri: str) -> str:
        buf = io.BytesIO()
        stream(kg, base_iri, buf)
        return buf.getvalue().decode("utf-8")

    render.__doc__ = stream.__doc__
    return render


FORMATS: Registry[Exporter] = Registry("format")


@contextmanager
def _text_out(fh: BinaryIO) -> Iterator[io.TextIOWrapper]:
    """``fh`` as a UTF-8 text file (newlines written as given), left open after."""
    out = io.TextIOWrapper(fh, encoding="utf-8", newline="")  # type: ignore[arg-type]
    try:
        yield out
    finally:
        out.detach()  # flushes; ``fh`` stays open for its owner


def _jsonld_context(base_iri: str) -> dict[str, str]:
    from .rdf import PREFIXES

    return {**{p: str(ns) for p, ns in PREFIXES.items()}, "id": base_iri}


# ----------------------------------------------------------------------------- RDF
# Each RDF format is written by pyoxigraph from kg's statements, emitted once per
# graph (kg.rdf.Statements); serialize_many shares one emission between formats.
_SESSION: ContextVar[_Session | None] = ContextVar("kg_export_session", default=None)


class _Session:
    """What the exports of one :func:`shared_emission` block share: each graph's
    statements, and files one format made ahead for another (see :func:`_ox_nt`)."""

    def __init__(self, formats: frozenset[str] | None) -> None:
        self.formats = formats  # the formats the block will write; None: any
        self.statements: dict[tuple[int, str], tuple[KnowledgeGraph, Any]] = {}
        self.kept: dict[tuple[int, str, str], tuple[KnowledgeGraph, BinaryIO]] = {}
        self.made: set[tuple[int, str, str]] = set()  # (graph, base, format) made so far

    def wants(self, fmt: str) -> bool:
        return self.formats is None or fmt in self.formats

    def close(self) -> None:
        for _, st in self.statements.values():
            st.close()
        for _, fh in self.kept.values():
            fh.close()
        self.statements.clear()
        self.kept.clear()
        self.made.clear()


@contextmanager
def _statements(kg: KnowledgeGraph, base_iri: str) -> Iterator[Any]:
    """``kg``'s :class:`kg.rdf.Statements`: the session's, or a fresh one closed after."""
    from .rdf import Statements

    session = _SESSION.get()
    if session is None:
        with Statements(kg, base_iri) as st:
            yield st
        return
    key = (id(kg), base_iri)
    if key not in session.statements:
        # kg kept alive: its id stays its own
        session.statements[key] = (kg, Statements(kg, base_iri))
    yield session.statements[key][1]


def _ox_prefixes(base_iri: str) -> dict[str, str]:
    # sub-namespaces of the base get their own prefix, so fact and mention IRIs read
    # as fact:1641a3ac40 rather than <https://.../fact/1641a3ac40>
    extra = {name: f"{base_iri}{name}/"
             for name in ("agent", "build", "doc", "fact", "mention", "role")}
    return dict(sorted({**_jsonld_context(base_iri), **extra}.items()))


def _ox(kg: KnowledgeGraph, base_iri: str, fmt: str, quads: bool, output: Any) -> None:
    """pyoxigraph writes ``fmt`` into ``output``, reading kg's statements as it goes."""
    import pyoxigraph as ox

    with _statements(kg, base_iri) as st:
        ox.serialize(st.quads() if quads else st.triples(), output,
                     format=getattr(ox.RdfFormat, fmt), prefixes=_ox_prefixes(base_iri))


_BLOCK_START = re.compile(rb"\n(?=[^\t\n}])")
_PREFIX = b"@prefix "


def _prefix_lines(base_iri: str) -> bytes:
    """kg's prefixes, sorted, as Turtle/TriG declarations and a blank line."""
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in _ox_prefixes(base_iri).items())
    return head.encode("utf-8") + b"\n"


class _Tidy:
    """pyoxigraph's Turtle/TriG on its way to ``fh``, with kg's prefixes sorted and a
    blank line between blocks.

    pyoxigraph escapes line breaks inside literals, so every line break in its output
    is markup: a line that starts without a tab opens a subject (or a named graph).
    pyoxigraph's own ``@prefix`` lines are replaced by the sorted ones. Each chunk is
    written as soon as the line after its last line break has begun; :meth:`close`
    writes the rest.
    """

    def __init__(self, fh: BinaryIO, base_iri: str) -> None:
        fh.write(_prefix_lines(base_iri))
        self.fh, self.rest, self.in_prefixes = fh, b"", True

    def write(self, chunk: bytes) -> int:
        data = self.rest + bytes(chunk)
        if self.in_prefixes:
            while data.startswith(_PREFIX) and b"\n" in data:
                data = data[data.index(b"\n") + 1:]
            if data.startswith(_PREFIX) or _PREFIX.startswith(data):
                self.rest = data  # not yet known whether a prefix line follows
                return len(chunk)
            self.in_prefixes = False
        # the line break that ends ``data``'s last line waits until the next line has
        # begun: whether a blank line goes before it depends on that line's first byte
        cut = data.rfind(b"\n")
        if cut > 0:
            self.fh.write(_BLOCK_START.sub(b"\n\n", data[:cut]))
            data = data[cut:]
        self.rest = data
        return len(chunk)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        data, self.rest = self.rest, b""
        while self.in_prefixes and data.startswith(_PREFIX):
            data = data[data.index(b"\n") + 1:]
        self.fh.write(_BLOCK_START.sub(b"\n\n", data))


def _tidied(kg: KnowledgeGraph, base_iri: str, fmt: str, quads: bool, fh: BinaryIO) -> None:
    tidy = _Tidy(fh, base_iri)
    _ox(kg, base_iri, fmt, quads, tidy)
    tidy.close()


def _turtle(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """Turtle, subject by subject in IRI order, prefixes declared."""
    _ox_nt(kg, base_iri, "TURTLE", fh)


class _TurtleOut:
    """Turtle written a block of subjects at a time, as :class:`_Tidy` writes it whole:
    kg's prefixes sorted, then the subjects with a blank line between them."""

    def __init__(self, fh: BinaryIO, base_iri: str) -> None:
        fh.write(_prefix_lines(base_iri))
        self.fh, self.sep = fh, b""

    def write(self, chunk: bytes) -> None:
        # pyoxigraph declares every prefix before a piece's first subject
        start = 0
        while chunk.startswith(_PREFIX, start):
            start = chunk.index(b"\n", start) + 1
        if start < len(chunk):
            # a piece ends with its last line's break: the next piece's first line
            # opens a block, so a blank line goes between them
            self.fh.write(self.sep + _BLOCK_START.sub(b"\n\n", chunk[start:-1]))
            self.sep = b"\n\n"

    def close(self) -> None:
        if self.sep:
            self.fh.write(b"\n")


class _XmlOut:
    """RDF/XML written a block of subjects at a time: one header, each piece's
    elements, one footer.

    Every CR is written as ``&#13;``: XML parsers turn a raw CR into LF, a character
    reference keeps it. kg's own markup never contains CR, so every CR here is inside
    a text value.
    """

    def __init__(self, fh: BinaryIO, base_iri: str) -> None:
        import pyoxigraph as ox

        empty = ox.serialize([], None, format=ox.RdfFormat.RDF_XML,
                             prefixes=_ox_prefixes(base_iri))
        self.foot = b"</rdf:RDF>"
        if not empty.endswith(self.foot):  # pragma: no cover (a pyoxigraph change)
            raise RuntimeError(f"unexpected RDF/XML from pyoxigraph: {empty[-40:]!r}")
        self.head = empty[:-len(self.foot)]
        self.fh = fh
        fh.write(self.head)

    def write(self, chunk: bytes) -> None:
        if not (chunk.startswith(self.head) and chunk.endswith(self.foot)):
            raise RuntimeError("unexpected RDF/XML from pyoxigraph")  # pragma: no cover
        self.fh.write(chunk[len(self.head):-len(self.foot)].replace(b"\r", b"&#13;"))

    def close(self) -> None:
        self.fh.write(self.foot)


_OUT = {"TURTLE": ("turtle", _TurtleOut), "RDF_XML": ("rdfxml", _XmlOut)}


def _ox_nt(kg: KnowledgeGraph, base_iri: str, fmt: str, fh: BinaryIO) -> None:
    """Turtle or RDF/XML (``fmt``) of ``kg``'s N-Triples, by pyoxigraph.

    pyoxigraph parses the N-Triples a block of subjects at a time and writes each
    block (:meth:`kg.rdf.Statements.subject_blocks`); no subject is split between
    blocks, so the pieces join to what it writes of all of them at once. Parsing
    costs about as much as writing: in a :func:`shared_emission` block that will
    write both formats, each parsed block is written in both, the other format into
    a temp file that its own export then copies.
    """
    import pyoxigraph as ox

    other = "RDF_XML" if fmt == "TURTLE" else "TURTLE"
    session = _SESSION.get()
    with _statements(kg, base_iri) as st:
        if session is not None:
            session.made.add((id(kg), base_iri, fmt))
            kept = session.kept.pop((id(kg), base_iri, fmt), None)
            if kept is not None:
                with kept[1] as src:
                    src.seek(0)
                    shutil.copyfileobj(src, fh, 1 << 20)
                return
        outs = {fmt: _OUT[fmt][1](fh, base_iri)}
        spare = None
        if (session is not None and session.wants(_OUT[other][0])
                and (id(kg), base_iri, other) not in session.made):
            spare = tempfile.TemporaryFile()  # noqa: SIM115 (closed below or by the session)
        try:
            if spare is not None:
                outs[other] = _OUT[other][1](spare, base_iri)
            prefixes = _ox_prefixes(base_iri)
            formats = [(getattr(ox.RdfFormat, f), out) for f, out in outs.items()]
            for block in st.subject_blocks():
                # lenient: kg minted every IRI from percent-encoded parts (and checked
                # the base and ontology terms), so re-checking each would only cost time
                triples = list(ox.parse(block, ox.RdfFormat.N_TRIPLES, lenient=True))
                for rdf_format, out in formats:
                    out.write(ox.serialize(triples, None, format=rdf_format, prefixes=prefixes))
            for out in outs.values():
                out.close()
        except BaseException:
            if spare is not None:
                spare.close()
            raise
        if spare is not None:
            # only a whole file is kept: a failed write leaves the other to be made anew
            session.made.add((id(kg), base_iri, other))
            session.kept[(id(kg), base_iri, other)] = (kg, spare)


def _nt(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """N-Triples, one triple a line, sorted: kg's statements are canonical N-Triples
    already, byte for byte what pyoxigraph writes of them (tests check it)."""
    with _statements(kg, base_iri) as st:
        st.write_ntriples(fh)


def _rdfxml(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """RDF/XML, one rdf:Description per subject, in IRI order."""
    _ox_nt(kg, base_iri, "RDF_XML", fh)


def _trig(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """TriG: the default graph first, then one named graph per document, in IRI order."""
    _tidied(kg, base_iri, "TRIG", True, fh)


def _nquads(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """N-Quads, graph by graph (the default graph first), each graph's lines sorted;
    like :func:`_nt`, exactly what pyoxigraph writes of them."""
    with _statements(kg, base_iri) as st:
        st.write_nquads(fh)


_JSONLD_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


def _jsonld(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
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
    compact = _compactor(context)
    # a predicate's member head ('"kg:rule": '), and an IRI object's value as a class
    # or as a node: each made once while it recurs (predicates, classes, documents
    # and entities do; most other IRIs are seen once or twice, so the caches of
    # objects are emptied when they grow large, keeping memory flat)
    heads: dict[str, str] = {}
    classes: dict[str, str] = {}
    nodes: dict[str, str] = {}
    literals: dict[str, str] = {}
    rdf_type = f"<{RDF.type}>"
    with _text_out(fh) as out, _statements(kg, base_iri) as st:
        # one node object a line: readable and diffable, with no JSON encoder in the loop
        out.write(json.dumps({"@context": context}, indent=2, sort_keys=True)[:-2])
        out.write(',\n  "@graph": [\n')
        sep = ""
        subject = pred = ""
        members: list[str] = []  # the current node's members made so far
        values: list[str] = []  # the current predicate's values
        head = ""
        is_type = False
        done: list[str] = []  # node objects made, not yet written
        for batch in st.ntriples_batches():
            for line in batch:
                # a line is "<s> <p> o .\n": IRIs hold no space; a literal may
                s, p, o = line.split(" ", 2)
                if p != pred or s != subject:
                    if values:  # the previous predicate's member is complete
                        members.append(head + values[0] if len(values) == 1
                                       else head + "[" + ", ".join(values) + "]")
                        values = []
                    if s != subject:
                        if subject:
                            done.append(sep + "    {" + ", ".join(members) + "}")
                            sep = ",\n"
                        subject = s
                        members = ['"@id": "' + compact(s[1:-1]) + '"']
                    pred = p
                    is_type = p == rdf_type
                    head = heads.get(p)
                    if head is None:
                        head = heads[p] = ('"@type": ' if is_type
                                           else '"' + compact(p[1:-1]) + '": ')
                if o[0] == "<":  # an IRI: "<iri> .\n"
                    cache = classes if is_type else nodes
                    value = cache.get(o)
                    if value is None:
                        if len(cache) >= _JSONLD_CACHE:
                            cache.clear()
                        iri = compact(o[1:-4])
                        value = cache[o] = ('"' + iri + '"' if is_type
                                            else '{"@id": "' + iri + '"}')
                elif o[-4] == '"':  # a plain string, '"..." .\n'
                    # an N-Triples string is a JSON string: kg escapes only \\ " LF CR tab
                    value = o[:-3]
                else:  # tagged or typed: offsets, confidences and such recur
                    value = literals.get(o)
                    if value is None:
                        if len(literals) >= _JSONLD_CACHE:
                            literals.clear()
                        end = o.rindex('"') + 1
                        if o[end] == "@":
                            value = f'{{"@language": "{o[end + 1:-3]}", "@value": {o[:end]}}}'
                        else:  # ^^<datatype>
                            typ = compact(o[end + 3:-4])
                            value = f'{{"@type": "{typ}", "@value": {o[:end]}}}'
                        literals[o] = value
                values.append(value)
            out.write("".join(done))
            done.clear()
        if values:
            members.append(head + values[0] if len(values) == 1
                           else head + "[" + ", ".join(values) + "]")
        if subject:
            done.append(sep + "    {" + ", ".join(members) + "}")
            sep = ",\n"
        out.write("".join(done) + ("\n" if sep else "") + "  ]\n}\n")


#: Most IRI objects :func:`_jsonld` keeps the JSON of at once (per kind).
_JSONLD_CACHE = 1 << 14


def _compactor(context: dict[str, str]) -> Callable[[str], str]:
    """``compact(iri)``: ``prefix:local`` for an IRI in one of ``context``'s namespaces
    whose local part is a simple name, else the IRI itself.

    The longest namespace wins. When every namespace ends in '/' or '#' (kg's do), the
    only one that can match ends at the IRI's last '/' or '#' (a local part has
    neither), so it is looked up rather than searched for.

    Examples:
        >>> c = _compactor({"id": "https://x.org/id/", "ex": "https://x.org/"})
        >>> c("https://x.org/id/acme"), c("https://x.org/id/fact/1"), c("https://x.org/a")
        ('id:acme', 'https://x.org/id/fact/1', 'ex:a')
    """
    spaces = sorted(((ns, p) for p, ns in context.items()), key=lambda x: -len(x[0]))
    by_space: dict[str, str] = {}
    for ns, prefix in spaces:
        by_space.setdefault(ns, prefix)

    def search(iri: str) -> str:
        for ns, prefix in spaces:
            if iri.startswith(ns) and _JSONLD_LOCAL.match(iri, len(ns)):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    if not all(ns[-1:] in ("/", "#") for ns in by_space):
        return search

    def look_up(iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = by_space.get(iri[:cut])
        if prefix is not None and _JSONLD_LOCAL.match(iri, cut):
            return f"{prefix}:{iri[cut:]}"
        return iri

    return look_up


def _node_link(kg: KnowledgeGraph) -> dict[str, Any]:
    """:meth:`KnowledgeGraph.to_dict` before its JSON round trip: values not copied."""
    import networkx as nx

    data = nx.node_link_data(kg.graph, edges="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["key"], e["target"]))
    # documents (with their text) one by one as they are written, not all copied first
    docs = (asdict(d) for _, d in sorted(kg.documents.items()))
    data["graph"] = {"kg_format": JSON_FORMAT_VERSION, "documents": _Items(docs)}
    return data


class _Items:
    """A JSON list written item by item: its items are made as they are written."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def _json(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """kg's node-link JSON (:meth:`KnowledgeGraph.to_dict`), one node or edge a line.

    One item a line keeps json's C encoder (an indent would mean its pure-Python one,
    the slowest part of a build's exports) and still reads and diffs line by line.
    Written item by item, as ``to_dict`` would give it after its JSON round trip
    (tuples become lists; see :func:`_encode`), a batch of items per write.
    """
    data = _node_link(kg)
    with _text_out(fh) as out:
        out.write("{\n")
        for n, name in enumerate(sorted(data)):
            value = data[name]
            out.write((",\n" if n else "") + f" {json.dumps(name)}: ")
            if isinstance(value, list) and value:
                out.write("[\n  ")
                _write_items(out, value, ",\n  ")
                out.write("\n ]")
            elif isinstance(value, dict):
                # as json.dumps(value, sort_keys=True) would write it, but a long
                # list inside (the documents) one item at a time
                out.write("{")
                for m, key in enumerate(sorted(value)):
                    item = value[key]
                    out.write((", " if m else "") + json.dumps(key) + ": ")
                    if isinstance(item, _Items):
                        out.write("[")
                        _write_items(out, item.items, ", ")
                        out.write("]")
                    else:
                        out.write(_encode(item))
                out.write("}")
            else:
                out.write(_encode(value))
        out.write("\n}\n")


#: Items encoded per write by :func:`_write_items`: few writes, a bounded batch in memory.
_JSON_BATCH = 256


def _write_items(out: Any, items: Iterable[Any], sep: str) -> None:
    """Write ``items`` encoded (:func:`_encode`) with ``sep`` between them, in batches."""
    batch: list[str] = []
    first = True
    for item in items:
        batch.append(_encode(item))
        if len(batch) == _JSON_BATCH:
            out.write(("" if first else sep) + sep.join(batch))
            batch, first = [], False
    if batch:
        out.write(("" if first else sep) + sep.join(batch))


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _encode(value: Any) -> str:
    """``value`` as JSON, as after a round trip through JSON (``to_dict``), sorted keys.

    The round trip matters only for a dict key that is not a str (json turns it into
    one, which can change the key order) and for a surrogate pair (read back as one
    character); json writes a tuple as a list anyway. So it is only made when the
    plain text has such a key or any character :data:`_JSON_UNSAFE` matches. kg's own
    format stays lossless: what clean_text would replace (a lone surrogate, which
    UTF-8 cannot carry; U+FEFF, ...) is written as a JSON \\u escape instead, which
    json.loads reads back as the same character.

    Examples:
        >>> _encode({"b": (1, 2.5), "a": "\\ufeff"})
        '{"a": "\\\\ufeff", "b": [1, 2.5]}'
        >>> _encode({2: "x", 10: "y"})  # keys as JSON strings, in string order
        '{"10": "y", "2": "x"}'
        >>> _encode(["\\ud83d\\ude00"]) == '["\\U0001f600"]'  # a pair is one character
        True
    """
    if _str_keys(value):
        text = _ENCODER.encode(value)
        # isascii() is a flag lookup; DEL is the one unsafe ASCII character
        if (text.isascii() and "\x7f" not in text) or not _JSON_UNSAFE.search(text):
            return text  # what the round trip would give, and nothing to escape
    text = _ENCODER.encode(json.loads(json.dumps(value)))
    return _JSON_UNSAFE.sub(_u_escape, text)


def _str_keys(value: Any) -> bool:
    """Whether every dict in ``value`` (nested in dicts, lists, tuples) has only str keys.

    Examples:
        >>> _str_keys({"a": [1, {"b": None}]}), _str_keys([{"a": {1: "x"}}])
        (True, False)
    """
    if isinstance(value, dict):
        if not _STR.issuperset(map(type, value)):
            return False
        values: Iterable[Any] = value.values()
    elif isinstance(value, (list, tuple)):
        values = value
    else:
        return True
    kinds = set(map(type, values))
    if kinds <= _SCALARS:
        return True
    if kinds == _DICT:
        # a list of flat dicts (mentions, provenance): their keys and values checked
        # in C, with no call per dict
        if not _STR.issuperset(map(type, chain.from_iterable(values))):
            return False
        if _SCALARS.issuperset(map(type, chain.from_iterable(map(dict.values, values)))):
            return True
    for v in values:  # most values are scalars: no call for them
        if type(v) not in _SCALARS and not _str_keys(v):
            return False
    return True


_STR = frozenset((str,))
_DICT = frozenset((dict,))
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _u_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")


def _html(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """kg's interactive HTML view (:func:`kg.viz.write_html`)."""
    from .viz import write_html

    write_html(kg, fh)


def _ontology(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """kg's ontology (the TBox the graph's owl:imports names); the same for every graph."""
    from .rdf import ontology_text

    fh.write(ontology_text().encode("utf-8"))


_GRAPHML_KEYS = (  # (for, name, type): each becomes <key id="d<i>" ...>
    ("node", "label", "string"), ("node", "name", "string"), ("node", "type", "string"),
    ("node", "iri", "string"), ("node", "aliases", "string"), ("node", "wikidata", "string"),
    ("node", "mentions", "int"), ("node", "polarity", "string"),
    ("node", "confidence", "double"), ("edge", "label", "string"),
    ("edge", "confidence", "double"), ("edge", "former", "boolean"),
    ("edge", "evidence", "string"), ("edge", "docs", "string"),
)


def _graphml(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """Entities and stances as nodes, facts as edges, every value a scalar (Gephi, Cytoscape).

    Written directly, one element a line (networkx's writer builds an ElementTree of
    the whole graph first, several times slower); networkx reads it back.
    """
    from functools import lru_cache
    from xml.sax.saxutils import escape
    from xml.sax.saxutils import quoteattr as _quoteattr

    from .graph import ABOUT, HAS_STANCE
    from .rdf import clean_text, entity_iri

    key_id = {(f, name): f"d{i}" for i, (f, name, _) in enumerate(_GRAPHML_KEYS)}
    # node ids and edge keys recur on many edges: each quoted once while it recurs
    quoteattr = lru_cache(maxsize=1 << 14)(_quoteattr)
    head = ["<?xml version='1.0' encoding='utf-8'?>",
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    head += [f'  <key id="{key_id[f, name]}" for="{f}" attr.name="{name}" attr.type="{t}" />'
             for f, name, t in _GRAPHML_KEYS]
    head.append('  <graph edgedefault="directed">')

    def element(tag: str, attrs: str, kind: str, values: dict) -> str:
        out = [f"    <{tag} {attrs}>"]
        for name, value in values.items():
            text = (str(value).lower() if isinstance(value, bool) else
                    str(value) if isinstance(value, (int, float)) else escape(value))
            out.append(f'      <data key="{key_id[kind, name]}">{text}</data>')
        out.append(f"    </{tag}>\n")
        return "\n".join(out)

    def stance_edges() -> Iterator[tuple[str, str, str, dict]]:
        for node, data in kg.stances():
            yield data["holder"], node, HAS_STANCE, {"label": HAS_STANCE}
            yield node, data["topic"], ABOUT, {"label": ABOUT}

    def fact_edges() -> Iterator[tuple[str, str, str, dict]]:
        for s, p, o, data in kg.relations():
            prov = data["provenance"]
            yield s, o, p, {
                "label": p, "confidence": float(data["confidence"]),
                "former": bool(data.get("former")),
                "evidence": clean_text(" | ".join(x["evidence"] for x in prov)),
                "docs": clean_text(" ".join(sorted({x["doc"] for x in prov})))}

    with _text_out(fh) as raw:
        out = _XmlCrText(raw)
        out.write("\n".join(head) + "\n")
        for node, data in kg.entities():
            name = clean_text(data["name"])
            out.write(element("node", f"id={quoteattr(node)}", "node", {
                "label": name, "name": name, "type": data["type"],
                "iri": str(entity_iri(node, base_iri)),
                "aliases": clean_text("; ".join(data["aliases"])),
                "wikidata": data.get("wikidata") or "", "mentions": len(data["mentions"])}))
        for node, data in kg.stances():
            claim = clean_text(data["claim"])
            out.write(element("node", f"id={quoteattr(node)}", "node", {
                "label": claim, "name": claim, "type": "Stance",
                "iri": str(entity_iri(node, base_iri)), "polarity": data["polarity"],
                "confidence": float(data["confidence"])}))
        for edges in (stance_edges(), fact_edges()):
            for s, o, key, values in edges:
                out.write(element(
                    "edge", f"source={quoteattr(s)} target={quoteattr(o)} id={quoteattr(key)}",
                    "edge", values))
        out.write("  </graph>\n</graphml>\n")


class _XmlCrText:
    """A text file that writes every CR as ``&#13;`` (see :class:`_XmlOut`)."""

    def __init__(self, out: io.TextIOWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text.replace("\r", "&#13;"))


CSV_COLUMNS = ("subject", "subject_label", "predicate", "object", "object_label", "evidence",
               "confidence", "source", "doc", "start", "end", "rule", "former")


def _cell(text: str) -> str:
    from .rdf import clean_text

    text = clean_text(text)
    # a spreadsheet runs a cell that starts with one of these as a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(kg: KnowledgeGraph, base_iri: str, fh: BinaryIO) -> None:
    """One row per statement of a fact (a fact read from two sentences has two rows)."""
    from functools import lru_cache

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
    # confidences and cells such as rules and document ids recur: each made once
    cells: dict[str, str] = {}
    decimal_of = lru_cache(maxsize=1 << 10)(lambda shortest: str(_decimal(float(shortest))))

    def decimal(x: float) -> str:
        return decimal_of(repr(float(x)))  # not x: 0.0 and -0.0 are equal keys

    def cell(x: str) -> str:
        text = cells.get(x)
        if text is None:
            text = cells[x] = _cell(x)
        return text

    # rows gather in a small buffer written out every thousand rows: one UTF-8 write
    # per row would cost more than the rows themselves
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    rows: list[list[Any]] = []
    with _text_out(fh) as text:
        for s, p, o, data in kg.relations():
            (s_iri, s_label), (o_iri, o_label) = node(s), node(o)
            former = "true" if data.get("former") else "false"
            rows += [[s_iri, s_label, p, o_iri, o_label, _cell(prov["evidence"]),
                      decimal(prov["confidence"]), sources.get(prov["doc"], ""),
                      cell(prov["doc"]), prov["start"], prov["end"], cell(prov["rule"]), former]
                     for prov in data["provenance"]]
            if len(rows) >= 1000:
                out.writerows(rows)
                rows = []
                text.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()
        out.writerows(rows)
        text.write(buf.getvalue())


for _name, _suffix, _stream, _media, _aliases in (
    ("turtle", ".ttl", _turtle, "text/turtle", ("ttl",)),
    ("nt", ".nt", _nt, "application/n-triples", ("ntriples", "n-triples")),
    ("json-ld", ".jsonld", _jsonld, "application/ld+json", ("jsonld",)),
    ("rdfxml", ".rdf", _rdfxml, "application/rdf+xml", ("xml", "rdf", "rdf/xml")),
    ("trig", ".trig", _trig, "application/trig", ()),
    ("nquads", ".nq", _nquads, "application/n-quads", ("nq", "n-quads")),
    ("graphml", ".graphml", _graphml, "application/graphml+xml", ()),
    ("csv", ".csv", _csv, "text/csv", ()),
    ("json", ".json", _json, "application/json", ("node-link",)),
    ("html", ".html", _html, "text/html", ()),
    ("ontology", ".ttl", _ontology, "text/turtle", ("owl", "tbox")),
):
    FORMATS.add(_name, Exporter(_name, _suffix, _render_with(_stream), _media, _stream),
                aliases=_aliases)

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

    The text is what :func:`write_to` writes, decoded; for a large graph, prefer
    :func:`write` or :func:`write_to`, which never hold it in memory whole.

    Raises:
        UnknownFormatError: ``format`` is not registered; the message lists the formats.
        ConfigError: ``base_iri`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    return FORMATS.get(format).render(kg, base_iri)


def write_to(kg: KnowledgeGraph, fh: BinaryIO, format: str, *,
             base_iri: str = DEFAULT_BASE_IRI) -> None:
    """Write ``kg`` in ``format`` as UTF-8 to the binary file ``fh``, piece by piece.

    The bytes are exactly :func:`serialize`'s text, encoded; only a small part of
    them is in memory at any time (a large graph's RDF statements are sorted on disk:
    see :class:`kg.rdf.Statements`).

    Raises:
        UnknownFormatError: ``format`` is not registered; the message lists the formats.
        ConfigError: ``base_iri`` is not an absolute IRI ending in ``/`` or ``#``.

    Examples:
        >>> import io
        >>> from kg.graph import KnowledgeGraph
        >>> buf = io.BytesIO()
        >>> write_to(KnowledgeGraph(), buf, "nt")
        >>> buf.getvalue().decode("utf-8") == serialize(KnowledgeGraph(), "nt")
        True
    """
    FORMATS.get(format).write_to(kg, base_iri, fh)


def write(
    kg: KnowledgeGraph, path: str | os.PathLike[str], format: str, *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Path:
    """Write ``kg`` to ``path`` in ``format``, atomically (temp file, then rename).

    The file is streamed into its temp file (:func:`write_to`), not rendered first.
    """
    exporter = FORMATS.get(format)
    return atomic_write_streams({path: lambda fh: exporter.write_to(kg, base_iri, fh)})[0]


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
    with shared_emission(exporters):
        return {fmt: exp.render(kg, base_iri) for fmt, exp in exporters.items()}


@contextmanager
def shared_emission(formats: Iterable[str] | None = None) -> Iterator[None]:
    """Within this block, the exporters emit each graph's RDF statements once.

    For callers that write or render formats one at a time (to keep one in memory at a
    time) but want the RDF formats to share one emission, as :func:`serialize_many`
    and :func:`write_many` do. The graphs must not change inside the block. The
    statements' temp files (a large graph's) are removed when the block ends.

    Args:
        formats: the formats the block will write (names or aliases), when known;
            by default any. Turtle and RDF/XML are made together from one parse when
            both will be written (the second is kept in a temp file until asked for).

    Raises:
        UnknownFormatError: a format in ``formats`` is not registered.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> kg = KnowledgeGraph()
        >>> with shared_emission():
        ...     ttl, nt = serialize(kg, "ttl"), serialize(kg, "nt")
        >>> nt == serialize(kg, "nt")
        True
    """
    wanted = None if formats is None else frozenset(FORMATS.get(f).name for f in formats)
    session = _Session(wanted)
    token = _SESSION.set(session)
    try:
        yield
    finally:
        _SESSION.reset(token)
        session.close()


def write_many(
    kg: KnowledgeGraph, files: Mapping[str | os.PathLike[str], str], *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> list[Path]:
    """Write ``kg`` to each path of ``files`` (path -> format), all or none.

    Like :func:`serialize_many`, the RDF formats share one emission. Each file is
    streamed into its own temp file; only once all are written are they renamed over
    their targets, so an error leaves every previous file as it was.
    """
    exporters = {path: FORMATS.get(fmt) for path, fmt in files.items()}
    with shared_emission(files.values()):
        return atomic_write_streams({
            path: (lambda fh, e=exp: e.write_to(kg, base_iri, fh))
            for path, exp in exporters.items()})
