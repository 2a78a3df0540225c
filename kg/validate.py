"""Check kg graphs against kg's SHACL shapes (``kg/shapes.ttl``) with pyshacl.

A *violation* means kg broke its own contract (a fact without provenance, an entity
without a label, a malformed literal): ``kg build`` refuses to write such a graph. A
*warning* means the graph is well formed but a value has an unexpected kind (a person
who "works for" another person): reported, never fatal. The ontology is mixed in, so a
``kg:Company`` counts where a ``kg:Organization`` is expected.

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

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Namespace, URIRef

from .config import DEFAULT_BASE_IRI
from .errors import ValidationError
from .graph import KnowledgeGraph

__all__ = [
    "Finding", "Report", "SHAPES_PATH", "shapes_graph", "validate_graph", "validate",
    "check_evidence", "check_build", "require_valid",
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


def validate_graph(g: Graph, *, shapes: Graph | None = None, ontology: bool = True) -> Report:
    """Validate an RDF graph against kg's shapes (or ``shapes``).

    Args:
        g: the data graph (as written by :func:`kg.rdf.to_rdf`, or parsed from a file).
        shapes: other SHACL shapes to use instead of kg's.
        ontology: mix kg's ontology in, so subclasses count (a Company is an Organization).
    """
    import pyshacl

    from .rdf import bind_prefixes, ontology_graph

    report_graph: Graph
    _, report_graph, _ = pyshacl.validate(
        g, shacl_graph=shapes if shapes is not None else shapes_graph(),
        ont_graph=ontology_graph() if ontology else None, inference="none",
        allow_warnings=True, allow_infos=True, abort_on_first=False, advanced=True,
    )
    names = bind_prefixes(Graph())
    for prefix, ns in g.namespaces():
        if prefix and prefix not in dict(names.namespaces()):
            names.bind(prefix, ns)
    findings = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(result, SH.resultSeverity)
        focus, value = report_graph.value(result, SH.focusNode), report_graph.value(result, SH.value)
        if focus == WHOLE_GRAPH:
            focus, value = value, None
        findings.append(Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=_short(focus, names),
            path=_short(report_graph.value(result, SH.resultPath), names),
            message=str(report_graph.value(result, SH.resultMessage) or "constraint not met"),
            value=_short(value, names),
        ))
    return Report(sorted(set(findings), key=_order))


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

    def check(node: str, provenance: list[dict]) -> None:
        for prov in provenance:
            doc = kg.documents.get(prov["doc"])
            if doc is None or not doc.text:
                continue
            ev = prov["evidence"]
            if doc.text[prov["start"]:prov["end"]] == ev:
                continue
            if ev and ev in doc.text:
                found.append(Finding("Warning", f"<{node}>", "kg:startOffset",
                                     f"evidence is in {doc.id} but not at offsets "
                                     f"{prov['start']}-{prov['end']}"))
            else:
                found.append(Finding("Violation", f"<{node}>", "kg:evidence",
                                     f"evidence does not occur verbatim in {doc.id}",
                                     ev[:80]))

    for s, p, o, data in kg.relations():
        for prov in data["provenance"]:
            check(str(fact_iri(s, p, o, prov, base_iri)), [prov])
    for node, data in kg.stances():
        check(str(entity_iri(node, base_iri)), data["provenance"])
    return found


def validate(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
             graph: Graph | None = None) -> Report:
    """Validate ``kg``: its RDF against the shapes, and its evidence against the documents.

    Args:
        kg: the graph to check.
        base_iri: the base its IRIs are minted under.
        graph: the RDF to check (e.g. parsed back from the Turtle about to be written);
            default ``to_rdf(kg, base_iri)``.

    Examples:
        >>> validate(KnowledgeGraph()).summary()
        '0 violation(s), 0 warning(s)'
    """
    from .rdf import to_rdf

    report = validate_graph(graph if graph is not None else to_rdf(kg, base_iri))
    report.findings = sorted(set(report.findings) | set(check_evidence(kg, base_iri)),
                             key=_order)
    return report


def check_build(kg: KnowledgeGraph, turtle: str, base_iri: str = DEFAULT_BASE_IRI) -> Report:
    """Validate the Turtle a build is about to write; raise if it has a violation.

    The text itself is parsed back, so an escaping fault in any serializer step shows
    up here rather than in a user's triple store.

    Raises:
        ValidationError: the output violates kg's shapes or its evidence checks.
    """
    report = validate(kg, base_iri, graph=Graph().parse(data=turtle, format="turtle"))
    require_valid(report, "the built graph")
    return report


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
