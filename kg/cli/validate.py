"""``kg validate``: check a graph against kg's SHACL shapes and print what is wrong."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ValidationError
from ._util import echo_err, quiet_option, stdout_write


@click.command("validate")
@click.argument("graph", type=click.Path())
@click.option("--shapes", "shapes_file", default=None, type=click.Path(),
              help="Other SHACL shapes to check against (default: kg's own).")
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on violations.")
@quiet_option
def command(graph, shapes_file, strict, quiet):
    """Validate GRAPH (graph.json or any RDF file kg wrote) with SHACL.

    Prints one line per violation or warning on stdout, then a summary. Exits 1 when
    there is a violation (or, with --strict, a warning).
    """
    from ..validate import shapes_graph, validate, validate_graph

    shapes = shapes_graph(shapes_file) if shapes_file else None
    if Path(graph).suffix.lower() == ".json":
        from ._util import load_kg

        kg = load_kg(graph)
        report = (validate_graph(_to_rdf(kg), shapes=shapes, inplace=True) if shapes
                  else validate(kg))
    else:
        from ..query import load_graph

        # the graph was read for this check alone: no need to copy it
        report = validate_graph(load_graph(graph), shapes=shapes, inplace=True)
    if report.findings:
        stdout_write("".join(f.line() + "\n" for f in report.findings))
    echo_err(report.summary(), quiet=quiet)
    if not report.conforms or (strict and report.findings):
        raise ValidationError(f"{graph!r} does not conform to the shapes: {report.summary()}")


def _to_rdf(kg):
    from ..rdf import to_rdf

    return to_rdf(kg)
