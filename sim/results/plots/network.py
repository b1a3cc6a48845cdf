"""A drawing of the network: places at their coordinates, rail legs and sea services with
their distances, the hub, borders and sea ports told apart.

The network is given as a :class:`networkx.Graph` whose nodes carry ``label``, ``kind``
(``hub``, ``city``, ``border``, ``seaport``), ``lon`` and ``lat``, and whose edges carry
``mode`` (``rail`` or ``sea``) and ``distance_km``. Building it from a scenario is the caller's
(the results layer does not read scenarios); the coordinates are a sourced reference table
(``docs/reference/places.csv``).
"""

from __future__ import annotations

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.results.plots.style import new_figure, note, styled

KIND_STYLE: dict[str, tuple[str, str, float]] = {
    "hub": ("*", "#d62728", 320.0),
    "city": ("o", "#555555", 50.0),
    "border": ("s", "#e69f00", 90.0),
    "seaport": ("D", "#0072b2", 70.0),
}
"""Marker, colour and size of each kind of place."""
KIND_WORDS: dict[str, str] = {
    "hub": "hub",
    "city": "city on the line",
    "border": "border crossing",
    "seaport": "sea port",
}
MODE_STYLE: dict[str, tuple[str, str, float]] = {
    "rail": ("-", "#333333", 2.0),
    "sea": ("--", "#0072b2", 1.2),
}
"""Line style, colour and width of each mode."""


@styled
def network_map(graph: nx.Graph, title: str, source: str = "") -> Figure:
    """The network at its places' coordinates (longitude east, latitude north), each leg
    labelled with its distance in km; ``source`` is written under the figure."""
    fig = new_figure(9.0, 9.5)
    ax = fig.add_subplot()
    pos = {n: (float(d["lon"]), float(d["lat"])) for n, d in graph.nodes(data=True)}
    for mode, (style, colour, width) in MODE_STYLE.items():
        edges = [(a, b) for a, b, d in graph.edges(data=True) if d["mode"] == mode]
        nx.draw_networkx_edges(
            graph, pos, edgelist=edges, ax=ax, style=style, edge_color=colour, width=width
        )
        nx.draw_networkx_edge_labels(
            graph,
            pos,
            edge_labels={(a, b): f"{graph.edges[a, b]['distance_km']:,.0f} km" for a, b in edges},
            ax=ax,
            font_size=7,
            font_color=colour,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    for kind, (marker, colour, size) in KIND_STYLE.items():
        nodes = [n for n, d in graph.nodes(data=True) if d["kind"] == kind]
        nx.draw_networkx_nodes(
            graph, pos, nodelist=nodes, ax=ax, node_shape=marker, node_color=colour,
            node_size=size,
        )  # fmt: skip
    for n, d in graph.nodes(data=True):
        x, y = pos[n]
        ax.annotate(
            str(d["label"]), (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8
        )
    ax.set_xlabel("longitude (° E)")
    ax.set_ylabel("latitude (° N)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
    handles = [
        Line2D([], [], ls="none", marker=m, color=c, markersize=8, label=KIND_WORDS[k])
        for k, (m, c, _) in KIND_STYLE.items()
    ] + [
        Line2D([], [], ls=s, color=c, lw=w, label=f"{mode} (distance in km)")
        for mode, (s, c, w) in MODE_STYLE.items()
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    fig.suptitle(title)
    if source:
        note(fig, source)
    return fig
