"""Projection with a map's own kinds: direction and affiliation come from the map's
table of kinds (hand-worked small graph).

Map kinds: ``co_delivers`` (person→person, directed), ``hosts`` (person–organisation,
undirected, an affiliation). Ties::

    r1  a -co_delivers-> b       directed: one arc a→b
    r2  b -knows- c              built-in undirected
    r3  c -hosts- O2   (4)       own affiliation, undirected
    r4  a -works_for-> O1 (2)    built-in affiliation, directed
    r5  a -hosts- O2   (5)       own affiliation, stronger than r4

Worked by hand: the directed network has a→b one way, a→O1 one way, and b⇄c, c⇄O2,
a⇄O2 both ways (8 arcs); a's organisation is O2 (hosts at 5 beats works_for at 2),
c's is O2, b has none.
"""

from __future__ import annotations

from graph_models.analysis.groups import NO_GROUP
from graph_models.model import Map, MapKind, NodeType, Organisation, Person, Relationship, Silo
from graph_models.projection import directed_ties, has_directed_ties, project
from graph_models.store.base import GraphRecords

P, O = NodeType.PERSON, NodeType.ORGANISATION


def records() -> GraphRecords:
    m = Map("m", "M", silos=[Silo("health"), Silo("housing")])
    m.kinds = [
        MapKind("co_delivers", "co-delivers", P, P, directed=True),
        MapKind("hosts", "hosts", P, O, affiliation=True),
    ]
    nodes = [
        Person("a", "A", "health"),
        Person("b", "B", "housing"),
        Person("c", "C", "housing"),
        Organisation("O1", "Org 1", "health"),
        Organisation("O2", "Org 2", "housing"),
    ]
    ties = [
        Relationship("r1", "a", "b", "co_delivers"),
        Relationship("r2", "b", "c", "knows"),
        Relationship("r3", "c", "O2", "hosts", strength=4),
        Relationship("r4", "a", "O1", "works_for", strength=2),
        Relationship("r5", "a", "O2", "hosts", strength=5),
    ]
    return GraphRecords(m, nodes, ties)


def test_own_directed_kind_gives_one_arc():
    G = project(records())
    assert G.edges["a", "b"]["arcs"] == [("a", "b")]
    assert G.edges["c", "O2"]["arcs"] == []  # hosts is undirected
    assert has_directed_ties(G)
    D = directed_ties(G)
    assert set(D.edges) == {
        ("a", "b"),
        ("a", "O1"),
        ("b", "c"),
        ("c", "b"),
        ("c", "O2"),
        ("O2", "c"),
        ("a", "O2"),
        ("O2", "a"),
    }


def test_own_affiliation_kind_groups_by_organisation():
    G = project(records(), group_by="organisation")
    groups = {n: G.nodes[n]["group"] for n in G}
    assert groups == {"a": "O2", "b": NO_GROUP, "c": "O2", "O1": "O1", "O2": "O2"}


def test_same_kinds_undirected_when_the_map_says_so():
    """The same ties with co_delivers undirected: no one-way tie but works_for."""
    recs = records()
    recs.map.kinds[0] = MapKind("co_delivers", "co-delivers", P, P, directed=False)
    G = project(recs)
    assert G.edges["a", "b"]["arcs"] == []
    D = directed_ties(G)
    assert ("b", "a") in D.edges and ("O1", "a") not in D.edges


def test_kind_unknown_to_the_map_does_not_raise():
    """A tie of a kind the map lacks (cannot come from a store) counts as undirected and
    no affiliation, rather than failing every analysis."""
    recs = records()
    recs.map.kinds = []
    G = project(recs, group_by="organisation")
    assert G.edges["a", "b"]["arcs"] == []
    assert G.nodes["a"]["group"] == "O1" and G.nodes["c"]["group"] == NO_GROUP
    assert set(directed_ties(G).edges) >= {("a", "b"), ("b", "a")}
