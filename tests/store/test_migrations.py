"""Schema migrations: a database made by the previous release upgrades in place on both
stores, a fresh one ends the same, and a newer one is refused with a clear error."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from graph_models.errors import Conflict
from graph_models.model import EntityType, MapKind, NodeType, Person, Relationship, Visibility
from graph_models.store import migrations, sql
from graph_models.store.base import OPERATOR_SCOPE, Consent, ListFilter, SessionRecord
from graph_models.store.embedded import EmbeddedStore
from graph_models.store.migrations import LATEST, SQLITE_OFFSET, SchemaVersionError
from graph_models.store.neo4j import Neo4jStore
from tests.store.fixtures import release_9256e4e_neo4j

P, O, R = EntityType.PERSON, EntityType.ORGANISATION, EntityType.RELATIONSHIP
FIXTURES = Path(__file__).parent / "fixtures"
PREVIOUS_SQLITE = FIXTURES / "release-9256e4e.sqlite3"


def found(store, q, etype=P):
    return [x.id for x in store.list("m1", etype, filters=ListFilter(q=q)).items]


def sqlite_schema(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        return [*rows, ("user_version", db.execute("PRAGMA user_version").fetchone()[0], "")]
    finally:
        db.close()


def previous_release_copy(tmp_path) -> Path:
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(PREVIOUS_SQLITE, path)
    return path


def test_migrations_are_numbered_in_order():
    assert [m.number for m in migrations.MIGRATIONS] == list(range(1, LATEST + 1))
    assert LATEST >= 3 and all(
        m.description and (m.sqlite or m.sqlite_data) and (m.neo4j or m.neo4j_data)
        for m in migrations.MIGRATIONS
    )


def at_migration(monkeypatch, number: int) -> None:
    """Make stores opened from now on stop at migration ``number`` (an older release)."""
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:number])
    monkeypatch.setattr(migrations, "LATEST", number)


def revisions_sqlite(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        nodes = db.execute("SELECT id, revision FROM nodes ORDER BY id").fetchall()
        ties = db.execute("SELECT id, revision FROM relationships ORDER BY id").fetchall()
        return nodes + ties
    finally:
        db.close()


# -- SQLite --------------------------------------------------------------------------------


def test_fixture_is_the_previous_release(tmp_path):
    db = sqlite3.connect(PREVIOUS_SQLITE)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    columns = [r[1] for r in db.execute("PRAGMA table_info(nodes)")]
    assert "name_key" not in columns
    db.close()


def test_previous_release_sqlite_upgrades_in_place(tmp_path):
    path = previous_release_copy(tmp_path)
    store = EmbeddedStore(path)
    assert store.schema_version == LATEST
    assert sqlite_schema(path)[-1] == ("user_version", SQLITE_OFFSET + LATEST, "")
    # the data is all there
    m = store.get_map("m1")
    assert m.name == "Partneriaeth y Fro" and m.version == 4
    assert store.get("m1", P, "sian").name == "Siân Evans"
    assert store.get("m1", P, "ann").name == "Ann Price-Jones"
    assert sorted(r.id for r in store.graph("m1").relationships) == ["r1", "r2", "r3"]
    assert store.find_token("h-t1").label == "commissioners"
    log = store.audit_log("m1").items
    # the old unkeyed digest of an erased id (it could confirm a guessed id) is gone
    assert log[0].action == "delete" and log[0].entity_ref.startswith("erased:")
    # search by folded name works on the rows the old release wrote
    assert found(store, "sian") == ["sian"]
    assert found(store, "LLYR") == ["llyr"]
    assert found(store, "llyn", O) == ["clinic"]
    # and writing goes on from where it was
    store.create("m1", Person("sioned", "Sioned Ŵyn", "health"))
    assert found(store, "wyn") == ["sioned"] and store.get_map("m1").version == 5
    store.close()
    assert EmbeddedStore(path).schema_version == LATEST  # reopening changes nothing


def test_fresh_and_upgraded_sqlite_have_the_same_schema(tmp_path):
    upgraded = previous_release_copy(tmp_path)
    EmbeddedStore(upgraded).close()
    fresh = tmp_path / "fresh.sqlite3"
    EmbeddedStore(fresh).close()
    assert sqlite_schema(fresh) == sqlite_schema(upgraded)
    assert any(name == "nodes_by_name_key" for _, name, _ in sqlite_schema(fresh))


def test_failed_sqlite_upgrade_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)

    def broken(db):
        raise RuntimeError("a data step fails half-way")

    step = migrations.MIGRATIONS[1]
    patched = migrations.Migration(step.number, step.description, step.sqlite, step.neo4j, broken)
    monkeypatch.setattr(migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], patched))
    with pytest.raises(RuntimeError):
        EmbeddedStore(path)
    assert sqlite_schema(path) == sqlite_schema(PREVIOUS_SQLITE)


def test_sqlite_at_migration_2_upgrades_to_per_record_revisions(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 2)
        EmbeddedStore(path).close()
    assert sqlite_schema(path)[-1] == ("user_version", SQLITE_OFFSET + 2, "")
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(nodes)")]
    assert "revision" not in columns

    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 3
    assert revisions_sqlite(path) and {r for _, r in revisions_sqlite(path)} == {1}
    assert store.get_revised("m1", P, "sian") == (store.get("m1", P, "sian"), 1)
    assert store.get_revised("m1", R, "r1")[1] == 1
    role = store.patch("m1", P, "sian", lambda p, _m: dataclasses.replace(p, role="GP"))
    assert role[1] == 2 and store.get_revised("m1", P, "ann")[1] == 1
    store.close()


def test_sqlite_at_migration_3_upgrades_to_erasure_tombstones(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 3)
        EmbeddedStore(path).close()
    db = sqlite3.connect(path)
    old_refs = [r[0] for r in db.execute("SELECT entity_ref FROM audit WHERE action = 'delete'")]
    db.close()
    assert old_refs and all(r.startswith("sha256:") for r in old_refs)

    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 4
    db = sqlite3.connect(path)
    keys = [r[0] for r in db.execute("SELECT erasure_key FROM maps")]
    new_refs = [r[0] for r in db.execute("SELECT entity_ref FROM audit WHERE action = 'delete'")]
    db.close()
    assert keys and all(len(k) == 64 for k in keys) and len(set(keys)) == len(keys)
    assert len(new_refs) == len(old_refs) and all(r.startswith("erased:") for r in new_refs)
    # erasure now leaves a tombstone on the upgraded file
    store.delete("m1", P, "ann")
    assert store.erased_ids("m1", ["ann", "sian"]) == {"ann"}
    with pytest.raises(Conflict):
        store.create("m1", Person("ann", "Ann", "health"))
    store.close()


def test_sqlite_at_migration_4_upgrades_to_sessions_operator_log_and_default_consent(
    tmp_path, monkeypatch
):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 4)
        EmbeddedStore(path).close()
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    old_data = [json.loads(r[0]) for r in db.execute("SELECT data FROM maps")]
    db.close()
    assert "sessions" not in tables
    assert old_data and not any("default_visibility" in d for d in old_data)

    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 5
    db = sqlite3.connect(path)
    new_data = [json.loads(r[0]) for r in db.execute("SELECT data FROM maps")]
    db.close()
    # maps made before a map could state it gave new people "named": that stays so
    assert all(d["default_visibility"] == "named" for d in new_data)
    assert store.get_map("m1").default_visibility is Visibility.NAMED
    _sessions_and_operator_log_work(store)
    store.close()


def test_newer_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "db.sqlite3"
    EmbeddedStore(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SQLITE_OFFSET + LATEST + 1}")
    db.close()
    with pytest.raises(SchemaVersionError, match="newer version of Bridgemap"):
        EmbeddedStore(path)


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE stuff (x)")
    db.execute("PRAGMA user_version = 7")
    db.close()
    with pytest.raises(SchemaVersionError, match="not made by Bridgemap"):
        EmbeddedStore(path)


# -- Neo4j ---------------------------------------------------------------------------------


def reset_neo4j(driver) -> None:
    """An empty database: no data, no constraints, no indexes (but Neo4j's own lookups)."""
    driver.execute_query("MATCH (n) DETACH DELETE n")
    for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        driver.execute_query(f"DROP CONSTRAINT `{record['name']}`")
    indexes = driver.execute_query("SHOW INDEXES YIELD name, type").records
    for record in indexes:
        if record["type"] != "LOOKUP":
            driver.execute_query(f"DROP INDEX `{record['name']}`")


def index_names(driver) -> set[str]:
    return {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}


@pytest.fixture
def empty_neo4j(neo4j_driver):
    reset_neo4j(neo4j_driver)
    yield neo4j_driver
    reset_neo4j(neo4j_driver)
    Neo4jStore(neo4j_driver, owns_driver=False)  # leave the current schema for other tests


@pytest.mark.neo4j
def test_previous_release_neo4j_upgrades_in_place(empty_neo4j):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    assert migrations.neo4j_version(driver, "neo4j") == 0
    assert "node_name_key" not in index_names(driver)

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST
    assert migrations.neo4j_version(driver, "neo4j") == LATEST
    assert "node_name_key" in index_names(driver)
    schema_nodes = driver.execute_query("MATCH (s:BridgemapSchema) RETURN s.version AS v")
    assert [r["v"] for r in schema_nodes.records] == [LATEST]
    # the data is all there
    m = store.get_map("m1")
    assert m.name == "Partneriaeth y Fro" and m.version == 2
    assert store.get("m1", P, "sian").name == "Siân Evans"
    assert sorted(r.id for r in store.graph("m1").relationships) == ["r1", "r2", "r3"]
    assert store.find_token("h-t1").label == "commissioners"
    assert [e.entity_ref for e in store.audit_log("m1").items] == ["t1", "batch"]
    # search by folded name works on the nodes the old release wrote
    assert found(store, "sian") == ["sian"]
    assert found(store, "LLYR") == ["llyr"]
    assert found(store, "llyn", O) == ["clinic"]
    # and writing goes on from where it was
    store.create("m1", Person("sioned", "Sioned Ŵyn", "health"))
    assert found(store, "wyn") == ["sioned"] and store.get_map("m1").version == 3
    # opening again changes nothing
    assert Neo4jStore(driver, owns_driver=False).schema_version == LATEST


@pytest.mark.neo4j
def test_fresh_and_upgraded_neo4j_have_the_same_schema(empty_neo4j):
    driver = empty_neo4j

    def schema():
        indexes = driver.execute_query("SHOW INDEXES YIELD name, type, labelsOrTypes, properties")
        constraints = driver.execute_query("SHOW CONSTRAINTS YIELD name, type")
        return sorted(str(r.data()) for r in [*indexes.records, *constraints.records])

    Neo4jStore(driver, owns_driver=False)
    fresh = schema()
    reset_neo4j(driver)
    release_9256e4e_neo4j.write(driver)
    Neo4jStore(driver, owns_driver=False)
    assert schema() == fresh


@pytest.mark.neo4j
def test_neo4j_at_migration_2_upgrades_to_per_record_revisions(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 2)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 2
    unset = "MATCH (n:Node) WHERE n.revision IS NOT NULL RETURN count(n) AS c"
    assert driver.execute_query(unset).records[0]["c"] == 0

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 3
    counts = driver.execute_query(
        "MATCH (n:Node) WITH collect(n.revision) AS nodes "
        "MATCH (:Node)-[r]->(:Node) RETURN nodes, collect(r.revision) AS ties"
    ).records[0]
    assert set(counts["nodes"]) == {1} and set(counts["ties"]) == {1}
    assert store.get_revised("m1", P, "sian")[1] == 1
    assert store.get_revised("m1", R, "r1")[1] == 1
    changed = store.patch("m1", R, "r1", lambda r, _m: dataclasses.replace(r, strength=5))
    assert changed[1] == 2 and store.get("m1", R, "r1").strength == 5


@pytest.mark.neo4j
def test_neo4j_at_migration_3_upgrades_to_erasure_tombstones(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    driver.execute_query(
        "CREATE (:Audit {map_id: 'm1', seq: 0, at: '2024-01-01T00:00:00Z', actor: '', "
        "action: 'delete', entity_type: 'person', entity_ref: 'sha256:0123456789abcdef'})"
    )
    with monkeypatch.context() as patch:
        at_migration(patch, 3)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 3

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 4
    keys = driver.execute_query("MATCH (m:Map) RETURN m.erasure_key AS k").records
    assert keys and all(len(r["k"]) == 64 for r in keys)
    refs = [e.entity_ref for e in store.audit_log("m1", limit=100).items]
    assert not any(r.startswith("sha256:") for r in refs) and any(
        r.startswith("erased:") for r in refs
    )
    store.delete("m1", P, "sian")
    assert store.erased_ids("m1", ["sian", "ann"]) == {"sian"}
    with pytest.raises(Conflict):
        store.create("m1", Person("sian", "Siân", "health"))


@pytest.mark.neo4j
def test_newer_neo4j_database_is_refused(empty_neo4j):
    driver = empty_neo4j
    Neo4jStore(driver, owns_driver=False)
    driver.execute_query("MATCH (s:BridgemapSchema) SET s.version = $v", v=LATEST + 1)
    with pytest.raises(SchemaVersionError, match="newer version of Bridgemap"):
        Neo4jStore(driver, owns_driver=False)


@pytest.mark.neo4j
def test_neo4j_at_migration_4_upgrades_to_sessions_operator_log_and_default_consent(
    empty_neo4j, monkeypatch
):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 4)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 4
    assert "session_token" not in index_names(driver)
    data = driver.execute_query("MATCH (m:Map) RETURN m.data AS d").records
    assert not any("default_visibility" in json.loads(r["d"]) for r in data)

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 5
    assert {"session_token", "session_id", "operator_log"} <= index_names(driver)
    data = driver.execute_query("MATCH (m:Map) RETURN m.data AS d").records
    assert all(json.loads(r["d"])["default_visibility"] == "named" for r in data)
    assert store.get_map("m1").default_visibility is Visibility.NAMED
    _sessions_and_operator_log_work(store)


def _sessions_and_operator_log_work(store) -> None:
    """What migration 5 brings, used on an upgraded store: a session is kept and ended,
    and a map's deletion is recorded in the operator's log, which outlives the map."""
    record = SessionRecord("h-s1", "t1", "2026-01-01T00:00:00+00:00", "2999-01-01T00:00:00+00:00")
    store.start_session(record)
    assert store.find_session("h-s1", now="2026-06-01T00:00:00+00:00") == record
    store.end_session("h-s1")
    assert store.find_session("h-s1", now="2026-06-01T00:00:00+00:00") is None
    store.delete_map("m1", actor="admin:tok_1")
    entries = store.audit_log(OPERATOR_SCOPE).items
    assert [(e.actor, e.action, e.entity_type, e.entity_ref) for e in entries] == [
        ("admin:tok_1", "delete", "map", "m1")
    ]


# -- migration 6: relationship surveys --------------------------------------------------


def _survey_round_trip(store) -> None:
    from graph_models.surveys.model import Survey

    store.create_survey("m1", Survey("s1", "Who do you work with?"), ["sian"])
    assert [r.person_id for r in store.survey_respondents("m1", "s1")] == ["sian"]
    store.create(
        "m1",
        Relationship("new-tie", "ann", "sian", "mentors", origin="survey", reported_by=["ann"]),
    )
    assert store.get("m1", R, "new-tie").reported_by == ["ann"]


def test_sqlite_at_migration_5_upgrades_to_surveys(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 5)
        EmbeddedStore(path).close()
    assert "surveys" not in {name for _, name, _ in sqlite_schema(path)}

    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 6
    ties = store.graph("m1").relationships
    assert ties and {(r.origin, tuple(r.reported_by)) for r in ties} == {("", ())}
    _survey_round_trip(store)
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_5_upgrades_to_surveys(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 5)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 5

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 6
    constraints = driver.execute_query("SHOW CONSTRAINTS YIELD name").records
    assert {"survey_identity", "response_identity"} <= {r["name"] for r in constraints}
    ties = store.graph("m1").relationships
    assert ties and {(r.origin, tuple(r.reported_by)) for r in ties} == {("", ())}
    _survey_round_trip(store)


def test_sqlite_at_migration_6_upgrades_to_import_mappings(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 6)
        EmbeddedStore(path).close()
    assert not any(r[1] == "import_mappings" for r in sqlite_schema(path))
    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 7
    assert store.get_import_mapping("m1", "table:x") is None
    version = store.get_map("m1").version
    store.put_import_mapping("m1", "table:x", {"nodes": {"columns": {"Label": "name"}}})
    assert store.get_import_mapping("m1", "table:x") == {"nodes": {"columns": {"Label": "name"}}}
    assert store.get_map("m1").version == version
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_6_upgrades_to_import_mappings(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 6)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 6
    assert "import_mapping_key" not in {
        r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records
    }
    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 7
    assert "import_mapping_key" in {
        r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records
    }
    store.put_import_mapping("m1", "graph:y", {"relationships": {"strength": "linear"}})
    assert store.get_import_mapping("m1", "graph:y") == {"relationships": {"strength": "linear"}}


def test_sqlite_at_migration_7_upgrades_to_analysis_results(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 7)
        EmbeddedStore(path).close()
    assert "analysis_results" not in {row[1] for row in sqlite_schema(path)}
    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 8
    names = {row[1] for row in sqlite_schema(path)}
    assert {"analysis_results", "analysis_leases"} <= names
    v = store.get_map("m1").version
    assert store.save_analysis_result("m1", "paths:2026-01-01", v, {"nodes": 2})
    assert store.analysis_result("m1", "paths:2026-01-01", v) == {"nodes": 2}
    assert store.take_lease("m1", "paths:v", "a", seconds=5)[0]
    assert found(store, "sian") == ["sian"]  # the old data is all there
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_7_upgrades_to_analysis_results(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 7)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 7
    constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert "analysis_result_key" not in constraints

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 8
    constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert {"analysis_result_key", "analysis_lease_key"} <= constraints
    v = store.get_map("m1").version
    assert store.save_analysis_result("m1", "paths:2026-01-01", v, {"nodes": 2})
    assert store.analysis_result("m1", "paths:2026-01-01", v) == {"nodes": 2}
    assert store.take_lease("m1", "paths:v", "a", seconds=5)[0]
    assert not store.take_lease("m1", "paths:v", "b", seconds=5)[0]
    assert found(store, "sian") == ["sian"]


def _map_data_sqlite(path) -> dict:
    db = sqlite3.connect(path)
    try:
        return json.loads(db.execute("SELECT data FROM maps WHERE id = 'm1'").fetchone()[0])
    finally:
        db.close()


def _own_kind_round_trip(store) -> None:
    """After migration 9 a map can take a kind of its own and a tie of that kind."""
    m = store.get_map("m1")
    m.kinds = [
        MapKind("co_delivers", "co-delivers", NodeType.PERSON, NodeType.PERSON, label_cy="cyd")
    ]
    store.update_map(m)
    people = store.list("m1", P).items
    a, b = people[0].id, people[1].id
    store.create("m1", Relationship("own-1", a, b, "co_delivers"))
    assert store.get("m1", R, "own-1").kind == "co_delivers"
    assert store.get_map("m1").kinds[0].label_cy == "cyd"


def test_sqlite_at_migration_8_upgrades_to_map_vocabulary(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 8)
        EmbeddedStore(path).close()
    before = _map_data_sqlite(path)
    assert "kinds" not in before and all("label_cy" not in s for s in before["silos"])
    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 9
    after = _map_data_sqlite(path)
    assert after["kinds"] == []
    assert [s["label_cy"] for s in after["silos"]] == [""] * len(before["silos"])
    assert [s["name"] for s in after["silos"]] == [s["name"] for s in before["silos"]]
    assert store.get_map("m1").kinds == []
    _own_kind_round_trip(store)
    assert found(store, "sian") == ["sian"]  # the old data is all there
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_8_upgrades_to_map_vocabulary(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 8)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 8
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert "rel_id_relates_to" not in indexes
    data = driver.execute_query("MATCH (m:Map {id: 'm1'}) RETURN m.data AS d").records[0]["d"]
    assert "kinds" not in json.loads(data)

    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 9
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert "rel_id_relates_to" in indexes
    data = driver.execute_query("MATCH (m:Map {id: 'm1'}) RETURN m.data AS d").records[0]["d"]
    values = json.loads(data)
    assert values["kinds"] == [] and {s["label_cy"] for s in values["silos"]} == {""}
    _own_kind_round_trip(store)
    types = driver.execute_query(
        "MATCH ()-[r {id: 'own-1'}]->() RETURN type(r) AS t, r.kind AS k"
    ).records
    assert [(r["t"], r["k"]) for r in types] == [("RELATES_TO", "co_delivers")]
    assert found(store, "sian") == ["sian"]


# -- migration 10: lists paged in the store as readers see them ------------------------------

ANYONE = Consent(min_group=1, label=lambda silo: f"a person in {silo}")


def shown(store, q=None, etype=P):
    page = store.list_shown("m1", etype, filters=ListFilter(q=q), consent=ANYONE).page
    return [getattr(x, "name", None) or x.id for x in page.items], page.total


def check_list_order_upgrade(store) -> None:
    assert store.schema_version == LATEST >= 10
    names, total = shown(store)  # (Ann's name differs between the two fixtures)
    assert (
        total == 3
        and names[0].startswith("Ann Price")
        and names[1:]
        == [
            "Llŷr Jones",
            "Siân Evans",
        ]
    )
    sian = store.get("m1", P, "sian")
    store.update("m1", dataclasses.replace(sian, visibility=Visibility.ANONYMISED))
    names, total = shown(store, "person")
    assert total == 1 and names == ["Siân Evans"]  # found by what a viewer reads...
    assert shown(store, "sian") == ([], 0)  # ...never by the name a viewer may not read


def test_sqlite_at_migration_9_upgrades_to_list_order_keys(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 9)
        EmbeddedStore(path).close()
    store = EmbeddedStore(path)
    db = sqlite3.connect(path)
    try:
        for table in ("nodes", "relationships"):
            keys = [r[0] for r in db.execute(f"SELECT shuffle FROM {table}")]  # noqa: S608
            assert keys and all(len(k) == 16 for k in keys) and len(set(keys)) == len(keys)
    finally:
        db.close()
    check_list_order_upgrade(store)
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_9_upgrades_to_list_order_keys(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 9)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 9
    store = Neo4jStore(driver, owns_driver=False)
    people = driver.execute_query("MATCH (n:Person) RETURN n.visibility AS v").records
    assert people and {r["v"] for r in people} == {"named"}
    for query in ("MATCH (n:Node) RETURN n.shuffle AS k", "MATCH ()-[r]->() RETURN r.shuffle AS k"):
        keys = [r["k"] for r in driver.execute_query(query).records]
        assert keys and all(keys) and len(set(keys)) == len(keys)
    check_list_order_upgrade(store)


def test_sqlite_at_migration_10_upgrades_to_responses_by_person(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 10)
        EmbeddedStore(path).close()
    assert "responses_by_person" not in {row[1] for row in sqlite_schema(path)}
    store = EmbeddedStore(path)
    assert store.schema_version == LATEST >= 11
    store.close()
    assert ("index", "responses_by_person") in {row[:2] for row in sqlite_schema(path)}
    db = sqlite3.connect(path)
    try:
        plan = db.execute(
            "EXPLAIN QUERY PLAN DELETE FROM responses WHERE map_id = ? AND person_id = ?",
            ("m", "p"),
        ).fetchall()
    finally:
        db.close()
    assert any("responses_by_person" in row[-1] for row in plan)


def _plan_operators(driver, query: str, **params) -> list[str]:
    """The operators of ``query``'s plan, as the server would run it."""
    summary = driver.execute_query("EXPLAIN " + query, **params).summary

    def walk(op) -> list[str]:
        here = [f"{op['operatorType']} {op.get('args', {}).get('Details', '')}"]
        return here + [x for child in op.get("children", []) for x in walk(child)]

    return walk(summary.plan)


@pytest.mark.neo4j
def test_neo4j_at_migration_10_upgrades_to_reads_of_a_map_by_index(empty_neo4j, monkeypatch):
    from graph_models.store import cypher

    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 10)
        Neo4jStore(driver, owns_driver=False)
    assert migrations.neo4j_version(driver, "neo4j") == 10
    before = _plan_operators(driver, cypher.ALL_NODES, map_id="m")
    assert any(op.startswith("NodeByLabelScan") for op in before)  # every map's nodes
    store = Neo4jStore(driver, owns_driver=False)
    assert store.schema_version == LATEST >= 11
    assert {"node_map", "response_map", "respondent_map"} <= index_names(driver)
    driver.execute_query("CALL db.awaitIndexes(60)")
    for query, index in (
        (cypher.ALL_NODES, "Node(map_id)"),
        (cypher.ROSTER_NODES, "Node(map_id)"),
        (cypher.LIST_RESPONSES, "SurveyResponse(map_id)"),
        (cypher.RESPONDENTS, "Respondent(map_id)"),
    ):
        plan = _plan_operators(driver, query, map_id="m", survey_id="s")
        assert any(op.startswith("NodeIndexSeek") and index in op for op in plan), plan
        assert not any(op.startswith("NodeByLabelScan") for op in plan), plan


# -- migration 12: indexes the tie lists read -------------------------------------------------


def check_tie_list_upgrade(store) -> None:
    """Upgraded, a tie list is counted and paged by the new statements (which name the
    new indexes), for a coordinator and for a viewer."""
    assert store.schema_version == LATEST >= 12
    ties = store.list_shown("m1", R, consent=ANYONE)
    everyone = store.list_shown("m1", R)
    assert everyone.page.total == len(everyone.page.items) > 0
    assert ties.page.total == len(ties.page.items) <= everyone.page.total
    second = store.list_shown("m1", R, limit=1, offset=1).page
    assert [t.id for t in second.items] == [t.id for t in everyone.page.items[1:2]]


def test_sqlite_at_migration_11_upgrades_to_tie_list_indexes(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, 11)
        EmbeddedStore(path).close()
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert "rel_by_source" in names and not names & {"rel_list", "nodes_by_visibility"}
    store = EmbeddedStore(path)
    db = sqlite3.connect(path)
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"rel_list", "nodes_by_visibility"} <= names and "rel_by_source" not in names
        plan = " ".join(
            r[3]
            for r in db.execute(
                "EXPLAIN QUERY PLAN " + sql.SHOWN_TIE_GROUPS[(False, False)],
                {
                    "map_id": "m1",
                    "viewer": False,
                    "small": "[]",
                    "labels": "{}",
                    "kind": None,
                    "q": None,
                },
            )
        )
        assert "COVERING INDEX rel_list" in plan  # counted from the index, not the table
    finally:
        db.close()
    check_tie_list_upgrade(store)
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_11_upgrades_to_tie_list_indexes(empty_neo4j, monkeypatch):
    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, 11)
        Neo4jStore(driver, owns_driver=False)
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert "node_visibility" not in indexes
    store = Neo4jStore(driver, owns_driver=False)
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert "node_visibility" in indexes
    check_tie_list_upgrade(store)


# -- migration 13 (14 on main): lists that read no more than their page ------------------------
# Numbered 13 on this branch (main had 1..12); renumbered 14 at the merge after the lead's 13.
LISTS_MIGRATION = 13


def check_list_upgrade(store) -> None:
    """Upgraded, people and ties are listed, counted and paged as before."""
    assert store.schema_version == LATEST >= LISTS_MIGRATION
    for etype in (EntityType.PERSON, R):
        everyone = store.list_shown("m1", etype)
        assert everyone.page.total == len(everyone.page.items) > 0
        viewer = store.list_shown("m1", etype, consent=ANYONE)
        assert viewer.page.total == len(viewer.page.items) <= everyone.page.total
        second = store.list_shown("m1", etype, limit=1, offset=1).page
        assert [x.id for x in second.items] == [x.id for x in everyone.page.items[1:2]]


def test_sqlite_at_migration_12_upgrades_to_people_counted_by_index(tmp_path, monkeypatch):
    path = previous_release_copy(tmp_path)
    with monkeypatch.context() as patch:
        at_migration(patch, LISTS_MIGRATION - 1)
        EmbeddedStore(path).close()
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert "nodes_by_silo" not in names
    store = EmbeddedStore(path)
    db = sqlite3.connect(path)
    try:
        plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql.SILO_PEOPLE, ("m1",)))
        assert "COVERING INDEX nodes_by_silo" in plan  # counted from the index alone
    finally:
        db.close()
    check_list_upgrade(store)
    store.close()


@pytest.mark.neo4j
def test_neo4j_at_migration_12_upgrades_to_lists_read_in_index_order(empty_neo4j, monkeypatch):
    """Upgraded, a page of people (and the first ends of ties) is read in the index's
    order and stops at the page's end, and people are counted by silo and consent from
    an index alone; before, the list read every person of the map."""
    from graph_models.store import cypher

    driver = empty_neo4j
    release_9256e4e_neo4j.write(driver)
    with monkeypatch.context() as patch:
        at_migration(patch, LISTS_MIGRATION - 1)
        Neo4jStore(driver, owns_driver=False)
    new = {"person_order", "organisation_order", "node_order", "person_consent"}
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert not indexes & new
    store = Neo4jStore(driver, owns_driver=False)
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    assert new <= indexes
    driver.execute_query("CALL db.awaitIndexes(60)")
    args = dict(map_id="m1", viewer=True, small=[], labels={}, silo=None, kind=None, q=None)
    page = _plan_operators(
        driver, cypher.LIST_SHOWN_NODES["person"], **args, blocks=[], offset=0, limit=5
    )
    # the index gives the order: a partial sort of the rows up to the page's end, no sort
    assert any("Person(map_id, name_key)" in op for op in page), page
    assert any(op.startswith("PartialTop") for op in page), page
    heads = _plan_operators(driver, cypher.SHOWN_TIE_HEADS, **args, offset=0, limit=5)
    assert any("Node(map_id, name_key)" in op for op in heads), heads
    assert not any(op.startswith(("Sort", "Top")) for op in heads), heads
    counts = _plan_operators(driver, cypher.SILO_CONSENT, map_id="m1")
    assert any("Person(map_id, silo, visibility)" in op for op in counts), counts
    assert not any(op.startswith("NodeByLabelScan") for op in counts), counts
    check_list_upgrade(store)
