"""Find, with SPARQL on Oxigraph, the few focus nodes pyshacl needs to look at.

pyshacl checks the core shapes node by node in Python, and needs an rdflib copy of the
graph to do it: on a corpus of hundreds of documents that costs more than all of kg's
own extraction. Yet a build that keeps kg's contract has next to no findings. So each
targeted shape is compiled to one SPARQL query that lists the focus nodes that *may*
fail it; only those nodes (and the triples their checks read) go to pyshacl, which
decides and words the findings, so they are exactly pyshacl's.

The queries must never miss a node pyshacl would report; listing a node that conforms
only costs time. Every value test is therefore written so that a SPARQL evaluation
error (a comparison of a string with a number, an ill-typed literal) counts as "may
fail". Only what this module can compile that way is accepted: any other shape
construct makes :func:`compile_shapes` raise :class:`Unsupported`, and the caller runs
pyshacl on the whole graph as before. The checks also rely on pyshacl's view of the
data matching Oxigraph's, which holds when every literal is in Oxigraph's canonical form
(Oxigraph stores ``"01"^^xsd:integer`` as ``"1"``); :func:`literals_are_canonical` tells.

Examples:
    >>> from pyoxigraph import RdfFormat, Store
    >>> from rdflib import Graph
    >>> shapes = Graph().parse(data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:s> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .
    ... ''', format="turtle")
    >>> from kg.validate import split_shapes
    >>> queries = compile_shapes(split_shapes(shapes)[0])
    >>> store = Store()
    >>> store.load('<urn:a> a <urn:C> ; <urn:p> 1 . <urn:b> a <urn:C> .', RdfFormat.TURTLE)
    >>> sorted(str(n) for n in candidates(store, queries))
    ['<urn:b>']
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Quad, Store
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, XSD

__all__ = ["Unsupported", "compile_shapes", "candidates", "neighbourhood",
           "literals_are_canonical"]

SH = Namespace("http://www.w3.org/ns/shacl#")
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: What a targeted shape may say: its targets, its path and these constraint parameters.
_CONSTRAINTS = {
    SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.minLength, SH.maxLength,
    SH.pattern, SH.flags, SH["class"], SH["in"], SH.minInclusive, SH.maxInclusive,
    SH.minExclusive, SH.maxExclusive, SH.lessThan, SH.lessThanOrEquals,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
}
_ANNOTATIONS = {SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group,
                SH.deactivated, SH.defaultValue}
_SHAPE_KEYS = {*_TARGETS, SH.path, *_CONSTRAINTS, *_ANNOTATIONS}
#: Shape-graph vocabulary that never makes pyshacl check a node by itself: untargeted
#: shapes (the SPARQL shapes that run elsewhere, property shapes moved off their node
#: shape) and prefix declarations.
_INERT = {SH.sparql, SH.select, SH.ask, SH.prefixes, SH.declare, SH.prefix, SH.namespace,
          SH.property, SH.inversePath}
_NODE_KINDS = {
    SH.IRI: "!isIRI(?v)", SH.BlankNode: "!isBlank(?v)", SH.Literal: "!isLiteral(?v)",
    SH.BlankNodeOrIRI: "isLiteral(?v)", SH.BlankNodeOrLiteral: "isIRI(?v)",
    SH.IRIOrLiteral: "isBlank(?v)",
}
#: Lexical forms rdflib surely reads as well-typed; any other form "may fail".
_LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    XSD.boolean: r"^(true|false|1|0)$",
}
_COMPARE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
            SH.maxExclusive: "<"}
_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


class Unsupported(Exception):
    """The shapes use something :func:`compile_shapes` cannot check faithfully."""


def compile_shapes(shapes: Graph) -> list[str]:
    """One SPARQL query per targeted shape, selecting ``?f``: the nodes that may fail it.

    ``shapes`` are core shapes with their property shapes targeted directly (as
    :func:`kg.validate.split_shapes` leaves them).

    Raises:
        Unsupported: a shape uses a construct these queries do not cover.

    Examples:
        >>> from kg.validate import shapes_graph, split_shapes
        >>> len(compile_shapes(split_shapes(shapes_graph())[0])) > 40
        True
    """
    for s, p, o in shapes:
        if p == RDF.type and o in (RDFS.Class, OWL.Class) and _is_shape(shapes, s):
            raise Unsupported(f"implicit class target on {s}")
        if str(p).startswith(str(SH)) and p not in _SHAPE_KEYS | _INERT:
            raise Unsupported(f"sh:{p[len(SH):]}")
    queries = []
    for shape in sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str):
        query = _compile(shapes, shape)
        if query:
            queries.append(query)
    return queries


def _is_shape(shapes: Graph, s) -> bool:
    return any((s, RDF.type, t) in shapes for t in (SH.NodeShape, SH.PropertyShape)) or \
        any(str(p).startswith(str(SH)) for p in shapes.predicates(s, None))


def _compile(shapes: Graph, shape) -> str | None:
    keys = {p for p in shapes.predicates(shape, None) if str(p).startswith(str(SH))}
    if not keys <= _SHAPE_KEYS:
        raise Unsupported(f"{shape} uses " + ", ".join(sorted(str(k) for k in keys - _SHAPE_KEYS)))
    if _bool(shapes.value(shape, SH.deactivated)):
        return None  # pyshacl skips it
    targets = _targets(shapes, shape)
    paths = list(shapes.objects(shape, SH.path))
    if len(paths) > 1:
        raise Unsupported(f"{shape} has {len(paths)} paths")
    value_tests = list(_value_tests(shapes, shape))
    if not paths:
        if keys & {SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.lessThan,
                   SH.lessThanOrEquals}:
            raise Unsupported(f"{shape}: a count or pair constraint needs a path")
        if not value_tests:
            return None
        return (f"{_PREFIXES}SELECT DISTINCT ?f WHERE {{ {targets} BIND (?f AS ?v) "
                f"FILTER ({_any(value_tests)}) }}")
    path = _path(shapes, paths[0])
    having = []
    if (n := _int(shapes, shape, SH.minCount)) is not None:
        having.append(f"COUNT(DISTINCT ?v) < {n}")
    if (n := _int(shapes, shape, SH.maxCount)) is not None:
        having.append(f"COUNT(DISTINCT ?v) > {n}")
    binds = []
    if value_tests:
        binds.append(f"BIND (IF({_any(value_tests)}, 1, 0) AS ?bad)")
        having.append("SUM(COALESCE(?bad, 0)) > 0")
    qualified = _qualified(shapes, shape, keys)
    if qualified:
        test, low, high = qualified
        binds.append(f"BIND (IF({test}, ?v, ?unbound) AS ?q)")
        if low is not None:
            having.append(f"COUNT(DISTINCT ?q) < {low}")
        if high is not None:
            having.append(f"COUNT(DISTINCT ?q) > {high}")
    if not having:
        return None
    return (f"{_PREFIXES}SELECT ?f WHERE {{ {targets} OPTIONAL {{ {path} {' '.join(binds)} }} }} "
            f"GROUP BY ?f HAVING ({' || '.join(having)})")


def _targets(shapes: Graph, shape) -> str:
    parts = []
    for c in shapes.objects(shape, SH.targetClass):
        parts.append(f"{{ ?f rdf:type/rdfs:subClassOf* {_sparql(c)} }}")
    for n in shapes.objects(shape, SH.targetNode):
        parts.append(f"{{ VALUES ?f {{ {_sparql(n)} }} }}")
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?f {_sparql(p)} ?target_o }}")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ ?target_s {_sparql(p)} ?f }}")
    return f"{{ SELECT DISTINCT ?f WHERE {{ {' UNION '.join(parts)} }} }}"


def _path(shapes: Graph, path) -> str:
    if isinstance(path, URIRef):
        return f"?f {_sparql(path)} ?v ."
    inverse = shapes.value(path, SH.inversePath)
    if (isinstance(path, BNode) and isinstance(inverse, URIRef)
            and set(shapes.predicate_objects(path)) == {(SH.inversePath, inverse)}):
        return f"?v {_sparql(inverse)} ?f ."
    raise Unsupported(f"path {path}")


def _value_tests(shapes: Graph, shape) -> Iterable[str]:
    """SPARQL tests on ``?v`` that are true when the value may break a constraint."""
    for dt in shapes.objects(shape, SH.datatype):
        if not isinstance(dt, URIRef):
            raise Unsupported(f"sh:datatype {dt}")
        lexical = ("false" if dt in (XSD.string, RDF.langString) else
                   f'!REGEX(STR(?v), "{_LEXICAL[dt]}")' if dt in _LEXICAL else "true")
        yield f"!isLiteral(?v) || DATATYPE(?v) != {_sparql(dt)} || {lexical}"
    for kind in shapes.objects(shape, SH.nodeKind):
        if kind not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {kind}")
        yield _NODE_KINDS[kind]
    for key, op in ((SH.minLength, "<"), (SH.maxLength, ">")):
        if (n := _int(shapes, shape, key)) is not None:
            yield f"isBlank(?v) || STRLEN(STR(?v)) {op} {n}"
    flags = shapes.value(shape, SH.flags)
    for pattern in shapes.objects(shape, SH.pattern):
        if "(?" in str(pattern) or (flags is not None and not set(str(flags)) <= set("imsx")):
            raise Unsupported(f"sh:pattern {pattern!r}")  # dialects differ beyond the basics
        args = _string(str(pattern)) + (f", {_string(str(flags))}" if flags else "")
        yield f"isBlank(?v) || !REGEX(STR(?v), {args})"
    for cls in shapes.objects(shape, SH["class"]):
        yield f"NOT EXISTS {{ ?v rdf:type/rdfs:subClassOf* {_sparql(cls)} }}"
    for members in shapes.objects(shape, SH["in"]):
        yield f"!({_member(shapes, members)})"
    for key, op in _COMPARE.items():
        for limit in shapes.objects(shape, key):
            if not isinstance(limit, Literal):
                raise Unsupported(f"{key} {limit}")
            yield f"!(?v {op} {_sparql(limit)})"
    for key, op in ((SH.lessThan, "<"), (SH.lessThanOrEquals, "<=")):
        for other in shapes.objects(shape, key):
            if not isinstance(other, URIRef):
                raise Unsupported(f"{key} {other}")
            yield (f"EXISTS {{ ?f {_sparql(other)} ?w . "
                   f"FILTER (!COALESCE(?v {op} ?w, false)) }}")


def _qualified(shapes: Graph, shape, keys) -> tuple[str, int | None, int | None] | None:
    """The exact test of conformance to the shape's qualified value shape, with its bounds.

    Unlike the other tests, a qualified count needs to know which values conform, so
    only a qualified shape that is nothing but an ``sh:in`` list (tested exactly) is
    accepted.
    """
    if SH.qualifiedValueShape not in keys:
        if keys & {SH.qualifiedMinCount, SH.qualifiedMaxCount}:
            raise Unsupported(f"{shape}: qualified count without a qualified shape")
        return None
    (inner,) = shapes.objects(shape, SH.qualifiedValueShape)
    said = {p for p in shapes.predicates(inner, None) if p != RDF.type}
    if said != {SH["in"]} or len(list(shapes.objects(inner, SH["in"]))) != 1:
        raise Unsupported(f"qualified value shape {inner}")
    test = _member(shapes, shapes.value(inner, SH["in"]))
    return test, _int(shapes, shape, SH.qualifiedMinCount), _int(shapes, shape, SH.qualifiedMaxCount)


def _member(shapes: Graph, members) -> str:
    items = list(Collection(shapes, members))
    for item in items:
        if isinstance(item, BNode) or (isinstance(item, Literal) and item.datatype not in
                                       (None, XSD.string)):
            # Oxigraph may canonicalize a typed constant in the query; rdflib does not
            raise Unsupported(f"sh:in member {item!r}")
    return " || ".join(f"sameTerm(?v, {_sparql(i)})" for i in items) or "false"


def _any(tests: list[str]) -> str:
    # an evaluation error (a type error, an ill-typed literal) counts as "may fail"
    return " || ".join(f"COALESCE({t}, true)" for t in tests)


def _int(shapes: Graph, shape, key) -> int | None:
    values = list(shapes.objects(shape, key))
    if not values:
        return None
    if len(values) > 1 or not isinstance(values[0], Literal) or \
            not isinstance(values[0].toPython(), int) or isinstance(values[0].toPython(), bool):
        raise Unsupported(f"{key} {values}")
    return values[0].toPython()


def _bool(value) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


def _sparql(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f"{_string(str(term))}@{term.language}"
        if term.datatype is None or term.datatype == XSD.string:
            return _string(str(term))
        return f"{_string(str(term))}^^<{term.datatype}>"
    raise Unsupported(f"blank node {term} in a shape")


# ---------------------------------------------------------------------------- running them
def candidates(store: Store, queries: list[str]) -> set:
    """The Oxigraph terms that may fail one of ``queries``' shapes."""
    found: set = set()
    for query in queries:
        found.update(row[0] for row in store.query(query))
    return found


def neighbourhood(store: Store, focus: Iterable) -> list[Quad]:
    """Every triple pyshacl reads to check ``focus`` against single-step shapes.

    The triples of each focus node (as subject or object), the types of the nodes at
    their other end, and all of ``rdfs:subClassOf``, which targets and ``sh:class``
    follow.
    """
    rdf_type, sub = NamedNode(str(RDF.type)), NamedNode(str(RDFS.subClassOf))
    quads: set = set(store.quads_for_pattern(None, sub, None))
    ends: set = set()
    for node in focus:
        if not isinstance(node, OxLiteral):
            for q in store.quads_for_pattern(node, None, None):
                quads.add(q)
                ends.add(q.object)
        for q in store.quads_for_pattern(None, None, node):
            quads.add(q)
            ends.add(q.subject)
    for node in ends:
        if not isinstance(node, OxLiteral):
            quads.update(store.quads_for_pattern(node, rdf_type, None))
    return list(quads)


def literals_are_canonical(literals: Iterable[OxLiteral]) -> bool:
    """Whether Oxigraph keeps each of ``literals`` as written (it rewrites ``01`` to ``1``).

    Examples:
        >>> from pyoxigraph import Literal, NamedNode
        >>> xsd_int = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        >>> literals_are_canonical([Literal("1", datatype=xsd_int)])
        True
        >>> literals_are_canonical([Literal("01", datatype=xsd_int)])
        False
    """
    given = set(literals)
    scratch = Store()
    s, p = NamedNode("urn:kg:s"), NamedNode("urn:kg:p")
    scratch.extend(Quad(s, p, lit) for lit in given)
    return {q.object for q in scratch} == given
