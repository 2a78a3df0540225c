"""``kg build``: read articles, write the graph in every export format."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import click

from ..background import can_fork, in_background
from ..collector import fewer_collections
from ..config import DEFAULT_BASE_IRI, Config
from ..export import DEFAULT_FILES, FORMATS, shared_emission
from ..io import Staging, check_writable, fill, folder_lock, scratch_file
from ..corpus import build_corpus, record_exports
from ..parallel import EXECUTORS
from ..progress import count_documents, progress_bar, show_progress
from ..validate import check_build, start_check_build
from ._util import echo_err, quiet_option, skip_teardown, warn

DEFAULT_INPUT = "data/interview.txt"


def _writer(kg, fmt: str, base_iri: str):
    """Streams ``kg`` in ``fmt`` into an open binary file."""
    exporter = FORMATS.get(fmt)
    return lambda fh: exporter.write_to(kg, base_iri, fh)


def _copy(path: Path, fh) -> None:
    with open(path, "rb") as src:
        shutil.copyfileobj(src, fh, 1 << 20)


#: Formats that do not read the RDF statements the others share: with ``--jobs`` > 1
#: a second process writes them while this one writes the RDF.
_BESIDE = frozenset({"graphml", "csv", "json", "html"})


def _fill_all(files) -> None:
    for tmp, target, write in files:
        fill(tmp, target, write)


#: Garbage-collector thresholds while a build runs (Python's default: 700, 10, 10). A build
#: allocates millions of short-lived objects (spaCy's tokens, RDF lines) beside a large
#: long-lived model; at the default thresholds the collector re-walks the survivors so
#: often that it costs about 5 % of a build (measured on 500 articles).
BUILD_GC_THRESHOLDS = (50_000, 20, 10)


def _skipped(document, exc) -> None:
    """A document that failed extraction is reported and left out (unless --strict)."""
    warn(f"Warning: skipped: {exc}")


@click.command("build")
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("-o", "--out", "out_dir", default="exports", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write the exports into.")
@click.option("--model", default=None, help="spaCy pipeline (package or path); default en_core_web_sm.")
@click.option("--min-confidence", default=0.5, show_default=True, type=float,
              help="Leave out facts below this confidence.")
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True,
              help="Namespace for minted entity IRIs.")
@click.option("--store", "store_dir", default=None, type=click.Path(file_okay=False),
              help="Keep an incremental store here: re-runs extract only new or changed "
                   "documents and drop deleted ones.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="Extract with this many worker processes (or local Dask workers).")
@click.option("--executor", default="local", show_default=True, type=click.Choice(EXECUTORS),
              help="Where extraction runs: local processes or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Dask scheduler to send documents to (with --executor dask).")
@click.option("--progress/--no-progress", "show_bar", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--strict", is_flag=True,
              help="Stop at the first bad article (exit 1) instead of skipping it with a warning.")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check the graph against kg's SHACL shapes before writing (pyshacl; "
                   "about a tenth of extraction's time on large corpora).")
@quiet_option
def command(inputs, out_dir, model, min_confidence, base_iri, store_dir, jobs, executor,
            scheduler, show_bar, strict, validate, quiet):
    """Build the graph of INPUTS (files or folders; default data/interview.txt)."""
    with fewer_collections(BUILD_GC_THRESHOLDS):
        kg = _build(inputs, out_dir, model, min_confidence, base_iri, store_dir, jobs,
                    executor, scheduler, show_bar, strict, validate, quiet)
    # every export is renamed into place and the store closed: the graph is left to
    # the process's end instead of being freed here one object at a time
    skip_teardown(keep=kg)


def _build(inputs, out_dir, model, min_confidence, base_iri, store_dir, jobs, executor,
           scheduler, show_bar, strict, validate, quiet):
    """Build and write the exports; returns the graph (``None`` when they were current)."""
    config = Config(model=model, min_confidence=min_confidence, base_iri=base_iri)
    inputs = list(inputs) or [DEFAULT_INPUT]
    out = Path(out_dir)
    check_writable(out)  # before a long build, not after it
    enabled = show_progress(quiet=quiet, forced=show_bar)
    with progress_bar(count_documents(inputs) if enabled else None, enabled=enabled) as bar:
        kg, report = build_corpus(
            inputs, config=config, store=store_dir, jobs=jobs,
            executor=executor, scheduler=scheduler, progress=bar,
            strict=strict, warn=warn, on_error=None if strict else _skipped,
            exports=(out, DEFAULT_FILES),
        )
    if report is not None:
        echo_err(report.summary(), quiet=quiet)
        if kg is None:  # the store says these exports are its current state's
            echo_err(f"exports in {out} are up to date", quiet=quiet)
            return None
    # Every export is streamed into a temp file beside it, then all are renamed
    # together, staging and renames under the folder's lock: a failure or a kill leaves
    # the previous exports as they were, and two builds into one folder never mix
    # their files. No export is held in memory whole (a large graph's RDF statements
    # are even sorted on disk).
    writers = {out / name: _writer(kg, fmt, base_iri) for name, fmt in DEFAULT_FILES.items()}
    turtle = out / "graph.ttl"
    # the RDF formats share one emission of the statements
    with shared_emission(), contextlib.ExitStack() as stack:
        shacl = pending = None
        if validate:
            # the Turtle is checked as it will be written: a violation fails loudly and
            # writes nothing; the checked file is then copied into place
            checked = stack.enter_context(scratch_file(turtle, writers[turtle]))
            writers[turtle] = lambda fh: _copy(checked, fh)
            if jobs > 1 and can_fork():
                # with cores to spare, the check runs in a child while the exports are
                # staged; they are renamed into place only once it has passed
                pending = in_background(check_build, kg, checked, base_iri,
                                        name="the SHACL check")
                stack.callback(pending.cancel)  # an export failed: stop the check too
            else:
                # Oxigraph reads the checked Turtle in a thread (it lets go of the GIL)
                # while the exports are staged; the rest of the check runs before
                # anything is renamed into place
                pending = start_check_build(kg, checked, base_iri)
        with folder_lock(out), Staging() as staging:
            beside: dict[Path, Path] = {}
            if jobs > 1 and can_fork():
                # a child writes the formats that do not share the RDF statements
                # meanwhile, into temp files staged here (renamed or removed with the rest)
                beside = {t: staging.reserve(t) for t in writers
                          if DEFAULT_FILES[t.name] in _BESIDE}
                job = in_background(_fill_all, [(tmp, t, writers[t]) for t, tmp in beside.items()],
                                    name="writing the exports")
                stack.callback(job.cancel)
            for target, write in writers.items():
                if target not in beside:
                    staging.stage(target, write)
            if beside:
                job.result()  # a failed export raises: every staged file goes
            if pending is not None:
                shacl = pending.result()  # a violation raises: the staged files go
            order = list(writers)
            written = sorted(staging.commit(), key=order.index)
    if store_dir is not None:
        record_exports(store_dir, out, written, config=config)
    summary = kg.summary()
    echo_err(f"{len(kg.documents)} document(s) read", quiet=quiet)
    echo_err("entities: " + ", ".join(f"{t} {n}" for t, n in summary["entities"].items()), quiet=quiet)
    echo_err("relations: " + (", ".join(f"{p} {n}" for p, n in summary["relations"].items()) or "none"), quiet=quiet)
    echo_err(f"SHACL: {shacl.summary() if shacl else 'not checked (--no-validate)'}", quiet=quiet)
    echo_err("wrote: " + ", ".join(str(p) for p in written), quiet=quiet)
    return kg
