"""Fixtures shared by the analysis tests."""

from __future__ import annotations

import networkx as nx
import pytest


@pytest.fixture
def karate():
    """Zachary's karate club, ids as strings, the two factions ('club') as groups."""
    K = nx.karate_club_graph()
    G = nx.relabel_nodes(K, {n: str(n) for n in K})
    for n in G:
        G.nodes[n]["group"] = G.nodes[n]["club"]
    return G
