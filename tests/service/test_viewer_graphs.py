"""One viewer pipeline: the graph pages draw the asker's graph (hidden people left out)
but take their figures from the same cached report as the dashboard, where hidden
people still count in the structure.

The map (hand-worked): health is a triangle ``a1 a2 a3``; housing a triangle
``b1 b2 b3``; the only link between them runs ``a1 - hid - b1`` through a hidden person.
So in the whole network ``a1``, ``hid`` and ``b1`` are articulation points and carry
every shortest path between the silos, while in the drawn graph (no ``hid``) every
node sits in a triangle: no cut point, no betweenness at all. A graph page computing
its own figures would show nothing special; with the report's it rings ``a1`` and
``b1`` and sizes them largest, as the dashboard names them.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import operator_with_map

PEOPLE = [
    *({"id": f"a{i}", "name": f"Health {i}", "silo": "health"} for i in (1, 2, 3)),
    *({"id": f"b{i}", "name": f"Housing {i}", "silo": "housing"} for i in (1, 2, 3)),
    {"id": "hid", "name": "Hidden Link", "silo": "housing", "visibility": "hidden"},
]
TIES = [
    ("a1", "a2"),
    ("a2", "a3"),
    ("a1", "a3"),
    ("b1", "b2"),
    ("b2", "b3"),
    ("b1", "b3"),
    ("a1", "hid"),
    ("hid", "b1"),
]


@pytest.fixture
def admin(tmp_path):
    c = operator_with_map(tmp_path, "m")
    batch = {
        "people": PEOPLE,
        "relationships": [
            {"id": f"t{i}", "source": u, "target": v, "kind": "knows", "since": "2020-01-01"}
            for i, (u, v) in enumerate(TIES)
        ],
    }
    assert c.post("/api/v1/maps/m/bulk", json=batch).status_code == 200
    return c


def _drawn_nodes(html: str) -> dict[str, dict]:
    island = re.search(
        r'<script type="application/json" id="bridgemap-data">(.*?)</script>', html, re.S
    )
    data = json.loads(island.group(1))
    return {n["label"]: n for n in data["nodes"]}


def test_graph_page_rings_and_sizes_what_the_dashboard_names(admin):
    report = admin.get("/api/v1/maps/m/analysis").json
    cut = {a["label"] for a in report["bridging"]["articulation_points"]}
    assert cut == {"Health 1", "Housing 1"}  # hid is counted but never named
    betweenness = {r["label"]: r["betweenness"] for r in report["centrality"]["nodes"]}
    assert betweenness["Health 1"] > 0 and betweenness["Health 2"] == 0

    html = admin.get("/maps/m/view?metric=betweenness").get_data(as_text=True)
    nodes = _drawn_nodes(html)
    assert "Hidden Link" not in html and set(nodes) == {
        "Health 1",
        "Health 2",
        "Health 3",
        "Housing 1",
        "Housing 2",
        "Housing 3",
    }
    ringed = {label for label, n in nodes.items() if n.get("borderWidth") == 4}
    assert ringed == cut
    biggest = sorted(nodes, key=lambda label: -nodes[label]["size"])[:2]
    assert set(biggest) == {"Health 1", "Housing 1"}
    assert nodes["Health 2"]["size"] < nodes["Health 1"]["size"]


def test_silo_view_counts_the_tie_through_a_hidden_person(admin):
    matrix = admin.get("/api/v1/maps/m/analysis/silos").json["silos"]["tie_matrix"]
    i, j = matrix["groups"].index("health"), matrix["groups"].index("housing")
    assert matrix["counts"][i][j] == 1  # a1 - hid: the hidden person's tie counts
    html = admin.get("/maps/m/silos/view").get_data(as_text=True)
    assert "0 of 1 pairs with no tie" in html
