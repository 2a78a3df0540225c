"""Plain, typed data that flows between kg's stages.

Document -> Mention -> Entity -> Relation / Stance -> Extraction. Nothing here does
I/O or imports spaCy, so graph, RDF and export code (and their tests) never need a model.

Examples:
    >>> doc = Document.from_text("Acme hired Jane Doe.", source="memo.txt")
    >>> doc.id.startswith("doc-"), len(doc.sha256)
    (True, 64)
    >>> EntityType("Company") is EntityType.COMPANY
    True
    >>> Predicate.COMPETITOR_OF.symmetric, Predicate.WORKS_FOR.symmetric
    (True, False)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Document",
    "EntityType",
    "Predicate",
    "Polarity",
    "Mention",
    "Entity",
    "Evidence",
    "Relation",
    "Stance",
    "Extraction",
    "ENTITY_TYPES",
    "CORE_PREDICATES",
]


class EntityType(StrEnum):
    """The kg class of an entity; the value is the RDF class's local name."""

    COMPANY = "Company"
    ORGANIZATION = "Organization"
    PERSON = "Person"
    PRODUCT = "Product"
    POSITION = "Position"
    COUNTRY = "Country"
    PLACE = "Place"
    EVENT = "Event"
    TOPIC = "Topic"


ENTITY_TYPES: tuple[str, ...] = tuple(t.value for t in EntityType)


class Predicate(StrEnum):
    """A relation between two entities; the value is the RDF property's local name.

    The first twelve are the data model's core predicates. The ``interviewer``,
    ``interviewee`` and ``outlet`` properties tie an interview Event to its participants.
    """

    HOLDS_POSITION = "holdsPosition"
    WORKS_FOR = "worksFor"
    PRODUCT_OF = "productOf"
    COMPETITOR_OF = "competitorOf"
    PARTNER_OF = "partnerOf"
    INTERVIEWED_BY = "interviewedBy"
    FOUNDER_OF = "founderOf"
    CEO_OF = "ceoOf"
    INVESTED_IN = "investedIn"
    ACQUIRED = "acquired"
    SUBSIDIARY_OF = "subsidiaryOf"
    LOCATED_IN = "locatedIn"
    # Event roles (an interview is an Event node with these links).
    INTERVIEWER = "interviewer"
    INTERVIEWEE = "interviewee"
    OUTLET = "outlet"

    @property
    def symmetric(self) -> bool:
        """True for predicates whose direction carries no meaning."""
        return self in (Predicate.COMPETITOR_OF, Predicate.PARTNER_OF)


CORE_PREDICATES: tuple[str, ...] = tuple(p.value for p in list(Predicate)[:12])


class Polarity(StrEnum):
    """Which way a stance leans on its topic."""

    SUPPORTS = "supports"
    OPPOSES = "opposes"
    NEUTRAL = "neutral"


def _sha256(text: str) -> str:
    # surrogatepass: a str from JSON may hold a lone surrogate; hashing must not crash
    # (valid text hashes exactly as with plain UTF-8)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """One article. ``id`` is derived from the content, so it is stable across runs.

    Args:
        id: ``doc-`` plus the first 12 hex digits of the text's SHA-256.
        text: the article text, exactly as read (offsets point into it).
        source: where it came from (a path or URL), as given by the user.
        title: the article's title, if known.
        meta: extra metadata as sorted ``(key, value)`` pairs (date, url, ...).
    """

    id: str
    text: str
    source: str
    title: str | None = None
    meta: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_text(
        cls, text: str, *, source: str = "<text>", title: str | None = None, **meta: str
    ) -> Document:
        """Build a Document whose id is the hash of ``text``."""
        return cls(
            id="doc-" + _sha256(text)[:12],
            text=text,
            source=source,
            title=title,
            meta=tuple(sorted((k, str(v)) for k, v in meta.items() if v is not None)),
        )

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text."""
        return _sha256(self.text)


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a document that names an entity.

    ``start``/``end`` are character offsets into ``Document.text`` (``text ==
    document.text[start:end]``); ``sent`` is the sentence index; ``rule`` names
    what found it (``ner``, ``ruler``, ``kb``, ...).
    """

    doc_id: str
    start: int
    end: int
    text: str
    label: EntityType
    sent: int = 0
    rule: str = "ner"


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world thing, with every mention that names it.

    ``id`` is a readable slug (``mark-zuckerberg``) that is the same for the same
    name in every run and every document; it becomes the last segment of the IRI.
    """

    id: str
    name: str
    type: EntityType
    aliases: frozenset[str] = frozenset()
    mentions: tuple[Mention, ...] = ()
    wikidata: str | None = None  # a Q-id such as "Q380", only from the knowledge base
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact was read: the sentence verbatim and its character span."""

    doc_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Relation:
    """A fact ``subject --predicate--> object`` between two Entity ids.

    ``former`` marks a fact the text states in the past ("former chief executive").
    ``rule`` names the extraction rule; ``confidence`` is in [0, 1].
    """

    subject: str
    predicate: Predicate
    object: str
    evidence: Evidence
    confidence: float = 1.0
    rule: str = "unknown"
    former: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")

    @property
    def key(self) -> tuple[str, str, str]:
        """The fact itself, without provenance; symmetric facts sort their ends."""
        s, o = self.subject, self.object
        if self.predicate.symmetric and o < s:
            s, o = o, s
        return (s, self.predicate.value, o)


@dataclass(frozen=True, slots=True)
class Stance:
    """A view a person (or organisation) states: "Doe believes open-source software ...".

    ``holder`` and ``topic`` are Entity ids (the topic is a Topic entity); ``claim``
    is the reported content; ``verb`` the reporting verb's lemma.
    """

    id: str
    holder: str
    topic: str
    claim: str
    polarity: Polarity
    evidence: Evidence
    verb: str = ""
    confidence: float = 1.0
    rule: str = "unknown"


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything read from one document."""

    document: Document
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    stances: tuple[Stance, ...] = field(default=())
