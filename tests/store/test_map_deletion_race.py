"""Map deletion racing writes (issue #11, item 15), both stores: deletion takes the
map's lock before collecting what it deletes, so neither the nodes of a racing bulk
write nor a token made meanwhile survive into a new map with the same id."""

from __future__ import annotations

import contextlib
import threading

from graph_models.errors import NotFound
from graph_models.model import Map, Person, Silo
from graph_models.store.base import AccessToken

ROUNDS = 6
PEOPLE = 1500


def test_nothing_of_a_deleted_map_survives_racing_writes(store):
    for i in range(ROUNDS):
        store.create_map(Map("x", "X", silos=[Silo("health")]))
        people = [Person(f"p{k}", f"Person {k}", "health") for k in range(PEOPLE)]
        barrier = threading.Barrier(3)
        errors: list = []

        def bulk():
            barrier.wait()
            with contextlib.suppress(NotFound):  # the map went first
                store.bulk_upsert("x", people, [])

        def token(i=i):
            barrier.wait()
            with contextlib.suppress(NotFound):
                store.create_token(AccessToken(f"t{i}", "x", "coordinator", f"h{i}"))

        def delete():
            barrier.wait()
            try:
                store.delete_map("x")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=f) for f in (bulk, token, delete)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        # a new map with the same id starts empty, and the old token does not reach it
        store.create_map(Map("x", "X again", silos=[Silo("health")]))
        assert store.graph("x").nodes == [], f"round {i}"
        assert store.find_token(f"h{i}") is None, f"round {i}"
        assert store.list_tokens("x") == []
        store.delete_map("x")


def test_a_token_left_from_an_older_map_with_the_same_id_never_matches(store):
    """Defence in depth: even a token record that outlived its map (a store edited by
    hand, a restored backup) does not open a new map that reuses the id."""
    store.create_map(Map("x", "X", silos=[Silo("health")]))
    old = AccessToken("t-old", "x", "coordinator", "h-old", created_at="2020-01-01T00:00:00+00:00")
    store.create_token(old)
    assert store.find_token("h-old") is None  # made before the map: not the map's
    store.create_token(AccessToken("t-new", "x", "coordinator", "h-new"))
    assert store.find_token("h-new").id == "t-new"
    store.delete_map("x")
    assert store.find_token("h-new") is None
