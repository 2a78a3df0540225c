"""How long graph.html takes to lay out and settle in headless Chromium.

Builds synthetic graphs (seeded, so every run draws the same graph) of several sizes,
renders each with :func:`kg.viz.render_html`, opens it in Debian's ``/usr/bin/chromium``
through Playwright with the network blocked, and reads ``window.kgSettledMs``: the
time from navigation start until the layout has stabilised and physics is switched
off. Writes a markdown table to ``bench/viz_settle.md``.

    python bench/viz_settle.py [--sizes 250 500 1000 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.graph import KnowledgeGraph
from kg.types import (
    Document, Entity, EntityType, Evidence, Polarity, Predicate, Relation, Stance,
)
from kg.viz import LARGE_GRAPH, VIS_NETWORK_VERSION, render_html

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
# roughly the mix of a news corpus: many companies and people, fewer of the rest
MIX = [(EntityType.COMPANY, 30), (EntityType.PERSON, 30), (EntityType.ORGANIZATION, 8),
       (EntityType.PRODUCT, 10), (EntityType.POSITION, 3), (EntityType.COUNTRY, 3),
       (EntityType.PLACE, 5), (EntityType.EVENT, 3), (EntityType.TOPIC, 3)]
PREDICATES = [p for p in Predicate]


def synthetic_graph(n_nodes: int, *, seed: int = 7) -> KnowledgeGraph:
    """About ``n_nodes`` nodes (5% of them stances) and ~1.6 facts per node."""
    rnd = random.Random(seed)
    text = "Synthetic sentence for the layout benchmark."
    doc = Document.from_text(f"{text} ({n_nodes})", source="bench/synthetic")
    kg = KnowledgeGraph()
    kg.documents[doc.id] = doc
    ev = Evidence(doc.id, text, 0, len(text))
    types = [t for t, w in MIX for _ in range(w)]
    n_stances = n_nodes // 20
    ids = []
    for i in range(n_nodes - n_stances):
        kind = rnd.choice(types)
        ent = Entity(f"{kind.value.lower()}-{i}", f"{kind.value} {i}", kind,
                     frozenset({f"Alias {i}"}) if i % 7 == 0 else frozenset())
        kg.add_entity(ent)
        ids.append(ent.id)
    # a few hubs, as real corpora have (big companies, heads of state)
    hubs = ids[: max(5, len(ids) // 100)]
    for i in range(int(1.6 * n_nodes)):
        s = rnd.choice(ids)
        o = rnd.choice(hubs) if rnd.random() < 0.3 else rnd.choice(ids)
        if s == o:
            continue
        kg.add_relation(Relation(s, rnd.choice(PREDICATES), o, ev,
                                 round(rnd.uniform(0.5, 1.0), 2), "bench", rnd.random() < 0.05))
    topics = [i for i in ids if i.startswith("topic-")] or ids[:1]
    for i in range(n_stances):
        kg.add_stance(Stance(f"stance-{i}", rnd.choice(ids), rnd.choice(topics),
                             f"claim number {i}", rnd.choice(list(Polarity)), ev))
    return kg


def renderer_cpu() -> float:
    """CPU seconds used so far by every Chromium renderer process (Linux /proc)."""
    total = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"--type=renderer" not in (proc / "cmdline").read_bytes():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(html_path: Path, browser) -> tuple[float, float, float]:
    """(settle ms from navigation start, wall ms, renderer CPU s) for one load."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                  else (blocked.append(r.request.url), r.abort()))
    page = context.new_page()
    page.goto("about:blank")
    cpu = renderer_cpu()
    start = time.perf_counter()
    page.goto(html_path.as_uri())
    page.wait_for_function("() => document.documentElement.dataset.state === 'settled'",
                           timeout=120_000)
    wall = (time.perf_counter() - start) * 1000
    cpu = renderer_cpu() - cpu
    settle = page.evaluate("window.kgSettledMs")
    physics = page.evaluate("window.network.physics.options.enabled")
    context.close()
    if blocked or physics:
        raise SystemExit(f"bad page: requests {blocked}, physics still on: {physics}")
    return settle, wall, cpu


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 150, 500, 1000, 2000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "viz_settle.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for size in args.sizes:
            kg = synthetic_graph(size)
            path = Path(tmp) / f"graph-{size}.html"
            t0 = time.perf_counter()
            path.write_text(render_html(kg), encoding="utf-8")
            render_ms = (time.perf_counter() - t0) * 1000
            load = os.getloadavg()[0]
            runs = [measure(path, browser) for _ in range(args.runs)]
            settle = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[2] for r in runs)
            n_edges = kg.graph.number_of_edges()
            rows.append((size, n_edges, path.stat().st_size / 1e6, render_ms, settle,
                         max(r[0] for r in runs), cpu, load))
            print(f"{size} nodes: settled in {settle:.0f} ms (median of {args.runs})",
                  file=sys.stderr)
        browser.close()
    lines = [
        "# graph.html: time to settle in headless Chromium",
        "",
        f"`python bench/viz_settle.py` on {cpu_name()} ({os.cpu_count()} CPUs), {version},",
        f"vis-network {VIS_NETWORK_VERSION}, `--disable-gpu`, 1400x900 viewport, network blocked;"
        f" median of {args.runs} loads. Up to {LARGE_GRAPH} nodes the page lays the graph out",
        "with vis-network's physics, then switches it off; above that the layout is computed in",
        "Python (`kg.viz._layout`) and the page runs no physics. *Settle* is navigation start to",
        "layout done, physics off and graph fitted (`window.kgSettledMs`); *renderer CPU* is the",
        "CPU time the page's renderer process used meanwhile (less sensitive to a busy machine);",
        "*render* is `kg.viz.render_html` in Python (layout included).",
        "",
        "| nodes | edges | HTML MB | render ms | settle ms (median) | settle ms (max) "
        "| renderer CPU s | load avg |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, n_edges, mb, render_ms, settle, worst, cpu, load in rows:
        lines.append(f"| {size} | {n_edges} | {mb:.2f} | {render_ms:.0f} | {settle:.0f} | "
                     f"{worst:.0f} | {cpu:.1f} | {load:.1f} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
