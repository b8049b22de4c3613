"""Consent: pseudonyms are stable and keyed; hidden people vanish from every output shape."""

from __future__ import annotations

import networkx as nx
import pytest

from graph_models.visibility import (
    HIDDEN_PREFIX,
    display_label,
    pseudonym,
    public_graph,
    redact,
    relabelled_copy,
)

SECRET = b"test-secret"


def graph():
    G = nx.Graph(map_id="m1")
    G.add_node("ann", type="person", name="Ann", silo="health", visibility="named", role="GP")
    G.add_node("bea", type="person", name="Bea", silo="housing", visibility="anonymised", role="x")
    G.add_node("cai", type="person", name="Cai", silo="police", visibility="hidden", role="y")
    G.add_node("org", type="organisation", name="Clinic", silo="health", visibility="named")
    G.add_edges_from([("ann", "bea"), ("bea", "cai"), ("cai", "org")])
    return G


def test_pseudonyms_are_stable_keyed_and_per_map():
    a = pseudonym(SECRET, "m1", "bea")
    assert a == pseudonym(SECRET, "m1", "bea") and a.startswith("anon-")
    assert a != pseudonym(b"other", "m1", "bea")
    assert a != pseudonym(SECRET, "m2", "bea")
    assert "bea" not in a


def test_public_graph_relabels_and_drops_names():
    H = public_graph(graph(), secret=SECRET)
    anon = pseudonym(SECRET, "m1", "bea")
    hidden = pseudonym(SECRET, "m1", "cai", HIDDEN_PREFIX)
    assert set(H) == {"ann", anon, hidden, "org"}
    assert H.nodes[anon]["label"] == "a person in housing"
    assert H.nodes[anon]["role"] == ""
    assert H.nodes["ann"]["label"] == "Ann"
    assert all("name" not in attrs for _, attrs in H.nodes(data=True))
    assert H.number_of_edges() == 3  # hidden people still count in the structure
    drawn = public_graph(graph(), secret=SECRET, keep_hidden=False)
    assert hidden not in drawn and drawn.number_of_edges() == 1


def test_display_label():
    assert display_label({"type": "person", "visibility": "named", "name": "Ann"}) == "Ann"
    assert display_label({"type": "person", "visibility": "hidden", "silo": "police"}) == (
        "a person in police"
    )
    assert display_label({"type": "organisation", "name": "Clinic"}) == "Clinic"


def test_redact_removes_every_shape_of_reference():
    h = HIDDEN_PREFIX + "abc"
    result = {
        "per_node": {"ann": 1.0, h: 2.0},
        "bridges": [["ann", "bea"], ["bea", h]],
        "rows": [{"node": h, "score": 1}, {"node": "ann", "score": 2}],
        "suggestions": [
            {"nodes": ["ann", h], "brokers": [{"node": "x"}]},
            {"nodes": ["ann", "bea"], "brokers": [{"node": h}, {"node": "org"}]},
        ],
        "members": ["ann", h, "bea"],
        "top": h,
        "count": 4,
    }
    out = redact(result)
    assert h not in repr(out)
    assert out["per_node"] == {"ann": 1.0}
    assert out["bridges"] == [["ann", "bea"]]
    assert out["rows"] == [{"node": "ann", "score": 2}]
    assert out["suggestions"] == [{"nodes": ["ann", "bea"], "brokers": [{"node": "org"}]}]
    assert out["members"] == ["ann", "bea"]
    assert out["top"] is None and out["count"] == 4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relabelled_copy_equals_networkx_relabel(seed):
    """The straight-into-dicts relabelling is networkx's ``relabel_nodes(copy=True)``:
    same nodes, neighbour order, attributes (copies, one dict per edge shared by both
    ends) and graph attributes; a self-loop and an isolate included."""
    G = nx.gnm_random_graph(60, 150, seed=seed)
    G.add_edge(3, 3, strength=2)
    G.add_node(99, name="alone")
    for u, v, data in G.edges(data=True):
        data["strength"] = (u + v) % 5 + 1
    G.graph["map_id"] = "m"
    mapping = {v: f"p{(v * 7) % 101}" for v in G}
    H = relabelled_copy(G, mapping)
    want = nx.relabel_nodes(G, mapping, copy=True)
    assert list(H.nodes(data=True)) == list(want.nodes(data=True))
    assert [list(H.adj[v].items()) for v in H] == [list(want.adj[v].items()) for v in want]
    assert H.graph == want.graph
    u, v = next(iter(H.edges()))
    assert H.adj[u][v] is H.adj[v][u]
    H.adj[u][v]["strength"] = 99  # copies: the original is untouched
    back = {public: v for v, public in mapping.items()}
    assert G.adj[back[u]][back[v]]["strength"] != 99
    H.nodes[mapping[99]]["name"] = "changed"
    assert G.nodes[99]["name"] == "alone"
    # not one-to-one: networkx's merge
    merged = relabelled_copy(G, {v: "same" if v < 2 else v for v in G})
    assert len(merged) == len(G) - 1
