"""Render a KnowledgeGraph as one self-contained, offline, interactive HTML page.

kg makes the node and edge dicts pyvis would (:func:`build_network` returns them as a
pyvis Network) and vis-network options; kg's own template (``kg/templates/graph.html``)
renders them, because pyvis's template loads vis-network and Bootstrap from CDNs even
with ``cdn_resources="in_line"``. vis-network is inlined
from ``kg/static/`` (see its README for version and licence), graph data is embedded
as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&``
escaped, and the page's script is the only code a Content-Security-Policy allows, so
article text can never run. Identical graphs give byte-identical pages.

Examples:
    >>> from kg.graph import KnowledgeGraph
    >>> page = render_html(KnowledgeGraph())
    >>> page.startswith("<!DOCTYPE html>") and "window.network" in page
    True
    >>> any(tag in page for tag in ('<script src', '<link rel="stylesheet', '<iframe'))
    False
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import os
import re
import sys
import webbrowser
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from .collector import no_gc as _no_gc
from .errors import InputError
from .graph import ABOUT, HAS_STANCE, STANCE, KnowledgeGraph

__all__ = [
    "COLOURS", "SHAPES", "LARGE_GRAPH", "VIS_NETWORK_VERSION",
    "build_network", "render_html", "write_html", "open_in_browser",
]

#: Version of the vendored vis-network (``kg/static/vis-network.min.js``).
VIS_NETWORK_VERSION = "9.1.2"

#: Above this many nodes the layout is computed in Python and the page runs no
#: physics (see :func:`build_network`).
LARGE_GRAPH = 150

#: Colour per node type (tab10); shapes tell the types apart too, without colour.
COLOURS = {
    "Company": "#1f77b4", "Organization": "#17becf", "Person": "#ff7f0e",
    "Product": "#2ca02c", "Position": "#9467bd", "Country": "#8c564b",
    "Place": "#bcbd22", "Event": "#e377c2", "Topic": "#7f7f7f", STANCE: "#d62728",
}

#: vis-network shape per node type. Position, Topic and Stance carry their label
#: inside a box or ellipse, so they read as roles and claims rather than actors.
SHAPES = {
    "Company": "square", "Organization": "hexagon", "Person": "dot",
    "Product": "triangle", "Position": "box", "Country": "diamond",
    "Place": "triangleDown", "Event": "star", "Topic": "ellipse", STANCE: "box",
}

# Light fills for label-inside shapes, so dark label text stays readable.
_FILLS = {"Position": "#e7dcf3", "Topic": "#ececec", STANCE: "#fde3e1"}
_POLARITY_BORDER = {"supports": "#2ca02c", "opposes": "#d62728", "neutral": "#7f7f7f"}
_UNKNOWN = ("#999999", "dot")
_QID = re.compile(r"Q[1-9][0-9]{0,11}")
_STANCE_LINKS = (HAS_STANCE, ABOUT)
_SYMMETRIC = {"competitorOf", "partnerOf"}
_LABEL_MAX = 32


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node_size(mentions: int, degree: int) -> float:
    # sqrt keeps hubs big without drowning everything else
    return round(min(44.0, 12.0 + 4.0 * math.sqrt(mentions + degree)), 1)


def _physics(n_nodes: int, enabled: bool) -> dict[str, Any]:
    if not enabled or n_nodes > LARGE_GRAPH:
        # vis-network's Barnes-Hut costs ~0.1 s a step at 2,000 nodes: the layout
        # comes precomputed (see _layout) and the browser only draws it.
        return {"enabled": False}
    return {
        "enabled": True, "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.015,
                             "springLength": 110, "springConstant": 0.08, "damping": 0.5,
                             "avoidOverlap": 1},
        "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 25,
                          "fit": True},
        "minVelocity": 0.75,
    }


#: Up to this many linked nodes the layout's repulsion is exact; past it, sampled.
_EXACT = 2000
_SAMPLE = 500


def _layout(n: int, edges: list[tuple[int, int]], *, iterations: int = 50,
            seed: int = 7) -> list[tuple[int, int]]:
    """Pixel positions for nodes 0..n-1: seeded, vectorised Fruchterman-Reingold.

    Repulsion is exact up to :data:`_EXACT` linked nodes, O(n²) a step in float32
    chunks; past that each node is pushed by a fixed, seeded sample of the others
    (scaled up to stand for all of them), and the step count shrinks, so a step costs
    O(n) and big graphs still render in seconds. Nodes without
    links take no part: they are set out in rows below the rest, where repulsion
    would otherwise fling them far out and shrink everything else to fit.

    Examples:
        >>> _layout(3, [(0, 1)])
        [(..., ...), (..., ...), (..., ...)]
        >>> _layout(3, [(0, 1)]) == _layout(3, [(0, 1)])
        True
    """
    import numpy as np

    linked = sorted({i for e in edges for i in e if e[0] != e[1]})
    where = {node: i for i, node in enumerate(linked)}
    m = len(linked)
    placed: dict[int, tuple[int, int]] = {}
    scale = 110.0  # FR's ideal distance (1 unit), in vis pixels
    if m:
        iterations = max(8, min(iterations, int(iterations * (2000 / m) ** 2)))
        rng = np.random.default_rng(seed)
        x = (rng.random(m) * math.sqrt(m)).astype(np.float32)
        y = (rng.random(m) * math.sqrt(m)).astype(np.float32)
        src = np.array([where[a] for a, b in edges if a != b], dtype=np.intp)
        dst = np.array([where[b] for a, b in edges if a != b], dtype=np.intp)
        heat = math.sqrt(m) / 10
        cooling = heat / (iterations + 1)
        fx, fy = np.empty(m, np.float32), np.empty(m, np.float32)
        sample = None if m <= _EXACT else np.sort(rng.choice(m, _SAMPLE, replace=False))
        weight = np.float32(1.0 if sample is None else m / _SAMPLE)
        # chunks keep memory at 512 x m; the same four buffers serve every chunk
        shape = (min(m, 512), m if sample is None else _SAMPLE)
        dx_, dy_, inv_, sq_ = (np.empty(shape, np.float32) for _ in range(4))
        for _ in range(iterations):
            ox_, oy_ = (x, y) if sample is None else (x[sample], y[sample])
            for a in range(0, m, 512):
                b = min(m, a + 512)
                dx, dy, inv, sq = dx_[:b - a], dy_[:b - a], inv_[:b - a], sq_[:b - a]
                np.subtract(x[a:b, None], ox_[None, :], out=dx)
                np.subtract(y[a:b, None], oy_[None, :], out=dy)
                np.multiply(dx, dx, out=inv)
                inv += np.multiply(dy, dy, out=sq)
                np.maximum(inv, 1e-3, out=inv)
                np.reciprocal(inv, out=inv)
                np.multiply(dx, inv, out=dx).sum(1, out=fx[a:b])
                np.multiply(dy, inv, out=dy).sum(1, out=fy[a:b])
            if sample is not None:
                fx *= weight
                fy *= weight
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            pull = np.hypot(ex, ey)
            ex, ey = ex * pull, ey * pull
            fx -= np.bincount(src, ex, m) - np.bincount(dst, ex, m)
            fy -= np.bincount(src, ey, m) - np.bincount(dst, ey, m)
            fx -= 0.3 * (x - x.mean())  # gravity keeps small components near
            fy -= 0.3 * (y - y.mean())
            length = np.maximum(np.hypot(fx, fy), 1e-9)
            step = np.minimum(length, heat) / length
            x += fx * step
            y += fy * step
            heat -= cooling
        xs, ys = (x - x.mean()) * scale, (y - y.mean()) * scale
        for node, px, py in zip(linked, xs.tolist(), ys.tolist()):
            placed[node] = (int(round(px)), int(round(py)))
    loners = [i for i in range(n) if i not in where]
    if loners:
        xs_ = [p[0] for p in placed.values()] or [0]
        bottom = max((p[1] for p in placed.values()), default=0) + 2 * int(scale)
        per_row = max(8, int(math.sqrt(len(loners)) * 2))
        left = (min(xs_) + max(xs_)) // 2 - (min(per_row, len(loners)) - 1) * 45
        for k, node in enumerate(loners):
            placed[node] = (left + (k % per_row) * 90, bottom + (k // per_row) * 70)
    return [placed[i] for i in range(n)]


def _options(n_nodes: int, physics: bool) -> dict[str, Any]:
    large = n_nodes > LARGE_GRAPH
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 100},
        "nodes": {
            "borderWidth": 1.5,
            "font": {"size": 16, "face": "system-ui, sans-serif", "color": "#1a1a1a",
                     "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"color": "#8a8a8a", "highlight": "#222222", "hover": "#222222"},
            "font": {"size": 12, "face": "system-ui, sans-serif", "color": "#444444",
                     "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
            "scaling": {"label": {"drawThreshold": 5}},
            "smooth": {"enabled": False},
            "selectionWidth": 1.5,
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "keyboard": False, "multiselect": False},
        "physics": _physics(n_nodes, physics),
    }


def _group(kind: str) -> dict[str, Any]:
    """vis-network group options of one node type: styles live once per type."""
    colour, shape = COLOURS.get(kind, _UNKNOWN[0]), SHAPES.get(kind, _UNKNOWN[1])
    if kind in _FILLS:
        fill = _FILLS[kind]
        group: dict[str, Any] = {
            "shape": shape, "borderWidth": 2,
            "color": {"background": fill, "border": colour,
                      "highlight": {"background": "#ffffff", "border": colour},
                      "hover": {"background": "#ffffff", "border": colour}},
        }
    else:
        group = {
            "shape": shape,
            "color": {"background": colour, "border": "#333333",
                      "highlight": {"background": colour, "border": "#000000"},
                      "hover": {"background": colour, "border": "#000000"}},
        }
    if kind == STANCE:
        group.update(shapeProperties={"borderDashes": [5, 3]},
                     font={"size": 13, "face": "Georgia, serif", "color": "#3a1a1a"})
    return group


def _entity_node(node: str, data: dict[str, Any], degree: int) -> dict[str, Any]:
    kind = data["type"]
    qid = data.get("wikidata")
    mentions = data.get("mentions") or []
    label = _short(data["name"])
    # the keys pyvis's add_node would give: its id, its label (the id when the label
    # is empty), the group's own shape; no colour, since a group is set
    node_: dict[str, Any] = {
        "id": node, "label": label or node, "group": kind,
        "shape": SHAPES.get(kind, _UNKNOWN[1]),
        "kg": {
            "type": kind, "name": data["name"], "aliases": sorted(data.get("aliases") or []),
            "wikidata": qid if isinstance(qid, str) and _QID.fullmatch(qid) else None,
            "mentions": len(mentions),
            "docs": sorted({m["doc"] for m in mentions if m.get("doc")}),
            "degree": degree,
        },
    }
    if kind not in _FILLS:  # label-inside shapes size to their label instead
        size = _node_size(len(mentions), degree)
        node_["size"] = max(size, 26.0) if kind == "Event" else size
    return node_


def _stance_node(node: str, data: dict[str, Any]) -> dict[str, Any]:
    polarity = data.get("polarity", "neutral")
    border = _POLARITY_BORDER.get(polarity, _POLARITY_BORDER["neutral"])
    claim = data.get("claim") or data["name"]
    info = {
        "type": STANCE, "name": claim, "aliases": [],
        "claim": claim, "polarity": polarity,
        "verb": data.get("verb") or "", "holder": data.get("holder"),
        "topic": data.get("topic"), "confidence": data.get("confidence"),
        "provenance": data.get("provenance") or [],
    }
    # polarity shows as the border colour: the only per-node style a stance has
    return {
        "id": node, "label": "“" + _short(claim, 28) + "”", "group": STANCE,
        "shape": SHAPES[STANCE],
        "color": {"background": _FILLS[STANCE], "border": border,
                  "highlight": {"background": "#ffffff", "border": border},
                  "hover": {"background": "#ffffff", "border": border}},
        "kg": info,
    }


def _edge(index: int, s: str, o: str, key: str, data: dict[str, Any],
          bend: int) -> dict[str, Any]:
    # the keys pyvis's Edge would give, "arrows": "to" (a directed network's) included
    if key in _STANCE_LINKS:
        # dotted and red says "stance link" (see the legend); dozens of "hasStance"
        # labels around one speaker would bury the facts' labels; short springs: a
        # claim sits next to its speaker and its topic
        edge: dict[str, Any] = {
            "id": f"e{index}", "from": s, "to": o, "arrows": "to",
            "color": {"color": "#e08a84", "highlight": "#a3231b", "hover": "#a3231b"},
            "dashes": [2, 4], "width": 1, "length": 90,
            "kg": {"predicate": key, "stance": True},
        }
    else:
        confidence = float(data.get("confidence", 1.0))
        former = data.get("former")
        edge = {
            "id": f"e{index}", "label": key, "from": s, "to": o,
            "arrows": ({"to": {"enabled": True, "scaleFactor": 0.6},
                        "from": {"enabled": True, "scaleFactor": 0.6}}
                       if key in _SYMMETRIC else "to"),
            "width": round(1.0 + 2.5 * confidence, 2),
            "kg": {"predicate": key, "confidence": confidence, "former": bool(former),
                   "provenance": data.get("provenance") or []},
        }
        if former:
            edge["dashes"] = [8, 5]
    if bend:
        # parallel edges: each one its own curve, so none hides another
        edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": round(0.18 * bend, 2)}
    return edge


class _Network:
    """What the page needs of a network: node and edge dicts, vis options."""

    __slots__ = ("nodes", "edges", "options")

    def __init__(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
                 options: dict[str, Any]) -> None:
        self.nodes, self.edges, self.options = nodes, edges, options


def _network(kg: KnowledgeGraph, physics: bool) -> _Network:
    # the dicts pyvis would build, made directly: pyvis's add_node checks each id
    # against a list of all ids (quadratic), and importing pyvis costs ~0.3 s
    with _no_gc():
        return _make_network(kg.graph, physics)


def _make_network(g: Any, physics: bool) -> _Network:
    edges_ = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    degree: Counter[str] = Counter()
    pair_total: Counter[frozenset[str]] = Counter()
    for s, o, _, _ in edges_:
        degree[s] += 1  # a self-loop counts twice, as in networkx
        degree[o] += 1
        pair_total[frozenset((s, o))] += 1
    nodes = [_stance_node(node, data) if data["type"] == STANCE
             else _entity_node(node, data, degree[node])
             for node, data in sorted(g.nodes(data=True))]
    pair_seen: Counter[frozenset[str]] = Counter()
    edges = []
    for index, (s, o, key, data) in enumerate(edges_):
        pair = frozenset((s, o))
        bend = 0
        if pair_total[pair] > 1:
            bend = pair_seen[pair] = pair_seen[pair] + 1
        edges.append(_edge(index, s, o, key, data, bend))
    options = _options(len(nodes), physics)
    options["groups"] = {t: _group(t) for t in sorted({n["group"] for n in nodes})}
    if not options["physics"]["enabled"]:
        index_of = {n["id"]: i for i, n in enumerate(nodes)}
        links = [(index_of[e["from"]], index_of[e["to"]]) for e in edges]
        for n, (x, y) in zip(nodes, _layout(len(nodes), links)):
            n["x"], n["y"] = x, y
    return _Network(nodes, edges, options)


def build_network(kg: KnowledgeGraph, *, physics: bool = True):
    """Build the pyvis Network for ``kg``: styled nodes, labelled edges, options.

    Nodes and edges are added in sorted order with deterministic ids (``e0``, ``e1``,
    ...); each carries a ``kg`` dict (type, aliases, Wikidata id, provenance) that the
    page's script reads.

    Args:
        kg: the graph to draw.
        physics: let the page lay the graph out with a force simulation that stops
            once settled; ``False`` (or more than :data:`LARGE_GRAPH` nodes) gives every
            node a precomputed position instead and the page runs no physics.

    Returns:
        A ``pyvis.network.Network`` whose ``options`` is a plain vis-network dict.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> from kg.types import Entity, EntityType, Extraction, Document
        >>> g = KnowledgeGraph()
        >>> g.add(Extraction(Document.from_text("x"), (Entity("acme", "Acme", EntityType.COMPANY),)))
        >>> net = build_network(g)
        >>> [(n["id"], n["group"], n["kg"]["type"]) for n in net.nodes]
        [('acme', 'Company', 'Company')]
        >>> net.options["groups"]["Company"]["shape"]
        'square'
        >>> net.options["layout"]["randomSeed"]
        7
    """
    from pyvis.network import Network

    built = _network(kg, physics)
    net = Network(directed=True, cdn_resources="in_line")
    net.nodes, net.edges, net.options = built.nodes, built.edges, built.options
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    return net


def _legend(net) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    types = Counter(n["kg"]["type"] for n in net.nodes)
    order = [*COLOURS, *sorted(set(types) - set(COLOURS))]
    type_rows = [
        {"type": t, "count": types[t], "colour": COLOURS.get(t, _UNKNOWN[0]),
         "shape": SHAPES.get(t, _UNKNOWN[1]), "fill": _FILLS.get(t)}
        for t in order if types[t]
    ]
    preds = Counter(e["kg"]["predicate"] for e in net.edges)
    rel_rows = [{"predicate": p, "count": preds[p], "stance": p in _STANCE_LINKS}
                for p in sorted(preds, key=lambda p: (p in _STANCE_LINKS, p))]
    return type_rows, rel_rows


def _script_json(value: Any) -> str:
    """JSON that is inert inside ``<script type="application/json">``.

    ASCII-only (lone surrogates and NULs become escapes) with ``<``, ``>`` and ``&``
    escaped, so no article text can close the element or open a comment.

    Examples:
        >>> _script_json({"t": "</script><b>&"})
        '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=None)
def _asset(folder: str, name: str) -> str:
    text = (files("kg") / folder / name).read_text(encoding="utf-8")
    closer = "</script" if name.endswith(".js") else "</style"
    if closer in text.lower():
        raise RuntimeError(f"{folder}/{name} contains {closer!r} and cannot be inlined")
    return text


@lru_cache(maxsize=None)
def _page_template() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kg", "templates"),
                      autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
    return env.get_template("graph.html")


@lru_cache(maxsize=None)
def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(kg: KnowledgeGraph, *, physics: bool = True, title: str = "kg graph") -> str:
    """Return one self-contained HTML page that explores ``kg``; no network needed.

    The page shows a legend with type and relation filters, a search box (name or
    alias), a fit button, hover tooltips and a side panel with each node's facts,
    evidence and confidence. Its vis Network object is ``window.network``.

    Args:
        kg: the graph to draw.
        physics: see :func:`build_network`.
        title: the page title (HTML-escaped).

    Returns:
        The page as text (what :func:`write_html` writes); identical graphs give
        identical text.

    Examples:
        >>> from kg.graph import KnowledgeGraph
        >>> from kg.types import Entity, EntityType, Extraction, Document
        >>> g = KnowledgeGraph()
        >>> g.add(Extraction(Document.from_text("x"), (Entity("x", "<img onerror=x>", EntityType.PERSON),)))
        >>> page = render_html(g)
        >>> "<img" in page, "\\\\u003cimg onerror=x\\\\u003e" in page
        (False, True)
        >>> render_html(g) == page
        True
    """
    buf = io.BytesIO()
    write_html(kg, buf, physics=physics, title=title)
    return buf.getvalue().decode("utf-8")


# stands in for the graph data while the template renders; the page is then written
# around it, the data piece by piece (NUL occurs in no asset and no escaped title)
_DATA_MARK = "\x00kg-data-json\x00"


def write_html(kg: KnowledgeGraph, fh: Any, *, physics: bool = True,
               title: str = "kg graph") -> None:
    """Write :func:`render_html`'s page as UTF-8 to the binary file ``fh``.

    The graph's data (every node and edge with its provenance) is written a batch of
    nodes or edges at a time, never as one JSON text.

    Examples:
        >>> import io
        >>> from kg.graph import KnowledgeGraph
        >>> buf = io.BytesIO()
        >>> write_html(KnowledgeGraph(), buf)
        >>> buf.getvalue().startswith(b"<!DOCTYPE html>")
        True
    """
    net = _network(kg, physics)
    types, relations = _legend(net)
    documents = {d.id: {"source": d.source, "title": d.title}
                 for _, d in sorted(kg.documents.items())}
    data = {"nodes": net.nodes, "edges": net.edges, "options": net.options,
            "types": types, "relations": relations, "documents": documents,
            "large": len(net.nodes) > LARGE_GRAPH}
    vis_js, app_js = _asset("static", "vis-network.min.js"), _asset("templates", "graph.js")
    page = _page_template().render(
        title=title,
        vis_version=VIS_NETWORK_VERSION,
        script_hashes=" ".join(_csp_hash(s) for s in (vis_js, app_js)),
        # trusted, pre-checked text: the template marks these four |safe
        app_css=_asset("templates", "graph.css"),
        vis_js=vis_js,
        app_js=app_js,
        data_json=_DATA_MARK,
        n_nodes=len(net.nodes),
        n_edges=len(net.edges),
    )
    head, mark, tail = page.partition(_DATA_MARK)
    if not mark or _DATA_MARK in tail:  # the title carried the mark: no streaming
        head, tail = page.replace(_DATA_MARK, _script_json(data)), ""
    fh.write(head.encode("utf-8"))
    if mark:
        for piece in _script_json_pieces(data):
            fh.write(piece.encode("utf-8"))
    fh.write(tail.encode("utf-8"))


#: Items JSON-encoded per call: one call per item cost more than the encoding, one
#: call for all would hold the whole text (hundreds of MB on a big corpus) at once.
_BATCH = 256


def _script_json_pieces(data: dict[str, Any]) -> Iterator[str]:
    """:func:`_script_json` of ``data`` in pieces: its lists and dicts some items at a time.

    A batch of items is encoded as one list or dict and its brackets dropped: the
    encoder joins items with the same ``,`` and the escaping is per character, so the
    pieces join to the very text of encoding ``data`` at once.

    Examples:
        >>> value = {"b": [1, {"y": "<", "x": 2}], "a": {"k": [3]}, "c": []}
        >>> "".join(_script_json_pieces(value)) == _script_json(value)
        True
    """
    yield "{"
    for n, key in enumerate(sorted(data)):
        value = data[key]
        yield ("," if n else "") + _script_json(key) + ":"
        if isinstance(value, list):
            yield "["
            for i in range(0, len(value), _BATCH):
                yield ("," if i else "") + _script_json(value[i:i + _BATCH])[1:-1]
            yield "]"
        elif isinstance(value, dict):
            yield "{"
            names = sorted(value)
            for i in range(0, len(names), _BATCH):
                batch = {name: value[name] for name in names[i:i + _BATCH]}
                yield ("," if i else "") + _script_json(batch)[1:-1]
            yield "}"
        else:
            yield _script_json(value)
    yield "}"


def _has_display() -> bool:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_in_browser(path: str | os.PathLike[str]) -> bool:
    """Open the HTML file at ``path`` in the default browser.

    Returns ``False`` when there is no graphical browser to open it in (a headless
    machine, or :mod:`webbrowser` finds none); the caller then shows the path.

    Raises:
        InputError: ``path`` is not an existing file.

    Examples:
        >>> open_in_browser("no/such/graph.html")
        Traceback (most recent call last):
        ...
        kg.errors.InputError: no graph at 'no/such/graph.html'; run `kg build` first or give the path of a graph.html
    """
    target = Path(path)
    if not target.is_file():
        raise InputError(f"no graph at {str(path)!r}; run `kg build` first "
                         "or give the path of a graph.html")
    if not _has_display():
        # console browsers (lynx, w3m) cannot run the page's script
        return False
    try:
        return bool(webbrowser.open(target.resolve().as_uri()))
    except webbrowser.Error:
        return False
