"""Upload graphs to a triple store: SPARQL 1.1 Graph Store HTTP Protocol, or an Oxigraph folder.

:func:`push` reads graph files (any RDF format kg reads), writes their triples as
N-Triples to a temporary file (N-Triples is valid Turtle, so every store accepts it as
``text/turtle``) and sends it to a Graph Store endpoint: ``PUT`` replaces the target
graph (``--replace``), ``POST`` adds to it. The target is the default graph or ``?graph=IRI``.
Store endpoints: Oxigraph ``http://host:7878/store``, Fuseki ``http://host:3030/DS/data``,
GraphDB ``http://host:7200/repositories/REPO/rdf-graphs/service``, Virtuoso
``http://host:8890/sparql-graph-crud``. :func:`push_to_folder` loads into an on-disk
Oxigraph store that ``kg query`` and ``kg serve`` open directly.

Examples:
    >>> push(["missing.ttl"], "http://127.0.0.1:9/store")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: no such graph file: 'missing.ttl'
    >>> graph_store_url("http://h/store", "https://ex.org/g?a=1")
    'http://h/store?graph=https%3A%2F%2Fex.org%2Fg%3Fa%3D1'
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, StoreError
from .store import OxigraphStore, urlopen

__all__ = ["PushResult", "push", "push_to_folder", "graph_store_url"]


@dataclass(frozen=True, slots=True)
class PushResult:
    """What was sent where: triple count, target URL or folder, graph IRI, replace or add."""

    triples: int
    target: str
    graph: str | None
    replaced: bool
    status: int | None = None


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def _check_iri(graph: str | None) -> None:
    if graph is not None and not _IRI.match(graph):
        raise InputError(f"--graph {graph!r} is not an absolute IRI (e.g. https://example.org/graph/news)")


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store URL of ``graph`` (None: the default graph) at ``endpoint``."""
    if not re.match(r"(?i)^https?://[^/\s]+", endpoint):
        raise InputError(f"--endpoint {endpoint!r} is not an http(s) URL of a Graph Store "
                         "endpoint (e.g. http://localhost:7878/store)")
    query = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
    return endpoint + ("&" if "?" in endpoint else "?") + query


def _load(sources: Sequence[str | os.PathLike[str]]) -> OxigraphStore:
    if not sources:
        raise InputError("no graph given; pass one or more graph files")
    for s in sources:
        if Path(s).is_dir():
            raise InputError(f"{str(s)!r} is a folder; push graph files")
    return OxigraphStore.load(sources)


def _write_ntriples(store: OxigraphStore, fh) -> int:
    import pyoxigraph as ox

    count = 0

    def triples():
        nonlocal count
        # quads from TriG/N-Quads lose their graph names: everything goes to one target graph
        seen = set()
        for quad in store.store.quads_for_pattern(None, None, None, None):
            t = quad.triple
            if t in seen:
                continue
            seen.add(t)
            count += 1
            yield t

    ox.serialize(triples(), fh, ox.RdfFormat.N_TRIPLES)
    return count


def push(sources: Sequence[str | os.PathLike[str]], endpoint: str, *, graph: str | None = None,
         replace: bool = False, timeout: float = 300.0) -> PushResult:
    """Upload the triples of ``sources`` to a SPARQL 1.1 Graph Store endpoint.

    Args:
        sources: graph files; their triples are merged.
        endpoint: the store's Graph Store Protocol URL.
        graph: target named graph IRI; None targets the default graph.
        replace: replace the graph's content (HTTP PUT) instead of adding to it (POST).
        timeout: seconds to wait for the store.

    Raises:
        InputError: a missing or unparsable file, a bad URL or IRI.
        StoreError: the store is unreachable or refuses the upload (its status and message).
    """
    _check_iri(graph)
    url = graph_store_url(endpoint, graph)
    store = _load(sources)
    with tempfile.TemporaryFile() as fh:
        count = _write_ntriples(store, fh)
        size = fh.tell()
        fh.seek(0)
        req = urllib.request.Request(
            url, data=fh, method="PUT" if replace else "POST",
            headers={"Content-Type": "text/turtle; charset=utf-8", "Content-Length": str(size)})
        try:
            with urlopen(req, timeout=timeout) as resp:
                status = resp.status
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read(2000).decode("utf-8", "replace").split())[:300]
            raise StoreError(f"the store at {endpoint} refused the upload: HTTP {exc.code} "
                             f"{exc.reason}{': ' + detail if detail else ''}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach the store at {endpoint}: {reason}; is it running, "
                             "and is this its Graph Store URL?") from None
    return PushResult(count, endpoint, graph, replace, status)


def push_to_folder(sources: Sequence[str | os.PathLike[str]], folder: str | os.PathLike[str], *,
                   graph: str | None = None, replace: bool = False) -> PushResult:
    """Load ``sources`` into the on-disk Oxigraph store in ``folder`` (created if needed)."""
    import pyoxigraph as ox

    _check_iri(graph)
    data = _load(sources)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        disk = ox.Store(str(folder))
    except OSError as exc:
        raise StoreError(f"cannot open an Oxigraph store in {str(folder)!r}: "
                         f"{' '.join(str(exc).split())}") from None
    try:
        with tempfile.TemporaryFile() as fh:
            count = _write_ntriples(data, fh)
            fh.seek(0)
            if replace:
                disk.clear_graph(target)
            disk.bulk_load(fh, ox.RdfFormat.N_TRIPLES, to_graph=target)
        disk.flush()
    finally:
        del disk  # closes the database so other processes can open it
    return PushResult(count, str(folder), graph, replace)
