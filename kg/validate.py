"""Check kg graphs against kg's SHACL shapes (``kg/shapes.ttl``) with pyshacl.

A *violation* means kg broke its own contract (a fact without provenance, an entity
without a label, a malformed literal): ``kg build`` refuses to write such a graph. A
*warning* means the graph is well formed but a value has an unexpected kind (a person
who "works for" another person): reported, never fatal. The ontology is mixed in, so a
``kg:Company`` counts where a ``kg:Organization`` is expected.

The check ``kg build`` runs (:func:`check_build`) reads the Turtle into Oxigraph and lets
SPARQL pick out the few nodes pyshacl has to check (:mod:`kg.shacl_sparql`): the same
findings at a fraction of the cost of pyshacl on an rdflib copy of the whole graph. The
text is parsed once, by Oxigraph, and the whole check runs in threads of its own
(:func:`start_check_build` lets the caller go on meanwhile; Oxigraph lets go of the GIL
while it parses and queries); what the store would not show (numbers written in a form
it rewrites, blank nodes) is read off the text by regular expressions.

Examples:
    >>> from kg.graph import KnowledgeGraph
    >>> from kg.rdf import to_rdf
    >>> validate_graph(to_rdf(KnowledgeGraph())).conforms
    True
    >>> from rdflib import Graph
    >>> bad = Graph().parse(data='''
    ...     @prefix kg: <https://kg.example.org/ontology#> .
    ...     <https://kg.example.org/id/acme> a kg:Company .''', format="turtle")
    >>> report = validate_graph(bad)
    >>> report.conforms, [f.message for f in report.violations]
    (False, ['an entity has exactly one non-empty rdfs:label'])
"""

from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pyoxigraph import BlankNode, NamedNode, Quad, Store
from pyoxigraph import Literal as OxLiteral
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from .config import DEFAULT_BASE_IRI
from .errors import InputError, ValidationError
from .graph import KnowledgeGraph

__all__ = [
    "Finding", "Report", "SHAPES_PATH", "shapes_graph", "validate_graph", "validate",
    "check_evidence", "check_build", "start_check_build", "PendingCheck", "validate_turtle",
    "require_valid",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
#: Focus node of the shapes' whole-graph checks; their offending node is the sh:value.
WHOLE_GRAPH = URIRef("https://kg.example.org/shapes#graph")
SHAPES_PATH = Path(__file__).with_name("shapes.ttl")


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One SHACL result (or evidence check), ready to print."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: str
    path: str
    message: str
    value: str = ""

    def line(self) -> str:
        """One line: severity, focus node, path, message (and the offending value)."""
        where = f"{self.focus} {self.path}".strip()
        value = f" (value: {self.value})" if self.value and self.value not in self.message else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass(slots=True)
class Report:
    """The findings of one validation; ``conforms`` is True when there is no violation."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        """``N violation(s), M warning(s)``."""
        return f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"

    def text(self) -> str:
        """Every finding on its own line (violations first), then the summary."""
        lines = [f.line() for f in sorted(self.findings, key=_order)]
        return "\n".join([*lines, self.summary()]) + "\n"


def _order(f: Finding) -> tuple:
    return (f.severity != "Violation", f.focus, f.path, f.message, f.value)


def shapes_graph(path: str | Path | None = None) -> Graph:
    """kg's shapes (or the shapes file at ``path``) as an rdflib Graph."""
    from .store import load_graph

    return load_graph(path) if path is not None else Graph().parse(SHAPES_PATH, format="turtle")


def _short(term, g: Graph) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            prefix, _, local = g.compute_qname(term, generate=False)
            if local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
        except (KeyError, ValueError):
            pass
        return f"<{term}>"
    text = str(term)
    return repr(text[:80] + ("..." if len(text) > 80 else ""))


def validate_graph(g: Graph, *, shapes: Graph | None = None, ontology: bool = True,
                   store: Store | None = None, inplace: bool = False) -> Report:
    """Validate an RDF graph against kg's shapes (or ``shapes``).

    pyshacl checks each focus node with rdflib, so the cost grows with the graph, not
    faster. Two things keep it small (see :func:`split_shapes`): a node shape's property
    shapes get the node shape's targets, so pyshacl runs each once over all its focus
    nodes rather than once per node; and the whole-graph SPARQL shapes run on Oxigraph,
    whose joins do not grow with the square of the graph as rdflib's do.

    Args:
        g: the data graph (as written by :func:`kg.rdf.to_rdf`, or parsed from a file).
        shapes: other SHACL shapes to use instead of kg's.
        ontology: mix kg's ontology in, so subclasses count (a Company is an Organization).
        store: the same triples in an Oxigraph store (saves copying them there).
        inplace: ``g`` (and ``store``) may be changed: the ontology is added to them
            rather than to a copy.
    """
    from .rdf import bind_prefixes, ontology_graph

    core, sparql = split_shapes(shapes if shapes is not None else shapes_graph())
    onto = ontology_graph() if ontology else None
    data = g if inplace else _copy(g)
    if onto is not None:
        data += onto
    reports = [_pyshacl(data, core)]
    if sparql is not None:
        if store is None:
            store = _to_store(data)  # the ontology comes along
        else:
            if not inplace:
                store = _to_store(store)
            if onto is not None:
                store.bulk_extend(_to_quads(onto))
        reports.append(_pyshacl(store, sparql))
    names = _names(g)
    findings = [f for report in reports for f in _findings(report, names)]
    return Report(sorted(set(findings), key=_order))


# ---------------------------------------------------------------------------- how shapes run
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
#: What a shape may say besides sh:sparql and still run on Oxigraph: nothing whose
#: evaluation compares literals (Oxigraph reads "x" as "x"^^xsd:string; rdflib does not).
_SPARQL_ONLY = {*_TARGETS, SH.sparql, SH.severity, SH.message, SH.name, SH.description,
                SH.deactivated, RDF.type, RDFS.label, RDFS.comment}


def split_shapes(shapes: Graph) -> tuple[Graph, Graph | None]:
    """Split ``shapes`` into what pyshacl runs on rdflib and on Oxigraph (or None).

    Shapes that are nothing but SPARQL constraints go to Oxigraph; in the rest, the
    property shapes of an unreferenced, open, active node shape get that node shape's
    targets (and leave it), which SHACL defines to give the same results.

    Examples:
        >>> core, sparql = split_shapes(shapes_graph())
        >>> sorted(str(s).rsplit("#")[-1] for s in sparql.subjects(SH.targetNode, None))
        ['WholeGraph', 'WholeGraphWarnings']
        >>> (None, SH.property, None) in core, (None, SH.targetNode, None) in core
        (False, False)
    """
    sparql_shapes = {s for s in set(shapes.subjects(SH.sparql, None))
                     if set(shapes.predicates(s, None)) <= _SPARQL_ONLY}
    core, sparql = _copy(shapes), _copy(shapes)
    for s in set(shapes.subjects(None, None)):
        if any((s, t, None) in shapes for t in _TARGETS):
            for t in _TARGETS:
                (core if s in sparql_shapes else sparql).remove((s, t, None))
    for node in set(core.subjects(SH.property, None)):
        if ((None, None, node) in core or (node, SH.closed, None) in core
                or (node, SH.deactivated, None) in core):
            continue
        for prop in list(core.objects(node, SH.property)):
            for t in _TARGETS:
                for target in core.objects(node, t):
                    core.add((prop, t, target))
            core.remove((node, SH.property, prop))
    return core, (sparql if sparql_shapes else None)


def _pyshacl(data: Graph | Store, shapes: Graph) -> Graph:
    import pyshacl

    # inplace: the data is always a copy of the caller's or one made for this check
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=None, inference="none", inplace=True,
        allow_warnings=True, allow_infos=True, abort_on_first=False, advanced=True,
    )
    if not isinstance(report, Graph):  # pyshacl's ValidationFailure: the shapes are wrong
        raise InputError(f"the SHACL shapes cannot be used: {report}; fix the shapes file")
    return report


def _names(g: Graph) -> Graph:
    """kg's prefixes, and those of ``g`` under other names: how findings name nodes."""
    from .rdf import bind_prefixes

    names = bind_prefixes(Graph())
    for prefix, ns in g.namespaces():
        if prefix and prefix not in dict(names.namespaces()):
            names.bind(prefix, ns)
    return names


def _findings(report: Graph, names: Graph, keep: set | None = None):
    """The findings in a pyshacl report (those on the ``keep`` focus nodes, if given)."""
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if keep is not None and report.value(result, SH.focusNode) not in keep:
            continue
        severity = report.value(result, SH.resultSeverity)
        focus, value = report.value(result, SH.focusNode), report.value(result, SH.value)
        if focus == WHOLE_GRAPH:
            focus, value = value, None
        yield Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=_short(focus, names),
            path=_path(report, report.value(result, SH.resultPath), names),
            message=str(report.value(result, SH.resultMessage) or "constraint not met"),
            value=_short(value, names),
        )


def _path(report: Graph, path, names: Graph) -> str:
    inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
    # a blank node's id differs on each run; an inverse path reads as SPARQL writes it
    return "^" + _short(inverse, names) if inverse is not None else _short(path, names)


# ---------------------------------------------------------------------------- rdflib <-> Oxigraph
def _copy(g: Graph) -> Graph:
    copy = Graph()
    for prefix, ns in g.namespaces():  # pyshacl's messages name classes with them
        copy.bind(prefix, ns, override=True, replace=True)
    copy += g
    return copy


def _ox_term(term, blanks: dict | None = None):
    if isinstance(term, URIRef):
        return NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return OxLiteral(str(term), language=term.language)
        return OxLiteral(str(term), datatype=NamedNode(term.datatype) if term.datatype else None)
    if blanks is None:
        return BlankNode(str(term))
    if term not in blanks:
        blanks[term] = BlankNode()  # rdflib allows ids that Oxigraph does not
    return blanks[term]


def _to_quads(g: Graph):
    blanks: dict = {}
    return (Quad(*(_ox_term(t, blanks) for t in triple)) for triple in g)


def _to_store(source: Graph | Store) -> Store:
    store = Store()
    store.bulk_extend(source if isinstance(source, Store) else _to_quads(source))
    return store


def graph_from_quads(quads, graph: Graph | None = None) -> Graph:
    """Add Oxigraph triples (or quads, graph names dropped) to an rdflib Graph.

    Examples:
        >>> from pyoxigraph import RdfFormat, parse
        >>> g = graph_from_quads(parse('<urn:a> <urn:p> "x", "y"@en, 1 .', RdfFormat.TURTLE))
        >>> sorted(o.n3() for o in g.objects())
        ['"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"', '"y"@en']
    """
    g = graph if graph is not None else Graph()
    term = _rdflib_terms()
    g.addN((term(q.subject), term(q.predicate), term(q.object), g) for q in quads)
    return g


def _rdflib_terms():
    """A converter of Oxigraph terms to rdflib's that makes each distinct term once."""
    cache: dict = {}

    def term(t):
        r = cache.get(t)
        if r is None:
            if isinstance(t, NamedNode):
                r = URIRef(t.value)
            elif isinstance(t, OxLiteral):
                dt = t.datatype.value
                r = (Literal(t.value, lang=t.language) if t.language else
                     Literal(t.value, datatype=None if dt == _XSD_STRING else dt))
            else:
                r = BNode(t.value)
            cache[t] = r
        return r

    return term


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def check_evidence(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI) -> list[Finding]:
    """Check that every fact's and stance's evidence is read verbatim from its document.

    Only documents that still carry their text can be checked (one read back from RDF
    has none). Evidence missing from the text is a violation; evidence found elsewhere
    than its offsets say is a warning.

    Examples:
        >>> from kg.types import *
        >>> doc = Document.from_text("Acme makes Widget.")
        >>> kg = KnowledgeGraph()
        >>> kg.add(Extraction(doc, (Entity("acme", "Acme", EntityType.COMPANY),
        ...     Entity("widget", "Widget", EntityType.PRODUCT)), (Relation("widget",
        ...     Predicate.PRODUCT_OF, "acme", Evidence(doc.id, "Acme sells Widget.", 0, 18)),)))
        >>> [f.message for f in check_evidence(kg)]
        ['evidence does not occur verbatim in doc-0a0745376680']
    """
    from .rdf import entity_iri, fact_iri

    found: list[Finding] = []

    def check(node, provenance: list[dict]) -> None:
        """``node()`` names the fact or stance: minted only for a finding."""
        for prov in provenance:
            doc = kg.documents.get(prov["doc"])
            if doc is None or not doc.text:
                continue
            ev = prov["evidence"]
            if doc.text[prov["start"]:prov["end"]] == ev:
                continue
            if ev and ev in doc.text:
                found.append(Finding("Warning", f"<{node()}>", "kg:startOffset",
                                     f"evidence is in {doc.id} but not at offsets "
                                     f"{prov['start']}-{prov['end']}"))
            else:
                found.append(Finding("Violation", f"<{node()}>", "kg:evidence",
                                     f"evidence does not occur verbatim in {doc.id}",
                                     ev[:80]))

    for s, p, o, data in kg.relations():
        for prov in data["provenance"]:
            check(lambda s=s, p=p, o=o, prov=prov: fact_iri(s, p, o, prov, base_iri), [prov])
    for node, data in kg.stances():
        check(lambda node=node: entity_iri(node, base_iri), data["provenance"])
    return found


def validate(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
             graph: Graph | None = None, store: Store | None = None,
             inplace: bool = False) -> Report:
    """Validate ``kg``: its RDF against the shapes, and its evidence against the documents.

    Args:
        kg: the graph to check.
        base_iri: the base its IRIs are minted under.
        graph: the RDF to check (e.g. parsed back from the Turtle about to be written);
            default ``to_rdf(kg, base_iri)``.
        store: ``graph``'s triples in an Oxigraph store, if at hand.
        inplace: ``graph`` and ``store`` are the caller's to give away (see
            :func:`validate_graph`).

    Examples:
        >>> validate(KnowledgeGraph()).summary()
        '0 violation(s), 0 warning(s)'
    """
    from .rdf import to_rdf

    if graph is None:
        graph, store, inplace = to_rdf(kg, base_iri), None, True
    report = validate_graph(graph, store=store, inplace=inplace)
    report.findings = sorted(set(report.findings) | set(check_evidence(kg, base_iri)),
                             key=_order)
    return report


def check_build(kg: KnowledgeGraph, turtle: str | os.PathLike[str],
                base_iri: str = DEFAULT_BASE_IRI) -> Report:
    """Validate the Turtle a build is about to write; raise if it has a violation.

    The text itself is parsed back (see :func:`validate_turtle`), so an escaping fault
    in any serializer step shows up here rather than in a user's triple store; the
    evidence of ``kg`` is checked against its documents too.

    Args:
        kg: the graph the Turtle was written from.
        turtle: the Turtle text, or the path of a Turtle file (a :class:`~pathlib.Path`
            or other path-like object; a ``str`` is always the text itself).
        base_iri: the base the IRIs were minted under.

    Raises:
        ValidationError: the output is not Turtle, or violates kg's shapes or its
            evidence checks.

    Examples:
        >>> check_build(KnowledgeGraph(), "").summary()
        '0 violation(s), 0 warning(s)'
    """
    return start_check_build(kg, turtle, base_iri).result()


def start_check_build(kg: KnowledgeGraph, turtle: str | os.PathLike[str],
                      base_iri: str = DEFAULT_BASE_IRI) -> PendingCheck:
    """:func:`check_build`, begun: the Turtle is read and checked by threads of their
    own (Oxigraph lets go of the GIL while it parses and queries) while the caller goes
    on, e.g. writing the other exports; the evidence is checked, and the findings
    handed over, when :meth:`PendingCheck.result` is called.

    Examples:
        >>> start_check_build(KnowledgeGraph(), "").result().summary()
        '0 violation(s), 0 warning(s)'
    """
    return PendingCheck(kg, turtle, base_iri)


class PendingCheck:
    """A :func:`check_build` whose Turtle is being checked (see :func:`start_check_build`)."""

    def __init__(self, kg: KnowledgeGraph, turtle: str | os.PathLike[str], base_iri: str):
        self._kg, self._turtle, self._base_iri = kg, turtle, base_iri
        self._loading = _Loading(turtle, base_iri)

    def result(self) -> Report:
        """The report; raises :class:`~kg.errors.ValidationError` as check_build does."""
        kg, base_iri, evidence = self._kg, self._base_iri, []
        # the evidence is checked while the Turtle's check may still be running
        report = _validate_turtle(self._turtle, base_iri, self._loading,
                                  meanwhile=lambda: evidence.extend(check_evidence(kg, base_iri)))
        report.findings = sorted(set(report.findings) | set(evidence), key=_order)
        require_valid(report, "the built graph")
        return report


def validate_turtle(turtle: str | os.PathLike[str],
                    base_iri: str = DEFAULT_BASE_IRI) -> Report:
    """Check Turtle (text, or a path-like object naming a file) against kg's shapes.

    The Turtle is read into Oxigraph, and SPARQL queries compiled from the shapes
    (:mod:`kg.shacl_sparql`) pick out the few nodes that may fail them; pyshacl checks
    only those, on the triples around them, so the findings are pyshacl's own. Should
    that not apply (shapes beyond what the queries cover, a literal Oxigraph would
    rewrite), pyshacl checks the whole graph, as :func:`validate_graph` does.

    Raises:
        ValidationError: the text is not Turtle, or the file cannot be read.

    Examples:
        >>> report = validate_turtle('<urn:a> a <https://kg.example.org/ontology#Topic> .')
        >>> [f.line() for f in report.findings]
        ['Violation: <urn:a> rdfs:label: an entity has exactly one non-empty rdfs:label']
    """
    return _validate_turtle(turtle, base_iri, _Loading(turtle, base_iri))


def _validate_turtle(turtle: str | os.PathLike[str], base_iri: str, loading: _Loading,
                     meanwhile=None) -> Report:
    """:func:`validate_turtle` of the text ``loading`` checks, running ``meanwhile()``
    while it does."""
    if meanwhile is not None:
        meanwhile()
    try:
        loading.read()
    except SyntaxError as e:
        raise ValidationError(f"the built graph is not valid Turtle ({e}); "
                              "this is a bug in kg's serializer, please report it") from e
    except OSError as e:
        raise ValidationError(f"cannot read the built graph {str(turtle)!r}: "
                              f"{e.strerror or e}") from e
    return loading.report()


class _Loading:
    """A check of Turtle (text, or a file's bytes), run by threads of its own.

    One thread reads the text into a new Oxigraph store and runs on it what needs only
    the store (see :func:`_preselect`); Oxigraph lets go of the GIL while it parses and
    while it answers a query, so that costs the caller no time when it has other work
    meanwhile (a build writes its other exports). Another reads the text for what the
    store would not show (numbers written in a form it rewrites, blank nodes). The first
    then draws the findings, and drops the store, before :meth:`report` is asked.
    """

    def __init__(self, turtle: str | os.PathLike[str], base_iri: str = DEFAULT_BASE_IRI):
        self.text: str | bytes | None = None
        self._read_error: BaseException | None = None  # the text is no Turtle, or unreadable
        self._error: BaseException | None = None  # anything else
        self._scanned: tuple[set, bool] | BaseException | None = None
        self._report: Report | None = None
        self._thread = self._scanner = None
        try:
            self.text = turtle if isinstance(turtle, str) else Path(turtle).read_bytes()
        except OSError as e:
            self._read_error = e
            return
        self._thread = threading.Thread(target=self._check, args=(base_iri,), daemon=True)
        self._scanner = threading.Thread(target=self._read_text, daemon=True)
        self._scanner.start()  # first: the checker waits for it
        self._thread.start()

    def _read_text(self) -> None:
        try:
            scanned = _quick_scan(self.text)
            self._scanned = scanned if scanned is not None else _scan(_parse(self.text))
        except BaseException as e:  # noqa: BLE001 - raised again by read()
            self._scanned = e

    def _check(self, base_iri: str) -> None:
        from pyoxigraph import RdfFormat

        from .rdf import bind_prefixes

        try:
            store = Store()
            # Oxigraph's parser, strict and many times faster than rdflib's
            store.load(self.text, RdfFormat.TURTLE)
        except BaseException as e:  # noqa: BLE001 - raised again by read()
            self._read_error = e
            return
        try:
            try:
                preselection = _preselect(store)
            except BaseException as e:  # noqa: BLE001 - raised where it is needed
                preselection = e
            self._scanner.join()
            if isinstance(self._scanned, BaseException):
                self._read_error = self._scanned
                return
            typed, blank = self._scanned
            # Oxigraph's store gives blank nodes new labels: findings would not name them
            # as the text does (kg writes none; a graph with some breaks kg's shapes anyway)
            report = None if blank else _validate_store(store, typed, base_iri,
                                                        lambda: _raised(preselection))
            del store, preselection  # freed here, not in the caller's thread
            if report is None:  # the whole graph through pyshacl
                graph = graph_from_quads(_parse(self.text), bind_prefixes(Graph(), base_iri))
                report = validate_graph(graph, inplace=True)
            self._report = report
        except BaseException as e:  # noqa: BLE001 - raised again by report()
            self._error = e

    def read(self) -> None:
        """Wait for the text to be read; raise why it could not be (OSError, SyntaxError)."""
        if self._thread is not None:
            self._thread.join()
        if self._read_error is not None:
            raise self._read_error

    def report(self) -> Report:
        """The findings (after :meth:`read`), or the error that stopped the check."""
        self.read()
        if self._error is not None:
            raise self._error
        return self._report


def _raised(value):
    if isinstance(value, BaseException):
        raise value
    return value


class _Preselection(NamedTuple):
    """What of a check needs the store alone: the focus nodes the SPARQL preselection
    picks (None if the shapes are beyond it) and pyshacl's report of the shapes that
    run on Oxigraph (None if there are none)."""

    focus: set | None
    sparql: Graph | None


def _preselect(store: Store) -> _Preselection:
    """The ontology added to ``store`` (subclasses count: a Company is an Organization),
    then the queries compiled from kg's shapes and the whole-graph SPARQL shapes run on
    it. Whether the findings may be drawn from the store at all (its literals as
    written, no blank node) is decided later, from the text."""
    from pyoxigraph import RdfFormat

    from .shacl_sparql import Unsupported, candidates

    ontology, _, core, sparql = _prepared()
    store.load(ontology, RdfFormat.TURTLE)
    try:
        focus = candidates(store, _compiled(core, store))
    except Unsupported:
        focus = None
    return _Preselection(focus, _pyshacl(store, sparql) if sparql is not None else None)


def _scan(quads) -> tuple[set, bool]:
    """The distinct literals of ``quads`` that are neither strings nor language-tagged
    (those Oxigraph may rewrite in canonical form), and whether any has a blank node."""
    string = NamedNode(_XSD_STRING)
    typed, blank = set(), False
    for q in quads:
        o = q.object
        if type(o) is OxLiteral:
            if o.datatype != string and not o.language:
                typed.add(o)
        elif type(o) is BlankNode:
            blank = True
        if type(q.subject) is BlankNode:
            blank = True
    return typed, blank


#: What in Turtle may hold any character: strings, IRIs, comments, names with escapes.
#: Read in UTF-8 bytes, where ``\w`` and ``.`` match less than in text (ASCII only, one
#: byte): less is hidden, so no number is missed.
_HIDDEN = re.compile(
    rb'"(?:""(?:(?:"|"")?(?:[^"\\]|\\.))*"""|[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*")'
    rb"|'(?:''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*')"
    rb'|<[^<>"{}|^`\\\x00-\x20]*(?:\\[uU][^<>"{}|^`\\\x00-\x20]*)*>|#[^\r\n]*'
    rb"|\\.[\w.:%\\-]*", re.S)  # an escape, with the rest of its name
#: A number as Turtle writes one bare (a double, a decimal, an integer); a digit run
#: inside a name (after a letter, a digit, ``:``, ``-``, ``.`` or ``%``) is none.
_NUMBER = re.compile(rb"(?<![\w.:%\\-])[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+"
                     rb"|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _quick_scan(text: str | bytes) -> tuple[set, bool] | None:
    """What :func:`_scan` finds in the quads of Turtle ``text``, read off the text by
    regular expressions (bare booleans left out: Oxigraph keeps them as written); or
    None when only a parser can tell (a ``^^`` datatype, a blank node or a list, or
    anything else unusual). It must miss no number; one too many (a digit run in a name
    it cannot place) at worst costs the parse it saves.

    Examples:
        >>> sorted(str(t) for t in _quick_scan('<urn:a> <urn:p> 1, -2.50, ".5", 3E1 .')[0])
        ['"-2.50"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"3E1"^^<http://www.w3.org/2001/XMLSchema#double>']
        >>> _quick_scan('<urn:a> <urn:p> [ <urn:q> 1 ] .') is None
        True
    """
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    elif not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    # in bytes, not text: no decoding, and a byte a character however wide the text's
    rest = _HIDDEN.sub(b" ", text)
    # what is left is names, numbers, keywords and punctuation, or else a parser decides
    if any(mark in rest for mark in (b"^^", b"_:", b"[", b"(", b"<", b"{", b"~", b'"', b"'")):
        return None
    typed = set()
    for number in set(_NUMBER.findall(b" ".join(set(rest.split())))):
        kind = ("double" if b"e" in number or b"E" in number else
                "decimal" if b"." in number else "integer")
        typed.add(OxLiteral(number.decode(), datatype=NamedNode(_XSD + kind)))
    return typed, False


def _parse(turtle: str | bytes | os.PathLike[str]):
    from pyoxigraph import RdfFormat, parse

    if isinstance(turtle, (str, bytes)):
        return parse(turtle, RdfFormat.TURTLE)
    return parse(path=turtle, format=RdfFormat.TURTLE)


def _validate_store(store: Store, typed: set, base_iri: str,
                    preselected=None) -> Report | None:
    """kg's shapes on ``store`` (whose distinct typed literals as written are ``typed``),
    or None if the SPARQL preselection does not apply to them or to the data.
    ``preselected()``, if given, tells what :func:`_preselect` found in the store."""
    from .rdf import bind_prefixes
    from .shacl_sparql import literals_are_canonical, neighbourhood, shapes_for

    _, ontology_typed, core, _ = _prepared()
    if not literals_are_canonical(typed | ontology_typed):
        return None
    preselection = preselected() if preselected is not None else _preselect(store)
    focus = preselection.focus
    if focus is None:  # shapes the queries do not cover
        return None
    names = _names(bind_prefixes(Graph(), base_iri))
    findings: list[Finding] = []
    if focus:
        term = _rdflib_terms()
        around = bind_prefixes(Graph(), base_iri)  # pyshacl's messages use its prefixes
        around.addN((term(q.subject), term(q.predicate), term(q.object), around)
                    for q in neighbourhood(store, focus))
        # nodes around the focus may be checked too, on part of their triples: drop them
        keep = {term(f) for f in focus}
        findings += _findings(_pyshacl(around, shapes_for(core, store, focus)), names, keep)
    if preselection.sparql is not None:
        findings += _findings(preselection.sparql, names)
    return Report(sorted(set(findings), key=_order))


_PREPARING = threading.Lock()
if hasattr(os, "register_at_fork"):  # a child forked while a check thread held it
    os.register_at_fork(after_in_child=lambda: globals().update(_PREPARING=threading.Lock()))


def _prepared() -> tuple[str, frozenset, Graph, Graph | None]:
    """:func:`_prepare`, once per process (whichever thread asks first)."""
    with _PREPARING:
        return _prepare()


@functools.cache
def _prepare() -> tuple[str, frozenset, Graph, Graph | None]:
    """The ontology's text and typed literals, and kg's shapes split (see
    :func:`split_shapes`): the same for every check in a process, so read once. The
    graphs are only read, never changed."""
    from pyoxigraph import RdfFormat, parse

    from .rdf import ontology_text

    ontology = ontology_text()
    return (ontology, frozenset(_scan(parse(ontology, RdfFormat.TURTLE))[0]),
            *split_shapes(shapes_graph()))


#: compile_shapes' checks by the subclass triples they were compiled for (the same in
#: every build that writes no rdfs:subClassOf of its own)
_COMPILED: dict = {}


def _compiled(core: Graph, store: Store) -> list:
    from .shacl_sparql import compile_shapes

    key = (id(core), frozenset(store.quads_for_pattern(None, NamedNode(str(RDFS.subClassOf)),
                                                       None)))
    if key not in _COMPILED:
        _COMPILED.clear()  # one entry is all a process needs
        _COMPILED[key] = compile_shapes(core, store)
    return _COMPILED[key]


def require_valid(report: Report, what: str = "the graph") -> None:
    """Raise :class:`~kg.errors.ValidationError` when ``report`` has violations.

    Examples:
        >>> require_valid(Report([Finding("Violation", "id:x", "rdfs:label", "no label")]))
        Traceback (most recent call last):
        ...
        kg.errors.ValidationError: the graph violates kg's SHACL shapes (1 violation(s), 0 warning(s)); first: Violation: id:x rdfs:label: no label; run `kg validate` on it for the full list
    """
    if report.conforms:
        return
    first = report.violations[0].line()
    raise ValidationError(
        f"{what} violates kg's SHACL shapes ({report.summary()}); first: {first}; "
        "run `kg validate` on it for the full list"
    )
