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

import bisect
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from functools import cached_property, lru_cache
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .collector import no_gc as _no_gc
from .config import DEFAULT_BASE_IRI, Config
from .errors import ConfigError, InputError
from .graph import ABOUT, HAS_STANCE, STANCE, KnowledgeGraph
from .ids import short_hash
from .types import ENTITY_TYPES, Document, Predicate

__all__ = [
    "KG", "SCHEMA", "WD", "ORG", "ONTOLOGY_IRI", "DEFAULT_BASE_IRI", "URIRef", "PREFIXES",
    "to_rdf", "to_dataset", "from_rdf", "entity_iri", "doc_iri", "bind_prefixes",
    "clean_text", "text_literal", "ontology_text", "ontology_graph", "build_time", "Statements",
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
    if text.isprintable():  # most text; every unsafe character is non-printable
        return text
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
    return URIRef(_fact_text(s, p, o, prov, base_iri))


def _fact_text(s: str, p: str, o: str, prov: dict[str, Any], base_iri: str) -> str:
    h = short_hash(s, p, o, prov["doc"], str(prov["start"]), str(prov["end"]), prov["rule"])
    return f"{base_iri}fact/{h}"


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
# kg's statements are emitted once, as N-Triples terms in plain strings: cheap to make
# and to sort, and handed to pyoxigraph's parser in one piece (see Statements).
def _nt(iri: Any) -> str:
    return f"<{iri}>"


def _escape(text: str) -> str:
    # the four characters an N-Triples string cannot carry raw, and the tab, which
    # canonical N-Triples escapes too: so kg's sorted lines stay sorted once written
    # (clean_text has already replaced every other control character)
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _text(text: Any) -> str:
    """An N-Triples plain literal of ``text`` after :func:`clean_text`."""
    return _quoted(text if type(text) is str else str(text))


# rules, names, labels and offsets recur on many lines: each literal is made once
# while it keeps recurring (bounded caches, so a huge graph's memory stays flat)
@lru_cache(maxsize=1 << 14)
def _quoted(text: str) -> str:
    return '"' + _escape(clean_text(text)) + '"'


_XSD_INTEGER = f"^^<{XSD.integer}>"
_XSD_DECIMAL = f"^^<{XSD.decimal}>"
_TRUE, _FALSE = (f'"{v}"^^<{XSD.boolean}>' for v in ("true", "false"))


@lru_cache(maxsize=1 << 14)
def _int(n: int) -> str:
    return f'"{int(n)}"{_XSD_INTEGER}'


def _dec(x: float) -> str:
    return _dec_of(repr(float(x)))  # the repr as key: 0.0 and -0.0 are equal keys


@lru_cache(maxsize=1 << 10)
def _dec_of(shortest: str) -> str:
    return '"' + format(Decimal(shortest), "f") + '"' + _XSD_DECIMAL


class _V:
    """The IRIs kg writes as predicates and classes, as N-Triples terms."""

    type, statement = _nt(RDF.type), _nt(RDF.Statement)
    subject, predicate, object = _nt(RDF.subject), _nt(RDF.predicate), _nt(RDF.object)
    label, comment = _nt(RDFS.label), _nt(RDFS.comment)
    ontology, imports, same_as = _nt(OWL.Ontology), _nt(OWL.imports), _nt(OWL.sameAs)
    alt_label = _nt(SKOS.altLabel)
    derived, generated, used = (_nt(PROV.wasDerivedFrom), _nt(PROV.wasGeneratedBy),
                                _nt(PROV.used))
    associated, ended = _nt(PROV.wasAssociatedWith), _nt(PROV.endedAtTime)
    agent, prov_entity = _nt(PROV.SoftwareAgent), _nt(PROV.Entity)
    identifier, source, title = (_nt(DCTERMS.identifier), _nt(DCTERMS.source),
                                 _nt(DCTERMS.title))
    version, schema_same = _nt(SCHEMA.softwareVersion), _nt(SCHEMA.sameAs)
    member, has_membership = _nt(ORG.member), _nt(ORG.hasMembership)
    organization, role, membership = _nt(ORG.organization), _nt(ORG.role), _nt(ORG.Membership)


_TERM = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@lru_cache(maxsize=None)
def _kg(name: str) -> str:
    """``kg:<name>`` as an N-Triples IRI; ``name`` comes from the graph (a type, a predicate)."""
    if not _TERM.fullmatch(name):
        raise InputError(f"{name!r} is not a kg ontology term (an entity type or predicate "
                         "such as 'Company' or 'worksFor'); fix the graph's node types and "
                         "edge keys")
    return _nt(KG[name])


class _Names:
    """IRIs minted under one base, as N-Triples terms; memoised, since they recur."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._entities: dict[str, str] = {}
        self._docs: dict[str, str] = {}
        self._segments: dict[str, str] = {}

    def entity(self, node: str) -> str:
        iri = self._entities.get(node)
        if iri is None:
            iri = self._entities[node] = f"<{self.base}{_segment(node)}>"
        return iri

    def doc(self, doc_id: str) -> str:
        iri = self._docs.get(doc_id)
        if iri is None:
            iri = self._docs[doc_id] = f"<{self.base}doc/{self.segment(doc_id)}>"
        return iri

    def segment(self, text: str) -> str:
        seg = self._segments.get(text)
        if seg is None:
            seg = self._segments[text] = _segment(text)
        return seg


#: Where emitted lines go: ``put(doc, lines)`` adds N-Triples ``lines`` (each ending in
#: " .\n") to the graph of document ``doc`` (None: the default graph). A unit of
#: lines at a time (an entity, a mention, a statement), not a call per line.
Put = Callable[["str | None", list[str]], None]

_TYPE, _LABEL, _DERIVED = _V.type, _V.label, _V.derived


def _provenance(node: str, prov: dict[str, Any], names: _Names, build: str) -> list[str]:
    return [
        f"{node} {_EVIDENCE} {_text(prov['evidence'])} .\n",
        f"{node} {_START} {_int(prov['start'])} .\n",
        f"{node} {_END} {_int(prov['end'])} .\n",
        f"{node} {_CONFIDENCE} {_dec(prov['confidence'])} .\n",
        f"{node} {_RULE} {_text(prov['rule'])} .\n",
        f"{node} {_DERIVED} {names.doc(prov['doc'])} .\n",
        f"{node} {_V.generated} {build} .\n",
    ]


_EVIDENCE, _START, _END, _CONFIDENCE, _RULE = (
    _kg(x) for x in ("evidence", "startOffset", "endOffset", "confidence", "rule"))


def _emit_header(kg: KnowledgeGraph, names: _Names, put: Put, when: datetime | None) -> str:
    version, base = _version(), names.base
    docs = sorted(kg.documents)
    stamp = [when.strftime("%Y%m%dT%H%M%SZ")] if when else []
    build = f"<{base}build/{short_hash(version, *docs, *stamp)}>"
    agent = f"<{base}agent/kg-{_segment(version)}>"
    lines = [
        f"{_nt(base)} {_TYPE} {_V.ontology} .\n",
        f"{_nt(base)} {_V.imports} {_nt(ONTOLOGY_IRI)} .\n",
        f"{build} {_TYPE} {_kg('Build')} .\n",
        f"{build} {_LABEL} {_text(f'kg {version} build')} .\n",
        f"{build} {_V.associated} {agent} .\n",
    ]
    lines += [f"{build} {_V.used} {names.doc(doc_id)} .\n" for doc_id in docs]
    if when is not None:
        lines.append(f'{build} {_V.ended} "{when.strftime("%Y-%m-%dT%H:%M:%SZ")}"'
                     f"^^<{XSD.dateTime}> .\n")
    lines += [f"{agent} {_TYPE} {_V.agent} .\n",
              f"{agent} {_LABEL} {_text(f'kg {version}')} .\n",
              f"{agent} {_V.version} {_text(version)} .\n"]
    put(None, lines)
    for doc_id in docs:
        put(None, _document(kg.documents[doc_id], names))
    return build


def _document(doc: Document, names: _Names) -> list[str]:
    d = names.doc(doc.id)
    lines = [f"{d} {_TYPE} {_kg('Document')} .\n", f"{d} {_TYPE} {_V.prov_entity} .\n",
             f"{d} {_V.identifier} {_text(doc.id)} .\n",
             f"{d} {_V.source} {_text(doc.source)} .\n"]
    meta = dict(doc.meta)
    # read back from RDF a Document has no text; its hash then travels in meta
    sha = doc.sha256 if doc.text else meta.get(SHA256_META)
    if sha:
        lines.append(f"{d} {_kg('sha256')} {_text(sha)} .\n")
    if doc.title:
        lines.append(f"{d} {_V.title} {_text(doc.title)} .\n")
    lines += [f"{d} {_kg('meta')} {_text(f'{key}={value}')} .\n"
              for key, value in doc.meta if key != SHA256_META]
    return lines


_MENTION, _MENTION_CLASS, _TEXT, _SENTENCE = (
    _kg(x) for x in ("mention", "Mention", "text", "sentence"))


def _emit_entity(node: str, data: dict[str, Any], names: _Names, put: Put) -> None:
    iri = names.entity(node)
    lines = [f"{iri} {_TYPE} {_kg(data['type'])} .\n",
             f"{iri} {_LABEL} {_text(data['name'])} .\n"]
    lines += [f"{iri} {_V.alt_label} {_text(alias)} .\n" for alias in data["aliases"]]
    qid = data.get("wikidata")
    if qid:
        lines.append(f"{iri} {_kg('wikidata')} {_text(qid)} .\n")
        if _QID.match(qid):  # links only for real Q-ids from the knowledge base
            lines.append(f"{iri} {_V.same_as} {_nt(WD[qid])} .\n")
            lines.append(f"{iri} {_V.schema_same} {_nt(WD[qid])} .\n")
    if data.get("description"):
        lines.append(f"{iri} {_V.comment} {_text(data['description'])} .\n")
    put(None, lines)
    base, segment = names.base, names.segment
    for m in data["mentions"]:
        doc = m["doc"]
        mention = f"<{base}mention/{segment(doc)}-{m['start']}-{m['end']}>"
        put(doc, [
            f"{iri} {_MENTION} {mention} .\n",
            f"{mention} {_TYPE} {_MENTION_CLASS} .\n",
            f"{mention} {_TEXT} {_text(m['text'])} .\n",
            f"{mention} {_START} {_int(m['start'])} .\n",
            f"{mention} {_END} {_int(m['end'])} .\n",
            f"{mention} {_RULE} {_text(m['rule'])} .\n",
            f"{mention} {_SENTENCE} {_int(m['sent'])} .\n",
            f"{mention} {_DERIVED} {names.doc(doc)} .\n",
        ])


def _roles(kg: KnowledgeGraph) -> list[tuple[str, str | None, str | None, bool, list]]:
    """(person, organisation, position, former, supporting facts) of each membership.

    A position goes with an organisation when a worksFor/ceoOf fact of the same person
    is read from the same sentence; facts that pair with nothing still give a role with
    the part that is known.
    """
    spans = lambda d: {(p["doc"], p["start"], p["end"]) for p in d["provenance"]}  # noqa: E731
    relations = list(kg.relations())
    orgs_of: dict[str, list] = {}  # person -> their worksFor/ceoOf facts, with spans
    for s, p, o, d in relations:
        if p in _MEMBER_OF:
            orgs_of.setdefault(s, []).append((p, o, d, spans(d)))
    positions = [(s, o, d) for s, p, o, d in relations if p == "holdsPosition"]
    roles: dict[tuple[str, str | None, str | None], tuple[bool, list]] = {}

    def put(person, org, pos, former, facts):
        old = roles.get((person, org, pos))
        if old is None:
            roles[(person, org, pos)] = (former, list(facts))
        else:
            roles[(person, org, pos)] = (old[0] and former, old[1] + list(facts))

    paired: set[tuple[str, str]] = set()
    for person, pos, pdata in positions:
        where = spans(pdata)
        matches = [(pred, org, odata) for pred, org, odata, ospans in orgs_of.get(person, ())
                   if where & ospans]
        for pred, org, odata in matches:
            paired.add((person, org))
            put(person, org, pos, pdata["former"] or odata["former"],
                [("holdsPosition", person, pos, pdata), (pred, person, org, odata)])
        if not matches:
            put(person, None, pos, pdata["former"], [("holdsPosition", person, pos, pdata)])
    for person, facts in orgs_of.items():
        for pred, org, odata, _ in facts:
            if (person, org) not in paired:
                put(person, org, None, odata["former"], [(pred, person, org, odata)])
    return [(k[0], k[1], k[2], v[0], v[1]) for k, v in sorted(
        roles.items(), key=lambda kv: tuple(x or "" for x in kv[0]))]


def _emit_roles(kg: KnowledgeGraph, names: _Names, put: Put) -> None:
    labels = {node: data["name"] for node, data in kg.entities()}
    base = names.base
    for person, org, pos, former, facts in _roles(kg):
        role = _nt(role_iri(person, org, pos, base))
        who = names.entity(person)
        lines = [f"{role} {_TYPE} {_kg('Role')} .\n", f"{role} {_TYPE} {_V.membership} .\n",
                 f"{role} {_V.member} {who} .\n", f"{who} {_V.has_membership} {role} .\n"]
        if org:
            lines.append(f"{role} {_V.organization} {names.entity(org)} .\n")
        if pos:
            lines.append(f"{role} {_V.role} {names.entity(pos)} .\n")
        lines.append(f"{role} {_kg('former')} {_TRUE if former else _FALSE} .\n")
        where = ", ".join(labels[x] for x in (pos, org) if x)
        label = f"{labels[person]}: {'former ' if former else ''}{where}"
        lines.append(f"{role} {_LABEL} {_text(label)} .\n")
        lines += [f"{role} {_DERIVED} <{_fact_text(s, pred, o, prov, base)}> .\n"
                  for pred, s, o, data in facts for prov in data["provenance"]]
        put(None, lines)


def _emit(kg: KnowledgeGraph, base: str, put: Put, when: datetime | None) -> None:
    _check_base(base)
    names = _Names(base)
    build = _emit_header(kg, names, put, when)
    for node, data in kg.entities():
        _emit_entity(node, data, names, put)
    fact, former = _kg("Fact"), _kg("former")
    for s, p, o, data in kg.relations():
        si, oi, pi = names.entity(s), names.entity(o), _kg(p)
        direct = f"{si} {pi} {oi} .\n"
        was = data.get("former")
        for prov in data["provenance"]:
            st = f"<{_fact_text(s, p, o, prov, base)}>"
            lines = [direct, f"{st} {_TYPE} {_V.statement} .\n", f"{st} {_TYPE} {fact} .\n",
                     f"{st} {_V.subject} {si} .\n", f"{st} {_V.predicate} {pi} .\n",
                     f"{st} {_V.object} {oi} .\n"]
            if was:
                lines.append(f"{st} {former} {_TRUE} .\n")
            lines += _provenance(st, prov, names, build)
            put(prov["doc"], lines)
    _emit_roles(kg, names, put)
    stance, holder_p, topic_p, claim_p = (_kg(x) for x in ("Stance", "holder", "topic", "claim"))
    has_stance, polarity_p, verb_p = _kg("hasStance"), _kg("polarity"), _kg("verb")
    for node, data in kg.stances():
        iri = names.entity(node)
        doc = data["provenance"][0]["doc"] if data["provenance"] else None
        holder = names.entity(data["holder"])
        claim = _text(data["claim"])
        lines = [f"{iri} {_TYPE} {stance} .\n", f"{iri} {_LABEL} {claim} .\n",
                 f"{holder} {has_stance} {iri} .\n", f"{iri} {holder_p} {holder} .\n",
                 f"{iri} {topic_p} {names.entity(data['topic'])} .\n",
                 f"{iri} {claim_p} {claim} .\n",
                 f"{iri} {polarity_p} {_text(data['polarity'])} .\n"]
        if data.get("verb"):
            lines.append(f"{iri} {verb_p} {_text(data['verb'])} .\n")
        put(doc, lines)
        for prov in data["provenance"]:  # each in its own document's graph
            put(prov["doc"], _provenance(iri, prov, names, build))


def _write_quads(records: list[bytes], fh: Any, graphs: bytes) -> None:
    """Write sorted "<key>\\0<s> <p> <o> .\\n" records as N-Quads lines, a graph at a time.

    A document graph's key is its IRI after ``graphs`` (``<base>doc/``), up to and
    with its closing '>'; the default graph's key is empty. A graph's records are one
    slice of the sorted list (found by bisection: '>' ends every key and occurs
    nowhere inside one). " .\\n" ends a line and occurs nowhere else (literals escape
    their line breaks), so one replace turns a slice into N-Quads lines.
    """
    i = 0
    while i < len(records):
        key = records[i][:records[i].index(b"\0")]
        prefix = key + b"\0"
        j = bisect.bisect_left(records, key + b"\1", i)
        body = b"".join(records[i:j])
        if key:
            end = b" " + graphs + key + b" .\n"
            body = body[len(prefix):-3].replace(b" .\n" + prefix, end) + end
        else:
            body = body[len(prefix):].replace(b"\n" + prefix, b"\n")
        fh.write(body)
        i = j


#: Characters of statements a :class:`Statements` keeps in memory before it spills
#: them to disk as a sorted run (about 3 MB of text, some 20,000 lines).
SPILL_CHARS = 3_000_000


class Statements:
    """kg's RDF for one graph, emitted once and shared by every RDF format of a build.

    ``ntriples`` holds the union of all graphs, one triple a line, sorted;
    ``nquads`` the same statements graph by graph (the default graph first, then one
    graph per document in IRI order), each graph's lines sorted. Both are canonical
    N-Triples/N-Quads, as pyoxigraph writes them. :meth:`triples` and :meth:`quads`
    parse them back as pyoxigraph terms, lazily, for pyoxigraph's other writers.

    What was read from a document (its facts, their statements, mentions and stances)
    goes into the graph named by the document's IRI (``<base>doc/<doc-id>``, as in the
    corpus store); entities, roles, documents and the build go into the default graph.

    A small graph's statements stay in memory. Past ``budget`` characters (default
    :data:`SPILL_CHARS`) they are sorted in runs on disk (in the system's temp folder,
    ``TMPDIR``) and merged into an N-Triples and an N-Quads temp file, so a large
    graph's statements never sit in memory whole; :meth:`write_ntriples`,
    :meth:`write_nquads` and :meth:`ntriples_lines` stream them, and :meth:`close`
    (or leaving a ``with`` block) removes the files. The output is the same either way.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> st = Statements(KnowledgeGraph())
        >>> st.ntriples.splitlines()[0]
        '<https://kg.example.org/id/> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Ontology> .'
        >>> st.nquads == st.ntriples, len(list(st.triples())) == st.ntriples.count("\\n")
        (True, True)
        >>> with Statements(KnowledgeGraph(), budget=100) as spilled:  # on disk
        ...     spilled.ntriples == st.ntriples, spilled.nquads == st.nquads
        (True, True)
    """

    def __init__(self, kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
                 when: datetime | None = None, budget: int | None = None) -> None:
        self.base_iri = base_iri
        self._folder: str | None = None  # temp folder, once spilled
        self._runs: list[Path] = []  # graph-major runs (for N-Quads)
        self._line_runs: list[Path] = []  # line-major runs (for N-Triples)
        self._files: dict[str, Path] = {}
        self._keys: dict[str, str] = {}  # document -> its graph key in the runs
        limit = SPILL_CHARS if budget is None else budget
        graphs: dict[str | None, list[str]] = {None: []}
        held = 0  # characters held in ``graphs``

        def put(doc: str | None, lines: list[str]) -> None:
            nonlocal held
            target = graphs.get(doc)
            if target is None:
                target = graphs[doc] = []
            target += lines
            held += sum(map(len, lines))
            if held > limit:
                self._spill(graphs)
                graphs.clear()
                graphs[None] = []
                held = 0

        try:
            _emit(kg, base_iri, put, when if when is not None else build_time())
            if self._folder is None:
                # strings sort much faster than tuples; within one graph a quad's line
                # sorts as its triple's, since only the common graph term is added
                # before " .\n"
                self._graphs = {doc: sorted(set(lines)) for doc, lines in graphs.items()}
            else:
                self._spill(graphs)
                graphs.clear()
                self._finish()
        except BaseException:
            self.close()
            raise

    # -------------------------------------------------------------- on disk
    # A spill writes what is held as two sorted runs: one of "<graph>\0<line>" records
    # (graph-major, the default graph's key empty so it sorts first: N-Quads order) and
    # one of the bare lines (N-Triples order). Merging each kind gives the two files.
    def _spill(self, graphs: dict[str | None, list[str]]) -> None:
        from .extsort import write_run

        try:
            if self._folder is None:
                self._folder = tempfile.mkdtemp(prefix="kg-statements-")
            # a run may repeat a line (a fact stated twice in one document): merging
            # gives each line once, so no set is made here
            keyed = sorted((self._graph_key(doc) + "\0", sorted(lines))
                           for doc, lines in graphs.items())
            # key + key.join(lines): every line with its key in front, in one C call
            data = "".join([key + key.join(lines) for key, lines in keyed if lines])
            self._runs.append(write_run(data.encode("utf-8"), self._folder))
            # the graphs' sorted lines, sorted together (timsort merges them); a line in
            # two graphs stays twice here, and once in the merge
            everything = list(chain.from_iterable(lines for _, lines in keyed))
            del keyed
            everything.sort()
            self._line_runs.append(write_run("".join(everything).encode("utf-8"),
                                             self._folder))
        except OSError as exc:
            self._io_error(exc)

    def _graph_key(self, doc: str | None) -> str:
        # a document graph's IRI without the "<base>doc/" every one starts with: keys
        # sort as the IRIs do, and the runs are shorter. '>' ends every key and never
        # occurs inside an IRI kg mints
        if doc is None:
            return ""
        key = self._keys.get(doc)
        if key is None:
            key = self._keys[doc] = f"{_segment(doc)}>"
        return key

    def _finish(self) -> None:
        from .extsort import merge_runs

        assert self._folder is not None
        try:
            nt = self._files["nt"] = Path(self._folder) / "statements.nt"
            with open(nt, "wb", buffering=1 << 20) as fh:
                for batch in merge_runs(self._line_runs, self._folder):
                    fh.writelines(batch)
            self._line_runs = []
            nq = self._files["nq"] = Path(self._folder) / "statements.nq"
            graphs = f"<{self.base_iri}doc/".encode()
            with open(nq, "wb", buffering=1 << 20) as fh:
                for batch in merge_runs(self._runs, self._folder):
                    _write_quads(batch, fh, graphs)
            self._runs = []
        except OSError as exc:
            self._io_error(exc)

    def _io_error(self, exc: OSError) -> None:
        from .errors import OutputError

        where = self._folder or os.environ.get("TMPDIR") or "the temp folder"
        self.close()
        raise OutputError(f"cannot write kg's temporary statements in {where!r}: "
                          f"{exc.strerror or exc}; free some space there or set TMPDIR "
                          "to a folder with room") from None

    @property
    def on_disk(self) -> bool:
        """Whether the statements were spilled to temp files (a large graph)."""
        return bool(self._files)

    def close(self) -> None:
        """Remove the temp files, if any; in-memory statements stay usable."""
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> Statements:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _file(self, kind: str) -> Path:
        if self._folder is None:
            raise ValueError("these statements were closed; emit them again")
        return self._files[kind]

    # -------------------------------------------------------------- reading
    @cached_property
    def ntriples(self) -> str:
        """The union of all graphs as N-Triples, each triple once, sorted."""
        if self._files:
            return self._file("nt").read_text(encoding="utf-8")
        if len(self._graphs) == 1:
            return "".join(self._graphs[None])
        # one list of the graphs' sorted runs: sorting it merges the runs (timsort),
        # much cheaper than sorting a set; a fact stated in two documents is in both
        lines = [line for lines in self._graphs.values() for line in lines]
        lines.sort()
        return "".join(dict.fromkeys(lines))

    @cached_property
    def nquads(self) -> str:
        """N-Quads, graph by graph: the default graph, then each document's, each sorted."""
        if self._files:
            return self._file("nq").read_text(encoding="utf-8")
        out = ["".join(self._graphs[None])]
        named = sorted((f" <{self.base_iri}doc/{_segment(doc)}> .\n", lines)
                       for doc, lines in self._graphs.items() if doc is not None)
        for tail, lines in named:
            out.append("".join([line[:-3] + tail for line in lines]))
        return "".join(out)

    def write_ntriples(self, fh: Any) -> None:
        """Write :attr:`ntriples` as UTF-8 to the binary file ``fh``, chunk by chunk."""
        self._write("nt", "ntriples", fh)

    def write_nquads(self, fh: Any) -> None:
        """Write :attr:`nquads` as UTF-8 to the binary file ``fh``, chunk by chunk."""
        self._write("nq", "nquads", fh)

    def _write(self, kind: str, attr: str, fh: Any) -> None:
        if not self._files:
            fh.write(getattr(self, attr).encode("utf-8"))
            return
        with open(self._file(kind), "rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)

    def ntriples_lines(self) -> Iterator[str]:
        """The lines of :attr:`ntriples`, in order, without their line breaks."""
        if not self._files:
            yield from self.ntriples.split("\n")[:-1]
            return
        # only LF ends a line: a literal's other line breaks are escaped or kept raw
        with open(self._file("nt"), encoding="utf-8", newline="\n") as fh:
            for line in fh:
                yield line[:-1]

    def ntriples_batches(self, size: int = 1 << 20) -> Iterator[list[str]]:
        """The lines of :attr:`ntriples`, in order, with their line breaks, in lists of
        about ``size`` characters (fewer steps than :meth:`ntriples_lines`)."""
        if self._files:
            fh = open(self._file("nt"), encoding="utf-8", newline="\n")  # noqa: SIM115
        else:
            fh = io.StringIO(self.ntriples, newline="\n")
        # only LF ends a line: a literal's other line breaks are escaped or kept raw
        with fh:
            while batch := fh.readlines(size):
                yield batch

    def subject_blocks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """:attr:`ntriples` as UTF-8 in pieces of about ``size`` bytes (more when one
        subject has more), each ending with a subject's last line: no subject's
        triples are split between two pieces, so writers that group a subject's
        triples can write each piece on its own.

        Examples:
            >>> from kg.graph import KnowledgeGraph
            >>> st = Statements(KnowledgeGraph())
            >>> blocks = list(st.subject_blocks(size=1))
            >>> b"".join(blocks) == st.ntriples.encode("utf-8"), len(blocks) > 1
            (True, True)
            >>> all(a.split(b" ")[0] != b.split(b" ")[0] for a, b in zip(blocks, blocks[1:]))
            True
        """
        if self._files:
            fh: Any = open(self._file("nt"), "rb")  # noqa: SIM115 (closed below)
        else:
            fh = io.BytesIO(self.ntriples.encode("utf-8"))
        carry: list[bytes] = []
        with fh:
            # only LF ends a line: a literal's other line breaks are escaped or kept raw
            while batch := fh.readlines(size):
                lines = carry + batch if carry else batch
                last = lines[-1]
                # the lines are sorted, so the last subject's lines are the last ones,
                # from the first line that starts with "<subject> "
                cut = bisect.bisect_left(lines, last[:last.index(b" ") + 1])
                carry = lines[cut:]
                if cut:
                    yield b"".join(lines[:cut])
            if carry:
                yield b"".join(carry)

    def triples(self) -> Iterator[Any]:
        """:attr:`ntriples` as ``pyoxigraph.Triple`` s, in order, parsed as needed."""
        if self._files:
            return self._parse_file(self._file("nt"), "N_TRIPLES")
        return self._parse(self.ntriples, "N_TRIPLES")

    def quads(self) -> Iterator[Any]:
        """:attr:`nquads` as ``pyoxigraph.Quad`` s, in order, parsed as needed."""
        if self._files:
            return self._parse_file(self._file("nq"), "N_QUADS")
        return self._parse(self.nquads, "N_QUADS")

    @staticmethod
    def _parse(text: str, fmt: str) -> Iterator[Any]:
        import pyoxigraph as ox

        # lenient: kg minted every IRI from percent-encoded parts (and checked the
        # base and ontology terms), so re-checking each one would only cost time
        return ox.parse(text.encode("utf-8"), getattr(ox.RdfFormat, fmt), lenient=True)

    @staticmethod
    def _parse_file(path: Path, fmt: str) -> Iterator[Any]:
        import pyoxigraph as ox

        return ox.parse(path=path, format=getattr(ox.RdfFormat, fmt), lenient=True)


def _rdflib_converter() -> Callable[[Any], Any]:
    """pyoxigraph term -> rdflib term, memoised (IRIs and small literals recur)."""
    import pyoxigraph as ox

    cache: dict[Any, Any] = {}
    xsd_string = str(XSD.string)

    def convert(term: Any) -> Any:
        if type(term) is ox.NamedNode:
            key: Any = term.value
            out = cache.get(key)
            if out is None:
                out = cache[key] = URIRef(key)
            return out
        value, datatype, language = term.value, term.datatype.value, term.language
        key = (value, datatype, language)
        out = cache.get(key)
        if out is None:
            if language:
                out = Literal(value, lang=language)
            elif datatype == xsd_string:
                out = Literal(value)
            else:
                out = Literal(value, datatype=URIRef(datatype))
            cache[key] = out
        return out

    return convert


def to_rdf(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
           when: datetime | None = None, statements: Statements | None = None) -> Graph:
    """Translate ``kg`` into an rdflib Graph in kg's ontology.

    Args:
        kg: the graph to translate.
        base_iri: namespace of minted IRIs (ends with ``/`` or ``#``).
        when: the build time to record; default :func:`build_time` (``SOURCE_DATE_EPOCH``).
        statements: ``kg``'s :class:`Statements`, when already emitted.

    Raises:
        ConfigError: ``base_iri`` is not an absolute IRI ending in ``/`` or ``#``.
    """
    g = bind_prefixes(Graph(), base_iri)
    term = _rdflib_converter()
    add = g.store.add
    with _own(statements, kg, base_iri, when) as st, _no_gc():
        for t in st.triples():
            add((term(t.subject), term(t.predicate), term(t.object)), g, quoted=False)
    return g


@contextmanager
def _own(statements: Statements | None, kg: KnowledgeGraph, base_iri: str,
         when: datetime | None) -> Iterator[Statements]:
    """The given statements, or ``kg``'s emitted now and closed after (temp files gone)."""
    if statements is not None:
        yield statements
        return
    with Statements(kg, base_iri, when=when) as st:
        yield st


def to_dataset(kg: KnowledgeGraph, base_iri: str = DEFAULT_BASE_IRI, *,
               when: datetime | None = None, statements: Statements | None = None) -> Dataset:
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
    import pyoxigraph as ox

    ds = Dataset()
    bind_prefixes(ds, base_iri)
    term = _rdflib_converter()
    graphs: dict[str, Graph] = {}
    with _own(statements, kg, base_iri, when) as st, _no_gc():
        for q in st.quads():
            name = q.graph_name
            if type(name) is ox.DefaultGraph:
                target = ds.default_graph
            else:
                target = graphs.get(name.value)
                if target is None:
                    target = graphs[name.value] = ds.graph(URIRef(name.value))
            ds.store.add((term(q.subject), term(q.predicate), term(q.object)), target,
                         quoted=False)
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
