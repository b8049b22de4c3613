"""The graph page: the interactive views (whole map, silo view, a person's web) inside
our layout, with their controls as a plain GET form. The views themselves are
:mod:`service.web.graph_views`' (embedded with ``embed=1``: framing by this site only).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from graph_models.analysis.report import NODE_METRICS
from graph_models.model import RELATIONSHIP_KINDS
from service.api.context import store
from service.i18n import gettext, lazy_gettext, metric_label
from service.web.pages_entities import KIND_LABELS

bp = Blueprint("pages_graph", __name__)

VIEWS = {"map": lazy_gettext("The whole map"), "silos": lazy_gettext("Silos only")}
METRIC_LABELS = {
    "degree": lazy_gettext("number of ties"),
    "weighted_degree": lazy_gettext("number and strength of ties"),
    "betweenness": lazy_gettext("how often they sit between others"),
    "closeness": lazy_gettext("how close they are to everyone"),
    "pagerank": lazy_gettext("ties to well-tied people"),
    "eigenvector": lazy_gettext("ties to well-tied people"),
    "constraint": lazy_gettext("how closed-in their contacts are"),
    "brokerage": lazy_gettext("brokerage across silos"),
}


@bp.get("/maps/<map_id>/graph")
def graph(map_id):
    m = store().get_map(map_id)
    view = request.args.get("view", "map")
    view = view if view in VIEWS else "map"
    metric = request.args.get("metric", "degree")
    metric = metric if metric in NODE_METRICS else "degree"
    silos = [s for s in request.args.getlist("silo") if s in m.silo_names()]
    kinds = [k for k in request.args.getlist("kind") if k in RELATIONSHIP_KINDS]
    as_of = request.args.get("as_of", "")
    params: list[tuple[str, str]] = [("embed", "1")]
    if view == "map":
        params.append(("metric", metric))
        params += [("silo", s) for s in silos]
    params += [("kind", k) for k in kinds]
    if as_of:
        params.append(("as_of", as_of))
    endpoint = "graph_views.map_view" if view == "map" else "graph_views.silo_view"
    src = url_for(endpoint, map_id=map_id) + "?" + urlencode(params)
    return render_template(
        "graph.html",
        current_map=m,
        view=view,
        views=VIEWS,
        metric=metric,
        metrics=[
            (
                k,
                gettext(
                    "%(metric)s: %(meaning)s", metric=metric_label(k), meaning=METRIC_LABELS[k]
                ),
            )
            for k in NODE_METRICS
        ],
        silos=silos,
        kinds=kinds,
        kind_labels=KIND_LABELS,
        as_of=as_of,
        src=src,
        full=src.replace("embed=1", "embed=0"),
    )
