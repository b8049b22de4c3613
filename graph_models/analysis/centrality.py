"""Centrality: who is well connected, who lies between others.

Every figure is defined as networkx defines it, and on exact settings equals networkx's
result (the tests prove it to 1e-9 on published networks); the heavy ones (betweenness,
closeness, PageRank) are computed by python-igraph's C core by default, because plain
networkx is far too slow on a real map (exact betweenness at 10,000 nodes and 50,000
ties: ~11 min in networkx, ~12-15 s in igraph; sampled with 256 pivots: ~17 s against
~0.3 s). ``backend="networkx"`` computes the same figures with plain networkx, as the
baseline for benchmarks and equivalence tests.

Above ``exact_threshold`` nodes, betweenness is estimated from ``k`` sampled source
nodes (the very pivots networkx would draw for the same ``seed``) and closeness from
``k`` sampled nodes per large component; the ``method`` entry of the result says what
was computed, so figures are reproducible.
"""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from graph_models.analysis.fast import compiled, to_igraph

__all__ = ["ALPHA", "BACKENDS", "betweenness", "centrality"]

ALPHA = 0.85
"""PageRank damping factor (Brin & Page 1998)."""

BACKENDS = ("igraph", "networkx")

# networkx PageRank stops when the L1 change of one iteration is below n * tol; with
# this tol the stopping error is ~6e-12 in total whatever n, so networkx and igraph
# (PRPACK, a direct solver) agree far below 1e-9. networkx's default (1e-6) loosens
# with graph size: up to 6% off at 50,000 nodes (DESIGN.md section 5).
_PAGERANK_TOL_TOTAL = 1e-12
_PAGERANK_MAX_ITER = 10_000
_DISTANCE_CHUNK = 32  # pivots per igraph distances() call (bounds memory to 32 x n floats)


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def centrality(
    G: nx.Graph,
    *,
    weight: str | None = None,
    distance: str | None = None,
    exact_threshold: int | None = 5000,
    k: int = 256,
    seed: int = 0,
    backend: str = "igraph",
    path_measures: bool = True,
) -> dict:
    r"""Degree, weighted degree, betweenness, closeness and PageRank of every node.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, as built by :func:`graph_models.projection.project`. Isolates,
        several components, a single node and the empty graph are all fine.
    weight : str, optional
        Edge attribute holding tie *strength* (bigger = stronger). Used for the
        weighted degree and for PageRank. Default: PageRank is unweighted and the
        weighted degree sums ``strength`` (Bridgemap's 1-5 tie strength).
    distance : str, optional
        Edge attribute holding a *length* (bigger = further), used by betweenness and
        closeness (networkx's ``weight`` of betweenness and ``distance`` of closeness).
        Default: shortest paths count hops. Do not pass ``"strength"`` or ``"weight"``
        here: a strong tie would become a long one; store e.g. ``1 / strength`` as
        the length instead. Lengths must be positive; for exact agreement between
        backends they should be integers (igraph compares float path lengths with a
        tolerance, networkx exactly).
    exact_threshold : int or None
        Betweenness and closeness are exact when ``len(G) <= exact_threshold`` (or
        ``None``), sampled above it.
    k : int
        Number of pivots when sampling (at least 2). When ``k >= len(G)`` everything
        is exact anyway.
    seed : int
        Seed of the pivot samples, so that sampled figures are reproducible.
    backend : {"igraph", "networkx"}
        Where betweenness, closeness and PageRank are computed. Both give the same
        values (to rounding), exact or sampled.
    path_measures : bool
        False: betweenness and closeness are not computed (their dicts and methods
        are absent), e.g. when they come exact from elsewhere
        (:mod:`graph_models.analysis.paths`).

    Returns
    -------
    dict
        ``degree``, ``weighted_degree``, ``degree_centrality``, ``betweenness``,
        ``closeness`` and ``pagerank``, each a dict node -> number, and ``method``, a
        dict stating what was computed: ``backend``, ``nodes``, ``edges``,
        ``weight``, ``distance``, ``exact_threshold``, and for ``betweenness``,
        ``closeness`` and ``pagerank`` a dict with ``method`` (``"exact"`` or
        ``"sampled"``; PageRank is always computed to convergence) and, when sampled,
        ``k``, ``seed`` and the estimator.

    Notes
    -----
    Definitions (all as networkx 3.x computes them, for undirected graphs):

    * ``degree``: number of neighbours; ``weighted_degree``: sum of the strength of the
      node's ties [1]_; ``degree_centrality``: degree / (n - 1) (1 for a lone node).
    * ``betweenness``: :math:`\sum_{s \ne v \ne t} \sigma_{st}(v) / \sigma_{st}`
      over unordered pairs, divided by :math:`(n-1)(n-2)/2` [2]_ [3]_. Sampled: the
      sum over ordered pairs whose source is one of ``k`` pivots drawn by
      ``random.Random(seed).sample(list(G), k)`` (networkx's own draw), rescaled as
      networkx 3.6 does: divided by :math:`(k-1)(n-2)` for a pivot and
      :math:`k(n-2)` for any other node [4]_. Equal to
      ``nx.betweenness_centrality(G, k=k, seed=seed)``.
    * ``closeness``: :math:`\frac{r-1}{n-1} \cdot \frac{r-1}{\sum_u d(v, u)}`, the sum
      over the :math:`r` nodes of :math:`v`'s component: Freeman's closeness with the
      Wasserman-Faust correction for disconnected graphs (networkx's
      ``wf_improved=True``) [5]_ [6]_; 0 for an isolate. igraph's own closeness omits
      the factor :math:`(r-1)/(n-1)` and gives NaN for isolates; both are corrected
      here. Sampled: each component of at most ``k`` nodes is computed exactly; in
      each larger component ``k`` pivots are drawn (``random.Random(seed)``, components
      in order of their first node) and :math:`\sum_u d(v, u)` is estimated by
      :math:`\frac{r}{k} \sum_{p} d(p, v)` (Eppstein & Wang) [7]_.
    * ``pagerank``: damping 0.85, uniform teleport, dangling mass spread uniformly
      [8]_; igraph's PRPACK solver, or networkx's power iteration with a tolerance
      tight enough to agree with it to 1e-9.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"strength": 5}), ("b", "c", {"strength": 1})])
    >>> G.add_node("d")
    >>> c = centrality(G)
    >>> c["degree"]["b"], c["weighted_degree"]["b"], c["betweenness"]["b"]
    (2, 6, 0.3333333333333333)
    >>> round(c["closeness"]["a"], 4), c["closeness"]["d"], c["method"]["betweenness"]
    (0.4444, 0.0, {'method': 'exact'})

    References
    ----------
    .. [1] Opsahl T, Agneessens F, Skvoretz J: Node centrality in weighted networks:
       Generalizing degree and shortest paths. Social Networks 32(3):245-251, 2010.
    .. [2] Freeman LC: A set of measures of centrality based on betweenness.
       Sociometry 40:35-41, 1977.
    .. [3] Brandes U: A faster algorithm for betweenness centrality. Journal of
       Mathematical Sociology 25(2):163-177, 2001.
    .. [4] Brandes U, Pich C: Centrality estimation in large networks. International
       Journal of Bifurcation and Chaos 17(7):2303-2318, 2007.
    .. [5] Freeman LC: Centrality in social networks: conceptual clarification.
       Social Networks 1:215-239, 1979.
    .. [6] Wasserman S, Faust K: Social Network Analysis: Methods and Applications,
       p. 201. Cambridge University Press, 1994.
    .. [7] Eppstein D, Wang J: Fast approximation of centrality. Journal of Graph
       Algorithms and Applications 8(1):39-45, 2004.
    .. [8] Brin S, Page L: The anatomy of a large-scale hypertextual Web search
       engine. Computer Networks and ISDN Systems 30:107-117, 1998.
    """
    n, nodes, pivots = _plan(G, exact_threshold, k, seed, backend)
    sampled = pivots is not None
    degree, weighted_degree = _degrees(G, weight if weight is not None else "strength")
    result: dict = {
        "degree": degree,
        "weighted_degree": weighted_degree,
        "degree_centrality": _degree_centrality(degree),
    }
    method: dict = {
        "backend": backend,
        "nodes": n,
        "edges": sum(degree.values()) // 2,
        "weight": weight,
        "distance": distance,
        "exact_threshold": exact_threshold,
    }
    if not path_measures:
        if backend == "igraph":
            g = compiled(G).graph if weight in (None, "strength") else None
            if g is None:
                g, _ = to_igraph(G, edge_attrs=[weight])
            result["pagerank"], method["pagerank"] = _pagerank_igraph(g, nodes, weight)
        else:
            result["pagerank"], method["pagerank"] = _pagerank_networkx(G, weight)
        result["method"] = method
        return result
    if backend == "igraph":
        attrs = list(dict.fromkeys(a for a in (weight, distance) if a is not None))
        g, _ = to_igraph(G, edge_attrs=attrs)
        result["betweenness"] = _betweenness_igraph(g, nodes, distance, pivots)
        components = _components(g.connected_components().membership)
        closeness, sampled_closeness = _closeness_igraph(
            g, nodes, components, distance, k if sampled else None, seed
        )
        result["closeness"] = closeness
        result["pagerank"], pagerank_method = _pagerank_igraph(g, nodes, weight)
    else:
        result["betweenness"] = nx.betweenness_centrality(
            G, k=k if sampled else None, weight=distance, seed=seed
        )
        index = {v: i for i, v in enumerate(nodes)}
        membership = [0] * n
        for c, comp in enumerate(nx.connected_components(G)):
            for v in comp:
                membership[index[v]] = c
        closeness, sampled_closeness = _closeness_networkx(
            G, nodes, _components(membership), distance, k if sampled else None, seed
        )
        result["closeness"] = closeness
        result["pagerank"], pagerank_method = _pagerank_networkx(G, weight)
    method["betweenness"] = _betweenness_method(sampled, k, seed)
    method["closeness"] = _closeness_method(sampled_closeness, k, seed)
    method["pagerank"] = pagerank_method
    result["method"] = method
    return result


def _degrees(G: nx.Graph, weight: str) -> tuple[dict, dict]:
    """``dict(G.degree())`` and ``dict(G.degree(weight=weight))`` of a graph that is not
    a multigraph, in one pass over the adjacency dicts: networkx's own sums (a
    self-loop counts twice; a tie without ``weight`` counts 1), in the same order, so
    the same numbers and types, without its per-node views and generators."""
    degree, weighted = {}, {}
    for v, nbrs in G._adj.items():
        loop = v in nbrs
        degree[v] = len(nbrs) + loop
        weighted[v] = sum([data.get(weight, 1) for data in nbrs.values()]) + (
            loop and nbrs[v].get(weight, 1)
        )
    return degree, weighted


def _degree_centrality(degree: dict) -> dict:
    """``nx.degree_centrality`` from the degrees: degree / (n - 1), 1 for a lone node."""
    if len(degree) <= 1:
        return dict.fromkeys(degree, 1)
    s = 1.0 / (len(degree) - 1.0)
    return {v: d * s for v, d in degree.items()}


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def betweenness(
    G: nx.Graph,
    *,
    distance: str | None = None,
    exact_threshold: int | None = 5000,
    k: int = 256,
    seed: int = 0,
    backend: str = "igraph",
) -> dict:
    """Betweenness alone, as :func:`centrality` computes it.

    Parameters are those of :func:`centrality`.

    Returns
    -------
    dict
        ``{"betweenness": {node: value}, "method": {...}}``, ``method`` as in
        :func:`centrality` (``backend``, ``nodes``, ``edges``, ``distance``,
        ``exact_threshold`` and ``betweenness``).

    Examples
    --------
    >>> betweenness(nx.path_graph(["a", "b", "c"]))["betweenness"]
    {'a': 0.0, 'b': 1.0, 'c': 0.0}

    References
    ----------
    .. [1] Brandes U: A faster algorithm for betweenness centrality. Journal of
       Mathematical Sociology 25(2):163-177, 2001.
    .. [2] Brandes U, Pich C: Centrality estimation in large networks. International
       Journal of Bifurcation and Chaos 17(7):2303-2318, 2007.
    """
    n, nodes, pivots = _plan(G, exact_threshold, k, seed, backend)
    sampled = pivots is not None
    if backend == "igraph":
        g, _ = to_igraph(G, edge_attrs=[distance] if distance is not None else [])
        values = _betweenness_igraph(g, nodes, distance, pivots)
    else:
        values = nx.betweenness_centrality(G, k=k if sampled else None, weight=distance, seed=seed)
    return {
        "betweenness": values,
        "method": {
            "backend": backend,
            "nodes": n,
            "edges": G.number_of_edges(),
            "distance": distance,
            "exact_threshold": exact_threshold,
            "betweenness": _betweenness_method(sampled, k, seed),
        },
    }


def _plan(G: nx.Graph, exact_threshold, k: int, seed: int, backend: str) -> tuple:
    """``(n, nodes, pivots)`` after checking the options; ``pivots`` is None when exact,
    else the ``k`` sources networkx itself would draw for ``seed``."""
    _check_options(exact_threshold, k, backend)
    nodes = list(G)
    sampled = _is_sampled(len(nodes), exact_threshold, k)
    return len(nodes), nodes, random.Random(seed).sample(nodes, k) if sampled else None


def _check_options(exact_threshold: int | None, k: int, backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if exact_threshold is not None and (
        isinstance(exact_threshold, bool)
        or not isinstance(exact_threshold, int)
        or exact_threshold < 0
    ):
        raise ValueError("exact_threshold must be a non-negative int or None")
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError("k must be an int >= 2")


def _is_sampled(n: int, exact_threshold: int | None, k: int) -> bool:
    return exact_threshold is not None and n > exact_threshold and k < n


def _betweenness_method(sampled: bool, k: int, seed: int) -> dict:
    if not sampled:
        return {"method": "exact"}
    return {
        "method": "sampled",
        "k": k,
        "seed": seed,
        "estimator": "Brandes-Pich source sampling: k pivots drawn by "
        "random.Random(seed).sample(list(G), k), rescaled as networkx 3.6",
    }


def _closeness_method(sampled_components: int, k: int, seed: int) -> dict:
    if not sampled_components:
        return {"method": "exact", "wf_improved": True}
    return {
        "method": "sampled",
        "wf_improved": True,
        "k": k,
        "seed": seed,
        "sampled_components": sampled_components,
        "estimator": "Eppstein-Wang: k pivots per component of more than k nodes, "
        "drawn by random.Random(seed); smaller components exact",
    }


def _components(membership: list[int]) -> list[list[int]]:
    """Connected components as ascending vertex-index lists, ordered by first index.

    The same partition gives the same lists whichever library labelled it, so both
    backends draw the same closeness pivots.
    """
    comps: dict[int, list[int]] = {}
    for i, c in enumerate(membership):
        comps.setdefault(c, []).append(i)
    return list(comps.values())


def _closeness_plan(
    components: list[list[int]], k: int | None, seed: int
) -> list[tuple[list[int], list[int] | None]]:
    """Each component with its pivots, or None where it is computed exactly."""
    rng = random.Random(seed)
    plan = []
    for comp in components:
        if k is not None and len(comp) > k:
            plan.append((comp, rng.sample(comp, k)))
        else:
            plan.append((comp, None))
    return plan


def _wf(raw: float, r: int, n: int) -> float:
    """Wasserman-Faust closeness from igraph's (r - 1) / sum-of-distances."""
    if n <= 1 or r <= 1 or not math.isfinite(raw):
        return 0.0
    return raw * ((r - 1.0) / (n - 1))


def _estimate(total: float, r: int, k: int, n: int) -> float:
    """Closeness estimated from the sum of the distances from k pivots."""
    estimated_sum = total * r / k
    if estimated_sum <= 0.0 or n <= 1:
        return 0.0
    return ((r - 1.0) / estimated_sum) * ((r - 1.0) / (n - 1))


def _pagerank_igraph(g, nodes: list, weight: str | None) -> tuple[dict, dict]:
    ranks = g.pagerank(damping=ALPHA, weights=_pagerank_weights(g, weight), directed=False)
    return dict(zip(nodes, ranks, strict=True)), {
        "method": "exact",
        "alpha": ALPHA,
        "solver": "igraph PRPACK",
    }


def _pagerank_networkx(G: nx.Graph, weight: str | None) -> tuple[dict, dict]:
    tol = _PAGERANK_TOL_TOTAL / max(len(G), 1)
    ranks = nx.pagerank(G, alpha=ALPHA, weight=weight, tol=tol, max_iter=_PAGERANK_MAX_ITER)
    return ranks, {
        "method": "exact",
        "alpha": ALPHA,
        "solver": f"networkx power iteration, tol={tol:.3g}",
    }


def _pagerank_weights(g, weight: str | None):
    """igraph's PageRank weights, with networkx's view of self-loops.

    igraph walks an undirected self-loop as two arcs, networkx's adjacency matrix holds
    it once: halving each loop's weight makes the two agree.
    """
    loops = g.is_loop()
    if not any(loops):
        return weight
    values = g.es[weight] if weight is not None else [1.0] * g.ecount()
    return [w / 2 if loop else w for w, loop in zip(values, loops, strict=True)]


def _betweenness_igraph(g, nodes, distance, pivots) -> dict:
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    if pivots is None:
        raw = g.betweenness(directed=False, weights=distance)
        # igraph counts each unordered pair once; networkx divides the ordered-pair
        # count, twice that, by (n - 1)(n - 2).
        scale = 2.0 / ((n - 1) * (n - 2))
        return {v: b * scale for v, b in zip(nodes, raw, strict=True)}
    index = {v: i for i, v in enumerate(nodes)}
    sources = [index[p] for p in pivots]
    raw = g.betweenness(directed=False, weights=distance, sources=sources)
    # igraph's subset betweenness on an undirected graph is half networkx's sum over
    # the ordered (pivot, target) pairs; networkx then divides by (k - 1)(n - 2) for a
    # pivot (it cannot be its own source) and k(n - 2) for the others.
    k = len(pivots)
    is_pivot = set(sources)
    scale_pivot = 2.0 / ((k - 1) * (n - 2))
    scale_other = 2.0 / (k * (n - 2))
    return {
        v: b * (scale_pivot if i in is_pivot else scale_other)
        for i, (v, b) in enumerate(zip(nodes, raw, strict=True))
    }


def _closeness_igraph(g, nodes, components, distance, k, seed) -> tuple[dict, int]:
    n = len(nodes)
    values = [0.0] * n
    plan = _closeness_plan(components, k, seed)
    exact = [i for comp, pivots in plan if pivots is None for i in comp]
    size = np.zeros(n, dtype=np.int64)
    for comp, _ in plan:
        size[comp] = len(comp)
    if exact:
        raw = g.closeness(vertices=exact, weights=distance, normalized=True)
        for i, c in zip(exact, raw, strict=True):
            values[i] = _wf(c, int(size[i]), n)
    sampled = [(comp, pivots) for comp, pivots in plan if pivots is not None]
    if sampled:
        all_pivots = [p for _, pivots in sampled for p in pivots]
        totals = np.zeros(n)
        for start in range(0, len(all_pivots), _DISTANCE_CHUNK):
            chunk = all_pivots[start : start + _DISTANCE_CHUNK]
            dist = np.asarray(g.distances(source=chunk, weights=distance), dtype=float)
            dist[~np.isfinite(dist)] = 0.0  # other components
            totals += dist.sum(axis=0)
        for comp, pivots in sampled:
            r = len(comp)
            for i in comp:
                values[i] = _estimate(float(totals[i]), r, len(pivots), n)
    return dict(zip(nodes, values, strict=True)), len(sampled)


def _closeness_networkx(G, nodes, components, distance, k, seed) -> tuple[dict, int]:
    plan = _closeness_plan(components, k, seed)
    if all(pivots is None for _, pivots in plan):
        return nx.closeness_centrality(G, distance=distance), 0
    n = len(nodes)
    if distance is None:
        lengths = nx.single_source_shortest_path_length
    else:

        def lengths(G, source):
            return nx.single_source_dijkstra_path_length(G, source, weight=distance)

    values: dict = {}
    sampled = 0
    for comp, pivots in plan:
        if pivots is None:
            for i in comp:
                values[nodes[i]] = nx.closeness_centrality(G, u=nodes[i], distance=distance)
            continue
        sampled += 1
        totals = dict.fromkeys((nodes[i] for i in comp), 0.0)
        for p in pivots:
            for v, d in lengths(G, nodes[p]).items():
                totals[v] += d
        r = len(comp)
        for v, total in totals.items():
            values[v] = _estimate(total, r, len(pivots), n)
    return {v: values[v] for v in nodes}, sampled
