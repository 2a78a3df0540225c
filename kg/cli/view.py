"""``kg view``: open the interactive graph page in the default browser."""

from __future__ import annotations

from pathlib import Path

import click

from ..viz import open_in_browser
from ._util import echo_err

DEFAULT_GRAPH = "exports/graph.html"


@click.command("view")
@click.argument("graph", default=DEFAULT_GRAPH, type=click.Path())
def command(graph):
    """Open GRAPH (default exports/graph.html) in the default browser.

    Where there is no browser to open it in (a headless machine), print the
    file's path instead, to copy to a machine that has one.
    """
    path = Path(graph).resolve()
    if open_in_browser(graph):
        echo_err(f"opened {path.as_uri()}")
    else:
        click.echo(str(path))
