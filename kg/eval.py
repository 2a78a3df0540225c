"""Score a graph against a hand-made gold annotation (the format of ``../shared/eval/gold``).

Names match case-insensitively against a node's ``rdfs:label`` or any ``skos:altLabel``,
ignoring a possessive 's, a leading "the" and company suffixes (Inc., Corp, Ltd, ...).
Entities are scored untyped (any node with the name) and typed (the node's class is the
gold ``type`` or one of its ``alt_types``). Relations are the core predicates' triples
between entity nodes. Optional gold items are neither required nor false positives.
The scorer reads an rdflib Graph in kg's ontology, so it never needs spaCy.

Examples:
    >>> normalize_name("The Acme Corp.’s")
    'acme'
    >>> gold = parse_gold({"entities": [{"name": "Acme", "type": "Company"}],
    ...                    "relations": []})
    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''
    ...   @prefix kg: <https://kg.example.org/ontology#> .
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <https://kg.example.org/id/acme> a kg:Company ; rdfs:label "Acme Inc." .
    ... ''', format="turtle")
    >>> report = score(gold, g)
    >>> report.entities_typed.f1, report.relations.recall
    (1.0, 1.0)
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph
from rdflib.namespace import SKOS

from .errors import InputError
from .types import CORE_PREDICATES, ENTITY_TYPES

__all__ = [
    "CORE_TYPES", "Gold", "GoldEntity", "GoldRelation", "GoldStance", "PRF", "Report",
    "normalize_name", "parse_gold", "load_gold", "score", "macro_average", "evidence_overlaps",
    "graph_of_text", "eval_pairs", "format_report", "format_macro",
]

KG_NS = "https://kg.example.org/ontology#"

#: Node classes counted for entity precision (Event and Topic nodes are not).
CORE_TYPES = ("Company", "Organization", "Person", "Product", "Position", "Country", "Place")

#: A gold fact with this predicate is also met by these (the README's ceoOf -> worksFor).
IMPLIED_ALSO = {"ceoOf": ("worksFor",)}

_SYMMETRIC = {"competitorOf", "partnerOf"}
_SUFFIXES = (
    "inc", "incorporated", "corp", "corporation", "ltd", "limited", "llc", "co", "company",
    "plc", "group", "holdings", "ag", "sa", "nv", "gmbh", "lp", "llp",
)
_SUFFIX_RE = re.compile(r"[\s,]+(?:" + "|".join(_SUFFIXES) + r")\.?$")
_POSSESSIVE_RE = re.compile(r"(?<=\S)'s?$")
_SPACE_RE = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """The comparable form of a name: lower case, no possessive, "the" or company suffix.

    Examples:
        >>> [normalize_name(n) for n in ["Apple Inc.", "the Guardian", "Google’s", "Co."]]
        ['apple', 'guardian', 'google', 'co.']
    """
    text = _SPACE_RE.sub(" ", name.replace("’", "'").replace("‘", "'")).strip().casefold()
    text = _POSSESSIVE_RE.sub("", text).strip()
    if text.startswith("the ") and len(text) > 4:
        text = text[4:].strip()
    while True:
        stripped = _SUFFIX_RE.sub("", text).strip(" ,")
        if stripped == text or not stripped:
            return text
        text = stripped


# ---------------------------------------------------------------------------- gold
@dataclass(frozen=True)
class GoldEntity:
    """One gold entity: its names (name first) and acceptable types."""

    name: str
    types: frozenset[str]
    names: frozenset[str]  # normalised name and aliases


@dataclass(frozen=True)
class GoldRelation:
    """One gold fact; ``predicates`` are the predicates that meet it."""

    subject: str
    predicate: str
    object: str
    predicates: frozenset[str]
    symmetric: bool
    subject_names: frozenset[str]
    object_names: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}"


@dataclass(frozen=True)
class GoldStance:
    """A gold stance: who holds it, about what, and the sentence that states it."""

    holder: str
    topic: str
    evidence: str  # parts joined by " ... ", any of which states the stance
    holder_names: frozenset[str]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gold:
    """A parsed gold file."""

    entities: tuple[GoldEntity, ...]
    optional_entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...]
    optional_relations: tuple[GoldRelation, ...]
    stances: tuple[GoldStance, ...] | None = None
    source: str = "<gold>"


def _need(item: Any, key: str, where: str) -> str:
    if not isinstance(item, dict) or not isinstance(item.get(key), str) or not item[key].strip():
        raise InputError(f"{where}: each item needs a non-empty string {key!r}")
    return item[key]


def _strings(item: dict, key: str, where: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: {key!r} must be a list of strings")
    return value


def _entity(item: Any, where: str) -> GoldEntity:
    name = _need(item, "name", where)
    etype = _need(item, "type", where)
    if etype not in ENTITY_TYPES:
        raise InputError(f"{where}: unknown type {etype!r} for {name!r}; "
                         f"choose one of: {', '.join(ENTITY_TYPES)}")
    # alt_types outside kg's classes (e.g. "Location") are allowed: they never match
    types = [etype, *_strings(item, "alt_types", where)]
    names = {normalize_name(n) for n in [name, *_strings(item, "aliases", where)]}
    return GoldEntity(name, frozenset(types), frozenset(names))


def _names_of(name: str, entities: list[GoldEntity]) -> frozenset[str]:
    key = normalize_name(name)
    found = {n for e in entities if key in e.names for n in e.names}
    return frozenset(found or {key})


def _relation(item: Any, where: str, entities: list[GoldEntity]) -> GoldRelation:
    s, p, o = (_need(item, k, where) for k in ("subject", "predicate", "object"))
    if p not in CORE_PREDICATES:
        raise InputError(f"{where}: unknown predicate {p!r}; choose one of: "
                         f"{', '.join(CORE_PREDICATES)}")
    preds = {p, *_strings(item, "also", where), *IMPLIED_ALSO.get(p, ())}
    symmetric = bool(item.get("symmetric", p in _SYMMETRIC))
    return GoldRelation(s, p, o, frozenset(preds), symmetric,
                        _names_of(s, entities), _names_of(o, entities))


def parse_gold(data: Any, source: str = "<gold>") -> Gold:
    """Check and parse gold data (a dict as in the gold JSON files).

    Raises:
        InputError: the data is not in the gold format, naming what is wrong.
    """
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise InputError(f"{source}: not a gold file (needs an 'entities' list)")
    lists = {}
    for key in ("entities", "optional_entities", "relations", "optional_relations", "stances"):
        value = data.get(key, [])
        if not isinstance(value, list):
            raise InputError(f"{source}: {key!r} must be a list")
        lists[key] = value
    req = [_entity(e, f"{source}: entities") for e in lists["entities"]]
    opt = [_entity(e, f"{source}: optional_entities") for e in lists["optional_entities"]]
    everyone = req + opt
    stances = None
    if "stances" in data:
        where = f"{source}: stances"
        stances = tuple(
            GoldStance(_need(s, "holder", where), _need(s, "topic", where),
                       _need(s, "evidence", where), _names_of(s["holder"], everyone),
                       tuple(_strings(s, "keywords", where)))
            for s in lists["stances"]
        )
    return Gold(
        tuple(req), tuple(opt),
        tuple(_relation(r, f"{source}: relations", everyone) for r in lists["relations"]),
        tuple(_relation(r, f"{source}: optional_relations", everyone)
              for r in lists["optional_relations"]),
        stances, source,
    )


def load_gold(path: str | os.PathLike[str]) -> Gold:
    """Read and parse a gold JSON file.

    Raises:
        InputError: missing file, invalid JSON or not the gold format.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no such gold file: {str(p)!r}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read gold file {str(p)!r}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"gold file {str(p)!r} is not valid JSON: {exc.msg} "
                         f"(line {exc.lineno})") from None
    return parse_gold(data, str(p))


# ---------------------------------------------------------------------------- predicted
@dataclass(frozen=True)
class _Node:
    iri: str
    label: str
    type: str
    names: frozenset[str]


def _nodes(g: Graph) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    for etype in ENTITY_TYPES:
        for s in g.subjects(RDF.type, _kg(etype)):
            labels = [str(x) for x in g.objects(s, RDFS.label)]
            alts = [str(x) for x in g.objects(s, SKOS.altLabel)]
            label = sorted(labels)[0] if labels else str(s).rsplit("/", 1)[-1]
            names = frozenset(normalize_name(n) for n in [*labels, *alts, label])
            nodes[str(s)] = _Node(str(s), label, etype, names)
    return nodes


def _kg(local: str):
    from rdflib import URIRef

    return URIRef(KG_NS + local)


# ---------------------------------------------------------------------------- scores
@dataclass
class PRF:
    """Counts and precision / recall / F1 of one measure."""

    tp: int = 0  # predicted items that are right
    fp: int = 0  # predicted items that are wrong
    found: int = 0  # gold items met
    gold: int = 0  # gold items required

    @property
    def precision(self) -> float:
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else (1.0 if self.gold == 0 else 0.0)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp,
                "found": self.found, "gold": self.gold}


@dataclass
class Report:
    """Everything :func:`score` measured, with the misses and false positives by name."""

    entities: PRF
    entities_typed: PRF
    relations: PRF
    per_predicate: dict[str, PRF]
    missed_entities: list[str] = field(default_factory=list)
    missed_entities_typed: list[str] = field(default_factory=list)
    fp_entities: list[str] = field(default_factory=list)
    fp_entities_typed: list[str] = field(default_factory=list)
    duplicate_entities: list[str] = field(default_factory=list)
    missed_relations: list[str] = field(default_factory=list)
    fp_relations: list[str] = field(default_factory=list)
    stances: PRF | None = None
    missed_stances: list[str] = field(default_factory=list)
    stances_with_topic: int | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "entities": self.entities.to_dict(),
            "entities_typed": self.entities_typed.to_dict(),
            "relations": self.relations.to_dict(),
            "per_predicate": {p: m.to_dict() for p, m in sorted(self.per_predicate.items())},
            "missed_entities": self.missed_entities,
            "missed_entities_typed": self.missed_entities_typed,
            "fp_entities": self.fp_entities,
            "fp_entities_typed": self.fp_entities_typed,
            "duplicate_entities": self.duplicate_entities,
            "missed_relations": self.missed_relations,
            "fp_relations": self.fp_relations,
        }
        if self.stances is not None:
            out["stances"] = {"recall": round(self.stances.recall, 4),
                              "found": self.stances.found, "gold": self.stances.gold,
                              "with_topic": self.stances_with_topic,
                              "predicted": self.stances.tp + self.stances.fp}
            out["missed_stances"] = self.missed_stances
        return out


def _typed_ok(node: _Node, entity: GoldEntity) -> bool:
    return node.type in entity.types and bool(node.names & entity.names)


def _score_entities(gold: Gold, nodes: dict[str, _Node], report: Report) -> None:
    everyone = gold.entities + gold.optional_entities
    for e in gold.entities:
        matches = [n for n in nodes.values() if n.names & e.names]
        report.entities.gold += 1
        report.entities_typed.gold += 1
        report.entities.found += bool(matches)
        report.entities_typed.found += any(n.type in e.types for n in matches)
        if not matches:
            report.missed_entities.append(e.name)
        if not any(n.type in e.types for n in matches):
            got = sorted({n.type for n in matches})
            report.missed_entities_typed.append(
                e.name + (f" (got {'/'.join(got)}, want {'/'.join(sorted(e.types))})" if got else ""))
    seen: dict[str, str] = {}
    for node in sorted(nodes.values(), key=lambda n: n.iri):
        if node.type not in CORE_TYPES:
            continue
        hits = [e for e in everyone if node.names & e.names]
        typed = [e for e in hits if node.type in e.types]
        report.entities.tp += bool(hits)
        report.entities.fp += not hits
        report.entities_typed.tp += bool(typed)
        report.entities_typed.fp += not typed
        if not hits:
            report.fp_entities.append(f"{node.label} ({node.type})")
        if not typed:
            report.fp_entities_typed.append(f"{node.label} ({node.type})")
        for e in hits[:1]:
            if e.name in seen:
                report.duplicate_entities.append(f"{node.label} = {seen[e.name]}")
            else:
                seen[e.name] = node.label


def _meets(rel: GoldRelation, s: _Node, p: str, o: _Node) -> bool:
    if p not in rel.predicates:
        return False
    forward = bool(s.names & rel.subject_names) and bool(o.names & rel.object_names)
    backward = bool(s.names & rel.object_names) and bool(o.names & rel.subject_names)
    return forward or (rel.symmetric and backward)


def _score_relations(gold: Gold, g: Graph, nodes: dict[str, _Node], report: Report) -> None:
    triples = []
    for pred in CORE_PREDICATES:
        for s, o in g.subject_objects(_kg(pred)):
            if str(s) in nodes and str(o) in nodes:
                triples.append((nodes[str(s)], pred, nodes[str(o)]))
    triples.sort(key=lambda t: (t[0].label, t[1], t[2].label))
    per = report.per_predicate
    for rel in gold.relations:
        met = any(_meets(rel, *t) for t in triples)
        for m in (report.relations, per.setdefault(rel.predicate, PRF())):
            m.gold += 1
            m.found += met
        if not met:
            report.missed_relations.append(rel.label)
    for s, p, o in triples:
        met = [rel for rel in gold.relations if _meets(rel, s, p, o)]
        if met:
            # a worksFor that meets a gold ceoOf is a right ceoOf: count it there
            best = next((rel for rel in met if rel.predicate == p), met[0])
            report.relations.tp += 1
            per.setdefault(best.predicate, PRF()).tp += 1
        elif not any(_meets(rel, s, p, o) for rel in gold.optional_relations):
            report.relations.fp += 1
            per.setdefault(p, PRF()).fp += 1
            report.fp_relations.append(f"{s.label} {p} {o.label}")


def _words(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.findall(r"\w+", text.casefold()))


def evidence_overlaps(a: str, b: str) -> bool:
    """True when two evidence texts share most of the shorter one (word-wise).

    Examples:
        >>> evidence_overlaps("He said so.", "Then he said so, twice.")
        True
        >>> evidence_overlaps("He said so.", "She disagreed entirely.")
        False
    """
    x, y = _words(a), _words(b)
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    m = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
    return m.size >= 0.6 * min(len(x), len(y))


def _score_stances(gold: Gold, g: Graph, nodes: dict[str, _Node], report: Report) -> None:
    predicted = []
    for st in g.subjects(RDF.type, _kg("Stance")):
        holder = g.value(st, _kg("holder"))
        topic = g.value(st, _kg("topic"))
        node = nodes.get(str(holder))
        topic_node = nodes.get(str(topic))
        texts = [str(x) for x in g.objects(st, _kg("evidence"))]
        claim = " ".join(str(x) for x in g.objects(st, _kg("claim")))
        topic_text = " ".join(sorted(topic_node.names)) if topic_node else ""
        predicted.append((node, texts, f"{topic_text} {claim}".casefold()))
    m = PRF(gold=len(gold.stances or ()))
    with_topic = 0
    hit_predictions: set[int] = set()
    for gs in gold.stances or ():
        hits = [i for i, (node, texts, _) in enumerate(predicted)
                if node is not None and node.names & gs.holder_names
                and any(evidence_overlaps(t, part) for t in texts
                        for part in gs.evidence.split(" ... "))]
        hit_predictions.update(hits)
        m.found += bool(hits)
        if not hits:
            report.missed_stances.append(f"{gs.holder} on {gs.topic}")
        elif not gs.keywords or any(
            k.casefold() in predicted[i][2] for i in hits for k in gs.keywords
        ):
            with_topic += 1
    m.tp = len(hit_predictions)
    m.fp = len(predicted) - m.tp
    report.stances = m
    report.stances_with_topic = with_topic


def score(gold: Gold, graph: Graph) -> Report:
    """Score ``graph`` (an rdflib Graph in kg's ontology) against ``gold``."""
    nodes = _nodes(graph)
    report = Report(PRF(), PRF(), PRF(), {}, source=gold.source)
    _score_entities(gold, nodes, report)
    _score_relations(gold, graph, nodes, report)
    if gold.stances is not None:
        _score_stances(gold, graph, nodes, report)
    return report


def macro_average(reports: list[Report]) -> dict[str, dict[str, float]]:
    """Mean precision, recall and F1 over reports, for entities (both) and relations.

    Examples:
        >>> r = Report(PRF(1, 1, 1, 2), PRF(1, 0, 1, 1), PRF(0, 0, 0, 0), {})
        >>> macro_average([r])["entities"]
        {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    out: dict[str, dict[str, float]] = {}
    for key in ("entities", "entities_typed", "relations"):
        prfs = [getattr(r, key) for r in reports]
        n = len(prfs) or 1
        out[key] = {k: round(sum(getattr(m, k) for m in prfs) / n, 4)
                    for k in ("precision", "recall", "f1")}
    return out


# ---------------------------------------------------------------------------- running
def graph_of_text(path: str | os.PathLike[str], *, config=None, nlp=None) -> Graph:
    """Build the RDF graph of one article with kg's pipeline (needs the spaCy model)."""
    from .config import Config
    from .graph import KnowledgeGraph
    from .ingest import read_documents
    from .nlp import load_nlp
    from .pipeline import extract
    from .rdf import to_rdf

    config = config or Config()
    nlp = nlp or load_nlp(config.model)
    kg = KnowledgeGraph()
    for document in read_documents([path]):
        kg.add(extract(document, config=config, nlp=nlp))
    return to_rdf(kg, config.base_iri)


def eval_pairs(folder: str | os.PathLike[str]) -> list[tuple[Path, Path]]:
    """(gold, article) pairs of a folder with ``gold/*.json`` and ``articles/*.txt``.

    Raises:
        InputError: the folder lacks them, or a gold file has no article.
    """
    root = Path(folder)
    golds = sorted((root / "gold").glob("*.json"))
    if not golds:
        raise InputError(f"{str(root)!r} has no gold/*.json files; "
                         "give a folder with gold/ and articles/, or one gold file")
    pairs = []
    for gold in golds:
        article = root / "articles" / (gold.stem + ".txt")
        if not article.is_file():
            raise InputError(f"gold file {str(gold)!r} has no article {str(article)!r}")
        pairs.append((gold, article))
    return pairs


# ---------------------------------------------------------------------------- text
def _line(name: str, m: PRF) -> str:
    return (f"{name:<16} P {m.precision:.3f}  R {m.recall:.3f}  F1 {m.f1:.3f}"
            f"   (tp {m.tp}, fp {m.fp}; found {m.found}/{m.gold})")


def _items(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{title} ({len(items)}):", *(f"  - {i}" for i in items)]


def format_report(report: Report) -> str:
    """A report as plain text: the scores, then misses and false positives by name."""
    out = [f"# {report.source}", _line("entities", report.entities),
           _line("entities typed", report.entities_typed), _line("relations", report.relations)]
    out += [_line("  " + p, m) for p, m in sorted(report.per_predicate.items())]
    if report.stances is not None:
        s = report.stances
        out.append(f"{'stances':<16} R {s.recall:.3f}   (found {s.found}/{s.gold}, "
                   f"{report.stances_with_topic} with topic; {s.tp + s.fp} predicted)")
    out += _items("missed entities", report.missed_entities)
    out += _items("missed entities (typed)", report.missed_entities_typed)
    out += _items("false-positive entities", report.fp_entities)
    out += _items("false-positive entities (typed)", report.fp_entities_typed)
    out += _items("duplicate nodes", report.duplicate_entities)
    out += _items("missed relations", report.missed_relations)
    out += _items("false-positive relations", report.fp_relations)
    out += _items("missed stances", report.missed_stances)
    return "\n".join(out) + "\n"


def format_macro(reports: list[Report]) -> str:
    """One line per report, then the macro average."""
    out = [f"{'article':<48} {'ent F1':>7} {'typed F1':>8} {'rel F1':>7}"]
    for r in reports:
        out.append(f"{Path(r.source).stem[:48]:<48} {r.entities.f1:>7.3f} "
                   f"{r.entities_typed.f1:>8.3f} {r.relations.f1:>7.3f}")
    for key, m in macro_average(reports).items():
        out.append(f"macro {key:<16} P {m['precision']:.3f}  R {m['recall']:.3f}  "
                   f"F1 {m['f1']:.3f}")
    return "\n".join(out) + "\n"
