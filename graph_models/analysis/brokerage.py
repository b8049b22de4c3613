"""Gould-Fernandez brokerage roles: who mediates between whom, within and across groups.

Not in networkx or igraph; implemented here and tested on hand-worked triads and
against a brute-force enumeration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

import networkx as nx

from graph_models.analysis.groups import node_groups, sorted_groups

__all__ = ["ROLES", "brokerage"]

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
"""The five roles, in Gould and Fernandez's order (w_I, w_O, b_IO, b_OI, b_O)."""


def brokerage(G: nx.Graph, *, attribute: str = "group") -> dict:
    r"""Count the open two-paths each node brokers, by Gould-Fernandez role.

    Node :math:`v` *brokers* the ordered pair :math:`(a, c)` when :math:`a \to v`,
    :math:`v \to c`, :math:`a \ne c` and there is no tie :math:`a \to c` (an open
    two-path) [1]_ [2]_. With :math:`g(\cdot)` the group of a node, the pair is
    classified as:

    ================  =========================  ===================================
    role              groups                     the broker...
    ================  =========================  ===================================
    coordinator       g(a) = g(v) = g(c)         links two members of its own group
    itinerant         g(a) = g(c) != g(v)        links two members of another group
    (consultant)
    representative    g(a) = g(v) != g(c)        carries its group's contact out
    gatekeeper        g(v) = g(c) != g(a)        lets an outsider's contact in
    liaison           g(a), g(v), g(c) distinct  links two groups, neither its own
    ================  =========================  ===================================

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        The directed network of ties. For a Bridgemap map, pass
        ``graph_models.projection.directed_ties(G)``: directed ties (mentors, funds,
        refers_to...) keep their direction, undirected ones become reciprocal. An
        undirected graph is treated as if every tie were reciprocated. Self-loops and
        parallel ties are ignored.
    attribute : str
        Node attribute naming each node's group; a node without it belongs to
        :data:`graph_models.analysis.groups.NO_GROUP`.

    Returns
    -------
    dict
        ``nodes``: node -> ``{"coordinator", "itinerant", "representative",
        "gatekeeper", "liaison", "total"}`` (ints);
        ``summary``: the role totals over all nodes plus ``total``, ``brokers``
        (nodes with any brokerage) and ``by_group`` (group of the broker -> role
        totals, ``total`` included);
        ``method``: ``attribute``, ``directed`` (whether ``G`` was directed) and the
        counting ``convention``.

    Notes
    -----
    Convention, as in statnet's ``sna::brokerage`` [2]_: pairs are *ordered*, so on
    reciprocal (and hence undirected) ties the open path a - v - c is counted twice,
    once as (a, c) and once as (c, a). On undirected data each node's
    representative and gatekeeper counts are therefore equal (a -> v -> c is a
    representative path exactly when c -> v -> a is a gatekeeper one), and every
    count is twice the number of unordered open paths of that kind. The total of a
    node is its number of open ordered two-paths; summed over nodes it is the number
    of open two-paths of the network. (Older versions of the ``sna`` manual swapped
    the names *gatekeeper* and *representative* in its b_IO/b_OI bullet points; the
    definitions here follow Gould and Fernandez, and agree with the current manual.)

    The counts are found without listing paths: for broker :math:`v` with in-group
    (same group as :math:`v`) and out-group numbers of in-neighbours
    :math:`i_s, i_o` and out-neighbours :math:`o_s, o_o`, and
    :math:`x = \sum_{h \ne g(v)} in_h \cdot out_h`, the ordered pairs are
    coordinator :math:`i_s o_s`, itinerant :math:`x`, representative :math:`i_s o_o`,
    gatekeeper :math:`i_o o_s` and liaison :math:`i_o o_o - x`; from these are taken
    the pairs with :math:`a = c` (reciprocal ties) and the closed pairs
    (:math:`a \to c`), found by one set intersection per tie :math:`a \to v`
    (:math:`O(\sum_{a \to v} \min(d^+(a), d^+(v)))`, as in triangle counting).
    10,000 nodes and 50,000 reciprocal ties take well under a second.

    Examples
    --------
    A housing officer ``v`` passes a referral from health worker ``a`` to police
    officer ``c``, who have no tie of their own: ``v`` is a liaison.

    >>> D = nx.DiGraph([("a", "v"), ("v", "c")])
    >>> nx.set_node_attributes(D, {"a": "health", "v": "housing", "c": "police"}, "group")
    >>> r = brokerage(D)
    >>> {role: n for role, n in r["nodes"]["v"].items() if n}
    {'liaison': 1, 'total': 1}

    References
    ----------
    .. [1] Gould RV, Fernandez RM: Structures of mediation: a formal approach to
       brokerage in transaction networks. Sociological Methodology 19:89-126, 1989.
    .. [2] Butts CT: sna: Tools for Social Network Analysis, function ``brokerage``
       (R package, statnet). https://CRAN.R-project.org/package=sna
    """
    directed = G.is_directed()
    group: dict[Hashable, Hashable] = node_groups(G, attribute)
    if directed:
        succ = {v: set(nbrs) - {v} for v, nbrs in G.succ.items()}
        pred = {v: set(nbrs) - {v} for v, nbrs in G.pred.items()}
    else:
        succ = {v: set(nbrs) - {v} for v, nbrs in G.adj.items()}
        pred = succ

    nodes: dict = {}
    for v in G:
        gv = group[v]
        ins, outs = pred[v], succ[v]
        in_by_group = Counter(group[a] for a in ins)
        out_by_group = in_by_group if outs is ins else Counter(group[c] for c in outs)
        in_same, out_same = in_by_group[gv], out_by_group[gv]
        in_other, out_other = len(ins) - in_same, len(outs) - out_same
        # ordered pairs (a, c), a in ins, c in outs, a and c of one group other than v's
        x = sum(n * out_by_group[h] for h, n in in_by_group.items() if h != gv)
        counts = {
            "coordinator": in_same * out_same,
            "itinerant": x,
            "representative": in_same * out_other,
            "gatekeeper": in_other * out_same,
            "liaison": in_other * out_other - x,
        }
        # a == c: not a pair (reciprocal ties v <-> a)
        for a in ins & outs if outs is not ins else ins:
            counts["coordinator" if group[a] == gv else "itinerant"] -= 1
        # closed pairs: a -> c exists
        if outs:
            out_groups = None
            for a in ins:
                closed = succ[a] & outs
                if not closed:
                    continue
                if out_groups is None:
                    out_groups = _split(outs, group)
                ga = group[a]
                same_v = len(closed & out_groups[gv]) if gv in out_groups else 0
                if ga == gv:
                    counts["coordinator"] -= same_v
                    counts["representative"] -= len(closed) - same_v
                else:
                    same_a = len(closed & out_groups[ga]) if ga in out_groups else 0
                    counts["gatekeeper"] -= same_v
                    counts["itinerant"] -= same_a
                    counts["liaison"] -= len(closed) - same_v - same_a
        counts["total"] = sum(counts.values())
        nodes[v] = counts

    summary: dict = dict.fromkeys((*ROLES, "total"), 0)
    by_group: dict = {}
    for v, counts in nodes.items():
        row = by_group.setdefault(group[v], dict.fromkeys((*ROLES, "total"), 0))
        for role, c in counts.items():
            summary[role] += c
            row[role] += c
    summary["brokers"] = sum(1 for counts in nodes.values() if counts["total"])
    summary["by_group"] = {g: by_group[g] for g in sorted_groups(by_group)}
    return {
        "nodes": nodes,
        "summary": summary,
        "method": {
            "attribute": attribute,
            "directed": directed,
            "convention": "ordered pairs (a, c) with a->v->c, a != c and no a->c tie "
            "(Gould & Fernandez 1989; statnet sna::brokerage): an undirected or "
            "reciprocal open path a-v-c counts twice, as (a, c) and (c, a)",
        },
    }


def _split(nodes: set, group: dict) -> dict:
    """The members of ``nodes`` by group."""
    parts: dict = {}
    for c in nodes:
        parts.setdefault(group[c], set()).add(c)
    return parts
