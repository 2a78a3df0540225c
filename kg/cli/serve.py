"""``kg serve``: a read-only SPARQL endpoint with the graph view and a query page."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KGError, QueryError
from ..serve import LOOPBACK, Limits, SparqlApp, serve
from ..store import ENGINES, open_store
from ._util import echo_err, load_kg, quiet_option, stdout_write

DEFAULT_GRAPH = "exports/graph.ttl"
_D = Limits()


def _graph_view(sources: tuple[str, ...], html: str | None):
    """The graph view: --html, else graph.html beside the graph file, else render it."""
    if html:
        return Path(html)
    files = [Path(s) for s in sources if Path(s).is_file()]
    if not files:
        return None
    beside = files[0].with_name("graph.html")
    if beside.is_file():
        return beside
    if len(files) > 1:
        return None

    def render() -> str:
        from ..export import serialize

        return serialize(load_kg(str(files[0])), "html")

    return render


@click.command("serve")
@click.argument("graphs", nargs=-1, metavar="[GRAPH...|STORE]")
@click.option("--host", default=LOOPBACK, show_default=True,
              help="Address to listen on; anything but 127.0.0.1 lets other machines query.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 picks a free one).")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="SPARQL engine for graph files [default: rdflib].")
@click.option("--timeout", default=_D.timeout, show_default=True,
              type=click.FloatRange(min=0.1), help="Seconds a query may run before it is stopped.")
@click.option("--max-rows", default=_D.max_rows, show_default=True,
              type=click.IntRange(min=1), help="Rows (or triples) an answer may carry.")
@click.option("--max-request-bytes", default=_D.max_request_bytes, show_default=True,
              type=click.IntRange(min=1024), help="Largest request body or URL accepted.")
@click.option("--html", "html", type=click.Path(dir_okay=False),
              help="Graph view to serve at /graph.html [default: graph.html beside GRAPH].")
@click.option("--get", "get_path", metavar="PATH",
              help="Answer one GET request for PATH, print the body and exit (no socket).")
@click.option("--accept", default=None, metavar="TYPE", help="Accept header for --get.")
@quiet_option
def command(graphs, host, port, engine, timeout, max_rows, max_request_bytes, html,
            get_path, accept, quiet):
    """Serve GRAPH (RDF files, default exports/graph.ttl, or an Oxigraph store folder).

    Pages: / (query page, works offline), /sparql (SPARQL 1.1 Protocol, GET and POST,
    JSON/XML/CSV/TSV results, Turtle/N-Triples/JSON-LD/RDF-XML graphs), /graph.html.
    Read-only: SPARQL Update is refused.
    """
    sources = graphs or (DEFAULT_GRAPH,)
    store = open_store(list(sources), engine=engine)
    limits = Limits(timeout=timeout, max_rows=max_rows, max_request_bytes=max_request_bytes)
    app = SparqlApp(store, limits=limits, graph_html=_graph_view(sources, html))
    if get_path is not None:
        headers = {"Host": "localhost"}
        if accept:
            headers["Accept"] = accept
        resp = app.handle("GET", get_path, headers)
        if resp.status >= 400:
            message = resp.body.decode("utf-8", "replace").strip()
            err = QueryError if resp.status == 400 else KGError
            raise err(f"HTTP {resp.status}: {message}")
        if "X-KG-Truncated" in resp.headers:
            echo_err(f"warning: {resp.headers['X-KG-Truncated']} (--max-rows)", quiet=quiet)
        stdout_write(resp.body.decode("utf-8", "replace"))
        return
    if host != LOOPBACK and host != "localhost":
        echo_err(f"warning: listening on {host}: other machines can query this graph", quiet=False)

    def ready(url: str) -> None:
        echo_err(f"serving {store.triple_count()} triples at {url} (SPARQL endpoint {url}sparql, "
                 f"graph view {url}graph.html); Ctrl-C stops", quiet=quiet)
        sys.stderr.flush()

    try:
        serve(app, host, port, quiet=quiet, ready=ready)
    except KeyboardInterrupt:
        echo_err("stopped", quiet=quiet)
