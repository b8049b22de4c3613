"""From a stored map to a consent-safe report: load, project, relabel, analyse, redact.

This is the one path every analysis output takes (API, CLI and web pages), so consent
is applied the same way everywhere:

1. the store's records are projected as of a date, grouped by the chosen attribute
   (:mod:`graph_models.projection`);
2. people are relabelled by consent (:func:`graph_models.visibility.public_graph`):
   anonymised people get a pseudonym, hidden people a ``hidden-`` id;
3. the analysis runs on that graph, so hidden people still count in the structure;
4. everything naming a hidden person is removed (:func:`graph_models.visibility.redact`,
   following the references declared in :mod:`graph_models.analysis.report_schema`)
   and each node reference gets its display label;
5. betweenness and closeness are exact at every size (:mod:`graph_models.analysis.paths`):
   computed in the request when their expected cost fits, else read from the store
   where a background job keeps them, keyed on what they were computed from
   (:func:`content_digest`: a write that leaves the graph as it was reuses them), else
   reported as being computed (``on_pending`` schedules the job);
6. for viewers (``viewer=True``: commissioners and community links), anonymised people
   of silos with fewer than five people count as hidden in step 2 whatever the
   grouping, people who are not named and small groups are put in one group
   ``(not shown)`` under a grouping other than silo
   (:func:`graph_models.visibility.viewer_partition`), and every figure about a small
   group is suppressed (:func:`graph_models.visibility.suppress_small_groups`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import partial

import networkx as nx

from graph_models import clock, report_split
from graph_models.analysis import paths as exact_paths
from graph_models.analysis.report import SECTIONS, analyse, change_section
from graph_models.analysis.report_schema import ChangeSchema, ReportSchema
from graph_models.columns import label
from graph_models.errors import InvalidInput
from graph_models.gcpause import collector_paused, release_later
from graph_models.messages import Message
from graph_models.projection import add_ties, check_group_by, gather, project
from graph_models.store.base import GraphStore
from graph_models.surveys.ties import TIES_ALL, select
from graph_models.visibility import public_graph, redact, suppress_small_groups


def build_public_graph(
    store: GraphStore,
    map_id: str,
    *,
    as_of,
    group_by,
    secret: bytes,
    viewer: bool = False,
    ties: str = TIES_ALL,
):
    """The consent-relabelled analysis graph of a map as of a date; ``ties`` keeps only
    survey-reported or confirmed ties (:func:`graph_models.surveys.ties.select`)."""
    records = select(store.graph(map_id, as_of=as_of), ties)
    G, _ = public_projection(records, as_of=as_of, group_by=group_by, secret=secret, viewer=viewer)
    return G


def public_projection(
    records, *, as_of: date | None, group_by: str, secret: bytes, viewer: bool = False
) -> tuple[nx.Graph, list]:
    """``(G, ids)``: ``public_graph(project(records, ...), ...)`` built once, and the
    projected id of each node of ``G``, in ``G``'s order.

    The nodes are projected (:func:`graph_models.projection.gather`) and relabelled by
    consent (:func:`graph_models.visibility.public_graph`, which decides from the
    nodes alone), then the ties are put straight on the public ids
    (:func:`graph_models.projection.add_ties`): the same graph as relabelling the
    projected one (nodes, neighbours and attributes in the same order; the tests
    prove it), without building the whole graph twice (a third of the time of the
    cold report's first half at 50,000 people). ``ids`` lines up what is keyed by
    the projected ids (the kept exact path measures, :func:`resolve_paths`).
    """
    nodes, gathered = gather(records, as_of=as_of, group_by=group_by)
    G = public_graph(nodes, secret=secret, viewer=viewer)
    ids = list(nodes)
    if len(G) != len(ids):  # two nodes onto one public id: as public_graph relabels them
        raw = project(records, as_of=as_of, group_by=group_by)
        return public_graph(raw, secret=secret, viewer=viewer), ids
    add_ties(G, gathered, dict(zip(ids, G, strict=True)))
    return G, ids


def paths_key(as_of: date) -> str:
    """The store key of a map's exact path measures as of a day (per map version)."""
    return f"{exact_paths.KIND}:{as_of.isoformat()}"


def content_digest(records) -> str:
    """A digest of what exact path measures are computed from: each node's id, type and
    silo, each tie's ends, kind, strength and dates (not names, consent, notes, nor
    anything else of the map: tokens, the audit log, surveys, the map's description).

    Exact results are kept with it, so a write that changes none of these (a new
    token, a consent change, a renamed person) reuses the kept result instead of
    computing it again; a changed tie changes it. Order-free: sorted lines.
    """
    lines = sorted(f"n\x1f{n.id}\x1f{n.type.value}\x1f{n.silo}" for n in records.nodes)
    lines += sorted(
        f"t\x1f{r.source}\x1f{r.target}\x1f{r.kind}\x1f{r.strength}\x1f{r.since}\x1f{r.until}"
        for r in records.relationships
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def kept_paths(
    store: GraphStore,
    map_id: str,
    key: str,
    version: int,
    digest: str | Callable[[], str] | None,
) -> dict | None:
    """The kept exact result for the map's current ``version``, or, failing that, the
    latest kept one if it was computed from the same content (``digest``, or a
    function that makes it, called only then): that one is then kept for this version
    too (so the report's cache sees it ready)."""
    payload = store.analysis_result(map_id, key, version)
    if payload is not None or digest is None:
        return payload
    latest = store.analysis_result(map_id, key, None)
    if latest is None:
        return None
    if callable(digest):
        digest = digest()
    if latest.get("digest") != digest:
        return None
    store.save_analysis_result(map_id, key, version, latest)
    return latest


def resolve_paths(
    store: GraphStore,
    map_id: str,
    version: int,
    G: nx.Graph,
    *,
    as_of: date,
    on_pending: Callable[[str, int, date, int, int], dict] | None = None,
    inline_seconds: float = exact_paths.INLINE_SECONDS,
    digest: str | Callable[[], str] | None = None,
    use_kept: bool = True,
    processes: int = 1,
    ids: list | None = None,
) -> dict:
    """Exact betweenness and closeness of the projected ``G`` (real ids), or a notice.

    In order: computed here when the expected cost fits a request
    (:func:`graph_models.analysis.paths.fits_inline`); read from the store when a
    background job has kept them for this version (unless ``use_kept`` is False:
    ``G`` is not the whole map, e.g. only survey-confirmed ties); computed here when
    nothing runs in the background (``on_pending`` None: the command line,
    benchmarks' baselines), by up to ``processes`` processes; else
    ``on_pending(map_id, version, as_of, n, m)``'s notice (it schedules the job).
    ``digest`` (:func:`content_digest` of the records ``G`` was projected from, or a
    function that makes it when needed) lets a result kept for an earlier version of
    the same content be used.

    ``ids``: when ``G`` is keyed by public ids (:func:`public_projection`), the
    projected id of each of its nodes in its order. A kept result (stored by projected
    id) is put on ``G``'s nodes through them; a computed one is ``G``'s own (the same
    values: ``G`` has the projected graph's nodes and neighbours in the same order).
    """
    n, m = len(G), G.number_of_edges()
    if exact_paths.fits_inline(n, m, budget=inline_seconds):
        return {**exact_paths.compute(G), "source": "request"}
    if use_kept:
        payload = kept_paths(store, map_id, paths_key(as_of), version, digest)
        found = exact_paths.from_payload(payload, G if ids is None else ids) if payload else None
        if found is not None:
            if ids is not None:
                found = _on_nodes(found, ids, G)
            return {**found, "source": "background"}
    if on_pending is None or not use_kept:
        return {**exact_paths.compute(G, processes=processes), "source": "request"}
    return on_pending(map_id, version, as_of, n, m)


def run_paths_job(
    store: GraphStore,
    map_id: str,
    as_of: date,
    holder: str,
    *,
    pause: Callable[[], None] | None = None,
    started: Callable[[int, int], None] | None = None,
    inline_seconds: float = exact_paths.INLINE_SECONDS,
    processes: int = 1,
) -> str:
    """Compute and keep a map's exact path measures for its current version.

    Under a lease in the store (one computation of a version at a time, whatever the
    process); ``holder`` names this worker. Returns what happened: ``"saved"``,
    ``"ready"`` (already kept), ``"reused"`` (kept for an earlier version of the same
    content, :func:`content_digest`: kept again, nothing computed), ``"small"``
    (requests compute it themselves),
    ``"elsewhere"`` (another holder is on it) or ``"stale"`` (the map changed
    meanwhile: the result was not kept; a newer job will follow the write).
    ``started(n, m)`` is called once the computation begins; ``inline_seconds`` is the
    requests' budget (maps within it are not computed here); ``processes``: how many
    processes may share the computation (:func:`graph_models.analysis.paths.compute`).
    """
    records = store.graph(map_id, as_of=as_of)
    version = records.map.version
    key = paths_key(as_of)
    G = project(records, as_of=as_of)
    digest = content_digest(records)
    del records
    n, m = len(G), G.number_of_edges()
    if exact_paths.fits_inline(n, m, budget=inline_seconds):
        return "small"
    if store.analysis_result(map_id, key, version) is not None:
        return "ready"
    if kept_paths(store, map_id, key, version, digest) is not None:
        return "reused"  # a write that left the graph as it was: nothing to compute
    lease = f"{key}:v{version}"
    seconds = 3 * exact_paths.expected_seconds(n, m) + 60
    if not store.take_lease(map_id, lease, holder, seconds=seconds)[0]:
        return "elsewhere"
    try:
        if started is not None:
            started(n, m)
        result = exact_paths.compute(G, pause=pause, processes=processes)
        payload = {**exact_paths.to_payload(result), "digest": digest}
        kept = store.save_analysis_result(map_id, key, version, payload)
    finally:
        store.release_lease(map_id, lease, holder)
    return "saved" if kept else "stale"


def map_report(
    store: GraphStore,
    map_id: str,
    *,
    secret: bytes,
    sections=SECTIONS,
    group_by: str = "silo",
    as_of: date | None = None,
    seed: int = 0,
    viewer: bool = False,
    ties: str = TIES_ALL,
    on_pending: Callable[[str, int, date, int, int], dict] | None = None,
    inline_seconds: float = exact_paths.INLINE_SECONDS,
    processes: int = 1,
    section_processes: int = report_split.PROCESSES,
) -> dict:
    """The report of ``sections`` for a map, safe to show anyone who may see the map.

    ``as_of`` defaults to today: ties that have ended are history, not the network.
    ``viewer`` adds small-group suppression (for everyone but coordinators).
    ``on_pending``: how to have exact betweenness and closeness computed in the
    background when a request should not (see :func:`resolve_paths`); without it they
    are read from the store if a background job kept them, else computed here whatever
    the size, by up to ``processes`` processes. ``inline_seconds``: the expected time up to
    which a request computes them itself. ``ties`` counts all ties, survey-reported
    ones or confirmed ones (:func:`graph_models.surveys.ties.select`); the background
    keeps exact measures of all ties only, so a report of a subset computes its own.
    ``section_processes``: up to how many processes share a large map's sections
    (:mod:`graph_models.report_split`: a forked child; 1: this process only).
    """
    check_group_by(group_by)
    as_of = as_of or clock.today()  # ended ties are history, not today's network
    with collector_paused():  # a third or more of the time otherwise (gcpause)
        return _map_report(
            store,
            map_id,
            secret=secret,
            sections=sections,
            group_by=group_by,
            as_of=as_of,
            seed=seed,
            viewer=viewer,
            ties=ties,
            on_pending=on_pending,
            inline_seconds=inline_seconds,
            processes=processes,
            section_processes=section_processes,
        )


def _map_report(
    store: GraphStore,
    map_id: str,
    *,
    secret: bytes,
    sections,
    group_by: str,
    as_of: date,
    seed: int,
    viewer: bool,
    ties: str,
    on_pending,
    inline_seconds: float,
    processes: int,
    section_processes: int,
) -> dict:
    records = select(store.graph(map_id, as_of=as_of), ties)
    version = records.map.version
    # consent-relabelled as it is built; ids: the projected id of each node of G
    G, ids = public_projection(
        records, as_of=as_of, group_by=group_by, secret=secret, viewer=viewer
    )
    use_kept = ties == TIES_ALL  # kept results are of every tie: a subset is computed here
    wants_paths = bool({"centrality", "bridging"} & set(sections))
    # made only if no result is kept for this version (0.3 s at 50,000 people)
    digest = partial(content_digest, records) if wants_paths and use_kept else None
    del records
    paths = None
    if wants_paths:
        paths = resolve_paths(
            store,
            map_id,
            version,
            G,
            as_of=as_of,
            on_pending=on_pending,
            inline_seconds=inline_seconds,
            digest=digest,
            use_kept=use_kept,
            processes=processes,
            ids=ids,
        )
    del ids, digest
    size = {"nodes": G.number_of_nodes(), "ties": G.number_of_edges()}
    hidden, labels = _hidden(G), _labels(G)
    small = G.graph["small_groups"] if viewer else None

    def finished(group: tuple[str, ...]) -> dict:
        """The sections of ``group`` analysed, redacted, suppressed and labelled."""
        analysed = analyse(G, sections=group, seed=seed, paths=paths)
        # labels in the walk that keeps the rows: attached before the small groups'
        # suppression, which only blanks or leaves out (the same report as labelling after)
        result = redact(analysed, ReportSchema, hidden=hidden, labels=labels)
        if viewer:
            result = suppress_small_groups(result, small)
        return result

    # a large map's sections in two processes when it pays (report_split)
    split = report_split.plan(
        sections, size["nodes"], size["ties"], paths=paths, processes=section_processes
    )
    result = report_split.run(finished, sections, split)
    # freed by a background thread, not before the answer is sent (gcpause)
    release_later(G)
    return {
        "parameters": {
            "group_by": group_by,
            "as_of": as_of.isoformat(),
            "seed": seed,
            "sections": list(sections),
            "ties": ties,
        },
        "graph": size,
        **result,
    }


def _on_nodes(paths: dict, ids: list, G: nx.Graph) -> dict:
    """``paths``, keyed by projected ids, keyed by the nodes of ``G`` instead (``ids``:
    the projected id of each node of ``G``, in ``G``'s order)."""
    if len(ids) != len(G):
        raise RuntimeError("the public graph does not have the projected graph's nodes")
    out = dict(paths)
    for measure in ("betweenness", "closeness"):
        values = paths[measure]
        out[measure] = {public: values[v] for v, public in zip(ids, G, strict=True)}
    return out


def map_change(
    store: GraphStore,
    map_id: str,
    *,
    secret: bytes,
    date_from: date,
    date_to: date,
    group_by: str = "silo",
    viewer: bool = False,
) -> dict:
    """The change between two dates: headline figures and cross-group ties gained/lost.

    For viewers, ties gained or lost by anonymised people of small groups are left out
    (they count as hidden), as in :func:`map_report`.
    """
    check_group_by(group_by)
    if date_from > date_to:
        raise InvalidInput(
            Message("reporting.from_after_to"), {"from": [Message("reporting.after_to")]}
        )
    kw = dict(group_by=group_by, secret=secret, viewer=viewer)
    before = build_public_graph(store, map_id, as_of=date_from, **kw)
    after = build_public_graph(store, map_id, as_of=date_to, **kw)
    hidden = _hidden(before) | _hidden(after)
    result = redact(change_section(before, after), ChangeSchema, hidden=hidden)
    return {
        "parameters": {
            "group_by": group_by,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
        },
        "change": attach_labels(result, _labels(after)),
    }


def _hidden(G) -> set:
    return G.graph["hidden_ids"]


def _labels(G) -> dict:
    return {v: a.get("label", "") for v, a in G.nodes(data=True)}


def attach_labels(value, labels: dict):
    """Give each node reference its display label, so readers see names, not ids.

    ``{"node": v}`` gains ``"label"``; ``{"nodes": [u, v]}`` gains ``"labels"`` (only
    when every member has one: no half-labelled pairs); ``{"u": u, "v": v}`` gains
    ``"u_label"`` and ``"v_label"``. Keys are added after the existing ones. Every
    dict reached through dicts and lists (exactly ``dict`` and ``list``: JSON) is
    labelled, whatever its place in the value.

    Done in ``value`` itself, which is returned: it is always a result just made
    (a report or a change, not yet seen by anyone), so copying each of its rows
    (~75,000 at 10,000 nodes, ~400,000 at 50,000) would be work for nothing. Taken a
    column at a time (:func:`graph_models.columns.label`). A report gets its labels
    from :func:`graph_models.visibility.redact` instead, in the walk that keeps its
    rows.
    """
    if type(value) in (dict, list):
        label(value, labels)
    return value
