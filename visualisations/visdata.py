"""The vis-network data of a drawing: nodes, edges, options, legends and the key.

What a page draws is one JSON object (:func:`vis_data`): the vis-network ``nodes``,
``edges`` and ``options``, and the legend our page script builds. Nodes are numbered
(ids never reach the page) and carry their position, so physics stays off; edges are
ordered so that ties across silos and bridges are drawn on top.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping

import networkx as nx
import numpy as np
from pyvis.network import Network

from visualisations.i18n import gettext, kind_name
from visualisations.labels import (
    clip,
    display_label,
    format_number,
    is_org,
    silo_of,
    silo_text,
    tooltip,
)
from visualisations.style import (
    ARTICULATION_BORDER,
    BRIDGE_COLOUR,
    CROSS_EDGE_COLOUR,
    CROSS_EDGE_COLOUR_DENSE,
    KIND_COLOURS,
    KIND_DASHES,
    ORGANISATION_BORDER,
    OTHER_KIND_COLOUR,
    OTHER_KIND_DASHES,
    SiloPalette,
    node_colour,
    rgba,
    scale_sizes,
)

#: From this size on, hover effects are off and edges hide while dragging/zooming.
BIG_GRAPH_NODES = 1000
BIG_GRAPH_EDGES = 5000
#: Edges are drawn curved only in small graphs (straight lines are much cheaper).
SMOOTH_MAX_EDGES = 400


def structural_highlight(G: nx.Graph, *, include_pendant: bool = False) -> dict:
    """Bridges and articulation points of ``G`` in the form ``render_*`` accept.

    ``include_pendant=False`` drops bridges to a node of degree 1: every person with a
    single tie is on one, and ringing them all would hide the bridges that matter.
    Linear time; works on the viewer's (filtered) graph.
    """
    bridges = [
        (u, v) for u, v in nx.bridges(G) if include_pendant or (G.degree(u) > 1 and G.degree(v) > 1)
    ]
    return {"bridges": bridges, "articulation_points": list(nx.articulation_points(G))}


def highlight_sets(highlight: Mapping[str, Iterable] | None) -> tuple[set, set]:
    """``(bridges, articulation_points)`` of a :func:`structural_highlight` result; each
    bridge as a frozenset pair, so either direction matches."""
    highlight = highlight or {}
    bridges = {frozenset(pair) for pair in highlight.get("bridges") or ()}
    aps = set(highlight.get("articulation_points") or ())
    return bridges, aps


class NodeMetric:
    """The value that sizes each node, and the tooltip lines that report it.

    ``metrics`` is the caller's node -> value (missing, non-numeric or infinite values
    count as 0), or None for the degree in ``G``; the tooltip names the metric only
    when the caller chose one, and always gives the node's ties in ``G``.
    """

    def __init__(self, G: nx.Graph, metrics: Mapping[Hashable, float] | None, name: str):
        self.name = name
        self.chosen = metrics is not None
        self.graph = G
        if metrics is None:
            self.values = dict(G.degree())
        else:
            self.values = {n: _finite(metrics.get(n)) for n in G}

    def sizes(self, nodes: list, low: float, high: float) -> list[float]:
        """Sizes of ``nodes`` from ``low`` to ``high`` by their values."""
        return scale_sizes([self.values[n] for n in nodes], low, high)

    def lines(self, n: Hashable) -> list[str]:
        """Tooltip lines for node ``n``."""
        value = format_number(self.values[n])
        lines = []
        if self.chosen:
            lines.append(gettext("%(metric)s: %(value)s", metric=self.name, value=value))
        lines.append(gettext("ties: %(count)s", count=self.graph.degree(n)))
        return lines


def _finite(value: object) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = 0.0
    return value if math.isfinite(value) else 0.0


def count_types(G: nx.Graph, nodes: Iterable) -> tuple[int, int]:
    """``(people, organisations)`` of ``G``, the organisations counted among ``nodes``."""
    orgs = sum(1 for n in nodes if is_org(G.nodes[n]))
    return G.number_of_nodes() - orgs, orgs


def tie_kinds(attrs: Mapping) -> list[str]:
    """The relationship kinds of a tie: its ``kinds`` list, else its single ``kind``."""
    return [str(k) for k in (attrs.get("kinds") or ([attrs["kind"]] if attrs.get("kind") else []))]


def vis_node(
    i: int,
    G: nx.Graph,
    n: Hashable,
    silos: SiloPalette,
    *,
    size: float,
    xy: np.ndarray,
    articulation: bool,
    extra_lines: list[str],
) -> dict:
    """Node ``n`` as vis node number ``i``: label, tooltip, silo colour, size, position;
    organisations square, articulation points ringed."""
    attrs = G.nodes[n]
    silo = silo_of(attrs)
    node = {
        "id": i,
        "label": display_label(attrs),
        "title": tooltip(G, n, extra_lines, articulation),
        "group": silos.group_id(silo),
        "silo": silo,
        "size": size,
        "x": round(float(xy[0]), 1),
        "y": round(float(xy[1]), 1),
    }
    if is_org(attrs):
        node.update(shape="square", size=round(size * 0.85, 2), borderWidth=2)
        node["color"] = node_colour(silos.colour(silo), border=ORGANISATION_BORDER)
    if articulation:
        node["borderWidth"] = 4
        node["color"] = node_colour(silos.colour(silo), border=ARTICULATION_BORDER)
    return node


def vis_nodes(
    G: nx.Graph,
    keep: list,
    silos: SiloPalette,
    *,
    sizes: list[float],
    pos: np.ndarray,
    metric: NodeMetric,
    articulation_points: set,
    more_lines: Callable[[Hashable], list[str]] | None = None,
) -> list[dict]:
    """The vis nodes of ``keep``, numbered in its order; tooltips report ``metric`` and
    then ``more_lines(n)``."""
    return [
        vis_node(
            i,
            G,
            n,
            silos,
            size=sizes[i],
            xy=pos[i],
            articulation=n in articulation_points,
            extra_lines=metric.lines(n) + (more_lines(n) if more_lines else []),
        )
        for i, n in enumerate(keep)
    ]


def vis_edges(
    G: nx.Graph,
    index: dict,
    silos: SiloPalette,
    bridges: set,
    *,
    kind_colours: Mapping[str, str] | None,
    dense: bool = False,
) -> tuple[list[dict], int]:
    """Edge dicts, within-silo first then cross-silo then bridges (drawn on top), and
    the number of ties across silos.

    With ``kind_colours`` each tie takes its kind's colour and line pattern
    (:data:`~visualisations.style.KIND_DASHES`); without, ties within a silo
    take the silo's colour, faded, and ties across silos are dark (lighter if ``dense``).
    """
    plain, crossing, bridging = [], [], []
    silo = {n: silo_of(a) for n, a in G.nodes(data=True)}
    for u, v, d in G.edges(data=True):
        cross = silo[u] != silo[v]
        edge = {"from": index[u], "to": index[v], "kinds": tie_kinds(d)}
        strength = d.get("strength")
        if isinstance(strength, (int, float)) and math.isfinite(strength):
            edge["strength"] = strength
        if kind_colours is not None:
            edge["color"] = kind_colours.get(str(d.get("kind")), OTHER_KIND_COLOUR)
            edge["width"] = 2.6 if cross else 1.4
            dashes = kind_dashes(str(d.get("kind")))
            if dashes:
                edge["dashes"] = dashes
        elif cross:
            edge["color"] = CROSS_EDGE_COLOUR_DENSE if dense else CROSS_EDGE_COLOUR
            edge["width"] = 1.4 if dense else 1.8
        else:
            edge["color"] = rgba(silos.colour(silo[u]), 0.38)
            edge["width"] = 1
        if cross:
            edge["cross"] = True
        if bridges and frozenset((u, v)) in bridges:
            edge.update(bridge=True, dashes=[10, 6], width=4.5)
            if kind_colours is None:
                edge["color"] = BRIDGE_COLOUR
            bridging.append(edge)
        else:
            (crossing if cross else plain).append(edge)
    edges = plain + crossing + bridging
    for j, edge in enumerate(edges):
        edge["id"] = j
    return edges, len(crossing) + sum(1 for e in bridging if e.get("cross"))


def attach_panels(nodes: list[dict], keep: list, details: Mapping[Hashable, dict] | None) -> None:
    """Give each vis node (numbered in ``keep``'s order) the side panel the caller made
    for it (``details[n]``: plain strings and lists, shown with ``textContent``)."""
    if not details:
        return
    for node, n in zip(nodes, keep, strict=True):
        panel = details.get(n)
        if panel is not None:
            node["panel"] = panel


def vis_options(n_nodes: int, n_edges: int, *, smooth: dict | bool | None = None) -> dict:
    """vis-network options: physics off (positions are ours), hover and curved edges
    only while the graph is small enough for them to stay cheap."""
    big = n_nodes >= BIG_GRAPH_NODES or n_edges >= BIG_GRAPH_EDGES
    if smooth is None:
        smooth = {"type": "continuous", "roundness": 0.2} if n_edges <= SMOOTH_MAX_EDGES else False
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {
            "hover": not big,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {
                "size": 14,
                "face": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
                "color": "#1f2328",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 9}},
        },
        "edges": {
            "smooth": smooth,
            "selectionWidth": 2,
            "hoverWidth": 0.6,
            "color": {"inherit": False},
            "font": {"size": 12, "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
        },
    }


def silo_legend(silos: SiloPalette, G: nx.Graph, nodes: Iterable) -> list[dict]:
    """One legend entry per silo, in legend order, with its colour and node count."""
    counts = Counter(silo_of(G.nodes[n]) for n in nodes)
    return [
        {
            "name": s,
            "label": silo_text(s, G.graph.get("vocabulary")),
            "colour": silos.colour(s),
            "count": counts[s],
        }
        for s in silos.names
    ]


def kind_dashes(kind: str) -> list[int]:
    """The line pattern of a relationship kind ([] for solid)."""
    return list(KIND_DASHES.get(kind, OTHER_KIND_DASHES))


def kind_legend(G: nx.Graph, kind_colours: Mapping[str, str] | None) -> list[dict]:
    """One legend entry per relationship kind in ``G`` (the vocabulary's order first),
    with its tie count; coloured, and with its line pattern, only when ties are drawn
    by kind."""
    counts: Counter[str] = Counter()
    for _, _, d in G.edges(data=True):
        counts.update(tie_kinds(d))
    order = [k for k in KIND_COLOURS if k in counts] + sorted(set(counts) - set(KIND_COLOURS))
    return [
        {
            "name": k,
            "label": clip(kind_name(k, G.graph.get("vocabulary"))),
            "colour": (kind_colours or {}).get(k, OTHER_KIND_COLOUR if kind_colours else None),
            # the line pattern, as an SVG stroke-dasharray ("" = solid; None: not by kind)
            "dashes": " ".join(map(str, kind_dashes(k))) if kind_colours else None,
            "count": counts[k],
        }
        for k in order
    ]


def map_key(G: nx.Graph, keep: list, articulation_points: set, edges: list[dict]) -> list[dict]:
    """The key of a map or ego drawing: the node shapes and line styles it uses."""
    key = [{"css": "person", "text": gettext("person")}]
    if any(is_org(G.nodes[n]) for n in keep):
        key.append({"css": "org", "text": gettext("organisation")})
    if any(n in articulation_points for n in keep):
        text = gettext("articulation point: without them, part of the map is cut off")
        key.append({"css": "ap", "text": text})
    key.append({"css": "line", "text": gettext("tie within a silo")})
    key.append({"css": "cross", "text": gettext("tie across silos")})
    if any(e.get("bridge") for e in edges):
        text = gettext("bridge: the only link between two parts of the map")
        key.append({"css": "bridge", "text": text})
    return key


def vis_data(
    view: str,
    nodes: list[dict],
    edges: list[dict],
    options: dict,
    *,
    silos: list[dict],
    kinds: list[dict],
    groups: dict,
) -> dict:
    """The page's data island: vis nodes, edges and options (with silo ``groups``), and
    the silo and kind legends."""
    # pyvis's Network is the container for the vis data and options; its add_node /
    # add_edge (quadratic duplicate scan) and write_html (copies lib/ into the working
    # directory) are never called.
    net = Network(height="100%", width="100%", directed=False, cdn_resources="remote")
    net.nodes = nodes
    net.edges = edges
    net.options = {**options, "groups": groups}
    return {
        "view": view,
        "nodes": net.nodes,
        "edges": net.edges,
        "options": net.options,
        "legend": {"silos": silos, "kinds": kinds, "silo_filter": True},
    }


def drawing_data(
    view: str,
    G: nx.Graph,
    keep: list,
    silos: SiloPalette,
    nodes: list[dict],
    edges: list[dict],
    *,
    kind_colours: Mapping[str, str] | None,
) -> dict:
    """:func:`vis_data` for a map or ego drawing of ``keep``: default options, its silo
    legend and its kind legend (coloured when ``kind_colours`` colour the ties)."""
    return vis_data(
        view,
        nodes,
        edges,
        vis_options(len(nodes), len(edges)),
        silos=silo_legend(silos, G, keep),
        kinds=kind_legend(G, kind_colours),
        groups=silos.vis_groups(),
    )
