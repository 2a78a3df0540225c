"""Benchmarks for corpus builds, run by hand: ``python bench/run.py`` writes bench/RESULTS.md.

Each line of the table is a ratio measured in one run, so it means the same on a slow
or a fast machine: kg against bare spaCy, ``--jobs 2`` against ``--jobs 1``, a re-run
against the first build, pyoxigraph against rdflib. The corpus is synthetic (see
``bench/synth.py``). Timings are wall-clock and sensitive to other load on the machine:
the load average is recorded beside them.

Options: ``--docs N`` (corpus size for throughput, jobs and re-run; default 500),
``--triples N`` (RDF size; default 1,000,000), ``--memory 500,1000,2000`` (corpus sizes
for the memory curve), ``--long 50000,200000,1000000`` (one long article's sizes),
``--skip jobs,rdf`` (steps left out by default: the in-process ``--jobs`` timing, which
the ``builds`` step supersedes, and rdflib at 1M triples, which takes about 40 minutes),
``--only STEPS`` with ``--raw FILE`` (re-run some steps, take the others from the file),
``--out FILE``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # for synth; kg itself is imported as installed

from synth import articles, write_corpus  # noqa: E402

from kg.parallel import BATCH_SIZE  # noqa: E402  (kg parses in batches of this size)


def machine() -> dict[str, str]:
    import spacy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=HERE.parent).stdout.strip()
    import pyoxigraph
    import rdflib

    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores", "memory": f"{mem:.0f} GiB",
        "OS": platform.platform(), "Python": platform.python_version(),
        "spaCy": spacy.__version__, "rdflib": rdflib.__version__,
        "pyoxigraph": pyoxigraph.__version__, "kg commit": commit or "?",
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def kg_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def run_timed(cmd: list[str]) -> float:
    return run_timed_cpu(cmd)[0]


def run_timed_cpu(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of ``cmd``."""
    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    start, cpu_start = time.perf_counter(), cpu()
    # run outside the repository: `python -m` puts the working folder first on sys.path
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=tempfile.gettempdir())
    return time.perf_counter() - start, cpu() - cpu_start


# ------------------------------------------------------------------ measurements


def throughput(folder: Path, texts: list[str]) -> dict:
    """kg extraction and a full build against bare ``nlp.pipe`` on the same texts."""
    import spacy

    from kg.corpus import build_corpus
    from kg.export import DEFAULT_FILES, serialize, shared_emission, write
    from kg.validate import check_build
    from kg.nlp import load_nlp

    words = sum(len(t.split()) for t in texts)
    kg_nlp = load_nlp()
    bare = spacy.load(_model_name())
    list(bare.pipe(texts[:5]))
    list(kg_nlp.pipe(texts[:5]))
    t_bare, _ = timed(lambda: list(bare.pipe(texts)))
    t_kg_parse, _ = timed(lambda: list(kg_nlp.pipe(texts, batch_size=BATCH_SIZE)))
    t_extract, (kg, _) = timed(build_corpus, [folder])
    out = Path(tempfile.mkdtemp())
    per_format = {}
    with shared_emission():  # as `kg build` does: the RDF formats share one emission
        for name, fmt in DEFAULT_FILES.items():
            per_format[name], _ = timed(write, kg, out / name, fmt)
        t_shacl, _ = timed(check_build, kg, serialize(kg, "turtle"))
    shutil.rmtree(out)
    t_exports = sum(per_format.values())
    return {"words": words, "bare": t_bare, "kg_parse": t_kg_parse, "extract": t_extract,
            "exports": t_exports, "per_format": per_format, "shacl_check": t_shacl}


BARE_SPACY = """
import pathlib, sys, spacy
nlp = spacy.load(sys.argv[2])
texts = [p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[1]).iterdir())]
for _ in nlp.pipe(texts):
    pass
"""


def cli_builds(folder: Path, words: int, rounds: int = 3) -> dict:
    """Whole runs as a user starts them: bare spaCy against ``kg build`` (defaults).

    Both are fresh processes that read the files, load the model and do all their
    work, so the ratio includes kg's imports, SHACL check and every export. The runs
    alternate for ``rounds`` rounds and each keeps its best time: on a shared virtual
    machine a slow spell then hits neither side alone.
    """
    work = Path(tempfile.mkdtemp())
    runs = {
        "bare": [sys.executable, "-c", BARE_SPACY, str(folder), _model_name()],
        "build": kg_cmd("build", str(folder), "-o", str(work / "a"), "-q"),
        "no_validate": kg_cmd("build", str(folder), "-o", str(work / "b"), "-q", "--no-validate"),
        "jobs2": kg_cmd("build", str(folder), "-o", str(work / "c"), "-q", "--jobs", "2"),
        "jobs2_no_validate": kg_cmd("build", str(folder), "-o", str(work / "d"), "-q",
                                    "--jobs", "2", "--no-validate"),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, cmd in runs.items():
            wall, used = run_timed_cpu(cmd)
            times[name].append(wall)
            cpu[name].append(used)
    same = all((work / "a" / f).read_bytes() == (work / "c" / f).read_bytes()
               for f in ("graph.ttl", "facts.csv", "graph.json"))
    shutil.rmtree(work)
    return {"words": words, **{name: min(t) for name, t in times.items()},
            "all_times": times, "cpu": {name: min(t) for name, t in cpu.items()},
            "jobs2_same_output": same}


def long_text(sizes=(50_000, 200_000, 1_000_000)) -> list[dict]:
    """One long article: kg's extraction against bare spaCy on the same text.

    spaCy parses at most ``nlp.max_length`` characters at once (and needs memory in
    proportion), so the bare baseline pipes the same 50,000-character pieces kg cuts
    the text into; kg parses and extracts piece by piece and merges the results.
    """
    from kg.longtext import split_spans
    from kg.nlp import load_nlp
    from kg.pipeline import extract
    from kg.types import Document

    import spacy

    base = " ".join(text for _, text in articles(400, seed=5, sentences=14))
    bare = spacy.load(_model_name())
    nlp = load_nlp()
    out = []
    for size in sizes:
        text = (base * (size // len(base) + 1))[:size]
        pieces = [text[s:e] for s, e in split_spans(text)]
        t_bare, _ = timed(lambda: list(bare.pipe(pieces)))
        t_kg, ex = timed(extract, Document.from_text(text, source="long"), nlp=nlp)
        out.append({"chars": size, "bare": t_bare, "kg": t_kg, "entities": len(ex.entities),
                    "relations": len(ex.relations)})
    return out


def shacl_scaling(texts: list[str], sizes=(50, 100, 200, 500)) -> list[dict]:
    """Time of the SHACL check ``kg build`` runs before writing, as the corpus grows."""
    from kg.export import serialize
    from kg.graph import KnowledgeGraph
    from kg.parallel import extract_documents
    from kg.types import Document
    from kg.validate import check_build

    docs = [Document.from_text(t, source=str(i)) for i, t in enumerate(texts[: max(sizes)])]
    extractions = list(extract_documents(docs))
    out = []
    for n in sizes:
        kg = KnowledgeGraph()
        for ex in extractions[:n]:
            kg.add(ex)
        ttl = serialize(kg, "turtle")
        seconds, _ = timed(check_build, kg, ttl)
        out.append({"docs": n, "seconds": seconds})
    return out


STAGES = ("find_mentions", "link_mentions", "extract_relations", "extract_stances")


def stage_shares(texts: list[str]) -> dict[str, float]:
    """Share of each extraction stage in kg's own (post-parse) work, from cProfile."""
    import cProfile
    import pstats

    from kg.nlp import load_nlp
    from kg.pipeline import extract
    from kg.types import Document

    nlp = load_nlp()
    docs = [Document.from_text(t, source=str(i)) for i, t in enumerate(texts[:100])]
    parsed = list(nlp.pipe([d.text for d in docs], batch_size=BATCH_SIZE))
    prof = cProfile.Profile()
    prof.enable()
    for d, p in zip(docs, parsed):
        extract(d, nlp=nlp, doc=p)
    prof.disable()
    stats = pstats.Stats(prof).stats
    total = sum(v[3] for k, v in stats.items() if k[2] == "extract" and k[0].endswith("pipeline.py"))
    shares = {}
    for stage in STAGES:
        cum = sum(v[3] for k, v in stats.items() if k[2] == stage and "/kg/" in k[0])
        shares[stage] = cum / total if total else 0.0
    return shares


def _model_name() -> str:
    from kg.nlp import DEFAULT_MODELS

    import spacy

    for name in DEFAULT_MODELS:
        try:
            spacy.load(name)
            return name
        except OSError:
            continue
    raise SystemExit("no spaCy model")


def jobs_speedup(folder: Path) -> dict:
    from kg.corpus import build_corpus

    t1, _ = timed(build_corpus, [folder], jobs=1)
    t2, _ = timed(build_corpus, [folder], jobs=2)
    return {"jobs1": t1, "jobs2": t2}


def rerun(folder: Path) -> dict:
    work = Path(tempfile.mkdtemp())
    cmd = kg_cmd("build", str(folder), "--store", str(work / "store"), "-o", str(work / "out"),
                 "-q", "--no-validate")
    first = run_timed(cmd)
    second = run_timed(cmd)
    plain_startup = run_timed(kg_cmd("--version"))
    shutil.rmtree(work)
    return {"first": first, "second": second, "startup": plain_startup}


def synthetic_graph(target: int):
    """A KnowledgeGraph of about ``target`` RDF triples, made without spaCy."""
    from kg.graph import KnowledgeGraph
    from kg.ids import slugify
    from kg.types import (
        Document, Entity, EntityType, Evidence, Extraction, Mention, Predicate, Relation,
    )

    kg = KnowledgeGraph()
    preds = [Predicate.WORKS_FOR, Predicate.COMPETITOR_OF, Predicate.ACQUIRED, Predicate.PARTNER_OF]
    # about 150 triples per document: 12 mentions (8 each), 4 facts (1 + 12 each), the document
    for i, (name, text) in enumerate(articles(max(1, target // 150), sentences=3)):
        doc = Document.from_text(text + f" #{i}", source=name)
        words = text.split()
        ents = []
        for j in range(4):
            label = EntityType.PERSON if j == 0 else EntityType.COMPANY
            ent_name = f"{words[j]} {words[j + 1]} {i % 997}"
            ms = tuple(Mention(doc.id, k * 10 + j, k * 10 + j + 5, ent_name, label, k, "bench")
                       for k in range(3))
            ents.append(Entity(slugify(ent_name), ent_name, label, frozenset(), ms))
        rels = tuple(
            Relation(ents[0].id if p is Predicate.WORKS_FOR else ents[k % 3 + 1].id, p,
                     ents[(k + 1) % 3 + 1].id, Evidence(doc.id, text[:80], 0, 80), 0.8, "bench")
            for k, p in enumerate(preds))
        kg.add(Extraction(doc, tuple(ents), rels))
    return kg


QUERY = """
PREFIX kg: <https://kg.example.org/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?company (COUNT(?st) AS ?sources) WHERE {
  ?p a kg:Person ; rdfs:label ?person ; kg:worksFor ?c .
  ?c rdfs:label ?company .
  ?st rdf:subject ?p ; rdf:predicate kg:worksFor ; rdf:object ?c ; kg:confidence ?conf .
  FILTER(?conf >= 0.5)
} GROUP BY ?person ?company ORDER BY DESC(?sources) ?person LIMIT 20
"""


def rdf_engines(target: int) -> dict:
    import pyoxigraph as ox

    from kg.rdf import to_rdf

    t_build, kg = timed(synthetic_graph, target)
    t_to_rdf, g = timed(to_rdf, kg)
    n = len(g)
    t_rdflib_ttl, ttl = timed(g.serialize, format="turtle")
    query = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" + QUERY
    t_rdflib_q, rows = timed(lambda: list(g.query(query)))
    nt = g.serialize(format="nt").encode()
    del g
    store = ox.Store()
    t_ox_load, _ = timed(store.bulk_load, nt, ox.RdfFormat.N_TRIPLES)
    t_ox_ttl, ox_ttl = timed(store.dump, None, ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    t_ox_q, ox_rows = timed(lambda: list(store.query(query)))
    assert len(ox_rows) == len(rows), (len(ox_rows), len(rows))
    return {"triples": n, "kg_to_rdflib": t_to_rdf, "rdflib_ttl": t_rdflib_ttl,
            "rdflib_query": t_rdflib_q, "ox_load": t_ox_load, "ox_ttl": t_ox_ttl,
            "ox_query": t_ox_q, "rows": len(rows)}


def kg_turtle(target: int) -> dict:
    """kg's own Turtle and N-Triples export of the same synthetic graph (the code path of ``kg build``)."""
    from kg.export import serialize

    t_build, kg = timed(synthetic_graph, target)
    t_ttl, ttl = timed(serialize, kg, "turtle")
    t_nt, nt = timed(serialize, kg, "nt")
    return {"triples": nt.count("\n"), "kg_ttl": t_ttl, "kg_nt": t_nt, "ttl_bytes": len(ttl)}


UPDATE_ONLY = """
import sys
from kg.corpus import Corpus
from kg.ingest import read_documents
from kg.parallel import extract_documents
with Corpus(sys.argv[2]) as corpus:
    corpus.update(read_documents([sys.argv[1]]), extract_documents)
"""


def _peak(cmd: list[str]) -> tuple[float, float]:
    """Peak RSS (MB) of ``cmd``'s largest process, and its wall time."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    start = time.perf_counter()
    rss_kb = int(subprocess.run([sys.executable, "-c", probe, *cmd], check=True,
                                capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout)
    return rss_kb / 1024, time.perf_counter() - start


def peak_memory(sizes: list[int], jobs: int) -> list[dict]:
    """Peak RSS as the corpus grows: the streaming store update, then the exports.

    First the store is filled by extraction alone (``Corpus.update``: documents stream
    through), then ``kg build --store`` runs on the same store (nothing left to
    extract), which rebuilds the merged graph and streams every export into its file.
    """
    out = []
    for n in sizes:
        work = Path(tempfile.mkdtemp())
        write_corpus(work / "corpus", n, seed=11, sentences=4)
        update_mb, update_s = _peak([sys.executable, "-c", UPDATE_ONLY, str(work / "corpus"),
                                     str(work / "store")])
        build_mb, build_s = _peak(kg_cmd("build", str(work / "corpus"), "--store",
                                         str(work / "store"), "-o", str(work / "out"), "-q",
                                         "--no-validate"))
        triples = sum(1 for _ in open(work / "out" / "graph.nt", encoding="utf-8"))
        shutil.rmtree(work)
        out.append({"docs": n, "update_mb": update_mb, "update_s": update_s,
                    "build_mb": build_mb, "build_s": build_s, "triples": triples})
    return out


# ------------------------------------------------------------------ report


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(info, tp, jb, rr, rdf, mem, docs, bl=None, lt=None, kr=None) -> str:
    lines = ["# kg benchmarks", "",
             f"Written by `python bench/run.py` on {time.strftime('%Y-%m-%d %H:%M')}. "
             "Synthetic corpus from `bench/synth.py` (sentence templates, made-up names). "
             "Each result is a ratio of two timings taken in the same run.", "",
             "## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", "## Results", "",
              "| measure | kg | baseline | ratio | target | |", "| --- | --- | --- | --- | --- | --- |"]
    w = tp["words"]
    r_extract = tp["bare"] / tp["extract"]
    lines.append(f"| extraction throughput (in one process), {docs} docs, {w:,} words | {w / tp['extract']:,.0f} words/s "
                 f"| bare `nlp.pipe` {w / tp['bare']:,.0f} words/s | {r_extract:.2f} | ≥ 0.8 | {verdict(r_extract >= 0.8)} |")
    if bl:
        r_build = bl["bare"] / bl["build"]
        r_nov = bl["bare"] / bl["no_validate"]
        lines.append(f"| `kg build` throughput (new process: model load, extraction, SHACL check, "
                     f"{len(tp['per_format'])} exports) | {w / bl['build']:,.0f} words/s | bare spaCy "
                     f"(new process: model load, `nlp.pipe`) {w / bl['bare']:,.0f} words/s | {r_build:.2f} "
                     f"| ≥ 0.8 | {verdict(r_build >= 0.8)} |")
        lines.append(f"| `kg build --no-validate` throughput | {w / bl['no_validate']:,.0f} words/s "
                     f"| same | {r_nov:.2f} | ≥ 0.8 | {verdict(r_nov >= 0.8)} |")
        if "cpu" in bl:  # a build may overlap some work on a second core: CPU time shows it
            c = bl["cpu"]
            lines.append(f"| the same in CPU time (user + system), `kg build` / `--no-validate` "
                         f"| {c['build']:.1f} s / {c['no_validate']:.1f} s | bare spaCy "
                         f"{c['bare']:.1f} s | {c['bare'] / c['build']:.2f} / "
                         f"{c['bare'] / c['no_validate']:.2f} | — | |")
        sp = bl["build"] / bl["jobs2"]
        same = "identical output" if bl["jobs2_same_output"] else "**output differs**"
        lines.append(f"| `kg build --jobs 2`, {docs} docs | {bl['jobs2']:.1f} s | `--jobs 1` "
                     f"{bl['build']:.1f} s | {sp:.2f}× ({same}) | ≥ 1.6× | {verdict(sp >= 1.6)} |")
        if "jobs2_no_validate" in bl:
            sp = bl["no_validate"] / bl["jobs2_no_validate"]
            lines.append(f"| `kg build --jobs 2 --no-validate`, {docs} docs | {bl['jobs2_no_validate']:.1f} s "
                         f"| `--jobs 1 --no-validate` {bl['no_validate']:.1f} s | {sp:.2f}× | ≥ 1.6× "
                         f"| {verdict(sp >= 1.6)} |")
    if jb:
        sp = jb["jobs1"] / jb["jobs2"]
        lines.append(f"| `--jobs 2` extraction alone (in one process, `build_corpus`), {docs} docs | {jb['jobs2']:.1f} s | `--jobs 1` {jb['jobs1']:.1f} s "
                     f"| {sp:.2f}× | ≥ 1.6× | {verdict(sp >= 1.6)} |")
    rrat = rr["second"] / rr["first"]
    lines.append(f"| re-run of unchanged {docs}-doc corpus (`kg build --store`) | {rr['second']:.1f} s "
                 f"| first build {rr['first']:.1f} s | {rrat:.1%} | ≤ 5 % | {verdict(rrat <= 0.05)} |")
    if rdf is None:
        lines.append("| Turtle export and SPARQL query at 1M triples, rdflib vs pyoxigraph "
                     "| not measured in this run | | | — | |")
    else:
        ttl = rdf["rdflib_ttl"] / rdf["ox_ttl"]
        q = rdf["rdflib_query"] / max(rdf["ox_query"], 1e-9)
        lines.append(f"| Turtle export, {rdf['triples']:,} triples | pyoxigraph {rdf['ox_ttl']:.1f} s "
                     f"| rdflib {rdf['rdflib_ttl']:.1f} s | {ttl:.1f}× faster | — | |")
        lines.append(f"| SPARQL query (people, employers, sources), {rdf['triples']:,} triples "
                     f"| pyoxigraph {rdf['ox_query']:.2f} s | rdflib {rdf['rdflib_query']:.2f} s "
                     f"| {q:.1f}× faster | — | |")
    if bl and "all_times" in bl:
        rounds = len(bl["all_times"]["bare"])
        spread = "; ".join(f"{k} " + " / ".join(f"{t:.1f}" for t in v)
                           for k, v in bl["all_times"].items())
        med = {k: sorted(v)[len(v) // 2] for k, v in bl["all_times"].items()}
        lines += ["", f"The `kg build` rows are the best of {rounds} alternating runs of each "
                  f"command (on a shared virtual machine a slow spell then hits neither side "
                  f"alone). All runs, in seconds: {spread}. From the medians instead: "
                  f"`kg build` {med['bare'] / med['build']:.2f}, `--no-validate` "
                  f"{med['bare'] / med['no_validate']:.2f} of bare spaCy; `--jobs 2` "
                  f"{med['build'] / med['jobs2']:.2f}× and, without the check, "
                  f"{med['no_validate'] / med['jobs2_no_validate']:.2f}×."]
    lines += ["", "### Where a build's time goes", "",
              "| step | seconds | share of build |", "| --- | --- | --- |"]
    total = tp["extract"] + tp["exports"] + tp.get("shacl_check", 0.0)
    parts = [("spaCy parse, bare pipeline (`nlp.pipe`)", tp["bare"]),
             ("spaCy parse, kg's pipeline (with kg's rule components)", tp["kg_parse"]),
             ("kg extraction in all (parse + stages + merge)", tp["extract"]),
             *[(f"export `{k}`", v) for k, v in tp["per_format"].items()],
             *([("SHACL check of the merged graph", tp["shacl_check"])] if "shacl_check" in tp else [])]
    lines += [f"| {k} | {v:.1f} | {v / total:.0%} |" for k, v in parts]
    lines += ["", "The exports are written one at a time inside one `shared_emission()` block, as "
              "`kg build` writes them: the first RDF format's time includes the emission of the "
              "statements that all RDF formats share."]
    own_all = tp["extract"] - tp["kg_parse"] + tp["exports"] + tp.get("shacl_check", 0.0)
    lines += ["", "kg's pipeline parses faster than the bare one: `kg/speedups.py` gives the "
              "model's attribute ruler and lemmatizer exact look-ups (same `Doc`, tested). "
              "Measured against kg's own parse instead of the bare one, kg's work on top of it "
              f"(stages, merge, exports, check: {own_all:.1f} s) is {own_all / tp['kg_parse']:.0%} "
              "of that parse. The steps of this table run one after another, not alternated: "
              "when the machine's speed drifts between them (compare the whole builds above), "
              "these shares drift with it."]
    stages = tp.get("stages") or {}  # filled from the "stages" step
    if stages:
        own = max(tp["extract"] - tp["kg_parse"], 0.0)
        lines += ["", f"kg's own extraction work (extraction minus its parse: {own:.1f} s) by "
                  "stage, as shares measured with cProfile on the first 100 documents "
                  "(the rest is the runner, batching and merging):", "",
                  "| stage | share of kg's own work | ≈ seconds |", "| --- | --- | --- |"]
        lines += [f"| `{k}` | {v:.0%} | {v * own:.1f} |" for k, v in stages.items()]
    if lt:
        lines += ["", "One long article (synthetic paragraphs joined into one text): kg's extraction "
                  "against bare spaCy piping the same 50,000-character pieces kg parses:", "",
                  "| characters | bare spaCy | kg extraction | ratio | entities | relations |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {m['chars']:,} | {m['bare']:.1f} s | {m['kg']:.1f} s | {m['bare'] / m['kg']:.2f} "
                  f"| {m['entities']:,} | {m['relations']:,} |" for m in lt]
    shacl = tp.get("shacl") or []
    if shacl:
        lines += ["", "`kg build` checks the graph against kg's SHACL shapes before writing, unless "
                  "`--no-validate` (SPARQL on Oxigraph preselects the nodes that may break a shape; "
                  "pyshacl checks those; the whole-graph SPARQL shapes run on Oxigraph):",
                  "", "| documents | SHACL check | per document |", "| --- | --- | --- |"]
        lines += [f"| {m['docs']} | {m['seconds']:.1f} s | {m['seconds'] / m['docs'] * 1000:.0f} ms |"
                  for m in shacl]
    lines += ["", f"Re-run detail: a bare `kg --version` takes {rr['startup']:.1f} s (imports); the rest of "
              "the re-run is reading and hashing every file and finding in the "
              "store that the exports are up to date (so the merged graph is not rebuilt and no "
              "export is rendered again). Both builds use `--no-validate`.", ""]
    if kr:
        lines += [f"kg's own exporter on a synthetic graph of {kr['triples']:,} triples (the path "
                  f"`kg build` takes, streaming; the statements are sorted on disk at this size): "
                  f"Turtle {kr['kg_ttl']:.1f} s, N-Triples {kr['kg_nt']:.1f} s.", ""]
    if rdf is not None:
        lines += [f"RDF detail: kg graph → rdflib graph {rdf['kg_to_rdflib']:.1f} s; pyoxigraph bulk "
                  f"load of the N-Triples {rdf['ox_load']:.1f} s; the query returns {rdf['rows']} rows "
                  "on both engines; the graph is synthetic, shaped like kg's (mentions, facts with "
                  "reified provenance).", ""]
    lines += [
              "### Peak memory as the corpus grows", "",
              "Short synthetic articles (4 sentences). *Extraction* fills a store with "
              "`Corpus.update` alone (documents stream through, a few batches at a time); "
              "*exports* is `kg build --store` on that store, which has nothing left to "
              "extract but rebuilds the merged graph (held in memory) and streams every export "
              "into its temp file (`--no-validate`).", "",
              "| documents | triples | extraction: peak RSS | per 1,000 docs | time "
              "| exports: peak RSS | per 1,000 docs | time |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for m in mem:
        lines.append(f"| {m['docs']:,} | {m['triples']:,} | {m['update_mb']:.0f} MB "
                     f"| {m['update_mb'] * 1000 / m['docs']:.0f} MB | {m['update_s']:.0f} s "
                     f"| {m['build_mb']:.0f} MB | {m['build_mb'] * 1000 / m['docs']:.0f} MB "
                     f"| {m['build_s']:.0f} s |")
    if len(mem) > 1:
        a, b = mem[0], mem[-1]
        grow = {k: (b[k] - a[k]) / (b["docs"] - a["docs"]) * 1000 for k in ("update_mb", "build_mb")}
        lines += ["", f"Growth from {a['docs']:,} to {b['docs']:,} documents, per 1,000 more: "
                  f"extraction {grow['update_mb']:+.0f} MB, exports {grow['build_mb']:+.0f} MB "
                  "(the fixed part is Python, spaCy and the model)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--memory", default="500,1000,2000")
    ap.add_argument("--long", default="50000,200000,1000000", help="characters of the long-text runs")
    ap.add_argument("--skip", default="jobs,rdf", help="steps not to run (jobs: in-process "
                    "--jobs timing, superseded by builds; rdf: rdflib at 1M triples, ~40 min)")
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--only", default="", help="comma-separated steps to (re)run; "
                    "the others are taken from --raw")
    ap.add_argument("--note", default="", help="a line printed under the machine table")
    ap.add_argument("--raw", default=None, help="JSON file of every step's measurements "
                    "(read with --only, always written)")
    args = ap.parse_args()
    info = machine()
    work = Path(tempfile.mkdtemp())
    folder = work / "corpus"
    write_corpus(folder, args.docs)
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())]
    steps = json.loads(Path(args.raw).read_text()) if args.raw and Path(args.raw).exists() else {}
    only = set(filter(None, args.only.split(",")))
    words = sum(len(t.split()) for t in texts)
    for name, fn in (("builds", lambda: cli_builds(folder, words)),
                     ("throughput", lambda: throughput(folder, texts)),
                     ("longtext", lambda: long_text([int(x) for x in args.long.split(",")])),
                     ("stages", lambda: stage_shares(texts)),
                     ("shacl", lambda: shacl_scaling(texts)),
                     ("jobs", lambda: jobs_speedup(folder)),
                     ("rerun", lambda: rerun(folder)),
                     ("rdf", lambda: rdf_engines(args.triples)),
                     ("kgrdf", lambda: kg_turtle(args.triples)),
                     ("memory", lambda: peak_memory([int(x) for x in args.memory.split(",")], 1))):
        if (only and name not in only) or (not only and name in args.skip.split(",")):
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        steps[name] = fn()
        print(json.dumps(steps[name], default=str), file=sys.stderr, flush=True)
    if args.raw:
        Path(args.raw).write_text(json.dumps(steps, indent=1, default=str))
    if only and not only & set(steps):  # a report from saved measurements only
        del info["load average at start"]
    else:
        info["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    steps["throughput"]["stages"] = steps.get("stages")
    steps["throughput"]["shacl"] = steps.get("shacl")
    if args.note:
        info["note"] = args.note
    text = report(info, steps["throughput"], steps.get("jobs"), steps["rerun"], steps.get("rdf"),
                  steps["memory"], args.docs, steps.get("builds"), steps.get("longtext"),
                  steps.get("kgrdf"))
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
