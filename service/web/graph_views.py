"""Interactive graph pages: the whole map, a person's web (ego view) and the silo view.

Every page is drawn from the viewer's graph (:func:`graph_models.visibility.public_graph`
with hidden people left out), so nothing a person did not agree to share reaches the
browser. Assets are served from our own ``/static/vis/`` route: the pages load nothing
from any other host. ``?download=1`` returns a standalone file (assets inlined) that
works when opened from disk with no network.
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import Blueprint, Response, abort, current_app, request, send_file
from marshmallow import fields, validate

from graph_models.analysis.report import NODE_METRICS, node_metric
from graph_models.errors import InvalidInput, NotFound
from graph_models.model import RELATIONSHIP_KINDS
from graph_models.projection import check_group_by, project
from graph_models.visibility import MIN_GROUP_SIZE, public_graph, small_groups
from service.api.context import full_access, store
from service.i18n import drawing_language, gettext, metric_label, ngettext
from visualisations import assets
from visualisations.labels import restrict
from visualisations.render import render_ego, render_map, render_silos, structural_highlight

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
    kind = fields.List(fields.String(validate=validate.OneOf(list(RELATIONSHIP_KINDS))))
    hops = fields.Integer(load_default=1, validate=validate.Range(min=1, max=3))
    download = fields.Boolean(load_default=False)
    #: shown inside one of our own pages (service.web.pages_graph): framing by this site
    embed = fields.Boolean(load_default=False)


def _args() -> dict:
    raw = {k: v for k, v in request.args.lists()}
    flat = {k: (v if k in ("silo", "kind") else v[-1]) for k, v in raw.items()}
    try:
        args = ViewArgs().load(flat)
    except ma.ValidationError as exc:
        raise InvalidInput(
            gettext("some query parameters are not valid"), exc.normalized_messages()
        ) from None
    check_group_by(args["group_by"])
    return args


def _viewer_graph(records, args, *, small: set | None = None):
    G = project(records, as_of=args.get("as_of") or date.today(), group_by=args["group_by"])
    if args.get("kind"):
        wanted = set(args["kind"])
        G.remove_edges_from([(u, v) for u, v, k in G.edges(data="kinds") if not wanted & set(k)])
    secret = current_app.config["SECRET_KEY"].encode()
    # viewers and community links: anonymised people of small groups count as hidden
    return public_graph(G, secret=secret, keep_hidden=False, viewer=not full_access(), small=small)


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


def ego_graph(map_id: str, node_id: str, args: dict | None = None):
    """``(records, graph, centre)``: a node's web as the asker may see it (the ego view's
    graph, also listed on the community page). ``args`` as :class:`ViewArgs` loads them."""
    args = args or ViewArgs().load({})
    records = store().neighbourhood(map_id, node_id, hops=args["hops"])
    small = None
    if not full_access():  # small groups are judged on the whole map, not the web
        whole = project(store().graph(map_id), group_by=args["group_by"])
        small = small_groups(whole)
    G = _viewer_graph(records, args, small=small)
    centre = G.graph["public_ids"].get(node_id)
    if centre is None or centre not in G:
        raise NotFound(gettext("no person or organisation %(node)s to show", node=repr(node_id)))
    return records, G, centre


@bp.get("/maps/<map_id>/view")
def map_view(map_id):
    """The whole map: colour = silo, size = ``metric``, bridges and cut points marked."""
    args = _args()
    records = store().graph(map_id, as_of=args.get("as_of") or date.today())
    G = _viewer_graph(records, args)
    if args.get("silo"):
        keep = set(args["silo"])
        G = restrict(G, [n for n, g in G.nodes(data="group") if g in keep])
    html = render_map(
        G,
        silo_colours=records.map.silo_colours(),
        metrics=node_metric(G, args["metric"]),
        metric_name=metric_label(args["metric"]),
        title=records.map.name,
        standalone=args["download"],
        asset_base=ASSET_BASE,
        **drawing_language(),
        highlight=structural_highlight(G),
    )
    return _page(html, args, f"{map_id}-map.html")


@bp.get("/maps/<map_id>/people/<node_id>/view")
@bp.get("/maps/<map_id>/organisations/<node_id>/view")
def ego_view(map_id, node_id):
    """A person's or organisation's own web: everyone within ``hops`` ties of them."""
    args = _args()
    records, G, centre = ego_graph(map_id, node_id, args)
    html = render_ego(
        G,
        centre,
        hops=args["hops"],
        silo_colours=records.map.silo_colours(),
        metrics=node_metric(G, args["metric"]),
        metric_name=metric_label(args["metric"]),
        standalone=args["download"],
        asset_base=ASSET_BASE,
        **drawing_language(),
    )
    return _page(html, args, f"{map_id}-web.html")


@bp.get("/maps/<map_id>/silos/view")
def silo_view(map_id):
    """One node per silo, sized by its people; edges weighted by cross-silo ties."""
    args = _args()
    records = store().graph(map_id, as_of=args.get("as_of") or date.today())
    G = _viewer_graph(records, args)
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
        silo_colours=records.map.silo_colours(),
        title=gettext("%(map)s: silos", map=records.map.name),
        standalone=args["download"],
        asset_base=ASSET_BASE,
        **drawing_language(),
        notice=notice,
    )
    return _page(html, args, f"{map_id}-silos.html")


@bp.get(f"{ASSET_BASE}/<path:name>")
def vis_asset(name):
    """vis-network (shipped inside the pyvis package) and our page script, served locally."""
    path = assets.asset_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype=assets.asset_mimetype(name), max_age=31536000)
