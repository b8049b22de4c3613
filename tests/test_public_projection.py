"""The projection built straight into networkx's dicts, and the report's graph built
straight onto public ids, against networkx's own construction.

:func:`graph_models.projection.project` writes nodes and edges into the graph's dicts,
and :func:`graph_models.reporting.public_projection` puts the ties straight on the
consent-relabelled nodes instead of relabelling a copy of the whole graph. Both must
give exactly the graph networkx's own ``add_node`` / ``add_edges_from`` and
``public_graph`` give: the same nodes in the same order, each node's neighbours in the
same order (the analyses' igraph copies, and so their results, follow that order), the
same node, edge and graph attributes, one data dict per edge shared by its two ends.
Random maps (seeded) with every case the projection handles: several ties per pair in
both directions, directed and affiliation kinds (built-in and the map's own), dated
ties, self-loops, a dangling tie, isolated nodes, small silos, every consent, and the
empty map.
"""

from __future__ import annotations

import random
from datetime import date

import networkx as nx
import pytest

from graph_models import reporting
from graph_models.analysis import paths as exact_paths
from graph_models.model import (
    Map,
    MapKind,
    NodeType,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Silo,
    Visibility,
)
from graph_models.projection import group_value, project
from graph_models.store.base import GraphRecords
from graph_models.store.embedded import EmbeddedStore
from graph_models.visibility import public_graph
from graph_models.vocabulary import labels_of

SECRET = b"test-secret"
AS_OF = date(2024, 6, 1)
SILOS = ["health", "housing", "police", "education", ""]
KINDS = ["knows", "works_with", "mentors", "member_of", "works_for", "funds", "own_way", "own_org"]
KINDS.append("retired")  # a kind the map no longer has: neither directed nor affiliation
GROUPINGS = ["silo", "organisation", "area", "tag:locality"]


def reference_project(records: GraphRecords, *, as_of=None, group_by="silo") -> nx.Graph:
    """The projection's rules written with networkx's own API (``add_node``,
    ``add_edges_from``): the graph :func:`project` must equal."""
    G = nx.Graph(map_id=records.map.id, as_of=as_of.isoformat() if as_of else None)
    G.graph["group_by"] = group_by
    G.graph["vocabulary"] = labels_of(records.map)
    for node in records.nodes:
        attrs = {
            "type": node.type.value,
            "name": node.name,
            "silo": node.silo,
            "area": node.area,
            "tags": list(node.tags),
        }
        if isinstance(node, Person):
            attrs.update(role=node.role, visibility=node.visibility.value, organisation=None)
        else:
            attrs.update(
                role="", visibility="named", org_kind=node.kind.value, organisation=node.id
            )
        G.add_node(node.id, **attrs)
    rules = records.map.kind_rules()
    affiliation: dict = {}
    ties: dict = {}
    for rel in sorted(records.relationships, key=lambda r: r.id):
        if as_of is not None and not rel.active_on(as_of):
            continue
        if rel.source not in G or rel.target not in G:
            continue
        rule = rules.get(rel.kind)
        u, v = rel.source, rel.target
        arc = [(u, v)] if rule is not None and rule.directed else []
        data = ties.get((u, v), ties.get((v, u)))
        if data is None:
            ties[(u, v)] = {
                "strength": rel.strength,
                "weight": rel.strength,
                "kind": rel.kind,
                "kinds": [rel.kind],
                "relationship_ids": [rel.id],
                "arcs": arc,
                "since": rel.since,
            }
        else:
            data["kinds"] = sorted(set(data["kinds"]) | {rel.kind})
            data["relationship_ids"].append(rel.id)
            data["arcs"].extend(arc)
            if rel.strength > data["strength"]:
                data.update(strength=rel.strength, weight=rel.strength, kind=rel.kind)
            if rel.since and (data["since"] is None or rel.since < data["since"]):
                data["since"] = rel.since
        if rule is not None and rule.affiliation:
            best = affiliation.get(u)
            if best is None or (-rel.strength, v) < (-best[0], best[1]):
                affiliation[u] = (rel.strength, v)
    G.add_edges_from((u, v, data) for (u, v), data in ties.items())
    G.graph["directed_kinds"] = any(data["arcs"] for data in ties.values())
    for person, (_, org) in affiliation.items():
        G.nodes[person]["organisation"] = org
    for _, attrs in G.nodes(data=True):
        attrs["group"] = group_value(attrs, group_by)
    return G


def random_records(seed: int, people: int = 40, orgs: int = 6, ties: int = 120) -> GraphRecords:
    rng = random.Random(seed)
    own = [
        MapKind("own_way", "Own way", NodeType.PERSON, NodeType.PERSON, directed=True),
        MapKind(
            "own_org", "Own org", NodeType.PERSON, NodeType.ORGANISATION, True, affiliation=True
        ),
    ]
    m = Map("m", "M", silos=[Silo(s) for s in SILOS if s], kinds=own)
    weights = [8, 8, 2, 1, 1]  # police and education are small silos
    nodes: list = []
    for i in range(people):
        nodes.append(
            Person(
                f"p{rng.randrange(10**6)}-{i}",
                f"Person {i}",
                rng.choices(SILOS, weights)[0],
                role=rng.choice(["", "nurse", "officer"]),
                area=rng.choice(["", "north", "south", "east"]),
                tags=rng.sample(["locality:north", "locality:south", "youth", "locality:"], 2),
                contact=rng.choice(["", "a@b.c"]),
                visibility=rng.choice(list(Visibility)),
            )
        )
    for i in range(orgs):
        nodes.append(
            Organisation(
                f"o{i}",
                f"Org {i}",
                rng.choice(SILOS),
                rng.choice(list(OrganisationKind)),
                area=rng.choice(["", "north"]),
                tags=rng.sample(["locality:east", "funded"], 1),
            )
        )
    rng.shuffle(nodes)
    ids = [n.id for n in nodes]
    rels = []
    for i in range(ties):
        u = rng.choice(ids)
        v = u if rng.random() < 0.05 else rng.choice(ids)  # a few self-loops
        if rng.random() < 0.3 and rels:  # another tie of a pair already tied
            prev = rng.choice(rels)
            u, v = (prev.target, prev.source) if rng.random() < 0.5 else (prev.source, prev.target)
        since = rng.choice([None, None, date(2020, 1, 1), date(2025, 1, 1)])
        until = rng.choice([None, None, None, date(2023, 1, 1)])
        rels.append(
            Relationship(
                f"r{rng.randrange(10**6)}-{i}",
                u,
                v,
                rng.choice(KINDS),
                rng.randint(1, 5),
                since,
                until,
            )
        )
    rels.append(Relationship("dangling", ids[0], "nobody", "knows"))
    return GraphRecords(m, nodes, rels)


def assert_same_graph(A: nx.Graph, B: nx.Graph) -> None:
    """Equal as networkx graphs *and* in every order networkx keeps."""
    assert list(A.graph.items()) == list(B.graph.items())
    assert list(A.nodes(data=True)) == list(B.nodes(data=True))
    for node in A:
        assert list(A.adj[node].items()) == list(B.adj[node].items()), node
    for u, v, data in A.edges(data=True):
        assert A.adj[v][u] is data  # one data dict per edge, shared by its two ends
    assert list(A.edges) == list(B.edges)


CASES = [
    random_records(seed, people=people, ties=ties)
    for seed, people, ties in [(1, 40, 120), (2, 60, 300), (3, 25, 40), (4, 12, 0)]
]
EMPTY = GraphRecords(Map("m", "M"), [], [])


@pytest.mark.parametrize("records", [*CASES, EMPTY])
@pytest.mark.parametrize("as_of", [None, AS_OF])
@pytest.mark.parametrize("group_by", GROUPINGS)
def test_project_is_networkx_own_construction(records, as_of, group_by):
    built = project(records, as_of=as_of, group_by=group_by)
    assert_same_graph(built, reference_project(records, as_of=as_of, group_by=group_by))


@pytest.mark.parametrize("records", [*CASES, EMPTY])
@pytest.mark.parametrize("viewer", [False, True])
@pytest.mark.parametrize("group_by", GROUPINGS)
def test_public_projection_is_the_relabelled_projection(records, viewer, group_by):
    """The report's graph, built once on public ids, is ``public_graph`` of the
    projected graph (same ids, consent attributes, groups, neighbour order), and
    ``ids`` names the projected node behind each of its nodes."""
    raw = reference_project(records, as_of=AS_OF, group_by=group_by)
    expected = public_graph(raw, secret=SECRET, viewer=viewer)
    G, ids = reporting.public_projection(
        records, as_of=AS_OF, group_by=group_by, secret=SECRET, viewer=viewer
    )
    assert_same_graph(G, expected)
    assert ids == list(raw)


def test_the_random_maps_hold_every_case():
    """What the cases above claim to cover is in them."""
    G = reference_project(CASES[0], as_of=AS_OF)
    assert (
        any(u == v for u, v in G.edges)
        or any(  # a self-loop
            u == v
            for records in CASES[1:]
            for u, v in reference_project(records, as_of=AS_OF).edges
        )
    )
    assert any(len(d["relationship_ids"]) > 1 for _, _, d in G.edges(data=True))
    assert G.graph["directed_kinds"] and any(nx.isolates(G))
    assert {a["visibility"] for _, a in G.nodes(data=True)} == {"named", "anonymised", "hidden"}
    viewer = public_graph(G, secret=SECRET, viewer=True)
    assert viewer.graph["small_groups"]  # small silos: anonymised people there are hidden
    assert len(viewer.graph["hidden_ids"]) > len(public_graph(G, secret=SECRET).graph["hidden_ids"])
    assert any(a["organisation"] not in (None, n) for n, a in G.nodes(data=True))


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "paths.sqlite3")
    records = CASES[1]
    s.create_map(records.map)
    fine = [r for r in records.relationships if r.target != "nobody" and r.source != r.target]
    persons = {n.id for n in records.nodes if isinstance(n, Person)}
    kinds = {
        (True, True): ["knows", "works_with", "mentors", "own_way"],
        (True, False): ["member_of", "works_for", "own_org"],
        (False, False): ["funds", "partners_with"],
    }
    rng = random.Random(5)
    valid = []
    for r in fine:  # kinds that fit the ends, as the store requires
        ends = (r.source in persons, r.target in persons)
        if ends == (False, True):
            r.source, r.target, ends = r.target, r.source, (True, False)
        r.kind = rng.choice(kinds[ends])
        valid.append(r)
    s.bulk_upsert("m", records.nodes, valid)
    yield s
    s.close()


def test_kept_exact_paths_are_put_on_the_public_ids(store):
    """A result kept by projected id (as the background job keeps it) reaches each
    node of the report's graph through ``ids``: pseudonymised and hidden people get
    their own values, not a neighbour's."""
    records = store.graph("m", as_of=AS_OF)
    raw = project(records, as_of=AS_OF)
    rng = random.Random(0)
    kept = {v: rng.random() for v in raw}
    payload = exact_paths.to_payload({"betweenness": kept, "closeness": kept, "seconds": 1.0})
    version = records.map.version
    store.save_analysis_result("m", reporting.paths_key(AS_OF), version, payload)
    for viewer in (False, True):
        G, ids = reporting.public_projection(
            records, as_of=AS_OF, group_by="silo", secret=SECRET, viewer=viewer
        )
        found = reporting.resolve_paths(
            store, "m", version, G, as_of=AS_OF, inline_seconds=0.0, ids=ids
        )
        assert found["source"] == "background"
        relabelled = public_graph(raw, secret=SECRET, viewer=viewer)
        expected = {public: kept[v] for v, public in zip(raw, relabelled, strict=True)}
        assert found["betweenness"] == expected and found["closeness"] == expected
        assert any(p.startswith("anon-") for p in expected)
        assert any(p.startswith("hidden-") for p in expected)


def test_exact_paths_computed_on_the_public_graph_are_the_projected_graphs(store):
    """Computed in the request on the report's graph: bit for bit the values of the
    projected graph (same nodes and neighbours in the same order), and networkx's."""
    records = store.graph("m", as_of=AS_OF)
    raw = project(records, as_of=AS_OF)
    G, ids = reporting.public_projection(
        records, as_of=AS_OF, group_by="silo", secret=SECRET, viewer=False
    )
    found = reporting.resolve_paths(store, "m", records.map.version, G, as_of=AS_OF, ids=ids)
    assert found["source"] == "request"
    own = exact_paths.compute(raw)
    public = dict(zip(raw, G, strict=True))
    for measure in ("betweenness", "closeness"):
        assert found[measure] == {public[v]: x for v, x in own[measure].items()}
    reference = nx.betweenness_centrality(G)
    assert found["betweenness"] == pytest.approx(reference, abs=1e-9)
    assert found["closeness"] == pytest.approx(nx.closeness_centrality(G), abs=1e-9)


@pytest.mark.parametrize("viewer", [False, True])
def test_build_public_graph_is_the_relabelled_projection(store, viewer):
    """Every other reader of the consent-relabelled graph (changes, benchmarks) gets the
    same graph through :func:`reporting.build_public_graph`."""
    raw = project(store.graph("m", as_of=AS_OF), as_of=AS_OF, group_by="area")
    expected = public_graph(raw, secret=SECRET, viewer=viewer)
    built = reporting.build_public_graph(
        store, "m", as_of=AS_OF, group_by="area", secret=SECRET, viewer=viewer
    )
    assert_same_graph(built, expected)


def test_two_nodes_onto_one_public_id_are_relabelled_as_public_graph_does():
    """A named person whose id is another's pseudonym (two nodes onto one public id):
    the graph is the one ``public_graph`` makes (networkx merges them), and exact
    paths kept by projected id cannot be lined up with it (an error, not wrong
    values)."""
    from graph_models.visibility import pseudonym

    clash = pseudonym(SECRET, "m", "x")
    records = GraphRecords(
        Map("m", "M"),
        [
            Person("x", "X", "health", visibility=Visibility.ANONYMISED),
            Person(clash, "Named", "health"),
            Person("y", "Y", "health"),
        ],
        [Relationship("r1", "x", "y", "knows"), Relationship("r2", clash, "y", "knows")],
    )
    G, ids = reporting.public_projection(
        records, as_of=None, group_by="silo", secret=SECRET, viewer=False
    )
    assert_same_graph(G, public_graph(reference_project(records), secret=SECRET))
    assert len(G) == 2 and ids == ["x", clash, "y"]
    with pytest.raises(RuntimeError):
        reporting._on_nodes({"betweenness": {}, "closeness": {}}, ids, G)
