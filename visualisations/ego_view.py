"""The ego view: one person's (or organisation's) ties 1-3 hops out.

The centre is drawn larger with an orange ring at the middle of a radial layout
(:func:`ego_layout`); ties are coloured and patterned (dashes) by relationship kind,
so colour alone never tells kinds apart; silo colours and shapes
as in the map view.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import networkx as nx

from visualisations.assets import DEFAULT_ASSET_BASE
from visualisations.i18n import gettext, ngettext, translated
from visualisations.labels import (
    display_label,
    drawable_nodes,
    order_key,
    restrict,
    silo_of,
)
from visualisations.layout import ego_layout
from visualisations.page import render_page
from visualisations.style import (
    CENTRE_BORDER,
    KIND_COLOURS,
    node_colour,
    silo_palette,
    valid_colours,
)
from visualisations.visdata import (
    NodeMetric,
    attach_panels,
    drawing_data,
    highlight_sets,
    map_key,
    vis_edges,
    vis_nodes,
)


@translated
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
    details: Mapping[Hashable, dict] | None = None,
    details_note: str | None = None,
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
    H = restrict(G, drawable_nodes(G))
    if centre not in H:
        raise KeyError("centre is not a visible node of this graph")
    distance = nx.single_source_shortest_path_length(H, centre, cutoff=hops)
    keep = sorted(distance, key=lambda n: (distance[n], order_key(n)))
    E = restrict(H, keep)
    silos = silo_palette(E, silo_colours)
    bridges, aps = highlight_sets(highlight)
    metric = NodeMetric(H, metrics, metric_name)
    kinds = {**KIND_COLOURS, **valid_colours(kind_colours)}

    index = {n: i for i, n in enumerate(keep)}
    pos = ego_layout(E, keep, distance, silos.index)
    centre_label = display_label(E.nodes[centre])

    def steps_away(n: Hashable) -> list[str]:
        if n == centre:
            return []
        return [
            ngettext(
                "%(num)s step from %(name)s",
                "%(num)s steps from %(name)s",
                distance[n],
                name=centre_label,
            )
        ]

    nodes = vis_nodes(
        E,
        keep,
        silos,
        sizes=metric.sizes(keep, 7.0, 22.0),
        pos=pos,
        metric=metric,
        articulation_points=aps,
        more_lines=steps_away,
    )
    attach_panels(nodes, keep, details)
    nodes[index[centre]].update(
        size=36.0,
        borderWidth=6,
        font={"size": 20},
        color=node_colour(silos.colour(silo_of(E.nodes[centre])), border=CENTRE_BORDER),
    )
    edges, cross = vis_edges(E, index, silos, bridges, kind_colours=kinds)

    others = len(keep) - 1
    within = ngettext(
        "%(num)s person or organisation %(within)s",
        "%(num)s people and organisations %(within)s",
        others,
        within=ngettext("within %(num)s hop", "within %(num)s hops", hops),
    )
    ties = ngettext(
        "%(num)s tie (%(cross)s across silos)",
        "%(num)s ties (%(cross)s across silos)",
        len(edges),
        cross=cross,
    )
    summary = f"{within} · {ties}"
    key = [{"css": "centre", "text": gettext("the person or organisation at the centre")}]
    key += [k for k in map_key(E, keep, aps, edges) if k["css"] not in ("line", "cross")]
    key.append(
        {"css": "cross", "text": gettext("thicker: tie across silos (colour and pattern = kind)")}
    )
    return render_page(
        title=title
        if title is not None
        else ngettext(
            "%(name)s: ties within %(num)s hop",
            "%(name)s: ties within %(num)s hops",
            hops,
            name=centre_label,
        ),
        summary=summary,
        view="ego",
        data=drawing_data("ego", E, keep, silos, nodes, edges, kind_colours=kinds),
        standalone=standalone,
        asset_base=asset_base,
        key=key,
        notes=[
            gettext(
                "Tie colour and line pattern show the relationship kind (see the key). "
                "Hover for details."
            )
        ],
        details_note=details_note,
    )
