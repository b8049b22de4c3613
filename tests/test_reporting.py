"""The consent-safe report path (:mod:`graph_models.reporting`) on small hand-worked maps.

The map: health has Ann and Dai (hidden), housing has Cai and Eve. Dai is the only
link between the silos until 2025, when Ann meets Eve::

    ann(health) -- dai(health, hidden) -- cai(housing)
      \\__________ 2025 onwards __________ eve(housing) -- dai (2025 onwards too)

So every tie across silos before 2025 runs through a person nobody may see: the report
must count Dai in the structure (totals, tie matrix, bridges counted) and never name,
list or pseudonymise them anywhere in its output.
"""

from __future__ import annotations

import json
from datetime import date

import networkx as nx
import pytest

from graph_models import reporting
from graph_models.errors import InvalidInput
from graph_models.gcpause import released
from graph_models.model import Map, Organisation, Person, Relationship, Silo, Visibility
from graph_models.projection import project
from graph_models.reporting import attach_labels, map_change, map_report
from graph_models.store.embedded import EmbeddedStore

SECRET = b"test-secret"
BEFORE, AFTER = date(2024, 6, 1), date(2025, 6, 1)


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "report.sqlite3")
    s.create_map(Map("m", "M", silos=[Silo("health"), Silo("housing")]))
    s.bulk_upsert(
        "m",
        [
            Person("ann", "Ann Evans", "health", area="north"),
            Person("dai", "Dai Hidden", "health", area="south", visibility=Visibility.HIDDEN),
            Person("cai", "Cai Price", "housing", area="south"),
            Person("eve", "Eve Lewis", "housing", area="north"),
        ],
        [
            Relationship("t1", "ann", "dai", "knows", since=date(2020, 1, 1)),
            Relationship("t2", "dai", "cai", "knows", since=date(2020, 1, 1)),
            Relationship("t3", "ann", "eve", "knows", since=date(2025, 1, 1)),
            Relationship("t4", "dai", "eve", "works_with", since=date(2025, 1, 1)),
        ],
    )
    yield s
    s.close()


def names_nobody_hidden(report) -> None:
    text = json.dumps(report, default=str).lower()
    assert "dai" not in text  # neither the name nor the id
    assert "hidden-" not in text  # nor the pseudonym the analysis ran on


def test_a_hidden_person_counts_in_the_structure_but_is_never_named(store):
    r = map_report(store, "m", secret=SECRET, as_of=BEFORE)
    names_nobody_hidden(r)
    assert r["graph"] == {"nodes": 4, "ties": 2}  # Dai and both of their ties count
    headline = r["silos"]["headline"]
    assert (headline["nodes"], headline["ties"], headline["cross_group_ties"]) == (4, 2, 1)
    matrix = r["silos"]["tie_matrix"]
    assert matrix["groups"] == ["health", "housing"] and matrix["sizes"] == [2, 2]
    assert matrix["counts"] == [[1, 1], [1, 0]]  # ann-dai inside health, dai-cai across
    summary = r["bridging"]["summary"]
    assert summary["bridges"] == 2 and summary["crossing_bridges"] == 1  # both via Dai
    assert r["bridging"]["bridges"] == [] and r["bridging"]["articulation_points"] == []
    shown = {row["node"] for row in r["centrality"]["nodes"]}
    assert shown == {"ann", "cai", "eve"}  # Dai's row is gone
    assert all(row["betweenness"] == 0 for row in r["centrality"]["nodes"])
    assert {row["label"] for row in r["centrality"]["nodes"]} == {
        "Ann Evans",
        "Cai Price",
        "Eve Lewis",
    }


def test_the_report_as_of_a_date_counts_only_the_ties_active_then(store):
    before = map_report(store, "m", secret=SECRET, as_of=BEFORE, sections=["silos"])
    after = map_report(store, "m", secret=SECRET, as_of=AFTER, sections=["silos"])
    assert before["parameters"]["as_of"] == "2024-06-01"
    assert before["graph"]["ties"] == 2 and after["graph"]["ties"] == 4
    assert after["silos"]["tie_matrix"]["counts"] == [[1, 3], [3, 0]]
    names_nobody_hidden(after)


def test_the_report_defaults_to_today(store):
    from graph_models import clock

    r = map_report(store, "m", secret=SECRET, sections=["silos"])
    assert r["parameters"]["as_of"] == clock.today().isoformat()
    assert r["graph"]["ties"] == 4  # every tie above started before today


@pytest.mark.parametrize(
    ("group_by", "groups", "counts"),
    [
        ("silo", ["health", "housing"], [[1, 3], [3, 0]]),
        # north: ann, eve; south: dai, cai (ann-eve inside north, dai-cai inside south)
        ("area", ["north", "south"], [[1, 2], [2, 1]]),
    ],
)
def test_group_by_regroups_every_figure(store, group_by, groups, counts):
    r = map_report(store, "m", secret=SECRET, as_of=AFTER, group_by=group_by)
    assert r["parameters"]["group_by"] == group_by
    assert r["silos"]["tie_matrix"]["groups"] == groups
    assert r["silos"]["tie_matrix"]["counts"] == counts
    assert r["communities"]["groups"] == groups
    names_nobody_hidden(r)


def test_an_unknown_grouping_is_refused_before_any_work(store):
    with pytest.raises(InvalidInput) as caught:
        map_report(store, "m", secret=SECRET, group_by="name")
    assert "group_by" in caught.value.errors


def test_only_the_requested_sections_are_computed(store):
    r = map_report(store, "m", secret=SECRET, sections=["centrality"])
    assert r["parameters"]["sections"] == ["centrality"]
    assert "centrality" in r and not {"bridging", "silos", "communities"} & set(r)


def _keep_paths(store, betweenness: dict) -> None:
    """A kept exact result for the map's current version, as a background job keeps
    one (values chosen to be told apart from any computed ones)."""
    version = store.get_map("m").version
    result = {"betweenness": betweenness, "closeness": dict(betweenness), "seconds": 1.0}
    payload = reporting.exact_paths.to_payload(result)
    store.save_analysis_result("m", reporting.paths_key(AFTER), version, payload)


def test_with_nothing_in_the_background_a_kept_result_is_used_else_computed(store):
    """The command line (no ``on_pending``) on a map too large for a request uses the
    exact result a background job kept; without one, or for a subset of the ties (kept
    results are of every tie), it computes them itself."""
    large = dict(sections=["centrality"], as_of=AFTER, inline_seconds=0.0)

    def betweenness(report) -> dict:
        return {row["node"]: row["betweenness"] for row in report["centrality"]["nodes"]}

    # the triangle ann-dai-eve with cai hanging off dai: only hidden dai is between
    computed = betweenness(map_report(store, "m", secret=SECRET, **large))
    assert computed == {"ann": 0.0, "cai": 0.0, "eve": 0.0}
    _keep_paths(store, {"ann": 0.9, "cai": 0.8, "dai": 0.7, "eve": 0.6})
    kept = betweenness(map_report(store, "m", secret=SECRET, **large))
    assert kept == {"ann": 0.9, "cai": 0.8, "eve": 0.6}
    # a graph that is not the whole map never takes the kept values
    G = project(store.graph("m", as_of=AFTER), as_of=AFTER)
    version = store.get_map("m").version
    args = dict(as_of=AFTER, inline_seconds=0.0)
    assert reporting.resolve_paths(store, "m", version, G, **args)["source"] == "background"
    own = reporting.resolve_paths(store, "m", version, G, use_kept=False, **args)
    assert own["source"] == "request"
    assert own["betweenness"] == pytest.approx(nx.betweenness_centrality(G))


def test_viewers_lose_anonymised_people_of_small_groups_coordinators_see_a_pseudonym(tmp_path):
    s = EmbeddedStore(tmp_path / "small.sqlite3")
    s.create_map(Map("m", "M", silos=[Silo("health"), Silo("police")]))
    health = [Person(f"h{i}", f"Health {i}", "health") for i in range(5)]
    s.bulk_upsert(
        "m",
        [*health, Person("pip", "Pip Anon", "police", visibility=Visibility.ANONYMISED)],
        [Relationship("t", "h0", "pip", "knows"), Relationship("u", "h0", "h1", "knows")],
    )
    coordinator = map_report(s, "m", secret=SECRET, sections=["centrality"])
    rows = {row["node"] for row in coordinator["centrality"]["nodes"]}
    assert "pip" not in rows and any(n.startswith("anon-") for n in rows)
    viewer = map_report(s, "m", secret=SECRET, sections=["centrality", "silos"], viewer=True)
    text = json.dumps(viewer)
    assert "anon-" not in text and "Pip" not in text and "pip" not in text
    assert viewer["graph"] == {"nodes": 6, "ties": 2}  # still counted
    police = viewer["silos"]["tie_matrix"]["groups"].index("police")
    assert viewer["silos"]["tie_matrix"]["sizes"][police] is None  # a small group's figure
    s.close()


def test_change_between_two_dates_names_only_visible_ties(store):
    r = map_change(store, "m", secret=SECRET, date_from=BEFORE, date_to=AFTER)
    change = r["change"]
    assert r["parameters"] == {"group_by": "silo", "from": "2024-06-01", "to": "2025-06-01"}
    assert change["before"]["ties"] == 2 and change["after"]["ties"] == 4
    assert change["difference"]["cross_group_ties"] == 2  # ann-eve and dai-eve both count
    assert change["gained"] == [
        {
            "nodes": ["ann", "eve"],
            "groups": ["health", "housing"],
            "labels": ["Ann Evans", "Eve Lewis"],
        }
    ]  # dai-eve is counted above and named nowhere
    names_nobody_hidden(r)


def test_change_refuses_dates_in_the_wrong_order(store):
    with pytest.raises(InvalidInput) as caught:
        map_change(store, "m", secret=SECRET, date_from=AFTER, date_to=BEFORE)
    assert "from" in caught.value.errors


def test_labels_are_attached_to_each_node_reference():
    labels = {"a": "Ann", "b": "Ben"}
    value = {
        "rows": [{"node": "a", "x": 1}, {"node": "zz"}],
        "pair": {"nodes": ["a", "b"]},
        "partial": {"nodes": ["a", "zz"]},
        "edge": {"u": "b", "v": "a"},
    }
    assert attach_labels(value, labels) == {
        "rows": [{"node": "a", "x": 1, "label": "Ann"}, {"node": "zz"}],
        "pair": {"nodes": ["a", "b"], "labels": ["Ann", "Ben"]},
        "partial": {"nodes": ["a", "zz"]},  # all or nothing: no half-labelled pairs
        "edge": {"u": "b", "v": "a", "u_label": "Ben", "v_label": "Ann"},
    }


def test_labels_are_attached_in_place_in_nested_rows():
    """One walker, in place: the value itself is labelled and returned (nothing
    copied), nested rows and pairs included, each label after the row's own keys."""
    labels = {"a": "Ann", "b": "Ben"}
    original = {
        "rows": [{"node": "a", "x": [1, {"u": "a", "v": "b"}]}, {"node": "zz"}],
        "pair": {"nodes": ["a", "b"]},
        "nested": [[{"nodes": ["b", "a"]}]],
    }
    row = original["rows"][0]
    same = attach_labels(original, labels)
    assert same is original and same["rows"][0] is row
    assert json.dumps(same) == json.dumps(
        {
            "rows": [
                {
                    "node": "a",
                    "x": [1, {"u": "a", "v": "b", "u_label": "Ann", "v_label": "Ben"}],
                    "label": "Ann",
                },
                {"node": "zz"},
            ],
            "pair": {"nodes": ["a", "b"], "labels": ["Ann", "Ben"]},
            "nested": [[{"nodes": ["b", "a"], "labels": ["Ben", "Ann"]}]],
        }
    )


def test_the_garbage_collector_is_paused_while_a_report_is_made_and_back_on_after(
    store, monkeypatch
):
    import gc

    seen = []
    real = reporting.analyse

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(reporting, "analyse", spy)
    assert gc.isenabled()
    map_report(store, "m", secret=SECRET, as_of=AFTER)
    assert seen == [False]
    assert gc.isenabled()
    # a failing report turns it back on too
    with pytest.raises(InvalidInput):
        map_report(store, "m", secret=SECRET, as_of=AFTER, group_by="nonsense")
    assert gc.isenabled()


def test_the_garbage_collector_stays_off_for_a_caller_that_turned_it_off(store):
    import gc

    gc.disable()
    try:
        map_report(store, "m", secret=SECRET, as_of=AFTER)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_report_leaves_no_graph_for_the_collector(store):
    """The graphs a report made are freed when it ends, not by the cyclic collector
    (networkx's cached views make a graph a cycle: gcpause.release_graph)."""
    import gc

    import networkx as nx

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        map_report(store, "m", secret=SECRET, as_of=AFTER)
        assert released(timeout=30)  # the graph is freed after the answer (gcpause)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, nx.Graph)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


def test_organisations_are_reported_by_name(tmp_path):
    s = EmbeddedStore(tmp_path / "orgs.sqlite3")
    s.create_map(Map("m", "M", silos=[Silo("health")]))
    s.bulk_upsert(
        "m",
        [Person("ann", "Ann", "health"), Organisation("clinic", "Cwm Clinic", "health")],
        [Relationship("w", "ann", "clinic", "works_for")],
    )
    r = map_report(s, "m", secret=SECRET, sections=["centrality"])
    assert {row["node"]: row["label"] for row in r["centrality"]["nodes"]} == {
        "ann": "Ann",
        "clinic": "Cwm Clinic",
    }
    s.close()


def test_a_result_kept_for_the_same_content_is_reused_and_the_digest_made_only_then(
    store, monkeypatch
):
    """A write that leaves the graph as it was (a renamed person) reuses the result kept
    for the previous version; a changed tie does not. The content digest is made only
    when no result is kept for the current version (it costs 0.3 s at 50,000 people)."""
    made = []
    digest = reporting.content_digest
    monkeypatch.setattr(reporting, "content_digest", lambda r: made.append(1) or digest(r))
    pending = []

    def on_pending(map_id, version, as_of, n, m):
        pending.append(version)
        return reporting.exact_paths.pending(n, m)

    large = dict(sections=["centrality"], as_of=AFTER, inline_seconds=0.0, on_pending=on_pending)

    def betweenness(report) -> dict | None:
        rows = report["centrality"]["nodes"]
        return {row["node"]: row["betweenness"] for row in rows} if rows else None

    version = store.get_map("m").version
    values = {"ann": 0.9, "cai": 0.8, "dai": 0.7, "eve": 0.6}
    result = {"betweenness": values, "closeness": dict(values), "seconds": 1.0}
    payload = reporting.exact_paths.to_payload(result)
    payload["digest"] = digest(store.graph("m", as_of=AFTER))
    store.save_analysis_result("m", reporting.paths_key(AFTER), version, payload)
    assert betweenness(map_report(store, "m", secret=SECRET, **large)) == {
        "ann": 0.9,
        "cai": 0.8,
        "eve": 0.6,
    }
    assert made == [] and pending == []  # kept for this version: no digest made
    store.bulk_upsert("m", [Person("ann", "Ann Renamed", "health", area="north")], [])
    reused = map_report(store, "m", secret=SECRET, **large)
    assert betweenness(reused)["ann"] == 0.9 and made == [1] and pending == []
    store.bulk_upsert("m", [], [Relationship("t5", "ann", "cai", "knows")])
    map_report(store, "m", secret=SECRET, **large)
    assert made == [1, 1] and pending == [store.get_map("m").version]
