"""Background analysis results and leases (migration 8), on both stores.

A result is kept per map version and only for the map's current version; a lease has
one holder at a time until it expires or is released; both go with their map.
"""

from __future__ import annotations

import threading

import pytest

from graph_models.errors import NotFound
from graph_models.model import Map, Person


def _map(store, map_id="m1"):
    store.create_map(Map(map_id, "Map"))
    return store.get_map(map_id).version


def test_result_is_kept_for_the_current_version_only(store):
    v = _map(store)
    assert store.analysis_result("m1", "paths:2026-01-01", v) is None
    assert store.save_analysis_result("m1", "paths:2026-01-01", v, {"values": [0.5, 1.0]})
    assert store.analysis_result("m1", "paths:2026-01-01", v) == {"values": [0.5, 1.0]}
    assert store.analysis_result_ready("m1", "paths:2026-01-01", v)
    assert not store.analysis_result_ready("m1", "paths:2026-01-01", v + 1)
    assert store.analysis_result("m1", "paths:2026-01-02", v) is None
    store.create("m1", Person("ann", "Ann", "health"))  # a write: version v + 1
    assert store.analysis_result("m1", "paths:2026-01-01", v + 1) is None
    # a result computed for a version the map has moved past is not kept
    assert not store.save_analysis_result("m1", "paths:2026-01-01", v, {"values": []})
    assert store.save_analysis_result("m1", "paths:2026-01-01", v + 1, {"values": [1]})
    # the older version's result is gone: results do not pile up
    assert store.analysis_result("m1", "paths:2026-01-01", v) is None
    assert not store.save_analysis_result("nope", "paths:x", 0, {})


def test_latest_result_of_any_version(store):
    """``version=None`` reads the latest kept result, whatever its version: the caller
    (reporting.kept_paths) reuses it only if it was computed from the same content."""
    v = _map(store)
    assert store.analysis_result("m1", "paths:d", None) is None
    assert store.save_analysis_result("m1", "paths:d", v, {"digest": "abc"})
    store.create("m1", Person("ann", "Ann", "health"))  # version v + 1
    assert store.analysis_result("m1", "paths:d", v + 1) is None
    assert store.analysis_result("m1", "paths:d", None) == {"digest": "abc"}
    assert store.analysis_result("m1", "paths:other", None) is None


def test_lease_has_one_holder_until_released(store):
    _map(store)
    taken, started = store.take_lease("m1", "paths:v1", "worker-a", seconds=60)
    assert taken and started
    taken_b, started_b = store.take_lease("m1", "paths:v1", "worker-b", seconds=60)
    assert not taken_b and started_b == started  # b learns since when a computes
    assert store.take_lease("m1", "paths:v1", "worker-a", seconds=60)[0]  # renewal
    assert store.take_lease("m1", "paths:v2", "worker-b", seconds=60)[0]  # another key
    store.release_lease("m1", "paths:v1", "worker-b")  # not b's: nothing happens
    assert not store.take_lease("m1", "paths:v1", "worker-b", seconds=60)[0]
    store.release_lease("m1", "paths:v1", "worker-a")
    assert store.take_lease("m1", "paths:v1", "worker-b", seconds=60)[0]
    with pytest.raises(NotFound):
        store.take_lease("nope", "paths:v1", "worker-a", seconds=60)


def test_expired_lease_can_be_taken(store):
    _map(store)
    assert store.take_lease("m1", "k", "worker-a", seconds=-1)[0]  # already expired
    assert store.take_lease("m1", "k", "worker-b", seconds=60)[0]


def test_concurrent_takers_get_one_lease(store):
    _map(store)
    results = []

    def take(name):
        results.append((name, store.take_lease("m1", "race", name, seconds=60)[0]))

    threads = [threading.Thread(target=take, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(ok for _, ok in results) == 1, results


def test_results_and_leases_go_with_their_map(store):
    v = _map(store)
    store.save_analysis_result("m1", "paths:x", v, {"values": [1]})
    store.take_lease("m1", "paths:x", "worker-a", seconds=60)
    store.delete_map("m1")
    v2 = _map(store)  # the same id again: nothing of the old map's left
    assert store.analysis_result("m1", "paths:x", v2) is None
    assert store.analysis_result("m1", "paths:x", v) is None
    assert store.take_lease("m1", "paths:x", "worker-b", seconds=60)[0]
