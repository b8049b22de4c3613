"""The dashboard's readings of a report (service/web/dashboard_parts.py): the heat map's
scale and cell states, every gap listed with or without an introduction, the ties of
one pair, change by pair and in structure, brokers ranked; and the README and the
demo's docstring describe the demo's real gaps."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graph_models import demo, reporting
from graph_models.store.embedded import EmbeddedStore
from service.cli import load_demo
from service.web import dashboard_parts as parts

ROOT = Path(__file__).resolve().parents[2]
DEMO_GAPS = [
    ["business", "community"],
    ["business", "health"],
    ["business", "housing"],
    ["business", "police"],
    ["business", "social care"],
    ["education", "police"],
]


def test_heat_scale_is_set_on_cross_silo_cells_and_states_are_explicit():
    groups = ["a", "b", "c"]
    counts = [[70, 0, 4], [0, 60, None], [4, None, 50]]
    rows, peak = parts.heat_rows(groups, counts)
    assert peak == 4  # not 70: the diagonal does not set the scale
    states = [[c["state"] for c in r["cells"]] for r in rows]
    assert states == [
        ["inside", "gap", "ties"],
        ["gap", "inside", "withheld"],
        ["ties", "withheld", "inside"],
    ]
    assert rows[0]["cells"][2]["level"] == parts.LEVELS  # 4 of a peak of 4: darkest
    assert rows[0]["cells"][1]["level"] == 0  # a zero is not a shade, it is a gap
    _, peak = parts.heat_rows(["a", "b"], [[5, 1], [1, 5]])
    assert parts.heat_rows(["a", "b"], [[5, 1], [1, 5]])[0][0]["cells"][1]["level"] == 5


def test_gaps_all_listed_withheld_pairs_not_claimed():
    matrix = {
        "groups": ["a", "b", "c", "d"],
        "counts": [[3, 0, 0, None], [0, 3, 2, 0], [0, 2, 3, 1], [None, 0, 1, 3]],
    }
    intros = {
        "pairs": [
            {"groups": ["a", "b"], "suggestions": [{"nodes": ["x", "y"], "labels": ["X", "Y"]}]},
            {"groups": ["c", "a"], "suggestions": []},
        ]
    }
    gaps = parts.gap_pairs(matrix, intros)
    assert [g["groups"] for g in gaps] == [["a", "b"], ["a", "c"], ["b", "d"]]
    assert gaps[0]["suggestion"]["labels"] == ["X", "Y"]
    assert gaps[1]["suggestion"] is None and gaps[1]["searched"]
    assert gaps[2]["searched"] is False


def test_ties_between_two_groups_and_change_by_pair():
    G = nx.Graph()
    for n, g in [("1", "a"), ("2", "b"), ("3", "a"), ("4", "c")]:
        G.add_node(n, group=g, label=f"N{n}")
    G.add_edge("2", "1", kinds=["knows"])
    G.add_edge("3", "2", kinds=["mentors"])
    G.add_edge("1", "4")
    ties = parts.ties_between(G, "a", "b")
    assert [[e[1] for e in t["ends"]] for t in ties] == [["N1", "N2"], ["N3", "N2"]]
    grouped = parts.by_pair(
        [
            {"nodes": ["2", "1"], "groups": ["b", "a"], "labels": ["N2", "N1"]},
            {"nodes": ["3", "2"], "groups": ["a", "b"], "labels": ["N3", "N2"]},
            {"nodes": ["1", "4"], "groups": ["a", "c"], "labels": ["N1", "N4"]},
        ]
    )
    assert [p["groups"] for p in grouped] == [["a", "b"], ["a", "c"]]
    assert grouped[0]["ties"][0]["labels"] == ["N1", "N2"]


def _demo_reports(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    load_demo(store)
    from datetime import date

    secret = b"k" * 32
    now = reporting.map_report(store, "demo", secret=secret)
    then = reporting.map_report(store, "demo", secret=secret, as_of=date(2024, 1, 1))
    store.close()
    return now, then


def test_demo_gaps_structure_change_and_brokers(tmp_path):
    now, then = _demo_reports(tmp_path)
    gaps = parts.gap_pairs(now["silos"]["tie_matrix"], now["introductions"])
    assert [g["groups"] for g in gaps] == DEMO_GAPS
    nobody = [g["groups"] for g in gaps if g["suggestion"] is None]
    assert ["business", "community"] in nobody
    change = parts.structural_change(then, now)
    assert len(change["gaps_closed"]) == 5 and change["gaps_opened"] == []
    brokers = parts.broker_rows(now, 6)
    assert [b["rank"] for b in brokers] == [1, 2, 3, 4, 5, 6]
    assert all(0 <= b["routes"] <= 1 and 0 <= b["across_share"] <= 1 for b in brokers)


def test_readme_and_demo_docstring_describe_the_real_gaps():
    readme = (ROOT / "README.md").read_text()
    assert "six sector pairs with no tie today" in readme
    for a, b in DEMO_GAPS:
        assert b in readme
    assert "six sector pairs" in demo.__doc__
    assert "two sector pairs" not in readme + demo.__doc__
