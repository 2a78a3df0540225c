"""Helpers shared by the CLI commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..graph import KnowledgeGraph
from ..errors import InputError

__all__ = ["echo_err", "load_kg", "quiet_option"]

quiet_option = click.option("-q", "--quiet", "--silent", is_flag=True,
                            help="Print nothing but data and errors.")


def echo_err(message: str, *, quiet: bool = False) -> None:
    """Progress and summaries go to stderr, so stdout stays data."""
    if not quiet:
        click.echo(message, err=True)


def load_kg(path: str) -> KnowledgeGraph:
    """Load a graph from node-link JSON or any RDF file kg wrote."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            return KnowledgeGraph.from_json(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read {path!r}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InputError(f"{path!r} is not UTF-8 JSON") from None
    from ..query import load_graph
    from ..rdf import from_rdf

    return from_rdf(load_graph(p))


def stdout_write(text: str) -> None:
    """Write data to stdout without an extra newline."""
    sys.stdout.write(text)
    sys.stdout.flush()
