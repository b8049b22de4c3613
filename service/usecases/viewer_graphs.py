"""The graphs the pages draw, with the same figures as the dashboard: one viewer pipeline.

A graph page shows the asker's graph — hidden people and their ties left out, anonymised
people as "a person in <silo>" (:func:`graph_models.visibility.public_graph`) — but its
*figures* (node sizes, bridges, cut points, ties between silos) come from the same
cached report as the dashboard and the API (:func:`service.usecases.reports.cached_report`),
where hidden people still count in the structure. So the graph page and the dashboard
tell the same story: a tie that runs through a hidden person still joins two silos on
both, and the person who is the only link between them is marked on both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from graph_models import clock
from graph_models.errors import NotFound
from graph_models.model import to_dict
from graph_models.projection import check_group_by, project
from graph_models.store.base import GraphRecords
from graph_models.visibility import public_graph, public_records
from service.i18n import gettext
from service.usecases.context import full_access, principal, secret, store
from service.usecases.node_panels import node_panels
from service.usecases.reports import cached_report


@dataclass
class ViewerGraph:
    """A graph to draw, and the report's figures for its nodes.

    ``metrics`` maps each node to the chosen measure; ``highlight`` holds the
    report's bridges (between two people who each have other ties) and articulation
    points, in the form :mod:`visualisations.render` takes; ``tie_counts`` the report's
    tie matrix as ``(group a, group b) -> ties``.
    """

    records: GraphRecords
    graph: nx.Graph
    metrics: dict = field(default_factory=dict)
    highlight: dict = field(default_factory=dict)
    tie_counts: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)

    def panels(self) -> dict:
        """node -> what the side panel says about it (:mod:`service.usecases.node_panels`),
        from this graph and this report only."""
        return node_panels(self.graph, self.report)


def missing(map_id: str, node_id: str) -> NotFound:
    """The one answer for a node the asker cannot see, whether it exists or not."""
    return NotFound(
        gettext(
            "no person or organisation %(node)s in map %(map)s",
            node=repr(node_id),
            map=repr(map_id),
        )
    )


def require_addressable(map_id: str, node_id: str, public_ids: dict) -> None:
    """Refuse a node id the asker may not use, exactly as a missing id is refused.

    Coordinators use real ids. Everyone else uses the ids they are shown: a named
    person's or an organisation's own id, never the real id of an anonymised person
    (shown under a pseudonym) or of a hidden one (not shown at all) — else anyone who
    can guess an id could learn who is behind a pseudonym, or that a hidden person
    exists. A community link may always use its own subject's id.
    ``public_ids`` maps real ids to public ones (:func:`public_graph`'s).
    """
    if full_access():
        return
    asker = principal()
    if asker is not None and asker.subject and asker.subject == node_id:
        return
    if public_ids.get(node_id) != node_id:
        raise missing(map_id, node_id)


def drawable(
    records: GraphRecords,
    *,
    as_of: date,
    group_by: str,
    kinds: list[str] | None = None,
    whole: nx.Graph | None = None,
) -> nx.Graph:
    """The asker's graph of ``records``: consent applied, hidden people left out;
    only ties of ``kinds`` when given. ``whole``: see :func:`public_graph`."""
    G = project(records, as_of=as_of, group_by=group_by)
    if kinds:
        wanted = set(kinds)
        G.remove_edges_from([(u, v) for u, v, k in G.edges(data="kinds") if not wanted & set(k)])
    viewer = not full_access()
    return public_graph(G, secret=secret(), keep_hidden=False, viewer=viewer, whole=whole)


def report_figures(report: dict, metric: str) -> tuple[dict, dict, dict]:
    """``(metrics, highlight, tie_counts)`` for drawing, from a report.

    ``metric`` is a column of the centrality rows (``degree``, ``betweenness``...) or
    ``brokerage`` (the Gould-Fernandez total). Bridges to someone with no other tie
    are left out of the highlight: every person with one tie is on one.
    """
    centrality = report.get("centrality", {}).get("nodes", [])
    bridging = report.get("bridging", {})
    degree = {row["node"]: row["degree"] for row in centrality}
    if metric == "brokerage":
        metrics = {row["node"]: row.get("brokerage_total") for row in bridging.get("nodes", [])}
    else:
        metrics = {row["node"]: row.get(metric) for row in centrality}
    bridges = [
        (b["u"], b["v"])
        for b in bridging.get("bridges", [])
        if degree.get(b["u"], 0) > 1 and degree.get(b["v"], 0) > 1
    ]
    points = [a["node"] for a in bridging.get("articulation_points", [])]
    matrix = report.get("silos", {}).get("tie_matrix", {})
    groups = matrix.get("groups", [])
    tie_counts = {
        (a, b): count
        for a, row in zip(groups, matrix.get("counts", []), strict=False)
        for b, count in zip(groups, row, strict=False)
        if count is not None
    }
    highlight = {"bridges": bridges, "articulation_points": points}
    return metrics, highlight, tie_counts


def whole_map(
    map_id: str,
    *,
    metric: str = "degree",
    group_by: str = "silo",
    as_of: date | None = None,
    kinds: list[str] | None = None,
) -> ViewerGraph:
    """The whole map as the asker may see it, with the report's figures."""
    check_group_by(group_by)
    as_of = as_of or clock.today()
    _, report = cached_report(map_id, group_by=group_by, as_of=as_of)
    records = store().graph(map_id, as_of=as_of)
    G = drawable(records, as_of=as_of, group_by=group_by, kinds=kinds)
    metrics, highlight, tie_counts = report_figures(report, metric)
    return ViewerGraph(records, G, metrics, highlight, tie_counts, report)


def ego(
    map_id: str,
    node_id: str,
    *,
    hops: int = 1,
    metric: str = "degree",
    group_by: str = "silo",
    as_of: date | None = None,
    kinds: list[str] | None = None,
    figures: bool = True,
) -> tuple[ViewerGraph, str]:
    """``(web, centre)``: a node's web within ``hops`` ties, as the asker may see it,
    with the report's figures (``figures=False``: the web alone, e.g. to list it).

    A node the asker may not see (hidden, or an anonymised person asked for by their
    real id) is answered exactly as a missing one: :class:`NotFound`.
    """
    check_group_by(group_by)
    as_of = as_of or clock.today()
    records = store().neighbourhood(map_id, node_id, hops=hops)
    whole = None
    if not full_access():  # groups and silos are judged on the whole map, not the web
        whole = project(store().graph(map_id), as_of=as_of, group_by=group_by)
    G = drawable(records, as_of=as_of, group_by=group_by, kinds=kinds, whole=whole)
    require_addressable(map_id, node_id, G.graph["public_ids"])
    centre = G.graph["public_ids"].get(node_id)
    if centre is None or centre not in G:
        raise missing(map_id, node_id)
    web = ViewerGraph(records, G)
    if figures:
        _, report = cached_report(map_id, group_by=group_by, as_of=as_of)
        web.metrics, web.highlight, web.tie_counts = report_figures(report, metric)
        web.report = report
    return web, centre


def graph_data(records, *, centre: str | None = None, hops: int = 1) -> dict:
    """Nodes and edges: whole records for coordinators; for everyone else the viewer
    rules of :func:`graph_models.visibility.public_records` (and, for a web, only who is
    still within ``hops`` of the centre once hidden people are left out)."""
    head = {"id": records.map.id, "name": records.map.name, "version": records.map.version}
    if full_access():
        return {
            "map": head,
            "nodes": [{"type": n.type.value, **to_dict(n)} for n in records.nodes],
            "edges": [to_dict(r) for r in records.relationships],
        }
    sizes = None
    if centre is not None:  # small silos are judged on the whole map, not the web
        sizes = Counter(p.silo for p in store().graph(records.map.id).people)
    public = public_records(records, secret=secret(), silo_people=sizes)
    nodes = [{"type": "person", **row} for row in public["people"]]
    nodes += [{"type": "organisation", **row} for row in public["organisations"]]
    edges = public["relationships"]
    if centre is not None:
        require_addressable(records.map.id, centre, public["public_ids"])
        start = public["public_ids"].get(centre)
        if start is None:
            raise missing(records.map.id, centre)
        G = nx.Graph()
        G.add_node(start)
        G.add_edges_from((e["source"], e["target"]) for e in edges)
        near = set(nx.single_source_shortest_path_length(G, start, cutoff=hops))
        nodes = [n for n in nodes if n["id"] in near]
        edges = [e for e in edges if e["source"] in near and e["target"] in near]
    return {"map": head, "nodes": nodes, "edges": edges}
