"""The knowledge graph: a networkx MultiDiGraph of entities, stances and facts.

Nodes are entity ids (attrs: ``name``, ``type``, ``aliases``, ``wikidata``,
``mentions``) and stance ids (``type == "Stance"``). Each fact is one edge whose key is
the predicate; its ``provenance`` lists every sentence that states it. Documents are
kept beside the graph. No RDF and no HTML here: see :mod:`kg.rdf` and :mod:`kg.viz`.

Examples:
    >>> from kg.types import *
    >>> doc = Document.from_text("Acme's CEO Jane Doe spoke.", source="a.txt")
    >>> ev = Evidence(doc.id, doc.text, 0, len(doc.text))
    >>> acme = Entity("acme", "Acme", EntityType.COMPANY)
    >>> jane = Entity("jane-doe", "Jane Doe", EntityType.PERSON)
    >>> kg = KnowledgeGraph()
    >>> kg.add(Extraction(doc, (acme, jane), (Relation("jane-doe", Predicate.WORKS_FOR, "acme", ev),)))
    >>> kg.facts()
    [('jane-doe', 'worksFor', 'acme')]
    >>> KnowledgeGraph.from_json(kg.to_json()) == kg
    True
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import networkx as nx

from .errors import InputError
from .types import Document, Entity, Extraction, Relation, Stance

__all__ = ["KnowledgeGraph", "STANCE", "HAS_STANCE", "ABOUT"]

#: ``type`` of stance nodes, and the keys of the edges that tie a stance in.
STANCE = "Stance"
HAS_STANCE = "hasStance"
ABOUT = "about"

JSON_FORMAT_VERSION = 1


def _mention_dict(m) -> dict[str, Any]:
    return {"doc": m.doc_id, "start": m.start, "end": m.end, "text": m.text,
            "sent": m.sent, "rule": m.rule}


def _provenance(rel: Relation | Stance) -> dict[str, Any]:
    ev = rel.evidence
    return {"doc": ev.doc_id, "evidence": ev.text, "start": ev.start, "end": ev.end,
            "confidence": float(rel.confidence), "rule": rel.rule}


class KnowledgeGraph:
    """Entities, facts and stances from one or more documents, merged by id."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.documents: dict[str, Document] = {}

    # ------------------------------------------------------------------ building
    def add(self, extraction: Extraction) -> None:
        """Merge one document's extraction into the graph."""
        self.documents[extraction.document.id] = extraction.document
        for entity in extraction.entities:
            self.add_entity(entity)
        for rel in extraction.relations:
            self.add_relation(rel)
        for stance in extraction.stances:
            self.add_stance(stance)

    def add_entity(self, entity: Entity) -> None:
        """Add an entity, or merge it into the node with the same id."""
        g = self.graph
        mentions = [_mention_dict(m) for m in entity.mentions]
        if entity.id not in g:
            g.add_node(
                entity.id, name=entity.name, type=entity.type.value,
                aliases=sorted(entity.aliases - {entity.name}), wikidata=entity.wikidata,
                description=entity.description, mentions=mentions,
                type_votes={entity.type.value: max(1, len(mentions))},
            )
            return
        node = g.nodes[entity.id]
        node["aliases"] = sorted((set(node["aliases"]) | entity.aliases) - {node["name"]})
        # in place: copying the list for every document made merging quadratic in the
        # mentions of an entity that many documents name
        node["mentions"].extend(mentions)
        node["wikidata"] = node["wikidata"] or entity.wikidata
        node["description"] = node["description"] or entity.description
        votes = Counter(node["type_votes"])
        votes[entity.type.value] += max(1, len(mentions))
        node["type_votes"] = dict(votes)
        if not entity.wikidata or node["wikidata"] == entity.wikidata:
            # the knowledge base's type wins; otherwise the type most mentions carry
            node["type"] = max(sorted(votes), key=lambda t: votes[t])
        if entity.wikidata:
            node["type"] = entity.type.value

    def add_relation(self, rel: Relation) -> None:
        """Add a fact edge (key = predicate), appending provenance if it exists."""
        for end in (rel.subject, rel.object):
            if end not in self.graph:
                raise ValueError(f"relation refers to unknown entity {end!r}")
        s, p, o = rel.key
        data = self.graph.get_edge_data(s, o, key=p)
        if data is None:
            self.graph.add_edge(s, o, key=p, former=rel.former,
                                confidence=float(rel.confidence), provenance=[_provenance(rel)])
            return
        prov = _provenance(rel)
        if prov not in data["provenance"]:
            data["provenance"].append(prov)
        data["confidence"] = max(data["confidence"], float(rel.confidence))
        # a fact stated as current anywhere is current
        data["former"] = data["former"] and rel.former

    def add_stance(self, stance: Stance) -> None:
        """Add a stance node tied to its holder and topic."""
        for end in (stance.holder, stance.topic):
            if end not in self.graph:
                raise ValueError(f"stance refers to unknown entity {end!r}")
        self.graph.add_node(
            stance.id, name=stance.claim, type=STANCE, holder=stance.holder,
            topic=stance.topic, claim=stance.claim, polarity=stance.polarity.value,
            verb=stance.verb, confidence=float(stance.confidence),
            provenance=[_provenance(stance)],
        )
        self.graph.add_edge(stance.holder, stance.id, key=HAS_STANCE)
        self.graph.add_edge(stance.id, stance.topic, key=ABOUT)

    def merge(self, other: KnowledgeGraph) -> None:
        """Merge another graph into this one (same id = same node)."""
        self.documents.update(other.documents)
        for node, data in sorted(other.graph.nodes(data=True)):
            if data["type"] == STANCE:
                continue
            if node not in self.graph:
                self.graph.add_node(node, **json.loads(json.dumps(data)))
            else:
                mine = self.graph.nodes[node]
                mine["aliases"] = sorted(set(mine["aliases"]) | set(data["aliases"]))
                mine["mentions"] = mine["mentions"] + data["mentions"]
                mine["wikidata"] = mine["wikidata"] or data["wikidata"]
        for node, data in sorted(other.graph.nodes(data=True)):
            if data["type"] == STANCE and node not in self.graph:
                self.graph.add_node(node, **json.loads(json.dumps(data)))
        for s, o, key, data in other.graph.edges(keys=True, data=True):
            mine = self.graph.get_edge_data(s, o, key=key)
            if mine is None:
                self.graph.add_edge(s, o, key=key, **json.loads(json.dumps(data)))
            elif "provenance" in data:
                for p in data["provenance"]:
                    if p not in mine["provenance"]:
                        mine["provenance"].append(p)

    # ------------------------------------------------------------------ reading
    def entities(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, attrs) of every entity node, sorted by id."""
        for node, data in sorted(self.graph.nodes(data=True)):
            if data["type"] != STANCE:
                yield node, data

    def stances(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, attrs) of every stance node, sorted by id."""
        for node, data in sorted(self.graph.nodes(data=True)):
            if data["type"] == STANCE:
                yield node, data

    def relations(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(subject, predicate, object, attrs) of every fact edge, sorted."""
        edges = [
            (s, k, o, d) for s, o, k, d in self.graph.edges(keys=True, data=True)
            if k not in (HAS_STANCE, ABOUT)
        ]
        yield from sorted(edges, key=lambda e: e[:3])

    def facts(self) -> list[tuple[str, str, str]]:
        """Sorted (subject, predicate, object) triples of every fact."""
        return [r[:3] for r in self.relations()]

    def neighbours(self, node: str) -> list[str]:
        """Ids of nodes linked to ``node`` in either direction, sorted."""
        return sorted(set(self.graph.successors(node)) | set(self.graph.predecessors(node)))

    def find(self, name: str) -> str | None:
        """Id of the entity called ``name`` (or with that alias), case-insensitively."""
        low = name.casefold()
        for node, data in self.entities():
            if data["name"].casefold() == low or low in (a.casefold() for a in data["aliases"]):
                return node
        return None

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts of entities per type and facts per predicate."""
        types = Counter(d["type"] for _, d in self.graph.nodes(data=True))
        preds = Counter(p for _, p, _, _ in self.relations())
        return {"entities": dict(sorted(types.items())), "relations": dict(sorted(preds.items()))}

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KnowledgeGraph):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """networkx node-link data (sorted, so equal graphs give equal dicts)."""
        data = nx.node_link_data(self.graph, edges="edges")
        data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
        data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["key"], e["target"]))
        data["graph"] = {
            "kg_format": JSON_FORMAT_VERSION,
            "documents": [asdict(d) for _, d in sorted(self.documents.items())],
        }
        return json.loads(json.dumps(data))  # tuples -> lists, as after a round trip

    def to_json(self) -> str:
        """Node-link JSON text, deterministic for identical graphs."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KnowledgeGraph:
        """Inverse of :meth:`to_dict`."""
        try:
            graph_attrs = data.get("graph", {})
            docs = graph_attrs.get("documents", [])
            for node in data["nodes"]:
                missing = {"id", "name", "type"} - set(node)
                if missing:
                    raise ValueError(f"node without {', '.join(sorted(missing))}")
            kg = cls()
            kg.graph = nx.node_link_graph(
                {**data, "graph": {}}, directed=True, multigraph=True, edges="edges"
            )
            for d in docs:
                d["meta"] = tuple(tuple(pair) for pair in d.get("meta", ()))
                kg.documents[d["id"]] = Document(**d)
        except (KeyError, TypeError, ValueError, nx.NetworkXError) as exc:
            raise InputError(f"not a kg node-link graph: {exc}") from None
        return kg

    @classmethod
    def from_json(cls, text: str) -> KnowledgeGraph:
        """Parse :meth:`to_json` output."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        if not isinstance(data, dict) or "nodes" not in data:
            raise InputError("not a kg node-link graph (no 'nodes')")
        return cls.from_dict(data)
