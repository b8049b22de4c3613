"""The cross-silo report: the whole report and one endpoint per section.

Results are cached per map version (every write bumps it), so asking again about an
unchanged map does not recompute; per-node tables are paged after the cache.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from graph_models.analysis.report import SECTIONS
from graph_models.analysis.report_schema import (
    ChangeReportSchema,
    ReportSchema,
    section_report_schema,
)
from graph_models.surveys.ties import TIE_CHOICES
from service.api.args import PageArgs
from service.api.blueprint import Blueprint
from service.usecases.reports import cached_change, encoded_report_page

blp = Blueprint(
    "analysis",
    __name__,
    url_prefix="/api/v1/maps/<map_id>/analysis",
    description="Silos, bridges, brokers, hidden silos, introductions and change",
)


class AnalysisArgs(PageArgs):
    group_by = fields.String(
        load_default="silo",
        validate=validate.Length(min=1, max=80),
        metadata={"description": "silo, organisation, area or tag:<key>"},
    )
    as_of = fields.Date(metadata={"description": "analyse the map as it was on this day"})
    seed = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))
    ties = fields.String(
        load_default="all",
        validate=validate.OneOf(TIE_CHOICES),
        metadata={"description": "all ties, survey (reported in a survey) or confirmed"},
    )


class ChangeArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    group_by = fields.String(load_default="silo", validate=validate.Length(min=1, max=80))
    date_from = fields.Date(
        data_key="from", metadata={"description": "default: a year before 'to'"}
    )
    date_to = fields.Date(data_key="to", metadata={"description": "default: today"})


def _report(map_id: str, args: dict, sections: tuple[str, ...], schema=ReportSchema):
    """The page asked for, as the response itself: encoded once per map version and
    page (flask-smorest passes a Response through; the schema still documents it)."""

    def encode(document: dict) -> bytes:
        return current_app.json.response(schema().dump(document)).get_data()

    body = encoded_report_page(
        map_id,
        sections=sections,
        group_by=args["group_by"],
        as_of=args.get("as_of"),
        seed=args["seed"],
        ties=args["ties"],
        limit=args["limit"],
        offset=args["offset"],
        encode=encode,
    )
    return current_app.response_class(body, mimetype="application/json")


@blp.route("", methods=["GET"])
@blp.arguments(AnalysisArgs, location="query")
@blp.response(200, ReportSchema)
def whole_report(args, map_id):
    """The whole report: every section, with the method and parameters of each."""
    return _report(map_id, args, SECTIONS)


@blp.route("/change", methods=["GET"])
@blp.arguments(ChangeArgs, location="query")
@blp.response(200, ChangeReportSchema)
def change(args, map_id):
    """The same headline figures at two dates, and cross-silo ties gained and lost."""
    about, result = cached_change(
        map_id,
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        group_by=args["group_by"],
    )
    return {"map": about, **result}


def _section_view(section: str):
    schema = section_report_schema(section)

    def view(args, map_id):
        return _report(map_id, args, (section,), schema)

    view.__name__ = f"{section}_section"
    view.__doc__ = f"The {section} section of the report."
    return view


for _section in SECTIONS:
    blp.route(f"/{_section}", methods=["GET"])(
        blp.arguments(AnalysisArgs, location="query")(
            blp.response(200, section_report_schema(_section))(_section_view(_section))
        )
    )
