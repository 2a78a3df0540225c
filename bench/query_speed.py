"""Speed of kg's bundled SPARQL queries, rdflib against pyoxigraph, on a big synthetic graph.

Run by hand: ``python bench/query_speed.py [--triples 1000000] [--out bench/QUERY_SPEED.md]``.
It builds a kg-shaped graph without spaCy (companies, people with positions, products,
competitors, stances, Wikidata links; every fact reified with evidence, as ``kg build``
writes them), saves it as N-Triples, loads it with each engine through
:func:`kg.store.open_store`, runs every bundled query (and the parameterised ones with a
parameter) with both, checks that both engines return identical results, and writes a
markdown table. Timings are wall-clock and depend on the machine and its load, which is
recorded beside them; they are never asserted in tests.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

POSITIONS = ["CEO", "CTO", "CFO", "chair", "president", "founder", "engineer", "analyst"]


def synthetic_graph(target: int, seed: int = 11):
    """A KnowledgeGraph of about ``target`` triples, with every shape the bundled queries read."""
    from kg.graph import KnowledgeGraph
    from kg.types import (
        Document, Entity, EntityType, Evidence, Extraction, Mention, Polarity, Predicate,
        Relation, Stance,
    )

    rng = random.Random(seed)
    docs = max(1, -(-target // 160))  # about 161 triples per document, measured
    companies = [f"Company {i}" for i in range(max(10, docs // 3))]
    people = [f"Person {i}" for i in range(max(10, docs // 2))]
    products = [f"Product {i}" for i in range(max(10, docs // 4))]
    topics = [f"topic {i}" for i in range(200)]
    kg = KnowledgeGraph()
    used: dict[str, str] = {}

    def ent(doc, name, etype, sent, qid=None):
        slug = name.lower().replace(" ", "-")
        ms = tuple(Mention(doc.id, sent * 100 + k * 20, sent * 100 + k * 20 + len(name), name,
                           etype, sent, "bench") for k in range(2))
        return Entity(slug, name, etype, frozenset(), ms, wikidata=qid)

    for i in range(docs):
        a, b = rng.sample(range(len(companies)), 2)
        person, product = rng.choice(people), rng.choice(products)
        position, topic = rng.choice(POSITIONS), rng.choice(topics)
        sentences = [f"{companies[a]}'s {position} {person} spoke.",
                     f"{companies[a]} competes with {companies[b]}.",
                     f"{companies[a]} makes {product}.",
                     f"{person} believes {topic} matters."]
        text = "\n".join(sentences) + f"\n#{i}\n"
        doc = Document.from_text(text, source=f"synthetic/{i:06d}.txt")
        starts = [text.index(s) for s in sentences]
        ev = [Evidence(doc.id, s, st, st + len(s)) for s, st in zip(sentences, starts)]
        ca = ent(doc, companies[a], EntityType.COMPANY, 0, f"Q{100000 + a}" if a % 3 == 0 else None)
        cb = ent(doc, companies[b], EntityType.COMPANY, 1, f"Q{100000 + b}" if b % 3 == 0 else None)
        pe = ent(doc, person, EntityType.PERSON, 0)
        po = ent(doc, position, EntityType.POSITION, 0)
        pr = ent(doc, product, EntityType.PRODUCT, 2)
        tp = Entity(topic.replace(" ", "-"), topic, EntityType.TOPIC)
        rels = (
            Relation(pe.id, Predicate.HOLDS_POSITION, po.id, ev[0], 0.9, "bench"),
            Relation(pe.id, Predicate.WORKS_FOR, ca.id, ev[0], 0.9, "bench"),
            Relation(ca.id, Predicate.COMPETITOR_OF, cb.id, ev[1], 0.8, "bench"),
            Relation(pr.id, Predicate.PRODUCT_OF, ca.id, ev[2], 0.85, "bench"),
        )
        stance = Stance(f"stance-{i}", pe.id, tp.id, f"{topic} matters", Polarity.SUPPORTS, ev[3],
                        verb="believe", confidence=0.8, rule="bench")
        kg.add(Extraction(doc, (ca, cb, pe, po, pr, tp), rels, (stance,)))
        # parameter values for the benchmark: names the first document uses
        used = used or {"entity": companies[a], "person": person, "organization": companies[a],
                        "maker": companies[a]}
    return kg, used


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def variants(names: dict[str, str]):
    from kg.query import bundled_queries

    for q in bundled_queries():
        yield q, {}
        if q.params:
            p = q.params[0].name
            yield q, {p: names.get(p, names["entity"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=HERE / "QUERY_SPEED.md")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the synthetic graph in this N-Triples file; reuse it if it exists")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per query on pyoxigraph (the fastest counts); rdflib runs once")
    args = ap.parse_args()

    from kg.export import write
    from kg.query import sparql
    from kg.store import open_store

    t_build, (graph, names) = timed(synthetic_graph, args.triples)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    path = args.keep or work / "graph.nt"
    t_write = 0.0
    if not path.exists():
        t_write, _ = timed(write, graph, path, "nt")
    del graph
    gc.collect()
    triples = sum(1 for _ in path.open(encoding="utf-8"))
    print(f"{triples:,} triples in {path} (built {t_build:.0f} s, written {t_write:.0f} s)",
          file=sys.stderr)

    results: dict[str, dict] = {}
    loads, load_avg = {}, {}
    for engine in ("oxigraph", "rdflib"):
        load_avg[engine] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        loads[engine], store = timed(open_store, [path], engine=engine)
        print(f"{engine}: loaded in {loads[engine]:.1f} s", file=sys.stderr)
        for q, params in variants(names):
            key = q.name + "".join(f" -p {k}={v}" for k, v in params.items())
            runs = [timed(sparql, store, q, params=params)
                    for _ in range(args.repeat if engine == "oxigraph" else 1)]
            seconds, result = min(runs, key=lambda r: r[0])
            results.setdefault(key, {})[engine] = (seconds, result)
            print(f"  {key}: {len(result)} rows, {seconds:.2f} s", file=sys.stderr)
        del store
        gc.collect()

    lines = [
        "# Bundled query speed: rdflib against pyoxigraph",
        "",
        f"Synthetic kg-shaped graph of {triples:,} triples (`python bench/query_speed.py "
        f"--triples {args.triples}`), loaded from N-Triples through `kg.store.open_store`. "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"load average {load_avg['oxigraph']:.1f} when the pyoxigraph runs started, "
        f"{load_avg['rdflib']:.1f} for rdflib (other work shared the machine). Wall-clock "
        f"seconds: pyoxigraph the fastest of {args.repeat} runs, rdflib one run. Both engines "
        "are queried through `kg.query.sparql`, so the times include converting every row "
        "to kg's engine-neutral result; *identical* compares the two results whole.",
        "",
        f"Loading: pyoxigraph {loads['oxigraph']:.1f} s, rdflib {loads['rdflib']:.1f} s.",
        "",
        "| query | rows | rdflib | pyoxigraph | speed-up | identical |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, by in results.items():
        (tr, rr), (to, ro) = by["rdflib"], by["oxigraph"]
        lines.append(f"| `{key}` | {len(rr):,} | {tr:.2f} s | {to:.3f} s | "
                     f"{tr / max(to, 1e-6):.0f}× | {'yes' if rr == ro else '**no**'} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.keep is None:
        path.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
