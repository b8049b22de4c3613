"""Change over time: the silo figures at two dates and what changed between them.

The caller projects the same map at two dates (``projection.project(records,
as_of=...)``) and passes both graphs. Ties are matched by their pair of nodes, so a
cross-group tie is *gained* when its pair is joined across groups after but not before,
and *lost* the other way round.

Functions
---------
compare
    Headline figures at each date, their difference, and the cross-group ties gained
    and lost.
"""

from __future__ import annotations

import networkx as nx

from graph_models.analysis.groups import node_groups
from graph_models.analysis.silos import silo_report

__all__ = ["compare", "HEADLINE_FIELDS"]

#: The figures compared at each date (all from :func:`silo_report`'s headline).
HEADLINE_FIELDS = (
    "nodes",
    "nodes_with_ties",
    "ties",
    "cross_group_ties",
    "cross_group_share",
    "ei_index",
    "modularity",
    "groups",
    "isolated_group_pairs",
)


def _node_key(n) -> tuple:
    return (type(n).__name__, n) if isinstance(n, int | float | str) else ("~", str(n))


def _cross_ties(G: nx.Graph, attribute: str) -> dict:
    """``{(u, v): (group of u, group of v)}`` for each cross-group tie, ``u`` before ``v``."""
    group_of = node_groups(G, attribute)
    out = {}
    for u, v in G.edges():
        gu, gv = group_of[u], group_of[v]
        if u == v or gu == gv:
            continue
        if _node_key(v) < _node_key(u):
            u, v, gu, gv = v, u, gv, gu
        out[(u, v)] = (gu, gv)
    return out


def _listing(ties: dict, keys) -> list[dict]:
    ordered = sorted(keys, key=lambda p: (_node_key(p[0]), _node_key(p[1])))
    return [{"nodes": [u, v], "groups": list(ties[(u, v)])} for u, v in ordered]


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def compare(G_before: nx.Graph, G_after: nx.Graph, *, attribute: str = "group") -> dict:
    """Compare the silo figures of the same map at two dates.

    Parameters
    ----------
    G_before, G_after : networkx.Graph
        The map projected at the earlier and the later date.
    attribute : str
        Node attribute naming each node's group.

    Returns
    -------
    dict
        ``before`` and ``after``: the figures of :data:`HEADLINE_FIELDS` at each date
        (``nodes_with_ties``, ``ties``, ``cross_group_ties``, the overall E-I index,
        the modularity of the declared groups, ``isolated_group_pairs``... as in
        :func:`silo_report`), plus ``as_of`` (the graph's ``as_of`` attribute, if any);
        ``difference``: after minus before for each figure (``None`` where either is
        ``None``); ``gained`` and ``lost``: the pairs joined by a cross-group tie at
        only one date (normally a tie that started or ended; also a tie whose end
        changed group), each ``{"nodes": [u, v], "groups": [group of u, group of v]}`` with
        ``u < v``, sorted by ``(u, v)`` (lost ties carry the groups of the earlier
        date, gained ties those of the later one); ``parameters``.

    Examples
    --------
    >>> before = nx.Graph([("a", "b")])
    >>> before.add_node("c")
    >>> nx.set_node_attributes(before, {"a": "x", "b": "x", "c": "y"}, "group")
    >>> after = before.copy()
    >>> after.add_edge("b", "c")
    >>> r = compare(before, after)
    >>> r["difference"]["cross_group_ties"], r["difference"]["ei_index"], r["gained"]
    (1, 1.0, [{'nodes': ['b', 'c'], 'groups': ['x', 'y']}])

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). Informal networks and organizational
       crises: an experimental simulation. *Social Psychology Quarterly* 51(2),
       123-140 (E-I index).
    .. [2] Newman, M. E. J. and Girvan, M. (2004). Finding and evaluating community
       structure in networks. *Physical Review E* 69, 026113 (modularity).
    """
    figures = {}
    for label, G in (("before", G_before), ("after", G_after)):
        headline = silo_report(G, attribute=attribute)["headline"]
        figures[label] = {k: headline[k] for k in HEADLINE_FIELDS}
        figures[label]["as_of"] = G.graph.get("as_of")

    difference = {}
    for k in HEADLINE_FIELDS:
        b, a = figures["before"][k], figures["after"][k]
        difference[k] = None if a is None or b is None else a - b

    cross_before = _cross_ties(G_before, attribute)
    cross_after = _cross_ties(G_after, attribute)
    return {
        "before": figures["before"],
        "after": figures["after"],
        "difference": difference,
        "gained": _listing(cross_after, cross_after.keys() - cross_before.keys()),
        "lost": _listing(cross_before, cross_before.keys() - cross_after.keys()),
        "parameters": {"attribute": attribute},
    }
