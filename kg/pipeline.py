"""Run the extraction stages in order: Document -> Extraction -> KnowledgeGraph.

Each stage is a plain function with one signature; the runner checks what each returns,
so a broken stage fails with a clear :class:`~kg.errors.ExtractionError`, not later.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .config import Config
from .errors import ExtractionError
from .graph import KnowledgeGraph
from .ingest import read_documents
from .types import Document, Entity, Extraction, Relation, Stance

__all__ = ["extract", "build_graph", "build"]


def _check(stage: str, items: object, kind: type) -> None:
    if not isinstance(items, list) or not all(isinstance(i, kind) for i in items):
        raise ExtractionError(f"stage {stage!r} must return a list of {kind.__name__}")


def extract(
    document: Document, *, config: Config | None = None, nlp=None, doc=None
) -> Extraction:
    """Read one document: entities, relations and stances with their evidence.

    ``doc`` is ``document.text`` already parsed by ``nlp`` (e.g. by ``nlp.pipe`` over a
    batch, see :mod:`kg.parallel`); without it the text is parsed here.
    """
    from . import linking, mentions, relations, stances
    from .nlp import load_nlp

    config = config or Config()
    nlp = nlp or load_nlp(config.model)
    if doc is None:
        from . import longtext  # long texts in pieces: spaCy caps one parse

        if len(document.text) > longtext.CHUNK_CHARS:
            return longtext.extract_in_pieces(
                document, nlp, lambda piece, parsed: extract(piece, config=config, nlp=nlp,
                                                             doc=parsed))
        doc = longtext.parse(nlp, document.text)
    found = mentions.find_mentions(doc, document)
    entities = linking.link_mentions(found, document)
    _check("link_mentions", entities, Entity)
    rels, events = relations.extract_relations(doc, document, entities)
    _check("extract_relations", rels, Relation)
    _check("extract_relations", events, Entity)
    stance_list, topics = stances.extract_stances(doc, document, entities)
    _check("extract_stances", stance_list, Stance)
    _check("extract_stances", topics, Entity)
    keep = tuple(r for r in rels if r.confidence >= config.min_confidence)
    # an interview Event stays only if some fact about it passed the threshold
    used = {r.subject for r in keep}
    events = [e for e in events if e.id in used]
    all_entities = tuple(sorted([*entities, *events, *topics], key=lambda e: e.id))
    kept_stances = tuple(s for s in stance_list if s.confidence >= config.min_confidence)
    return Extraction(document, all_entities, keep, kept_stances)


def build_graph(
    documents: Iterable[Document], *, config: Config | None = None
) -> KnowledgeGraph:
    """Extract every document and merge the results into one KnowledgeGraph."""
    config = config or Config()
    kg = KnowledgeGraph()
    for document in documents:
        kg.add(extract(document, config=config))
    return kg


def build(
    paths: Iterable[str | os.PathLike[str]], *, config: Config | None = None
) -> KnowledgeGraph:
    """Read the articles at ``paths`` (files or folders) and build their graph."""
    return build_graph(read_documents(paths), config=config)
