"""Interactive graph pages: the whole map, a person's web (ego view) and the silo view.

Every page is drawn from the viewer's graph (:func:`graph_models.visibility.public_graph`
with hidden people left out), so nothing a person did not agree to share reaches the
browser. Assets are served from our own ``/static/vis/`` route: the pages load nothing
from any other host. ``?download=1`` returns a standalone file (assets inlined) that
works when opened from disk with no network.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, Response, abort, send_file, url_for
from marshmallow import fields, validate

from graph_models.analysis.report import NODE_METRICS
from graph_models.model import KIND_NAME_PATTERN
from graph_models.visibility import MIN_GROUP_SIZE
from service.i18n import drawing_language, gettext, metric_label, ngettext
from service.query import query_args, reads_query
from service.usecases import node_panels, viewer_graphs
from service.web.pages_language import offered_language, query_language, switch_links
from visualisations import assets
from visualisations.labels import restrict
from visualisations.render import render_ego, render_map, render_silos

bp = Blueprint("graph_views", __name__)

ASSET_BASE = "/static/vis"
#: No inline script, nothing from other hosts (vis-network's CSS uses data: images).
GRAPH_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class ViewArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    metric = fields.String(load_default="degree", validate=validate.OneOf(NODE_METRICS))
    group_by = fields.String(load_default="silo", validate=validate.Length(max=80))
    as_of = fields.Date()
    silo = fields.List(fields.String(validate=validate.Length(max=60)))
    #: built-in kinds or the map's own (a kind the map lacks matches no tie)
    kind = fields.List(fields.String(validate=validate.Regexp(KIND_NAME_PATTERN)))
    hops = fields.Integer(load_default=1, validate=validate.Range(min=1, max=3))
    download = fields.Boolean(load_default=False)
    #: shown inside one of our own pages (service.web.pages_graph): framing by this site
    embed = fields.Boolean(load_default=False)
    #: the page in this language (the switch's links; see service.web.pages_language)
    lang = fields.String(validate=offered_language)


def _language(args: dict) -> dict:
    """The drawing's language keywords (:func:`service.i18n.drawing_language`): the page
    in ``?lang=`` if given, with the Cymraeg / English switch on a page opened on its
    own (not inside one of our pages, which have their own, nor a downloaded file)."""
    query_language(args.get("lang"))
    links = [] if args["embed"] or args["download"] else switch_links()
    return {**drawing_language(), "language_links": links}


def _page(html: str, args: dict, filename: str) -> Response:
    response = Response(html, mimetype="text/html")
    if args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    elif args.get("embed"):
        csp = GRAPH_PAGE_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response.headers["Content-Security-Policy"] = GRAPH_PAGE_CSP
    return response


def _metric_name(args: dict) -> str:
    return metric_label(args["metric"])


def _panels(view, map_id: str, args: dict) -> dict:
    """node -> its side panel (:meth:`viewer_graphs.ViewerGraph.panels`) with the links
    it offers: "open their web" (the graph page, drawing their web) and, for
    coordinators, "Edit". A downloaded file gets no links (it is opened from disk)."""
    panels = view.panels()
    if args.get("download"):
        for panel in panels.values():
            panel.pop("open"), panel.pop("edit")
        return panels
    for n, panel in panels.items():
        org = view.graph.nodes[n].get("type") == "organisation"
        kind = "organisations" if org else "people"
        if panel.pop("open"):
            panel["web"] = url_for("pages_graph.graph", map_id=map_id, view="web", node=n)
        if panel.pop("edit"):
            panel["edit_url"] = url_for(f"pages_entities.{kind}_edit", map_id=map_id, entity_id=n)
    return panels


@bp.get("/maps/<map_id>/view")
@reads_query(ViewArgs)
def map_view(map_id):
    """The whole map: colour = silo, size = ``metric``, bridges and cut points marked
    (figures from the map's report, as on the dashboard)."""
    args = query_args()
    language = _language(args)  # first: everything below is in that language
    view = viewer_graphs.whole_map(
        map_id,
        metric=args["metric"],
        group_by=args["group_by"],
        as_of=args.get("as_of"),
        kinds=args.get("kind"),
    )
    G = view.graph
    if args.get("silo"):
        keep = set(args["silo"])
        G = restrict(G, [n for n, g in G.nodes(data="group") if g in keep])
    html = render_map(
        G,
        silo_colours=view.records.map.silo_colours(),
        metrics=view.metrics,
        metric_name=_metric_name(args),
        title=view.records.map.name,
        standalone=args["download"],
        asset_base=ASSET_BASE,
        highlight=view.highlight,
        details=_panels(view, map_id, args),
        details_note=node_panels.visible_only_note(),
        **language,
    )
    return _page(html, args, f"{map_id}-map.html")


@bp.get("/maps/<map_id>/people/<node_id>/view", defaults={"kind": "people"})
@bp.get("/maps/<map_id>/organisations/<node_id>/view", defaults={"kind": "organisations"})
@reads_query(ViewArgs)
def ego_view(map_id, node_id, kind):
    """A person's or organisation's own web: everyone within ``hops`` ties of them
    (``kind`` only names the route: ``url_for(..., kind="people")`` builds a person's)."""
    args = query_args()
    language = _language(args)  # first: everything below is in that language
    web, centre = viewer_graphs.ego(
        map_id,
        node_id,
        hops=args["hops"],
        metric=args["metric"],
        group_by=args["group_by"],
        as_of=args.get("as_of"),
        kinds=args.get("kind"),
    )
    html = render_ego(
        web.graph,
        centre,
        hops=args["hops"],
        silo_colours=web.records.map.silo_colours(),
        metrics=web.metrics,
        metric_name=_metric_name(args),
        standalone=args["download"],
        asset_base=ASSET_BASE,
        details=_panels(web, map_id, args),
        details_note=node_panels.visible_only_note(),
        **language,
    )
    return _page(html, args, f"{map_id}-web.html")


@bp.get("/maps/<map_id>/silos/view")
@reads_query(ViewArgs)
def silo_view(map_id):
    """One node per silo, sized by its people; edges weighted by the ties between
    silos (the report's tie matrix: ties through hidden people count too)."""
    args = query_args()
    language = _language(args)  # first: everything below is in that language
    view = viewer_graphs.whole_map(
        map_id, group_by=args["group_by"], as_of=args.get("as_of"), kinds=args.get("kind")
    )
    G = view.graph
    notice = None
    small = G.graph.get("small_groups") or set()
    if small:
        # viewers: no figure about a group of fewer than five people (DESIGN §4)
        G = restrict(G, [n for n, grp in G.nodes(data="group") if grp not in small])
        notice = ngettext(
            "%(num)s group with fewer than %(size)s people is not shown.",
            "%(num)s groups with fewer than %(size)s people are not shown.",
            len(small),
            size=MIN_GROUP_SIZE,
        )
    html = render_silos(
        G,
        attribute="group",
        silo_colours=view.records.map.silo_colours(),
        title=gettext("%(map)s: silos", map=view.records.map.name),
        standalone=args["download"],
        asset_base=ASSET_BASE,
        **language,
        notice=notice,
        tie_counts=None if args.get("kind") else view.tie_counts,
    )
    return _page(html, args, f"{map_id}-silos.html")


class AssetArgs(ma.Schema):
    """Asset URLs carry their content hash (``?v=``) so browsers may cache them."""

    class Meta:
        unknown = ma.RAISE

    v = fields.String(validate=validate.Length(max=64))


@bp.get(f"{ASSET_BASE}/<path:name>")
@reads_query(AssetArgs)
def vis_asset(name):
    """vis-network (shipped inside the pyvis package) and our page script, served locally."""
    path = assets.asset_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype=assets.asset_mimetype(name), max_age=31536000)
