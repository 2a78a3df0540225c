"""``kg query``: run SPARQL over a graph file."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..query import RESULT_FORMATS, format_result, load_graph, sparql
from ._util import stdout_write


@click.command("query")
@click.argument("graph", type=click.Path())
@click.argument("query")
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(RESULT_FORMATS.names()), help="Result format.")
def command(graph, query, fmt):
    """Run QUERY (SPARQL text or a .rq file) over GRAPH (Turtle or other RDF)."""
    if query.endswith(".rq"):
        try:
            query = Path(query).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read query file {query!r}: {exc.strerror or exc}") from None
    stdout_write(format_result(sparql(load_graph(graph), query), fmt))
