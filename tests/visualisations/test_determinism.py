"""The same map draws the same way in every process, whatever Python's string hashing.

``test_rendering_is_deterministic`` (test_render.py) renders twice in one process, so
both runs share one hash seed and iterate every set of string ids in the same order: it
cannot see a layout that depends on set or dict-of-set order. Here the demo partnership
goes through the real pipeline (projection, consent relabelling, metrics, highlights,
layout, HTML) in separate Python processes with different ``PYTHONHASHSEED`` values, and
every view's HTML (positions included) must be byte-for-byte the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RENDER = """
import hashlib, json, sys
from graph_models.demo import build_demo
from graph_models.analysis.report import node_metric
from graph_models.projection import project
from graph_models.store.base import GraphRecords
from graph_models.visibility import public_graph
from visualisations.render import render_ego, render_map, render_silos, structural_highlight

demo_map, nodes, ties = build_demo(7)
G = public_graph(project(GraphRecords(demo_map, nodes, ties)), secret=b"k", keep_hidden=False)
colours = demo_map.silo_colours()
centre = max(sorted(G), key=G.degree)
pages = {
    "map": render_map(G, silo_colours=colours, metrics=node_metric(G, "betweenness"),
                      metric_name="betweenness", highlight=structural_highlight(G)),
    "silos": render_silos(G, attribute="group", silo_colours=colours),
    "ego": render_ego(G, centre, hops=2, silo_colours=colours),
}
graph = sorted((str(n), json.dumps(a, sort_keys=True, default=str)) for n, a in G.nodes(data=True))
json.dump({"graph": hashlib.sha256(repr(graph).encode()).hexdigest(), "pages": pages}, sys.stdout)
"""


def render_in_new_processes(*hash_seeds: str) -> list[dict]:
    """Run :data:`RENDER` in one new process per hash seed, side by side."""
    running = [
        subprocess.Popen(
            [sys.executable, "-c", RENDER],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in hash_seeds
    ]
    results = []
    for process in running:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    return results


def positions(html: str) -> dict:
    """Node id -> (x, y) from a page's data island, for a readable failure."""
    from tests.visualisations.test_render import island

    return {n["id"]: (n.get("x"), n.get("y")) for n in island(html)["nodes"]}


@pytest.mark.slow
def test_views_are_identical_across_processes_with_different_hash_seeds():
    first, second = render_in_new_processes("1", "2024")
    assert first["graph"] == second["graph"], "the input graph itself differs"
    for view, html in first["pages"].items():
        other = second["pages"][view]
        if html != other:
            a, b = positions(html), positions(other)
            moved = sorted(n for n in a if a[n] != b.get(n))[:5]
            pytest.fail(f"{view} view differs between processes; nodes moved: {moved}")
    assert '"x"' in first["pages"]["map"]  # positions are in the page (and so compared)
