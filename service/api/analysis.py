"""The cross-silo report: the whole report and one endpoint per section.

Results are cached per map version (every write bumps it), so asking again about an
unchanged map does not recompute; per-node tables are paged after the cache.
"""

from __future__ import annotations

from datetime import date, timedelta

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from graph_models import reporting
from graph_models.analysis.report import PAGED_LISTS, SECTIONS
from graph_models.errors import InvalidInput
from service.api.args import PageArgs
from service.api.blueprint import Blueprint
from service.api.context import full_access, store
from service.i18n import gettext

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


class ReportSchema(ma.Schema):
    """The report's parts (each section documents its own method and parameters)."""

    map = fields.Dict()
    parameters = fields.Dict()
    graph = fields.Dict()
    page = fields.Dict()
    centrality = fields.Dict()
    bridging = fields.Dict()
    silos = fields.Dict()
    communities = fields.Dict()
    introductions = fields.Dict()
    change = fields.Dict()


class ChangeArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    group_by = fields.String(load_default="silo", validate=validate.Length(min=1, max=80))
    date_from = fields.Date(
        data_key="from", metadata={"description": "default: a year before 'to'"}
    )
    date_to = fields.Date(data_key="to", metadata={"description": "default: today"})


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def _cached(map_id: str, params: tuple, compute) -> tuple[dict, dict]:
    """``compute()``'s result for the map's current version, from the cache if there."""
    m = store().get_map(map_id)
    result = current_app.extensions["bridgemap.cache"].get_or_compute(
        m.id, m.version, params, compute
    )
    return {"id": m.id, "name": m.name, "version": m.version}, result


def cached_report(
    map_id: str,
    *,
    sections: tuple[str, ...] = SECTIONS,
    group_by: str = "silo",
    as_of: date | None = None,
    seed: int = 0,
) -> tuple[dict, dict]:
    """``(about the map, report)`` for whoever is asking, cached per map version.

    The one way the API and the web pages get a report: viewers get small groups
    suppressed (graph_models.visibility), and both share the cache entries.
    """
    viewer = not full_access()
    params = ("report", sections, group_by, as_of, seed, viewer)
    return _cached(
        map_id,
        params,
        lambda: reporting.map_report(
            store(),
            map_id,
            secret=_secret(),
            sections=sections,
            group_by=group_by,
            as_of=as_of,
            seed=seed,
            viewer=viewer,
        ),
    )


def cached_change(
    map_id: str, *, date_from: date, date_to: date, group_by: str = "silo"
) -> tuple[dict, dict]:
    """``(about the map, change between two dates)``, cached like :func:`cached_report`."""
    if date_from > date_to:
        raise InvalidInput(
            gettext("'from' must not be after 'to'"), {"from": [gettext("after 'to'")]}
        )
    viewer = not full_access()
    params = ("change", group_by, date_from, date_to, viewer)
    return _cached(
        map_id,
        params,
        lambda: reporting.map_change(
            store(),
            map_id,
            secret=_secret(),
            date_from=date_from,
            date_to=date_to,
            group_by=group_by,
            viewer=viewer,
        ),
    )


def _report(map_id: str, args: dict, sections: tuple[str, ...]) -> dict:
    about, result = cached_report(
        map_id,
        sections=sections,
        group_by=args["group_by"],
        as_of=args.get("as_of"),
        seed=args["seed"],
    )
    return {"map": about, **_paged(result, args)}


def _paged(result: dict, args: dict) -> dict:
    """A copy of ``result`` with its long per-node lists cut to one page."""
    out = dict(result)
    lo, hi = args["offset"], args["offset"] + args["limit"]
    for section, names in PAGED_LISTS.items():
        if section not in out:
            continue
        body = dict(out[section])
        for name in names:
            if isinstance(body.get(name), list):
                body[f"{name}_total"] = len(body[name])
                body[name] = body[name][lo:hi]
        out[section] = body
    out["page"] = {"limit": args["limit"], "offset": args["offset"]}
    return out


@blp.route("", methods=["GET"])
@blp.arguments(AnalysisArgs, location="query")
@blp.response(200, ReportSchema)
def whole_report(args, map_id):
    """The whole report: every section, with the method and parameters of each."""
    return _report(map_id, args, SECTIONS)


@blp.route("/change", methods=["GET"])
@blp.arguments(ChangeArgs, location="query")
@blp.response(200, ReportSchema)
def change(args, map_id):
    """The same headline figures at two dates, and cross-silo ties gained and lost."""
    date_to = args.get("date_to") or date.today()
    date_from = args.get("date_from") or date_to - timedelta(days=365)
    about, result = cached_change(
        map_id, date_from=date_from, date_to=date_to, group_by=args["group_by"]
    )
    return {"map": about, **result}


def _section_view(section: str):
    def view(args, map_id):
        return _report(map_id, args, (section,))

    view.__name__ = f"{section}_section"
    view.__doc__ = f"The {section} section of the report."
    return view


for _section in SECTIONS:
    blp.route(f"/{_section}", methods=["GET"])(
        blp.arguments(AnalysisArgs, location="query")(
            blp.response(200, ReportSchema)(_section_view(_section))
        )
    )
