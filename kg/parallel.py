"""Extract many documents: in this process, in a local process pool, or on Dask workers.

Documents go out in small batches; each batch is parsed with ``nlp.pipe`` and run
through :func:`kg.pipeline.extract` by :func:`extract_batch`, the one function every
executor calls, so ``--jobs 4`` or a Dask cluster give exactly what ``--jobs 1`` gives.
Results come back in input order, and only a bounded window of batches is in flight,
so a corpus streams through in constant memory however large it is.

Executors:
    ``local``: ``jobs == 1`` runs in this process; ``jobs > 1`` uses a pool of worker
    processes, forked from this one after it loaded the spaCy model (or, when this
    process runs other threads, started by a fork server and loading the model each).
    ``dask``: Dask distributed. With ``scheduler`` (``tcp://HOST:PORT``) the batches go
    to that cluster's workers; without it a local cluster of ``jobs`` workers is started.

Examples:
    >>> from kg.types import Document
    >>> docs = [Document.from_text(t, source=f"{i}.txt") for i, t in enumerate("abcde")]
    >>> [len(b) for b in batched(docs, 2)]
    [2, 2, 1]
    >>> list(extract_documents([], jobs=1))
    []
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .background import can_fork
from .config import Config
from .errors import ConfigError, ExtractionError, KGError
from .types import Document, Extraction

__all__ = [
    "EXECUTORS", "BATCH_SIZE", "PARALLEL_BATCH_SIZE", "Failure", "batched", "extract_batch", "extract_documents",
]

EXECUTORS = ("local", "dask")
#: Documents per ``nlp.pipe`` batch in one process: spaCy's per-batch overhead is paid
#: once per 64 documents (batches of 8 cost about a tenth more parse time).
BATCH_SIZE = 64
#: Documents per task when several workers share the corpus: smaller, so a few hundred
#: documents still spread evenly over the workers. spaCy's annotations do not depend on
#: the batch size, so neither does any output.
PARALLEL_BATCH_SIZE = 32
#: Batches in flight per worker: keeps workers busy without reading the corpus ahead.
WINDOW_PER_WORKER = 3

# spaCy does not promise that one pipeline may parse on two threads at once, and Dask
# workers can run tasks on threads; in worker processes this lock is never contended.
_PARSE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Failure:
    """A document that could not be extracted, with the reason (picklable, unlike some errors)."""

    document: Document
    message: str


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of ``size`` items (the last may be shorter), consuming lazily."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _one(document: Document, config: Config, nlp: Any, doc: Any = None) -> Extraction | Failure:
    from .pipeline import extract

    try:
        if doc is None:  # the pipeline parses it (long texts piece by piece)
            with _PARSE_LOCK:
                return extract(document, config=config, nlp=nlp)
        return extract(document, config=config, nlp=nlp, doc=doc)
    except KGError as exc:
        return Failure(document, f"{document.source}: {exc}")
    except Exception as exc:  # a stage's bug on odd text must not sink the whole corpus
        return Failure(document, f"{document.source}: {type(exc).__name__}: {exc}")


def _whole_limit(nlp: Any) -> int:
    """Longest text the pipeline parses in one go (longer ones it cuts into pieces)."""
    try:
        from .longtext import CHUNK_CHARS
    except ImportError:  # pragma: no cover - older layout
        CHUNK_CHARS = nlp.max_length
    return max(1, min(CHUNK_CHARS, nlp.max_length))


def extract_batch(documents: list[Document], config: Config) -> list[Extraction | Failure]:
    """Extract a batch of documents in this process (the unit of work of every executor).

    Texts the pipeline would parse whole are parsed together with ``nlp.pipe``; longer
    ones, and every document of a batch whose ``nlp.pipe`` failed, go through
    :func:`kg.pipeline.extract` one by one, so one bad document costs only itself.

    Raises:
        ConfigError: the spaCy model cannot be loaded (fatal for every document).
    """
    from .nlp import load_nlp

    nlp = load_nlp(config.model)
    limit = _whole_limit(nlp)
    whole = [i for i, d in enumerate(documents) if len(d.text) <= limit]
    try:
        with _PARSE_LOCK:
            parsed = dict(zip(whole, nlp.pipe([documents[i].text for i in whole],
                                              batch_size=max(1, len(whole)))))
    except Exception:
        parsed = {}
    return [_one(d, config, nlp, parsed.get(i)) for i, d in enumerate(documents)]


def _ordered(submit: Callable[[list[Document]], Any], batches: Iterable[list[Document]],
             window: int) -> Iterator[list[Extraction | Failure]]:
    """Submit batches keeping at most ``window`` in flight; yield results in order."""
    pending: deque[Any] = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _warm(model: str | None) -> None:
    from .nlp import load_nlp

    try:
        load_nlp(model)
    except KGError:
        pass  # reported by the first batch, as a proper error


def _context(model: str | None):
    """Fork workers from this process when that is safe, else start them from a fork server.

    Forked workers share the spaCy pipeline this process has loaded (copy-on-write), so
    they start at once, without importing spaCy and loading the model again each: on a
    2-core machine that start-up was a large part of what ``--jobs 2`` lost. Forking a
    process that runs other Python threads (Dask's, a server's) can deadlock, so then a
    fork server starts the workers, which load the model themselves.
    """
    if can_fork():
        from .nlp import load_nlp

        try:
            load_nlp(model)
        except KGError:
            pass  # reported by the first batch, as a proper error
        # objects that exist now stay shared: the workers' garbage collector never
        # touches them, so their pages are not copied into every worker
        import gc

        gc.freeze()
        return multiprocessing.get_context("fork"), None
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["spacy", "kg.pipeline"])
    return ctx, _warm


def _pool(batches: Iterable[list[Document]], config: Config, jobs: int):
    ctx, warm = _context(config.model)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=warm,
                               initargs=(config.model,) if warm else ())
    try:
        yield from _ordered(lambda b: pool.submit(extract_batch, b, config), batches,
                            jobs * WINDOW_PER_WORKER)
    except BrokenProcessPool:
        raise ExtractionError(
            "a worker process died (out of memory?); try fewer --jobs"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if warm is None:
            import gc

            gc.unfreeze()


def _dask_client(scheduler: str | None, jobs: int):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "the dask executor needs Dask distributed: pip install 'kg[dask]'"
        ) from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler {scheduler!r} ({exc}); start one with "
                "`dask scheduler` and give its address as tcp://HOST:PORT"
            ) from None
    import logging

    cluster = LocalCluster(
        n_workers=jobs, threads_per_worker=1, processes=True, protocol="tcp://",
        host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def _dask(batches: Iterable[list[Document]], config: Config, jobs: int, scheduler: str | None):
    client, cluster = _dask_client(scheduler, jobs)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield from _ordered(
            lambda b: client.submit(extract_batch, b, config, pure=False), batches,
            workers * WINDOW_PER_WORKER,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def extract_documents(
    documents: Iterable[Document],
    *,
    config: Config | None = None,
    jobs: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    on_error: Callable[[Document, ExtractionError], None] | None = None,
    progress: Any = None,
    batch_size: int | None = None,
) -> Iterator[Extraction]:
    """Yield the extraction of every document, in input order.

    Args:
        documents: any iterable; it is consumed lazily, a few batches ahead.
        config: build settings (model, thresholds).
        jobs: worker processes (``local``) or local Dask workers (``dask`` without
            a scheduler).
        executor: ``"local"`` or ``"dask"``.
        scheduler: a Dask scheduler address, ``tcp://HOST:PORT`` (``dask`` only).
        on_error: called with each document that fails and its error, which is then
            skipped; without it the first failure raises.
        progress: anything with ``update(n)`` (a :func:`kg.progress.progress_bar`).
        batch_size: documents per task; default :data:`BATCH_SIZE` in this process,
            :data:`PARALLEL_BATCH_SIZE` with workers.

    Raises:
        ConfigError: bad ``jobs``/``executor``/``scheduler``, or no model.
        ExtractionError: a document failed and no ``on_error`` was given.
    """
    config = config or Config()
    if not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"--jobs must be a whole number of at least 1, got {jobs!r}")
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}; choose one of: {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    if batch_size is None:
        batch_size = BATCH_SIZE if jobs == 1 and executor == "local" else PARALLEL_BATCH_SIZE
    batches = batched(documents, batch_size)
    if executor == "dask":
        results = _dask(batches, config, jobs, scheduler)
    elif jobs > 1:
        results = _pool(batches, config, jobs)
    else:
        results = (extract_batch(b, config) for b in batches)
    try:
        for batch in results:
            for item in batch:
                if progress is not None:
                    progress.update(1)
                if isinstance(item, Failure):
                    error = ExtractionError(item.message)
                    if on_error is None:
                        raise error
                    on_error(item.document, error)
                    continue
                yield item
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
