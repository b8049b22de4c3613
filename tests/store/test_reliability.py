"""Reliability: data survives restarts, concurrent writes are neither lost nor doubled,
and a Neo4j outage gives 503s from which the service recovers by itself."""

from __future__ import annotations

import io
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import neo4j
import pytest

from graph_models.errors import InvalidInput, StoreUnavailable
from graph_models.model import EntityType, Map, Person, Relationship, Silo
from graph_models.store.embedded import EmbeddedStore
from graph_models.store.neo4j import Neo4jStore
from tests.conftest import ADMIN_SECRET, make_app, unavailable
from tests.neo4j_server import LocalNeo4j, free_port


def seed(store):
    store.create_map(Map("m1", "M", silos=[Silo("health")]))
    store.bulk_upsert(
        "m1",
        [Person("a", "Ann", "health"), Person("b", "Bob", "health")],
        [Relationship("t", "a", "b", "knows")],
    )


def test_embedded_data_survives_reopen(tmp_path):
    first = EmbeddedStore(tmp_path / "db.sqlite3")
    seed(first)
    first.close()
    again = EmbeddedStore(tmp_path / "db.sqlite3")
    assert again.get("m1", EntityType.PERSON, "a").name == "Ann"
    assert len(again.graph("m1").relationships) == 1
    assert again.get_map("m1").version == 1


def test_concurrent_upserts_of_one_id_leave_one_node(store):
    store.create_map(Map("m1", "M", silos=[Silo("health")]))

    def upsert(i):
        store.bulk_upsert("m1", [Person("same", f"Version {i}", "health")], [])

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(upsert, range(20)))
    people = store.list("m1", EntityType.PERSON)
    assert people.total == 1 and people.items[0].id == "same"
    assert store.get_map("m1").version == 20


def test_concurrent_writes_to_different_ids_lose_none(store):
    store.create_map(Map("m1", "M", silos=[Silo("health")]))

    def create(i):
        store.create("m1", Person(f"p{i}", f"Person {i}", "health"))

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(create, range(40)))
    assert store.list("m1", EntityType.PERSON, limit=100).total == 40
    assert store.get_map("m1").version == 40


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory):
    """A Neo4j server of this module's own, which its tests stop and restart."""
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j-own"), free_port())
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001
        unavailable(f"could not start Neo4j: {exc}")
    yield server
    server.stop()


def make_store(server):
    driver = neo4j.GraphDatabase.driver(
        server.uri, auth=None, connection_timeout=2, max_transaction_retry_time=2
    )
    return Neo4jStore(driver)


@pytest.mark.slow
@pytest.mark.neo4j
def test_neo4j_data_survives_restart(own_neo4j):
    store = make_store(own_neo4j)
    seed(store)
    store.close()
    own_neo4j.restart()
    store = make_store(own_neo4j)
    assert store.get("m1", EntityType.PERSON, "b").name == "Bob"
    assert [r.id for r in store.graph("m1").relationships] == ["t"]
    store.close()


@pytest.mark.slow
@pytest.mark.neo4j
def test_neo4j_outage_gives_503_and_recovers(own_neo4j):
    store = make_store(own_neo4j)
    app = make_app(store)
    client = app.test_client()
    client.token = ADMIN_SECRET
    client.post("/api/v1/maps", json={"id": "outage", "name": "Outage"})
    assert client.get("/api/v1/maps/outage").status_code == 200
    viewer = app.test_client()
    viewer.token = client.post("/api/v1/maps/outage/tokens", json={"role": "viewer"}).json["token"]

    own_neo4j.stop()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["status"] == "unavailable"
    for response in (
        client.get("/api/v1/maps/outage"),
        client.post("/api/v1/maps/outage/people", json={"name": "A", "silo": "health"}),
    ):
        assert response.status_code == 503
        assert response.json["code"] == 503 and "Neo4j" in response.json["message"]
    assert viewer.get("/api/v1/maps/outage").status_code == 503  # not 401: tokens are in Neo4j

    own_neo4j.start()
    # /healthz answers within seconds, so it may say 503 while the database still starts
    deadline = time.monotonic() + 30
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "the health check did not recover"
        time.sleep(0.5)
    assert client.get("/api/v1/maps/outage").status_code == 200
    assert viewer.get("/api/v1/maps/outage").status_code == 200
    store.close()


# -- a locked or full SQLite database: 503, never 500, never half-written -----------------


def test_locked_sqlite_gives_503_and_recovers(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = EmbeddedStore(path, busy_timeout=0.2)
    app = make_app(store)
    client = app.test_client()
    client.token = ADMIN_SECRET
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "M"}).status_code == 201
    person = {"name": "Ann", "silo": "health"}

    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            store.create("m1", Person("a", "Ann", "health"))
        response = client.post("/api/v1/maps/m1/people", json=person)
        assert response.status_code == 503, response.json
        assert response.json["code"] == 503 and "locked" in response.json["message"]
        assert client.get("/api/v1/maps/m1").status_code == 200  # readers go on (WAL)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert client.post("/api/v1/maps/m1/people", json=person).status_code == 201
    assert store.list("m1", EntityType.PERSON).total == 1
    assert store.get_map("m1").version == 1
    store.close()


def test_full_sqlite_disk_gives_503_and_writes_nothing(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    store.create_map(Map("m1", "M", silos=[Silo("health")]))
    db = store._conn()  # this thread's connection: cap the file at its current size
    db.execute("PRAGMA max_page_count = " + str(db.execute("PRAGMA page_count").fetchone()[0]))
    people = [Person(f"p{i}", f"Person {i}" + "x" * 200, "health") for i in range(2000)]
    with pytest.raises(StoreUnavailable, match="full"):
        store.bulk_upsert("m1", people, [])
    app = make_app(store)
    client = app.test_client()
    client.token = ADMIN_SECRET
    rows = "name,silo,role\n" + "".join(f"Person {i},health,{'r' * 100}\n" for i in range(2000))
    form = {"file": (io.BytesIO(rows.encode()), "people.csv")}
    response = client.post("/api/v1/maps/m1/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 503, response.json
    assert "full" in response.json["message"]
    assert store.list("m1", EntityType.PERSON).total == 0 and store.get_map("m1").version == 0
    store.close()


def test_unreadable_sqlite_file_gives_store_unavailable(tmp_path):
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database, but it is long enough to look like a header" * 20)
    with pytest.raises(StoreUnavailable):
        EmbeddedStore(path)


def test_bulk_write_checks_ends_itself_and_keeps_foreign_keys_for_the_rest(tmp_path):
    # a bulk write runs with SQLite's per-row foreign-key check off (the rules look every
    # end up in the same transaction); the connection must get it back afterwards,
    # whether the batch was written or refused, so that deleting a person still takes
    # their ties with it
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    store.create_map(Map("m", "M", silos=[Silo("health", "#123456")]))
    a, b = Person("a", "A", "health"), Person("b", "B", "health")
    with pytest.raises(InvalidInput):
        store.bulk_upsert("m", [a, b], [Relationship("t", "a", "ghost", "knows")])
    assert store._conn().execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert store.list("m", EntityType.RELATIONSHIP).total == 0
    store.bulk_upsert("m", [a, b], [Relationship("t", "a", "b", "knows")])
    assert store._conn().execute("PRAGMA foreign_keys").fetchone() == (1,)
    store._conn().execute("DELETE FROM nodes WHERE map_id = 'm' AND id = 'b'")  # no rules
    assert store.list("m", EntityType.RELATIONSHIP).total == 0  # the cascade ran
    store.close()
