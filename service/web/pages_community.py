"""A person's or organisation's own web, in plain words: what a community link opens.

Built from the same consent-filtered graph as the ego view
(:func:`service.usecases.viewer_graphs.ego`): nothing outside the web, nobody hidden,
anonymised people only as "a person in <silo>". The policy keeps a community link to
its own node and at most two steps.
"""

from __future__ import annotations

from collections import defaultdict

import marshmallow as ma
from flask import Blueprint, render_template, url_for
from marshmallow import fields, validate

from service.i18n import gettext
from service.query import query_args, reads_query
from service.usecases import viewer_graphs
from service.usecases.context import store

bp = Blueprint("pages_community", __name__)


class WebQuery(ma.Schema):
    """A web is one to three steps out (the policy holds a community link to two)."""

    class Meta:
        unknown = ma.RAISE

    hops = fields.Integer(load_default=1, validate=validate.Range(min=1, max=3))


@bp.get("/maps/<map_id>/people/<node_id>/web", defaults={"kind": "people"})
@bp.get("/maps/<map_id>/organisations/<node_id>/web", defaults={"kind": "organisations"})
@reads_query(WebQuery)
def web(map_id, node_id, kind):
    hops = query_args()["hops"]
    m = store().get_map(map_id)
    ego_web, centre = viewer_graphs.ego(map_id, node_id, hops=hops, figures=False)
    G = ego_web.graph
    me = G.nodes[centre]
    direct = sorted(G.neighbors(centre), key=lambda n: str(G.nodes[n].get("label", "")).casefold())
    by_silo: dict[str, list] = defaultdict(list)
    for n in direct:
        a = G.nodes[n]
        kinds = G.edges[centre, n].get("kinds") or []
        by_silo[a.get("group") or gettext("no silo")].append(
            {"label": a.get("label", ""), "type": a.get("type"), "kinds": kinds}
        )
    own = me.get("group")
    other_silos = sorted(s for s in by_silo if s != own)
    further = [n for n in G if n != centre and n not in set(direct)]
    src = url_for(
        "graph_views.ego_view", map_id=map_id, node_id=node_id, kind=kind, embed=1, hops=hops
    )
    return render_template(
        "community.html",
        current_map=m,
        me=me,
        own=own,
        by_silo=dict(sorted(by_silo.items())),
        other_silos=other_silos,
        direct=len(direct),
        further=len(further),
        hops=hops,
        colours=m.silo_colours(),
        src=src,
        kind=kind,
        node_id=node_id,
    )
