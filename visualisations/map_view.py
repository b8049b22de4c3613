"""The map view: the whole map, one node per person or organisation.

Colour = silo, size = a chosen metric, shape = person (dot) or organisation (square);
ties across silos are drawn darker and thicker than ties within a silo, bridges dashed,
articulation points ringed. Silos are laid out side by side (:func:`group_layout`). A
map of more than :data:`MAX_NODES` nodes is shown as its silo view instead.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx

from visualisations.assets import DEFAULT_ASSET_BASE
from visualisations.i18n import gettext, ngettext, translated
from visualisations.labels import drawable_nodes, restrict, silo_of
from visualisations.layout import group_layout
from visualisations.page import render_page
from visualisations.silo_view import too_large_page
from visualisations.style import silo_palette
from visualisations.visdata import (
    NodeMetric,
    attach_panels,
    count_types,
    drawing_data,
    highlight_sets,
    map_key,
    vis_edges,
    vis_nodes,
)

#: Above this many drawable nodes :func:`render_map` offers the silo view instead.
MAX_NODES = 5000
#: Above this many ties, ties across silos are drawn lighter and thinner.
DENSE_EDGES = 3000


@translated
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
    details: Mapping[Hashable, dict] | None = None,
    details_note: str | None = None,
) -> str:
    """The whole map as an HTML page.

    Parameters
    ----------
    G : the viewer's graph (see :mod:`visualisations.render`), nodes with ``label``.
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
    keep = drawable_nodes(G)
    if max_nodes is not None and len(keep) > max_nodes:
        return too_large_page(G, keep, silo_colours, title, standalone, asset_base, max_nodes)
    H = restrict(G, keep)
    silos = silo_palette(H, silo_colours)
    bridges, aps = highlight_sets(highlight)
    metric = NodeMetric(H, metrics, metric_name)

    index = {n: i for i, n in enumerate(keep)}
    group_of = [silos.index[silo_of(H.nodes[n])] for n in keep]
    edge_list = [(index[u], index[v]) for u, v in H.edges()]
    pos = group_layout(len(keep), edge_list, group_of, len(silos.names), seed)

    shrink = min(1.0, max(0.55, math.sqrt(300 / max(len(keep), 1))))
    sizes = metric.sizes(keep, max(4.0, 6.0 * shrink), 26.0 * shrink)
    nodes = vis_nodes(H, keep, silos, sizes=sizes, pos=pos, metric=metric, articulation_points=aps)
    attach_panels(nodes, keep, details)
    edges, cross = vis_edges(
        H, index, silos, bridges, kind_colours=None, dense=H.number_of_edges() > DENSE_EDGES
    )

    people, orgs = count_types(H, keep)
    summary = " · ".join(
        [
            ngettext("%(num)s person", "%(num)s people", people),
            ngettext("%(num)s organisation", "%(num)s organisations", orgs),
            ngettext(
                "%(num)s tie (%(cross)s across silos)",
                "%(num)s ties (%(cross)s across silos)",
                len(edges),
                cross=cross,
            ),
            gettext("size shows %(metric)s", metric=metric_name),
        ]
    )
    return render_page(
        title=title,
        summary=summary,
        view="map",
        data=drawing_data("map", H, keep, silos, nodes, edges, kind_colours=None),
        standalone=standalone,
        asset_base=asset_base,
        key=map_key(H, keep, aps, edges),
        notes=[
            gettext(
                "Node size shows %(metric)s. Hover for details; scroll to zoom, drag to pan.",
                metric=metric_name,
            ),
        ],
        details_note=details_note,
        empty_message=None
        if nodes
        else gettext("No people or organisations are visible on this map."),
    )
