"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, the graph view and a query page.

:class:`SparqlApp` turns a request (method, target, headers, body) into a
:class:`Response` without a socket, so tests and ``kg serve --get`` call it directly;
:func:`make_server` puts it behind a threaded HTTP server on 127.0.0.1.

Safety, because a browser tab or a neighbour may reach the port: it binds 127.0.0.1
unless told otherwise and then only answers requests whose Host is a loopback name
(DNS rebinding); SPARQL Update and Graph Store writes are refused (403/405); each query
runs in a forked worker that is killed at the time limit (503) and may use only so much
memory; answers are cut at a row limit (header ``X-KG-Truncated``); request bodies and
URLs above a size limit are refused (413/414) before they are read.

Examples:
    >>> from rdflib import Graph
    >>> from kg.store import RdflibStore
    >>> app = SparqlApp(RdflibStore(Graph().parse(data='<urn:a> <urn:p> "x" .', format="nt")))
    >>> r = app.handle("GET", "/sparql?query=SELECT+%3Fo+%7B%3Fs+%3Fp+%3Fo%7D", {"Accept": "text/csv"})
    >>> r.status, r.headers["Content-Type"], r.body
    (200, 'text/csv; charset=utf-8', b'o\\r\\nx\\r\\n')
    >>> app.handle("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL").status
    403
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import pickle
import re
import select
import signal
import stat
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from .errors import ConfigError, KGError, QueryError
from .query import bundled_queries, format_result, media_type
from .store import QueryResult, Store, refuse_updates

__all__ = ["Limits", "Response", "SparqlApp", "make_server", "serve", "LOOPBACK"]

LOOPBACK = "127.0.0.1"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may cost: seconds, rows, request bytes, parallel queries, memory."""

    timeout: float = 10.0
    max_rows: int = 10_000
    max_request_bytes: int = 64 * 1024
    max_concurrent: int = 4
    max_memory: int = 2 * 1024**3  # address space a query worker may add to the server's


@dataclass(slots=True)
class Response:
    """An HTTP response: status, headers and body bytes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _text(status: int, message: str, **headers: str) -> Response:
    return Response(status, {"Content-Type": "text/plain; charset=utf-8", **headers},
                    (message.rstrip("\n") + "\n").encode("utf-8"))


# ---------------------------------------------------------------- content negotiation
#: Media types offered, per kind of answer, mapped to kg's result format names.
TABULAR = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
    "text/plain": "nt", "application/ld+json": "json", "application/rdf+xml": "xml",
}
#: ``format=``/``output=`` shortcuts that Fuseki and SPARQLWrapper use.
SHORT = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle",
         "ttl": "turtle", "nt": "nt", "n-triples": "nt", "json-ld": "json", "jsonld": "json",
         "rdf": "xml", "rdfxml": "xml", "rdf+xml": "xml", "sparql-results+json": "json",
         "sparql-results+xml": "xml"}


def negotiate(accept: str | None, offered: Mapping[str, str]) -> str | None:
    """The media type in ``offered`` that ``accept`` likes best; None when none is acceptable.

    Examples:
        >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", TABULAR)
        'application/sparql-results+xml'
        >>> negotiate("text/*", TABULAR), negotiate(None, GRAPH), negotiate("image/png", GRAPH)
        ('text/xml', 'text/turtle', None)
    """
    types = list(offered)
    if not accept or not accept.strip():
        return types[0]
    ranges = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        ranges.append((-q, i, bits[0].lower()))
    for negq, _, rng in sorted(ranges):
        if negq >= 0:
            break
        for t in types:
            if rng in (t, "*/*") or (rng.endswith("/*") and t.startswith(rng[:-1])):
                return t
    return None


# ---------------------------------------------------------------- the application
class SparqlApp:
    """The endpoint's request handling, independent of any socket.

    Args:
        store: what the queries run on.
        limits: time, row, size, concurrency and memory limits.
        graph_html: the graph view served at ``/graph.html``: a file, or a function that
            renders it on first request; None serves 404 there.
        allowed_hosts: Host header names accepted (None accepts any); a server bound to
            127.0.0.1 accepts only loopback names.
    """

    def __init__(self, store: Store, *, limits: Limits = Limits(),
                 graph_html: Path | Callable[[], str] | None = None,
                 allowed_hosts: set[str] | None = None) -> None:
        self.store = store
        self.limits = limits
        self.graph_html = graph_html
        self.allowed_hosts = allowed_hosts
        self._slots = threading.BoundedSemaphore(limits.max_concurrent)
        self._html_cache: bytes | None = None
        self._page, self._page_csp = _query_page()
        if store.engine == "rdflib":
            # rdflib builds its SPARQL grammar on first use (about a second); do it here,
            # once, so forked workers inherit it instead of each paying for it
            from rdflib.plugins.sparql import prepareQuery

            prepareQuery("SELECT ?s WHERE { ?s ?p ?o FILTER(?o > 1) } ORDER BY ?s LIMIT 1")

    # ------------------------------------------------------------ routing
    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Response:
        """Answer one request (``headers`` keys are matched case-insensitively)."""
        h = {k.lower(): v for k, v in headers.items()}
        resp = self._route(method.upper(), target, h, body)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Cache-Control", "no-store")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        if method.upper() == "HEAD":
            resp.headers["Content-Length"] = str(len(resp.body))
            resp.body = b""
        return resp

    def _route(self, method: str, target: str, h: dict[str, str], body: bytes) -> Response:
        if len(target) > self.limits.max_request_bytes:
            return _text(414, f"the request URL is longer than {self.limits.max_request_bytes} bytes")
        if len(body) > self.limits.max_request_bytes:
            return _text(413, f"the request body is larger than {self.limits.max_request_bytes} bytes")
        if self.allowed_hosts is not None and "host" in h:
            host = re.sub(r":\d+$", "", h["host"].strip().lower())
            if host not in self.allowed_hosts:
                return _text(403, f"unexpected Host {h['host']!r}: this server answers "
                                  "only requests addressed to itself")
        path, _, qs = target.partition("?")
        if path in ("/sparql", "/query"):
            if method in ("GET", "HEAD", "POST"):
                return self._endpoint(method, qs, h, body)
            return _text(405, "this endpoint is read-only: use GET or POST with a SPARQL query",
                         Allow="GET, HEAD, POST")
        if method not in ("GET", "HEAD"):
            return _text(405, f"{method} is not allowed here; this server is read-only",
                         Allow="GET, HEAD")
        if path in ("/", "/index.html"):
            return Response(200, {"Content-Type": "text/html; charset=utf-8",
                                  "Content-Security-Policy": self._page_csp}, self._page)
        if path == "/graph.html":
            return self._graph_view()
        return _text(404, f"nothing at {path!r}; try / (query page), /sparql or /graph.html")

    # ------------------------------------------------------------ endpoint
    def _endpoint(self, method: str, qs: str, h: dict[str, str], body: bytes) -> Response:
        try:
            params = urllib.parse.parse_qs(qs, keep_blank_values=True, strict_parsing=False,
                                           max_num_fields=100)
        except ValueError as exc:
            return _text(400, f"bad query string: {exc}")
        ctype = h.get("content-type", "").split(";")[0].strip().lower()
        if method == "POST":
            if ctype == "application/sparql-update":
                return _text(403, "SPARQL Update is refused: this endpoint is read-only")
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                                 max_num_fields=100)
                except (UnicodeDecodeError, ValueError):
                    return _text(400, "the form body is not UTF-8 URL-encoded text")
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                try:
                    params.setdefault("query", []).append(body.decode("utf-8"))
                except UnicodeDecodeError:
                    return _text(400, "the query is not UTF-8 text")
            else:
                return _text(415, "POST a query as application/sparql-query or "
                                  "application/x-www-form-urlencoded (query=...)")
        if "update" in params:
            return _text(403, "SPARQL Update is refused: this endpoint is read-only")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return _text(400, "default-graph-uri and named-graph-uri are not supported: "
                              "this endpoint serves one graph")
        queries = params.get("query", [])
        if not queries:
            if method == "POST":
                return _text(400, "no query: send query=... or an application/sparql-query body")
            return self._service_description(h)
        if len(queries) > 1:
            return _text(400, "give exactly one query parameter")
        try:
            refuse_updates(queries[0])
        except QueryError as exc:
            return _text(403, str(exc))
        short = (params.get("format") or params.get("output") or [""])[0].lower().strip()
        accept = h.get("accept")
        if "/" in short:  # some clients put a media type there (Virtuoso's convention)
            short, accept = "", short
        if short and short not in SHORT:
            return _text(400, f"unknown format {short!r}; choose one of: {', '.join(sorted(SHORT))}")
        return self._isolated(lambda: self._answer(queries[0], accept, SHORT.get(short)))

    def _answer(self, text: str, accept: str | None, forced: str | None) -> Response:
        """Run the query and serialize its answer (inside the worker)."""
        try:
            result = self.store.query(text, max_rows=self.limits.max_rows)
        except QueryError as exc:
            return _text(400, str(exc))
        except KGError as exc:
            return _text(502, str(exc))
        offered = GRAPH if result.is_graph else TABULAR
        if forced is not None:
            fmt = forced
            if fmt not in offered.values():
                return _text(406, f"{fmt} cannot carry a {result.kind} answer")
        else:
            chosen = negotiate(accept, offered)
            if chosen is None:
                return _text(406, f"cannot answer as {accept!r}; a {result.kind} answer is "
                                  f"available as: {', '.join(offered)}")
            fmt = offered[chosen]
        return _serialize(result, fmt, self.limits.max_rows)

    def _service_description(self, h: dict[str, str]) -> Response:
        base = f"http://{h.get('host', LOOPBACK)}/sparql"
        fmts = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in (
            "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
            "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
        ttl = (f"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
               f"<{html.escape(base, quote=True)}> a sd:Service ;\n"
               f"    sd:endpoint <{html.escape(base, quote=True)}> ;\n"
               f"    sd:supportedLanguage sd:SPARQL11Query ;\n"
               f"    sd:resultFormat {fmts} .\n")
        return Response(200, {"Content-Type": "text/turtle; charset=utf-8"}, ttl.encode())

    # ------------------------------------------------------------ isolation
    def _isolated(self, work: Callable[[], Response]) -> Response:
        """Run ``work`` in a forked worker, killed after the time limit."""
        if not self._slots.acquire(timeout=self.limits.timeout):
            return _text(503, "too many queries at once; try again", **{"Retry-After": "1"})
        try:
            if not hasattr(os, "fork"):  # pragma: no cover (Windows: no hard time limit)
                return work()
            return self._fork(work)
        finally:
            self._slots.release()

    def _fork(self, work: Callable[[], Response]) -> Response:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the worker; coverage cannot follow it)
            _worker(r, w, work, self.limits.max_memory)
        os.close(w)
        deadline = time.monotonic() + self.limits.timeout
        chunks: list[bytes] = []
        timed_out = False
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select([r], [], [], left)
                if ready:
                    chunk = os.read(r, 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
        finally:
            os.close(r)
            if timed_out:
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        if timed_out:
            return _text(503, f"the query took longer than {self.limits.timeout:g} s and was "
                              "stopped; narrow it down or add a LIMIT")
        if not chunks:
            why = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else "no answer"
            return _text(500, f"the query worker died ({why}); the query may need more "
                              "memory than this server allows")
        code, headers, body = pickle.loads(b"".join(chunks))
        return Response(code, headers, body)

    # ------------------------------------------------------------ graph view
    def _graph_view(self) -> Response:
        if self.graph_html is None:
            return _text(404, "no graph view: start kg serve with --html FILE, or keep "
                              "graph.html beside the graph file")
        if self._html_cache is None:
            if isinstance(self.graph_html, Path):
                try:
                    self._html_cache = self.graph_html.read_bytes()
                except OSError as exc:
                    return _text(404, f"cannot read {str(self.graph_html)!r}: {exc.strerror or exc}")
            else:
                self._html_cache = self.graph_html().encode("utf-8")
        return Response(200, {"Content-Type": "text/html; charset=utf-8"}, self._html_cache)


def _serialize(result: QueryResult, fmt: str, max_rows: int) -> Response:
    headers = {"Content-Type": media_type(result, fmt) + "; charset=utf-8"}
    if result.truncated:
        headers["X-KG-Truncated"] = f"only the first {max_rows} results were sent"
    return Response(200, headers, format_result(result, fmt).encode("utf-8"))


def _worker(r: int, w: int, work: Callable[[], Response], max_memory: int) -> None:
    """The forked worker: answer, send the response down the pipe, and always exit."""
    code = 1
    try:
        os.close(r)
        _close_sockets()
        resp: Response | None
        try:
            _limit_memory(max_memory)
            resp = work()
        except MemoryError:
            resp = None  # built below, once the query's data has been freed
        except BaseException as exc:  # noqa: BLE001 (report anything, then exit)
            resp = _text(500, f"query failed: {type(exc).__name__}: {exc}")
        if resp is None:
            resp = _text(500, "the query needs more memory than this server allows")
        view = memoryview(pickle.dumps((resp.status, resp.headers, resp.body)))
        while view:
            view = view[os.write(w, view):]
        code = 0
    finally:
        # never return into the server's code: this process is a copy of it
        os._exit(code)


def _close_sockets() -> None:
    """In a worker: close the server's sockets it inherited (not files: an on-disk store
    reads through them), so a client connection ends when the server closes it."""
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:  # not Linux: the inherited sockets just live as long as the worker
        return
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass


def _limit_memory(extra: int) -> None:
    """Cap the worker's address space at what the server uses now plus ``extra`` bytes."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = used + extra
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):  # not Linux: no cap, the time limit still holds
        pass


# ---------------------------------------------------------------- the query page
def _query_page() -> tuple[bytes, str]:
    """The offline query page (no CDN) and a CSP that allows only its own inline script."""
    template = (resources.files("kg") / "static" / "sparql.html").read_text(encoding="utf-8")
    examples = [{"name": q.name, "description": q.description, "query": q.text}
                for q in bundled_queries()]
    data = (json.dumps(examples, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    page = template.replace("{{EXAMPLES}}", data)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    hashes = " ".join("'sha256-" + _b64(hashlib.sha256(s.encode()).digest()) + "'" for s in scripts)
    csp = (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
           "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return page.encode("utf-8"), csp


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode("ascii")


# ---------------------------------------------------------------- the HTTP server
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql"
    sys_version = ""
    timeout = 30  # seconds a client may take to send its request (slowloris)

    def _dispatch(self) -> None:
        app: SparqlApp = self.server.app  # type: ignore[attr-defined]
        limit = app.limits.max_request_bytes
        body = b""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._send(_text(411, "send a Content-Length; chunked bodies are not accepted"),
                              close=True)
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                return self._send(_text(400, "bad Content-Length"), close=True)
            if n < 0:
                return self._send(_text(400, "bad Content-Length"), close=True)
            if n > limit:  # refused before reading: the body is never buffered
                return self._send(_text(413, f"the request body is larger than {limit} bytes"),
                                  close=True)
            body = self.rfile.read(n)
        elif self.command == "POST":
            return self._send(_text(411, "a POST needs a Content-Length"), close=True)
        self._send(app.handle(self.command, self.path, dict(self.headers.items()), body))

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def _send(self, resp: Response, *, close: bool = False) -> None:
        self.send_response(resp.status, HTTPStatus(resp.status).phrase)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if "Content-Length" not in resp.headers:
            self.send_header("Content-Length", str(len(resp.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if resp.body:
            self.wfile.write(resp.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not getattr(self.server, "quiet", False):
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(app: SparqlApp, host: str = LOOPBACK, port: int = 8001, *,
                quiet: bool = False) -> ThreadingHTTPServer:
    """An HTTP server for ``app`` on ``host:port`` (port 0 picks a free one).

    A server on a loopback address answers only requests whose Host is a loopback name.

    Raises:
        ConfigError: the address cannot be bound (in use, not local, no permission).
    """
    if app.allowed_hosts is None and host in _LOOPBACK_NAMES:
        app.allowed_hosts = set(_LOOPBACK_NAMES)
    try:
        server = _Server((host, port), _Handler)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                          "pick another --port or --host") from None
    server.app = app  # type: ignore[attr-defined]
    server.quiet = quiet  # type: ignore[attr-defined]
    return server


def serve(app: SparqlApp, host: str = LOOPBACK, port: int = 8001, *, quiet: bool = False,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` until interrupted; ``ready`` gets the base URL once listening."""
    server = make_server(app, host, port, quiet=quiet)
    h, p = server.server_address[:2]
    if ready is not None:
        ready(f"http://{h if ':' not in str(h) else f'[{h}]'}:{p}/")
    try:
        server.serve_forever()
    finally:
        server.server_close()
