"""Tests of graph_models.analysis.communities.

NMI is checked against hand-worked values and against igraph's independent
implementation (``igraph.compare_communities(method="nmi")``, Danon et al.'s formula);
modularity of the communities found against ``networkx.community.modularity``; the
karate club against its published optimum modularity.
"""

from __future__ import annotations

import json
import math
import random

import igraph
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.communities import hidden_silos, normalized_mutual_information

BACKENDS = ["igraph", "networkx"]
# (algorithm, backend) combinations that exist
METHODS = [("louvain", "igraph"), ("louvain", "networkx"), ("leiden", "igraph")]


def make_graph(groups: dict, edges) -> nx.Graph:
    G = nx.Graph()
    for n, g in groups.items():
        G.add_node(n, group=g, type="person")
    G.add_edges_from(edges)
    return G


def clique(nodes):
    return [(u, v) for i, u in enumerate(nodes) for v in nodes[i + 1 :]]


def two_cliques() -> nx.Graph:
    """Two 4-cliques joined by h1-s1; h4 sits in the first clique but is labelled housing.

    m = 6 + 6 + 1 = 13 ties. Isolate x1 labelled police.
    """
    groups = {"h1": "health", "h2": "health", "h3": "health", "h4": "housing"}
    groups |= {"s1": "housing", "s2": "housing", "s3": "housing", "s4": "housing"}
    groups["x1"] = "police"
    edges = clique(["h1", "h2", "h3", "h4"]) + clique(["s1", "s2", "s3", "s4"]) + [("h1", "s1")]
    return make_graph(groups, edges)


# --------------------------------------------------------------------------- NMI


def test_nmi_hand_worked():
    """A = [a, a, b, b], B = [1, 1, 1, 2], n = 4 (natural logs).

    H(A) = ln 2 = 0.693147; H(B) = -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.562335.
    Joint: (a,1) 2, (b,1) 1, (b,2) 1.
    I = 2/4 ln(2*4/(2*3)) + 1/4 ln(1*4/(2*3)) + 1/4 ln(1*4/(2*1))
      = 0.143841 - 0.101366 + 0.173287 = 0.215762.
    NMI = 0.215762 / ((0.693147 + 0.562335) / 2) = 0.343711.
    """
    assert normalized_mutual_information(list("aabb"), [1, 1, 1, 2]) == pytest.approx(
        0.343711, abs=1e-6
    )


def test_nmi_edge_cases():
    assert normalized_mutual_information(list("aabb"), list("xxyy")) == 1.0  # same partition
    assert normalized_mutual_information(list("aabb"), list("xyxy")) == 0.0  # independent
    assert normalized_mutual_information(list("aaaa"), list("xxxx")) == 1.0  # both trivial
    assert normalized_mutual_information(list("aaaa"), list("xyxy")) == 0.0  # one trivial
    assert normalized_mutual_information([], []) is None
    with pytest.raises(ValueError):
        normalized_mutual_information([1, 2], [1])


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 4), min_size=n, max_size=n),
            st.lists(st.integers(0, 4), min_size=n, max_size=n),
        )
    )
)
def test_nmi_matches_igraph(labels):
    a, b = labels
    ours = normalized_mutual_information(a, b)
    theirs = igraph.compare_communities(a, b, method="nmi")
    assert ours == pytest.approx(theirs, abs=1e-9)
    assert ours == pytest.approx(normalized_mutual_information(b, a))
    assert 0.0 <= ours <= 1.0


# --------------------------------------------------------------------------- hidden silos


@pytest.mark.parametrize("algorithm, backend", METHODS)
def test_two_cliques_hand_worked(algorithm, backend):
    """Louvain (and Leiden) must return the two cliques (the split of highest modularity).

    Communities: 0 = {h1..h4} (health 3, housing 1), 1 = {s1..s4} (housing 4); both
    size 4, numbered by first member (h1 < s1). Misfit: h4 (housing, in a health
    community). Isolate x1 is left out of the comparison.
    Modularity: each clique L = 6, degree sum 13 -> Q = 12/13 - 2 (13/26)^2 = 0.423077.
    Declared: health L 3, d = 3*3 + 1 = 10; housing L 6, d = 3 + 13 = 16; police
    (isolate) d = 0 -> Q = 9/13 - (10/26)^2 - (16/26)^2 = 0.165680.
    NMI over the 8 tied nodes: H(C) = ln 2 = 0.693147;
    H(G) = -(3/8 ln 3/8 + 5/8 ln 5/8) = 0.661563;
    I = 3/8 ln(3*8/(4*3)) + 1/8 ln(1*8/(4*5)) + 4/8 ln(4*8/(4*5))
      = 0.259930 - 0.114536 + 0.235002 = 0.380396;
    NMI = 0.380396 / 0.677355 = 0.561590.
    """
    r = hidden_silos(two_cliques(), algorithm=algorithm, backend=backend)
    assert r["method"] == f"{algorithm}/{backend}"
    assert r["nodes_compared"] == 8
    assert r["isolates"] == ["x1"]
    assert r["groups"] == ["health", "housing", "police"]
    assert r["overlap"] == {
        "communities": [0, 1],
        "groups": ["health", "housing", "police"],
        "counts": [[3, 1, 0], [0, 4, 0]],
    }
    c0, c1 = r["communities"]
    assert c0["groups"] == {"health": 3, "housing": 1}
    assert c0["dominant_group"] == "health" and c0["dominant_share"] == 0.75
    assert c0["dominant_tied"] is False
    assert c0["misfits"] == [{"node": "h4", "group": "housing", "type": "person"}]
    assert c1["dominant_group"] == "housing" and c1["misfits"] == []
    assert r["misfit_count"] == 1
    assert r["membership"] == {
        "h1": 0, "h2": 0, "h3": 0, "h4": 0, "s1": 1, "s2": 1, "s3": 1, "s4": 1
    }  # fmt: skip
    assert r["by_group"]["housing"] == {
        "size": 5,
        "communities": 2,
        "main_community": 1,
        "main_share": 0.8,
    }
    assert r["by_group"]["police"]["size"] == 0
    assert r["modularity"] == pytest.approx(0.423077, abs=1e-6)
    assert r["declared_modularity"] == pytest.approx(0.165680, abs=1e-6)
    assert r["nmi"] == pytest.approx(0.561590, abs=1e-6)
    json.dumps(r, allow_nan=False)


@pytest.mark.parametrize("algorithm, backend", METHODS)
def test_karate_published_optimum(karate, algorithm, backend):
    """The karate club's maximum modularity is 0.4198 (4 communities), proved optimal by
    integer programming (Brandes et al. 2008, IEEE TKDE 20(2); Agarwal & Kempe 2008).
    Louvain cannot exceed it and on this graph gets close. The declared factions give
    Q = 0.358235 (worked in test_silos). NMI is checked against igraph's.
    """
    r = hidden_silos(karate, algorithm=algorithm, backend=backend, seed=0)
    assert 0.40 <= r["modularity"] <= 0.41979 + 1e-6
    assert r["declared_modularity"] == pytest.approx(0.358235, abs=1e-6)
    nodes = sorted(r["membership"])
    groups = {g: i for i, g in enumerate(r["groups"])}
    theirs = igraph.compare_communities(
        [r["membership"][n] for n in nodes],
        [groups[karate.nodes[n]["group"]] for n in nodes],
        method="nmi",
    )
    assert r["nmi"] == pytest.approx(theirs)
    # the communities' modularity, recomputed by networkx
    comms = [{n for n, c in r["membership"].items() if c == k} for k in r["overlap"]["communities"]]
    assert r["modularity"] == pytest.approx(nx.community.modularity(karate, comms, weight=None))


@pytest.mark.parametrize("backend", BACKENDS)
def test_weighted_modularity_matches_networkx(karate, backend):
    r = hidden_silos(karate, backend=backend, weight="weight")
    assert r["parameters"]["weight"] == "weight"
    comms = [{n for n, c in r["membership"].items() if c == k} for k in r["overlap"]["communities"]]
    assert r["modularity"] == pytest.approx(nx.community.modularity(karate, comms, weight="weight"))


@pytest.mark.parametrize("algorithm, backend", METHODS)
def test_planted_partition_recovered(algorithm, backend):
    """4 planted blocks of 30, p_in 0.5, p_out 0.01: both backends find the blocks."""
    probs = [[0.5 if i == j else 0.01 for j in range(4)] for i in range(4)]
    H = nx.stochastic_block_model([30] * 4, probs, seed=3)
    G = nx.Graph()
    for v, d in H.nodes(data=True):
        G.add_node(f"n{v:03d}", group=f"b{d['block']}")
    G.add_edges_from((f"n{u:03d}", f"n{v:03d}") for u, v in H.edges())
    r = hidden_silos(G, algorithm=algorithm, backend=backend)
    assert r["nmi"] == 1.0
    assert r["misfit_count"] == 0
    assert sorted(c["size"] for c in r["communities"]) == [30, 30, 30, 30]


@pytest.mark.parametrize("algorithm, backend", METHODS)
def test_deterministic_and_independent_of_insertion_order(karate, algorithm, backend):
    a = hidden_silos(karate, algorithm=algorithm, backend=backend, seed=7)
    assert hidden_silos(karate, algorithm=algorithm, backend=backend, seed=7) == a
    nodes = list(karate.nodes(data=True))
    edges = list(karate.edges(data=True))
    rnd = random.Random(1)
    rnd.shuffle(nodes)
    rnd.shuffle(edges)
    shuffled = nx.Graph()
    shuffled.add_nodes_from(nodes)
    shuffled.add_edges_from(edges)
    assert hidden_silos(shuffled, algorithm=algorithm, backend=backend, seed=7) == a


def test_igraph_random_generator_left_as_found(karate):
    """The seeded run must not touch Python's global random state, and igraph must be
    back on its default generator (the ``random`` module) afterwards."""
    random.seed(12345)
    expected = igraph.Graph.Erdos_Renyi(n=30, p=0.2).get_edgelist()
    random.seed(12345)
    state = random.getstate()
    hidden_silos(karate, backend="igraph", seed=3)
    assert random.getstate() == state
    assert igraph.Graph.Erdos_Renyi(n=30, p=0.2).get_edgelist() == expected


@pytest.mark.parametrize("algorithm, backend", METHODS)
@pytest.mark.parametrize(
    "G",
    [
        nx.Graph(),
        make_graph({"a": "x"}, []),
        make_graph({"a": "x", "b": "y"}, []),
        make_graph({"a": "x", "b": "x", "c": "x"}, [("a", "b"), ("b", "c")]),
        make_graph({"a": "x", "b": "x", "c": "y", "d": "y"}, [("a", "b"), ("c", "d")]),
    ],
    ids=["empty", "one node", "no edges", "single group", "disconnected"],
)
def test_degenerate_graphs(G, algorithm, backend):
    r = hidden_silos(G, algorithm=algorithm, backend=backend)
    json.dumps(r, allow_nan=False)
    assert r["nodes_compared"] + len(r["isolates"]) == G.number_of_nodes()
    if G.number_of_edges() == 0:
        assert r["communities"] == [] and r["nmi"] is None and r["modularity"] is None
        assert r["membership"] == {}
    else:
        assert r["nmi"] is not None and not math.isnan(r["nmi"])


def test_disconnected_silos_agree():
    G = make_graph({"a": "x", "b": "x", "c": "y", "d": "y"}, [("a", "b"), ("c", "d")])
    r = hidden_silos(G)
    assert r["nmi"] == 1.0
    assert [c["dominant_group"] for c in r["communities"]] == ["x", "y"]


def test_dominant_group_tie():
    """Two separate pairs a-b (x, y) and c-d (x, x): the first community has one x and
    one y -> tied, x wins by group order and b is its misfit; the second is pure."""
    G = make_graph({"a": "x", "b": "y", "c": "x", "d": "x"}, [("a", "b"), ("c", "d")])
    c0, c1 = hidden_silos(G)["communities"]
    assert (c0["dominant_group"], c0["dominant_tied"]) == ("x", True)
    assert [m["node"] for m in c0["misfits"]] == ["b"]
    assert (c1["dominant_group"], c1["dominant_tied"], c1["misfits"]) == ("x", False, [])


def test_single_group_nmi():
    """One group, one community (a path): both partitions trivial -> NMI 1 (sklearn's
    convention for two identical one-class labelings)."""
    G = make_graph({"a": "x", "b": "x", "c": "x"}, [("a", "b"), ("b", "c")])
    r = hidden_silos(G)
    assert len(r["communities"]) == 1
    assert r["nmi"] == 1.0


def test_unknown_backend_or_algorithm():
    with pytest.raises(ValueError):
        hidden_silos(nx.Graph(), backend="leiden")
    with pytest.raises(ValueError):
        hidden_silos(nx.Graph(), algorithm="girvan-newman")
    with pytest.raises(ValueError):  # networkx has no Leiden of its own
        hidden_silos(nx.Graph(), algorithm="leiden", backend="networkx")


def test_leiden_run_leaves_igraph_generator_as_found(karate):
    random.seed(99)
    expected = igraph.Graph.Erdos_Renyi(n=30, p=0.2).get_edgelist()
    random.seed(99)
    hidden_silos(karate, algorithm="leiden", seed=3)
    assert igraph.Graph.Erdos_Renyi(n=30, p=0.2).get_edgelist() == expected


@pytest.mark.parametrize("G", [nx.DiGraph([("a", "b")]), nx.MultiGraph([("a", "b")])])
def test_directed_and_multigraphs_refused(G):
    with pytest.raises(nx.NetworkXNotImplemented):
        hidden_silos(G)


def _random_graph(seed: int) -> nx.Graph:
    """A seeded random graph with isolates, self-loops, several components, mixed weights."""
    rng = random.Random(seed)
    n = rng.randint(0, 30)
    G = nx.gnp_random_graph(n, rng.choice([0.0, 0.05, 0.15, 0.4]), seed=seed)
    G = nx.relabel_nodes(G, {v: f"p{rng.randint(0, 999)}-{v}" for v in G})
    for v in list(G):
        G.nodes[v]["group"] = rng.choice(["health", "housing", "police", None])
        G.nodes[v]["type"] = "person"
        if rng.random() < 0.1:
            G.add_edge(v, v)
    for u, v in G.edges():
        G.edges[u, v]["weight"] = rng.choice([1, 2, 3.5])
    return G


def _python_indexed_ties(G, weight):
    """The reference: the tied nodes and the sorted pairs, by a loop over ``G.edges``."""
    from graph_models.analysis.groups import stable_sorted

    tied = [n for n in G if any(v != n for v in G[n])]
    nodes = stable_sorted(tied)
    index = {n: i for i, n in enumerate(nodes)}
    rows = []
    for u, v, w in G.edges(data=weight, default=1):
        if u != v:
            i, j = index[u], index[v]
            rows.append(((min(i, j), max(i, j)), w))
    rows.sort()
    edges = [list(e) for e, _ in rows]
    weights = None if weight is None else [float(w) for _, w in rows]
    return nodes, stable_sorted(set(G) - set(tied)), edges, weights


@pytest.mark.parametrize("seed", range(40))
def test_indexed_ties_and_modularity_equal_python_and_networkx(seed):
    """The numpy edge list the community search runs on is the one a Python loop over
    ``G.edges`` gives (same order, so the same seeded partition), and its bincount
    modularity equals ``networkx.community.modularity`` to 1e-9, weighted or not, with
    isolates, self-loops (left out) and several components."""
    from graph_models.analysis.communities import _indexed_ties, _modularity

    G = _random_graph(seed)
    rng = random.Random(seed)
    for weight in (None, "weight"):
        got = _indexed_ties(G, weight)
        assert got == _python_indexed_ties(G, weight)
        nodes, _, edges, weights = got
        membership = [rng.randrange(3) for _ in nodes]
        H = nx.Graph()
        H.add_nodes_from(range(len(nodes)))
        for e, (i, j) in enumerate(edges):
            H.add_edge(i, j, weight=1.0 if weights is None else weights[e])
        if not edges:
            assert _modularity(edges, weights, membership) is None
            continue
        parts: dict = {}
        for i, c in enumerate(membership):
            parts.setdefault(c, set()).add(i)
        expected = nx.community.modularity(H, list(parts.values()), weight="weight")
        assert _modularity(edges, weights, membership) == pytest.approx(expected, abs=1e-9)
        r = hidden_silos(G, algorithm="leiden", weight=weight)
        found: dict = {}
        for v, c in r["membership"].items():
            found.setdefault(c, set()).add(v)
        Gw = nx.Graph(G)
        Gw.remove_nodes_from(r["isolates"])
        Gw.remove_edges_from(nx.selfloop_edges(Gw))
        q = nx.community.modularity(Gw, list(found.values()), weight=weight)
        assert r["modularity"] == pytest.approx(q, abs=1e-9)


def test_indexed_ties_of_the_empty_graph():
    from graph_models.analysis.communities import _indexed_ties

    assert _indexed_ties(nx.Graph(), None) == ([], [], [], None)
    r = hidden_silos(nx.Graph(), algorithm="leiden")
    assert (r["nodes_compared"], r["modularity"], r["membership"]) == (0, None, {})
