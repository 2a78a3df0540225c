"""Find, with SPARQL on Oxigraph, the few focus nodes pyshacl needs to look at.

pyshacl checks the core shapes node by node in Python, and needs an rdflib copy of the
graph to do it: on a corpus of hundreds of documents that costs more than all of kg's
own extraction. Yet a build that keeps kg's contract has next to no findings. So the
constraints of each targeted shape are compiled to SPARQL queries that list the focus
nodes that *may* fail them; only those nodes (and the triples their checks read) go to
pyshacl, with the shapes that target them, and pyshacl decides and words the findings,
so they are exactly pyshacl's.

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
    >>> store = Store()
    >>> store.load('<urn:a> a <urn:C> ; <urn:p> 1 . <urn:b> a <urn:C> .', RdfFormat.TURTLE)
    >>> queries = compile_shapes(split_shapes(shapes)[0], store)
    >>> sorted(str(n) for n in candidates(store, queries))
    ['<urn:b>']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Quad, Store
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, XSD

__all__ = ["Unsupported", "compile_shapes", "candidates", "neighbourhood", "shapes_for",
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
#: Patterns read alike by Python's re and Oxigraph's regex: no group syntax ``(?``, no
#: backreference, anchors or character properties beyond ``^`` and ``$`` (Python's ``$``
#: also matches before a final newline: it accepts more, so SPARQL lists more nodes).
_PORTABLE = re.compile(r"(?:[^\\(]|\((?!\?)|\\[.\\/^$*+?()\[\]{}|dDsSwWnt-])*")
_COMPARE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
            SH.maxExclusive: "<"}
_RDF_TYPE = NamedNode(str(RDF.type))
_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


class Check(NamedTuple):
    """A query of nodes that may fail a constraint.

    Of the nodes it selects, only those ``targets`` holds for are kept (all when it is
    None); it runs only when ``probe``, if any, answers yes.
    """

    query: str
    targets: Targets | None = None
    probe: str | None = None


class Unsupported(Exception):
    """The shapes use something :func:`compile_shapes` cannot check faithfully."""


def compile_shapes(shapes: Graph, store: Store) -> list[Check]:
    """SPARQL checks selecting ``?f``: the nodes that may fail one of ``shapes``.

    ``shapes`` are core shapes with their property shapes targeted directly (as
    :func:`kg.validate.split_shapes` leaves them). The queries are for ``store``: the
    subclasses its ``rdfs:subClassOf`` triples give each class are written into them, as
    a path walked on each row would cost most of the time.

    Raises:
        Unsupported: a shape uses a construct these queries do not cover.

    Examples:
        >>> from kg.validate import shapes_graph, split_shapes
        >>> len(compile_shapes(split_shapes(shapes_graph())[0], Store())) > 40
        True
    """
    for s, p, o in shapes:
        if p == RDF.type and o in (RDFS.Class, OWL.Class) and _is_shape(shapes, s):
            raise Unsupported(f"implicit class target on {s}")
        if str(p).startswith(str(SH)) and p not in _SHAPE_KEYS | _INERT:
            raise Unsupported(f"sh:{p[len(SH):]}")
    checks: list[Check] = []
    classes, required = _Subclasses(store), {}
    for shape in sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str):
        checks += _compile(shapes, shape, classes, required)
    return checks + [_required(rows, paths) for rows, paths in required.items()]


def _is_shape(shapes: Graph, s) -> bool:
    return any((s, RDF.type, t) in shapes for t in (SH.NodeShape, SH.PropertyShape)) or \
        any(str(p).startswith(str(SH)) for p in shapes.predicates(s, None))


class _Subclasses:
    """A class and its subclasses in a store, as a SPARQL ``VALUES`` block for ``?var``."""

    def __init__(self, store: Store):
        self.store, self.known = store, {}

    def closure(self, classes) -> set[NamedNode]:
        found: set[NamedNode] = set()
        for c in classes:
            if c not in self.known:
                query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {_sparql(c)} }}"
                self.known[c] = {NamedNode(c)} | {row[0] for row in self.store.query(query)
                                                  if isinstance(row[0], NamedNode)}
            found |= self.known[c]
        return found

    def values(self, classes, var: str) -> str:
        listed = " ".join(sorted(str(c) for c in self.closure(classes)))
        return f"VALUES ?{var} {{ {listed} }}"


def _compile(shapes: Graph, shape, classes: _Subclasses, required: dict) -> list[Check]:
    """The checks of one shape; its ``sh:minCount 1`` paths go to ``required`` instead
    (focus nodes -> paths), to be checked together."""
    keys = {p for p in shapes.predicates(shape, None) if str(p).startswith(str(SH))}
    if not keys <= _SHAPE_KEYS:
        raise Unsupported(f"{shape} uses " + ", ".join(sorted(str(k) for k in keys - _SHAPE_KEYS)))
    if _bool(shapes.value(shape, SH.deactivated)):
        return []  # pyshacl skips it
    targets = _targets(shapes, shape, classes)
    rows = targets.rows
    nodes = f"{{ SELECT DISTINCT ?f WHERE {{ {rows} }} }}"
    paths = list(shapes.objects(shape, SH.path))
    if len(paths) > 1:
        raise Unsupported(f"{shape} has {len(paths)} paths")
    tests = list(_value_tests(shapes, shape))
    # an instance of none of a class's subclasses: an anti-join (MINUS), which Oxigraph
    # runs many times faster than a NOT EXISTS on each row
    not_instances = [f"MINUS {{ ?v rdf:type ?c . {classes.values([c], 'c')} }}"
                     for c in shapes.objects(shape, SH["class"])]
    select = f"{_PREFIXES}SELECT ?f WHERE {{ "
    if not paths:
        if keys & {SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.lessThan,
                   SH.lessThanOrEquals}:
            raise Unsupported(f"{shape}: a count or pair constraint needs a path")
        checks = [Check(f"{select}{rows} BIND (?f AS ?v) {minus} }}") for minus in not_instances]
        if tests:
            checks.append(Check(f"{select}{rows} BIND (?f AS ?v) FILTER ({_any(tests)}) }}"))
        return checks
    path = _path(shapes, paths[0])
    # Apart from minimum counts, a check looks at the path's triples alone, whatever the
    # focus node (Oxigraph does that fastest); the nodes it finds are then kept if the
    # shape targets them. In a graph that keeps kg's contract it finds next to nothing.
    checks = []
    low, high = _int(shapes, shape, SH.minCount), _int(shapes, shape, SH.maxCount)
    if low == 1:
        required.setdefault(rows, []).append(path)
    elif low:
        checks.append(Check(f"{select}{nodes} OPTIONAL {{ {path} }} }} "
                             f"GROUP BY ?f HAVING (COUNT(DISTINCT ?v) < {low})"))
    if high == 0:
        checks.append(Check(f"{select}{path} }}", targets))
    elif high is not None:
        # first whether any node has two values (one count, no grouping), then which
        probe = (f"{_PREFIXES}ASK {{ {{ SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?f) AS ?d) "
                 f"WHERE {{ {path} }} }} FILTER (?n != ?d) }}")
        checks.append(Check(f"{select}{path} }} GROUP BY ?f "
                            f"HAVING (COUNT(DISTINCT ?v) > {high})", targets, probe))
    anywhere = _path(shapes, paths[0], "?any")
    # a value test depends on the value alone: once per distinct value
    if tests:
        checks.append(Check(f"{select}{{ SELECT DISTINCT ?v WHERE {{ {anywhere} }} }} "
                            f"FILTER ({_any(tests)}) {path} }}", targets))
    for minus in not_instances:  # values of other shapes' nodes may be of other classes
        checks.append(Check(f"{select}{rows} {path} {minus} }}"))
    for other, op in _pair_tests(shapes, shape):
        checks.append(Check(f"{select}{path} ?f {other} ?w . "
                            f"FILTER (!COALESCE(?v {op} ?w, false)) }}", targets))
    qualified = _qualified(shapes, shape, keys)
    if qualified:
        test, qlow, qhigh = qualified
        if qlow is not None:
            checks.append(Check(f"{select}{nodes} OPTIONAL {{ {path} "
                                      f"BIND (IF({test}, ?v, ?unbound) AS ?q) }} }} "
                                 f"GROUP BY ?f HAVING (COUNT(DISTINCT ?q) < {qlow})"))
        if qhigh is not None:
            checks.append(Check(f"{select}{path} FILTER ({test}) }} GROUP BY ?f "
                                 f"HAVING (COUNT(DISTINCT ?v) > {qhigh})", targets))
    return checks


def _required(rows: str, paths: list[str]) -> Check:
    """One check of the nodes ``rows`` selects that lack a value on one of ``paths``."""
    missing = " || ".join(f"NOT EXISTS {{ {path} }}" for path in sorted(set(paths)))
    return Check(f"{_PREFIXES}SELECT ?f WHERE {{ {rows} FILTER ({missing}) }}")


class Targets(NamedTuple):
    """A shape's targets: classes (with their subclasses), nodes, subjects-of, objects-of."""

    classes: frozenset[NamedNode]
    nodes: frozenset
    subjects_of: tuple[NamedNode, ...]
    objects_of: tuple[NamedNode, ...]

    @property
    def rows(self) -> str:
        """A SPARQL pattern binding ``?f`` to each focus node (a node may repeat)."""
        parts = []
        if self.classes:
            listed = " ".join(sorted(str(c) for c in self.classes))
            parts.append(f"{{ ?f rdf:type ?target_c . VALUES ?target_c {{ {listed} }} }}")
        parts += [f"{{ VALUES ?f {{ {n} }} }}" for n in sorted(map(str, self.nodes))]
        parts += [f"{{ ?f {p} ?target_o }}" for p in self.subjects_of]
        parts += [f"{{ ?target_s {p} ?f }}" for p in self.objects_of]
        return " UNION ".join(parts)

    def holds(self, store: Store, node) -> bool:
        """Whether ``node`` is a focus node (asked of the store's indexes, node by node)."""
        if node in self.nodes:
            return True
        if any(next(store.quads_for_pattern(None, p, node), None) for p in self.objects_of):
            return True
        if isinstance(node, OxLiteral):
            return False
        if any(next(store.quads_for_pattern(node, p, None), None) for p in self.subjects_of):
            return True
        return bool(self.classes) and any(
            q.object in self.classes for q in store.quads_for_pattern(node, _RDF_TYPE, None))


def _targets(shapes: Graph, shape, classes: _Subclasses) -> Targets:
    return Targets(
        frozenset(classes.closure(shapes.objects(shape, SH.targetClass))),
        frozenset(_ox(n) for n in shapes.objects(shape, SH.targetNode)),
        tuple(NamedNode(p) for p in shapes.objects(shape, SH.targetSubjectsOf)),
        tuple(NamedNode(p) for p in shapes.objects(shape, SH.targetObjectsOf)),
    )


def _ox(term):
    if isinstance(term, URIRef):
        return NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return OxLiteral(str(term), language=term.language)
        return OxLiteral(str(term), datatype=NamedNode(term.datatype or XSD.string))
    raise Unsupported(f"blank node {term} as a target")


def _path(shapes: Graph, path, focus: str = "?f") -> str:
    """A triple pattern from ``focus`` along ``path`` to ``?v``."""
    if isinstance(path, URIRef):
        return f"{focus} {_sparql(path)} ?v ."
    inverse = shapes.value(path, SH.inversePath)
    if (isinstance(path, BNode) and isinstance(inverse, URIRef)
            and set(shapes.predicate_objects(path)) == {(SH.inversePath, inverse)}):
        return f"?v {_sparql(inverse)} {focus} ."
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
        if not _PORTABLE.fullmatch(str(pattern)) or (flags is not None
                                                      and not set(str(flags)) <= set("ims")):
            # Python's re (pyshacl's) and Oxigraph's regex differ beyond the basics
            raise Unsupported(f"sh:pattern {pattern!r}")
        args = _string(str(pattern)) + (f", {_string(str(flags))}" if flags else "")
        yield f"isBlank(?v) || !REGEX(STR(?v), {args})"
    for members in shapes.objects(shape, SH["in"]):
        yield f"!({_member(shapes, members)})"
    for key, op in _COMPARE.items():
        for limit in shapes.objects(shape, key):
            if not isinstance(limit, Literal):
                raise Unsupported(f"{key} {limit}")
            yield f"!(?v {op} {_sparql(limit)})"


def _pair_tests(shapes: Graph, shape) -> Iterable[tuple[str, str]]:
    """(other property, operator): a value fails unless it is below each of the other's."""
    for key, op in ((SH.lessThan, "<"), (SH.lessThanOrEquals, "<=")):
        for other in shapes.objects(shape, key):
            if not isinstance(other, URIRef):
                raise Unsupported(f"{key} {other}")
            yield _sparql(other), op


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
def candidates(store: Store, checks: list[Check]) -> set:
    """The Oxigraph terms that may fail one of ``checks``' constraints."""
    found: set = set()
    known: dict[str, object] = {}  # shapes share queries (a path and its tests)

    def run(query: str, ask: bool = False):
        if query not in known:
            result = store.query(query)
            known[query] = bool(result) if ask else {row[0] for row in result}
        return known[query]

    for query, targets, probe in checks:
        if probe is not None and not run(probe, ask=True):
            continue
        nodes = run(query)
        if nodes and targets is not None:
            if len(nodes) <= 5000:  # a few index lookups each
                nodes = {n for n in nodes if targets.holds(store, n)}
            else:
                nodes = nodes & run(f"{_PREFIXES}SELECT ?f WHERE {{ {targets.rows} }}")
        found |= nodes
    return found


def shapes_for(shapes: Graph, store: Store, focus: Iterable) -> Graph:
    """The part of ``shapes`` whose targets include one of ``focus`` (with all they say),
    each shape targeting just those of ``focus`` it targets in ``store``.

    pyshacl then checks no node that only sits next to the focus: it would find them
    lacking on the few of their triples it is given, at a cost (the focus nodes' own
    findings are the same whatever else a shape targets).

    Examples:
        >>> from rdflib import Graph
        >>> from pyoxigraph import RdfFormat
        >>> shapes = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
        ...     <urn:s> sh:targetClass <urn:C> ; sh:nodeKind sh:Literal .
        ...     <urn:t> sh:targetClass <urn:D> ; sh:nodeKind sh:Literal .''', format="turtle")
        >>> store = Store()
        >>> store.load("<urn:a> a <urn:C> . <urn:b> a <urn:C> .", RdfFormat.TURTLE)
        >>> part = shapes_for(shapes, store, [NamedNode("urn:a")])
        >>> sorted((str(s), str(p).rsplit("#")[-1], str(o)) for s, p, o in part)
        [('urn:s', 'nodeKind', 'http://www.w3.org/ns/shacl#Literal'), ('urn:s', 'targetNode', 'urn:a')]
    """
    classes, focus = _Subclasses(store), list(focus)
    part = Graph()
    for prefix, ns in shapes.namespaces():  # pyshacl's messages name classes with them
        part.bind(prefix, ns, override=True, replace=True)
    held = {}
    for shape in {s for t in _TARGETS for s in shapes.subjects(t, None)}:
        targets = _targets(shapes, shape, classes)
        held[shape] = [node for node in focus if targets.holds(store, node)]
        if held[shape]:
            _copy_from(shapes, shape, part)
    # then (a targeted shape may also be copied as a part of another) the targets
    for shape in {s for t in _TARGETS for s in part.subjects(t, None)}:
        for t in _TARGETS:
            part.remove((shape, t, None))
        for node in held[shape]:
            part.add((shape, SH.targetNode, _rdflib(node)))
    return part


def _rdflib(term):
    """An Oxigraph node as rdflib's (as :func:`kg.validate.graph_from_quads` makes it)."""
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, OxLiteral):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value, datatype=None if dt == str(XSD.string) else dt)
    return BNode(term.value)


def _copy_from(shapes: Graph, node, into: Graph) -> None:
    """Copy ``node``'s triples, and those of the blank nodes (paths, lists) it leads to."""
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for p, o in shapes.predicate_objects(n):
            into.add((n, p, o))
            if isinstance(o, BNode) or p == SH.qualifiedValueShape:
                todo.append(o)


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
