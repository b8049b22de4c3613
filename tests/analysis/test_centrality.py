"""Centrality: checked against hand arithmetic, published values, and networkx and igraph
called directly (never against the module's own output)."""

from __future__ import annotations

import math
import random

import igraph as ig
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.centrality import centrality
from graph_models.analysis.fast import to_igraph

TOL = 1e-9
BACKENDS = ["igraph", "networkx"]
METRICS = ("degree", "weighted_degree", "degree_centrality", "betweenness", "closeness", "pagerank")
KITE = "Andre Beverly Carol Diane Ed Fernando Garth Heather Ike Jane".split()


def kite() -> nx.Graph:
    return nx.relabel_nodes(nx.krackhardt_kite_graph(), dict(enumerate(KITE)))


def published_graphs() -> dict[str, nx.Graph]:
    karate = nx.karate_club_graph()
    return {
        "karate": nx.relabel_nodes(karate, {v: f"m{v + 1}" for v in karate}),
        "florentine": nx.florentine_families_graph(),
        "kite": kite(),
    }


def assert_close(got: dict, want: dict, tol: float = TOL) -> None:
    assert set(got) == set(want)
    for v in want:
        assert math.isclose(got[v], want[v], rel_tol=0, abs_tol=tol), (v, got[v], want[v])


def networkx_reference(G: nx.Graph) -> dict:
    """Every metric straight from networkx (PageRank converged far below 1e-9)."""
    return {
        "degree": dict(G.degree()),
        "weighted_degree": dict(G.degree(weight="strength")),
        "degree_centrality": nx.degree_centrality(G),
        "betweenness": nx.betweenness_centrality(G),
        "closeness": nx.closeness_centrality(G),
        "pagerank": nx.pagerank(G, alpha=0.85, weight=None, tol=1e-15, max_iter=100_000),
    }


def igraph_reference(G: nx.Graph) -> dict:
    """Betweenness, closeness and PageRank from igraph, converted with
    igraph's own from_networkx (not our fast converter), normalised by hand:

    * betweenness: igraph counts each unordered pair once; networkx's normalised value
      is that divided by (n-1)(n-2)/2;
    * closeness: igraph gives (r-1)/sum(d) over the r nodes reachable (NaN when r=1);
      networkx multiplies by the Wasserman-Faust factor (r-1)/(n-1) and gives 0.
    """
    g = ig.Graph.from_networkx(G)
    names = g.vs["_nx_name"]
    n = g.vcount()
    sizes = g.connected_components().sizes()
    membership = g.connected_components().membership
    between = g.betweenness(directed=False)
    close = g.closeness()
    ranks = g.pagerank(damping=0.85, directed=False)
    out: dict = {"betweenness": {}, "closeness": {}, "pagerank": {}}
    for i, v in enumerate(names):
        out["betweenness"][v] = between[i] / ((n - 1) * (n - 2) / 2) if n > 2 else 0.0
        r = sizes[membership[i]]
        out["closeness"][v] = 0.0 if r == 1 else close[i] * (r - 1) / (n - 1)
        out["pagerank"][v] = ranks[i]
    return out


# --- hand-worked ---------------------------------------------------------------------


def test_hand_worked_path_with_isolate_and_pair():
    """Path a-b-c (strengths 5, 1), pair d-e, isolate f: n = 6.

    degree: a1 b2 c1 d1 e1 f0; weighted degree (strength): a5 b6 c1 d1 e1 f0
    (d-e has no strength attribute: counts 1). degree centrality = degree / 5.

    betweenness: only b lies between two nodes (a and c): 1 pair out of
    (n-1)(n-2)/2 = 10 -> 0.1; everything else 0.

    closeness (Wasserman-Faust, r = size of the node's component):
    a: distances 1, 2 -> (r-1)/sum = 2/3, times (r-1)/(n-1) = 2/5 -> 4/15
    b: distances 1, 1 -> 2/2 = 1, times 2/5 -> 2/5
    d: distance 1 -> 1/1, times (2-1)/5 -> 1/5
    f: isolate -> 0.
    """
    G = nx.Graph()
    G.add_edge("a", "b", strength=5)
    G.add_edge("b", "c", strength=1)
    G.add_edge("d", "e")
    G.add_node("f")
    for backend in BACKENDS:
        r = centrality(G, backend=backend)
        assert r["degree"] == {"a": 1, "b": 2, "c": 1, "d": 1, "e": 1, "f": 0}
        assert r["weighted_degree"] == {"a": 5, "b": 6, "c": 1, "d": 1, "e": 1, "f": 0}
        assert_close(
            r["degree_centrality"], {"a": 0.2, "b": 0.4, "c": 0.2, "d": 0.2, "e": 0.2, "f": 0}
        )
        assert_close(r["betweenness"], {"a": 0, "b": 0.1, "c": 0, "d": 0, "e": 0, "f": 0})
        assert_close(
            r["closeness"], {"a": 4 / 15, "b": 2 / 5, "c": 4 / 15, "d": 1 / 5, "e": 1 / 5, "f": 0}
        )
        assert math.isclose(sum(r["pagerank"].values()), 1.0, abs_tol=TOL)
        assert r["method"]["betweenness"] == {"method": "exact"}
        assert r["method"]["closeness"]["method"] == "exact"
        assert r["method"]["backend"] == backend


def test_igraph_closeness_differs_on_disconnected_graphs_and_is_corrected():
    """igraph's closeness of 'a' in the graph above is 2/3 (its component only);
    networkx's (and ours) is 4/15 -- the correction is not a no-op."""
    G = nx.Graph([("a", "b"), ("b", "c"), ("d", "e")])
    G.add_node("f")
    g, nodes = to_igraph(G)
    assert math.isclose(g.closeness()[nodes.index("a")], 2 / 3)
    assert math.isnan(g.closeness()[nodes.index("f")])
    r = centrality(G)
    assert math.isclose(r["closeness"]["a"], 4 / 15)
    assert r["closeness"]["f"] == 0.0


# --- published networks --------------------------------------------------------------


@pytest.mark.parametrize("name", ["karate", "florentine", "kite"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_published_networks_equal_networkx_and_igraph(name, backend):
    assert_matches_references(published_graphs()[name], backend)


def test_published_networks_with_isolates_equal_networkx_and_igraph():
    """Disconnected versions of the published networks (two isolates and a pair added)."""
    for G in published_graphs().values():
        G = G.copy()
        G.add_nodes_from(["iso1", "iso2"])
        G.add_edge("p1", "p2")
        for backend in BACKENDS:
            assert_matches_references(G, backend)


def assert_matches_references(G, backend):
    """Every metric equals networkx's, and the path-based ones igraph's, to 1e-9."""
    r = centrality(G, backend=backend)
    want_nx = networkx_reference(G)
    want_ig = igraph_reference(G)
    for metric in METRICS:
        assert_close(r[metric], want_nx[metric])
    for metric in ("betweenness", "closeness", "pagerank"):
        assert_close(r[metric], want_ig[metric])


def test_krackhardt_kite_published_values():
    """Krackhardt (1990), the kite network: degree, betweenness (unnormalised) and
    closeness as published (closeness to the 2 decimals printed there)."""
    r = centrality(kite())
    n = 10
    scale = (n - 1) * (n - 2) / 2  # 36: back to unnormalised betweenness
    betweenness = {
        "Heather": 14,
        "Fernando": 8 + 1 / 3,
        "Garth": 8 + 1 / 3,
        "Ike": 8,
        "Diane": 3 + 2 / 3,
        "Andre": 5 / 6,
        "Beverly": 5 / 6,
        "Carol": 0,
        "Ed": 0,
        "Jane": 0,
    }
    assert_close({v: b * scale for v, b in r["betweenness"].items()}, betweenness)
    closeness = {
        "Fernando": 0.64,
        "Garth": 0.64,
        "Diane": 0.60,
        "Heather": 0.60,
        "Andre": 0.53,
        "Beverly": 0.53,
        "Carol": 0.50,
        "Ed": 0.50,
        "Ike": 0.43,
        "Jane": 0.31,
    }
    assert_close(r["closeness"], closeness, tol=0.005)
    degree = dict(Diane=6, Fernando=5, Garth=5, Andre=4, Beverly=4, Carol=3, Ed=3, Heather=3)
    assert r["degree"] == {**degree, "Ike": 2, "Jane": 1}


def test_karate_and_florentine_published_betweenness():
    """Zachary's karate club: member 1's betweenness is 231.07 (unnormalised; pairs
    (n-1)(n-2)/2 = 528). Padgett's Florentine families: the Medici's is 47.5 (91 pairs),
    0.522 normalised."""
    graphs = published_graphs()
    r = centrality(graphs["karate"])
    assert math.isclose(r["betweenness"]["m1"] * 528, 231.0714, abs_tol=1e-4)
    r = centrality(graphs["florentine"])
    assert math.isclose(r["betweenness"]["Medici"] * 91, 47.5, abs_tol=TOL)
    assert math.isclose(r["betweenness"]["Medici"], 0.522, abs_tol=5e-4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_weights_and_distances_equal_networkx(backend):
    """Karate edges carry integer 'weight' (Zachary's interaction counts): used as
    strength for weighted degree and PageRank, and as a length for paths."""
    G = published_graphs()["karate"]
    r = centrality(G, weight="weight", distance="weight", backend=backend)
    assert r["weighted_degree"] == dict(G.degree(weight="weight"))
    assert_close(r["betweenness"], nx.betweenness_centrality(G, weight="weight"))
    assert_close(r["closeness"], nx.closeness_centrality(G, distance="weight"))
    want = nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-15, max_iter=100_000)
    assert_close(r["pagerank"], want)
    g = ig.Graph.from_networkx(G)
    ranks = dict(zip(g.vs["_nx_name"], g.pagerank(weights="weight", directed=False), strict=True))
    assert_close(r["pagerank"], ranks)
    assert r["method"]["weight"] == "weight" and r["method"]["distance"] == "weight"


def test_self_loops_count_as_networkx_counts_them():
    """A self-loop adds 2 to networkx's degree, leaves paths alone, and enters
    networkx's PageRank once (igraph's own PageRank walks it twice)."""
    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "a")])
    G.add_edge("c", "c", strength=3)
    for backend in BACKENDS:
        for weight in (None, "strength"):
            r = centrality(G, weight=weight, backend=backend)
            want = nx.pagerank(G, weight=weight, tol=1e-15, max_iter=100_000)
            assert_close(r["pagerank"], want)
        assert r["degree"] == {"a": 3, "b": 2, "c": 4, "d": 1}
        assert_close(r["betweenness"], nx.betweenness_centrality(G))
        assert_close(r["closeness"], nx.closeness_centrality(G))


# --- sampling ------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("k", "seed"), [(2, 0), (5, 1), (12, 7)])
def test_sampled_betweenness_equals_networkx_sampled(backend, k, seed):
    G = published_graphs()["karate"]
    G.add_node("iso")
    r = centrality(G, exact_threshold=10, k=k, seed=seed, backend=backend)
    assert_close(r["betweenness"], nx.betweenness_centrality(G, k=k, seed=seed))
    m = r["method"]["betweenness"]
    assert m["method"] == "sampled" and m["k"] == k and m["seed"] == seed
    assert r["method"]["exact_threshold"] == 10


def test_sampled_closeness_exact_in_small_components_and_backends_agree():
    """Components of at most k nodes are computed exactly; the large one is
    estimated, identically by both backends (same pivots, different libraries)."""
    G = published_graphs()["karate"]
    G.add_edges_from([("x1", "x2"), ("x2", "x3")])
    G.add_node("iso")
    exact = nx.closeness_centrality(G)
    a = centrality(G, exact_threshold=5, k=8, seed=3)
    b = centrality(G, exact_threshold=5, k=8, seed=3, backend="networkx")
    assert_close(a["closeness"], b["closeness"])
    for v in ("x1", "x2", "x3", "iso"):
        assert math.isclose(a["closeness"][v], exact[v], abs_tol=TOL)
    m = a["method"]["closeness"]
    assert m["method"] == "sampled" and m["k"] == 8 and m["seed"] == 3
    assert m["sampled_components"] == 1
    # an estimate (its quality is tested below): positive for every member
    assert all(a["closeness"][v] > 0 for v in published_graphs()["karate"])


def test_sampled_closeness_estimates_the_distance_sum_without_bias():
    """Eppstein-Wang: (r/k) * sum of distances from k random pivots is an unbiased
    estimate of a node's total distance S(v). Averaged over 300 seeds (k = 8 of 34
    nodes), it is within 3% of the exact S(v) computed by networkx BFS."""
    G = published_graphs()["karate"]
    n = len(G)
    exact_sum = {v: sum(nx.single_source_shortest_path_length(G, v).values()) for v in G}
    totals = dict.fromkeys(G, 0.0)
    seeds = range(300)
    for seed in seeds:
        c = centrality(G, exact_threshold=0, k=8, seed=seed)["closeness"]
        for v in G:
            totals[v] += (n - 1) ** 2 / ((n - 1) * c[v])  # S = (r-1)^2 / ((n-1) c)
    for v in G:
        assert abs(totals[v] / len(seeds) - exact_sum[v]) <= 0.03 * exact_sum[v]


def test_k_at_least_n_is_exact_even_above_threshold():
    G = published_graphs()["florentine"]
    r = centrality(G, exact_threshold=3, k=len(G))
    assert r["method"]["betweenness"] == {"method": "exact"}
    assert r["method"]["closeness"]["method"] == "exact"
    assert_close(r["betweenness"], nx.betweenness_centrality(G))


def test_threshold_none_is_exact():
    G = published_graphs()["karate"]
    r = centrality(G, exact_threshold=None, k=2)
    assert r["method"]["betweenness"] == {"method": "exact"}


# --- degenerate graphs ---------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_graph(backend):
    r = centrality(nx.Graph(), backend=backend)
    for metric in METRICS:
        assert r[metric] == {}
    assert r["method"]["nodes"] == 0 and r["method"]["edges"] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_single_node(backend):
    """networkx's conventions: degree centrality 1 for a lone node, closeness 0,
    PageRank 1."""
    G = nx.Graph()
    G.add_node("solo")
    r = centrality(G, backend=backend)
    assert r["degree"] == {"solo": 0} and r["weighted_degree"] == {"solo": 0}
    assert r["degree_centrality"] == {"solo": 1}
    assert r["betweenness"] == {"solo": 0.0} and r["closeness"] == {"solo": 0.0}
    assert_close(r["pagerank"], {"solo": 1.0})


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_edges(backend):
    """Five isolates: nothing between, nothing close, PageRank uniform 1/5."""
    G = nx.empty_graph(["a", "b", "c", "d", "e"])
    r = centrality(G, backend=backend, exact_threshold=2, k=2)
    assert_close(r["betweenness"], dict.fromkeys("abcde", 0.0))
    assert_close(r["closeness"], dict.fromkeys("abcde", 0.0))
    assert_close(r["pagerank"], dict.fromkeys("abcde", 0.2))
    assert r["method"]["closeness"]["method"] == "exact"  # every component is small


def test_two_nodes():
    G = nx.Graph([("a", "b")])
    r = centrality(G)
    assert r["betweenness"] == {"a": 0.0, "b": 0.0}
    assert_close(r["closeness"], {"a": 1.0, "b": 1.0})


def test_options_are_validated():
    G = nx.path_graph(3)
    with pytest.raises(ValueError):
        centrality(G, backend="networkit")
    with pytest.raises(ValueError):
        centrality(G, k=1)
    with pytest.raises(ValueError):
        centrality(G, exact_threshold=-1)
    with pytest.raises(nx.NetworkXNotImplemented):
        centrality(nx.DiGraph([(0, 1)]))


def test_result_is_json_serialisable():
    import json

    G = published_graphs()["florentine"]
    G.add_node("iso")
    json.dumps(centrality(G, exact_threshold=3, k=4))


# --- properties ----------------------------------------------------------------------

graphs = st.builds(
    lambda n, p, seed, isolates: _random_graph(n, p, seed, isolates),
    st.integers(0, 14),
    st.floats(0.0, 0.6),
    st.integers(0, 10_000),
    st.integers(0, 2),
)


def _random_graph(n: int, p: float, seed: int, isolates: int) -> nx.Graph:
    G = nx.gnp_random_graph(n, p, seed=seed)
    G = nx.relabel_nodes(G, {v: f"n{v}" for v in G})
    G.add_nodes_from(f"iso{i}" for i in range(isolates))
    rng = random.Random(seed)
    for u, v in G.edges():
        G.edges[u, v]["strength"] = rng.randint(1, 5)
    return G


@settings(max_examples=40, deadline=None)
@given(graphs, st.randoms(use_true_random=False))
def test_relabelling_nodes_changes_nothing(G, rnd):
    labels = list(G)
    shuffled = labels[:]
    rnd.shuffle(shuffled)
    mapping = {v: f"x-{w}" for v, w in zip(labels, shuffled, strict=True)}
    H = nx.relabel_nodes(G, mapping)
    a, b = centrality(G), centrality(H)
    for metric in METRICS:
        assert_close({mapping[v]: x for v, x in a[metric].items()}, b[metric])


@settings(max_examples=40, deadline=None)
@given(graphs)
def test_random_graphs_equal_networkx_with_both_backends(G):
    want = networkx_reference(G)
    for backend in BACKENDS:
        r = centrality(G, backend=backend)
        for metric in METRICS:
            assert_close(r[metric], want[metric])


@pytest.mark.parametrize("seed", range(30))
def test_degrees_equal_networkx_s_with_their_types(seed):
    """Degree, weighted degree (a self-loop twice, a missing strength 1) and degree
    centrality, read from the adjacency in one pass, are networkx's: same values and
    types (ints stay ints), on graphs with isolates, self-loops, mixed weights, one node
    and none."""
    from graph_models.analysis.centrality import _degree_centrality, _degrees

    rng = random.Random(seed)
    n = rng.choice([0, 1, 2, rng.randint(3, 30)])
    G = nx.gnp_random_graph(n, rng.choice([0.0, 0.1, 0.3]), seed=seed)
    for v in list(G):
        if rng.random() < 0.15:
            G.add_edge(v, v)
    for u, v in G.edges():
        if rng.random() < 0.8:
            G.edges[u, v]["strength"] = rng.choice([1, 2, 5, 2.5])
    degree, weighted = _degrees(G, "strength")
    expected = dict(G.degree(weight="strength"))
    assert degree == dict(G.degree()) and list(degree) == list(G)
    assert weighted == expected
    assert [type(x) for x in weighted.values()] == [type(x) for x in expected.values()]
    assert _degree_centrality(degree) == nx.degree_centrality(G)
    assert sum(degree.values()) // 2 == G.number_of_edges()
