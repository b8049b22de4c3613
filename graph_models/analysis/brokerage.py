"""Gould-Fernandez brokerage roles: who mediates between whom, within and across groups.

Not in networkx or igraph; implemented here and tested on hand-worked triads and
against a brute-force enumeration. Undirected graphs (the usual map) are counted with
sparse-matrix products (:func:`_undirected_counts`), directed ones node by node with
set intersections (:func:`_directed_counts`); the tests prove both equal the
brute-force enumeration and each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

import networkx as nx
import numpy as np

from graph_models.analysis.fast import compiled, edge_ends
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
    On an undirected graph the same counts come from sparse-matrix products
    (:func:`_undirected_counts`): 0.3 s in Python sets against ~0.05 s for 10,000
    nodes and 50,000 ties, ~8x less at 50,000 / 250,000.

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
    nodes = _directed_counts(G, group) if directed else _undirected_counts(G, group)

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


def _directed_counts(G: nx.Graph, group: dict) -> dict:
    """Each node's role counts, node by node with set intersections (any graph; the
    one used for directed graphs). See :func:`brokerage`'s notes for the method."""
    if G.is_directed():
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
    return nodes


def _undirected_counts(G: nx.Graph, group: dict) -> dict:
    r"""Each node's role counts on an undirected graph, by sparse-matrix products.

    With :math:`A` the 0/1 adjacency matrix (no self-loops, parallel ties once),
    split into :math:`A_{in}` (ties between two members of one group) and
    :math:`A_{out} = A - A_{in}`, row :math:`v` of :math:`A_{in}` lists :math:`v`'s
    contacts in its own group (:math:`s_v` of them) and of :math:`A_{out}` the others
    (:math:`o_v`); :math:`x_v = \sum_h c_{vh}^2` over the other groups :math:`h`
    (:math:`c_{vh}`: :math:`v`'s contacts in :math:`h`). Ordered pairs of distinct
    contacts: coordinator :math:`s_v^2 - s_v`, itinerant :math:`x_v - o_v`,
    representative and gatekeeper :math:`s_v o_v`, liaison :math:`o_v^2 - x_v`. The
    closed pairs (:math:`a` and :math:`c` tied) are the triangles through :math:`v`,
    each role's found as a row sum of a masked product:
    coordinator :math:`(A_{in} A) \circ A_{in}`, representative and gatekeeper
    :math:`(A_{in} A) \circ A_{out}`, itinerant :math:`(A_{out} A_{in}) \circ A_{out}`
    and liaison :math:`(A_{out} A_{out}) \circ A_{out}`. Integer arithmetic throughout:
    the counts are exact. Cost: the products, :math:`O(\sum_v d_v^2)` at most.
    """
    from scipy import sparse

    order = compiled(G).nodes
    n = len(order)
    if n == 0:
        return {}
    codes: dict = {}
    code = np.fromiter((codes.setdefault(group[v], len(codes)) for v in order), np.int64, n)
    edges = edge_ends(G)
    edges = edges[edges[:, 0] != edges[:, 1]]
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    A = sparse.csr_array((np.ones(len(rows), np.int64), (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    A.data[:] = 1  # parallel ties count once
    row_of = np.repeat(np.arange(n), np.diff(A.indptr))
    inside = (code[row_of] == code[A.indices]).astype(np.int64)
    # own copies of the index arrays: eliminate_zeros edits them in place
    A_in = sparse.csr_array((inside, A.indices.copy(), A.indptr.copy()), shape=(n, n))
    A_out = sparse.csr_array((1 - inside, A.indices.copy(), A.indptr.copy()), shape=(n, n))
    A_in.eliminate_zeros()
    A_out.eliminate_zeros()

    def rows_sum(M) -> np.ndarray:
        return np.asarray(M.sum(axis=1)).ravel().astype(np.int64)

    same = rows_sum(A_in)
    other = rows_sum(A_out)
    one_hot = sparse.csr_array((np.ones(n, np.int64), (np.arange(n), code)), shape=(n, len(codes)))
    by_group = A_out @ one_hot  # contacts of v in each other group
    x = rows_sum(by_group.multiply(by_group))
    P = A_in @ A
    closed_coordinator = rows_sum(P.multiply(A_in))
    closed_representative = rows_sum(P.multiply(A_out))
    del P
    closed_itinerant = rows_sum((A_out @ A_in).multiply(A_out))
    closed_liaison = rows_sum((A_out @ A_out).multiply(A_out))
    columns = {
        "coordinator": same * same - same - closed_coordinator,
        "itinerant": x - other - closed_itinerant,
        "representative": same * other - closed_representative,
        "gatekeeper": same * other - closed_representative,
        "liaison": other * other - x - closed_liaison,
    }
    columns["total"] = sum(columns.values())
    names = list(columns)
    per_node = zip(*(c.tolist() for c in columns.values()), strict=True)
    return {
        v: dict(zip(names, counts, strict=True)) for v, counts in zip(order, per_node, strict=True)
    }


def _split(nodes: set, group: dict) -> dict:
    """The members of ``nodes`` by group."""
    parts: dict = {}
    for c in nodes:
        parts.setdefault(group[c], set()).add(c)
    return parts
