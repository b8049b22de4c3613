"""Tests of graph_models.analysis.silos.

Expected values are worked by hand (arithmetic in each docstring), taken from Zachary's
karate club as shipped with networkx, or computed by networkx's own implementation of
the same definition; never from the function under test.
"""

from __future__ import annotations

import json
import math
import warnings

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.groups import NO_GROUP, node_groups
from graph_models.analysis.silos import (
    assortativity,
    ei_index,
    silo_modularity,
    silo_report,
    tie_matrix,
    weak_pairs,
)


def make_graph(groups: dict, edges, attribute: str = "group") -> nx.Graph:
    G = nx.Graph()
    for n, g in groups.items():
        G.add_node(n, **{attribute: g, "type": "person"})
    G.add_edges_from(edges)
    return G


def strict_json(obj) -> str:
    return json.dumps(obj, allow_nan=False)


# A small partnership worked by hand throughout this file.
#   health  = {h1, h2, h3}   housing = {s1, s2}   police = {p1}
#   ties: h1-h2, h2-h3, h1-h3 (inside health), s1-s2 (inside housing),
#         h1-s1, h3-s2 (health-housing), s2-p1 (housing-police)
HAND_GROUPS = {
    "h1": "health",
    "h2": "health",
    "h3": "health",
    "s1": "housing",
    "s2": "housing",
    "p1": "police",
}
HAND_EDGES = [
    ("h1", "h2"),
    ("h2", "h3"),
    ("h1", "h3"),
    ("s1", "s2"),
    ("h1", "s1"),
    ("h3", "s2"),
    ("s2", "p1"),
]


@pytest.fixture
def hand():
    return make_graph(HAND_GROUPS, HAND_EDGES)


# --------------------------------------------------------------------------- tie matrix


def test_tie_matrix_hand_worked(hand):
    """Counts and densities of the hand graph.

    counts: health-health 3, housing-housing 1, police-police 0, health-housing 2,
    health-police 0, housing-police 1.
    densities: inside health 3 / (3*2/2) = 1; inside housing 1 / (2*1/2) = 1; inside
    police: no pair possible -> None; health-housing 2 / (3*2) = 1/3; health-police
    0 / 3 = 0; housing-police 1 / (2*1) = 0.5.
    """
    m = tie_matrix(hand)
    assert m["groups"] == ["health", "housing", "police"]
    assert m["sizes"] == [3, 2, 1]
    assert m["counts"] == [[3, 2, 0], [2, 1, 1], [0, 1, 0]]
    assert m["densities"][0] == pytest.approx([1.0, 1 / 3, 0.0])
    assert m["densities"][1] == pytest.approx([1 / 3, 1.0, 0.5])
    assert m["densities"][2][:2] == pytest.approx([0.0, 0.5])
    assert m["densities"][2][2] is None
    assert (m["ties"], m["internal_ties"], m["cross_group_ties"]) == (7, 4, 3)
    strict_json(m)


def test_tie_matrix_other_attribute_and_missing_values():
    """A node with no value (missing, None or "") falls in NO_GROUP."""
    G = nx.Graph([("a", "b"), ("b", "c")])
    G.nodes["a"]["silo"] = "health"
    G.nodes["b"]["silo"] = ""
    # c has no silo attribute at all
    m = tie_matrix(G, attribute="silo")
    assert m["groups"] == [NO_GROUP, "health"]
    assert m["sizes"] == [2, 1]
    assert m["counts"] == [[1, 1], [1, 0]]
    assert node_groups(G, "silo") == {"a": "health", "b": NO_GROUP, "c": NO_GROUP}


# --------------------------------------------------------------------------- E-I index


def test_ei_index_hand_worked(hand):
    """E-I = (E - I) / (E + I).

    Nodes: h1 E=1 (s1) I=2 -> -1/3; h2 E=0 I=2 -> -1; h3 E=1 I=2 -> -1/3;
    s1 E=1 I=1 -> 0; s2 E=2 (h3, p1) I=1 -> 1/3; p1 E=1 I=0 -> 1.
    Groups (each tie once): health E=2 I=3 -> -1/5; housing E=2+1=3 I=1 -> 1/2;
    police E=1 I=0 -> 1.
    Overall: E=3 I=4 -> -1/7.
    Expected (complete graph on the same groups): 15 pairs, 3+1+0 = 4 internal,
    11 external -> 7/15; health 3*3=9 ext, 3 int -> 6/12; housing 2*4=8, 1 -> 7/9;
    police 1*5=5, 0 -> 1.
    """
    r = ei_index(hand)
    nodes = {n: v["ei"] for n, v in r["nodes"].items()}
    assert nodes == pytest.approx(
        {"h1": -1 / 3, "h2": -1.0, "h3": -1 / 3, "s1": 0.0, "s2": 1 / 3, "p1": 1.0}
    )
    assert r["nodes"]["s2"]["external"] == 2 and r["nodes"]["s2"]["internal"] == 1
    g = r["groups"]
    assert (g["health"]["external"], g["health"]["internal"]) == (2, 3)
    assert (g["housing"]["external"], g["housing"]["internal"]) == (3, 1)
    assert (g["police"]["external"], g["police"]["internal"]) == (1, 0)
    assert g["health"]["ei"] == pytest.approx(-0.2)
    assert g["housing"]["ei"] == pytest.approx(0.5)
    assert g["police"]["ei"] == 1.0
    assert g["health"]["expected"] == pytest.approx(0.5)
    assert g["housing"]["expected"] == pytest.approx(7 / 9)
    assert g["police"]["expected"] == 1.0
    assert r["overall"]["ei"] == pytest.approx(-1 / 7)
    assert r["overall"]["expected"] == pytest.approx(7 / 15)
    strict_json(r)


def test_ei_index_isolate_is_none():
    G = make_graph({"a": "x", "b": "y", "c": "y"}, [("a", "b")])
    r = ei_index(G)
    assert r["nodes"]["c"] == {"external": 0, "internal": 0, "ei": None}
    assert r["nodes"]["a"]["ei"] == 1.0


def test_karate_published_data(karate):
    """Zachary's karate club (networkx's 'club' labels: 17 'Mr. Hi', 17 'Officer').

    78 ties: 35 inside Mr. Hi's faction, 32 inside the Officer's, 11 across.
    Degree sums: Mr. Hi 81, Officer 75 (2m = 156).
    E-I overall = (11 - 67) / 78 = -0.717949.
    Modularity Q = (35 + 32) / 78 - (81/156)^2 - (75/156)^2
                 = 0.858974 - 0.500740 = 0.358235.
    Assortativity r = (sum e_ii - sum a_i^2) / (1 - sum a_i^2)
                    = (134/156 - 0.500740) / (1 - 0.500740) = 0.717531.
    Mr. Hi group E-I = (11 - 35) / 46 = -0.521739; Officer (11 - 32) / 43 = -0.488372.
    """
    m = tie_matrix(karate)
    assert m["groups"] == ["Mr. Hi", "Officer"]
    assert m["sizes"] == [17, 17]
    assert m["counts"] == [[35, 11], [11, 32]]
    assert m["densities"][0][1] == pytest.approx(11 / 289)
    assert m["densities"][0][0] == pytest.approx(35 / 136)
    ei = ei_index(karate)
    assert ei["overall"]["ei"] == pytest.approx(-0.717949, abs=1e-6)
    assert ei["groups"]["Mr. Hi"]["ei"] == pytest.approx(-24 / 46)
    assert ei["groups"]["Officer"]["ei"] == pytest.approx(-21 / 43)
    assert silo_modularity(karate) == pytest.approx(0.358235, abs=1e-6)
    assert assortativity(karate) == pytest.approx(0.717531, abs=1e-6)
    assert weak_pairs(karate) == []


# --------------------------------------------------------------------------- assortativity


def test_assortativity_and_modularity_hand_worked(hand):
    """Hand graph, m = 7, 2m = 14.

    Tie ends: health 2*3 + 2 = 8, housing 2*1 + 2 + 1 = 5, police 1.
    e_ii: health 6/14, housing 2/14 -> trace 8/14; sum a_i^2 = (64 + 25 + 1) / 196.
    r = (112/196 - 90/196) / (106/196) = 22/106.
    Q = (3 + 1) / 7 - 90/196 = 22/196 (degree sums equal tie ends here).
    """
    assert assortativity(hand) == pytest.approx(22 / 106)
    assert silo_modularity(hand) == pytest.approx(22 / 196)


def test_weighted_modularity_hand_worked():
    """a-b weight 2 (x-x), c-d weight 1 (y-y), a-c weight 1: total weight m = 4.

    Strengths: x = 3 + 2 = 5, y = 2 + 1 = 3.
    Q = (2 + 1) / 4 - (5/8)^2 - (3/8)^2 = 0.75 - 34/64 = 0.21875.
    """
    G = make_graph({"a": "x", "b": "x", "c": "y", "d": "y"}, [])
    G.add_edge("a", "b", weight=2)
    G.add_edge("c", "d", weight=1)
    G.add_edge("a", "c", weight=1)
    assert silo_modularity(G, weight="weight") == pytest.approx(0.21875)
    # unweighted: Q = 2/3 - 2 * (3/6)^2 = 1/6
    assert silo_modularity(G) == pytest.approx(1 / 6)


def test_assortativity_undefined_cases():
    one_group = make_graph({"a": "x", "b": "x", "c": "x"}, [("a", "b"), ("b", "c")])
    assert assortativity(one_group) is None  # every tie end in one group
    assert assortativity(make_graph({"a": "x", "b": "y"}, [])) is None  # no ties
    # perfectly disassortative: r = (0 - 1/2) / (1 - 1/2) = -1
    assert assortativity(make_graph({"a": "x", "b": "y"}, [("a", "b")])) == pytest.approx(-1.0)


# --------------------------------------------------------------------------- weak pairs


def test_weak_pairs_hand_worked(hand):
    """Average cross-group density = 3 ties / (3*2 + 3*1 + 2*1) pairs = 3/11.

    health-housing: 2 ties, density 1/3 (1.22 x average): not weak.
    health-police: 0 ties -> "no ties", density 0.
    housing-police: 1 tie < 2 -> "few ties", density 1/2 (1.83 x average).
    Weakest first: health-police, then housing-police.
    """
    pairs = weak_pairs(hand)
    assert [p["groups"] for p in pairs] == [["health", "police"], ["housing", "police"]]
    assert [p["ties"] for p in pairs] == [0, 1]
    assert [p["possible"] for p in pairs] == [3, 2]
    assert [p["reasons"] for p in pairs] == [["no ties"], ["few ties"]]
    assert pairs[1]["density"] == pytest.approx(0.5)
    assert pairs[1]["relative_density"] == pytest.approx(0.5 / (3 / 11))
    # few=1: only pairs with no tie at all
    assert [p["groups"] for p in weak_pairs(hand, few=1)] == [["health", "police"]]


def test_weak_pairs_low_density_rule():
    """A = {a1, a2, a3}, B = {b1, b2, b3}, C = {c1}.

    A-B: a1b1, a2b2, a3b3 -> 3 ties / 9 = 0.333; A-C: 3 ties / 3 = 1;
    B-C: b1c1, b2c1 -> 2 / 3 = 0.667. Average = 8 / 15 = 0.533.
    A-B relative density 0.333 / 0.533 = 0.625: weak at threshold 0.7 only.
    """
    groups = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "b3": "B", "c1": "C"}
    edges = [("a1", "b1"), ("a2", "b2"), ("a3", "b3")]
    edges += [("a1", "c1"), ("a2", "c1"), ("a3", "c1"), ("b1", "c1"), ("b2", "c1")]
    G = make_graph(groups, edges)
    assert weak_pairs(G) == []
    pairs = weak_pairs(G, threshold=0.7)
    assert [p["groups"] for p in pairs] == [["A", "B"]]
    assert pairs[0]["reasons"] == ["low density"]
    assert pairs[0]["relative_density"] == pytest.approx(0.625)
    assert [p["groups"] for p in weak_pairs(G, few=3)] == [["B", "C"]]


def test_weak_pairs_ordering_prefers_larger_empty_pairs():
    """Two pairs with no ties: the one with more possible ties (3*2 > 1*2) comes first."""
    groups = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}
    G = make_graph(groups, [("a1", "c1"), ("a2", "c1"), ("a3", "c1")])
    assert [p["groups"] for p in weak_pairs(G)] == [["A", "B"], ["B", "C"]]


# --------------------------------------------------------------------------- report


def test_silo_report_headline(hand):
    hand.add_node("x1", group="police")  # an isolate
    r = silo_report(hand)
    h = r["headline"]
    assert h["nodes"] == 7
    assert h["nodes_with_ties"] == 6
    assert h["ties"] == 7
    assert h["groups"] == 3
    assert h["cross_group_ties"] == 3
    assert h["cross_group_share"] == pytest.approx(3 / 7)
    assert h["ei_index"] == pytest.approx(-1 / 7)
    assert h["group_pairs"] == 3
    assert h["isolated_group_pairs"] == 1
    assert h["weak_group_pairs"] == 2
    assert h["assortativity"] == pytest.approx(22 / 106)
    assert h["modularity"] == pytest.approx(22 / 196)
    assert r["parameters"]["attribute"] == "group"
    strict_json(r)


@pytest.mark.parametrize(
    "G",
    [
        nx.Graph(),
        make_graph({"a": "x"}, []),
        make_graph({"a": "x", "b": "y", "c": "y"}, []),
        make_graph({"a": "x", "b": "x", "c": "x"}, [("a", "b")]),
        make_graph({"a": "x", "b": "x", "c": "y", "d": "y"}, [("a", "b"), ("c", "d")]),
    ],
    ids=["empty", "one node", "no edges", "single group", "disconnected silos"],
)
def test_degenerate_graphs_are_well_formed(G):
    r = silo_report(G)
    strict_json(r)
    h = r["headline"]
    assert h["nodes"] == G.number_of_nodes()
    if G.number_of_edges() == 0:
        assert h["ei_index"] is None
        assert h["cross_group_share"] is None
        assert h["assortativity"] is None
        assert h["modularity"] is None
    assert tie_matrix(G)["groups"] == sorted({d["group"] for _, d in G.nodes(data=True)})
    assert isinstance(weak_pairs(G), list)


def test_disconnected_silos():
    """Two silos with no tie between them: E-I -1, one isolated pair, r = 1.

    Q = 2/2 - 2 * (2/4)^2 = 0.5.
    """
    G = make_graph({"a": "x", "b": "x", "c": "y", "d": "y"}, [("a", "b"), ("c", "d")])
    h = silo_report(G)["headline"]
    assert h["ei_index"] == -1.0
    assert h["isolated_group_pairs"] == 1
    assert h["assortativity"] == pytest.approx(1.0)
    assert h["modularity"] == pytest.approx(0.5)


# --------------------------------------------------------------------------- properties


@st.composite
def grouped_graphs(draw, max_nodes=10, labels="ABCD"):
    n = draw(st.integers(0, max_nodes))
    k = draw(st.integers(1, len(labels)))
    groups = {f"n{i}": draw(st.sampled_from(labels[:k])) for i in range(n)}
    pairs = [(f"n{i}", f"n{j}") for i in range(n) for j in range(i + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    return make_graph(groups, edges)


def _in_range(x):
    return x is None or -1.0 <= x <= 1.0


@settings(max_examples=60, deadline=None)
@given(grouped_graphs())
def test_property_ei_in_range(G):
    r = ei_index(G)
    assert all(_in_range(v["ei"]) for v in r["nodes"].values())
    assert all(_in_range(v["ei"]) and _in_range(v["expected"]) for v in r["groups"].values())
    assert _in_range(r["overall"]["ei"]) and _in_range(r["overall"]["expected"])
    # per-node counts add up to each tie counted at both ends
    assert sum(v["external"] + v["internal"] for v in r["nodes"].values()) == 2 * len(G.edges)
    strict_json(r)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_property_no_cross_group_ties_gives_minus_one(data):
    G = data.draw(grouped_graphs())
    G.remove_edges_from([(u, v) for u, v in G.edges if G.nodes[u]["group"] != G.nodes[v]["group"]])
    r = ei_index(G)
    if G.number_of_edges():
        assert r["overall"]["ei"] == -1.0
    else:
        assert r["overall"]["ei"] is None
    assert silo_report(G)["headline"]["cross_group_ties"] == 0


@settings(max_examples=40, deadline=None)
@given(grouped_graphs(), st.randoms(use_true_random=False))
def test_property_relabelling_changes_nothing(G, rnd):
    old = list(G)
    new = [f"z{i}" for i in range(len(old))]
    rnd.shuffle(new)
    mapping = dict(zip(old, new, strict=True))
    H = nx.relabel_nodes(G, mapping)
    a, b = silo_report(G), silo_report(H)
    assert a["headline"] == pytest.approx(b["headline"])
    assert a["tie_matrix"] == b["tie_matrix"]
    assert a["weak_pairs"] == b["weak_pairs"]
    assert a["ei_index"]["groups"] == b["ei_index"]["groups"]
    for n in old:
        assert a["ei_index"]["nodes"][n] == b["ei_index"]["nodes"][mapping[n]]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_property_adding_cross_tie_never_lowers_ei(data):
    G = data.draw(grouped_graphs())
    candidates = [
        (u, v)
        for u in G
        for v in G
        if u < v and not G.has_edge(u, v) and G.nodes[u]["group"] != G.nodes[v]["group"]
    ]
    if not candidates:
        return
    u, v = data.draw(st.sampled_from(candidates))
    before = ei_index(G)
    G.add_edge(u, v)
    after = ei_index(G)
    if before["overall"]["ei"] is None:
        assert after["overall"]["ei"] == 1.0
    else:
        assert after["overall"]["ei"] >= before["overall"]["ei"]
    for g in (G.nodes[u]["group"], G.nodes[v]["group"]):
        b, a = before["groups"][g]["ei"], after["groups"][g]["ei"]
        assert b is None or a >= b


@settings(max_examples=60, deadline=None)
@given(grouped_graphs())
def test_property_matrix_consistent_and_assortativity_matches_networkx(G):
    m = tie_matrix(G)
    k = len(m["groups"])
    assert all(m["counts"][i][j] == m["counts"][j][i] for i in range(k) for j in range(k))
    assert sum(m["counts"][i][j] for i in range(k) for j in range(i, k)) == G.number_of_edges()
    assert sum(m["sizes"]) == G.number_of_nodes()
    ours = assortativity(G)
    if G.number_of_edges():
        # networkx's implementation of the same coefficient, independently computed
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            theirs = nx.attribute_assortativity_coefficient(G, "group")
        if ours is None:
            assert math.isnan(theirs)
        else:
            assert ours == pytest.approx(theirs)
    h = silo_report(G)["headline"]
    assert h["isolated_group_pairs"] == sum(
        1 for i in range(k) for j in range(i + 1, k) if m["counts"][i][j] == 0
    )


@pytest.mark.parametrize(
    "f", [tie_matrix, ei_index, assortativity, silo_modularity, weak_pairs, silo_report]
)
@pytest.mark.parametrize("G", [nx.DiGraph([("a", "b")]), nx.MultiGraph([("a", "b")])])
def test_directed_and_multigraphs_refused(f, G):
    """Every figure here is defined on an undirected simple graph (the projection)."""
    with pytest.raises(nx.NetworkXNotImplemented):
        f(G)


@settings(max_examples=60, deadline=None)
@given(grouped_graphs(), st.integers(0, 3))
def test_property_counts_equal_a_plain_count_over_the_ties(G, loops):
    """The tie matrix, the per-node E-I counts and the number of nodes with a tie
    (counted with numpy over the compiled edge list) equal a plain Python count over
    ``G.edges``; self-loops are not ties between groups or people and count nowhere."""
    G.add_edges_from((v, v) for v in list(G)[:loops])
    group = node_groups(G, "group")
    m = tie_matrix(G)
    groups = m["groups"]
    assert sorted(groups, key=str) == sorted(set(group.values()), key=str)
    at = {g: i for i, g in enumerate(groups)}
    counts = [[0] * len(groups) for _ in groups]
    internal, external = dict.fromkeys(G, 0), dict.fromkeys(G, 0)
    for u, v in G.edges():
        if u == v:
            continue
        i, j = at[group[u]], at[group[v]]
        counts[i][j] += 1
        if i != j:
            counts[j][i] += 1
        side = internal if i == j else external
        side[u] += 1
        side[v] += 1
    assert m["counts"] == counts
    assert m["ties"] == sum(counts[i][j] for i in range(len(groups)) for j in range(i + 1))
    nodes = ei_index(G)["nodes"]
    assert list(nodes) == list(G)
    for v in G:
        assert (nodes[v]["internal"], nodes[v]["external"]) == (internal[v], external[v])
    tied = sum(1 for n in G if any(v != n for v in G[n]))
    assert silo_report(G)["headline"]["nodes_with_ties"] == tied


@settings(max_examples=80, deadline=None)
@given(grouped_graphs(max_nodes=14))
def test_property_modularity_from_counts_equals_networkx(G):
    """The unweighted modularity read off the tie counts is networkx's, to 1e-12."""
    if G.number_of_edges() == 0:
        assert silo_modularity(G) is None
        return
    blocks: dict = {}
    for v, g in G.nodes(data="group"):
        blocks.setdefault(g, set()).add(v)
    expected = nx.community.modularity(G, list(blocks.values()))
    assert silo_modularity(G) == pytest.approx(expected, abs=1e-12)


def test_modularity_with_a_self_loop_is_networkx_s():
    """A self-loop adds two to its node's degree in networkx's definition; the count
    matrix leaves it out, so such a graph is left to networkx."""
    G = make_graph({"a": "X", "b": "X", "c": "Y"}, [("a", "b"), ("b", "c"), ("a", "a")])
    expected = nx.community.modularity(G, [{"a", "b"}, {"c"}])
    assert silo_modularity(G) == pytest.approx(expected, abs=1e-12)
