"""Bridging: hand-worked graphs, networkx's own functions and brute force as references."""

from __future__ import annotations

import itertools
import json
import math
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.bridging import (
    articulation_points,
    bridges,
    bridging_centrality,
    structural_holes,
)
from graph_models.analysis.groups import NO_GROUP

TOL = 1e-9


def grouped(edges, groups: dict, isolates=()) -> nx.Graph:
    G = nx.Graph(edges)
    G.add_nodes_from(isolates)
    nx.set_node_attributes(G, groups, "group")
    return G


def random_grouped_graph(n: int, p: float, seed: int, n_groups: int = 3) -> nx.Graph:
    G = nx.gnp_random_graph(n, p, seed=seed)
    G = nx.relabel_nodes(G, {v: f"v{v}" for v in G})
    rng = random.Random(seed)
    for v in G:
        G.nodes[v]["group"] = f"g{rng.randrange(n_groups)}"
    return G


random_graphs = st.builds(
    random_grouped_graph,
    st.integers(0, 16),
    st.floats(0.0, 0.5),
    st.integers(0, 100_000),
    st.integers(1, 4),
)


# --- bridges and local bridges -------------------------------------------------------


def ring_with_pendant() -> nx.Graph:
    """Health triangle h1-h2-h3 closed into a 6-ring with housing s1-s2-s3, plus a police
    officer p hanging off s2::

        h2 - h1 - s3 - s2 - p
         \\  |          |
           h3 ------ s1
    """
    return grouped(
        [("h1", "h2"), ("h2", "h3"), ("h1", "h3"), ("h3", "s1"), ("s1", "s2"),
         ("s2", "s3"), ("s3", "h1"), ("s2", "p")],
        {"h1": "health", "h2": "health", "h3": "health", "s1": "housing",
         "s2": "housing", "s3": "housing", "p": "police"},
    )  # fmt: skip


def test_bridges_and_local_bridges_hand_worked():
    """In ring_with_pendant:

    * the only bridge is s2-p (removing it strands p): crosses housing -> police;
    * the triangle's edges are not local bridges (their ends share a neighbour);
    * h3-s1, s1-s2, s2-s3 and s3-h1 share no neighbour: local bridges, each of span 4
      (e.g. without h3-s1: h3-h1-s3-s2-s1); h3-s1 and s3-h1 cross health/housing;
    * s2-p is also a local bridge, of infinite span (reported None, listed first).
    """
    r = bridges(ring_with_pendant())
    assert r["bridges"] == [{"u": "s2", "v": "p", "groups": ["housing", "police"], "crosses": True}]
    local = {frozenset((b["u"], b["v"])): b for b in r["local_bridges"]}
    assert set(local) == {
        frozenset(e) for e in [("h3", "s1"), ("s1", "s2"), ("s2", "s3"), ("s3", "h1"), ("s2", "p")]
    }
    assert r["local_bridges"][0]["bridge"] and r["local_bridges"][0]["span"] is None
    for e in [("h3", "s1"), ("s1", "s2"), ("s2", "s3"), ("s3", "h1")]:
        assert local[frozenset(e)]["span"] == 4
        assert local[frozenset(e)]["bridge"] is False
    assert local[frozenset(("h3", "s1"))]["crosses"]
    assert local[frozenset(("s3", "h1"))]["crosses"]
    assert not local[frozenset(("s1", "s2"))]["crosses"]
    assert r["summary"] == {
        "bridges": 1,
        "crossing_bridges": 1,
        "local_bridges": 5,
        "crossing_local_bridges": 3,
    }


def test_cycle_local_bridge_span():
    """networkx's own example: in a 9-cycle every edge is a local bridge of span 8."""
    r = bridges(nx.cycle_graph(9))
    assert len(r["local_bridges"]) == 9
    assert all(b["span"] == 8 for b in r["local_bridges"])
    assert r["bridges"] == []
    assert all(b["groups"] == [NO_GROUP, NO_GROUP] for b in r["local_bridges"])


def test_without_span():
    r = bridges(ring_with_pendant(), with_span=False)
    assert len(r["local_bridges"]) == 5
    assert all(b["span"] is None for b in r["local_bridges"])
    assert sum(b["bridge"] for b in r["local_bridges"]) == 1


def _norm(u, v):
    return frozenset((u, v))


@settings(max_examples=60, deadline=None)
@given(random_graphs)
def test_bridges_equal_networkx(G):
    r = bridges(G)
    assert {_norm(b["u"], b["v"]) for b in r["bridges"]} == {_norm(*e) for e in nx.bridges(G)}
    want = {
        _norm(u, v): (None if math.isinf(s) else s)
        for u, v, s in nx.local_bridges(G, with_span=True)
    }
    assert {_norm(b["u"], b["v"]): b["span"] for b in r["local_bridges"]} == want
    for b in r["bridges"] + r["local_bridges"]:
        gu, gv = G.nodes[b["u"]]["group"], G.nodes[b["v"]]["group"]
        assert b["groups"] == [gu, gv] and b["crosses"] == (gu != gv)
        assert G.has_edge(b["u"], b["v"])


def test_bridges_degenerate_graphs():
    empty = {"bridges": [], "local_bridges": [], "summary": dict.fromkeys(
        ["bridges", "crossing_bridges", "local_bridges", "crossing_local_bridges"], 0)}  # fmt: skip
    assert bridges(nx.Graph()) == empty
    assert bridges(nx.empty_graph(["a"])) == empty
    assert bridges(nx.empty_graph(["a", "b", "c"])) == empty
    G = nx.Graph([("a", "a"), ("a", "b")])  # a self-loop is never a bridge
    r = bridges(G)
    assert [(b["u"], b["v"]) for b in r["bridges"]] == [("a", "b")]
    with pytest.raises(nx.NetworkXNotImplemented):
        bridges(nx.DiGraph([("a", "b")]))


# --- articulation points -------------------------------------------------------------


def two_silos_and_a_link() -> nx.Graph:
    """Health triangle h1-h2-h3, housing triangle s1-s2-s3, housing worker x tied to
    h1 and s1, and a police officer p tied only to x::

        h2        s2
        | \\      / |
        |  h1 - x - s1 |
        | /     |   \\ |
        h3      p     s3
    """
    return grouped(
        [("h1", "h2"), ("h2", "h3"), ("h1", "h3"), ("s1", "s2"), ("s2", "s3"),
         ("s1", "s3"), ("h1", "x"), ("x", "s1"), ("x", "p")],
        {"h1": "health", "h2": "health", "h3": "health", "s1": "housing",
         "s2": "housing", "s3": "housing", "x": "housing", "p": "police"},
        isolates=["lonely"],
    )  # fmt: skip


def test_articulation_points_hand_worked():
    """Articulation points of two_silos_and_a_link (component of 8; 'lonely' apart):

    * x: pieces {h1,h2,h3} (health 3), {s1,s2,s3} (housing 3), {p} (police 1).
      No two groups share a piece: x alone joins health-housing, health-police,
      housing-police. Largest piece 3 -> separated 8 - 1 - 3 = 4.
    * h1: pieces {x,s1,s2,s3,p} (housing 4, police 1) and {h2,h3} (health 2).
      health meets neither housing nor police: joins health-housing, health-police;
      housing and police still meet. separated 8 - 1 - 5 = 2.
    * s1: pieces {x,h1,h2,h3,p} (health 3, housing 1, police 1) and {s2,s3}
      (housing 2): every pair still meets in the big piece: joins nothing, but housing
      is split. separated 2.
    Order: by number of joins (3, 2, 0).
    """
    points = articulation_points(two_silos_and_a_link())
    assert [p["node"] for p in points] == ["x", "h1", "s1"]
    x, h1, s1 = points
    assert x == {
        "node": "x",
        "group": "housing",
        "component_size": 8,
        "pieces": [
            {"size": 3, "groups": {"health": 3}},
            {"size": 3, "groups": {"housing": 3}},
            {"size": 1, "groups": {"police": 1}},
        ],
        "separated": 4,
        "joins": [["health", "housing"], ["health", "police"], ["housing", "police"]],
        "splits": [],
    }
    assert h1["pieces"] == [
        {"size": 5, "groups": {"housing": 4, "police": 1}},
        {"size": 2, "groups": {"health": 2}},
    ]
    assert h1["joins"] == [["health", "housing"], ["health", "police"]]
    assert h1["separated"] == 2 and h1["splits"] == []
    assert s1["pieces"] == [
        {"size": 5, "groups": {"health": 3, "housing": 1, "police": 1}},
        {"size": 2, "groups": {"housing": 2}},
    ]
    assert s1["joins"] == [] and s1["splits"] == ["housing"] and s1["separated"] == 2


def test_articulation_points_star_and_path():
    """A hub with four leaves of groups a, a, b, c: four one-node pieces; joins a-b,
    a-c, b-c; a is split. A path u-v-w: v joins nothing when all share one group."""
    star = grouped(
        [("hub", "l1"), ("hub", "l2"), ("hub", "l3"), ("hub", "l4")],
        {"hub": "z", "l1": "a", "l2": "a", "l3": "b", "l4": "c"},
    )
    (hub,) = articulation_points(star)
    assert [p["size"] for p in hub["pieces"]] == [1, 1, 1, 1]
    assert hub["joins"] == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert hub["splits"] == ["a"] and hub["separated"] == 3
    (v,) = articulation_points(nx.path_graph(["u", "v", "w"]))
    assert v["node"] == "v" and v["joins"] == [] and v["splits"] == [NO_GROUP]


def brute_force_articulation(G: nx.Graph) -> dict:
    """Remove each node, recompute components: node -> (sorted piece descriptions,
    joins as a set of frozensets)."""
    out = {}
    group = {v: G.nodes[v].get("group") or NO_GROUP for v in G}
    for v in G:
        comp = nx.node_connected_component(G, v) - {v}
        H = G.subgraph(comp)
        pieces = list(nx.connected_components(H))
        if len(pieces) < 2:
            continue
        groups_of = [{group[u] for u in piece} for piece in pieces]
        present = set().union(*groups_of)
        joins = {
            frozenset((g, h))
            for g, h in itertools.combinations(present, 2)
            if not any(g in gs and h in gs for gs in groups_of)
        }
        described = sorted(
            (len(piece), sorted((g, sum(group[u] == g for u in piece)) for g in groups_of[i]))
            for i, piece in enumerate(pieces)
        )
        splits = {g for g in present if sum(g in gs for gs in groups_of) > 1}
        out[v] = (described, joins, splits, len(comp) + 1)
    return out


@settings(max_examples=80, deadline=None)
@given(random_graphs)
def test_articulation_points_equal_brute_force(G):
    got = {p["node"]: p for p in articulation_points(G)}
    want = brute_force_articulation(G)
    assert set(got) == set(want) == set(nx.articulation_points(G))
    for v, (pieces, joins, splits, r) in want.items():
        p = got[v]
        assert sorted((q["size"], sorted(q["groups"].items())) for q in p["pieces"]) == pieces
        assert {frozenset(j) for j in p["joins"]} == joins
        assert set(p["splits"]) == splits
        assert p["component_size"] == r
        assert p["separated"] == r - 1 - max(q["size"] for q in p["pieces"])
        assert sum(q["size"] for q in p["pieces"]) == r - 1


@pytest.mark.slow
def test_articulation_points_large_path_is_fast():
    """A 20,000-node path has 19,998 cut vertices; removing each and recomputing would
    be quadratic. Pieces of the middle node: two of 9,999 and 10,000."""
    G = nx.path_graph(20_000)
    nx.set_node_attributes(G, {v: "left" if v < 10_000 else "right" for v in G}, "group")
    points = articulation_points(G)
    assert len(points) == 19_998
    (mid,) = [p for p in points if p["node"] == 10_000]
    assert mid["pieces"] == [
        {"size": 10_000, "groups": {"left": 10_000}},  # nodes 0..9,999
        {"size": 9_999, "groups": {"right": 9_999}},  # nodes 10,001..19,999
    ]
    joined = [p["node"] for p in points if p["joins"]]
    assert joined == [9_999, 10_000]  # the only nodes whose loss separates left from right


def test_articulation_points_degenerate_graphs():
    assert articulation_points(nx.Graph()) == []
    assert articulation_points(nx.empty_graph(["a"])) == []
    assert articulation_points(nx.empty_graph(["a", "b"])) == []
    assert articulation_points(nx.complete_graph(5)) == []
    two = nx.Graph([("a", "b"), ("b", "c"), ("x", "y"), ("y", "z")])  # two components
    assert sorted(p["node"] for p in articulation_points(two)) == ["b", "y"]
    json.dumps(articulation_points(two_silos_and_a_link()))


# --- structural holes ----------------------------------------------------------------


def test_structural_holes_star_hand_worked():
    """Star: hub with d = 3 unconnected contacts, plus an isolate.

    Hub: p = 1/3 to each contact, no indirect paths -> constraint 3 * (1/3)^2 = 1/3;
    no redundancy -> effective size 3. Leaf: one contact -> constraint 1, effective
    size 1. Isolate: undefined (NaN in networkx) -> None.
    """
    G = nx.star_graph(["hub", "a", "b", "c"])
    G.add_node("alone")
    r = structural_holes(G)
    assert math.isclose(r["constraint"]["hub"], 1 / 3)
    assert math.isclose(r["constraint"]["a"], 1.0)
    assert r["effective_size"]["hub"] == pytest.approx(3.0)
    assert r["effective_size"]["a"] == pytest.approx(1.0)
    assert r["constraint"]["alone"] is None and r["effective_size"]["alone"] is None
    json.dumps(r)


def test_effective_size_borgatti_formula():
    """Unweighted, undirected: effective size = d - 2t/d (Borgatti 1997), t = ties among
    the d contacts. Kite: Diane has d = 6 contacts (Andre, Beverly, Carol, Ed, Fernando,
    Garth) with t = 8 ties among them (A-B, A-C, A-F, B-E, B-G, C-F, E-G, F-G), so
    6 - 2 * 8 / 6 = 3.33; checked for every node, with t from nx.triangles."""
    G = nx.krackhardt_kite_graph()
    r = structural_holes(G)
    triangles = nx.triangles(G)
    for v in G:
        d = G.degree(v)
        assert math.isclose(r["effective_size"][v], d - 2 * triangles[v] / d, abs_tol=TOL)
    assert math.isclose(r["effective_size"][3], 6 - 16 / 6)


@pytest.mark.parametrize("weight", [None, "weight"])
@pytest.mark.parametrize(
    "make", [nx.karate_club_graph, nx.florentine_families_graph, nx.krackhardt_kite_graph]
)
def test_structural_holes_equal_networkx(make, weight):
    """Equal to networkx's per-node loop (``nodes=``, the plain transcription of Burt's
    formulas), and where it is right, to its whole-graph sparse path.

    networkx 3.6's sparse effective size divides by the wrong axis's row maximum, so
    it is wrong for weighted (and directed) graphs: on weighted karate it gives 13.95
    for member 0 where the definition gives 13.775 (networkx PR #8906). Unweighted
    undirected graphs are unaffected (every row maximum is equal).
    """
    G = make()
    G.add_node("iso")
    r = structural_holes(G, weight=weight)
    for name, fn in (("constraint", nx.constraint), ("effective_size", nx.effective_size)):
        whole = fn(G, weight=weight)
        loop = fn(G, nodes=list(G), weight=weight)
        for v in G:
            if v == "iso":
                assert r[name][v] is None and math.isnan(whole[v]) and math.isnan(loop[v])
                continue
            assert math.isclose(r[name][v], loop[v], abs_tol=TOL), (name, v)
            if name == "constraint" or weight is None:
                assert math.isclose(r[name][v], whole[v], abs_tol=TOL), (name, v)


def test_weighted_effective_size_hand_worked():
    """Burt's effective size on a weighted triangle a-b (3), a-c (1), b-c (2).

    For ego a: mutual weights (undirected: each tie counted both ways, a constant
    factor that normalisation removes): p_ab = 3/4, p_ac = 1/4. m_jq = tie j-q over
    j's strongest tie: m_bc = 2/3 (b's strongest is 3), m_cb = 2/2 = 1.
    Redundancy of b for a: p_ac * m_bc = 1/4 * 2/3 = 1/6; of c: p_ab * m_cb = 3/4.
    Effective size of a = (1 - 1/6) + (1 - 3/4) = 5/6 + 1/4 = 13/12.
    """
    G = nx.Graph()
    G.add_edge("a", "b", strength=3)
    G.add_edge("a", "c", strength=1)
    G.add_edge("b", "c", strength=2)
    r = structural_holes(G, weight="strength")
    assert math.isclose(r["effective_size"]["a"], 13 / 12)


@settings(max_examples=40, deadline=None)
@given(random_graphs, st.booleans())
def test_structural_holes_random_graphs_equal_networkx(G, weighted):
    rng = random.Random(len(G))
    for u, v in G.edges():
        G.edges[u, v]["strength"] = rng.randint(1, 5)
    weight = "strength" if weighted else None
    r = structural_holes(G, weight=weight)
    if not len(G):
        assert r["constraint"] == {} and r["effective_size"] == {}
        return
    for name, fn in (("constraint", nx.constraint), ("effective_size", nx.effective_size)):
        want = fn(G, nodes=list(G), weight=weight)
        for v in G:
            if math.isnan(want[v]):
                assert r[name][v] is None
            else:
                assert math.isclose(r[name][v], want[v], abs_tol=TOL)


def test_structural_holes_directed_equals_networkx():
    D = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("d", "a")])
    D.add_node("e")
    r = structural_holes(D)
    want = nx.effective_size(D, nodes=list(D))
    for v in "abcd":
        assert math.isclose(r["effective_size"][v], want[v], abs_tol=TOL)
    assert r["effective_size"]["e"] is None


def test_structural_holes_degenerate():
    assert structural_holes(nx.Graph())["constraint"] == {}
    r = structural_holes(nx.empty_graph(["a", "b"]))
    assert r["constraint"] == {"a": None, "b": None}
    assert r["effective_size"] == {"a": None, "b": None}


# --- bridging centrality -------------------------------------------------------------


def barbell() -> nx.Graph:
    """Triangle a-b-c, path c-d-e, triangle e-f-g (7 nodes)."""
    return nx.Graph(
        [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "g"),
         ("e", "g")]
    )  # fmt: skip


def test_bridging_centrality_hand_worked():
    """Degrees a2 b2 c3 d2 e3 f2 g2.

    Bridging coefficient BC(v) = (1/d(v)) / sum over neighbours u of 1/d(u):
    BC(d) = (1/2) / (1/3 + 1/3) = 3/4; BC(c) = (1/3) / (1/2 + 1/2 + 1/2) = 2/9;
    BC(a) = (1/2) / (1/2 + 1/3) = 3/5.
    Betweenness (normalised by (n-1)(n-2)/2 = 15 pairs): d lies on the 3 x 3 paths
    between {a,b,c} and {e,f,g} -> 9/15; c on the 2 x 4 from {a,b} to {d,e,f,g} -> 8/15;
    a on none -> 0.
    Bridging centrality: d 9/15 * 3/4 = 0.45; c 8/15 * 2/9 = 16/135; a 0.
    d ranks first although c has more ties and nearly the same betweenness.
    """
    r = bridging_centrality(barbell())
    bc = r["bridging_coefficient"]
    assert math.isclose(bc["d"], 3 / 4) and math.isclose(bc["c"], 2 / 9)
    assert math.isclose(bc["a"], 3 / 5)
    assert math.isclose(r["betweenness"]["d"], 9 / 15)
    assert math.isclose(r["betweenness"]["c"], 8 / 15)
    cen = r["bridging_centrality"]
    assert math.isclose(cen["d"], 0.45) and math.isclose(cen["c"], 16 / 135)
    assert cen["a"] == 0.0
    assert max(cen, key=cen.get) == "d"
    assert r["method"]["betweenness"] == {"method": "exact"}


def test_bridging_centrality_given_betweenness_and_isolates():
    G = barbell()
    G.add_node("iso")
    given_b = {v: 1.0 for v in G}
    r = bridging_centrality(G, betweenness=given_b)
    assert r["method"] == {"betweenness": "given"}
    assert r["bridging_coefficient"]["iso"] is None
    assert r["bridging_centrality"]["iso"] == 0.0
    assert math.isclose(r["bridging_centrality"]["d"], 3 / 4)
    assert bridging_centrality(nx.Graph())["bridging_centrality"] == {}
    solo = bridging_centrality(nx.empty_graph(["s"]))
    assert solo["bridging_coefficient"] == {"s": None}


@settings(max_examples=40, deadline=None)
@given(random_graphs)
def test_bridging_coefficient_random_graphs(G):
    """Against the definition computed directly, and betweenness against networkx."""
    r = bridging_centrality(G)
    between = nx.betweenness_centrality(G)
    for v in G:
        d = G.degree(v)
        if d == 0:
            assert r["bridging_coefficient"][v] is None
            continue
        want = (1 / d) / sum(1 / G.degree(u) for u in G[v])
        assert math.isclose(r["bridging_coefficient"][v], want, abs_tol=TOL)
        assert math.isclose(r["bridging_centrality"][v], want * between[v], abs_tol=TOL)


def test_spans_only_for_crossing_local_bridges():
    """Square a-b-c-d-a (no triangles: every tie is a local bridge of span 3).
    Groups: a, b health; c, d housing. Crossing ties: b-c and d-a; so with
    with_span="crossing" those have span 3 and a-b, c-d have None."""
    G = nx.cycle_graph(["a", "b", "c", "d"])
    nx.set_node_attributes(
        G, {"a": "health", "b": "health", "c": "housing", "d": "housing"}, "group"
    )
    spans = {
        frozenset((r["u"], r["v"])): r["span"]
        for r in bridges(G, with_span="crossing")["local_bridges"]
    }
    assert spans == {
        frozenset("bc"): 3,
        frozenset("da"): 3,
        frozenset("ab"): None,
        frozenset("cd"): None,
    }


def reference_bridges(G: nx.Graph, with_span) -> dict:
    """The records :func:`bridges` promises, built one by one from networkx: bridges in
    ``G.edges`` order; local bridges (``nx.local_bridges``) with their span where asked
    for, global bridges first, then by decreasing span (none last), then in
    ``G.edges`` order."""
    group = {v: G.nodes[v].get("group") or NO_GROUP for v in G}
    span = {_norm(u, v): s for u, v, s in nx.local_bridges(G, with_span=True)}
    is_bridge = {_norm(u, v) for u, v in nx.bridges(G)}
    found, local = [], []
    for u, v in G.edges():
        key = _norm(u, v)
        groups, crosses = [group[u], group[v]], group[u] != group[v]
        if key in is_bridge:
            found.append({"u": u, "v": v, "groups": groups, "crosses": crosses})
        if key not in span:
            continue
        s = None if math.isinf(span[key]) else span[key]
        if with_span is False or (with_span == "crossing" and not crosses):
            s = None
        record = {"u": u, "v": v, "span": s, "bridge": key in is_bridge}
        local.append({**record, "groups": groups, "crosses": crosses})
    if with_span:
        local.sort(key=lambda r: (not r["bridge"], r["span"] is None, -(r["span"] or 0)))
    else:
        local.sort(key=lambda r: not r["bridge"])
    return {"bridges": found, "local_bridges": local}


@settings(max_examples=60, deadline=None)
@given(random_graphs, st.sampled_from([True, False, "crossing"]))
def test_bridges_records_and_order_equal_a_plain_networkx_build(G, with_span):
    """Every record, its keys in order, and the list order equal the plain build from
    networkx's ``local_bridges`` and ``bridges`` (the vectorised selection and sort
    change nothing); self-loops are not ties of the network."""
    G.add_edges_from([(v, v) for v in list(G)[:2]])
    r = bridges(G, with_span=with_span)
    want = reference_bridges(_without_loops(G), with_span)
    assert json.dumps(r["bridges"]) == json.dumps(want["bridges"])
    assert json.dumps(r["local_bridges"]) == json.dumps(want["local_bridges"])


def _without_loops(G: nx.Graph) -> nx.Graph:
    H = G.copy()
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    return H


def test_bridges_of_nodes_and_groups_that_are_tuples():
    """Ids and groups that are tuples stay whole in the records (each column is built
    as an array of objects, which must not unpack them)."""
    G = nx.grid_2d_graph(3, 4)
    G.add_edge((0, 0), (9, 9))
    nx.set_node_attributes(G, {v: (v[0] % 2, "x") for v in G}, "group")
    r = bridges(G)
    assert r["local_bridges"] == reference_bridges(G, True)["local_bridges"]
    assert r["local_bridges"][0]["u"] == (0, 0) and r["local_bridges"][0]["v"] == (9, 9)
