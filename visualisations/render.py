"""Render Bridgemap graphs as HTML pages drawn by vis-network (DESIGN §5).

Three views, each a function returning one HTML string:

* :func:`render_map`: the whole map. Colour = silo, size = a chosen metric, shape =
  person (dot) or organisation (square); ties across silos are drawn darker and
  thicker than ties within a silo, bridges dashed, articulation points ringed.
* :func:`render_ego`: a person's (or organisation's) ties 1-2 hops out, the centre
  highlighted, ties coloured by relationship kind.
* :func:`render_silos`: one node per silo (or other grouping), sized by people,
  joined by the number of ties between them, with the pairs that have no tie at all
  listed beside the graph (:func:`silo_summary` gives the same figures as data).

Contract with the caller: the graph is already filtered for the viewer (hidden people
removed) and every node has a ``label`` (the display name; "a person in housing" for
anonymised people). We render ``label`` and never ``name``; defensively, nodes whose
``visibility`` is ``"hidden"`` are skipped, an anonymised node whose label equals its
name is relabelled, and nothing else about an anonymised person (role, organisation,
area, tags, id) is put in the page. Node ids never reach the page: nodes are numbered.

Safety: the page is our own Jinja template with autoescape on; the graph goes in as a
JSON data island with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped; tooltips are plain
strings, which vis-network 9.1.2 inserts with ``innerText``; the legend and filters are
built with ``textContent``. Nothing is loaded from another host: ``standalone=False``
references the files of :mod:`visualisations.assets` under ``asset_base`` (no inline
script or style at all), ``standalone=True`` inlines them.

Performance: the layout is computed here (per-silo Fruchterman-Reingold in igraph,
silos on a ring) and sent as x/y with physics off, so the browser draws once and is
done; pyvis's ``add_node``/``add_edge`` (quadratic) are bypassed by filling
``Network.nodes``/``Network.edges`` directly, and pyvis never writes files.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from pyvis.network import Network

from visualisations import assets
from visualisations.assets import DEFAULT_ASSET_BASE

__all__ = [
    "DEFAULT_ASSET_BASE",
    "KIND_COLOURS",
    "MAX_NODES",
    "SiloSummary",
    "render_ego",
    "render_map",
    "render_silos",
    "silo_summary",
    "structural_highlight",
]

#: Above this many drawable nodes :func:`render_map` offers the silo view instead.
MAX_NODES = 5000
#: From this size on, hover effects are off and edges hide while dragging/zooming.
BIG_GRAPH_NODES = 1000
BIG_GRAPH_EDGES = 5000
#: Edges are drawn curved only in small graphs (straight lines are much cheaper).
SMOOTH_MAX_EDGES = 400
MAX_LABEL = 200
MAX_PAIRS_SHOWN = 200
NO_GROUP = "(none)"  # graph_models.projection.NO_GROUP

#: Colours of relationship kinds (ego view); kinds outside the vocabulary are grey.
KIND_COLOURS: dict[str, str] = {
    "knows": "#4e79a7",
    "works_with": "#f28e2b",
    "mentors": "#e15759",
    "member_of": "#76b7b2",
    "works_for": "#59a14f",
    "volunteers_at": "#edc948",
    "leads": "#b07aa1",
    "partners_with": "#ff9da7",
    "funds": "#9c755f",
    "commissions": "#7f7f7f",
    "refers_to": "#17becf",
}
OTHER_KIND_COLOUR = "#9aa3ad"

#: Colours for silos/groups that the map's vocabulary does not colour.
FALLBACK_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#808000",
    "#008080",
    "#aa6e28",
    "#800000",
    "#000080",
    "#ffd8b1",
    "#aaffc3",
)
NO_GROUP_COLOUR = "#b7bec6"

CROSS_EDGE_COLOUR = "rgba(52,58,64,0.62)"
CROSS_EDGE_COLOUR_DENSE = "rgba(52,58,64,0.34)"
BRIDGE_COLOUR = "#111111"
ARTICULATION_BORDER = "#111111"
CENTRE_BORDER = "#ff8c00"

_IGRAPH_RNG_LOCK = threading.Lock()
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_TEMPLATES = Path(__file__).resolve().parent / "templates"


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class SiloGroup:
    """One group of the silo view."""

    name: str
    label: str
    people: int
    organisations: int
    internal_ties: int


@dataclass(frozen=True)
class SiloSummary:
    """The figures behind the silo view.

    ``groups`` in display order; ``ties`` maps each pair ``(a, b)`` of group names (in
    ``groups`` order) with at least one tie to the number of ties between them;
    ``unconnected`` lists the pairs with none, in ``groups`` order.
    """

    attribute: str
    groups: list[SiloGroup]
    ties: dict[tuple[str, str], int] = field(default_factory=dict)
    unconnected: list[tuple[str, str]] = field(default_factory=list)


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


def render_map(
    G: nx.Graph,
    *,
    silo_colours: Mapping[str, str] | None = None,
    metrics: Mapping[Hashable, float] | None = None,
    metric_name: str = "degree",
    title: str = "Map",
    standalone: bool = False,
    asset_base: str = DEFAULT_ASSET_BASE,
    highlight: Mapping[str, Iterable] | None = None,
    max_nodes: int | None = MAX_NODES,
    seed: int = 1,
) -> str:
    """The whole map as an HTML page.

    Parameters
    ----------
    G : the viewer's graph (see module docstring), nodes with ``label``.
    silo_colours : silo -> ``#rrggbb`` from the map's vocabulary (its order is the
        legend's order); other silos get colours from a fallback palette.
    metrics : node -> value for node size (e.g. betweenness); default degree.
    metric_name : what ``metrics`` measures, shown in the legend and tooltips.
    title : page heading (escaped).
    standalone : inline every asset (a downloadable file that works from disk with no
        network) instead of referencing them under ``asset_base``.
    highlight : ``{"bridges": [(u, v), ...], "articulation_points": [n, ...]}``
        (see :func:`structural_highlight`); drawn dashed / ringed.
    max_nodes : above this many nodes the page shows the silo view and a form to draw
        one silo (``GET ?silo=<name>``) instead of the whole map; None = always draw.
    seed : layout seed (same graph + seed = same picture).
    """
    keep = _drawable_nodes(G)
    if max_nodes is not None and len(keep) > max_nodes:
        return _render_too_large(G, keep, silo_colours, title, standalone, asset_base, max_nodes)
    H = _restrict(G, keep)
    silos = _silo_palette(H, silo_colours)
    bridges, aps = _highlight_sets(highlight)
    metric = _metric_values(H, metrics)

    index = {n: i for i, n in enumerate(keep)}
    group_of = [silos.index[_silo(H.nodes[n])] for n in keep]
    edge_list = [(index[u], index[v]) for u, v in H.edges()]
    pos = _group_layout(len(keep), edge_list, group_of, len(silos.names), seed)

    shrink = min(1.0, max(0.55, math.sqrt(300 / max(len(keep), 1))))
    sizes = _scale_sizes([metric[n] for n in keep], max(4.0, 6.0 * shrink), 26.0 * shrink)
    nodes = []
    for i, n in enumerate(keep):
        extra = [f"{metric_name}: {_fmt(metric[n])}"] if metrics is not None else []
        extra.append(f"ties: {H.degree(n)}")
        nodes.append(
            _vis_node(
                i,
                H,
                n,
                silos,
                size=sizes[i],
                xy=pos[i],
                articulation=n in aps,
                extra_lines=extra,
            )
        )
    edges, cross = _vis_edges(
        H, index, silos, bridges, kind_colours=None, dense=H.number_of_edges() > 3000
    )

    people, orgs = _count_types(H, keep)
    summary = (
        f"{people:,} {_plural(people, 'person', 'people')} · "
        f"{orgs:,} {_plural(orgs, 'organisation')} · {len(edges):,} {_plural(len(edges), 'tie')}"
        f" ({cross:,} across silos) · size shows {metric_name}"
    )
    key = _map_key(orgs > 0, any(n in aps for n in keep), any(e.get("bridge") for e in edges))
    data = _data(
        "map",
        nodes,
        edges,
        _options(len(nodes), len(edges)),
        silos=_silo_legend(silos, H, keep),
        kinds=_kind_legend(H, None),
        groups=silos.vis_groups(),
    )
    return _page(
        title=title,
        summary=summary,
        view="map",
        data=data,
        standalone=standalone,
        asset_base=asset_base,
        key=key,
        notes=[
            f"Node size shows {metric_name}. Hover for details; scroll to zoom, drag to pan.",
        ],
        empty_message=None if nodes else "No people or organisations are visible on this map.",
    )


def render_ego(
    G: nx.Graph,
    centre: Hashable,
    *,
    hops: int = 1,
    silo_colours: Mapping[str, str] | None = None,
    metrics: Mapping[Hashable, float] | None = None,
    metric_name: str = "degree",
    title: str | None = None,
    standalone: bool = False,
    asset_base: str = DEFAULT_ASSET_BASE,
    highlight: Mapping[str, Iterable] | None = None,
    kind_colours: Mapping[str, str] | None = None,
) -> str:
    """``centre``'s ego network (everyone within ``hops`` ties) as an HTML page.

    The centre is drawn larger with an orange ring; ties are coloured by relationship
    kind (``kind_colours``, default :data:`KIND_COLOURS`); silo colours and shapes as
    in :func:`render_map`. Default title: "<centre's label>: ties within N hop(s)".
    Raises KeyError if ``centre`` is not a visible node of ``G``, ValueError if
    ``hops`` is not 1-3.
    """
    if not isinstance(hops, int) or not 1 <= hops <= 3:
        raise ValueError("hops must be 1, 2 or 3")
    H = _restrict(G, _drawable_nodes(G))
    if centre not in H:
        raise KeyError("centre is not a visible node of this graph")
    distance = nx.single_source_shortest_path_length(H, centre, cutoff=hops)
    keep = sorted(distance, key=lambda n: (distance[n], _order_key(n)))
    E = _restrict(H, keep)
    silos = _silo_palette(E, silo_colours)
    bridges, aps = _highlight_sets(highlight)
    metric = _metric_values(H, metrics)
    kinds = {**KIND_COLOURS, **_valid_colours(kind_colours)}

    index = {n: i for i, n in enumerate(keep)}
    pos = _ego_layout(E, keep, distance, silos.index)
    sizes = _scale_sizes([metric[n] for n in keep], 7.0, 22.0)
    centre_label = _label(E.nodes[centre])
    nodes = []
    for i, n in enumerate(keep):
        extra = [f"{metric_name}: {_fmt(metric[n])}"] if metrics is not None else []
        extra.append(f"ties: {H.degree(n)}")
        if n != centre:
            extra.append(f"{distance[n]} {_plural(distance[n], 'step')} from {centre_label}")
        node = _vis_node(
            i,
            E,
            n,
            silos,
            size=sizes[i],
            xy=pos[i],
            articulation=n in aps,
            extra_lines=extra,
        )
        if n == centre:
            node.update(
                size=36.0,
                borderWidth=6,
                font={"size": 20},
                color=_node_colour(silos.colour(_silo(E.nodes[n])), border=CENTRE_BORDER),
            )
        nodes.append(node)
    edges, cross = _vis_edges(E, index, silos, bridges, kind_colours=kinds)

    people, orgs = _count_types(E, keep)
    summary = (
        f"{len(keep) - 1:,} "
        f"{_plural(len(keep) - 1, 'person or organisation', 'people and organisations')}"
        f" within {hops} {_plural(hops, 'hop')} · {len(edges):,} {_plural(len(edges), 'tie')}"
        f" ({cross:,} across silos)"
    )
    key = _map_key(orgs > 0, any(n in aps for n in keep), any(e.get("bridge") for e in edges))
    key.insert(0, {"css": "centre", "text": "the person or organisation at the centre"})
    key = [k for k in key if k["css"] not in ("line", "cross")]
    key.append({"css": "cross", "text": "thicker: tie across silos (colour = kind)"})
    data = _data(
        "ego",
        nodes,
        edges,
        _options(len(nodes), len(edges)),
        silos=_silo_legend(silos, E, keep),
        kinds=_kind_legend(E, kinds),
        groups=silos.vis_groups(),
    )
    return _page(
        title=title
        if title is not None
        else f"{centre_label}: ties within {hops} {_plural(hops, 'hop')}",
        summary=summary,
        view="ego",
        data=data,
        standalone=standalone,
        asset_base=asset_base,
        key=key,
        notes=["Tie colour shows the relationship kind. Hover for details."],
    )


def silo_summary(G: nx.Graph, attribute: str = "group") -> SiloSummary:
    """Group sizes, tie counts between groups and the pairs of groups with no tie.

    ``attribute`` is the node attribute to group by: ``group`` (the projection's
    ``group_by``), ``silo``, ``area``, ``organisation``... Hidden nodes are skipped.
    Only groups with at least one visible member appear.
    """
    keep = _drawable_nodes(G)
    value = {n: _group_of(G.nodes[n], attribute) for n in keep}
    people: Counter[str] = Counter()
    orgs: Counter[str] = Counter()
    for n in keep:
        (orgs if G.nodes[n].get("type") == "organisation" else people)[value[n]] += 1
    names = _group_order(set(value.values()), people)
    rank = {g: i for i, g in enumerate(names)}
    ties: Counter[tuple[str, str]] = Counter()
    internal: Counter[str] = Counter()
    for u, v in _restrict(G, keep).edges():
        a, b = value[u], value[v]
        if a == b:
            internal[a] += 1
        else:
            ties[(a, b) if rank[a] < rank[b] else (b, a)] += 1
    groups = [
        SiloGroup(g, _group_label(G, g, attribute), people[g], orgs[g], internal[g]) for g in names
    ]
    unconnected = [
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if (a, b) not in ties
    ]
    ordered = dict(sorted(ties.items(), key=lambda kv: (rank[kv[0][0]], rank[kv[0][1]])))
    return SiloSummary(attribute, groups, ordered, unconnected)


def render_silos(
    G: nx.Graph,
    *,
    attribute: str = "group",
    silo_colours: Mapping[str, str] | None = None,
    title: str = "Silos",
    standalone: bool = False,
    asset_base: str = DEFAULT_ASSET_BASE,
    notice: str | None = None,
) -> str:
    """The silo view: one node per group sized by its people, edges = ties between groups.

    The pairs of groups with no tie between them are listed beside the graph (the
    first :data:`MAX_PAIRS_SHOWN`, then a count). ``silo_colours`` colours groups that
    are silos; others get palette colours.
    """
    return _render_silos(G, attribute, silo_colours, title, standalone, asset_base, notice=notice)


# ------------------------------------------------------------------ node text and colour


def _drawable_nodes(G: nx.Graph) -> list:
    return [n for n, a in G.nodes(data=True) if a.get("visibility") != "hidden"]


def _restrict(G: nx.Graph, keep: list) -> nx.Graph:
    """``G`` limited to ``keep`` as a plain graph (subgraph views are slow to iterate)."""
    if len(keep) == G.number_of_nodes():
        return G
    return G.subgraph(keep).copy()


def _order_key(n: Hashable) -> tuple[str, str]:
    return (type(n).__name__, str(n))


def _is_org(attrs: Mapping) -> bool:
    return attrs.get("type") == "organisation"


def _anonymous(attrs: Mapping) -> bool:
    """People are anonymous unless explicitly named (missing visibility = anonymous)."""
    return not _is_org(attrs) and attrs.get("visibility") != "named"


def _clip(text: object, limit: int = MAX_LABEL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _silo(attrs: Mapping) -> str:
    silo = attrs.get("silo")
    return _clip(silo) if isinstance(silo, str) and silo.strip() else NO_GROUP


def _silo_text(silo: str) -> str:
    return "(no silo)" if silo == NO_GROUP else silo


def _label(attrs: Mapping) -> str:
    """The display label; never the name (a generic label if ``label`` is unusable)."""
    label = attrs.get("label")
    if (
        not isinstance(label, str)
        or not label.strip()
        or (_anonymous(attrs) and label == attrs.get("name"))
    ):
        kind = "an organisation" if _is_org(attrs) else "a person"
        return f"{kind} in {_silo_text(_silo(attrs))}"
    return _clip(label)


def _fmt(value: float) -> str:
    if isinstance(value, (int, np.integer)) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return one if n == 1 else (many or one + "s")


def _tooltip(G: nx.Graph, n: Hashable, extra_lines: list[str], articulation: bool) -> str:
    attrs = G.nodes[n]
    silo = _silo_text(_silo(attrs))
    lines = [_label(attrs)]
    if _is_org(attrs):
        kind = attrs.get("org_kind")
        lines.append(" · ".join(["organisation", *([_clip(kind)] if kind else []), silo]))
    elif _anonymous(attrs):
        lines.append(f"person · {silo}")
    else:
        lines.append(f"person · {silo}")
        if attrs.get("role"):
            lines.append(f"role: {_clip(attrs['role'])}")
        org = attrs.get("organisation")
        if org is not None and org in G and G.nodes[org].get("visibility") != "hidden":
            lines.append(f"organisation: {_label(G.nodes[org])}")
    lines.extend(extra_lines)
    if articulation:
        lines.append("articulation point: without them, part of the map is cut off")
    return "\n".join(lines)


def _valid_colour(colour: object) -> str | None:
    if isinstance(colour, str) and _HEX.match(colour.strip()):
        c = colour.strip().lower()
        return "#" + "".join(ch * 2 for ch in c[1:]) if len(c) == 4 else c
    return None


def _valid_colours(colours: Mapping[str, str] | None) -> dict[str, str]:
    out = {}
    for name, colour in (colours or {}).items():
        valid = _valid_colour(colour)
        if valid:
            out[str(name)] = valid
    return out


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _shade(colour: str, factor: float) -> str:
    r, g, b = (max(0, min(255, round(c * factor))) for c in _rgb(colour))
    return f"#{r:02x}{g:02x}{b:02x}"


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = _rgb(colour)
    return f"rgba({r},{g},{b},{alpha})"


def _node_colour(colour: str, *, border: str | None = None) -> dict:
    edge = border or _shade(colour, 0.62)
    return {
        "background": colour,
        "border": edge,
        "highlight": {"background": colour, "border": "#000000"},
        "hover": {"background": colour, "border": "#000000"},
    }


class _Silos:
    """The silos of one drawing: names in legend order, colours, vis group ids."""

    def __init__(self, names: list[str], colours: dict[str, str]):
        self.names = names
        self.index = {s: i for i, s in enumerate(names)}
        self.colours = colours

    def colour(self, silo: str) -> str:
        return self.colours[silo]

    def group_id(self, silo: str) -> str:
        return f"s{self.index[silo]}"

    def vis_groups(self) -> dict:
        return {
            self.group_id(s): {"color": _node_colour(self.colours[s]), "shape": "dot"}
            for s in self.names
        }


def _silo_palette(G: nx.Graph, silo_colours: Mapping[str, str] | None) -> _Silos:
    present = {_silo(a) for _, a in G.nodes(data=True)}
    vocabulary = _valid_colours(silo_colours)
    names = [s for s in (silo_colours or {}) if s in present]
    names += sorted(present - set(names) - {NO_GROUP}, key=str.casefold)
    if NO_GROUP in present:
        names.append(NO_GROUP)
    return _Silos(names, _assign_colours(names, vocabulary))


def _assign_colours(names: list[str], vocabulary: dict[str, str]) -> dict[str, str]:
    used = set(vocabulary.values())
    spare = [c for c in FALLBACK_PALETTE if c not in used]
    colours, k = {}, 0
    for name in names:
        if name in vocabulary:
            colours[name] = vocabulary[name]
        elif name == NO_GROUP:
            colours[name] = NO_GROUP_COLOUR
        else:
            colours[name] = spare[k % len(spare)] if spare else FALLBACK_PALETTE[k % 16]
            k += 1
    return colours


def _highlight_sets(highlight: Mapping[str, Iterable] | None) -> tuple[set, set]:
    highlight = highlight or {}
    bridges = {frozenset(pair) for pair in highlight.get("bridges") or ()}
    aps = set(highlight.get("articulation_points") or ())
    return bridges, aps


def _metric_values(G: nx.Graph, metrics: Mapping[Hashable, float] | None) -> dict:
    if metrics is None:
        return dict(G.degree())
    out = {}
    for n in G:
        value = metrics.get(n)
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = 0.0
        out[n] = value if math.isfinite(value) else 0.0
    return out


def _scale_sizes(values: list[float], low: float, high: float) -> list[float]:
    if not values:
        return []
    arr = np.asarray(values, dtype=float)
    lo, hi = float(arr.min()), float(arr.max())
    if hi - lo <= 1e-12:
        return [round((low + high) / 2.6, 2)] * len(values)
    return np.round(low + (high - low) * np.sqrt((arr - lo) / (hi - lo)), 2).tolist()


def _count_types(G: nx.Graph, nodes: Iterable) -> tuple[int, int]:
    orgs = sum(1 for n in nodes if _is_org(G.nodes[n]))
    return G.number_of_nodes() - orgs, orgs


# ----------------------------------------------------------------------- vis node/edges


def _vis_node(
    i: int,
    G: nx.Graph,
    n: Hashable,
    silos: _Silos,
    *,
    size: float,
    xy: np.ndarray,
    articulation: bool,
    extra_lines: list[str],
) -> dict:
    attrs = G.nodes[n]
    silo = _silo(attrs)
    node = {
        "id": i,
        "label": _label(attrs),
        "title": _tooltip(G, n, extra_lines, articulation),
        "group": silos.group_id(silo),
        "silo": silo,
        "size": size,
        "x": round(float(xy[0]), 1),
        "y": round(float(xy[1]), 1),
    }
    if _is_org(attrs):
        node.update(shape="square", size=round(size * 0.85, 2), borderWidth=2)
        node["color"] = _node_colour(silos.colour(silo), border="#24292f")
    if articulation:
        node["borderWidth"] = 4
        node["color"] = _node_colour(silos.colour(silo), border=ARTICULATION_BORDER)
    return node


def _vis_edges(
    G: nx.Graph,
    index: dict,
    silos: _Silos,
    bridges: set,
    *,
    kind_colours: Mapping[str, str] | None,
    dense: bool = False,
) -> tuple[list[dict], int]:
    """Edge dicts, within-silo first then cross-silo then bridges (drawn on top)."""
    plain, crossing, bridging = [], [], []
    silo_of = {n: _silo(a) for n, a in G.nodes(data=True)}
    for u, v, d in G.edges(data=True):
        su, sv = silo_of[u], silo_of[v]
        cross = su != sv
        kinds = [str(k) for k in (d.get("kinds") or ([d["kind"]] if d.get("kind") else []))]
        edge = {"from": index[u], "to": index[v], "kinds": kinds}
        strength = d.get("strength")
        if isinstance(strength, (int, float)) and math.isfinite(strength):
            edge["strength"] = strength
        if kind_colours is not None:
            edge["color"] = kind_colours.get(str(d.get("kind")), OTHER_KIND_COLOUR)
            edge["width"] = 2.6 if cross else 1.4
        elif cross:
            edge["color"] = CROSS_EDGE_COLOUR_DENSE if dense else CROSS_EDGE_COLOUR
            edge["width"] = 1.4 if dense else 1.8
        else:
            edge["color"] = _rgba(silos.colour(su), 0.38)
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


def _options(n_nodes: int, n_edges: int, *, smooth: dict | bool | None = None) -> dict:
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


def _silo_legend(silos: _Silos, G: nx.Graph, nodes: Iterable) -> list[dict]:
    counts = Counter(_silo(G.nodes[n]) for n in nodes)
    return [
        {"name": s, "label": _silo_text(s), "colour": silos.colour(s), "count": counts[s]}
        for s in silos.names
    ]


def _kind_legend(G: nx.Graph, kind_colours: Mapping[str, str] | None) -> list[dict]:
    counts: Counter[str] = Counter()
    for _, _, d in G.edges(data=True):
        for k in d.get("kinds") or ([d["kind"]] if d.get("kind") else []):
            counts[str(k)] += 1
    order = [k for k in KIND_COLOURS if k in counts] + sorted(set(counts) - set(KIND_COLOURS))
    return [
        {
            "name": k,
            "label": _clip(k.replace("_", " ")),
            "colour": (kind_colours or {}).get(k, OTHER_KIND_COLOUR if kind_colours else None),
            "count": counts[k],
        }
        for k in order
    ]


def _map_key(orgs: bool, aps: bool, bridges: bool) -> list[dict]:
    key = [{"css": "person", "text": "person"}]
    if orgs:
        key.append({"css": "org", "text": "organisation"})
    if aps:
        key.append(
            {"css": "ap", "text": "articulation point: without them, part of the map is cut off"}
        )
    key.append({"css": "line", "text": "tie within a silo"})
    key.append({"css": "cross", "text": "tie across silos"})
    if bridges:
        key.append({"css": "bridge", "text": "bridge: the only link between two parts of the map"})
    return key


# ---------------------------------------------------------------------------- layout


def _fr_unit(n: int, edges: list[tuple[int, int]], rng: np.random.Generator) -> np.ndarray:
    """Fruchterman-Reingold positions of a small graph, centred, scaled to ~unit disc.

    Exact FR (O(n²) per iteration) with an iteration count that keeps the cost bounded;
    igraph's grid variant beyond 600 nodes.
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    init = rng.uniform(-0.5, 0.5, (n, 2)) * math.sqrt(n)
    g = ig.Graph(n=n, edges=edges)
    exact = n <= 600
    niter = int(min(200, max(40, 6e6 / (n * n)))) if exact else 150
    # igraph's FR draws random numbers as it goes: give it our seeded generator so the
    # same graph always gets the same picture.
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(int(rng.integers(2**31))))
        try:
            coords = g.layout_fruchterman_reingold(seed=init.tolist(), niter=niter, grid=not exact)
        finally:
            ig.set_random_number_generator(random)
    return _normalise(np.asarray(coords.coords, dtype=float))


def _normalise(pos: np.ndarray, clip: float = 1.08) -> np.ndarray:
    pos = pos - np.median(pos, axis=0)
    r = np.hypot(pos[:, 0], pos[:, 1])
    scale = float(np.percentile(r, 97)) if len(r) > 2 else float(r.max())
    if scale <= 0:
        return pos
    pos /= scale
    r /= scale
    over = r > clip
    pos[over] *= (clip / r[over])[:, None]
    return pos


def _group_layout(
    n: int, edges: list[tuple[int, int]], group: list[int], k: int, seed: int
) -> np.ndarray:
    """Each group laid out on its own (FR), groups placed around a ring in legend order.

    Nodes with ties to other groups are then pulled towards the side of their group
    facing those groups, so cross-silo ties stay short and boundary spanners sit on
    the rim where they can be seen. Cost: per-group FR, ~0.2 s for 2,000 nodes.
    """
    rng = np.random.default_rng(seed)
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    grp = np.asarray(group)
    members = [np.flatnonzero(grp == g) for g in range(k)]
    local_id = np.zeros(n, dtype=int)
    for m in members:
        local_id[m] = np.arange(len(m))
    inner: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    cross = []
    for a, b in edges:
        if group[a] == group[b]:
            inner[group[a]].append((local_id[a], local_id[b]))
        else:
            cross.append((a, b))
    spacing = 32.0 * min(2.5, max(1.0, (200 / n) ** 0.3))  # roomier when there are few
    radius = np.array([spacing * math.sqrt(max(len(m), 1)) for m in members])
    local = np.zeros((n, 2))
    for g, m in enumerate(members):
        if len(m):
            local[m] = _fr_unit(len(m), inner[g], rng)

    centres = _ring(radius, gap=spacing * 3)
    if cross:
        ca = np.asarray(cross)
        a, b = ca[:, 0], ca[:, 1]
        d = centres[grp[b]] - centres[grp[a]]
        d /= np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
        pull = np.zeros((n, 2))
        count = np.zeros(n)
        np.add.at(pull, a, d)
        np.add.at(pull, b, -d)
        np.add.at(count, a, 1)
        np.add.at(count, b, 1)
        degree = np.bincount(np.asarray(edges).ravel(), minlength=n).astype(float)
        has = count > 0
        frac = np.zeros(n)
        frac[has] = count[has] / degree[has]
        pull[has] /= count[has][:, None]
        local += 0.45 * (frac[:, None] ** 0.5) * pull
        r = np.hypot(local[:, 0], local[:, 1])
        over = r > 1.12
        local[over] *= (1.12 / r[over])[:, None]
    pos = centres[grp] + local * radius[grp][:, None]
    return pos


def _ring(radius: np.ndarray, gap: float) -> np.ndarray:
    """Centres for discs of the given radii placed around a circle without overlap."""
    k = len(radius)
    if k == 1:
        return np.zeros((1, 2))
    span = 2 * radius + gap
    big_r = max(span.sum() / (2 * math.pi), (radius.max() + gap) / math.sin(math.pi / k) / 2)
    big_r = max(big_r, float(radius.max()) + gap / 2)
    angles = (np.cumsum(span) - span / 2) / span.sum() * 2 * math.pi - math.pi / 2
    return np.column_stack([big_r * np.cos(angles), big_r * np.sin(angles)])


def _ego_layout(E: nx.Graph, keep: list, distance: dict, silo_rank: dict[str, int]) -> np.ndarray:
    """Radial layout: the centre (``keep[0]``) at the origin, hop h on ring h.

    The first ring is ordered by silo (then organisations after people, then label),
    so each silo is one arc; each further node sits near the mean angle of its
    neighbours on the ring inside, so branches fan out. Crowded rings are staggered
    over three radii.
    """
    n = len(keep)
    pos = np.zeros((n, 2))
    if n <= 1:
        return pos
    index = {node: i for i, node in enumerate(keep)}
    angle = np.zeros(n)
    rings: dict[int, list[int]] = {}
    for node in keep[1:]:
        rings.setdefault(distance[node], []).append(index[node])
    gap = 58.0  # arc length per node on a ring
    radius = 0.0
    for hop in sorted(rings):
        ring = rings[hop]
        if hop == 1:
            attrs = [E.nodes[keep[i]] for i in ring]
            order = sorted(
                range(len(ring)),
                key=lambda j: (silo_rank[_silo(attrs[j])], _is_org(attrs[j]), _label(attrs[j])),
            )
            ring = [ring[j] for j in order]
            targets = None
        else:
            targets = {}
            for i in ring:
                inner = [angle[index[m]] for m in E[keep[i]] if distance.get(m) == hop - 1]
                targets[i] = math.atan2(
                    sum(math.sin(a) for a in inner), sum(math.cos(a) for a in inner)
                )
            ring = sorted(ring, key=lambda i: targets[i])
        count = len(ring)
        stagger = 3 if count > 60 else 1
        radius = max(radius + 170.0, count * gap / stagger / (2 * math.pi))
        start = -math.pi / 2 if targets is None else targets[ring[0]]
        for j, i in enumerate(ring):
            angle[i] = start + 2 * math.pi * j / count
            r = radius + (j % stagger) * 55.0
            pos[i] = (r * math.cos(angle[i]), r * math.sin(angle[i]))
    return pos


# ---------------------------------------------------------------------------- silo view


def _group_of(attrs: Mapping, attribute: str) -> str:
    value = attrs.get(attribute)
    if attribute == "silo":
        return _silo(attrs)
    if value is None or (isinstance(value, str) and not value.strip()):
        return NO_GROUP
    return _clip(value)


def _is_org_grouping(G: nx.Graph, attribute: str) -> bool:
    return attribute == "organisation" or (
        attribute == "group" and G.graph.get("group_by") == "organisation"
    )


def _is_silo_grouping(G: nx.Graph, attribute: str) -> bool:
    return attribute == "silo" or (
        attribute == "group" and G.graph.get("group_by", "silo") == "silo"
    )


def _group_label(G: nx.Graph, group: str, attribute: str) -> str:
    if group == NO_GROUP:
        return "(no group)"
    if _is_org_grouping(G, attribute) and group in G:
        attrs = G.nodes[group]
        if attrs.get("visibility") != "hidden":
            return _label(attrs)
        return "an organisation"
    return group


def _group_order(names: set[str], people: Counter) -> list[str]:
    rest = sorted(names - {NO_GROUP}, key=lambda g: (-people[g], str(g).casefold()))
    return rest + ([NO_GROUP] if NO_GROUP in names else [])


def _render_silos(
    G: nx.Graph,
    attribute: str,
    silo_colours: Mapping[str, str] | None,
    title: str,
    standalone: bool,
    asset_base: str,
    *,
    notice: str | None = None,
    large_silos: list[dict] | None = None,
) -> str:
    summary_data = silo_summary(G, attribute)
    groups = summary_data.groups
    if _is_silo_grouping(G, attribute):
        vocab = [s for s in (silo_colours or {}) if any(g.name == s for g in groups)]
        order = vocab + [g.name for g in groups if g.name not in vocab]
        by_name = {g.name: g for g in groups}
        groups = [by_name[name] for name in order]
        colours = _assign_colours(order, _valid_colours(silo_colours))
    else:
        colours = _assign_colours([g.name for g in groups], {})
    rank = {g.name: i for i, g in enumerate(groups)}
    label = {g.name: g.label for g in groups}

    k = len(groups)
    ring_r = max(220.0, 80.0 * k / math.pi)
    angles = [2 * math.pi * i / max(k, 1) - math.pi / 2 for i in range(k)]
    max_people = max([g.people for g in groups] or [1]) or 1
    external = Counter()
    for (a, b), c in summary_data.ties.items():
        external[a] += c
        external[b] += c
    missing: dict[str, list[str]] = {g.name: [] for g in groups}
    for a, b in summary_data.unconnected:
        missing[a].append(label[b])
        missing[b].append(label[a])

    nodes = []
    for i, g in enumerate(groups):
        lines = [
            g.label,
            f"{g.people:,} {_plural(g.people, 'person', 'people')} · "
            f"{g.organisations:,} {_plural(g.organisations, 'organisation')}",
            f"{g.internal_ties:,} {_plural(g.internal_ties, 'tie')} within · "
            f"{external[g.name]:,} to other groups",
        ]
        if missing[g.name]:
            shown = missing[g.name][:12]
            more = len(missing[g.name]) - len(shown)
            lines.append(
                "no ties with: " + ", ".join(shown) + (f" and {more} more" if more else "")
            )
        colour = colours[g.name]
        nodes.append(
            {
                "id": i,
                "label": f"{g.label}\n{g.people:,} {_plural(g.people, 'person', 'people')}",
                "title": "\n".join(lines),
                "silo": g.name,
                "shape": "dot",
                "size": round(12 + 38 * math.sqrt(g.people / max_people), 2),
                "color": _node_colour(colour),
                "borderWidth": 2,
                "x": round(ring_r * math.cos(angles[i]), 1) if k > 1 else 0.0,
                "y": round(ring_r * math.sin(angles[i]), 1) if k > 1 else 0.0,
            }
        )
    max_ties = max(summary_data.ties.values(), default=1)
    edges = []
    for j, ((a, b), count) in enumerate(
        sorted(summary_data.ties.items(), key=lambda kv: (rank[kv[0][0]], rank[kv[0][1]]))
    ):
        ra, rb = sorted((rank[a], rank[b]))
        edges.append(
            {
                "id": j,
                "from": ra,
                "to": rb,
                **({"label": f"{count:,}"} if len(summary_data.ties) <= 20 else {}),
                "title": f"{label[a]} ↔ {label[b]}: {count:,} {_plural(count, 'tie')}",
                "width": round(1 + 11 * math.sqrt(count / max_ties), 2),
                "color": "rgba(52,58,64,0.55)",
            }
        )
    silos = _Silos([g.name for g in groups], colours)
    legend = [
        {
            "name": g.name,
            "label": g.label,
            "colour": colours[g.name],
            "count": g.people,
        }
        for g in groups
    ]
    options = _options(len(nodes), len(edges), smooth={"type": "curvedCW", "roundness": 0.12})
    options["interaction"]["hover"] = True
    options["nodes"]["scaling"] = {"label": {"drawThreshold": 3}}
    options["nodes"]["font"]["size"] = 15
    data = _data("silos", nodes, edges, options, silos=legend, kinds=[], groups=silos.vis_groups())
    data["legend"]["silo_filter"] = False
    people = sum(g.people for g in groups)
    n_pairs = k * (k - 1) // 2
    noun = "silo" if _is_silo_grouping(G, attribute) else "group"
    summary = (
        f"{k:,} {_plural(k, noun)} · {people:,} {_plural(people, 'person', 'people')} · "
        f"{sum(summary_data.ties.values()):,} ties between {noun}s · "
        f"{len(summary_data.unconnected):,} of {n_pairs:,} pairs with no tie"
    )
    unconnected = [(label[a], label[b]) for a, b in summary_data.unconnected[:MAX_PAIRS_SHOWN]]
    return _page(
        title=title,
        summary=summary,
        view="silos",
        data=data,
        standalone=standalone,
        asset_base=asset_base,
        key=[],
        notes=[
            "Circle size shows the number of people; line width and number show the "
            "ties between two groups. Hover for details."
        ],
        silo_heading="Groups (people)" if not _is_silo_grouping(G, attribute) else "Silos (people)",
        silo_filter=False,
        unconnected=unconnected,
        unconnected_total=len(summary_data.unconnected),
        notice=notice,
        large_silos=large_silos,
        empty_message=None if nodes else "No people or organisations are visible on this map.",
    )


def _render_too_large(
    G: nx.Graph,
    keep: list,
    silo_colours: Mapping[str, str] | None,
    title: str,
    standalone: bool,
    asset_base: str,
    max_nodes: int,
) -> str:
    H = _restrict(G, keep)
    silos = _silo_palette(H, silo_colours)
    counts = Counter(_silo(H.nodes[n]) for n in keep)
    notice = (
        f"This map has {len(keep):,} people and organisations: more than the {max_nodes:,} "
        "that can be drawn usefully at once. Here is the silo view instead; choose a silo "
        "to draw just that part of the map."
    )
    choices = [{"name": s, "label": _silo_text(s), "count": f"{counts[s]:,}"} for s in silos.names]
    return _render_silos(
        H,
        "silo",
        silo_colours,
        title,
        standalone,
        asset_base,
        notice=notice,
        large_silos=choices,
    )


# ------------------------------------------------------------------------------ page


def _data(
    view: str,
    nodes: list[dict],
    edges: list[dict],
    options: dict,
    *,
    silos: list[dict],
    kinds: list[dict],
    groups: dict,
) -> dict:
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


def _json_for_html(obj: object) -> Markup:
    """JSON safe inside a <script> element: no '<', '>', '&', U+2028 or U+2029 left."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(text)  # noqa: S704 - escaped above; never contains '<'


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _page(
    *,
    title: str,
    summary: str,
    view: str,
    data: dict,
    standalone: bool,
    asset_base: str,
    key: list[dict],
    notes: list[str],
    silo_heading: str = "Silos",
    silo_filter: bool = True,
    unconnected: list[tuple[str, str]] | None = None,
    unconnected_total: int = 0,
    notice: str | None = None,
    large_silos: list[dict] | None = None,
    empty_message: str | None = None,
) -> str:
    context = {
        "title": _clip(title) or "Map",
        "summary": summary,
        "view": view,
        "data_json": _json_for_html(data),
        "standalone": bool(standalone),
        "key": key,
        "notes": notes,
        "silo_heading": silo_heading,
        "silo_filter": silo_filter,
        "unconnected": unconnected,
        "unconnected_total": unconnected_total,
        "notice": notice,
        "large_silos": large_silos,
        "empty_message": empty_message,
        "has_graph": bool(data["nodes"]),
        "aria_label": f"{view} graph: {len(data['nodes'])} nodes, {len(data['edges'])} ties",
        "asset_urls": {},
        "vis_js": "",
        "vis_css": "",
        "app_js": "",
        "app_css": "",
    }
    if standalone:
        vis_js, vis_css = assets.inline_assets()
        app_js, app_css = assets.app_assets()
        # Checked by visualisations.assets: no "</script", "</style" or "<!--" inside.
        context.update(
            vis_js=Markup(vis_js),  # noqa: S704
            vis_css=Markup(vis_css),  # noqa: S704
            app_js=Markup(app_js),  # noqa: S704
            app_css=Markup(app_css),  # noqa: S704
        )
    else:
        context["asset_urls"] = {
            "vis_js": assets.asset_url(assets.VIS_JS, asset_base),
            "vis_css": assets.asset_url(assets.VIS_CSS, asset_base),
            "app_js": assets.asset_url(assets.APP_JS, asset_base),
            "app_css": assets.asset_url(assets.APP_CSS, asset_base),
        }
    return _env().get_template("graph.html").render(**context)
