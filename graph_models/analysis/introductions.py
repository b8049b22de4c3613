"""Introductions: who could be introduced to join two weakly connected silos.

Two people in different silos who are not tied but share a contact are *one
introduction apart*: the shared contact (the broker) can introduce them. Across a pair
of silos joined by no or few ties, such introductions are the cheapest way to build a
bridge. Candidates are ranked by the Adamic-Adar index, which counts shared contacts
and weights each by how selective it is (a contact who knows few people is a stronger
sign than a hub who knows everyone).

Functions
---------
suggest_introductions
    For weakly tied group pairs, ranked candidate pairs of people and their brokers.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

import networkx as nx
import numpy as np

from graph_models.analysis.fast import compiled, edge_ends
from graph_models.analysis.groups import node_groups, sorted_groups
from graph_models.analysis.silos import DEFAULT_FEW, tie_matrix, weak_pairs

__all__ = ["suggest_introductions"]


def _target_pairs(G, attribute, pairs, few) -> list[tuple]:
    """The group pairs to work on as ``(a, b, ties)``, each ordered by group order."""
    if pairs is None:
        found = weak_pairs(G, attribute=attribute, few=few, threshold=0.0)
        return [(p["groups"][0], p["groups"][1], p["ties"]) for p in found]
    matrix = tie_matrix(G, attribute=attribute)
    index = {g: i for i, g in enumerate(matrix["groups"])}
    out, seen = [], set()
    for a, b in pairs:
        if a == b:
            raise ValueError(f"a group pair needs two different groups, got {a!r} twice")
        a, b = sorted_groups([a, b])  # group order, whether or not the groups have members
        if (a, b) in seen:
            continue
        seen.add((a, b))
        ties = matrix["counts"][index[a]][index[b]] if a in index and b in index else 0
        out.append((a, b, ties))
    return out


def _possible_brokers(G: nx.Graph, bucket_of: dict) -> list:
    """The nodes, in the order of ``G``, with contacts (other than themselves) in at
    least two groups of ``bucket_of``: only they can be the common contact of a
    suggested pair, so the search skips the others. Counted with numpy over the
    compiled edge list: distinct (node, contact's group) pairs per node."""
    order = compiled(G).nodes
    n = len(order)
    ends = edge_ends(G)
    ends = ends[ends[:, 0] != ends[:, 1]]
    codes: dict = {}
    bucket = np.fromiter(
        (codes.setdefault(bucket_of[v], len(codes)) if v in bucket_of else -1 for v in order),
        np.int64,
        n,
    )
    node = np.concatenate([ends[:, 0], ends[:, 1]])
    contact = bucket[np.concatenate([ends[:, 1], ends[:, 0]])]
    known = contact >= 0
    k = max(len(codes), 1)
    pairs = np.unique(node[known] * k + contact[known])
    spread = np.bincount(pairs // k, minlength=n)
    return [order[i] for i in np.flatnonzero(spread >= 2).tolist()]


def _rank(item) -> tuple:
    (u, v), (aa, cn, _) = item
    # Rounded so that sums of the same terms added in another order rank alike.
    return (-round(aa, 12), -cn, str(u), str(v))


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def suggest_introductions(
    G: nx.Graph,
    *,
    attribute: str = "group",
    pairs=None,
    limit: int | None = 20,
    few: int = DEFAULT_FEW,
    node_type: str | None = "person",
) -> dict:
    """Suggest introductions across weakly tied pairs of groups.

    For each pair of groups ``(a, b)`` considered, the candidates are the pairs of
    nodes ``(u, v)`` with ``u`` in ``a`` and ``v`` in ``b``, not tied to each other,
    with at least one common neighbour (the brokers, of any type and any group). They
    are ranked by the Adamic-Adar index ``sum over brokers w of 1 / log(degree(w))``,
    then by the number of brokers, then by ids (so the order is deterministic).

    Candidates are found by walking the two-paths ``u - w - v`` through each node
    ``w``, never by testing all pairs of nodes: the cost grows with the sum over
    brokers of (neighbours in ``a``) x (neighbours in ``b``), not with ``|a| x |b|``.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute`` (and ``type``).
    attribute : str
        Node attribute naming each node's group.
    pairs : iterable of (group, group), optional
        The group pairs to work on, in the order given. Default: every pair joined by
        fewer than ``few`` ties, weakest first (as :func:`weak_pairs` with the density
        rule off).
    limit : int or None
        Most suggestions returned per group pair (default 20); ``None`` for all.
    few : int
        With ``pairs=None``: pairs joined by fewer ties than this are weak (default 2).
    node_type : str or None
        Only nodes whose ``type`` equals this are suggested for introduction (default
        ``"person"``); ``None`` allows any node. Brokers may be of any type.

    Returns
    -------
    dict
        ``pairs``: one entry per group pair, ``{"groups": [a, b], "ties",
        "candidates" (how many were found before ``limit``), "suggestions"}``; each
        suggestion is ``{"nodes": [u, v]`` (``u`` in ``a``), ``"adamic_adar",
        "common_neighbours", "brokers": [{"node", "group"}]}``, brokers ordered by the
        weaker of their two ties, strongest first (edge ``weight``, default 1), then
        id. A pair with no candidates has no one a single introduction could join.
        Also ``method`` and ``parameters``.

    Examples
    --------
    >>> G = nx.Graph([("ann", "bob"), ("bob", "cat")])
    >>> nx.set_node_attributes(G, {"ann": "health", "bob": "police", "cat": "housing"},
    ...                        "group")
    >>> nx.set_node_attributes(G, "person", "type")
    >>> r = suggest_introductions(G, few=1)  # pairs with no tie
    >>> [(p["groups"], [s["nodes"] for s in p["suggestions"]]) for p in r["pairs"]]
    [(['health', 'housing'], [['ann', 'cat']])]
    >>> r["pairs"][0]["suggestions"][0]["brokers"]
    [{'node': 'bob', 'group': 'police'}]

    References
    ----------
    .. [1] Adamic, L. A. and Adar, E. (2003). Friends and neighbors on the Web.
       *Social Networks* 25(3), 211-230. https://doi.org/10.1016/S0378-8733(03)00009-1
    .. [2] Liben-Nowell, D. and Kleinberg, J. (2007). The link-prediction problem for
       social networks. *JASIST* 58(7), 1019-1031. https://doi.org/10.1002/asi.20591
    .. [3] Granovetter, M. S. (1973). The strength of weak ties. *American Journal of
       Sociology* 78(6), 1360-1380 (why ties across groups matter).
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must be None or at least 0")
    group_of = node_groups(G, attribute)
    targets = _target_pairs(G, attribute, pairs, few)

    partners: dict = defaultdict(set)
    slot = {}
    for k, (a, b, _) in enumerate(targets):
        partners[a].add(b)
        partners[b].add(a)
        slot[(a, b)] = k

    def eligible(n) -> bool:
        return node_type is None or G.nodes[n].get("type") == node_type

    bucket_of = {n: g for n, g in group_of.items() if g in partners and eligible(n)}

    # found[k][(u, v)] = [adamic-adar, common neighbours, brokers]
    found: list[dict] = [{} for _ in targets]
    adj = G._adj  # plain dicts: membership tests here dominate the running time
    if bucket_of:
        for w in _possible_brokers(G, bucket_of):
            nbrs = adj[w]
            buckets: dict = defaultdict(list)
            degree = 0
            for x in nbrs:
                if x == w:
                    continue
                degree += 1
                g = bucket_of.get(x)
                if g is not None:
                    buckets[g].append(x)
            if len(buckets) < 2:
                continue
            score = 1.0 / math.log(degree)  # degree >= 2 here
            for a, us in buckets.items():
                for b in partners[a]:
                    k = slot.get((a, b))
                    if k is None or b not in buckets:
                        continue
                    table = found[k]
                    vs = buckets[b]
                    for u in us:
                        adj_u = adj[u]
                        for v in vs:
                            if v in adj_u:
                                continue
                            entry = table.get((u, v))
                            if entry is None:
                                table[(u, v)] = [score, 1, [w]]
                            else:
                                entry[0] += score
                                entry[1] += 1
                                entry[2].append(w)

    def strength(x, y) -> float:
        return adj[x][y].get("weight", 1)

    out = []
    for k, (a, b, ties) in enumerate(targets):
        table = found[k]
        if limit is None:
            ranked = sorted(table.items(), key=_rank)
        else:
            ranked = heapq.nsmallest(limit, table.items(), key=_rank)
        suggestions = []
        for (u, v), (aa, cn, brokers) in ranked:
            brokers = sorted(
                brokers, key=lambda w, u=u, v=v: (-min(strength(w, u), strength(w, v)), str(w))
            )
            suggestions.append(
                {
                    "nodes": [u, v],
                    "adamic_adar": aa,
                    "common_neighbours": cn,
                    "brokers": [{"node": w, "group": group_of[w]} for w in brokers],
                }
            )
        out.append(
            {
                "groups": [a, b],
                "ties": ties,
                "candidates": len(table),
                "suggestions": suggestions,
            }
        )
    return {
        "method": "adamic_adar",
        "parameters": {
            "attribute": attribute,
            "pairs": None if pairs is None else [p["groups"] for p in out],
            "limit": limit,
            "few": few,
            "node_type": node_type,
        },
        "pairs": out,
    }
