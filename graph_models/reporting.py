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
5. for viewers (``viewer=True``: commissioners and community links), anonymised people
   of silos with fewer than five people count as hidden in step 2 whatever the
   grouping, people who are not named and small groups are put in one group
   ``(not shown)`` under a grouping other than silo
   (:func:`graph_models.visibility.viewer_partition`), and every figure about a small
   group is suppressed (:func:`graph_models.visibility.suppress_small_groups`).
"""

from __future__ import annotations

from datetime import date

from graph_models import clock
from graph_models.analysis.report import SECTIONS, analyse, change_section
from graph_models.analysis.report_schema import ChangeSchema, ReportSchema
from graph_models.errors import InvalidInput
from graph_models.messages import Message
from graph_models.projection import check_group_by, project
from graph_models.store.base import GraphStore
from graph_models.visibility import public_graph, redact, suppress_small_groups


def build_public_graph(
    store: GraphStore, map_id: str, *, as_of, group_by, secret: bytes, viewer: bool = False
):
    """The consent-relabelled analysis graph of a map as of a date."""
    records = store.graph(map_id, as_of=as_of)
    G = project(records, as_of=as_of, group_by=group_by)
    return public_graph(G, secret=secret, viewer=viewer)


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
) -> dict:
    """The report of ``sections`` for a map, safe to show anyone who may see the map.

    ``as_of`` defaults to today: ties that have ended are history, not the network.
    ``viewer`` adds small-group suppression (for everyone but coordinators).
    """
    check_group_by(group_by)
    as_of = as_of or clock.today()  # ended ties are history, not today's network
    G = build_public_graph(
        store, map_id, as_of=as_of, group_by=group_by, secret=secret, viewer=viewer
    )
    result = redact(analyse(G, sections=sections, seed=seed), ReportSchema, hidden=_hidden(G))
    if viewer:
        result = suppress_small_groups(result, G.graph["small_groups"])
    labels = _labels(G)
    return {
        "parameters": {
            "group_by": group_by,
            "as_of": as_of.isoformat(),
            "seed": seed,
            "sections": list(sections),
        },
        "graph": {"nodes": G.number_of_nodes(), "ties": G.number_of_edges()},
        **attach_labels(result, labels),
    }


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

    ``{"node": v}`` gains ``"label"``; ``{"nodes": [u, v]}`` gains ``"labels"``;
    ``{"u": u, "v": v}`` gains ``"u_label"`` and ``"v_label"``.
    """
    kind = type(value)
    if kind is list:
        return [attach_labels(v, labels) if type(v) in _CONTAINERS else v for v in value]
    if kind is not dict:
        return value
    out = {k: attach_labels(v, labels) if type(v) in _CONTAINERS else v for k, v in value.items()}
    node = value.get("node")
    if isinstance(node, str) and node in labels:
        out["label"] = labels[node]
    nodes = value.get("nodes")
    if isinstance(nodes, list) and nodes and all(isinstance(n, str) and n in labels for n in nodes):
        out["labels"] = [labels[n] for n in nodes]
    for end in ("u", "v"):
        if isinstance(value.get(end), str) and value[end] in labels:
            out[f"{end}_label"] = labels[value[end]]
    return out


#: The JSON containers :func:`attach_labels` descends into (scalars are returned as
#: they are without a call: a 10,000-node report holds ~600,000 of them).
_CONTAINERS = (dict, list)
