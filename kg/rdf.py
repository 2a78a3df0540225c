"""KnowledgeGraph <-> rdflib.Graph, in kg's ontology.

Every entity is one IRI ``<base><slug>`` with one ``rdfs:label``, a ``skos:altLabel``
per alias and an ``rdf:type`` ``kg:<Type>``. Each fact is a direct triple
``<s> kg:<predicate> <o>`` plus a reification node (``rdf:Statement``) carrying its
evidence, offsets, confidence, rule and source document. Stances are ``kg:Stance``
nodes. No blank nodes: every node has an IRI, so importers keep them apart.

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

from decimal import Decimal
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .config import DEFAULT_BASE_IRI
from .graph import ABOUT, HAS_STANCE, STANCE, KnowledgeGraph
from .ids import short_hash
from .types import ENTITY_TYPES, Document

__all__ = [
    "KG", "SCHEMA", "WD", "DEFAULT_BASE_IRI", "URIRef", "to_rdf", "from_rdf",
    "entity_iri", "bind_prefixes",
]

#: kg's ontology namespace (classes and properties).
KG = Namespace("https://kg.example.org/ontology#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, Any] = {
    "kg": KG, "schema": SCHEMA, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS,
    "prov": PROV, "dcterms": DCTERMS, "xsd": XSD, "wd": WD,
}


def bind_prefixes(g: Graph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """Bind kg's usual prefixes (and ``id:`` for the base) on ``g``."""
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    g.bind("id", Namespace(base_iri), override=True, replace=True)
    return g


def entity_iri(node_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """IRI of an entity or stance id (ids are already IRI-safe slugs)."""
    return URIRef(base_iri + node_id)


def doc_iri(doc_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """IRI of a source document."""
    return URIRef(f"{base_iri}doc/{doc_id}")


def fact_iri(s: str, p: str, o: str, prov: dict[str, Any], base_iri: str) -> URIRef:
    """IRI of one statement of a fact: stable for the same fact, sentence and rule."""
    h = short_hash(s, p, o, prov["doc"], str(prov["start"]), str(prov["end"]), prov["rule"])
    return URIRef(f"{base_iri}fact/{h}")


def _decimal(x: float) -> Literal:
    return Literal(Decimal(str(round(x, 4))), datatype=XSD.decimal)


def _add_provenance(g: Graph, node: URIRef, prov: dict[str, Any], base_iri: str) -> None:
    g.add((node, KG.evidence, Literal(prov["evidence"])))
    g.add((node, KG.startOffset, Literal(prov["start"], datatype=XSD.integer)))
    g.add((node, KG.endOffset, Literal(prov["end"], datatype=XSD.integer)))
    g.add((node, KG.confidence, _decimal(prov["confidence"])))
    g.add((node, KG.rule, Literal(prov["rule"])))
    g.add((node, PROV.wasDerivedFrom, doc_iri(prov["doc"], base_iri)))


def _add_document(g: Graph, doc: Document, base_iri: str) -> None:
    d = doc_iri(doc.id, base_iri)
    g.add((d, RDF.type, KG.Document))
    g.add((d, RDF.type, PROV.Entity))
    g.add((d, DCTERMS.source, Literal(doc.source)))
    g.add((d, KG.sha256, Literal(doc.sha256)))
    g.add((d, DCTERMS.identifier, Literal(doc.id)))
    if doc.title:
        g.add((d, DCTERMS.title, Literal(doc.title)))
    for key, value in doc.meta:
        g.add((d, KG.meta, Literal(f"{key}={value}")))


def to_rdf(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """Translate ``kg`` into an rdflib Graph in kg's ontology."""
    g = bind_prefixes(Graph(), base_iri)
    for doc in kg.documents.values():
        _add_document(g, doc, base_iri)
    for node, data in kg.entities():
        iri = entity_iri(node, base_iri)
        g.add((iri, RDF.type, KG[data["type"]]))
        g.add((iri, RDFS.label, Literal(data["name"])))
        for alias in data["aliases"]:
            g.add((iri, SKOS.altLabel, Literal(alias)))
        if data.get("wikidata"):
            g.add((iri, KG.wikidata, Literal(data["wikidata"])))
        if data.get("description"):
            g.add((iri, RDFS.comment, Literal(data["description"])))
        for m in data["mentions"]:
            mention = URIRef(f"{base_iri}mention/{m['doc']}-{m['start']}-{m['end']}")
            g.add((iri, KG.mention, mention))
            g.add((mention, RDF.type, KG.Mention))
            g.add((mention, KG.text, Literal(m["text"])))
            g.add((mention, KG.startOffset, Literal(m["start"], datatype=XSD.integer)))
            g.add((mention, KG.endOffset, Literal(m["end"], datatype=XSD.integer)))
            g.add((mention, KG.rule, Literal(m["rule"])))
            g.add((mention, KG.sentence, Literal(m["sent"], datatype=XSD.integer)))
            g.add((mention, PROV.wasDerivedFrom, doc_iri(m["doc"], base_iri)))
    for s, p, o, data in kg.relations():
        si, oi = entity_iri(s, base_iri), entity_iri(o, base_iri)
        g.add((si, KG[p], oi))
        for prov in data["provenance"]:
            st = fact_iri(s, p, o, prov, base_iri)
            g.add((st, RDF.type, RDF.Statement))
            g.add((st, RDF.subject, si))
            g.add((st, RDF.predicate, KG[p]))
            g.add((st, RDF.object, oi))
            if data.get("former"):
                g.add((st, KG.former, Literal(True)))
            _add_provenance(g, st, prov, base_iri)
    for node, data in kg.stances():
        iri = entity_iri(node, base_iri)
        g.add((iri, RDF.type, KG.Stance))
        g.add((iri, RDFS.label, Literal(data["claim"])))
        g.add((entity_iri(data["holder"], base_iri), KG.hasStance, iri))
        g.add((iri, KG.holder, entity_iri(data["holder"], base_iri)))
        g.add((iri, KG.topic, entity_iri(data["topic"], base_iri)))
        g.add((iri, KG.claim, Literal(data["claim"])))
        g.add((iri, KG.polarity, Literal(data["polarity"])))
        if data.get("verb"):
            g.add((iri, KG.verb, Literal(data["verb"])))
        for prov in data["provenance"]:
            _add_provenance(g, iri, prov, base_iri)
    return g


def _local(iri: Any, base_iri: str) -> str:
    text = str(iri)
    return text[len(base_iri):] if text.startswith(base_iri) else text


def _detect_base(g: Graph) -> str:
    for s in g.subjects(RDF.type, None):
        text = str(s)
        for cls in ENTITY_TYPES:
            if (s, RDF.type, KG[cls]) in g:
                return text.rsplit("/", 1)[0] + "/" if "/" in text else DEFAULT_BASE_IRI
    return DEFAULT_BASE_IRI


def from_rdf(g: Graph, base_iri: str | None = None) -> KnowledgeGraph:
    """Read a graph written by :func:`to_rdf` back into a KnowledgeGraph."""
    import networkx as nx  # noqa: F401  (KnowledgeGraph wraps it)

    base = base_iri or _detect_base(g)
    kg = KnowledgeGraph()
    for d in sorted(g.subjects(RDF.type, KG.Document)):
        meta = tuple(sorted(tuple(str(v).split("=", 1)) for v in g.objects(d, KG.meta)))
        title = g.value(d, DCTERMS.title)
        doc = Document(str(g.value(d, DCTERMS.identifier)), "", str(g.value(d, DCTERMS.source)),
                       str(title) if title is not None else None, meta)
        kg.documents[doc.id] = doc
    for cls in ENTITY_TYPES:
        for iri in sorted(g.subjects(RDF.type, KG[cls])):
            mentions = []
            for m in g.objects(iri, KG.mention):
                doc = g.value(m, PROV.wasDerivedFrom)
                mentions.append({
                    "doc": _local(doc, base + "doc/"), "start": int(g.value(m, KG.startOffset)),
                    "end": int(g.value(m, KG.endOffset)), "text": str(g.value(m, KG.text)),
                    "sent": int(g.value(m, KG.sentence)), "rule": str(g.value(m, KG.rule)),
                })
            wikidata = g.value(iri, KG.wikidata)
            comment = g.value(iri, RDFS.comment)
            kg.graph.add_node(
                _local(iri, base), name=str(g.value(iri, RDFS.label)), type=cls,
                aliases=sorted(str(a) for a in g.objects(iri, SKOS.altLabel)),
                wikidata=str(wikidata) if wikidata else None,
                description=str(comment) if comment else None,
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
        key = str(p)[len(str(KG)):]
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
        data["provenance"].sort(key=lambda p: (p["doc"], p["start"], p["rule"]))
    for iri in sorted(g.subjects(RDF.type, KG.Stance)):
        sid = _local(iri, base)
        holder, topic = _local(g.value(iri, KG.holder), base), _local(g.value(iri, KG.topic), base)
        verb = g.value(iri, KG.verb)
        kg.graph.add_node(
            sid, name=str(g.value(iri, KG.claim)), type=STANCE, holder=holder, topic=topic,
            claim=str(g.value(iri, KG.claim)), polarity=str(g.value(iri, KG.polarity)),
            verb=str(verb) if verb else "", confidence=prov_of(iri)["confidence"],
            provenance=[prov_of(iri)],
        )
        kg.graph.add_edge(holder, sid, key=HAS_STANCE)
        kg.graph.add_edge(sid, topic, key=ABOUT)
    return kg
