"""Tests of graph_models.analysis.fast: the compiled copy is the networkx graph.

The edge list is read from the adjacency with numpy; these tests compare it with a
plain walk over ``G.edges(data=True)`` (the order the docstring promises: edge ``i`` is
the ``i``-th edge of ``G.edges()``) on seeded random graphs with isolates, self-loops,
several components, missing and ``None`` weights, directed graphs and multigraphs.
"""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph_models.analysis.fast import compiled, to_igraph


def _random_graph(seed: int, cls=nx.Graph) -> nx.Graph:
    rng = random.Random(seed)
    n = rng.randint(0, 25)
    G = cls()
    order = list(range(n))
    rng.shuffle(order)  # node order unlike the ids' order
    G.add_nodes_from(f"n{v}" for v in order)
    for _ in range(rng.randint(0, 3 * n)):
        u, v = f"n{rng.randrange(n)}", f"n{rng.randrange(n)}"
        data = {}
        if rng.random() < 0.7:
            data["strength"] = rng.choice([1, 2, 5, None, 2.5])
        if rng.random() < 0.5:
            data["length"] = rng.choice([1, 3])
        G.add_edge(u, v, **data)
    return G


def _reference(G, attrs, default=1.0):
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    edges, values = [], [[] for _ in attrs]
    for u, v, data in G.edges(data=True):
        edges.append((index[u], index[v]))
        for column, name in zip(values, attrs, strict=True):
            value = data.get(name, default)
            column.append(float(default if value is None else value))
    return nodes, edges, values


@pytest.mark.parametrize("cls", [nx.Graph, nx.DiGraph, nx.MultiGraph])
@pytest.mark.parametrize("seed", range(30))
def test_to_igraph_equals_a_walk_over_g_edges(seed, cls):
    G = _random_graph(seed, cls)
    for attrs in ([], ["strength"], ["strength", "length"]):
        g, nodes = to_igraph(G, edge_attrs=attrs, default=1.0)
        ref_nodes, ref_edges, ref_values = _reference(G, attrs)
        assert nodes == ref_nodes
        assert g.vcount() == len(nodes) and g.is_directed() == G.is_directed()
        assert g.get_edgelist() == ref_edges
        for name, column in zip(attrs, ref_values, strict=True):
            assert g.es[name] == column


def test_compiled_of_the_empty_graph_and_isolates():
    g, nodes = compiled(nx.Graph())
    assert (g.vcount(), g.ecount(), nodes) == (0, 0, [])
    G = nx.Graph()
    G.add_nodes_from("abc")
    g, nodes = compiled(G)
    assert (g.vcount(), g.ecount(), nodes) == (3, 0, ["a", "b", "c"])


def test_edge_ends_are_the_compiled_edges_made_once_and_renewed_on_change():
    from graph_models.analysis.fast import edge_ends

    G = _random_graph(3)
    ends = edge_ends(G)
    assert ends.tolist() == [list(e) for e in compiled(G).graph.get_edgelist()]
    assert edge_ends(G) is ends and not ends.flags.writeable
    G.add_edge("new-a", "new-b")
    assert len(edge_ends(G)) == len(ends) + 1
