"""KnowledgeGraph <-> rdflib, in kg's ontology (``kg/ontology.ttl``).

Every entity is one IRI ``<base><slug>`` with one ``rdfs:label``, a ``skos:altLabel``
per alias, an ``rdf:type`` ``kg:<Type>`` and, for knowledge-base entities only,
``owl:sameAs``/``schema:sameAs`` its Wikidata item. Each fact is a direct triple
``<s> kg:<predicate> <o>`` plus one reification node (``rdf:Statement``) per sentence
that states it, carrying the evidence verbatim, offsets, confidence, rule, the source
document and the build activity. Positions held at organisations also become W3C ORG
``org:Membership`` nodes. No blank nodes: every node has a readable IRI.

Text is cleaned at this boundary (:func:`clean_text`): characters that some RDF syntax
cannot carry or some parser silently drops (NUL and other control characters, lone
surrogates, byte-order marks, non-characters) become U+FFFD, one for one, so offsets
into the source text stay valid and kg never writes NUL or a BOM.

Examples:
    >>> from kg.graph import KnowledgeGraph
    >>> from kg.types import *
    >>> doc = Document.from_text("Acme makes Widget.", source="a.txt")
    >>> ev = Evidence(doc.id, doc.text, 0, len(doc.text))
    >>> kg = KnowledgeGraph()
    >>> kg.add(Extraction(doc, (Entity("acme", "Acme", EntityType.COMPANY),
    ...     Entity("widget", "Widget", EntityType.PRODUCT)),
    ...     (Relation("widget", Predicate.PRODUCT_OF, "acme", ev, 0.9, "svo"),)))
    >>> g = to_rdf(kg)
    >>> (URIRef(DEFAULT_BASE_IRI + "widget"), KG.productOf, URIRef(DEFAULT_BASE_IRI + "acme")) in g
    True
    >>> from_rdf(g).facts()
    [('widget', 'productOf', 'acme')]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .config import DEFAULT_BASE_IRI, Config
from .errors import ConfigError
from .graph import ABOUT, HAS_STANCE, STANCE, KnowledgeGraph
from .ids import short_hash
from .types import ENTITY_TYPES, Document, Predicate

__all__ = [
    "KG", "SCHEMA", "WD", "ORG", "ONTOLOGY_IRI", "DEFAULT_BASE_IRI", "URIRef", "PREFIXES",
    "to_rdf", "to_dataset", "from_rdf", "entity_iri", "doc_iri", "bind_prefixes",
    "clean_text", "text_literal", "ontology_text", "ontology_graph", "build_time",
]

#: kg's ontology namespace (classes and properties) and the ontology's own IRI.
KG = Namespace("https://kg.example.org/ontology#")
ONTOLOGY_IRI = URIRef("https://kg.example.org/ontology")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
ORG = Namespace("http://www.w3.org/ns/org#")

PREFIXES: dict[str, Any] = {
    "kg": KG, "schema": SCHEMA, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS,
    "prov": PROV, "dcterms": DCTERMS, "xsd": XSD, "wd": WD, "org": ORG,
}

#: Predicates that are facts (each gets reification nodes); hasStance/about are not.
FACT_PREDICATES: frozenset[str] = frozenset(p.value for p in Predicate)
#: Predicates that tie a person to an organisation in an ``org:Membership``.
_MEMBER_OF = ("worksFor", "ceoOf")

#: Key under which a text-less Document (read back from RDF) keeps its SHA-256.
SHA256_META = "sha256"

_QID = re.compile(r"^Q[1-9][0-9]*$")


def _bad_characters() -> re.Pattern[str]:
    # XML 1.0 cannot carry C0 controls (except tab, LF, CR) or U+FFFE/U+FFFF; C1
    # controls and DEL are discouraged there; raptor drops non-characters; lone
    # surrogates cannot be encoded as UTF-8; some parsers cut a literal at NUL or
    # strip U+FEFF. One class for all of them.
    ranges = ["\x00-\x08", "\x0b\x0c", "\x0e-\x1f", "\x7f-\x9f", "\ud800-\udfff",
              "\ufdd0-\ufdef", "\ufeff", "\ufffe\uffff"]
    ranges += [chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF)
               for plane in range(1, 17)]
    return re.compile("[" + "".join(ranges) + "]")


_BAD = _bad_characters()
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` with every character unsafe in some RDF syntax replaced by U+FFFD.

    The replacement is one character for one, so character offsets computed on the
    original text still point at the same places.

    Examples:
        >>> clean_text("a\\x00b\\ufeffc\\ud800")
        'a\ufffdb\ufffdc\ufffd'
        >>> clean_text('tab\\t, "quotes", <script>, \\u202eRTL') == 'tab\\t, "quotes", <script>, \\u202eRTL'
        True
    """
    return _BAD.sub(REPLACEMENT, text)


def text_literal(text: str) -> Literal:
    """A plain string literal of ``text`` after :func:`clean_text`."""
    return Literal(clean_text(str(text)))


def _decimal(x: float) -> Literal:
    # repr() is the shortest text that reads back as the same float; "f" avoids the
    # exponent form, which is not a valid xsd:decimal.
    return Literal(format(Decimal(repr(float(x))), "f"), datatype=XSD.decimal)


def _integer(n: int) -> Literal:
    return Literal(int(n), datatype=XSD.integer)


# ----------------------------------------------------------------------------- IRIs
def _segment(text: str) -> str:
    # ids are already [a-z0-9-] slugs; anything else is percent-encoded (UTF-8, after
    # cleaning), so hand-made or foreign ids still give valid, reversible IRIs.
    return quote(clean_text(text).encode("utf-8", "surrogatepass"), safe="-._~")


def _check_base(base_iri: str) -> None:
    Config(base_iri=base_iri)  # raises ConfigError naming the bad IRI


def entity_iri(node_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """IRI of an entity or stance id.

    Examples:
        >>> str(entity_iri("mark-zuckerberg"))
        'https://kg.example.org/id/mark-zuckerberg'
        >>> str(entity_iri("a b/c"))
        'https://kg.example.org/id/a%20b%2Fc'
    """
    return URIRef(base_iri + _segment(node_id))


def doc_iri(doc_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """IRI of a source document."""
    return URIRef(f"{base_iri}doc/{_segment(doc_id)}")


def fact_iri(s: str, p: str, o: str, prov: dict[str, Any], base_iri: str) -> URIRef:
    """IRI of one statement of a fact: stable for the same fact, sentence and rule."""
    h = short_hash(s, p, o, prov["doc"], str(prov["start"]), str(prov["end"]), prov["rule"])
    return URIRef(f"{base_iri}fact/{h}")


def mention_iri(m: dict[str, Any], base_iri: str) -> URIRef:
    """IRI of a mention: its document and character span."""
    return URIRef(f"{base_iri}mention/{_segment(m['doc'])}-{m['start']}-{m['end']}")


def role_iri(person: str, org: str | None, position: str | None, base_iri: str) -> URIRef:
    """IRI of a membership: ``role/<person>/<organisation>/<position>`` (``-`` if unknown)."""
    parts = [_segment(x) if x else "-" for x in (person, org, position)]
    return URIRef(f"{base_iri}role/" + "/".join(parts))


def _local(iri: Any, prefix: str) -> str:
    text = str(iri)
    return unquote(text[len(prefix):]) if text.startswith(prefix) else text


# ----------------------------------------------------------------------------- ontology
_ONTOLOGY_PATH = Path(__file__).with_name("ontology.ttl")


def ontology_text() -> str:
    """The Turtle text of kg's ontology (``kg/ontology.ttl``), as shipped."""
    return _ONTOLOGY_PATH.read_text(encoding="utf-8")


def ontology_graph() -> Graph:
    """kg's ontology as an rdflib Graph.

    Examples:
        >>> (KG.Company, RDFS.subClassOf, SCHEMA.Corporation) in ontology_graph()
        True
    """
    return Graph().parse(data=ontology_text(), format="turtle")


def bind_prefixes(g: Graph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """Bind kg's usual prefixes (and ``id:`` for the base) on ``g``."""
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    g.bind("id", Namespace(base_iri), override=True, replace=True)
    return g


# ----------------------------------------------------------------------------- build info
def build_time() -> datetime | None:
    """The build's time from ``SOURCE_DATE_EPOCH``, or None when it is not set.

    kg writes no clock time otherwise, so the same input gives byte-identical output.

    Examples:
        >>> import os
        >>> os.environ["SOURCE_DATE_EPOCH"] = "0"
        >>> build_time().isoformat()
        '1970-01-01T00:00:00+00:00'
        >>> del os.environ["SOURCE_DATE_EPOCH"]
        >>> build_time() is None
        True
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ConfigError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (e.g. 1700000000), got {raw!r}"
        )
    return datetime.fromtimestamp(int(raw), tz=timezone.utc)


def _version() -> str:
    from . import __version__

    return __version__


# ----------------------------------------------------------------------------- KG -> RDF
Triple = tuple[Any, Any, Any]
Sink = Callable[[Triple, "str | None"], None]


def _emit_provenance(add: Sink, node: URIRef, prov: dict[str, Any], base: str,
                     build: URIRef) -> None:
    doc = prov["doc"]
    add((node, KG.evidence, text_literal(prov["evidence"])), doc)
    add((node, KG.startOffset, _integer(prov["start"])), doc)
    add((node, KG.endOffset, _integer(prov["end"])), doc)
    add((node, KG.confidence, _decimal(prov["confidence"])), doc)
    add((node, KG.rule, text_literal(prov["rule"])), doc)
    add((node, PROV.wasDerivedFrom, doc_iri(doc, base)), doc)
    add((node, PROV.wasGeneratedBy, build), doc)


def _emit_header(kg: KnowledgeGraph, base: str, add: Sink, when: datetime | None) -> URIRef:
    version = _version()
    docs = sorted(kg.documents)
    add((URIRef(base), RDF.type, OWL.Ontology), None)
    add((URIRef(base), OWL.imports, ONTOLOGY_IRI), None)
    stamp = [when.strftime("%Y%m%dT%H%M%SZ")] if when else []
    build = URIRef(f"{base}build/{short_hash(version, *docs, *stamp)}")
    agent = URIRef(f"{base}agent/kg-{_segment(version)}")
    add((build, RDF.type, KG.Build), None)
    add((build, RDFS.label, Literal(f"kg {version} build")), None)
    add((build, PROV.wasAssociatedWith, agent), None)
    for doc_id in docs:
        add((build, PROV.used, doc_iri(doc_id, base)), None)
    if when is not None:
        add((build, PROV.endedAtTime,
             Literal(when.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)), None)
    add((agent, RDF.type, PROV.SoftwareAgent), None)
    add((agent, RDFS.label, Literal(f"kg {version}")), None)
    add((agent, SCHEMA.softwareVersion, Literal(version)), None)
    for doc_id in docs:
        _emit_document(kg.documents[doc_id], base, add)
    return build


def _emit_document(doc: Document, base: str, add: Sink) -> None:
    d = doc_iri(doc.id, base)
    add((d, RDF.type, KG.Document), None)
    add((d, RDF.type, PROV.Entity), None)
    add((d, DCTERMS.identifier, text_literal(doc.id)), None)
    add((d, DCTERMS.source, text_literal(doc.source)), None)
    meta = dict(doc.meta)
    # read back from RDF a Document has no text; its hash then travels in meta
    sha = doc.sha256 if doc.text else meta.get(SHA256_META)
    if sha:
        add((d, KG.sha256, Literal(sha)), None)
    if doc.title:
        add((d, DCTERMS.title, text_literal(doc.title)), None)
    for key, value in doc.meta:
        if key != SHA256_META:
            add((d, KG.meta, text_literal(f"{key}={value}")), None)


def _emit_entity(node: str, data: dict[str, Any], base: str, add: Sink) -> None:
    iri = entity_iri(node, base)
    add((iri, RDF.type, KG[data["type"]]), None)
    add((iri, RDFS.label, text_literal(data["name"])), None)
    for alias in data["aliases"]:
        add((iri, SKOS.altLabel, text_literal(alias)), None)
    qid = data.get("wikidata")
    if qid:
        add((iri, KG.wikidata, text_literal(qid)), None)
        if _QID.match(qid):  # links only for real Q-ids from the knowledge base
            add((iri, OWL.sameAs, WD[qid]), None)
            add((iri, SCHEMA.sameAs, WD[qid]), None)
    if data.get("description"):
        add((iri, RDFS.comment, text_literal(data["description"])), None)
    for m in data["mentions"]:
        mention, doc = mention_iri(m, base), m["doc"]
        add((iri, KG.mention, mention), doc)
        add((mention, RDF.type, KG.Mention), doc)
        add((mention, KG.text, text_literal(m["text"])), doc)
        add((mention, KG.startOffset, _integer(m["start"])), doc)
        add((mention, KG.endOffset, _integer(m["end"])), doc)
        add((mention, KG.rule, text_literal(m["rule"])), doc)
        add((mention, KG.sentence, _integer(m["sent"])), doc)
        add((mention, PROV.wasDerivedFrom, doc_iri(doc, base)), doc)


def _roles(kg: KnowledgeGraph) -> list[tuple[str, str | None, str | None, bool, list]]:
    """(person, organisation, position, former, supporting facts) of each membership.

    A position goes with an organisation when a worksFor/ceoOf fact of the same person
    is read from the same sentence; facts that pair with nothing still give a role with
    the part that is known.
    """
    spans = lambda d: {(p["doc"], p["start"], p["end"]) for p in d["provenance"]}  # noqa: E731
    orgs = [(s, p, o, d) for s, p, o, d in kg.relations() if p in _MEMBER_OF]
    positions = [(s, o, d) for s, p, o, d in kg.relations() if p == "holdsPosition"]
    roles: dict[tuple[str, str | None, str | None], tuple[bool, list]] = {}

    def put(person, org, pos, former, facts):
        old = roles.get((person, org, pos))
        if old is None:
            roles[(person, org, pos)] = (former, list(facts))
        else:
            roles[(person, org, pos)] = (old[0] and former, old[1] + list(facts))

    paired: set[tuple[str, str]] = set()
    for person, pos, pdata in positions:
        matches = [(pred, org, odata) for p2, pred, org, odata in orgs
                   if p2 == person and spans(pdata) & spans(odata)]
        for pred, org, odata in matches:
            paired.add((person, org))
            put(person, org, pos, pdata["former"] or odata["former"],
                [("holdsPosition", person, pos, pdata), (pred, person, org, odata)])
        if not matches:
            put(person, None, pos, pdata["former"], [("holdsPosition", person, pos, pdata)])
    for person, pred, org, odata in orgs:
        if (person, org) not in paired:
            put(person, org, None, odata["former"], [(pred, person, org, odata)])
    return [(k[0], k[1], k[2], v[0], v[1]) for k, v in sorted(
        roles.items(), key=lambda kv: tuple(x or "" for x in kv[0]))]


def _emit_roles(kg: KnowledgeGraph, base: str, add: Sink) -> None:
    nodes = dict(kg.entities())
    for person, org, pos, former, facts in _roles(kg):
        role = role_iri(person, org, pos, base)
        add((role, RDF.type, KG.Role), None)
        add((role, RDF.type, ORG.Membership), None)
        add((role, ORG.member, entity_iri(person, base)), None)
        add((entity_iri(person, base), ORG.hasMembership, role), None)
        if org:
            add((role, ORG.organization, entity_iri(org, base)), None)
        if pos:
            add((role, ORG.role, entity_iri(pos, base)), None)
        add((role, KG.former, Literal(bool(former))), None)
        where = ", ".join(nodes[x]["name"] for x in (pos, org) if x)
        label = f"{nodes[person]['name']}: {'former ' if former else ''}{where}"
        add((role, RDFS.label, text_literal(label)), None)
        for pred, s, o, data in facts:
            for prov in data["provenance"]:
                add((role, PROV.wasDerivedFrom, fact_iri(s, pred, o, prov, base)), None)


def _emit(kg: KnowledgeGraph, base: str, add: Sink, when: datetime | None) -> None:
    _check_base(base)
    build = _emit_header(kg, base, add, when)
    for node, data in kg.entities():
        _emit_entity(node, data, base, add)
    for s, p, o, data in kg.relations():
        si, oi = entity_iri(s, base), entity_iri(o, base)
        for prov in data["provenance"]:
            doc = prov["doc"]
            st = fact_iri(s, p, o, prov, base)
            add((si, KG[p], oi), doc)
            add((st, RDF.type, RDF.Statement), doc)
            add((st, RDF.type, KG.Fact), doc)
            add((st, RDF.subject, si), doc)
            add((st, RDF.predicate, KG[p]), doc)
            add((st, RDF.object, oi), doc)
            if data.get("former"):
                add((st, KG.former, Literal(True)), doc)
            _emit_provenance(add, st, prov, base, build)
    _emit_roles(kg, base, add)
    for node, data in kg.stances():
        iri = entity_iri(node, base)
        doc = data["provenance"][0]["doc"] if data["provenance"] else None
        holder = entity_iri(data["holder"], base)
        add((iri, RDF.type, KG.Stance), doc)
        add((iri, RDFS.label, text_literal(data["claim"])), doc)
        add((holder, KG.hasStance, iri), doc)
        add((iri, KG.holder, holder), doc)
        add((iri, KG.topic, entity_iri(data["topic"], base)), doc)
        add((iri, KG.claim, text_literal(data["claim"])), doc)
        add((iri, KG.polarity, Literal(data["polarity"])), doc)
        if data.get("verb"):
            add((iri, KG.verb, text_literal(data["verb"])), doc)
        for prov in data["provenance"]:
            _emit_provenance(add, iri, prov, base, build)


def to_rdf(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
           when: datetime | None = None) -> Graph:
    """Translate ``kg`` into an rdflib Graph in kg's ontology.

    Args:
        kg: the graph to translate.
        base_iri: namespace of minted IRIs (ends with ``/`` or ``#``).
        when: the build time to record; default :func:`build_time` (``SOURCE_DATE_EPOCH``).

    Raises:
        ConfigError: ``base_iri`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    g = bind_prefixes(Graph(), base_iri)
    _emit(kg, base_iri, lambda t, _doc: g.add(t), when if when is not None else build_time())
    return g


def to_dataset(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
               when: datetime | None = None) -> Dataset:
    """Like :func:`to_rdf`, with one named graph per document (for TriG and N-Quads).

    What was read from a document (its facts, their statements, mentions and stances)
    goes into the graph named by the document's IRI (``<base>doc/<doc-id>``, as in the
    corpus store); entities, roles, documents and the build go into
    the default graph. The union of all graphs is exactly :func:`to_rdf`'s graph.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> ds = to_dataset(KnowledgeGraph())
        >>> sorted(str(g.identifier) for g in ds.graphs() if len(g))
        ['urn:x-rdflib:default']
    """
    ds = Dataset()
    bind_prefixes(ds, base_iri)
    graphs: dict[str, Graph] = {}

    def add(t: Triple, doc: str | None) -> None:
        if doc is None:
            ds.add(t)
            return
        if doc not in graphs:
            graphs[doc] = ds.graph(doc_iri(doc, base_iri))
        graphs[doc].add(t)

    _emit(kg, base_iri, add, when if when is not None else build_time())
    return ds


# ----------------------------------------------------------------------------- RDF -> KG
def _detect_base(g: Graph) -> str:
    for s in sorted(g.subjects(OWL.imports, ONTOLOGY_IRI)):
        return str(s)
    for s in sorted(g.subjects(RDF.type, None)):
        if any((s, RDF.type, KG[cls]) in g for cls in ENTITY_TYPES):
            text = str(s)
            return text.rsplit("/", 1)[0] + "/" if "/" in text else DEFAULT_BASE_IRI
    return DEFAULT_BASE_IRI


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def from_rdf(g: Graph, base_iri: str | None = None) -> KnowledgeGraph:
    """Read a graph written by :func:`to_rdf` back into a KnowledgeGraph.

    Documents come back without their text (kg never writes it into RDF); everything
    else (entities, mentions, facts with every statement's provenance, stances) is kept.
    """
    base = base_iri or _detect_base(g)
    kg = KnowledgeGraph()
    for d in sorted(g.subjects(RDF.type, KG.Document)):
        pairs = [tuple(str(v).split("=", 1)) for v in g.objects(d, KG.meta)]
        sha = g.value(d, KG.sha256)
        if sha is not None:
            pairs.append((SHA256_META, str(sha)))
        meta = tuple(sorted(p for p in pairs if len(p) == 2))
        doc = Document(str(g.value(d, DCTERMS.identifier)), "", str(g.value(d, DCTERMS.source)),
                       _str(g.value(d, DCTERMS.title)), meta)
        kg.documents[doc.id] = doc
    seen: set[URIRef] = set()
    for cls in ENTITY_TYPES:  # subclasses come first, so an inferred superclass loses
        for iri in sorted(g.subjects(RDF.type, KG[cls])):
            if iri in seen:
                continue
            seen.add(iri)
            mentions = [{
                "doc": _local(g.value(m, PROV.wasDerivedFrom), base + "doc/"),
                "start": int(g.value(m, KG.startOffset)), "end": int(g.value(m, KG.endOffset)),
                "text": str(g.value(m, KG.text)), "sent": int(g.value(m, KG.sentence)),
                "rule": str(g.value(m, KG.rule)),
            } for m in g.objects(iri, KG.mention)]
            kg.graph.add_node(
                _local(iri, base), name=str(g.value(iri, RDFS.label)), type=cls,
                aliases=sorted(str(a) for a in g.objects(iri, SKOS.altLabel)),
                wikidata=_str(g.value(iri, KG.wikidata)),
                description=_str(g.value(iri, RDFS.comment)),
                mentions=sorted(mentions, key=lambda m: (m["doc"], m["start"], m["end"])),
                type_votes={cls: max(1, len(mentions))},
            )

    def prov_of(node: URIRef) -> dict[str, Any]:
        return {
            "doc": _local(g.value(node, PROV.wasDerivedFrom), base + "doc/"),
            "evidence": str(g.value(node, KG.evidence)),
            "start": int(g.value(node, KG.startOffset)), "end": int(g.value(node, KG.endOffset)),
            "confidence": float(g.value(node, KG.confidence).toPython()),
            "rule": str(g.value(node, KG.rule)),
        }

    for st in sorted(g.subjects(RDF.type, RDF.Statement)):
        s, p, o = (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
        key = _local(p, str(KG))
        sid, oid = _local(s, base), _local(o, base)
        prov = prov_of(st)
        data = kg.graph.get_edge_data(sid, oid, key=key)
        if data is None:
            kg.graph.add_edge(sid, oid, key=key, former=bool(g.value(st, KG.former)),
                              confidence=prov["confidence"], provenance=[prov])
        else:
            data["provenance"].append(prov)
            data["confidence"] = max(data["confidence"], prov["confidence"])
    for _, _, _, data in kg.relations():
        data["provenance"].sort(key=lambda p: (p["doc"], p["start"], p["end"], p["rule"]))
    for iri in sorted(g.subjects(RDF.type, KG.Stance)):
        sid = _local(iri, base)
        holder, topic = _local(g.value(iri, KG.holder), base), _local(g.value(iri, KG.topic), base)
        provs = sorted((prov_of(iri),), key=lambda p: (p["doc"], p["start"]))
        kg.graph.add_node(
            sid, name=str(g.value(iri, KG.claim)), type=STANCE, holder=holder, topic=topic,
            claim=str(g.value(iri, KG.claim)), polarity=str(g.value(iri, KG.polarity)),
            verb=_str(g.value(iri, KG.verb)) or "", confidence=provs[0]["confidence"],
            provenance=provs,
        )
        kg.graph.add_edge(holder, sid, key=HAS_STANCE)
        kg.graph.add_edge(sid, topic, key=ABOUT)
    return kg
