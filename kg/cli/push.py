"""``kg push``: upload graphs to a triple store."""

from __future__ import annotations

import click

from ..push import push, push_to_folder
from ._util import echo_err, quiet_option


@click.command("push")
@click.argument("graphs", nargs=-1, required=True, metavar="GRAPH...")
@click.option("--endpoint", metavar="URL",
              help="The store's SPARQL 1.1 Graph Store URL, e.g. http://localhost:7878/store "
                   "(Oxigraph) or http://localhost:3030/DS/data (Fuseki).")
@click.option("--store", "folder", metavar="DIR", type=click.Path(file_okay=False),
              help="Load into the on-disk Oxigraph store in DIR instead (created if missing).")
@click.option("--graph", "graph", metavar="IRI", help="Target named graph [default: the default graph].")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds to wait for the store.")
@quiet_option
def command(graphs, endpoint, folder, graph, replace, timeout, quiet):
    """Upload GRAPH files (any RDF format kg reads) to a triple store."""
    if (endpoint is None) == (folder is None):
        raise click.UsageError("give exactly one of --endpoint URL and --store DIR")
    if endpoint is not None:
        result = push(list(graphs), endpoint, graph=graph, replace=replace, timeout=timeout)
    else:
        result = push_to_folder(list(graphs), folder, graph=graph, replace=replace)
    where = f"graph <{result.graph}>" if result.graph else "the default graph"
    verb = "replaced" if result.replaced else "added to"
    echo_err(f"pushed {result.triples} triples to {result.target} ({verb} {where})", quiet=quiet)
