"""Silos: how the ties of a network fall within and between groups.

A *group* (a "silo") is the value of a grouping attribute on each node: ``group`` by
default (see :mod:`graph_models.analysis.groups`, which also defines
:data:`~graph_models.analysis.groups.NO_GROUP`, the group of nodes without a value).

Every function takes an undirected :class:`networkx.Graph` first and returns plain,
JSON-serialisable dicts and lists; an undefined figure is ``None``, never ``NaN``.
Ties are counted once per pair of nodes (the projection already merges several
relationships between one pair into one edge). Self-loops, which the projection never
makes, are ignored by the counts.

Functions
---------
tie_matrix
    Group sizes and the group-by-group tie counts and densities.
ei_index
    Krackhardt and Stern's E-I index per node, per group and for the whole network.
assortativity
    Newman's attribute assortativity coefficient of the grouping.
silo_modularity
    Modularity of the declared partition into groups.
weak_pairs
    Pairs of groups joined by no ties, few ties or a density far below the average.
silo_report
    All of the above and the headline figures, in one pass over the graph.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations

import networkx as nx
import numpy as np

from graph_models.analysis.fast import compiled, edge_ends
from graph_models.analysis.groups import node_groups, sorted_groups
from graph_models.messages import Message

__all__ = [
    "tie_matrix",
    "ei_index",
    "assortativity",
    "silo_modularity",
    "weak_pairs",
    "silo_report",
]

DEFAULT_FEW = 2
DEFAULT_THRESHOLD = 0.25


# --------------------------------------------------------------------------- helpers


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _ei(external: int, internal: int) -> float | None:
    return _ratio(external - internal, external + internal)


class _Mixing:
    """One pass over ``G``: groups, their sizes and the symmetric tie-count matrix.

    Counted with numpy over the compiled edge list (:func:`graph_models.analysis.fast.
    compiled`: one integer pair per tie) rather than a Python loop over ``G.edges``;
    ``ends`` (the ties' end indices, self-loops left out) and ``code`` (each node's
    group index, in the order of ``G``) are kept for the per-node counts of
    :func:`_ei_index`.
    """

    def __init__(self, G: nx.Graph, attribute: str):
        self.group_of = node_groups(G, attribute)
        self.groups = sorted_groups(self.group_of.values())
        self.index = {g: i for i, g in enumerate(self.groups)}
        k = len(self.groups)
        order = compiled(G).nodes
        self.code = np.fromiter((self.index[self.group_of[v]] for v in order), np.int64, len(order))
        self.sizes = np.bincount(self.code, minlength=k).tolist()
        ends = edge_ends(G)
        self.ends = ends = ends[ends[:, 0] != ends[:, 1]]
        ci, cj = self.code[ends[:, 0]], self.code[ends[:, 1]]
        # M[i, j]: ties listed from group i to group j; counts = M + M.T, diagonal once
        M = np.bincount(ci * k + cj, minlength=k * k).reshape(k, k)
        counts = M + M.T
        counts[np.diag_indices(k)] //= 2
        self.counts = counts.tolist()
        self.internal = int((ci == cj).sum())
        self.external = len(ends) - self.internal
        self.n = G.number_of_nodes()
        self.ties = self.internal + self.external

    def density(self, i: int, j: int) -> float | None:
        if i == j:
            n = self.sizes[i]
            return _ratio(self.counts[i][i], n * (n - 1) // 2)
        return _ratio(self.counts[i][j], self.sizes[i] * self.sizes[j])

    def pairs(self):
        """Each unordered pair of distinct groups, as index pairs in group order."""
        return combinations(range(len(self.groups)), 2)


# --------------------------------------------------------------------------- tie matrix


def _tie_matrix(mx: _Mixing, attribute: str) -> dict:
    k = len(mx.groups)
    return {
        "attribute": attribute,
        "groups": list(mx.groups),
        "sizes": list(mx.sizes),
        "counts": [row[:] for row in mx.counts],
        "densities": [[mx.density(i, j) for j in range(k)] for i in range(k)],
        "ties": mx.ties,
        "internal_ties": mx.internal,
        "cross_group_ties": mx.external,
    }


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def tie_matrix(G: nx.Graph, *, attribute: str = "group") -> dict:
    """The group-by-group matrix of tie counts and densities.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute``.
    attribute : str
        Node attribute naming each node's group.

    Returns
    -------
    dict
        ``groups`` (sorted list), ``sizes`` (nodes per group, aligned with
        ``groups``), ``counts`` (square list of lists: ``counts[i][j]`` is the number of
        ties between groups ``i`` and ``j``; symmetric, the diagonal holds the ties
        inside each group, each counted once), ``densities`` (same shape: internal
        ``ties / (n (n - 1) / 2)``, between groups ``ties / (n_a n_b)``; ``None`` when
        no tie is possible, i.e. inside a group of one), ``ties``, ``internal_ties``,
        ``cross_group_ties`` and ``attribute``.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "health", "b": "health", "c": "housing"}, "group")
    >>> m = tie_matrix(G)
    >>> m["groups"], m["counts"], m["densities"]
    (['health', 'housing'], [[1, 1], [1, 0]], [[1.0, 0.5], [0.5, None]])

    References
    ----------
    .. [1] Wasserman, S. and Faust, K. (1994). *Social Network Analysis: Methods and
       Applications*, ch. 10 (blockmodels: block densities). Cambridge University Press.
    """
    return _tie_matrix(_Mixing(G, attribute), attribute)


# --------------------------------------------------------------------------- E-I index


def _ei_index(G: nx.Graph, mx: _Mixing) -> dict:
    ends, code, n = mx.ends, mx.code, len(mx.code)
    inside = code[ends[:, 0]] == code[ends[:, 1]]
    internal = np.bincount(ends[inside].ravel(), minlength=n).tolist()
    ext = np.bincount(ends[~inside].ravel(), minlength=n).tolist()
    nodes = {
        v: {"external": e, "internal": i, "ei": _ei(e, i)}
        for v, e, i in zip(G, ext, internal, strict=True)
    }

    n_all = mx.n
    groups = {}
    for i, g in enumerate(mx.groups):
        size = mx.sizes[i]
        e_i = sum(mx.counts[i]) - mx.counts[i][i]
        i_i = mx.counts[i][i]
        possible_int = size * (size - 1) // 2
        possible_ext = size * (n_all - size)
        groups[g] = {
            "size": size,
            "external": e_i,
            "internal": i_i,
            "ei": _ei(e_i, i_i),
            "expected": _ei(possible_ext, possible_int),
        }

    possible_int = sum(s * (s - 1) // 2 for s in mx.sizes)
    possible_ext = n_all * (n_all - 1) // 2 - possible_int
    overall = {
        "external": mx.external,
        "internal": mx.internal,
        "ei": _ei(mx.external, mx.internal),
        "expected": _ei(possible_ext, possible_int),
    }
    return {"nodes": nodes, "groups": groups, "overall": overall}


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def ei_index(G: nx.Graph, *, attribute: str = "group") -> dict:
    """Krackhardt and Stern's E-I index per node, per group and for the whole network.

    The E-I index of a set of ties is ``(E - I) / (E + I)``, where ``E`` counts the
    external ties (joining different groups) and ``I`` the internal ties (inside one
    group). It runs from -1 (every tie inside a group: a closed silo) to +1 (every tie
    crosses a group boundary); it is ``None`` when there is no tie to count.

    - **Node**: the ties of the node; ``E`` = neighbours in another group, ``I`` =
      neighbours in its own group. ``None`` for an isolated node.
    - **Group** (Krackhardt and Stern's subunit index): ``E`` = ties from members of
      the group to non-members, ``I`` = ties among members, **each tie counted once**
      (so ``I`` is the number of internal ties, not the sum of the members' internal
      degrees, which would count every internal tie twice and give a lower value).
    - **Overall**: ``E`` = ties between groups, ``I`` = ties within groups, each tie
      once.

    The value depends on group sizes: a large group has more possible internal ties.
    Each group and the whole network therefore also carry ``expected``, the E-I index
    of the complete graph on the same groups, i.e. the value expected if ties fell at
    random on pairs of nodes regardless of group (Krackhardt and Stern's baseline,
    against which they test the observed value by permutation). ``None`` when no tie
    is possible.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute``.
    attribute : str
        Node attribute naming each node's group.

    Returns
    -------
    dict
        ``nodes``: ``{node: {"external", "internal", "ei"}}``; ``groups``: ``{group:
        {"size", "external", "internal", "ei", "expected"}}``; ``overall``:
        ``{"external", "internal", "ei", "expected"}``.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "health", "b": "health", "c": "housing"}, "group")
    >>> r = ei_index(G)
    >>> r["nodes"]["b"]["ei"], r["groups"]["health"]["ei"], r["overall"]["ei"]
    (0.0, 0.0, 0.0)

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). Informal networks and organizational
       crises: an experimental simulation. *Social Psychology Quarterly* 51(2),
       123-140. https://doi.org/10.2307/2786835
    .. [2] Borgatti, S. P., Everett, M. G. and Johnson, J. C. (2013). *Analyzing Social
       Networks*. Sage (the E-I index of a node's own ties, as used here per node).
    """
    return _ei_index(G, _Mixing(G, attribute))


# --------------------------------------------------------------------------- assortativity


def _assortativity(mx: _Mixing) -> float | None:
    if mx.ties == 0:
        return None
    two_m = 2 * mx.ties
    # Fraction of tie ends in each group (a_i) and of ties inside each group (e_ii).
    trace = sum(2 * mx.counts[i][i] for i in range(len(mx.groups))) / two_m
    sum_sq = 0.0
    for i, row in enumerate(mx.counts):
        ends = sum(row) + row[i]  # an internal tie puts both of its ends in group i
        a = ends / two_m
        sum_sq += a * a
    if math.isclose(sum_sq, 1.0) or sum_sq >= 1.0:
        return None
    return (trace - sum_sq) / (1.0 - sum_sq)


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def assortativity(G: nx.Graph, *, attribute: str = "group") -> float | None:
    """Newman's attribute assortativity coefficient of the grouping.

    ``r = (sum_i e_ii - sum_i a_i**2) / (1 - sum_i a_i**2)``, where ``e_ij`` is the
    fraction of tie ends joining group ``i`` to group ``j`` and ``a_i = sum_j e_ij``.
    ``r`` is 1 when every tie is inside a group, 0 when ties mix as at random given how
    many ties each group has, and negative when ties prefer other groups. It is the
    value of :func:`networkx.attribute_assortativity_coefficient`, computed here from
    the tie matrix (so that :func:`silo_report` needs no second pass over the ties,
    and nodes without a group are treated as everywhere else) and ``None`` where it
    is undefined: no ties, or every tie end in one group.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute``.
    attribute : str
        Node attribute naming each node's group.

    Returns
    -------
    float or None

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("c", "d"), ("a", "c")])
    >>> nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y", "d": "y"}, "group")
    >>> round(assortativity(G), 4)
    0.3333

    References
    ----------
    .. [1] Newman, M. E. J. (2003). Mixing patterns in networks. *Physical Review E*
       67, 026126, eq. (2). https://doi.org/10.1103/PhysRevE.67.026126
    """
    return _assortativity(_Mixing(G, attribute))


# --------------------------------------------------------------------------- modularity


def _partition(mx: _Mixing) -> list[set]:
    blocks: dict = defaultdict(set)
    for n, g in mx.group_of.items():
        blocks[g].add(n)
    return [blocks[g] for g in mx.groups]


def _modularity(G: nx.Graph, mx: _Mixing, weight: str | None) -> float | None:
    if G.number_of_edges() == 0:
        return None
    if weight is not None and G.size(weight=weight) == 0:
        return None
    if weight is None and nx.number_of_selfloops(G) == 0:
        return _modularity_from_counts(mx)
    return float(nx.community.modularity(G, _partition(mx), weight=weight))


def _modularity_from_counts(mx: _Mixing) -> float:
    """Unweighted modularity (resolution 1) from the group-by-group tie counts.

    ``Q = sum_c [L_c / m - (d_c / 2m)**2]``: ``L_c`` is the diagonal of the counts and
    ``d_c``, the degrees summed over group ``c``, is its row sum plus its diagonal (a
    tie inside ``c`` adds two to it). The same figure as
    :func:`networkx.community.modularity` for a graph without self-loops (the tests
    compare them), without its pass over every node's neighbours.
    """
    counts = np.asarray(mx.counts, dtype=float)
    m = float(mx.ties)
    inside = np.diag(counts)
    degrees = counts.sum(axis=1) + inside
    return float((inside / m - (degrees / (2 * m)) ** 2).sum())


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def silo_modularity(
    G: nx.Graph, *, attribute: str = "group", weight: str | None = None
) -> float | None:
    """Modularity of the declared partition of the nodes into groups.

    ``Q = sum_c [L_c / m - (d_c / 2m)**2]`` over groups ``c``, with ``L_c`` the ties
    inside ``c``, ``d_c`` the sum of its members' degrees and ``m`` the number of ties
    (or the same with tie weights). High ``Q`` means the silos are also structural
    communities. Computed by :func:`networkx.community.modularity`.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute``.
    attribute : str
        Node attribute naming each node's group.
    weight : str, optional
        Edge attribute used as tie weight (e.g. ``"weight"``, the strength 1-5);
        ``None`` (default) counts each tie as 1.

    Returns
    -------
    float or None
        ``None`` when the graph has no ties (or zero total weight).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("c", "d"), ("a", "c")])
    >>> nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y", "d": "y"}, "group")
    >>> round(silo_modularity(G), 4)
    0.1667

    References
    ----------
    .. [1] Newman, M. E. J. and Girvan, M. (2004). Finding and evaluating community
       structure in networks. *Physical Review E* 69, 026113, eq. (5).
       https://doi.org/10.1103/PhysRevE.69.026113
    """
    return _modularity(G, _Mixing(G, attribute), weight)


# --------------------------------------------------------------------------- weak pairs


def _weak_pairs(mx: _Mixing, few: int, threshold: float) -> tuple[list[dict], float | None]:
    possible_all = sum(mx.sizes[i] * mx.sizes[j] for i, j in mx.pairs())
    average = _ratio(mx.external, possible_all)
    out = []
    for i, j in mx.pairs():
        ties = mx.counts[i][j]
        possible = mx.sizes[i] * mx.sizes[j]
        density = ties / possible
        relative = _ratio(density, average)
        reasons = []
        if ties == 0:
            reasons.append(Message("silos.reason.no_ties"))
        elif ties < few:
            reasons.append(Message("silos.reason.few_ties"))
        if ties and relative is not None and relative < threshold:
            reasons.append(Message("silos.reason.low_density"))
        if not reasons:
            continue
        out.append(
            {
                "groups": [mx.groups[i], mx.groups[j]],
                "ties": ties,
                "possible": possible,
                "density": density,
                "relative_density": relative,
                "reasons": reasons,
            }
        )
    out.sort(key=lambda p: (p["density"], p["ties"], -p["possible"]))  # stable: group order
    return out, average


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def weak_pairs(
    G: nx.Graph,
    *,
    attribute: str = "group",
    few: int = DEFAULT_FEW,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[dict]:
    """Pairs of groups joined by no ties, by few ties, or far more thinly than average.

    A pair of distinct groups ``(a, b)`` is weak when any of these holds:

    - ``"no ties"``: no tie joins them;
    - ``"few ties"``: fewer than ``few`` ties join them;
    - ``"low density"``: their density ``ties / (n_a n_b)`` is below ``threshold``
      times the average between-group density (all cross-group ties over all pairs of
      nodes in different groups) — a thin link relative to the group sizes, which a
      raw count misses for large groups.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute``.
    attribute : str
        Node attribute naming each node's group.
    few : int
        Pairs with fewer ties than this are weak (default 2: none or one tie).
    threshold : float
        Pairs whose density is below ``threshold`` times the average between-group
        density are weak (default 0.25). ``0`` turns the density rule off.

    Returns
    -------
    list of dict
        Weakest first (density, then ties, then larger pairs first, then group order):
        ``{"groups": [a, b], "ties", "possible", "density", "relative_density",
        "reasons"}`` with ``a`` before ``b`` in group order, ``relative_density`` the
        density over the average (``None`` when the average is 0) and ``reasons`` the
        rules met. Empty with fewer than two groups.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> G.add_node("d")
    >>> nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y", "d": "z"}, "group")
    >>> [(p["groups"], p["ties"], p["reasons"]) for p in weak_pairs(G)]
    [(['x', 'z'], 0, ['no ties']), (['y', 'z'], 0, ['no ties']), (['x', 'y'], 1, ['few ties'])]

    References
    ----------
    .. [1] Wasserman, S. and Faust, K. (1994). *Social Network Analysis*, ch. 10
       (blockmodels). Cambridge University Press. The density rule adapts their
       alpha-density criterion, under which a block is a "zeroblock" when its density
       is below a cut-off alpha, often the density of the whole network.
    """
    return _weak_pairs(_Mixing(G, attribute), few, threshold)[0]


# --------------------------------------------------------------------------- report


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def silo_report(
    G: nx.Graph,
    *,
    attribute: str = "group",
    few: int = DEFAULT_FEW,
    threshold: float = DEFAULT_THRESHOLD,
    weight: str | None = None,
) -> dict:
    """Everything about the silos of ``G``: headline figures and the detailed tables.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph whose nodes carry ``attribute``.
    attribute : str
        Node attribute naming each node's group.
    few, threshold : int, float
        Passed to :func:`weak_pairs`.
    weight : str, optional
        Passed to :func:`silo_modularity`.

    Returns
    -------
    dict
        ``headline``: ``nodes``, ``nodes_with_ties``, ``ties``, ``groups``,
        ``cross_group_ties``, ``cross_group_share`` (cross-group ties over all ties,
        ``None`` without ties), ``ei_index`` (overall), ``expected_ei_index``,
        ``assortativity``, ``modularity``, ``group_pairs`` (pairs of distinct groups),
        ``isolated_group_pairs`` (pairs with no tie at all), ``weak_group_pairs``;
        then ``tie_matrix`` (:func:`tie_matrix`), ``ei_index`` (:func:`ei_index`),
        ``weak_pairs`` (:func:`weak_pairs`), ``average_cross_group_density`` and
        ``parameters`` (everything needed to reproduce the result).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "health", "b": "health", "c": "housing"}, "group")
    >>> h = silo_report(G)["headline"]
    >>> h["cross_group_share"], h["ei_index"], h["isolated_group_pairs"]
    (0.5, 0.0, 0)

    References
    ----------
    .. [1] Krackhardt, D. and Stern, R. N. (1988). *Social Psychology Quarterly* 51(2),
       123-140 (E-I index).
    .. [2] Newman, M. E. J. (2003). *Physical Review E* 67, 026126 (assortativity).
    .. [3] Newman, M. E. J. and Girvan, M. (2004). *Physical Review E* 69, 026113
       (modularity).
    """
    mx = _Mixing(G, attribute)
    ei = _ei_index(G, mx)
    weak, average = _weak_pairs(mx, few, threshold)
    n_pairs = len(mx.groups) * (len(mx.groups) - 1) // 2
    isolated_pairs = sum(1 for i, j in mx.pairs() if mx.counts[i][j] == 0)
    r = _assortativity(mx)
    q = _modularity(G, mx, weight)
    headline = {
        "nodes": mx.n,
        # nodes at an end of a tie to another node (self-loops are not in mx.ends)
        "nodes_with_ties": int(np.count_nonzero(np.bincount(mx.ends.ravel(), minlength=mx.n))),
        "ties": mx.ties,
        "groups": len(mx.groups),
        "cross_group_ties": mx.external,
        "cross_group_share": _ratio(mx.external, mx.ties),
        "ei_index": ei["overall"]["ei"],
        "expected_ei_index": ei["overall"]["expected"],
        "assortativity": r,
        "modularity": q,
        "group_pairs": n_pairs,
        "isolated_group_pairs": isolated_pairs,
        "weak_group_pairs": len(weak),
    }
    return {
        "headline": headline,
        "tie_matrix": _tie_matrix(mx, attribute),
        "ei_index": ei,
        "weak_pairs": weak,
        "average_cross_group_density": average,
        "parameters": {
            "attribute": attribute,
            "few": few,
            "threshold": threshold,
            "weight": weight,
        },
    }
