"""Tie kinds in the ego view are told apart by line pattern as well as colour, and the
key shows each kind's pattern (colour never carries the meaning alone)."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from tests.visualisations.pagetools import open_page
from visualisations.render import render_ego, render_map
from visualisations.style import KIND_COLOURS, KIND_DASHES

ISLAND = re.compile(r'<script type="application/json" id="bridgemap-data">(.*?)</script>', re.S)
KINDS = ["knows", "works_with", "mentors", "partners_with"]


def _ego_graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("me", label="Me", silo="health", type="person")
    for i, kind in enumerate(KINDS):
        G.add_node(
            f"p{i}", label=f"Person {i}", silo="housing" if i % 2 else "health", type="person"
        )
        G.add_edge("me", f"p{i}", kind=kind, kinds=[kind])
    return G


def _data(html: str) -> dict:
    return json.loads(ISLAND.search(html)[1])


def test_every_kind_has_its_own_pattern():
    patterns = [tuple(p) for p in KIND_DASHES.values()]
    assert set(KIND_DASHES) == set(KIND_COLOURS) and len(set(patterns)) == len(patterns)


def test_ego_edges_and_key_carry_the_pattern():
    data = _data(render_ego(_ego_graph(), "me"))
    by_kind = {e["kinds"][0]: e.get("dashes") for e in data["edges"]}
    assert by_kind["knows"] is None  # solid
    assert by_kind["works_with"] == KIND_DASHES["works_with"]
    assert len({json.dumps(v) for v in by_kind.values()}) == len(KINDS)
    key = {k["name"]: k["dashes"] for k in data["legend"]["kinds"]}
    assert key == {k: " ".join(map(str, KIND_DASHES[k])) for k in KINDS}
    # the whole-map view colours ties by silo, not kind: no kind patterns there
    whole = _data(render_map(_ego_graph()))
    assert all(k["dashes"] is None for k in whole["legend"]["kinds"])
    assert not any(e.get("dashes") for e in whole["edges"])


@pytest.mark.browser
def test_the_key_draws_each_kinds_pattern(browser, tmp_path):
    path = tmp_path / "ego.html"
    path.write_text(render_ego(_ego_graph(), "me", standalone=True), encoding="utf-8")
    session = open_page(browser, path.as_uri())
    try:
        drawn = session.page.evaluate(
            """() => [...document.querySelectorAll('#bridgemap-kinds .bm-row')].map(row => {
                const line = row.querySelector('.bm-swatch-line');
                const style = line && getComputedStyle(line);
                return [row.querySelector('input').value, line && line.dataset.dashes,
                        style && (style.backgroundImage + ' ' + style.backgroundColor)];
            })"""
        )
        assert {k: d for k, d, _ in drawn} == {k: " ".join(map(str, KIND_DASHES[k])) for k in KINDS}
        paint = {k: p for k, _, p in drawn}
        assert "repeating-linear-gradient" in paint["works_with"]
        assert "rgb(242, 142, 43)" in paint["works_with"]  # its colour, #f28e2b
        assert paint["knows"].startswith("none") and "rgb(78, 121, 167)" in paint["knows"]
        assert len(set(paint.values())) == len(KINDS)
        assert not session.errors
    finally:
        session.close()
