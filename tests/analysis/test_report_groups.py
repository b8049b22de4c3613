"""Sections computed in groups (:func:`graph_models.analysis.report.analyse`).

A report may be made in two processes (:mod:`graph_models.report_split`), each running
``analyse`` on a group of sections: every section must come out as it does when all
are run together. The one dependency between sections is bridging's use of the
betweenness the centrality section holds: with betweenness given (``paths``: exact, or
"being computed"), bridging alone takes it from there, without the centrality rows.
"""

from __future__ import annotations

import json
import random

import networkx as nx
import pytest

from graph_models.analysis import report
from graph_models.analysis.paths import compute, pending
from graph_models.analysis.report import SECTIONS, analyse


def _graph(seed: int) -> nx.Graph:
    """A random map: three groups, an isolate, a self-loop, a second component."""
    G = nx.gnm_random_graph(40, 90, seed=seed)
    G.add_edge(40, 41)
    G.add_node(42)
    G.add_edge(5, 5)
    rng = random.Random(seed)
    for v in G:
        G.nodes[v]["group"] = rng.choice(["health", "housing", "police"])
    for u, v in G.edges:
        G.edges[u, v]["strength"] = rng.randint(1, 5)
    return nx.relabel_nodes(G, {v: f"n{v}" for v in G})


def _paths(G: nx.Graph, kind: str) -> dict:
    if kind == "exact":
        return {**compute(G), "seconds": 1.0, "source": "background"}
    return pending(len(G), G.number_of_edges())


@pytest.mark.parametrize("kind", ["exact", "pending"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_group_of_sections_comes_out_as_in_the_whole_report(seed, kind):
    G = _graph(seed)
    paths = _paths(G, kind)
    whole = analyse(G, sections=SECTIONS, seed=seed, paths=paths)
    for group in [("bridging",), ("bridging", "introductions"), ("centrality", "silos")]:
        part = analyse(G, sections=group, seed=seed, paths=paths)
        assert list(part) == list(group)
        assert json.dumps(part) == json.dumps({s: whole[s] for s in group})


@pytest.mark.parametrize("kind", ["exact", "pending"])
def test_bridging_alone_with_given_paths_makes_no_centrality_rows(kind, monkeypatch):
    G = _graph(3)
    paths = _paths(G, kind)
    made = []
    real = report.centrality_section
    monkeypatch.setattr(
        report, "centrality_section", lambda *a, **k: made.append(1) or real(*a, **k)
    )
    out = analyse(G, sections=("bridging",), paths=paths)
    assert made == []
    values = [row["bridging_centrality"] for row in out["bridging"]["nodes"]]
    if kind == "pending":
        assert None in values and out["bridging"]["pending"] == paths
    else:
        assert None not in values
    # without given paths bridging still needs (and makes) the centrality section
    analyse(G, sections=("bridging",))
    assert made == [1]


def test_an_empty_graph_in_groups():
    G = nx.Graph()
    paths = {**compute(G), "source": "background"}
    whole = analyse(G, sections=SECTIONS, paths=paths)
    part = analyse(G, sections=("bridging",), paths=paths)
    assert json.dumps(part["bridging"]) == json.dumps(whole["bridging"])
