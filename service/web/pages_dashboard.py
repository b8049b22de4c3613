"""A map's dashboard: headline figures, the silo x silo heat map, bridges and brokers,
hidden silos, suggested introductions and the change since a chosen date.

The figures come from the same cached report as the API (``cached_report``): viewers
get the viewer report, with figures about small groups suppressed.
"""

from __future__ import annotations

from datetime import date, timedelta

import marshmallow as ma
from flask import Blueprint, render_template, url_for
from marshmallow import fields, validate

from graph_models import clock
from graph_models.model import EntityType
from graph_models.projection import check_group_by
from service.i18n import format_date, gettext
from service.query import query_args, reads_query
from service.usecases import surveys, viewer_graphs
from service.usecases.context import full_access, store
from service.usecases.reports import cached_change, cached_report
from service.web import dashboard_parts
from service.web.charts import change_chart, silo_svg

bp = Blueprint("pages_dashboard", __name__)

#: Rows shown per list on the dashboard (the API pages the full lists).
TOP = 6


class DashboardQuery(ma.Schema):
    """``since``: the date the change is measured from (checked by the page itself, so a
    mistyped date is a note on the page rather than an error page)."""

    class Meta:
        unknown = ma.RAISE

    since = fields.String(load_default="", validate=validate.Length(max=40))
    #: the grouping the figures are about: silo, organisation, area or tag:<key>
    group_by = fields.String(load_default="silo", validate=validate.Length(max=80))
    #: the map as it was on this date (default today)
    as_of = fields.Date(load_default=None)
    #: the two groups of a heat-map cell whose ties to list
    between = fields.List(
        fields.String(validate=validate.Length(max=200)),
        load_default=list,
        validate=validate.Length(equal=2),
    )


def _since(today: date, raw: str) -> tuple[date, str | None]:
    """The date the change is measured from (``today``: the dashboard's own date)."""
    raw = raw.strip()
    if not raw:
        return today - timedelta(days=365), None
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        return today - timedelta(days=365), gettext(
            "That date is not valid; showing the last year."
        )
    if chosen > today:
        return today - timedelta(days=365), gettext(
            "That date is in the future; showing the last year."
        )
    return chosen, None


def _count(map_id: str, etype: EntityType) -> int:
    return store().list(map_id, etype, limit=1, offset=0).total


def _cut_points(bridging: dict) -> list[dict]:
    """Articulation points that alone join silos, most people cut off first."""
    points = [a for a in bridging.get("articulation_points", []) if a.get("joins")]
    points.sort(key=lambda a: (-len(a["joins"]), -a.get("separated", 0)))
    return points[:TOP]


def _mixed_communities(communities: dict) -> list[dict]:
    """Communities found in the ties that do not follow one declared silo."""
    found = communities.get("communities", [])
    mixed = [c for c in found if (c.get("dominant_share") or 0) < 0.8 and c.get("size", 0) > 2]
    mixed.sort(key=lambda c: -c["size"])
    return mixed[:TOP]


def _groupings(G) -> list[tuple[str, str]]:
    """``(group_by, label)`` the dashboard offers: silo, organisation, area, and each
    tag key (``key:value`` tags) found on a node the asker can see."""
    keys = sorted(
        {
            tag.split(":", 1)[0]
            for _, tags in G.nodes(data="tags")
            for tag in tags or ()
            if ":" in tag and tag.split(":", 1)[0]
        }
    )
    out = [
        ("silo", gettext("Silo")),
        ("organisation", gettext("Organisation")),
        ("area", gettext("Area")),
    ]
    return out + [(f"tag:{k}", gettext("Tag: %(key)s", key=k)) for k in keys]


def _dated(map_id: str) -> bool:
    """Whether any tie of the map carries a date (else a change over time is empty)."""
    return any(r.since or r.until for r in store().graph(map_id).relationships)


def _profile(map_id: str, G, full: bool):
    """node id -> the page that shows them: a coordinator's profile page, or for
    everyone else their web on the graph page (with its panel), for the ids the asker
    may open; None for the others (anonymised people)."""
    public = G.graph.get("public_ids", {})
    openable = {v for k, v in public.items() if (full or k == v) and v in G}

    def url(node) -> str | None:
        if node not in openable:
            return None
        if full:  # a coordinator's profile page of the record
            kind = "organisations" if G.nodes[node].get("type") == "organisation" else "people"
            return url_for(f"pages_profile.{kind}_profile", map_id=map_id, entity_id=node)
        return url_for("pages_graph.graph", map_id=map_id, view="web", node=node)

    return url


@bp.get("/maps/<map_id>")
@reads_query(DashboardQuery)
def dashboard(map_id):
    context = dashboard_context(map_id, query_args())
    return render_template("dashboard.html", survey_lines=_survey_lines(map_id), **context)


def _survey_lines(map_id: str) -> list[dict]:
    """For coordinators (who alone see responses): each survey that has been opened, the
    newest first, with how many answered, linking its results panel. Not part of
    :func:`dashboard_context`, so the board report (what a viewer sees) has none."""
    if not full_access():
        return []
    found = [s for s in surveys.list_surveys(map_id) if s["status"] != "draft"]
    found.sort(key=lambda s: s.get("opened_at") or s.get("created_at") or "", reverse=True)
    return [
        {
            "title": s["title"],
            "status": s["status"],
            "asked": len(s["respondents"]),
            "answered": s["responses"]["submitted"] + s["responses"]["accepted"],
            "url": url_for("pages_surveys.results", map_id=map_id, survey_id=s["id"]),
        }
        for s in found[:3]
    ]


def dashboard_context(map_id: str, args: dict) -> dict:
    """Everything the dashboard shows (also the board report's content), for whoever
    is asking: ``args`` are :class:`DashboardQuery`'s."""
    m = store().get_map(map_id)
    group_by = check_group_by(args["group_by"])
    today = clock.today()
    as_of = args["as_of"] if args["as_of"] and args["as_of"] <= today else today
    colours = m.silo_colours() if group_by == "silo" else {}
    people = _count(map_id, EntityType.PERSON)
    organisations = _count(map_id, EntityType.ORGANISATION)
    since, since_error = _since(as_of, args["since"])
    context = dict(
        current_map=m,
        colours=colours,
        people=people,
        organisations=organisations,
        since=since,
        since_error=since_error,
        today=today,
        as_of=as_of,
        group_by=group_by,
    )
    if people + organisations == 0:
        return dict(empty=True, groupings=[], **context)
    view = viewer_graphs.whole_map(map_id, group_by=group_by, as_of=as_of)
    report = view.report
    _, change = cached_change(map_id, date_from=since, date_to=as_of, group_by=group_by)
    _, report_then = cached_report(map_id, group_by=group_by, as_of=since)
    silos = report["silos"]
    matrix = silos["tie_matrix"]
    rows, peak = dashboard_parts.heat_rows(matrix["groups"], matrix["counts"])
    between = args["between"]
    pair = None
    if between and all(g in matrix["groups"] for g in between):
        a, b = between
        i, j = matrix["groups"].index(a), matrix["groups"].index(b)
        count = matrix["counts"][i][j]
        ties = [] if count is None else dashboard_parts.ties_between(view.graph, a, b)
        pair = {
            "groups": between,
            "withheld": count is None,
            "ties": ties,
            "unseen": max(0, (count or 0) - len(ties)),
        }
    diff = change["change"]
    before, after = diff["before"], diff["after"]
    chart = change_chart(
        [
            (format_date(since, "d MMM y"), before.get("cross_group_ties")),
            (format_date(as_of, "d MMM y"), after.get("cross_group_ties")),
        ],
        title=gettext(
            "Ties across groups on %(date)s and on %(then)s",
            date=since.isoformat(),
            then=as_of.isoformat(),
        ),
    )
    full = full_access()
    suppressed = silos.get("suppressed_groups", [])
    return dict(
        empty=False,
        report=report,
        headline=silos["headline"],
        suppressed=suppressed,
        withheld=bool(suppressed) and not full,
        heat_rows=rows,
        heat_peak=peak,
        heat_levels=dashboard_parts.LEVELS,
        pair=pair,
        gaps=dashboard_parts.gap_pairs(matrix, report["introductions"]),
        cut_points=_cut_points(report["bridging"]),
        brokers=dashboard_parts.broker_rows(report, TOP),
        communities=report["communities"],
        isolates=report["communities"].get("isolates", []),
        mixed=_mixed_communities(report["communities"]),
        change=diff,
        gained=dashboard_parts.by_pair(diff.get("gained", [])),
        lost=dashboard_parts.by_pair(diff.get("lost", [])),
        structure=dashboard_parts.structural_change(report_then, report),
        dated=_dated(map_id),
        chart=chart,
        groupings=_groupings(view.graph),
        profile=_profile(map_id, view.graph, full),
        labels={n: a.get("label") for n, a in view.graph.nodes(data=True)},
        silo_svg=silo_svg(
            matrix["groups"], matrix.get("sizes") or [], matrix["counts"], colours=colours
        ),
        **context,
    )
