"""A map's dashboard: headline figures, the silo x silo heat map, bridges and brokers,
hidden silos, suggested introductions and the change since a chosen date.

The figures come from the same cached report as the API (``cached_report``): viewers
get the viewer report, with figures about small groups suppressed.
"""

from __future__ import annotations

from datetime import date, timedelta

import marshmallow as ma
from flask import Blueprint, render_template
from marshmallow import fields, validate

from graph_models import clock
from graph_models.model import EntityType
from service.i18n import format_date, gettext
from service.query import query_args, reads_query
from service.usecases.context import store
from service.usecases.reports import cached_change, cached_report
from service.web.charts import change_chart, tie_heatmap

bp = Blueprint("pages_dashboard", __name__)

#: Rows shown per list on the dashboard (the API pages the full lists).
TOP = 6


class DashboardQuery(ma.Schema):
    """``since``: the date the change is measured from (checked by the page itself, so a
    mistyped date is a note on the page rather than an error page)."""

    class Meta:
        unknown = ma.RAISE

    since = fields.String(load_default="", validate=validate.Length(max=40))


def _since() -> tuple[date, str | None]:
    today = clock.today()
    raw = query_args()["since"].strip()
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


def _brokers(bridging: dict) -> list[dict]:
    rows = [r for r in bridging.get("nodes", []) if r.get("brokerage_total")]
    rows.sort(key=lambda r: -r["brokerage_total"])
    return rows[:TOP]


def _mixed_communities(communities: dict) -> list[dict]:
    """Communities found in the ties that do not follow one declared silo."""
    found = communities.get("communities", [])
    mixed = [c for c in found if (c.get("dominant_share") or 0) < 0.8 and c.get("size", 0) > 1]
    mixed.sort(key=lambda c: -c["size"])
    return mixed[:TOP]


def _introductions(intros: dict) -> list[dict]:
    out = []
    for pair in intros.get("pairs", []):
        for s in pair.get("suggestions", [])[:1]:
            out.append({"groups": pair["groups"], "ties": pair.get("ties"), **s})
    return out[:TOP]


@bp.get("/maps/<map_id>")
@reads_query(DashboardQuery)
def dashboard(map_id):
    m = store().get_map(map_id)
    colours = m.silo_colours()
    people = _count(map_id, EntityType.PERSON)
    organisations = _count(map_id, EntityType.ORGANISATION)
    since, since_error = _since()
    context = dict(
        current_map=m,
        colours=colours,
        people=people,
        organisations=organisations,
        since=since,
        since_error=since_error,
        today=clock.today(),
    )
    if people + organisations == 0:
        return render_template("dashboard.html", empty=True, **context)
    _, report = cached_report(map_id)
    _, change = cached_change(map_id, date_from=since, date_to=clock.today())
    silos = report["silos"]
    matrix = silos["tie_matrix"]
    heatmap = tie_heatmap(
        matrix["groups"],
        matrix["counts"],
        colours=colours,
        title=gettext(
            "Ties between silos: each cell counts the ties between the silo of its row "
            "and the silo of its column"
        ),
    )
    diff = change["change"]
    before, after = diff["before"], diff["after"]
    chart = change_chart(
        [
            (format_date(since, "d MMM y"), before.get("cross_group_ties")),
            (gettext("today"), after.get("cross_group_ties")),
        ],
        title=gettext("Ties across silos on %(date)s and today", date=since.isoformat()),
    )
    return render_template(
        "dashboard.html",
        empty=False,
        report=report,
        headline=silos["headline"],
        suppressed=silos.get("suppressed_groups", []),
        heatmap=heatmap,
        cut_points=_cut_points(report["bridging"]),
        brokers=_brokers(report["bridging"]),
        communities=report["communities"],
        mixed=_mixed_communities(report["communities"]),
        introductions=_introductions(report["introductions"]),
        weak_pairs=silos.get("weak_pairs", [])[:TOP],
        change=diff,
        chart=chart,
        **context,
    )
