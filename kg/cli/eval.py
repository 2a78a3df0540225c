"""``kg eval``: score extraction against hand-made gold annotations."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import Config
from ..errors import InputError
from ._util import stdout_write


def _graph_file(path: str):
    """An RDF graph from any RDF file, or from kg's node-link JSON (``graph.json``)."""
    from ..query import load_graph

    p = Path(path)
    if p.suffix.lower() == ".json" and p.is_file():
        from ..graph import KnowledgeGraph
        from ..rdf import to_rdf

        try:
            text = p.read_text(encoding="utf-8")
            if '"kg_format"' in text[:200000]:
                return to_rdf(KnowledgeGraph.from_json(text))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {path!r}: {exc}") from None
    return load_graph(p)


@click.command("eval")
@click.argument("gold", type=click.Path())
@click.option("--text", "text", type=click.Path(), help="The article to build and score.")
@click.option("--graph", "graph", type=click.Path(),
              help="Score this graph file (RDF or kg JSON) instead of building one.")
@click.option("-f", "--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "json"]), help="Report format.")
@click.option("--model", default=None, help="spaCy pipeline (package or path).")
@click.option("--min-confidence", default=0.5, show_default=True, type=float,
              help="Leave out facts below this confidence when building.")
def command(gold, text, graph, fmt, model, min_confidence):
    """Score the graph of an article against GOLD (a gold JSON file).

    GOLD may also be a folder with gold/*.json and articles/*.txt of the same stems:
    each article is built and scored, and the macro average is printed.
    """
    from .. import eval as ev

    config = Config(model=model, min_confidence=min_confidence)
    if Path(gold).is_dir():
        if text or graph:
            raise InputError(f"{gold!r} is a folder of gold files; --text and --graph "
                             "are for one gold file")
        pairs = ev.eval_pairs(gold)
        golds = [ev.load_gold(g) for g, _ in pairs]  # check them all before building
        from ..nlp import load_nlp

        nlp = load_nlp(config.model)
        reports = [ev.score(g, ev.graph_of_text(a, config=config, nlp=nlp))
                   for g, (_, a) in zip(golds, pairs)]
        if fmt == "json":
            data = {"articles": [r.to_dict() for r in reports],
                    "macro": ev.macro_average(reports)}
            stdout_write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        else:
            stdout_write("".join(ev.format_report(r) + "\n" for r in reports)
                         + ev.format_macro(reports))
        return
    if bool(text) == bool(graph):
        raise InputError("give the article with --text ARTICLE or a graph with --graph GRAPH "
                         "(exactly one)")
    gold_data = ev.load_gold(gold)
    if graph:
        rdf = _graph_file(graph)
    else:
        if not Path(text).is_file():
            raise InputError(f"no such article: {text!r}")
        rdf = ev.graph_of_text(text, config=config)
    report = ev.score(gold_data, rdf)
    if fmt == "json":
        stdout_write(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        stdout_write(ev.format_report(report))
