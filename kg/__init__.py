"""kg: turn news and interview articles into a knowledge graph.

Library first: ``kg.build(paths)`` returns a :class:`KnowledgeGraph`; ``kg.export``
writes it as Turtle, N-Triples, JSON-LD, node-link JSON or HTML; ``kg.query`` runs
SPARQL. The ``kg`` command is a thin layer over these.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import Config
from .errors import KGError
from .graph import KnowledgeGraph
from .pipeline import build, build_graph, extract
from .types import (
    Document, Entity, EntityType, Evidence, Extraction, Mention, Polarity, Predicate,
    Relation, Stance,
)

try:
    __version__ = version("kg")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "__version__", "Config", "KGError", "KnowledgeGraph", "build", "build_graph", "extract",
    "Document", "Entity", "EntityType", "Evidence", "Extraction", "Mention", "Polarity",
    "Predicate", "Relation", "Stance",
]
