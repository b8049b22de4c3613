"""Exact betweenness and closeness shared among helper processes equal networkx's.

:func:`graph_models.analysis.paths.compute` with ``processes=2`` hands slices of
sources to two helper processes (:mod:`graph_models.analysis.path_slices`); the sums
must be networkx's to 1e-9 (and the one-process result's), and the helpers must end
when the caller stops the work or a helper fails.
"""

from __future__ import annotations

import random
import subprocess

import networkx as nx
import pytest

from graph_models.analysis import path_slices, paths

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def graph():
    sizes = [60] * 5
    probs = [[0.1 if i == j else 0.004 for j in range(5)] for i in range(5)]
    G = nx.stochastic_block_model(sizes, probs, seed=3)
    rng = random.Random(3)
    H = nx.Graph()
    H.add_nodes_from(f"p{v}" for v in G)
    H.add_edges_from((f"p{u}", f"p{v}", {"strength": rng.randint(1, 5)}) for u, v in G.edges())
    H.add_edges_from([("x1", "x2"), ("x2", "x3")])  # a second component
    H.add_node("alone")  # an isolate: zero closeness
    return H


@pytest.fixture
def parallel(monkeypatch):
    """Any map goes to the helpers, in many small slices."""
    monkeypatch.setattr(paths, "PARALLEL_SECONDS", 0.0)
    monkeypatch.setattr(paths, "PARALLEL_SLICE_SECONDS", 20 / paths.OPS_PER_SECOND)


@pytest.fixture
def started(monkeypatch):
    """The helper processes started, to check they are ended."""
    helpers = []
    real = subprocess.Popen

    def popen(*args, **kwargs):
        helper = real(*args, **kwargs)
        helpers.append(helper)
        return helper

    monkeypatch.setattr(subprocess, "Popen", popen)
    return helpers


def test_two_processes_give_networkx_figures(graph, parallel, started):
    pauses = []
    shared = paths.compute(graph, processes=2, pause=lambda: pauses.append(1))
    assert len(started) == 2  # really shared
    assert len(pauses) > 10  # handed out in slices, a pause before each
    bc = nx.betweenness_centrality(graph)
    cc = nx.closeness_centrality(graph)
    assert max(abs(shared["betweenness"][v] - bc[v]) for v in graph) <= TOLERANCE
    assert max(abs(shared["closeness"][v] - cc[v]) for v in graph) <= TOLERANCE
    one = paths.compute(graph)
    assert max(abs(shared["betweenness"][v] - one["betweenness"][v]) for v in graph) <= 1e-15
    assert shared["closeness"] == one["closeness"]
    assert all(helper.poll() is not None for helper in started)  # none left running


def test_small_maps_stay_in_the_process(graph, started):
    paths.compute(graph, processes=2)  # far below PARALLEL_SECONDS
    assert started == []


def test_stopping_the_work_ends_the_helpers(graph, parallel, started):
    calls = []

    def pause():
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt  # what a worker's shutdown raises, say

    with pytest.raises(KeyboardInterrupt):
        paths.compute(graph, processes=2, pause=pause)
    assert len(started) == 2
    assert all(helper.poll() is not None for helper in started)


def test_stopping_with_a_slice_unsent_raises_the_stop_not_a_broken_pipe(
    graph, parallel, started, monkeypatch
):
    """A slice written but not flushed when the stop comes: closing the dead helper's
    pipe must not turn the stop into a BrokenPipeError (the worker would log a
    failure instead of a stop)."""
    calls = []

    def pause():
        calls.append(1)
        if len(calls) == 3:
            for helper in started:  # a slice is left in the first helper's buffer
                helper.stdin.write(b"x")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        paths.compute(graph, processes=2, pause=pause)
    assert all(helper.poll() is not None for helper in started)


def test_a_helper_that_fails_is_an_error_not_a_hang(
    graph, parallel, started, tmp_path, monkeypatch
):
    script = tmp_path / "broken.py"
    script.write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(path_slices, "__file__", str(script))
    with pytest.raises(RuntimeError, match="ended early"):
        paths.compute(graph, processes=2)
    assert all(helper.poll() is not None for helper in started)


def test_the_time_expected_is_shared_among_the_processes():
    alone = paths.pending(10_000, 50_000)["expected_seconds"]
    shared = paths.pending(10_000, 50_000, processes=2)["expected_seconds"]
    assert shared == round(alone / 2)
    # a map small enough to stay in one process is expected to take its own time
    assert paths.pending(2_000, 10_000, processes=2) == paths.pending(2_000, 10_000)
