"""``kg query``: run SPARQL (inline, a ``.rq`` file or a bundled query) over graphs."""

from __future__ import annotations

import click

from ..query import RESULT_FORMATS, bundled_queries, format_result, get_query, read_query, sparql
from ..store import ENGINES, open_store
from ._util import stdout_write


def _params(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE (e.g. entity=Acme)")
        out[name.strip()] = text
    return out


def _listing() -> str:
    lines = []
    for q in bundled_queries():
        lines.append(f"{q.name:<12} {q.description}")
        for p in q.params:
            lines.append(f"{'':<12}   -p {p.name}=...  {p.help}")
    return "\n".join(lines) + "\n"


@click.command("query")
@click.argument("args", nargs=-1, metavar="GRAPH... QUERY")
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(RESULT_FORMATS.names()),
              help="SELECT/ASK: table, csv, tsv, json, xml (W3C SPARQL results). "
                   "CONSTRUCT/DESCRIBE: table or turtle (Turtle), nt, json (JSON-LD), xml (RDF/XML).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", callback=_params,
              help="Bind a bundled query's parameter to an entity (a name, alias, IRI or "
                   "Wikidata id); repeatable.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="SPARQL engine for graph files [default: rdflib; oxigraph is faster on big "
                   "graphs; a store folder always uses oxigraph].")
@click.option("--list", "list_", is_flag=True, help="List the bundled queries and exit.")
@click.option("--show", metavar="NAME", help="Print a bundled query's SPARQL and exit.")
def command(args, fmt, params, engine, list_, show):
    """Run QUERY over GRAPH (one or more RDF files, an Oxigraph store folder or an endpoint URL).

    QUERY is SPARQL text, a .rq file, or the name of a bundled query (see --list); the
    prefixes kg, schema, rdf, rdfs, owl, skos, prov, org, dcterms, xsd, wd and id are
    pre-declared. Example: kg query exports/graph.ttl competitors -p entity=Acme
    """
    if list_:
        stdout_write(_listing())
        return
    if show:
        stdout_write(get_query(show).text)
        return
    if len(args) < 2:
        raise click.UsageError("give one or more graphs and then a QUERY "
                               "(SPARQL text, a .rq file or a bundled query's name)")
    *graphs, query_arg = args
    query = read_query(query_arg)
    store = open_store(graphs, engine=engine)
    stdout_write(format_result(sparql(store, query, params=params), fmt))
