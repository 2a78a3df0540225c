"""``kg build``: read articles, write the graph in every export format."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import DEFAULT_BASE_IRI, Config
from ..export import DEFAULT_FILES, write
from ..pipeline import build
from ._util import echo_err, quiet_option

DEFAULT_INPUT = "data/interview.txt"


@click.command("build")
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("-o", "--out", "out_dir", default="exports", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write the exports into.")
@click.option("--model", default=None, help="spaCy pipeline (package or path); default en_core_web_sm.")
@click.option("--min-confidence", default=0.5, show_default=True, type=float,
              help="Leave out facts below this confidence.")
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True,
              help="Namespace for minted entity IRIs.")
@quiet_option
def command(inputs, out_dir, model, min_confidence, base_iri, quiet):
    """Build the graph of INPUTS (files or folders; default data/interview.txt)."""
    config = Config(model=model, min_confidence=min_confidence, base_iri=base_iri)
    kg = build(list(inputs) or [DEFAULT_INPUT], config=config)
    written = []
    for name, fmt in DEFAULT_FILES.items():
        written.append(write(kg, Path(out_dir) / name, fmt, base_iri=base_iri))
    summary = kg.summary()
    echo_err(f"{len(kg.documents)} document(s) read", quiet=quiet)
    echo_err("entities: " + ", ".join(f"{t} {n}" for t, n in summary["entities"].items()), quiet=quiet)
    echo_err("relations: " + (", ".join(f"{p} {n}" for p, n in summary["relations"].items()) or "none"), quiet=quiet)
    echo_err("wrote: " + ", ".join(str(p) for p in written), quiet=quiet)
