"""``kg export``: convert a built graph to another format."""

from __future__ import annotations

import click

from ..config import DEFAULT_BASE_IRI
from ..export import FORMATS, serialize, write
from ._util import load_kg, stdout_write


@click.command("export")
@click.argument("graph", type=click.Path())
@click.option("-f", "--format", "fmt", required=True,
              type=click.Choice(FORMATS.all_names(), case_sensitive=False),
              help="Output format.")
@click.option("-o", "--out", "out", default="-", show_default=True,
              help="Output file; '-' writes to stdout.")
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True)
def command(graph, fmt, out, base_iri):
    """Export GRAPH (graph.json or an RDF file kg wrote) as --format."""
    kg = load_kg(graph)
    if out == "-":
        stdout_write(serialize(kg, fmt.lower(), base_iri=base_iri))
    else:
        write(kg, out, fmt.lower(), base_iri=base_iri)
