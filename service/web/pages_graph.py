"""The graph page: the interactive views (whole map, silo view, a person's web) inside
our layout, with their controls as a plain GET form. The views themselves are
:mod:`service.web.graph_views`' (embedded with ``embed=1``: framing by this site only).
"""

from __future__ import annotations

from urllib.parse import urlencode

import marshmallow as ma
from flask import Blueprint, render_template, url_for
from marshmallow import fields, validate

from graph_models.analysis.report import NODE_METRICS
from graph_models.model import KIND_NAME_PATTERN
from service.i18n import lazy_gettext
from service.query import query_args, reads_query
from service.usecases.context import store
from service.usecases.reports import paths_being_computed
from service.web.labels import metric_options

bp = Blueprint("pages_graph", __name__)

VIEWS = {
    "map": lazy_gettext("The whole map"),
    "silos": lazy_gettext("Silos only"),
    "web": lazy_gettext("One person's web"),
}


class GraphPageQuery(ma.Schema):
    """The graph page's controls (the same names as the views' own parameters)."""

    class Meta:
        unknown = ma.RAISE

    view = fields.String(load_default="map", validate=validate.OneOf(list(VIEWS)))
    metric = fields.String(load_default="degree", validate=validate.OneOf(NODE_METRICS))
    silo = fields.List(fields.String(validate=validate.Length(max=60)), load_default=list)
    kind = fields.List(
        fields.String(validate=validate.Regexp(KIND_NAME_PATTERN)), load_default=list
    )
    as_of = fields.Date(load_default=None)
    #: whose web (view=web): an id as the asker sees it (checked by the ego view)
    node = fields.String(load_default="", validate=validate.Length(max=200))


@bp.get("/maps/<map_id>/graph")
@reads_query(GraphPageQuery)
def graph(map_id):
    m = store().get_map(map_id)
    args = query_args()
    view, metric, node = args["view"], args["metric"], args["node"]
    if view == "web" and not node:
        view = "map"
    silos = [s for s in args["silo"] if s in m.silo_names()]
    kinds = [k for k in args["kind"] if k in m.kind_names()]  # built-in or the map's own
    as_of = args["as_of"].isoformat() if args["as_of"] else ""
    params: list[tuple[str, str]] = [("embed", "1")]
    if view in ("map", "web"):
        params.append(("metric", metric))
    if view == "map":
        params += [("silo", s) for s in silos]
    params += [("kind", k) for k in kinds]
    if as_of:
        params.append(("as_of", as_of))
    if view == "web":
        src = url_for("graph_views.ego_view", map_id=map_id, node_id=node)
    else:
        endpoint = "graph_views.map_view" if view == "map" else "graph_views.silo_view"
        src = url_for(endpoint, map_id=map_id)
    src += "?" + urlencode(params)
    return render_template(
        "graph.html",
        current_map=m,
        view=view,
        views={k: v for k, v in VIEWS.items() if k != "web" or view == "web"},
        node=node,
        metric=metric,
        metrics=metric_options(),
        metric_pending=metric in ("betweenness", "closeness") and paths_being_computed(map_id),
        silos=silos,
        kinds=kinds,
        kind_names=m.kind_names(),
        as_of=as_of,
        src=src,
        full=src.replace("embed=1", "embed=0"),
    )
