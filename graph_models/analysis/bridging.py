"""Bridging: the ties and the people whose loss would cut the network apart.

* :func:`bridges` -- ties whose removal disconnects the network (bridges) or makes
  their two ends far apart (local bridges, with their span), and which groups they join.
* :func:`articulation_points` -- people or organisations whose departure splits their
  part of the network, with the pieces left and the group pairs they alone connect.
* :func:`structural_holes` -- Burt's constraint and effective size.
* :func:`bridging_centrality` -- Hwang et al.'s betweenness x bridging coefficient.

"Group" is the value of a node attribute (``group`` by default: the grouping
attribute chosen when the graph was projected, e.g. the silo); a node without it
belongs to :data:`graph_models.analysis.groups.NO_GROUP`.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from graph_models.analysis.centrality import betweenness as _betweenness
from graph_models.analysis.fast import compiled, edge_ends, to_networkit
from graph_models.analysis.groups import node_groups, sorted_groups

__all__ = ["articulation_points", "bridges", "bridging_centrality", "structural_holes"]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def bridges(G: nx.Graph, *, attribute: str = "group", with_span: bool | str = True) -> dict:
    """Bridges and local bridges, and whether each crosses between groups.

    A *bridge* is a tie whose removal disconnects its two ends. A *local bridge* is a
    tie whose ends have no neighbour in common; its *span* is the distance between
    its ends once the tie is removed (in hops; infinite for a bridge, so every bridge
    is also a local bridge) [1]_ [2]_. A local bridge of large span is a short cut
    between otherwise distant parts of the network.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, not a multigraph.
    attribute : str
        Node attribute naming each node's group.
    with_span : bool or "crossing"
        Compute the span of each local bridge (the costly part: ~2 s for the
        47,000 local bridges of a 10,000-node, 50,000-tie unclustered network).
        If False, every ``span`` is reported as ``None``; with ``"crossing"``, spans
        are computed only for local bridges between two groups (the ones a cross-silo
        report is about) and are ``None`` for the others.

    Returns
    -------
    dict
        ``bridges``: list of ``{"u", "v", "groups": [group of u, group of v],
        "crosses": bool}``, in the order of ``G.edges``;
        ``local_bridges``: list of the same plus ``"span"`` (int, or ``None`` when
        infinite or not computed) and ``"bridge"`` (True for a global bridge), global
        bridges first, then by decreasing span, then in the order of ``G.edges``;
        ``summary``: counts (``bridges``, ``crossing_bridges``, ``local_bridges``,
        ``crossing_local_bridges``).

    Notes
    -----
    Bridges come from :func:`networkx.bridges` (chain decomposition, linear time).
    Local bridges and spans are those of ``networkx.local_bridges(G, with_span=True)``
    (the tests prove it), but each span is found by a bidirectional breadth-first
    search instead of networkx's one-sided Dijkstra: networkx took 25 s for 2,000
    nodes and 10,000 ties, this 0.2 s (10,000 nodes / 50,000 ties: 1.8-2.5 s).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    >>> nx.set_node_attributes(G, {"a": "health", "b": "health", "c": "health",
    ...                            "d": "housing"}, "group")
    >>> r = bridges(G)
    >>> r["bridges"]
    [{'u': 'c', 'v': 'd', 'groups': ['health', 'housing'], 'crosses': True}]
    >>> [(b["u"], b["v"], b["span"]) for b in r["local_bridges"]]
    [('c', 'd', None)]

    References
    ----------
    .. [1] Granovetter M: The strength of weak ties. American Journal of Sociology
       78(6):1360-1380, 1973.
    .. [2] Easley D, Kleinberg J: Networks, Crowds, and Markets, section 3.2.
       Cambridge University Press, 2010.
    """
    group = node_groups(G, attribute)
    g, nodes = compiled(G)
    edge_list = g.get_edgelist()  # edge i is the i-th edge of G.edges()
    m = len(edge_list)
    ends = np.asarray(edge_list, dtype=np.int64).reshape(m, 2)
    is_bridge = np.zeros(m, dtype=bool)
    is_bridge[g.bridges()] = True
    # an edge whose ends share no neighbour (Jaccard similarity 0) is a local bridge
    shared = np.asarray(g.similarity_jaccard(pairs=edge_list, loops=False) if m else [])
    loop = ends[:, 0] == ends[:, 1]
    local = ~loop & (is_bridge | (shared <= 0))
    groups = [group[v] for v in nodes]
    codes: dict = {}
    code = np.fromiter((codes.setdefault(x, len(codes)) for x in groups), np.int64, len(nodes))
    crosses = code[ends[:, 0]] != code[ends[:, 1]]

    spans = np.full(m, -1, dtype=np.int64)  # -1: none (infinite or not computed)
    wanted = local & ~is_bridge
    if with_span == "crossing":
        wanted &= crosses
    elif with_span is not True:
        wanted[:] = False
    where = np.flatnonzero(wanted)
    found = _spans(G, [(int(i), int(j)) for i, j in ends[where]])
    spans[where] = [-1 if x is None else x for x in found]

    # global bridges first, then by decreasing span (none last), then in G.edges order
    order = np.flatnonzero(local)
    if with_span:
        keys = (order, -spans[order], spans[order] < 0, ~is_bridge[order])
    else:
        keys = (order, ~is_bridge[order])
    order = order[np.lexsort(keys)]
    found_bridges = [
        {"u": nodes[i], "v": nodes[j], "groups": [groups[i], groups[j]], "crosses": c}
        for i, j, c in zip(*ends[is_bridge].T.tolist(), crosses[is_bridge].tolist(), strict=True)
    ]
    # each column gathered in C (an object array indexed by vertex), then one dict per
    # row: nearly every tie of a weakly clustered map is a local bridge
    # (fromiter, not array: a node id or group that is a tuple stays one item)
    node_of = np.fromiter(nodes, dtype=object, count=len(nodes))
    group_at = np.fromiter(groups, dtype=object, count=len(groups))
    first, second = ends[order, 0], ends[order, 1]
    span_of = spans[order].astype(object)
    span_of[spans[order] < 0] = None
    local_bridges = [
        {"u": u, "v": v, "span": span, "bridge": b, "groups": [gu, gv], "crosses": c}
        for u, v, span, b, gu, gv, c in zip(
            node_of[first].tolist(),
            node_of[second].tolist(),
            span_of.tolist(),
            is_bridge[order].tolist(),
            group_at[first].tolist(),
            group_at[second].tolist(),
            crosses[order].tolist(),
            strict=True,
        )
    ]
    return {
        "bridges": found_bridges,
        "local_bridges": local_bridges,
        "summary": {
            "bridges": len(found_bridges),
            "crossing_bridges": int(crosses[is_bridge].sum()),
            "local_bridges": len(local_bridges),
            "crossing_local_bridges": int(crosses[local].sum()),
        },
    }


def _spans(G: nx.Graph, pairs: list[tuple[int, int]]) -> list[int | None]:
    """The span of each tie ``(i, j)`` (vertex indices of :func:`compiled`): the
    distance from ``i`` to ``j`` once the tie is removed, or None if there is none.

    networkit's bidirectional breadth-first search on one graph, each tie removed
    before its search and put back after (C++; 10,000 spans of a 10,000-node map in
    0.07 s, against ~1.5 s in Python sets).
    """
    if not pairs:
        return []
    import networkit as nk

    ng = to_networkit(G)
    out: list[int | None] = []
    for i, j in pairs:
        ng.removeEdge(i, j)
        search = nk.distance.BidirectionalBFS(ng, i, j, storePred=False)
        search.run()
        hops = search.getDistance()  # unweighted: the number of hops, as a float
        out.append(int(hops) if hops < _UNREACHABLE else None)
        ng.addEdge(i, j)
    return out


_UNREACHABLE = float(2**53)


@not_implemented_for("directed")
def articulation_points(G: nx.Graph, *, attribute: str = "group") -> list[dict]:
    """People or organisations whose departure would split their part of the network.

    For each articulation point (cut vertex) ``v`` [1]_: the pieces its connected
    component falls into when ``v`` is removed, the groups in each piece, and the
    pairs of groups that ``v`` *alone* joins -- two groups that were both present in
    ``v``'s component (other than ``v`` itself) and that share no piece once ``v`` is
    gone: "if this person left, housing and health would lose their only link".

    Parameters
    ----------
    G : networkx.Graph
        Undirected (a multigraph is fine: parallel ties do not change cut vertices).
    attribute : str
        Node attribute naming each node's group.

    Returns
    -------
    list of dict
        One dict per articulation point::

            {"node": v, "group": group of v, "component_size": r,
             "pieces": [{"size": int, "groups": {group: count}}, ...],
             "separated": int, "joins": [[g, h], ...], "splits": [g, ...]}

        ``pieces`` by decreasing size (their sizes add up to ``r - 1``);
        ``separated``: nodes cut off from the largest piece; ``joins``: the group
        pairs ``v`` alone joins, each pair and the list sorted; ``splits``: groups
        whose members would end up in different pieces. Points are listed by
        decreasing number of ``joins``, then decreasing ``separated``, then in the
        order of ``G.nodes``. Empty for a graph with no articulation point.

    Notes
    -----
    One depth-first search finds every cut vertex and, for each, the depth-first
    subtrees that become separate pieces (Hopcroft-Tarjan lowpoints [2]_): a child
    ``w`` of ``v`` heads a piece when ``low(w) >= disc(v)``; the rest of the component
    (if ``v`` is not the root) is one more piece. A subtree is a contiguous range of
    the preorder, so its group counts come from sorted position lists by binary
    search, or by a direct count when the range is small. Time is
    ``O(n + m + P min(s, g log n))`` for ``P`` pieces of size ``s`` among ``g`` groups,
    not ``O(n (n + m))`` as removing each node and recomputing components would be.
    The list of ``joins`` itself can be quadratic in the number of groups.

    Examples
    --------
    >>> G = nx.Graph([("h1", "h2"), ("h2", "x"), ("x", "s1")])
    >>> nx.set_node_attributes(G, {"h1": "health", "h2": "health", "x": "housing",
    ...                            "s1": "police"}, "group")
    >>> for p in articulation_points(G):
    ...     print(p["node"], p["joins"], [q["size"] for q in p["pieces"]])
    h2 [['health', 'housing'], ['health', 'police']] [2, 1]
    x [['health', 'police']] [2, 1]

    References
    ----------
    .. [1] Harary F: Graph Theory, chapter 3. Addison-Wesley, 1969.
    .. [2] Hopcroft J, Tarjan R: Algorithm 447: Efficient algorithms for graph
       manipulation. Communications of the ACM 16(6):372-378, 1973.
    """
    group = node_groups(G, attribute)
    position = {v: i for i, v in enumerate(G)}
    disc: dict = {}
    low: dict = {}
    order: list = []
    size: dict = {}
    children: dict = {}  # v -> DFS children heading a separate piece
    roots: list = []
    adj = G._adj  # plain dicts: G[v] makes a view per visit
    for root in G:
        if root in disc:
            continue
        roots.append(root)
        disc[root] = low[root] = len(order)
        order.append(root)
        stack = [(root, None, iter(adj[root]))]
        while stack:
            v, parent, neighbours = stack[-1]
            descended = False
            for w in neighbours:
                if w == v:
                    continue
                if w not in disc:
                    disc[w] = low[w] = len(order)
                    order.append(w)
                    stack.append((w, v, iter(adj[w])))
                    descended = True
                    break
                if w != parent and disc[w] < low[v]:
                    low[v] = disc[w]
            if descended:
                continue
            stack.pop()
            size[v] = len(order) - disc[v]
            if parent is not None:
                if low[v] < low[parent]:
                    low[parent] = low[v]
                if low[v] >= disc[parent]:
                    children.setdefault(parent, []).append(v)

    sequence = [group[v] for v in order]
    positions: dict = {}
    for i, g in enumerate(sequence):
        positions.setdefault(g, []).append(i)
    root_starts = [disc[r] for r in roots]

    def count(lo: int, hi: int, present: list) -> Counter:
        if hi - lo <= 8 * len(present):
            return Counter(sequence[lo:hi])
        counts = Counter()
        for g in present:
            c = bisect_left(positions[g], hi) - bisect_left(positions[g], lo)
            if c:
                counts[g] = c
        return counts

    root_set = set(roots)
    component_counts: dict = {}
    results = []
    for v, heads in children.items():
        if v in root_set and len(heads) < 2:
            continue  # a root with one DFS child is not a cut vertex
        root = roots[bisect_right(root_starts, disc[v]) - 1]
        start, r = disc[root], size[root]
        if root not in component_counts:
            component_counts[root] = Counter(sequence[start : start + r])
        whole = component_counts[root]
        present = list(whole)
        pieces = []
        rest = whole.copy()
        rest[group[v]] -= 1
        rest_size = r - 1
        for w in heads:
            lo = disc[w]
            counts = count(lo, lo + size[w], present)
            pieces.append((size[w], lo, counts))
            rest.subtract(counts)
            rest_size -= size[w]
        if rest_size:
            pieces.append((rest_size, start, +rest))
        pieces.sort(key=lambda p: (-p[0], p[1]))
        results.append(_articulation_record(v, group[v], r, pieces))
    results.sort(key=lambda p: (-len(p["joins"]), -p["separated"], position[p["node"]]))
    return results


def _articulation_record(v, gv, r: int, pieces: list) -> dict:
    """The report on one cut vertex from its pieces (size, first position, counts)."""
    masks: dict = {}
    for bit, (_, _, counts) in enumerate(pieces):
        for g in counts:
            masks[g] = masks.get(g, 0) | (1 << bit)
    largest = pieces[0][2]
    # Two groups both in the largest piece still meet there: a pair can only be
    # joined by v alone if one of its groups is absent from the largest piece.
    outside = [g for g in masks if g not in largest]
    joins = set()
    for g in outside:
        for h in masks:
            if h != g and not masks[g] & masks[h]:
                joins.add(tuple(sorted_groups((g, h))))
    return {
        "node": v,
        "group": gv,
        "component_size": r,
        "pieces": [
            {"size": s, "groups": {g: counts[g] for g in sorted_groups(counts)}}
            for s, _, counts in pieces
        ],
        "separated": r - 1 - pieces[0][0],
        "joins": [list(pair) for pair in sorted(joins, key=lambda p: [str(x) for x in p])],
        "splits": sorted_groups(g for g, mask in masks.items() if mask & (mask - 1)),
    }


def structural_holes(G: nx.Graph, *, weight: str | None = None) -> dict:
    r"""Burt's constraint and effective size of every node.

    Parameters
    ----------
    G : networkx graph
        Directed or undirected. Isolates are fine (both measures are undefined for
        them: reported as ``None``).
    weight : str, optional
        Edge attribute holding tie strength (e.g. ``"strength"``); default: every tie
        counts 1.

    Returns
    -------
    dict
        ``{"constraint": {node: float | None}, "effective_size": {node: float |
        None}, "method": {"weight": weight}}``.

    Notes
    -----
    With :math:`p_{ij}` the proportion of :math:`i`'s (mutual) tie strength invested
    in :math:`j` and :math:`m_{jq}` :math:`j`'s tie strength to :math:`q` divided by
    :math:`j`'s strongest tie [1]_ [2]_:

    * constraint :math:`c_i = \sum_{j \in N(i)} (p_{ij} + \sum_{q} p_{iq} p_{qj})^2`:
      high when one's contacts are all connected to each other (no structural holes);
      computed by python-igraph's C ``constraint`` for undirected graphs without
      self-loops (0.03 s at 10,000 nodes against 0.5 s), else by
      :func:`networkx.constraint` on the whole graph (its sparse-matrix path; with
      ``nodes=`` it falls back to a per-node loop, 15 s at 1,000 nodes); the tests
      prove both equal networkx's to 1e-9;
    * effective size :math:`e_i = \sum_{j \in N(i)} (1 - \sum_{q} p_{iq} m_{jq})`: the
      number of contacts less their redundancy; for unweighted undirected graphs
      :math:`d - 2t/d` with :math:`t` ties among the :math:`d` contacts (Borgatti
      [3]_). Computed here with sparse matrices, not by
      :func:`networkx.effective_size`: its whole-graph path forms a dense n x n
      matrix (12.5 s and 1.7 GB at 10,000 nodes; out of memory at 50,000) and, in
      networkx 3.6, normalises by the wrong row maximum, so it is wrong for weighted
      and directed graphs (networkx PR #8906); its per-node path (``nodes=``) is
      right but slow. The tests prove the values equal that per-node path (and the
      whole-graph one where it is right).

    networkx returns NaN for isolates; NaN is not JSON, so it becomes ``None`` here.

    Examples
    --------
    >>> G = nx.star_graph(["hub", "a", "b", "c"])
    >>> G.add_node("alone")
    >>> r = structural_holes(G)
    >>> round(r["constraint"]["hub"], 4), r["effective_size"]["hub"], r["constraint"]["alone"]
    (0.3333, 3.0, None)

    References
    ----------
    .. [1] Burt RS: Structural Holes: The Social Structure of Competition. Harvard
       University Press, 1992.
    .. [2] Burt RS: Secondhand brokerage: evidence on the importance of local
       structure for managers, bankers, and analysts. Academy of Management Journal
       50(1):119-148, 2007.
    .. [3] Borgatti SP: Structural holes: unpacking Burt's redundancy measures.
       Connections 20(1):35-38, 1997.
    """
    method = {"weight": weight}
    if len(G) == 0:
        return {"constraint": {}, "effective_size": {}, "method": method}
    if G.is_directed() or G.is_multigraph() or nx.number_of_selfloops(G):
        constraint = nx.constraint(G, weight=weight)
        return {
            "constraint": {v: _none_if_nan(c) for v, c in constraint.items()},
            "effective_size": _effective_size(G, weight),
            "method": {**method, "backend": "networkx"},
        }
    g, nodes = compiled(G, weight=weight) if weight is not None else compiled(G)
    values = g.constraint(weights=weight)
    A = _adjacency(g, edge_ends(G), weight)
    return {
        "constraint": {v: _none_if_nan(c) for v, c in zip(nodes, values, strict=True)},
        "effective_size": _effective_size(G, weight, adjacency=A),
        "method": {**method, "backend": "igraph"},
    }


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _adjacency(g, edges: np.ndarray, weight: str | None):
    """The symmetric sparse adjacency matrix of an undirected, loop-free igraph graph
    whose edge ends are ``edges`` (``nx.adjacency_matrix`` of the networkx graph it was
    copied from)."""
    from scipy import sparse

    n = g.vcount()
    values = np.asarray(g.es[weight] if weight is not None else np.ones(len(edges)), float)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    return sparse.csr_array((np.concatenate([values, values]), (rows, cols)), shape=(n, n))


def _effective_size(G: nx.Graph, weight: str | None, *, adjacency=None) -> dict:
    """networkx's whole-graph effective size, without its dense n x n matrix.

    ``adjacency``: ``nx.adjacency_matrix(G, weight=weight)`` if already at hand (e.g.
    from the compiled copy, several times faster to make).
    """
    P = adjacency if adjacency is not None else nx.adjacency_matrix(G, weight=weight)
    P = P.astype(float)
    mutual = (P + P.T).tocsr()
    row_sum = np.asarray(mutual.sum(axis=1)).ravel()
    row_max = mutual.max(axis=1).toarray().ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sum = np.where(row_sum != 0, 1.0 / row_sum, 0.0)
        inv_max = np.where(row_max != 0, 1.0 / row_max, 0.0)
    p = mutual.multiply(inv_sum[:, None]).tocsr()  # p_iq
    m = mutual.multiply(inv_max[:, None]).tocsr()  # m_jq
    contacts = (p > 0).astype(float)  # j in N(i)
    # sum_j [j in N(i)] sum_q p_iq m_jq  ==  sum_q p_iq (contacts @ m)_iq
    redundancy = np.asarray(p.multiply(contacts @ m).sum(axis=1)).ravel()
    sizes = np.asarray(contacts.sum(axis=1)).ravel() - redundancy
    isolated = (row_sum - mutual.diagonal()) == 0
    return {v: (None if isolated[i] else float(sizes[i])) for i, v in enumerate(G)}


def _bridging_coefficient(G: nx.Graph) -> dict:
    """Each node's bridging coefficient (None for a node with no tie but to itself),
    with numpy over the compiled edge list: degrees and each node's sum of its
    neighbours' inverse degrees are two ``bincount`` passes, not a Python loop over
    every neighbour (self-loops left out, as in the definition)."""
    order = compiled(G).nodes
    n = len(order)
    ends = edge_ends(G)
    ends = ends[ends[:, 0] != ends[:, 1]]
    degree = np.bincount(ends.ravel(), minlength=n).astype(float)
    with np.errstate(divide="ignore"):
        inverse = np.where(degree > 0, 1.0 / degree, 0.0)
    total = np.bincount(ends[:, 0], weights=inverse[ends[:, 1]], minlength=n)
    total += np.bincount(ends[:, 1], weights=inverse[ends[:, 0]], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = inverse / total
    return {
        v: (None if d == 0 else c)
        for v, d, c in zip(order, degree.tolist(), values.tolist(), strict=True)
    }


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def bridging_centrality(
    G: nx.Graph,
    *,
    betweenness: dict | None = None,
    exact_threshold: int | None = 5000,
    k: int = 256,
    seed: int = 0,
) -> dict:
    r"""Hwang et al.'s bridging centrality: betweenness x bridging coefficient.

    The bridging coefficient of :math:`v` is
    :math:`BC(v) = \frac{1/d(v)}{\sum_{u \in N(v)} 1/d(u)}`: high when :math:`v` has
    few ties but its neighbours have many, i.e. when it sits between dense regions.
    Bridging centrality is :math:`C_B(v) \cdot BC(v)` with :math:`C_B` the betweenness
    [1]_.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, not a multigraph. Self-loops are ignored.
    betweenness : dict, optional
        Precomputed betweenness per node (e.g. ``centrality(G)["betweenness"]``), so
        that it is not computed twice; a node whose betweenness is ``None`` (not known
        yet) gets ``None``. Default: computed by
        :func:`graph_models.analysis.centrality.betweenness` with ``exact_threshold``,
        ``k`` and ``seed``.
    exact_threshold, k, seed
        As in :func:`graph_models.analysis.centrality.centrality`.

    Returns
    -------
    dict
        ``bridging_coefficient`` (node -> float, ``None`` for an isolate: undefined),
        ``betweenness`` (node -> float, normalised as networkx), ``bridging_centrality``
        (node -> float, 0.0 for an isolate) and ``method`` (how betweenness was
        obtained: ``{"betweenness": "given"}`` or the method of
        :func:`~graph_models.analysis.centrality.betweenness`).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    >>> r = bridging_centrality(G)
    >>> r["bridging_coefficient"]["c"]  # (1/3) / (1/2 + 1/2 + 1/1)
    0.16666666666666666
    >>> r["bridging_centrality"]["c"]  # betweenness 2/3 (paths a-d, b-d of 3 pairs)
    0.1111111111111111

    References
    ----------
    .. [1] Hwang W, Cho Y, Zhang A, Ramanathan M: Bridging centrality: identifying
       bridging nodes in scale-free networks. Technical report 2006-05, Department of
       Computer Science and Engineering, University at Buffalo, 2006 (also KDD 2006).
    """
    coefficient = _bridging_coefficient(G)
    if betweenness is None:
        computed = _betweenness(G, exact_threshold=exact_threshold, k=k, seed=seed)
        values, method = computed["betweenness"], computed["method"]
    else:
        values, method = dict(betweenness), {"betweenness": "given"}
    return {
        "bridging_coefficient": coefficient,
        "betweenness": values,
        "bridging_centrality": {
            v: 0.0 if c is None else None if values[v] is None else values[v] * c
            for v, c in coefficient.items()
        },
        "method": method,
    }
