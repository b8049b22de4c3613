"""Erased people do not come back (issue #11, items 17 and 9's audit digest), both stores.

Erasure leaves a tombstone: the id's HMAC under the map's own random key. Any write
naming the id again is refused (a batch: all or nothing, naming the row), unless the
coordinator re-adds the person explicitly; and an import racing the erasure never
leaves the person in the map.
"""

from __future__ import annotations

import hashlib
import threading

import pytest

from graph_models.errors import Conflict, InvalidInput, NotFound
from graph_models.model import EntityType, Map, Person, Relationship, Silo
from graph_models.store.base import AccessToken

P = EntityType.PERSON
ROUNDS = 15


def new_map(store, map_id="m1"):
    store.create_map(Map(map_id, "Partnership", silos=[Silo("health")]))


@pytest.fixture
def erased(store):
    """Map m1 where erin (with a tie to ann) was erased."""
    new_map(store)
    erin = Person("erin", "Erin Jones", "health", contact="erin@example.org")
    store.bulk_upsert(
        "m1", [erin, Person("ann", "Ann", "health")], [Relationship("t1", "erin", "ann", "knows")]
    )
    store.delete("m1", P, "erin")
    return store


def test_erasure_leaves_a_keyed_tombstone_and_a_keyed_audit_digest(erased):
    store = erased
    assert store.erased_ids("m1", ["erin", "ann", "nobody"]) == {"erin"}
    refs = [e.entity_ref for e in store.audit_log("m1").items]
    unkeyed = hashlib.sha256(b"erin").hexdigest()
    assert refs[0].startswith("erased:") and not any(unkeyed[:16] in r for r in refs)
    assert "erin" not in refs
    # the key is the map's own: the same id erased in another map gets another digest
    new_map(store, "m2")
    store.create("m2", Person("erin", "Erin", "health"))
    store.delete("m2", P, "erin")
    assert store.audit_log("m2").items[0].entity_ref != refs[0]


def test_an_erased_person_is_not_created_again_unless_restored_explicitly(erased):
    store = erased
    with pytest.raises(Conflict) as caught:
        store.create("m1", Person("erin", "Erin Jones", "health"))
    assert "erin" in caught.value.message and "restore_erased" in caught.value.message
    store.create("m1", Person("erin", "Erin (back)", "health"), restore_erased=True)
    assert store.get("m1", P, "erin").name == "Erin (back)"
    assert store.erased_ids("m1", ["erin"]) == set()


def test_a_batch_naming_an_erased_id_is_refused_whole(erased):
    store = erased
    before = store.get_map("m1").version
    batch = [Person("new", "New", "health"), Person("erin", "Erin Jones", "health")]
    with pytest.raises(InvalidInput) as caught:
        store.bulk_upsert("m1", batch, [])
    assert "'erin'" in caught.value.message and "1" in caught.value.errors["rows"]
    assert store.get_map("m1").version == before
    assert {p.id for p in store.graph("m1").people} == {"ann"}


def test_a_batch_racing_the_erasure_never_leaves_the_person(store):
    new_map(store)
    for i in range(ROUNDS):
        pid = f"p{i}"
        store.create("m1", Person(pid, f"Person {i}", "health", contact="c@example.org"))
        barrier = threading.Barrier(2)
        outcome: list = []

        def import_old_file(pid=pid):
            barrier.wait()
            try:
                store.bulk_upsert("m1", [Person(pid, "Old copy", "health")], [])
            except InvalidInput:
                outcome.append("refused")

        def erase(pid=pid):
            barrier.wait()
            store.delete("m1", P, pid)

        threads = [threading.Thread(target=import_old_file), threading.Thread(target=erase)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert pid not in {p.id for p in store.graph("m1").people}, f"round {i}: {outcome}"


def test_a_community_link_made_during_its_subjects_erasure_never_survives_it(store):
    """Item 16: token creation and erasure serialise on the map's lock; the link is
    either removed by the erasure or refused because its subject is gone."""
    new_map(store)
    for i in range(ROUNDS):
        pid = f"x{i}"
        store.create("m1", Person(pid, f"Person {i}", "health"))
        barrier = threading.Barrier(2)
        outcome: list = []

        def link(pid=pid, i=i):
            token = AccessToken(f"t{i}", "m1", "community", f"hash-{i}", subject=pid)
            barrier.wait()
            try:
                store.create_token(token)
                outcome.append("made")
            except NotFound:
                outcome.append("refused")

        def erase(pid=pid):
            barrier.wait()
            store.delete("m1", P, pid)

        threads = [threading.Thread(target=link), threading.Thread(target=erase)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        live = [t for t in store.list_tokens("m1") if t.subject == pid and t.revoked_at is None]
        assert live == [], f"round {i}: {outcome}"
        assert store.find_token(f"hash-{i}") is None


def test_a_link_to_a_missing_subject_is_refused_by_the_store(store):
    new_map(store)
    with pytest.raises(NotFound) as caught:
        store.create_token(AccessToken("t1", "m1", "community", "h1", subject="ghost"))
    assert "subject" in caught.value.errors and store.list_tokens("m1") == []
