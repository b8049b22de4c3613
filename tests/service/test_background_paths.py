"""Exact betweenness and closeness of large maps: computed in the background, kept in
the store per map version, one computation per version across processes.

"Large" is set by ``INLINE_ANALYSIS_SECONDS``: 0 here, so a 60-person map already goes
to the background (the rule is by expected cost, nodes x ties, not node count).
"""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph_models import reporting
from graph_models.store.embedded import EmbeddedStore
from tests.conftest import ADMIN_SECRET, make_app

MAP = "/api/v1/maps/m1"
TOLERANCE = 1e-9


def _people_and_ties(seed: int = 3):
    rng = random.Random(seed)
    silos = ["health", "housing", "police"]
    people = []
    for i in range(60):
        visibility = "hidden" if i % 17 == 0 else "anonymised" if i % 5 == 0 else "named"
        people.append(
            {"id": f"p{i}", "name": f"Person {i}", "silo": silos[i % 3], "visibility": visibility}
        )
    pairs = set()
    while len(pairs) < 150:
        u, v = rng.sample(range(60), 2)
        pairs.add((min(u, v), max(u, v)))
    ties = [
        {"id": f"t{k}", "source": f"p{u}", "target": f"p{v}", "kind": "knows"}
        for k, (u, v) in enumerate(sorted(pairs))
    ]
    return people, ties


def _client(app):
    c = app.test_client()
    c.token = ADMIN_SECRET
    return c


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "db.sqlite3"


@pytest.fixture
def app(db_path):
    app = make_app(EmbeddedStore(db_path), INLINE_ANALYSIS_SECONDS=0)
    c = _client(app)
    assert c.post("/api/v1/maps", json={"id": "m1", "name": "Large"}).status_code == 201
    people, ties = _people_and_ties()
    assert c.post(f"{MAP}/bulk", json={"people": people, "relationships": ties}).status_code == 200
    yield app
    app.extensions["bridgemap.background"].shutdown()


def _worker(app):
    return app.extensions["bridgemap.background"]


def _expected(app):
    """networkx's exact betweenness and closeness of the analysed (public) graph."""
    with app.app_context():
        G = reporting.build_public_graph(
            app.extensions["bridgemap.store"],
            "m1",
            as_of=reporting.clock.today(),
            group_by="silo",
            secret=app.config["SECRET_KEY"].encode(),
        )
    return nx.betweenness_centrality(G), nx.closeness_centrality(G)


def test_large_map_says_being_computed_then_serves_exact_values(app):
    client = _client(app)
    first = client.get(f"{MAP}/analysis?limit=1000").get_json()
    pending = first["centrality"]["pending"]
    assert pending["status"] == "computing" and pending["expected_seconds"] >= 1
    assert pending["message"].startswith("being computed")
    assert first["bridging"]["pending"] == pending
    assert first["centrality"]["method"]["betweenness"]["method"] == "pending"
    # no sampled ranking presented as if it were true: no values at all
    assert all(r["betweenness"] is None for r in first["centrality"]["nodes"])
    assert all(r["closeness"] is None for r in first["centrality"]["nodes"])
    assert all(r["bridging_centrality"] is None for r in first["bridging"]["nodes"] if r)
    # the rest of the report is served
    assert first["silos"]["headline"]["ties"] > 0 and first["bridging"]["local_bridges"]

    assert _worker(app).wait(timeout=60)
    done = client.get(f"{MAP}/analysis?limit=1000").get_json()
    assert "pending" not in done["centrality"] and "pending" not in done["bridging"]
    method = done["centrality"]["method"]["betweenness"]
    assert method["method"] == "exact" and method["source"] == "background"
    betweenness, closeness = _expected(app)
    rows = done["centrality"]["nodes"]
    assert len(rows) == len(betweenness) - sum(1 for v in betweenness if v.startswith("hidden-"))
    for row in rows:
        assert abs(row["betweenness"] - betweenness[row["node"]]) <= TOLERANCE
        assert abs(row["closeness"] - closeness[row["node"]]) <= TOLERANCE
    values = [r["betweenness"] for r in rows]
    assert values == sorted(values, reverse=True)


def test_small_budget_off_computes_exactly_in_the_request(db_path, app):
    """The same map within the request budget: exact at once, nothing scheduled."""
    _worker(app).wait(timeout=60)
    other = make_app(EmbeddedStore(db_path), INLINE_ANALYSIS_SECONDS=60)
    try:
        body = _client(other).get(f"{MAP}/analysis").get_json()
        assert "pending" not in body["centrality"]
        assert body["centrality"]["method"]["betweenness"]["source"] == "request"
        assert _worker(other).finished == []
    finally:
        _worker(other).shutdown()


def test_one_computation_per_version_across_processes(db_path, app):
    """Two apps on one database file stand for two gunicorn workers: each asks, one
    computes (the lease in the store), both then serve the one kept result."""
    other = make_app(EmbeddedStore(db_path), INLINE_ANALYSIS_SECONDS=0)
    try:
        a, b = _client(app), _client(other)
        assert "pending" in a.get(f"{MAP}/analysis").get_json()["centrality"]
        b.get(f"{MAP}/analysis")
        assert _worker(app).wait(timeout=60) and _worker(other).wait(timeout=60)
        outcomes = [o for w in (app, other) for (_, _, o, _) in _worker(w).finished]
        assert outcomes.count("saved") == 1, outcomes
        assert set(outcomes) <= {"saved", "elsewhere", "ready"}
        if "elsewhere" in outcomes:  # b asked while a computed: b asks again later
            b.get(f"{MAP}/analysis")
            _worker(other).wait(timeout=60)
        ra = a.get(f"{MAP}/analysis").get_json()["centrality"]
        rb = b.get(f"{MAP}/analysis").get_json()["centrality"]
        assert "pending" not in ra and "pending" not in rb
        assert ra["nodes"] == rb["nodes"]
        outcomes = [o for w in (app, other) for (_, _, o, _) in _worker(w).finished]
        assert outcomes.count("saved") == 1, outcomes
    finally:
        _worker(other).shutdown()


def test_a_restart_serves_the_kept_result(db_path, app):
    client = _client(app)
    client.get(f"{MAP}/analysis")
    assert _worker(app).wait(timeout=60)
    restarted = make_app(EmbeddedStore(db_path), INLINE_ANALYSIS_SECONDS=0)
    try:
        body = _client(restarted).get(f"{MAP}/analysis").get_json()
        assert "pending" not in body["centrality"]
        assert _worker(restarted).finished == []  # nothing recomputed
    finally:
        _worker(restarted).shutdown()


def test_a_write_to_a_large_map_recomputes_in_the_background(app):
    client = _client(app)
    client.get(f"{MAP}/analysis")
    assert _worker(app).wait(timeout=60)
    before = len(_worker(app).finished)
    r = client.post(
        f"{MAP}/relationships", json={"id": "new", "source": "p1", "target": "p2", "kind": "knows"}
    )
    assert r.status_code == 201, r.get_json()
    # the write alone schedules the job: no one has asked for the new version yet
    assert _worker(app).wait(timeout=60)
    assert [o for (_, _, o, _) in _worker(app).finished[before:]] == ["saved"]
    body = client.get(f"{MAP}/analysis").get_json()
    assert "pending" not in body["centrality"]
    betweenness, _ = _expected(app)
    for row in body["centrality"]["nodes"]:
        assert abs(row["betweenness"] - betweenness[row["node"]]) <= TOLERANCE


def test_viewers_get_the_exact_values_under_their_pseudonyms(app):
    client = _client(app)
    r = client.post(f"{MAP}/tokens", json={"role": "viewer"})  # a write: before computing
    viewer = app.test_client()
    viewer.token = r.get_json()["token"]
    client.get(f"{MAP}/analysis")
    assert _worker(app).wait(timeout=60)
    rows = viewer.get(f"{MAP}/analysis?limit=1000").get_json()["centrality"]["nodes"]
    coordinator = client.get(f"{MAP}/analysis?limit=1000").get_json()["centrality"]["nodes"]
    # the viewer's report hides more (small groups), never shows a value the
    # coordinator's lacks, and the values come from the same exact computation
    assert rows and all(r["betweenness"] is not None for r in rows)
    assert sorted(r["betweenness"] for r in rows) == sorted(
        r["betweenness"] for r in coordinator if r["node"] in {x["node"] for x in rows}
    )


def test_graph_page_says_sizes_are_being_computed(app, monkeypatch):
    client = _client(app)
    worker = _worker(app)
    hint = "Being computed for this version of the map"
    monkeypatch.setattr(worker, "computing", lambda map_id: map_id == "m1")
    page = client.get("/maps/m1/graph?metric=betweenness").get_data(as_text=True)
    assert hint in page
    assert hint not in client.get("/maps/m1/graph?metric=degree").get_data(as_text=True)
    monkeypatch.setattr(worker, "computing", lambda map_id: False)
    assert hint not in client.get("/maps/m1/graph?metric=betweenness").get_data(as_text=True)


def test_writes_that_leave_the_graph_as_it_was_reuse_the_kept_result(app, monkeypatch):
    """Kept results are keyed on what they were computed from (ids, silos, types; ties'
    ends, kind, strength, dates), not the map version: a new token, a renamed person or
    a changed description computes nothing; a changed tie computes again."""
    from graph_models.analysis import paths as exact_paths

    computed = []
    real = exact_paths.compute

    def counting(G, **kwargs):
        computed.append(len(G))
        return real(G, **kwargs)

    monkeypatch.setattr(exact_paths, "compute", counting)
    client = _client(app)
    client.get(f"{MAP}/analysis")
    assert _worker(app).wait(timeout=60) and len(computed) == 1
    first = client.get(f"{MAP}/analysis?limit=1000").get_json()["centrality"]["nodes"]

    for write in (
        lambda: client.post(f"{MAP}/tokens", json={"role": "viewer"}),
        lambda: client.patch(f"{MAP}/people/p3", json={"name": "Someone Else"}),
        lambda: client.patch(MAP, json={"description": "changed"}),
    ):
        before = len(_worker(app).finished)
        assert write().status_code < 300
        assert _worker(app).wait(timeout=60)
        assert [o for (_, _, o, _) in _worker(app).finished[before:]] in ([], ["reused"])
        body = client.get(f"{MAP}/analysis?limit=1000").get_json()["centrality"]
        assert "pending" not in body and body["method"]["betweenness"]["source"] == "background"
        assert [r["betweenness"] for r in body["nodes"]] == [r["betweenness"] for r in first]
    assert len(computed) == 1  # nothing computed again

    before = len(_worker(app).finished)
    r = client.patch(f"{MAP}/relationships/t0", json={"strength": 5})
    assert r.status_code == 200, r.get_json()
    assert _worker(app).wait(timeout=60)
    assert [o for (_, _, o, _) in _worker(app).finished[before:]] == ["saved"]
    assert len(computed) == 2
