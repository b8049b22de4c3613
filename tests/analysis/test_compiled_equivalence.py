"""The compiled backends (igraph, networkit) give networkx's figures on a 1,000-node map.

networkx is the reference: each figure the report computes through a compiled library
is compared with the networkx function that defines it, to 1e-9, on a seeded
stochastic block model the size of a small partnership (10 silos, weighted ties).
"""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from graph_models.analysis.bridging import bridges, structural_holes
from graph_models.analysis.centrality import centrality

TOLERANCE = 1e-9
pytestmark = pytest.mark.slow  # networkx itself takes seconds at this size


@pytest.fixture(scope="module")
def sbm():
    sizes = [100] * 10
    probs = [[0.05 if i == j else 0.002 for j in range(10)] for i in range(10)]
    G = nx.stochastic_block_model(sizes, probs, seed=7)
    rng = random.Random(7)
    H = nx.Graph()
    for v, data in G.nodes(data=True):
        H.add_node(f"p{v}", group=f"silo{data['block']}")
    H.add_edges_from((f"p{u}", f"p{v}", {"strength": rng.randint(1, 5)}) for u, v in G.edges())
    H.add_node("alone", group="silo0")  # an isolate: undefined constraint, zero closeness
    return H


def test_sbm_is_a_real_test(sbm):
    assert len(sbm) == 1001 and sbm.number_of_edges() > 2500
    assert nx.number_connected_components(sbm) >= 2


@pytest.mark.parametrize("weight", [None, "strength"])
def test_constraint_and_effective_size_equal_networkx(sbm, weight):
    r = structural_holes(sbm, weight=weight)
    assert r["method"]["backend"] == "igraph"
    want = nx.constraint(sbm, weight=weight)
    for v, c in want.items():
        got = r["constraint"][v]
        assert (got is None) if math.isnan(c) else abs(got - c) <= TOLERANCE, v
    # networkx's per-node effective size is the reference (its whole-graph path
    # normalises wrongly for weighted graphs, networkx PR #8906)
    sample = [v for v in list(sbm)[::10]]
    want_es = nx.effective_size(sbm, nodes=sample, weight=weight)
    for v in sample:
        got = r["effective_size"][v]
        assert (got is None) if math.isnan(want_es[v]) else abs(got - want_es[v]) <= TOLERANCE


def test_bridges_and_spans_equal_networkx(sbm):
    r = bridges(sbm, with_span=True)
    assert {frozenset((b["u"], b["v"])) for b in r["bridges"]} == {
        frozenset(e) for e in nx.bridges(sbm)
    }
    want = {
        frozenset((u, v)): None if math.isinf(s) else s
        for u, v, s in nx.local_bridges(sbm, with_span=True)
    }
    got = {frozenset((b["u"], b["v"])): b["span"] for b in r["local_bridges"]}
    assert got == want
    assert len(want) > 500 and any(s and s > 3 for s in want.values())


def test_exact_centrality_equals_networkx(sbm):
    c = centrality(sbm, exact_threshold=None)
    bc = nx.betweenness_centrality(sbm)
    cc = nx.closeness_centrality(sbm)
    assert max(abs(c["betweenness"][v] - bc[v]) for v in sbm) <= TOLERANCE
    assert max(abs(c["closeness"][v] - cc[v]) for v in sbm) <= TOLERANCE


def test_background_exact_paths_equal_networkx(sbm):
    """The sliced computation the background worker runs, and its stored form."""
    from graph_models.analysis import paths

    slices = []
    r = paths.compute(sbm, pause=lambda: slices.append(1))
    assert len(slices) > 1  # really computed in slices
    stored = paths.from_payload(paths.to_payload(r), sbm)
    bc = nx.betweenness_centrality(sbm)
    cc = nx.closeness_centrality(sbm)
    for values in (r, stored):
        assert max(abs(values["betweenness"][v] - bc[v]) for v in sbm) <= TOLERANCE
        assert max(abs(values["closeness"][v] - cc[v]) for v in sbm) <= TOLERANCE
    assert "p1" not in str(paths.to_payload(r))  # no node id is stored
