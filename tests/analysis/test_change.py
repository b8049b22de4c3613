"""Tests of graph_models.analysis.change.

The hand-worked case goes through the real projection (``project(records, as_of=...)``)
so that the dates are those a coordinator would enter.
"""

from __future__ import annotations

import json
from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_models.analysis.change import HEADLINE_FIELDS, compare
from graph_models.model import Map, Person, Relationship
from graph_models.projection import project
from graph_models.store.base import GraphRecords


def records() -> GraphRecords:
    """a1, a2 health; b1, b2 housing; c1, d1 police (d1 never has a tie).

    r1 a1-a2 and r2 b1-b2 from 2020; r3 a1-b1 2020 until 2023-06-30; r6 a1-c1 2019
    until 2023-12-31; r4 a2-b2 from 2024-01-01; r5 b2-c1 from 2024-03-01; r7 a1-b2
    from 2024-02-01.
    """
    people = [
        Person("a1", "A1", "health"),
        Person("a2", "A2", "health"),
        Person("b1", "B1", "housing"),
        Person("b2", "B2", "housing"),
        Person("c1", "C1", "police"),
        Person("d1", "D1", "police"),
    ]
    d = date
    rels = [
        Relationship("r1", "a1", "a2", "knows", since=d(2020, 1, 1)),
        Relationship("r2", "b1", "b2", "knows", since=d(2020, 1, 1)),
        Relationship("r3", "a1", "b1", "knows", since=d(2020, 1, 1), until=d(2023, 6, 30)),
        Relationship("r6", "a1", "c1", "knows", since=d(2019, 1, 1), until=d(2023, 12, 31)),
        Relationship("r4", "a2", "b2", "works_with", since=d(2024, 1, 1)),
        Relationship("r5", "b2", "c1", "knows", since=d(2024, 3, 1)),
        Relationship("r7", "a1", "b2", "knows", since=d(2024, 2, 1)),
    ]
    return GraphRecords(Map("m", "M"), people, rels)


def test_hand_worked_change():
    """Before (2023-01-01): ties r1, r2, r3, r6 -> 4 ties, 2 cross (a1-b1, a1-c1),
    E-I = (2 - 2) / 4 = 0; degrees a1 3, a2 1, b1 2, b2 1, c1 1; strength sums
    health 4, housing 3, police 1 -> Q = 2/4 - (16 + 9 + 1)/64 = 0.09375;
    group pairs with no tie: housing-police -> 1. Share 2/4.

    After (2024-06-01): r1, r2, r4, r5, r7 -> 5 ties, 3 cross (a2-b2, b2-c1, a1-b2),
    E-I = (3 - 2) / 5 = 0.2; degrees a1 2, a2 2, b1 1, b2 4, c1 1; health 4,
    housing 5, police 1 -> Q = 2/5 - (16 + 25 + 1)/100 = -0.02;
    no tie health-police -> 1 isolated pair. Share 3/5.

    Nodes with ties: a1, a2, b1, b2, c1 at both dates (d1 never).
    """
    recs = records()
    before = project(recs, as_of=date(2023, 1, 1))
    after = project(recs, as_of=date(2024, 6, 1))
    r = compare(before, after)
    assert r["before"] == {
        "nodes": 6,
        "nodes_with_ties": 5,
        "ties": 4,
        "cross_group_ties": 2,
        "cross_group_share": 0.5,
        "ei_index": 0.0,
        "modularity": pytest.approx(0.09375),
        "groups": 3,
        "isolated_group_pairs": 1,
        "as_of": "2023-01-01",
    }
    assert r["after"]["ties"] == 5
    assert r["after"]["cross_group_ties"] == 3
    assert r["after"]["ei_index"] == pytest.approx(0.2)
    assert r["after"]["modularity"] == pytest.approx(-0.02)
    assert r["after"]["as_of"] == "2024-06-01"
    diff = r["difference"]
    assert diff["ties"] == 1
    assert diff["cross_group_ties"] == 1
    assert diff["nodes_with_ties"] == 0
    assert diff["isolated_group_pairs"] == 0
    assert diff["ei_index"] == pytest.approx(0.2)
    assert diff["cross_group_share"] == pytest.approx(0.1)
    assert diff["modularity"] == pytest.approx(-0.11375)
    assert r["gained"] == [
        {"nodes": ["a1", "b2"], "groups": ["health", "housing"]},
        {"nodes": ["a2", "b2"], "groups": ["health", "housing"]},
        {"nodes": ["b2", "c1"], "groups": ["housing", "police"]},
    ]
    assert r["lost"] == [
        {"nodes": ["a1", "b1"], "groups": ["health", "housing"]},
        {"nodes": ["a1", "c1"], "groups": ["health", "police"]},
    ]
    json.dumps(r, allow_nan=False)


def test_group_change_counts_as_gain():
    """A tie that exists at both dates but only crosses groups after (one end's group
    changed) is reported as gained; internal ties are never listed."""
    before = nx.Graph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(before, {"a": "x", "b": "x", "c": "x"}, "group")
    after = before.copy()
    after.nodes["c"]["group"] = "y"
    r = compare(before, after)
    assert r["gained"] == [{"nodes": ["b", "c"], "groups": ["x", "y"]}]
    assert r["lost"] == []
    assert r["difference"]["ties"] == 0


@pytest.mark.parametrize(
    "before, after",
    [
        (nx.Graph(), nx.Graph()),
        (nx.empty_graph(["a"]), nx.empty_graph(["a"])),
        (nx.empty_graph(["a", "b"]), nx.Graph([("a", "b")])),
        (nx.Graph([("a", "b")]), nx.empty_graph(["a", "b"])),
    ],
    ids=["empty", "one node", "first tie", "last tie lost"],
)
def test_degenerate(before, after):
    for G in (before, after):
        for n in G:
            G.nodes[n]["group"] = "x" if n == "a" else "y"
    r = compare(before, after)
    json.dumps(r, allow_nan=False)
    assert set(r["difference"]) == set(HEADLINE_FIELDS)
    if before.number_of_edges() == 0 or after.number_of_edges() == 0:
        assert r["difference"]["ei_index"] is None
        assert r["difference"]["modularity"] is None
    assert len(r["gained"]) - len(r["lost"]) == r["difference"]["cross_group_ties"]


@st.composite
def graph_pairs(draw, max_nodes=9):
    n = draw(st.integers(0, max_nodes))
    groups = {f"n{i}": draw(st.sampled_from("ABC")) for i in range(n)}
    pairs = [(f"n{i}", f"n{j}") for i in range(n) for j in range(i + 1, n)]
    out = []
    for _ in range(2):
        G = nx.Graph()
        G.add_nodes_from((v, {"group": g}) for v, g in groups.items())
        if pairs:
            G.add_edges_from(draw(st.lists(st.sampled_from(pairs), unique=True)))
        out.append(G)
    return out


@settings(max_examples=60, deadline=None)
@given(graph_pairs())
def test_property_gains_and_losses(graphs):
    before, after = graphs

    def cross(G):
        return {
            tuple(sorted((u, v))) for u, v in G.edges if G.nodes[u]["group"] != G.nodes[v]["group"]
        }

    r = compare(before, after)
    assert {tuple(t["nodes"]) for t in r["gained"]} == cross(after) - cross(before)
    assert {tuple(t["nodes"]) for t in r["lost"]} == cross(before) - cross(after)
    assert len(r["gained"]) - len(r["lost"]) == r["difference"]["cross_group_ties"]
    assert r["difference"]["ties"] == after.number_of_edges() - before.number_of_edges()
    same = compare(before, before)
    assert same["gained"] == same["lost"] == []
    assert all(v in (0, None) for v in same["difference"].values())


def test_directed_and_multigraphs_refused():
    with pytest.raises(nx.NetworkXNotImplemented):
        compare(nx.DiGraph(), nx.Graph())
    with pytest.raises(nx.NetworkXNotImplemented):
        compare(nx.Graph(), nx.MultiGraph())
