"""kg.viz and ``kg view`` without a browser: page structure, escaping, determinism."""

from __future__ import annotations

import json
import webbrowser
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from kg import viz
from kg.cli import cli
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.types import (
    Document, Entity, EntityType, Evidence, Extraction, Mention, Polarity, Predicate,
    Relation, Stance,
)

HOSTILE = (
    '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    "<!-- \" ' \\ \n\u2028 \u202eRTL\u200b \x00 &amp; ]]>"
)
LONE = "lone \ud800 surrogate"  # cannot be in a Document (not UTF-8), can be in a name


class _Elements(HTMLParser):
    """Every start tag with its attributes, as the browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = dict(attrs).get("id") if tag == "script" else None

    def handle_data(self, data):
        if self._in:
            self.data[self._in] = self.data.get(self._in, "") + data

    def handle_endtag(self, tag):
        self._in = None


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def _embedded(page: str) -> dict:
    return json.loads(_parse(page).data["kg-data"])


def _entity(id_, name, kind, *, aliases=(), mentions=0, wikidata=None, doc="doc-x"):
    ms = tuple(Mention(doc, 0, 1, name, kind) for _ in range(mentions))
    return Entity(id_, name, kind, frozenset(aliases), ms, wikidata=wikidata)


def _graph(entities, relations=(), stances=(), text="x") -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.add(Extraction(Document.from_text(text, source="t.txt"), tuple(entities),
                      tuple(relations), tuple(stances)))
    return kg


@pytest.fixture
def hostile_kg() -> KnowledgeGraph:
    doc = Document.from_text(f"Evil {HOSTILE} said hi.", source=f"evil{HOSTILE}.txt",
                             title=HOSTILE)
    ev = Evidence(doc.id, doc.text, 0, len(doc.text))
    evil = Entity("evil", HOSTILE, EntityType.COMPANY, frozenset({HOSTILE + "alias", LONE}),
                  wikidata="javascript:alert(1)")
    huge = Entity("huge", "N" * 10_000, EntityType.PERSON)
    topic = Entity("t", HOSTILE, EntityType.TOPIC)
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, (evil, huge, topic),
                      (Relation("huge", Predicate.WORKS_FOR, "evil", ev, 0.7, HOSTILE),),
                      (Stance("s1", "huge", "t", HOSTILE, Polarity.OPPOSES, ev),)))
    return kg


# ---------------------------------------------------------------- self-contained
def test_page_loads_nothing_from_anywhere(small_kg):
    page = viz.render_html(small_kg)
    tags = _parse(page).tags
    for tag, attrs in tags:
        assert not {"src", "href", "srcset", "action", "data"} & set(attrs) or (
            tag == "link" and attrs.get("href") == "data:,"), (tag, attrs)
    assert [t for t, a in tags if t == "script"] == ["script"] * 3
    assert [a.get("type") for t, a in tags if t == "script"][0] == "application/json"
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert f"@version {viz.VIS_NETWORK_VERSION}" in page  # the vendored copy, with its licence
    assert "vis.js is dual licensed" in page


def test_csp_hashes_match_the_inline_scripts(small_kg):
    import base64
    import hashlib
    import re

    page = viz.render_html(small_kg)
    scripts = re.findall(r"<script>(.*?)</script>\n", page, flags=re.S)
    assert len(scripts) == 2
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"sha256-{digest}" in csp


# ---------------------------------------------------------------- determinism
def test_identical_graphs_give_identical_bytes(small_kg, sample_extraction):
    again = KnowledgeGraph()
    again.add(sample_extraction)
    assert viz.render_html(small_kg) == viz.render_html(again)
    # insertion order does not matter either
    shuffled = KnowledgeGraph()
    ex = sample_extraction
    shuffled.add(Extraction(ex.document, tuple(reversed(ex.entities)),
                            tuple(reversed(ex.relations)), ex.stances))
    assert viz.render_html(shuffled) == viz.render_html(small_kg)


def test_large_layouts_are_deterministic():
    kg = _chain(viz.LARGE_GRAPH + 20)
    assert viz.render_html(kg) == viz.render_html(kg)


def test_export_html_is_render_html(small_kg):
    assert serialize(small_kg, "html") == viz.render_html(small_kg)


# ---------------------------------------------------------------- hostile text
def test_hostile_text_is_inert_and_kept_exactly(hostile_kg):
    page = viz.render_html(hostile_kg)
    page.encode("utf-8")  # no lone surrogate reaches the file
    parsed = _parse(page)
    assert [t for t, _ in parsed.tags if t in ("img", "iframe", "object", "embed")] == []
    assert [t for t, _ in parsed.tags].count("script") == 3
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
    assert "<img" not in page and "onerror=\"window" not in page and "\x00" not in page
    data = _embedded(page)
    evil = next(n for n in data["nodes"] if n["id"] == "evil")
    assert evil["kg"]["name"] == HOSTILE
    assert evil["kg"]["aliases"] == sorted([HOSTILE + "alias", LONE])
    assert evil["kg"]["wikidata"] is None  # not a Q-id: never becomes a link
    edge = next(e for e in data["edges"] if e.get("label") == "worksFor")
    assert edge["kg"]["provenance"][0]["rule"] == HOSTILE
    assert data["documents"][next(iter(hostile_kg.documents))]["title"] == HOSTILE
    huge = next(n for n in data["nodes"] if n["id"] == "huge")
    assert len(huge["label"]) <= 32 and len(huge["kg"]["name"]) == 10_000


@pytest.mark.parametrize("text, escaped", [
    ("</script>", "\\u003c/script\\u003e"),
    ("<!--", "\\u003c!--"),
    ("a&b", "a\\u0026b"),
    ("\u2028", "\\u2028"),
    ("\x00", "\\u0000"),
    ("\ud800", "\\ud800"),
])
def test_script_json_escapes(text, escaped):
    out = viz._script_json({"t": text})
    assert escaped in out and json.loads(out) == {"t": text}
    assert out.isascii()


# ---------------------------------------------------------------- legibility
def test_every_type_has_its_own_look():
    looks = {}
    for kind in viz.COLOURS:
        group = viz._group(kind)
        border = group["color"]["border"]
        dashes = bool(group.get("shapeProperties", {}).get("borderDashes"))
        looks[kind] = (group["shape"], group["color"]["background"], border, dashes)
    assert len(set(looks.values())) == len(looks)
    # Position, Stance and Event look like no other type, also in shape
    shapes = [v[0] for v in looks.values()]
    assert shapes.count(looks["Event"][0]) == 1
    assert looks["Stance"][3] and not looks["Position"][3]
    assert len(set(viz.COLOURS.values())) == len(viz.COLOURS)


def test_nodes_edges_and_legend(small_kg):
    data = _embedded(viz.render_html(small_kg))
    ids = [n["id"] for n in data["nodes"]]
    assert ids == sorted(small_kg.graph.nodes)
    assert {(e["from"], e["kg"]["predicate"], e["to"]) for e in data["edges"]} == {
        (s, k, o) for s, o, k in small_kg.graph.edges(keys=True)}
    assert [e["id"] for e in data["edges"]] == [f"e{i}" for i in range(len(data["edges"]))]
    by_type = {t["type"]: t["count"] for t in data["types"]}
    assert by_type == small_kg.summary()["entities"]
    rels = {r["predicate"]: r["count"] for r in data["relations"]}
    assert rels["worksFor"] == 1 and rels["hasStance"] == 1 and rels["about"] == 1
    assert set(data["options"]["groups"]) == set(by_type)
    labels = {e["kg"]["predicate"]: e.get("label") for e in data["edges"]}
    assert labels["worksFor"] == "worksFor" and labels["hasStance"] is None
    stance = next(n for n in data["nodes"] if n["kg"]["type"] == "Stance")
    assert stance["kg"]["polarity"] == "supports" and stance["color"]["border"] == "#2ca02c"
    assert stance["kg"]["provenance"][0]["evidence"].startswith("Acme")


def test_size_grows_with_mentions_and_links():
    doc = "doc-x"
    kg = _graph([_entity("a", "A", EntityType.COMPANY, mentions=9, doc=doc),
                 _entity("b", "B", EntityType.COMPANY, mentions=1, doc=doc)])
    nodes = {n["id"]: n for n in viz.build_network(kg).nodes}
    assert nodes["a"]["size"] > nodes["b"]["size"]


def test_parallel_edges_are_all_kept_and_curved():
    doc = Document.from_text("A and B.", source="t")
    ev = Evidence(doc.id, doc.text, 0, 8)
    a, b, c = (_entity(x, x.upper(), EntityType.PERSON) for x in "abc")
    rels = (Relation("a", Predicate.WORKS_FOR, "b", ev), Relation("a", Predicate.CEO_OF, "b", ev),
            Relation("b", Predicate.FOUNDER_OF, "a", ev), Relation("a", Predicate.PARTNER_OF, "c", ev))
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, (a, b, c), rels))
    edges = viz.build_network(kg).edges
    between = [e for e in edges if {e["from"], e["to"]} == {"a", "b"}]
    assert len(between) == 3
    assert len({e["smooth"]["roundness"] for e in between}) == 3
    single = next(e for e in edges if e["to"] == "c")
    assert "smooth" not in single  # straight unless it shares its ends
    assert single["arrows"]["from"]["enabled"]  # partnerOf is symmetric: two heads
    assert all(e["arrows"] == "to" for e in between)  # directed: one head


def test_former_facts_are_dashed_and_width_follows_confidence():
    doc = Document.from_text("x", source="t")
    ev = Evidence(doc.id, "x", 0, 1)
    a, b, c = (_entity(x, x, EntityType.PERSON) for x in "abc")
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, (a, b, c), (Relation("a", Predicate.WORKS_FOR, "b", ev, 0.5, former=True),
                                        Relation("a", Predicate.WORKS_FOR, "c", ev, 1.0))))
    edges = {e["to"]: e for e in viz.build_network(kg).edges}
    assert edges["b"]["dashes"] and "dashes" not in edges["c"]
    assert edges["b"]["width"] < edges["c"]["width"]


@pytest.mark.parametrize("qid, kept", [
    ("Q380", "Q380"), ("Q1", "Q1"), ("Q0", None), ("q380", None), ("Q38a", None),
    ("javascript:alert(1)", None), ("https://evil.example/", None), (None, None),
])
def test_only_real_wikidata_ids_become_links(qid, kept):
    kg = _graph([_entity("a", "A", EntityType.COMPANY, wikidata=qid)])
    assert viz.build_network(kg).nodes[0]["kg"]["wikidata"] == kept


# ---------------------------------------------------------------- physics and scale
def _chain(n: int) -> KnowledgeGraph:
    doc = Document.from_text(f"chain {n}", source="t")
    ev = Evidence(doc.id, doc.text, 0, 5)
    ents = tuple(_entity(f"n{i:04d}", f"N{i}", EntityType.COMPANY) for i in range(n))
    rels = tuple(Relation(f"n{i:04d}", Predicate.PARTNER_OF, f"n{i + 1:04d}", ev)
                 for i in range(n - 3))  # the last three are loners
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, ents, rels))
    return kg


def test_small_graphs_settle_with_physics_then_stop(small_kg):
    opts = viz.build_network(small_kg).options
    assert opts["physics"]["enabled"] and opts["physics"]["stabilization"]["enabled"]
    assert opts["layout"]["randomSeed"] == 7
    assert all("x" not in n for n in viz.build_network(small_kg).nodes)


@pytest.mark.parametrize("n, physics", [(viz.LARGE_GRAPH + 1, True), (12, False)])
def test_large_or_static_graphs_come_laid_out(n, physics):
    net = viz.build_network(_chain(n), physics=physics)
    assert net.options["physics"] == {"enabled": False}
    points = [(node["x"], node["y"]) for node in net.nodes]
    assert len(set(points)) == n  # nobody on top of anybody
    assert all(isinstance(v, int) for p in points for v in p)


def test_layout_places_loners_apart_and_links_close():
    pos = viz._layout(6, [(0, 1), (1, 2), (2, 3)])
    linked_bottom = max(p[1] for p in pos[:4])
    assert all(p[1] > linked_bottom for p in pos[4:])  # loners below, not flung far out
    assert viz._layout(0, []) == []


def test_empty_graph_renders():
    data = _embedded(viz.render_html(KnowledgeGraph()))
    assert data["nodes"] == [] and data["edges"] == [] and data["types"] == []


# ---------------------------------------------------------------- kg view
@pytest.fixture
def page(tmp_path, small_kg):
    path = tmp_path / "graph.html"
    path.write_text(viz.render_html(small_kg), encoding="utf-8")
    return path


def test_view_prints_the_path_on_a_headless_machine(page, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(viz.sys, "platform", "linux")
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = CliRunner().invoke(cli, ["view", str(page)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{page.resolve()}\n" and opened == []


def test_view_opens_the_default_browser(page, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = CliRunner().invoke(cli, ["view", str(page)])
    assert result.exit_code == 0, result.output
    assert opened == [page.resolve().as_uri()]
    assert result.stdout == "" and result.stderr == f"opened {page.resolve().as_uri()}\n"


@pytest.mark.parametrize("outcome", [False, webbrowser.Error("no runnable browser")])
def test_view_falls_back_to_the_path_when_no_browser_opens(page, monkeypatch, outcome):
    monkeypatch.setenv("DISPLAY", ":0")

    def fake_open(url):
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(webbrowser, "open", fake_open)
    result = CliRunner().invoke(cli, ["view", str(page)])
    assert result.exit_code == 0 and result.stdout == f"{page.resolve()}\n"


def test_view_defaults_to_exports_graph_html(page, monkeypatch):
    monkeypatch.chdir(page.parent)
    (page.parent / "exports").mkdir()
    page.rename(page.parent / "exports" / "graph.html")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(viz.sys, "platform", "linux")
    result = CliRunner().invoke(cli, ["view"])
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("exports/graph.html")


@pytest.mark.parametrize("arg", ["missing.html", "."])
def test_view_missing_graph_is_one_error_line(tmp_path, monkeypatch, arg):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["view", arg])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no graph at '{arg}'; run `kg build` first "
                             "or give the path of a graph.html\n")
    assert result.stdout == ""


def test_bytes_do_not_depend_on_the_hash_seed():
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    script = ("import sys; from tests.test_viz import _chain; from kg.viz import render_html; "
              "sys.stdout.write(render_html(_chain(30)) + render_html(_chain(viz_n)))")
    script = script.replace("viz_n", str(viz.LARGE_GRAPH + 5))
    outs = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "987")}
    assert len(outs) == 1


def test_layout_of_a_big_graph_samples_repulsion_and_stays_deterministic():
    """Past _EXACT linked nodes each step costs O(n): still seeded, finite and spread out."""
    import math

    from kg.viz import _EXACT, _layout

    n = _EXACT + 100
    edges = [(i, (i * 7 + 1) % n) for i in range(n)]
    first = _layout(n, edges, iterations=10)
    assert first == _layout(n, edges, iterations=10)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in first)
    assert len(set(first)) > 0.95 * n  # nodes are not piled on one another


# ---------------------------------------------------------------- speed-ups, same output
@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_batched_json_pieces_join_to_the_one_shot_text(hostile_kg, small_kg, monkeypatch,
                                                        batch):
    monkeypatch.setattr(viz, "_BATCH", batch)
    for kg in (hostile_kg, small_kg, KnowledgeGraph()):
        net = viz.build_network(kg)
        data = {"nodes": net.nodes, "edges": net.edges, "options": net.options,
                "documents": {d: {"title": HOSTILE} for d in ("a", "b", "c", "d", "e")},
                "large": False, "empty": [], "none": {}}
        pieces = list(viz._script_json_pieces(data))
        assert "".join(pieces) == viz._script_json(data)
        if batch == 1:  # item by item: nothing is encoded as one big text
            assert len(pieces) >= len(net.nodes) + len(net.edges) + len(data["documents"])


def test_page_bytes_do_not_depend_on_the_batch_size(hostile_kg, monkeypatch):
    pages = set()
    for batch in (1, 2, 256):
        monkeypatch.setattr(viz, "_BATCH", batch)
        pages.add(viz.render_html(hostile_kg))
    assert len(pages) == 1


def _facts(entities, relations):
    doc = Document.from_text("A and B.", source="t")
    ev = Evidence(doc.id, doc.text, 0, 8)
    kg = KnowledgeGraph()
    facts = tuple(Relation(s, p, o, ev, c) for s, p, o, c in relations)
    kg.add(Extraction(doc, tuple(entities), facts))
    return kg


@pytest.mark.parametrize("name, label", [("Acme", "Acme"), ("", "acme-id"), (" \n ", "acme-id")])
def test_nodes_and_edges_have_what_pyvis_gives_them(name, label):
    """The dicts are made without pyvis, with the keys its add_node and Edge would set."""
    from pyvis.edge import Edge
    from pyvis.network import Network

    kg = _facts([_entity("acme-id", name, EntityType.COMPANY),
                 _entity("p", "Pat", EntityType.PERSON)],
                [("p", Predicate.WORKS_FOR, "acme-id", 0.8),
                 ("p", Predicate.COMPETITOR_OF, "acme-id", 0.5)])
    net = viz.build_network(kg)
    acme = net.node_map["acme-id"]
    assert acme["label"] == label and net.node_ids == ["acme-id", "p"]
    ref = Network(directed=True)
    ref.add_node("acme-id", **{k: v for k, v in acme.items() if k not in ("id", "label")},
                 label=viz._short(name))
    assert ref.nodes == [acme]
    for edge in net.edges:
        rest = {k: v for k, v in edge.items() if k not in ("from", "to")}
        if rest["arrows"] == "to":
            del rest["arrows"]
        assert Edge(edge["from"], edge["to"], True, **rest).options == edge
    arrows = {e["label"]: e["arrows"] for e in net.edges}
    assert arrows["worksFor"] == "to" and set(arrows["competitorOf"]) == {"to", "from"}


def test_degree_counts_every_edge_and_self_loops_twice():
    kg = _facts([_entity("a", "A", EntityType.COMPANY), _entity("b", "B", EntityType.COMPANY),
                 _entity("c", "C", EntityType.COMPANY)],
                [("a", Predicate.PARTNER_OF, "b", 1.0), ("a", Predicate.ACQUIRED, "b", 1.0),
                 ("a", Predicate.SUBSIDIARY_OF, "a", 1.0)])
    degrees = {n["id"]: n["kg"]["degree"] for n in viz.build_network(kg).nodes}
    assert degrees == dict(kg.graph.degree()) and degrees["c"] == 0
