"""The cross-silo report: every analysis section over one projected graph.

Each section is a plain, JSON-ready dict that states the method and parameters used,
so a figure can be reproduced. Node references are whatever ids the graph carries:
the service passes a graph already relabelled by
:func:`graph_models.visibility.public_graph`, and the result through
:func:`graph_models.visibility.redact`, so this module never needs to know about
consent. Every key of every section is declared in
:mod:`graph_models.analysis.report_schema` (types, descriptions, and which fields name a
node or a group); a new key must be declared there, or the tests refuse the report.

Sections
--------
``centrality``
    degree, weighted degree, betweenness, closeness and PageRank per node.
``bridging``
    bridges and local bridges, articulation points and the groups each one alone
    joins, Burt's constraint and effective size, Gould-Fernandez brokerage roles and
    bridging centrality per node.
``silos``
    the group x group tie matrix, E-I indices, assortativity, modularity of the declared
    groups and the weakly tied group pairs.
``communities``
    communities found in the structure against the declared groups.
``introductions``
    suggested introductions across weakly tied group pairs.
``change`` (separate: :func:`change_section`) the same headline figures at two dates.
"""

from __future__ import annotations

import networkx as nx

from graph_models.analysis.bridging import (
    articulation_points,
    bridges,
    bridging_centrality,
    structural_holes,
)
from graph_models.analysis.brokerage import brokerage
from graph_models.analysis.centrality import centrality
from graph_models.analysis.change import compare
from graph_models.analysis.communities import hidden_silos
from graph_models.analysis.introductions import suggest_introductions
from graph_models.analysis.silos import silo_report
from graph_models.projection import directed_ties, has_directed_ties

SECTIONS = ("centrality", "bridging", "silos", "communities", "introductions")

#: Per-section lists that can be long (one row per node or tie): the API pages them.
PAGED_LISTS = {
    "centrality": ("nodes",),
    "bridging": ("nodes", "bridges", "local_bridges", "articulation_points"),
}
#: Per-node dicts (keyed by node, in the graph's node order), paged like the lists:
#: ``(section, path to the dict)``; the dict's parent gains ``<key>_total``.
PAGED_DICTS = (
    ("silos", ("ei_index", "nodes")),
    ("communities", ("membership",)),
)


def centrality_section(
    G: nx.Graph, *, seed: int = 0, k: int = 256, exact_threshold=5000, paths: dict | None = None
):
    """Per-node centrality rows, most between first.

    ``paths``: betweenness and closeness already known (``{"betweenness": {node: x},
    "closeness": {...}, "source": ...}``: exact, computed in the request or in the
    background), or ``{"status": "computing", ...}`` (:func:`graph_models.analysis.
    paths.pending`) while they are computed elsewhere: then both are ``None`` in every
    row, the section says so in ``pending``, and nothing is sampled in their place.
    Default (None): computed here, exact up to ``exact_threshold`` nodes.
    """
    if paths is None:
        c = centrality(G, exact_threshold=exact_threshold, k=k, seed=seed)
        pending = None
    else:
        c = centrality(G, exact_threshold=exact_threshold, k=k, seed=seed, path_measures=False)
        pending = paths if paths.get("status") == "computing" else None
        if pending is None:
            c["betweenness"], c["closeness"] = paths["betweenness"], paths["closeness"]
            how = {"method": "exact", "source": paths.get("source", "given")}
            if paths.get("seconds") is not None:
                how["seconds"] = paths["seconds"]
            c["method"]["betweenness"] = how
            c["method"]["closeness"] = {**how, "wf_improved": True}
        else:
            c["betweenness"] = c["closeness"] = dict.fromkeys(G)
            how = {"method": "pending", "expected_seconds": pending["expected_seconds"]}
            c["method"]["betweenness"] = c["method"]["closeness"] = how
    degree, weighted, share = c["degree"], c["weighted_degree"], c["degree_centrality"]
    between, close, pagerank = c["betweenness"], c["closeness"], c["pagerank"]
    rows = [
        {
            "node": v,
            "degree": degree[v],
            "weighted_degree": weighted[v],
            "degree_centrality": share[v],
            "betweenness": between[v],
            "closeness": close[v],
            "pagerank": pagerank[v],
        }
        for v in G
    ]
    rows.sort(key=lambda r: (-(r["betweenness"] or 0), -r["degree"], str(r["node"])))
    section = {"method": c["method"], "nodes": rows}
    if pending is not None:
        section["pending"] = pending
    return section, c["betweenness"]


def given_betweenness(G: nx.Graph, paths: dict) -> dict:
    """The betweenness :func:`centrality_section` returns with ``paths`` given, without
    the section (bridging alone needs only this: its rows are computed elsewhere, e.g.
    in another process, :mod:`graph_models.report_split`)."""
    if paths.get("status") == "computing":
        return dict.fromkeys(G)
    return paths["betweenness"]


def bridging_section(
    G: nx.Graph,
    *,
    attribute: str = "group",
    betweenness: dict | None = None,
    seed: int = 0,
    pending: dict | None = None,
) -> dict:
    """Who and which ties hold the network together across groups.

    ``pending``: betweenness is being computed elsewhere (see :func:`centrality_section`);
    bridging centrality is then ``None`` and the section says so.
    """
    # spans only for ties that cross groups: the report is about those, and spans of
    # every local bridge dominate the time on large, weakly clustered maps
    ties = bridges(G, attribute=attribute, with_span="crossing")
    holes = structural_holes(G, weight="strength")
    # a map of undirected ties only (the usual case) is its own directed network
    roles = brokerage(directed_ties(G) if has_directed_ties(G) else G, attribute=attribute)
    bc = bridging_centrality(G, betweenness=betweenness, seed=seed)
    rows = []
    constraint, effective_size = holes["constraint"], holes["effective_size"]
    coefficient, centrality_ = bc["bridging_coefficient"], bc["bridging_centrality"]
    by_node = roles["nodes"]
    column: dict = {}  # role -> "brokerage_<role>", made once
    for v in G:
        row = {
            "node": v,
            "constraint": constraint[v],
            "effective_size": effective_size[v],
            "bridging_coefficient": coefficient[v],
            "bridging_centrality": centrality_[v],
        }
        for role, n in by_node[v].items():
            key = column.get(role)
            if key is None:
                key = column[role] = f"brokerage_{role}"
            row[key] = n
        rows.append(row)
    rows.sort(
        key=lambda r: (-(r["bridging_centrality"] or 0), -r["brokerage_total"], str(r["node"]))
    )
    out = {
        "method": {
            "attribute": attribute,
            "structural_holes": holes["method"],
            "brokerage": roles["method"],
            "bridging_centrality": bc.get("method", {}),
        },
        "summary": {**ties["summary"], "brokerage": roles["summary"]},
        "bridges": ties["bridges"],
        "local_bridges": ties["local_bridges"],
        "articulation_points": articulation_points(G, attribute=attribute),
        "nodes": rows,
    }
    if pending is not None:
        out["pending"] = pending
    return out


def analyse(
    G: nx.Graph,
    *,
    sections=SECTIONS,
    attribute: str = "group",
    seed: int = 0,
    k: int = 256,
    exact_threshold: int | None = 5000,
    paths: dict | None = None,
) -> dict:
    """Run the requested ``sections`` over ``G``; returns ``{section: result}``.

    Parameters
    ----------
    G : networkx.Graph
        A projected map (:func:`graph_models.projection.project`), usually relabelled
        for consent by :func:`graph_models.visibility.public_graph`.
    sections : iterable of str
        Any of :data:`SECTIONS`.
    attribute : str
        The node attribute holding each node's group (``"group"`` after projection).
    seed, k, exact_threshold
        Randomness and sampling: betweenness and closeness are exact up to
        ``exact_threshold`` nodes and sampled with ``k`` pivots above it; ``seed`` fixes
        those pivots and the Leiden community search (``communities``), so the same
        ``seed`` gives the same report. All are reported in each section's ``method``.
    paths : dict, optional
        Exact betweenness and closeness already known, or a "being computed" notice
        (see :func:`centrality_section`); then nothing is sampled, and ``bridging``
        without ``centrality`` takes its betweenness from them
        (:func:`given_betweenness`): the same section, without the centrality rows.
    """
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    out: dict = {}
    betweenness = None
    if "centrality" in sections or ("bridging" in sections and paths is None):
        cent, betweenness = centrality_section(
            G, seed=seed, k=k, exact_threshold=exact_threshold, paths=paths
        )
        if "centrality" in sections:
            out["centrality"] = cent
    elif "bridging" in sections:
        betweenness = given_betweenness(G, paths)
    if "bridging" in sections:
        pending = paths if paths is not None and paths.get("status") == "computing" else None
        out["bridging"] = bridging_section(
            G, attribute=attribute, betweenness=betweenness, seed=seed, pending=pending
        )
    if "silos" in sections:
        out["silos"] = silo_report(G, attribute=attribute)
    if "communities" in sections:
        # Leiden rather than Louvain: on planted silos it recovers them (NMI 0.96 against
        # 0.62 for Louvain, which merges communities) and is faster (see the note on #3)
        out["communities"] = hidden_silos(G, attribute=attribute, seed=seed, algorithm="leiden")
    if "introductions" in sections:
        out["introductions"] = suggest_introductions(G, attribute=attribute)
    return out


def change_section(G_from: nx.Graph, G_to: nx.Graph, *, attribute: str = "group") -> dict:
    """Headline figures at two dates, their difference, and cross-group ties gained/lost."""
    return compare(G_from, G_to, attribute=attribute)


#: Node measures a view can size nodes by.
NODE_METRICS = ("degree", "weighted_degree", "betweenness", "closeness", "pagerank", "brokerage")


def node_metric(G: nx.Graph, metric: str, *, seed: int = 0) -> dict:
    """One measure per node of ``G`` (for sizing nodes in a view)."""
    if metric not in NODE_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    if metric == "brokerage":
        roles = brokerage(directed_ties(G) if has_directed_ties(G) else G, attribute="group")
        roles = roles["nodes"]
        return {v: r["total"] for v, r in roles.items()}
    if metric == "degree":
        return dict(G.degree())
    if metric == "weighted_degree":
        return dict(G.degree(weight="strength"))
    return centrality(G, seed=seed)[metric]
