"""The cross-silo report and the change between two dates, cached per map version.

The one way the API, the dashboard and the graph pages get analysis results: viewers
(commissioners, community links) get the viewer report, with small groups suppressed
(:mod:`graph_models.visibility`); coordinators the full one. Both share the cache:
every write bumps the map's version, so a cached result is never stale.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import islice

from graph_models import clock, reporting
from graph_models.analysis.report import PAGED_DICTS, PAGED_LISTS, SECTIONS
from graph_models.errors import InvalidInput
from service import background
from service.i18n import gettext
from service.usecases.context import (
    cache,
    full_access,
    page_cache,
    report_processes,
    secret,
    store,
)


def _cached(map_id: str, params: tuple, compute) -> tuple[dict, dict]:
    """``compute()``'s result for the map's current version, from the cache if there."""
    m = store().get_map(map_id)
    result = cache().get_or_compute(m.id, m.version, params, compute)
    return {"id": m.id, "name": m.name, "version": m.version}, result


def cached_report(
    map_id: str,
    *,
    sections: tuple[str, ...] = SECTIONS,
    group_by: str = "silo",
    as_of: date | None = None,
    seed: int = 0,
    ties: str = "all",
) -> tuple[dict, dict]:
    """``(about the map, report)`` for whoever is asking, cached per map version.

    ``as_of=None`` means today; it is resolved before the cache key is made, so the
    dashboard and a graph page asking for today's map share one computation.

    Exact betweenness and closeness of a large map come from the background worker
    (:mod:`service.background`): a report made while they were being computed is
    cached apart from the one made once they are ready (the key holds whether the
    store had them), so the "being computed" notice goes as soon as they are kept.
    """
    m, params, compute = _report_plan(map_id, sections, group_by, as_of, seed, ties)
    result = cache().get_or_compute(m.id, m.version, params, compute)
    return _about(m), result


def _about(m) -> dict:
    return {"id": m.id, "name": m.name, "version": m.version}


def _report_plan(
    map_id: str, sections, group_by: str, as_of: date | None, seed: int, ties: str = "all"
):
    """``(map, cache key, compute)`` of the report the current reader may see."""
    viewer = not full_access()
    as_of = as_of or clock.today()
    worker = background.worker()
    m = store().get_map(map_id)
    ready = worker is not None and store().analysis_result_ready(
        map_id, reporting.paths_key(as_of), m.version
    )
    params = ("report", sections, group_by, as_of, seed, viewer, ties, ready)

    def compute() -> dict:
        if worker is not None:
            with worker.reporting():
                return _report()
        return _report()

    def _report() -> dict:
        return reporting.map_report(
            store(),
            map_id,
            secret=secret(),
            sections=sections,
            group_by=group_by,
            as_of=as_of,
            seed=seed,
            viewer=viewer,
            ties=ties,
            on_pending=worker.on_pending if worker is not None else None,
            inline_seconds=worker.inline_seconds if worker is not None else 0.0,
            section_processes=report_processes(),
        )

    return m, params, compute


def paths_being_computed(map_id: str) -> bool:
    """Whether this process is computing the map's exact betweenness and closeness now
    (pages that size or rank by them say so)."""
    worker = background.worker()
    return worker is not None and worker.computing(map_id)


def change_dates(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The two dates of a change: ``to`` defaults to today, ``from`` to a year before."""
    date_to = date_to or clock.today()
    if date_from is None:
        try:
            date_from = date_to - timedelta(days=365)
        except OverflowError:  # 'to' in the first year of the calendar
            date_from = date.min
    if date_from > date_to:
        raise InvalidInput(
            gettext("'from' must not be after 'to'"), {"from": [gettext("after 'to'")]}
        )
    return date_from, date_to


def cached_change(
    map_id: str, *, date_from: date | None = None, date_to: date | None = None, group_by="silo"
) -> tuple[dict, dict]:
    """``(about the map, change between two dates)``, cached like :func:`cached_report`."""
    date_from, date_to = change_dates(date_from, date_to)
    viewer = not full_access()
    params = ("change", group_by, date_from, date_to, viewer)
    return _cached(
        map_id,
        params,
        lambda: reporting.map_change(
            store(),
            map_id,
            secret=secret(),
            date_from=date_from,
            date_to=date_to,
            group_by=group_by,
            viewer=viewer,
        ),
    )


def paged(result: dict, *, limit: int, offset: int) -> dict:
    """A copy of ``result`` with its long per-node lists and dicts cut to one page.

    Each cut list or dict ``name`` gains ``name_total`` beside it (its full length);
    ``page`` says which page this is. Dicts keyed by node (``silos.ei_index.nodes``,
    ``communities.membership``) are cut in their order (the graph's node order).
    """
    out = dict(result)
    lo, hi = offset, offset + limit
    for section, names in PAGED_LISTS.items():
        if section not in out:
            continue
        body = dict(out[section])
        for name in names:
            if isinstance(body.get(name), list):
                body[f"{name}_total"] = len(body[name])
                body[name] = body[name][lo:hi]
        out[section] = body
    for section, path in PAGED_DICTS:
        if not isinstance(out.get(section), dict):
            continue
        out[section] = _cut_dict(out[section], path, lo, hi)
    out["page"] = {"limit": limit, "offset": offset}
    return out


def _cut_dict(body: dict, path: tuple[str, ...], lo: int, hi: int) -> dict:
    """``body`` with the dict at ``path`` cut to items ``lo:hi`` (copies on the way)."""
    head, rest = path[0], path[1:]
    value = body.get(head)
    if not isinstance(value, dict):
        return body
    body = dict(body)
    if rest:
        body[head] = _cut_dict(value, rest, lo, hi)
    else:
        body[f"{head}_total"] = len(value)
        body[head] = dict(islice(value.items(), lo, hi))
    return body


def encoded_report_page(
    map_id: str,
    *,
    sections: tuple[str, ...],
    group_by: str,
    as_of: date | None,
    seed: int,
    limit: int,
    offset: int,
    encode,
    ties: str = "all",
) -> bytes:
    """One page of the report as the API sends it, encoded once per map version.

    ``encode(document)`` turns ``{"map": ..., **page}`` into the response body (the
    API's schema and JSON); the bytes are cached beside the report, under the same
    key plus the page, so a repeated request costs a cache lookup, not a dump and an
    encoding of thousands of rows.
    """
    m, params, compute = _report_plan(map_id, sections, group_by, as_of, seed, ties)

    def encoded() -> bytes:
        result = cache().get_or_compute(m.id, m.version, params, compute)
        return encode({"map": _about(m), **paged(result, limit=limit, offset=offset)})

    return page_cache().get_or_compute(m.id, m.version, (*params, limit, offset), encoded)
