"""Tests of graph_models.analysis.introductions.

Scores are worked by hand and checked against ``networkx.adamic_adar_index``; the
candidate sets against a brute force over all pairs of nodes with networkx's
``common_neighbors``.
"""

from __future__ import annotations

import json
import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.introductions import suggest_introductions


def hand_graph() -> nx.Graph:
    """People h1, h2 (health), s1, s2, s3 (housing), p1, p2 (police); organisation o1
    (third sector).

    Ties (strength): h1-p1 3, s1-p1 3; h1-p2 5, h2-p2 5, s1-p2 5, s2-p2 5;
    h2-o1, s2-o1, s3-o1 (strength 3).
    No health-housing tie: that pair has 0 ties. Degrees: p1 2, p2 4, o1 3.
    """
    G = nx.Graph()
    for n, g in [("h1", "health"), ("h2", "health"), ("s1", "housing"), ("s2", "housing")]:
        G.add_node(n, group=g, type="person")
    G.add_node("s3", group="housing", type="person")
    G.add_node("p1", group="police", type="person")
    G.add_node("p2", group="police", type="person")
    G.add_node("o1", group="third sector", type="organisation")
    G.add_edges_from([("h1", "p1"), ("s1", "p1")], weight=3)
    G.add_edges_from([("h1", "p2"), ("h2", "p2"), ("s1", "p2"), ("s2", "p2")], weight=5)
    G.add_edges_from([("h2", "o1"), ("s2", "o1"), ("s3", "o1")], weight=3)
    return G


def test_hand_worked_ranking():
    """Group pairs with fewer than 2 ties, weakest first:
    health-housing (0 ties of 6 possible), police-third sector (0 of 2),
    health-third sector (1 tie, h2-o1). health-police and housing-police have 3 ties
    each; housing-third sector 2.

    Health-housing two-paths: via p1 (1/ln 2 = 1.442695): h1-s1; via p2
    (1/ln 4 = 0.721348): h1-s1, h1-s2, h2-s1, h2-s2; via o1 (1/ln 3 = 0.910239):
    h2-s2, h2-s3. Totals:
      h1-s1 2.164043 (2 brokers), h2-s2 1.631587 (2), h2-s3 0.910239 (1),
      h1-s2 0.721348 (1), h2-s1 0.721348 (1) - the last two tie; ids: h1 before h2.
    Brokers of h1-s1: p2 (ties of strength 5) before p1 (strength 3).
    Third sector has only an organisation: no person to introduce there.
    """
    r = suggest_introductions(hand_graph())
    assert [p["groups"] for p in r["pairs"]] == [
        ["health", "housing"],
        ["police", "third sector"],
        ["health", "third sector"],
    ]
    assert [p["ties"] for p in r["pairs"]] == [0, 0, 1]
    hh = r["pairs"][0]
    assert hh["candidates"] == 5
    assert [s["nodes"] for s in hh["suggestions"]] == [
        ["h1", "s1"],
        ["h2", "s2"],
        ["h2", "s3"],
        ["h1", "s2"],
        ["h2", "s1"],
    ]
    expected = [2.164043, 1.631587, 0.910239, 0.721348, 0.721348]
    assert [s["adamic_adar"] for s in hh["suggestions"]] == pytest.approx(expected, abs=1e-6)
    assert [s["common_neighbours"] for s in hh["suggestions"]] == [2, 2, 1, 1, 1]
    assert hh["suggestions"][0]["brokers"] == [
        {"node": "p2", "group": "police"},
        {"node": "p1", "group": "police"},
    ]
    assert [b["node"] for b in hh["suggestions"][1]["brokers"]] == ["p2", "o1"]
    assert r["pairs"][1]["suggestions"] == [] and r["pairs"][2]["suggestions"] == []
    assert r["method"] == "adamic_adar"
    json.dumps(r, allow_nan=False)


def test_scores_match_networkx_adamic_adar():
    G = hand_graph()
    r = suggest_introductions(G)
    pairs = [tuple(s["nodes"]) for s in r["pairs"][0]["suggestions"]]
    theirs = {(u, v): p for u, v, p in nx.adamic_adar_index(G, pairs)}
    for s in r["pairs"][0]["suggestions"]:
        assert s["adamic_adar"] == pytest.approx(theirs[tuple(s["nodes"])])


def test_any_node_type():
    """node_type=None: police-third sector now has p2-o1, brokers h2 and s2 (each of
    degree 2): 2 / ln 2 = 2.885390."""
    r = suggest_introductions(hand_graph(), node_type=None)
    pt = r["pairs"][1]
    assert pt["groups"] == ["police", "third sector"]
    assert [s["nodes"] for s in pt["suggestions"]] == [["p2", "o1"]]
    assert pt["suggestions"][0]["adamic_adar"] == pytest.approx(2.885390, abs=1e-6)
    assert [b["node"] for b in pt["suggestions"][0]["brokers"]] == ["h2", "s2"]


def test_limit_and_explicit_pairs():
    G = hand_graph()
    r = suggest_introductions(G, limit=2)
    assert r["pairs"][0]["candidates"] == 5
    assert [s["nodes"] for s in r["pairs"][0]["suggestions"]] == [["h1", "s1"], ["h2", "s2"]]
    assert suggest_introductions(G, limit=0)["pairs"][0]["suggestions"] == []
    assert len(suggest_introductions(G, limit=None)["pairs"][0]["suggestions"]) == 5
    with pytest.raises(ValueError):
        suggest_introductions(G, limit=-1)

    # explicit pairs: order normalised to group order, duplicates dropped
    r = suggest_introductions(G, pairs=[("housing", "health"), ("health", "housing")])
    assert [p["groups"] for p in r["pairs"]] == [["health", "housing"]]
    assert r["pairs"][0]["suggestions"][0]["nodes"] == ["h1", "s1"]
    # a pair that is not weak can still be asked for: health-police has 3 ties
    # h1-p1, h1-p2, h2-p2; untied h2-p1 share no contact -> nothing to suggest
    r = suggest_introductions(G, pairs=[("health", "police")])
    assert r["pairs"][0]["ties"] == 3 and r["pairs"][0]["suggestions"] == []
    # an unknown group has no members
    r = suggest_introductions(G, pairs=[("health", "education")])
    assert r["pairs"] == [
        {"groups": ["education", "health"], "ties": 0, "candidates": 0, "suggestions": []}
    ]
    with pytest.raises(ValueError):
        suggest_introductions(G, pairs=[("health", "health")])


def test_few_controls_default_pairs():
    r = suggest_introductions(hand_graph(), few=1)
    assert [p["groups"] for p in r["pairs"]] == [["health", "housing"], ["police", "third sector"]]
    r = suggest_introductions(hand_graph(), few=4)
    assert len(r["pairs"]) == 6  # every pair of the 4 groups has at most 3 ties


@pytest.mark.parametrize(
    "G",
    [
        nx.Graph(),
        nx.Graph([("a", "a")]),
        nx.empty_graph(["a"]),
        nx.empty_graph(["a", "b", "c"]),
        nx.path_graph(["a", "b", "c"]),
    ],
    ids=["empty", "self-loop", "one node", "no edges", "single group"],
)
def test_degenerate_graphs(G):
    for n in G:
        G.nodes[n].update(group="x" if n != "c" or G.number_of_edges() else "y", type="person")
    r = suggest_introductions(G)
    json.dumps(r, allow_nan=False)
    for p in r["pairs"]:
        assert p["suggestions"] == []


# --------------------------------------------------------------------------- brute force


@st.composite
def grouped_graphs(draw, max_nodes=10):
    n = draw(st.integers(0, max_nodes))
    kinds = st.sampled_from(["person", "organisation"])
    nodes = {f"n{i}": (draw(st.sampled_from("ABC")), draw(kinds)) for i in range(n)}
    pairs = [(f"n{i}", f"n{j}") for i in range(n) for j in range(i + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    G = nx.Graph()
    for v, (g, t) in nodes.items():
        G.add_node(v, group=g, type=t)
    G.add_edges_from(edges)
    return G


def brute_force(G, a, b, node_type):
    """Every pair (u in a, v in b) of the right type, untied, with a common neighbour."""
    out = {}
    for u in G:
        for v in G:
            if G.nodes[u]["group"] != a or G.nodes[v]["group"] != b or G.has_edge(u, v):
                continue
            if node_type and (G.nodes[u]["type"] != node_type or G.nodes[v]["type"] != node_type):
                continue
            common = sorted(nx.common_neighbors(G, u, v))
            if common:
                aa = sum(1 / math.log(G.degree(w)) for w in common)
                out[(u, v)] = (aa, len(common), common)
    return out


@settings(max_examples=60, deadline=None)
@given(grouped_graphs(), st.sampled_from(["person", None]))
def test_matches_brute_force(G, node_type):
    all_pairs = [("A", "B"), ("A", "C"), ("B", "C")]
    r = suggest_introductions(G, pairs=all_pairs, limit=None, node_type=node_type)
    assert [p["groups"] for p in r["pairs"]] == [list(p) for p in all_pairs]
    for (a, b), entry in zip(all_pairs, r["pairs"], strict=True):
        expected = brute_force(G, a, b, node_type)
        got = {tuple(s["nodes"]): s for s in entry["suggestions"]}
        assert set(got) == set(expected)
        assert entry["candidates"] == len(expected)
        for key, (aa, cn, common) in expected.items():
            assert got[key]["adamic_adar"] == pytest.approx(aa)
            assert got[key]["common_neighbours"] == cn
            assert sorted(b["node"] for b in got[key]["brokers"]) == common
        keys = [
            (-round(s["adamic_adar"], 9), -s["common_neighbours"]) for s in entry["suggestions"]
        ]
        assert keys == sorted(keys)


@pytest.mark.slow
def test_every_pair_of_many_groups_on_a_sparse_graph():
    """2,000 nodes, 10,000 ties, every pair of 10 groups asked for: each pair gets its
    five suggestions (the 10,000-node time is a row of benchmarks/bounds.py)."""
    H = nx.gnm_random_graph(2_000, 10_000, seed=1)
    G = nx.Graph()
    G.add_nodes_from((f"n{v}", {"group": f"g{v % 10}", "type": "person"}) for v in H)
    G.add_edges_from((f"n{u}", f"n{v}") for u, v in H.edges())
    groups = [f"g{i}" for i in range(10)]
    pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :]]
    r = suggest_introductions(G, pairs=pairs, limit=5)
    assert len(r["pairs"]) == 45
    assert all(len(p["suggestions"]) == 5 for p in r["pairs"])


@pytest.mark.parametrize("G", [nx.DiGraph([("a", "b")]), nx.MultiGraph([("a", "b")])])
def test_directed_and_multigraphs_refused(G):
    with pytest.raises(nx.NetworkXNotImplemented):
        suggest_introductions(G)


@pytest.mark.parametrize("seed", range(40))
def test_skipping_nodes_without_two_groups_of_contacts_changes_nothing(seed, monkeypatch):
    """The search visits only the nodes with contacts in two of the groups concerned
    (found with numpy); visiting every node, as a plain loop over ``G`` does, gives the
    same report, on seeded random graphs with isolates, self-loops, untyped nodes,
    nodes without a group and several components."""
    import random

    from graph_models.analysis import introductions

    rng = random.Random(seed)
    n = rng.randint(0, 40)
    G = nx.gnp_random_graph(n, rng.choice([0.0, 0.05, 0.1, 0.25]), seed=seed)
    for v in list(G):
        G.nodes[v]["group"] = rng.choice(["health", "housing", "police", "schools", None])
        G.nodes[v]["type"] = rng.choice(["person", "person", "organisation"])
        if rng.random() < 0.1:
            G.add_edge(v, v)
    for u, v in G.edges():
        G.edges[u, v]["weight"] = rng.choice([1, 2, 3])
    options = {"few": rng.choice([0, 1, 3, 10]), "limit": rng.choice([None, 2, 20])}
    if rng.random() < 0.3:
        options["node_type"] = None
    fast = suggest_introductions(G, **options)
    monkeypatch.setattr(introductions, "_possible_brokers", lambda G, bucket_of: list(G))
    assert suggest_introductions(G, **options) == fast
