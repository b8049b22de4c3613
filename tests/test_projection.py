"""Projection of stored records onto the analysis graph, on small hand-worked maps.

Every analysis reads the graph :func:`graph_models.projection.project` builds, so these
pin its rules: which ties exist on a day, how several ties between one pair merge into
one edge, and which group each node falls in under each grouping attribute.
"""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph_models.errors import InvalidInput
from graph_models.model import Map, Organisation, Person, Relationship
from graph_models.projection import (
    NO_GROUP,
    check_group_by,
    directed_ties,
    has_directed_ties,
    project,
)
from graph_models.store.base import GraphRecords

D = date


def records(nodes, ties) -> GraphRecords:
    return GraphRecords(Map("m", "M"), list(nodes), list(ties))


def people(*ids, silo="health"):
    return [Person(i, i.upper(), silo) for i in ids]


# -- as_of: which ties existed on the day ------------------------------------------------

DATED = [
    Relationship("open", "a", "b", "knows"),  # no dates: always active
    Relationship("started", "a", "c", "knows", since=D(2024, 6, 1)),
    Relationship("ended", "b", "c", "knows", since=D(2020, 1, 1), until=D(2023, 12, 31)),
    Relationship("window", "c", "d", "knows", since=D(2024, 1, 1), until=D(2024, 12, 31)),
]


@pytest.mark.parametrize(
    ("as_of", "edges"),
    [
        (None, {("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")}),  # no date: every tie
        (D(2023, 12, 31), {("a", "b"), ("b", "c")}),  # the last day of "ended" counts
        (D(2024, 1, 1), {("a", "b"), ("c", "d")}),  # the first day of "window" counts
        (D(2024, 5, 31), {("a", "b"), ("c", "d")}),  # "started" not yet
        (D(2024, 6, 1), {("a", "b"), ("a", "c"), ("c", "d")}),
        (D(2025, 1, 1), {("a", "b"), ("a", "c")}),  # "window" over
        (D(2019, 1, 1), {("a", "b")}),  # before every dated tie
    ],
)
def test_as_of_keeps_the_ties_active_that_day_ends_included(as_of, edges):
    G = project(records(people("a", "b", "c", "d"), DATED), as_of=as_of)
    assert {tuple(sorted(e)) for e in G.edges} == edges
    assert G.graph["as_of"] == (as_of.isoformat() if as_of else None)


def test_as_of_keeps_every_node_even_with_no_ties_that_day():
    G = project(records(people("a", "b", "c", "d"), DATED), as_of=D(2019, 1, 1))
    assert sorted(G) == ["a", "b", "c", "d"]
    assert G.degree("c") == 0 and G.degree("d") == 0  # isolated: itself a finding


# -- several ties between one pair: one edge, the strongest ------------------------------


def test_ties_between_one_pair_merge_into_one_edge_carrying_the_strongest():
    ties = [
        Relationship("r3", "b", "a", "works_with", 4, since=D(2022, 5, 1)),  # reversed pair
        Relationship("r1", "a", "b", "knows", 2, since=D(2021, 3, 1)),
        Relationship("r2", "a", "b", "mentors", 3),  # directed: a mentors b
        Relationship("r4", "b", "a", "mentors", 1, since=D(2020, 1, 1)),  # b mentors a
    ]
    G = project(records(people("a", "b"), ties))
    assert G.number_of_edges() == 1
    e = G.edges["a", "b"]
    assert (e["strength"], e["weight"], e["kind"]) == (4, 4, "works_with")
    assert e["kinds"] == ["knows", "mentors", "works_with"]
    assert e["relationship_ids"] == ["r1", "r2", "r3", "r4"]
    assert e["since"] == D(2020, 1, 1)  # the earliest start of any of them
    assert sorted(e["arcs"]) == [("a", "b"), ("b", "a")]  # only the directed ties
    assert G.degree("a") == 1  # one tie of the network, not four


def test_equal_strengths_keep_the_tie_with_the_lowest_id():
    ties = [
        Relationship("t2", "a", "b", "works_with", 3),
        Relationship("t1", "a", "b", "knows", 3),
    ]
    assert project(records(people("a", "b"), ties)).edges["a", "b"]["kind"] == "knows"


def test_directed_ties_follow_the_arcs_unless_a_tie_of_the_pair_is_undirected():
    ties = [
        Relationship("m", "a", "b", "mentors"),  # only directed: a -> b
        Relationship("k", "b", "c", "knows"),  # undirected: both ways
        Relationship("m2", "c", "d", "mentors"),
        Relationship("k2", "d", "c", "knows"),  # directed + undirected: both ways
    ]
    D_ = directed_ties(project(records(people("a", "b", "c", "d"), ties)))
    assert set(D_.edges) == {("a", "b"), ("b", "c"), ("c", "b"), ("c", "d"), ("d", "c")}


# -- group_by ----------------------------------------------------------------------------

GROUPED = [
    Person("ann", "Ann", "health", area="north", tags=["locality:valley", "gp"]),
    Person("ben", "Ben", "housing", area="", tags=["locality:"]),  # empty value: no group
    Person("cai", "Cai", "police"),
    Organisation("clinic", "Clinic", "health", area="south", tags=["locality:town"]),
    Organisation("bank", "Food bank", "third sector"),
]
AFFILIATIONS = [
    Relationship("w1", "ann", "clinic", "works_for", 2),
    Relationship("w2", "ann", "bank", "volunteers_at", 4),  # the stronger: ann's organisation
    Relationship("w3", "ben", "clinic", "member_of", 3),
    Relationship("w4", "ben", "bank", "leads", 3),  # a tie: the lower organisation id wins
    Relationship("k", "cai", "ann", "knows", 5),  # not an affiliation
]


@pytest.mark.parametrize(
    ("group_by", "groups"),
    [
        (
            "silo",
            {"ann": "health", "ben": "housing", "cai": "police", "clinic": "health"}
            | {"bank": "third sector"},
        ),
        (
            "organisation",
            {"ann": "bank", "ben": "bank", "cai": NO_GROUP, "clinic": "clinic", "bank": "bank"},
        ),
        (
            "area",
            {"ann": "north", "ben": NO_GROUP, "cai": NO_GROUP, "clinic": "south"}
            | {"bank": NO_GROUP},
        ),
        (
            "tag:locality",
            {"ann": "valley", "ben": NO_GROUP, "cai": NO_GROUP, "clinic": "town"}
            | {"bank": NO_GROUP},
        ),
    ],
)
def test_group_by_sets_each_nodes_group(group_by, groups):
    G = project(records(GROUPED, AFFILIATIONS), group_by=group_by)
    assert dict(G.nodes(data="group")) == groups
    assert G.graph["group_by"] == group_by


def test_a_persons_organisation_is_their_strongest_affiliation():
    G = project(records(GROUPED, AFFILIATIONS))
    assert G.nodes["ann"]["organisation"] == "bank"  # volunteers_at 4 beats works_for 2
    assert G.nodes["ben"]["organisation"] == "bank"  # 3 = 3: "bank" < "clinic"
    assert G.nodes["cai"]["organisation"] is None  # "knows" is no affiliation


def test_an_affiliation_not_active_on_the_day_does_not_count():
    ties = [
        Relationship("old", "ann", "bank", "works_for", 5, until=D(2020, 1, 1)),
        Relationship("new", "ann", "clinic", "works_for", 1),
    ]
    G = project(records(GROUPED, ties), as_of=D(2024, 1, 1), group_by="organisation")
    assert G.nodes["ann"]["group"] == "clinic"


@pytest.mark.parametrize("bad", ["tag:", "role", "name", "", "Silo"])
def test_unknown_grouping_attributes_are_refused(bad):
    with pytest.raises(InvalidInput) as caught:
        check_group_by(bad)
    assert "group_by" in caught.value.errors
    with pytest.raises(InvalidInput):
        project(records(GROUPED, []), group_by=bad)


def test_node_attributes_carry_type_consent_and_kind():
    G = project(records(GROUPED, AFFILIATIONS))
    assert G.nodes["ann"]["type"] == "person" and G.nodes["ann"]["visibility"] == "named"
    assert G.nodes["clinic"]["type"] == "organisation"
    assert G.nodes["clinic"]["visibility"] == "named"  # organisations are always named
    assert G.nodes["clinic"]["org_kind"] == "other"
    assert "contact" not in G.nodes["ann"]  # contact details never reach an analysis


def test_the_adjacency_is_the_one_add_edges_from_builds():
    """The ties are written straight into the graph's adjacency: the graph equals one
    built by networkx's add_edges_from from the same nodes and ties (same neighbour
    order, same data, one dict per tie shared by both ends), self-loops included."""
    import random

    import networkx as nx

    rng = random.Random(4)
    ids = [f"p{i}" for i in range(30)]
    ties = [
        Relationship(f"r{i:03d}", rng.choice(ids), rng.choice(ids), "knows", rng.randint(1, 5))
        for i in range(80)
    ]
    G = project(records(people(*ids), ties))
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    # each pair's edge added when its first tie (by id) is met, as projection merges
    H.add_edges_from(
        (r.source, r.target, G.edges[r.source, r.target]) for r in sorted(ties, key=lambda r: r.id)
    )
    assert [list(G.adj[v].items()) for v in G] == [list(H.adj[v].items()) for v in H]
    assert any(u == v for u, v in G.edges())
    for u, v in G.edges():
        assert G.adj[u][v] is G.adj[v][u]
    assert G.number_of_edges() == H.number_of_edges()


def test_one_way_ties_are_known_whether_or_not_the_map_has_directed_kinds():
    """``has_directed_ties`` answers from the projection's note when no tie is of a
    directed kind, and by looking at the edges otherwise: both answers are right."""
    undirected = project(records(people("a", "b", "c"), [Relationship("k", "a", "b", "knows")]))
    assert undirected.graph["directed_kinds"] is False
    assert has_directed_ties(undirected) is False
    one_way = project(records(people("a", "b"), [Relationship("m", "a", "b", "mentors")]))
    assert one_way.graph["directed_kinds"] is True and has_directed_ties(one_way)
    both_ways = project(
        records(
            people("a", "b"),
            [Relationship("m", "a", "b", "mentors"), Relationship("k", "b", "a", "knows")],
        )
    )
    assert both_ways.graph["directed_kinds"] is True and not has_directed_ties(both_ways)
    # a graph built elsewhere (no note) is looked at
    G = nx.Graph()
    G.add_edge("a", "b", arcs=[("a", "b")], relationship_ids=["m"])
    assert has_directed_ties(G)
