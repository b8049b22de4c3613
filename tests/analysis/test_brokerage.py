"""Gould-Fernandez brokerage: hand-worked triads, a projected map, and independent
counts (brute-force enumeration, adjacency-matrix algebra) on random graphs."""

from __future__ import annotations

import json
import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.brokerage import (
    ROLES,
    _directed_counts,
    _undirected_counts,
    brokerage,
)
from graph_models.analysis.groups import NO_GROUP, node_groups
from graph_models.model import Map, Organisation, Relationship
from graph_models.projection import directed_ties, project
from graph_models.store.base import GraphRecords

ZERO = dict.fromkeys((*ROLES, "total"), 0)


def counts(**roles) -> dict:
    out = {**ZERO, **roles}
    out["total"] = sum(roles.values())
    return out


def triad(groups: tuple[str, str, str], *, directed: bool = True) -> nx.Graph:
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_edges_from([("a", "v"), ("v", "c")])
    nx.set_node_attributes(G, dict(zip("avc", groups, strict=True)), "group")
    return G


# --- hand-worked triads --------------------------------------------------------------

DIRECTED_CASES = [
    # groups of (a, v, c) for the path a -> v -> c, and the role v plays
    (("health", "health", "health"), "coordinator"),  # all one group
    (("health", "housing", "health"), "itinerant"),  # ends share a group, v outside it
    (("health", "health", "police"), "representative"),  # v carries its group's tie out
    (("police", "health", "health"), "gatekeeper"),  # v lets an outsider's tie in
    (("health", "housing", "police"), "liaison"),  # three groups
]


@pytest.mark.parametrize(("groups", "role"), DIRECTED_CASES)
def test_each_role_on_a_directed_triad(groups, role):
    """a -> v -> c, no a -> c: v brokers exactly the one ordered pair (a, c); a and c
    broker nothing (a has no in-tie, c no out-tie)."""
    r = brokerage(triad(groups))
    assert r["nodes"]["v"] == counts(**{role: 1})
    assert r["nodes"]["a"] == ZERO and r["nodes"]["c"] == ZERO
    assert r["summary"][role] == 1 and r["summary"]["total"] == 1
    assert r["summary"]["brokers"] == 1
    assert r["summary"]["by_group"][groups[1]][role] == 1


@pytest.mark.parametrize(("groups", "role"), DIRECTED_CASES)
def test_closed_triad_brokers_nothing(groups, role):
    """Adding a -> c closes the two-path: nobody brokers."""
    G = triad(groups)
    G.add_edge("a", "c")
    assert brokerage(G)["summary"]["total"] == 0


def test_directed_three_cycle():
    """a -> v -> c -> a (all health): each node brokers one pair -- v brokers (a, c)
    (no a -> c), c brokers (v, a) (no v -> a), a brokers (c, v) (no c -> v)."""
    G = triad(("health", "health", "health"))
    G.add_edge("c", "a")
    r = brokerage(G)
    for v in "avc":
        assert r["nodes"][v] == counts(coordinator=1)


def test_reciprocal_tie_is_not_a_pair():
    """a <-> v only: a -> v -> a has a = c, so it is not a brokered pair."""
    G = nx.DiGraph([("a", "v"), ("v", "a")])
    assert brokerage(G)["summary"]["total"] == 0


UNDIRECTED_CASES = [
    # groups of (a, v, c) for a - v - c; each open path counts once in each direction
    (("health", "health", "health"), counts(coordinator=2)),
    (("health", "housing", "health"), counts(itinerant=2)),
    # a -> v -> c: a, v share a group, c outside: representative;
    # c -> v -> a: c outside, v and a share: gatekeeper
    (("health", "health", "police"), counts(representative=1, gatekeeper=1)),
    (("health", "housing", "police"), counts(liaison=2)),
]


@pytest.mark.parametrize(("groups", "want"), UNDIRECTED_CASES)
def test_each_role_on_an_undirected_triad(groups, want):
    """Undirected ties are reciprocal: a - v - c is both (a, c) and (c, a), as in
    statnet's sna::brokerage."""
    r = brokerage(triad(groups, directed=False))
    assert r["nodes"]["v"] == want
    assert r["nodes"]["a"] == ZERO and r["nodes"]["c"] == ZERO
    assert r["method"]["directed"] is False
    # the same as the reciprocal directed graph
    assert brokerage(triad(groups, directed=False).to_directed())["nodes"] == r["nodes"]


def test_undirected_closed_triangle_brokers_nothing():
    G = triad(("health", "housing", "police"), directed=False)
    G.add_edge("a", "c")
    assert brokerage(G)["summary"]["total"] == 0


def test_a_projected_map_via_directed_ties():
    """Four organisations: a GP surgery (health) refers to the council (housing), which
    refers to the police (police) and partners with a charity (third sector;
    partnership is undirected, so it runs both ways).

    Through the council: gp -> council -> police, gp -> council -> charity and
    charity -> council -> police are open (no tie between the ends) and join three
    groups each: 3 liaison pairs. charity -> council -> charity is not a pair.
    police sends no tie; gp receives none; charity's only partner is the council.
    """
    orgs = [
        Organisation("gp", "GP surgery", "health"),
        Organisation("council", "Council housing", "housing"),
        Organisation("police", "Police station", "police"),
        Organisation("charity", "Charity", "third sector"),
    ]
    rels = [
        Relationship("r1", "gp", "council", "refers_to"),
        Relationship("r2", "council", "police", "refers_to"),
        Relationship("r3", "council", "charity", "partners_with"),
    ]
    G = project(GraphRecords(Map("m", "M"), orgs, rels))
    r = brokerage(directed_ties(G))
    assert r["nodes"]["council"] == counts(liaison=3)
    assert r["summary"]["total"] == 3 and r["summary"]["brokers"] == 1
    assert r["method"]["directed"] is True
    # treating the projected (undirected) graph as reciprocal instead would also
    # count police -> council -> gp etc.: 6 ordered open paths, all liaison
    assert brokerage(G)["nodes"]["council"] == counts(liaison=6)
    json.dumps(r)


def test_hub_with_many_leaves():
    """A hub (group z) with 1,500 leaves of group A and 1,500 of group B, no other ties:
    the hub brokers every ordered pair of distinct leaves, 3,000 x 2,999:
    itinerant (same group, not the hub's) 2 x 1,500 x 1,499, liaison 2 x 1,500 x 1,500.
    A pair-by-pair count would visit 9 million pairs; this is linear in the ties."""
    G = nx.star_graph(3000)
    nx.set_node_attributes(G, {v: "A" if v <= 1500 else "B" for v in G}, "group")
    G.nodes[0]["group"] = "z"
    r = brokerage(G)
    assert r["nodes"][0] == counts(itinerant=2 * 1500 * 1499, liaison=2 * 1500 * 1500)
    assert r["summary"]["total"] == 3000 * 2999


def test_missing_group_is_one_group():
    """Nodes without the attribute share the NO_GROUP group."""
    G = nx.DiGraph([("a", "v"), ("v", "c")])
    r = brokerage(G)
    assert r["nodes"]["v"] == counts(coordinator=1)
    assert list(r["summary"]["by_group"]) == [NO_GROUP]
    G.nodes["c"]["group"] = "police"
    assert brokerage(G)["nodes"]["v"] == counts(representative=1)


def test_degenerate_graphs():
    empty = brokerage(nx.DiGraph())
    assert empty["nodes"] == {} and empty["summary"]["total"] == 0
    assert empty["summary"]["brokers"] == 0 and empty["summary"]["by_group"] == {}
    assert brokerage(nx.empty_graph(["solo"]))["nodes"] == {"solo": ZERO}
    assert brokerage(nx.empty_graph(["a", "b", "c"]))["summary"]["total"] == 0
    loops = nx.DiGraph([("a", "a"), ("a", "b")])  # a self-loop is not a tie
    assert brokerage(loops)["summary"]["total"] == 0
    multi = nx.MultiDiGraph([("a", "v"), ("a", "v"), ("v", "c")])  # parallel ties once
    assert brokerage(multi)["nodes"]["v"] == counts(coordinator=1)


# --- properties ----------------------------------------------------------------------


def brute_force(G: nx.Graph) -> dict:
    """Enumerate every a -> v -> c and classify it (the definition, read literally)."""
    directed = G.is_directed()

    def tie(x, y):
        return x != y and G.has_edge(x, y)

    group = {v: G.nodes[v].get("group") or NO_GROUP for v in G}
    out = {}
    for v in G:
        row = dict(ZERO)
        ins = G.predecessors(v) if directed else G.neighbors(v)
        for a in ins:
            for c in G.successors(v) if directed else G.neighbors(v):
                if a == c or v in (a, c) or tie(a, c):
                    continue
                ga, gv, gc = group[a], group[v], group[c]
                if ga == gv == gc:
                    role = "coordinator"
                elif ga == gc:
                    role = "itinerant"
                elif ga == gv:
                    role = "representative"
                elif gv == gc:
                    role = "gatekeeper"
                else:
                    role = "liaison"
                row[role] += 1
                row["total"] += 1
        out[v] = row
    return out


def open_two_paths(G: nx.Graph) -> np.ndarray:
    """Per node v, the number of (a, c), a != c, with a->v, v->c and no a->c, by matrix
    algebra: sum over a != c of A[a,v] A[v,c] (1 - A[a,c])."""
    nodes = list(G)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=None)
    np.fill_diagonal(A, 0)
    A = (A > 0).astype(float)
    open_mask = 1 - A
    np.fill_diagonal(open_mask, 0)  # a != c
    # for each v: sum_{a,c} A[a, v] * A[v, c] * open_mask[a, c]
    return np.einsum("av,vc,ac->v", A, A, open_mask)


def random_graph(n: int, p: float, seed: int, directed: bool, n_groups: int) -> nx.Graph:
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    rng = random.Random(seed)
    for v in G:
        if rng.random() < 0.9:  # some nodes without a group
            G.nodes[v]["group"] = f"g{rng.randrange(n_groups)}"
    return nx.relabel_nodes(G, {v: f"n{v}" for v in G})


random_graphs = st.builds(
    random_graph,
    st.integers(0, 14),
    st.floats(0.0, 0.7),
    st.integers(0, 100_000),
    st.booleans(),
    st.integers(1, 4),
)


@settings(max_examples=100, deadline=None)
@given(random_graphs)
def test_equals_brute_force(G):
    assert brokerage(G)["nodes"] == brute_force(G)


@settings(max_examples=60, deadline=None)
@given(random_graphs)
def test_totals_equal_open_two_paths(G):
    r = brokerage(G)
    per_node = open_two_paths(G)
    for v, expected in zip(G, per_node, strict=True):
        assert r["nodes"][v]["total"] == round(expected)
    assert r["summary"]["total"] == round(per_node.sum())
    for role in ROLES:
        assert r["summary"][role] == sum(c[role] for c in r["nodes"].values())
    assert sum(row["total"] for row in r["summary"]["by_group"].values()) == r["summary"]["total"]


@settings(max_examples=40, deadline=None)
@given(random_graphs, st.randoms(use_true_random=False))
def test_relabelling_nodes_changes_nothing(G, rnd):
    labels = list(G)
    shuffled = labels[:]
    rnd.shuffle(shuffled)
    mapping = dict(zip(labels, (f"x{w}" for w in shuffled), strict=True))
    a = brokerage(G)["nodes"]
    b = brokerage(nx.relabel_nodes(G, mapping))["nodes"]
    assert {mapping[v]: c for v, c in a.items()} == b


@settings(max_examples=40, deadline=None)
@given(random_graphs)
def test_undirected_is_reciprocal_and_symmetric(G):
    """Undirected data: the same as reciprocal directed ties, every count even except
    representative and gatekeeper, which are equal."""
    U = G.to_undirected() if G.is_directed() else G
    r = brokerage(U)["nodes"]
    assert r == brokerage(U.to_directed())["nodes"]
    for c in r.values():
        assert c["representative"] == c["gatekeeper"]
        assert c["coordinator"] % 2 == c["itinerant"] % 2 == c["liaison"] % 2 == 0


def with_loops_and_groups(n: int, p: float, seed: int, n_groups: int) -> nx.Graph:
    """An undirected graph with self-loops, isolates and up to ``n_groups`` groups."""
    G = random_graph(n, p, seed, False, n_groups)
    rng = random.Random(seed + 1)
    for v in list(G):
        if rng.random() < 0.2:
            G.add_edge(v, v)
    G.add_node("alone", group="g0")
    return G


@settings(max_examples=60, deadline=None)
@given(
    st.builds(
        with_loops_and_groups,
        st.integers(0, 40),
        st.floats(0.0, 0.5),
        st.integers(0, 100_000),
        st.integers(1, 12),
    )
)
def test_sparse_undirected_counts_equal_the_set_counts(G):
    """The sparse-matrix counts of an undirected graph (:func:`_undirected_counts`)
    equal the node-by-node set counts (:func:`_directed_counts`, which the brute force
    checks) exactly, self-loops and isolates included."""
    group = node_groups(G, "group")
    assert _undirected_counts(G, group) == _directed_counts(G, group)


def test_sparse_undirected_counts_on_a_clustered_map():
    """A clustered graph with many triangles, many groups and ~1,000 nodes: both ways
    of counting agree, and the multigraph's parallel ties count once."""
    G = nx.relaxed_caveman_graph(50, 20, 0.2, seed=3)
    G = nx.relabel_nodes(G, {v: f"n{v}" for v in G})
    rng = random.Random(3)
    for v in G:
        G.nodes[v]["group"] = f"g{rng.randrange(7)}"
    group = node_groups(G, "group")
    want = _directed_counts(G, group)
    assert _undirected_counts(G, group) == want
    assert sum(c["total"] for c in want.values()) > 0
    M = nx.MultiGraph(G)
    M.add_edges_from(list(G.edges())[:100])
    assert brokerage(M)["nodes"] == want
