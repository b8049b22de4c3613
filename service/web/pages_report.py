"""The board report: the dashboard as the asker sees it, as a printable page and a PDF.

One click on the dashboard gives the page (``/maps/<id>/report``, print styles hide
navigation and buttons) or the PDF (``/maps/<id>/report.pdf``), drawn by WeasyPrint
(with Debian's Pango) from the same template. The PDF runs no script, so the silo view
is a server-side SVG (:func:`service.web.charts.silo_svg`). The content is the
dashboard's (:func:`service.web.pages_dashboard.dashboard_context`): the same viewer
pipeline, so hidden people and withheld figures stay out of both.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, render_template, url_for

from service.query import query_args, reads_query
from service.usecases.context import cache, store
from service.web.pages_dashboard import DashboardQuery, dashboard_context

bp = Blueprint("pages_report", __name__)

STATIC = Path(__file__).resolve().parent / "static"


def _context(map_id: str) -> dict:
    args = query_args()
    context = dashboard_context(map_id, {**args, "between": []})
    params = {k: v for k, v in args.items() if k in ("since", "group_by") and v}
    if args.get("as_of"):
        params["as_of"] = args["as_of"].isoformat()
    context["pdf_url"] = url_for("pages_report.report_pdf", map_id=map_id, **params)
    return context


@bp.get("/maps/<map_id>/report")
@reads_query(DashboardQuery)
def report(map_id):
    return render_template("report.html", **_context(map_id))


@bp.get("/maps/<map_id>/report.pdf")
@reads_query(DashboardQuery)
def report_pdf(map_id):
    from weasyprint import CSS, HTML  # imported here: only this route needs it

    # no base URL: the page's relative links resolve to nothing, so WeasyPrint fetches
    # nothing; our stylesheet is read from disk
    html = render_template("report.html", **_context(map_id))

    def draw() -> bytes:
        stylesheet = CSS(filename=str(STATIC / "bridgemap.css"))
        return HTML(string=html).write_pdf(stylesheets=[stylesheet])

    # a few seconds to draw: kept per map version and exact page (the page is the
    # asker's view, so two askers share a PDF only when they were shown the same page)
    m = store().get_map(map_id)
    digest = hashlib.sha256(html.encode()).hexdigest()
    pdf = cache().get_or_compute(m.id, m.version, ("report.pdf", digest), draw)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{map_id}-report.pdf"'
    return response
