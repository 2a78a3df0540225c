"""Render a KnowledgeGraph as an interactive HTML page (pyvis / vis-network)."""

from __future__ import annotations

import html

from .graph import STANCE, KnowledgeGraph

__all__ = ["COLOURS", "render_html"]

COLOURS = {
    "Company": "#1f77b4", "Organization": "#17becf", "Person": "#ff7f0e",
    "Product": "#2ca02c", "Position": "#9467bd", "Country": "#8c564b",
    "Place": "#bcbd22", "Event": "#e377c2", "Topic": "#7f7f7f", STANCE: "#d62728",
}


def render_html(kg: KnowledgeGraph, *, physics: bool = True) -> str:
    """Return a pyvis page showing every node (coloured by type) and fact edge."""
    from pyvis.network import Network

    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line")
    for node, data in sorted(kg.graph.nodes(data=True)):
        title = html.escape(f"{data['type']}: {data['name']}")
        net.add_node(node, label=data["name"][:40], title=title,
                     color=COLOURS.get(data["type"], "#999999"))
    for s, o, key in sorted(kg.graph.edges(keys=True)):
        net.add_edge(s, o, label=key, title=key)
    net.toggle_physics(physics)
    return net.generate_html()
