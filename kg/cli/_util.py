"""Helpers shared by the CLI commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..graph import KnowledgeGraph
from ..errors import InputError

__all__ = ["echo_err", "load_kg", "quiet_option", "skip_teardown", "teardown_skipped", "warn"]

quiet_option = click.option("-q", "--quiet", "--silent", is_flag=True,
                            help="Print nothing but data and errors.")


_SKIP_TEARDOWN: dict = {"asked": False, "kept": None}


def skip_teardown(keep: object = None) -> None:
    """Say that this command has written, flushed and closed everything it wrote.

    The console script (:func:`kg.cli.main`) then ends the process without the
    interpreter's teardown, which frees a large graph and the spaCy model one object at
    a time: about half a second after a 500-article build, for nothing.

    Args:
        keep: an object to leave to the process's end rather than free when the command
            returns (only the last one is kept, so tests that run many commands in one
            process do not pile them up).
    """
    _SKIP_TEARDOWN.update(asked=True, kept=keep)


def teardown_skipped() -> bool:
    """Whether a command asked for :func:`skip_teardown` in this process."""
    return _SKIP_TEARDOWN["asked"]


def warn(message: str) -> None:
    """A skipped article or another problem the build goes on after: always on stderr.

    Written through tqdm, so that a progress bar on the same terminal is redrawn below
    the warning instead of being torn by it.
    """
    from tqdm import tqdm

    from . import one_line

    tqdm.write(one_line(message), file=sys.stderr)


def echo_err(message: str, *, quiet: bool = False) -> None:
    """Progress and summaries go to stderr, so stdout stays data."""
    if not quiet:
        click.echo(message, err=True)


_GRAPH_HINT = "give the graph.json or an RDF file that kg build wrote"


def load_kg(path: str) -> KnowledgeGraph:
    """Load a graph from node-link JSON or any RDF file kg wrote."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {path!r}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InputError(f"{path!r} is not UTF-8 JSON; {_GRAPH_HINT}") from None
        try:
            return KnowledgeGraph.from_json(text)
        except InputError as exc:
            raise InputError(f"{path!r} is not a kg graph: {exc}; {_GRAPH_HINT}") from None
    from ..query import load_graph
    from ..rdf import from_rdf

    return from_rdf(load_graph(p))


def stdout_write(text: str) -> None:
    """Write data to stdout without an extra newline."""
    sys.stdout.write(text)
    sys.stdout.flush()
