"""Schema creation is safe when several processes open the same empty database at once
(gunicorn workers starting together): none fails, and the schema is made once."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3

import neo4j
import pytest

from graph_models.store.migrations import LATEST, SQLITE_OFFSET
from tests.store.test_migrations import index_names, reset_neo4j

ROUNDS = int(os.environ.get("STARTUP_ROUNDS", "10"))
WORKERS = 4
#: fork: the children start at once, without re-importing everything
CONTEXT = multiprocessing.get_context("fork")


def _open_embedded(path, barrier, results) -> None:
    try:
        from graph_models.model import Map
        from graph_models.store.embedded import EmbeddedStore

        barrier.wait(timeout=60)
        store = EmbeddedStore(path)
        store.create_map(Map(f"m-{multiprocessing.current_process().name}", "M"))
        results.put(("ok", store.schema_version))
        store.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        results.put(("error", repr(exc)))


def _open_neo4j(uri, barrier, results) -> None:
    try:
        from graph_models.model import Map
        from graph_models.store.neo4j import Neo4jStore

        driver = neo4j.GraphDatabase.driver(uri, auth=None)
        driver.verify_connectivity()
        barrier.wait(timeout=60)
        store = Neo4jStore(driver)
        store.create_map(Map(f"m-{multiprocessing.current_process().name}", "M"))
        results.put(("ok", store.schema_version))
        store.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        results.put(("error", repr(exc)))


def start_together(target, *args) -> list:
    barrier, results = CONTEXT.Barrier(WORKERS), CONTEXT.Queue()
    procs = [
        CONTEXT.Process(target=target, args=(*args, barrier, results), name=f"w{i}")
        for i in range(WORKERS)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return outcomes


def test_sqlite_concurrent_start_on_empty_folder(tmp_path):
    for round_ in range(ROUNDS):
        path = tmp_path / f"round-{round_}" / "db.sqlite3"  # the folder does not exist yet
        outcomes = start_together(_open_embedded, str(path))
        assert outcomes == [("ok", LATEST)] * WORKERS, f"round {round_}: {outcomes}"
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA user_version").fetchone()[0] == SQLITE_OFFSET + LATEST
        assert db.execute("SELECT count(*) FROM maps").fetchone()[0] == WORKERS
        db.close()


@pytest.mark.neo4j
def test_neo4j_concurrent_start_on_empty_database(neo4j_driver, neo4j_uri):
    try:
        for round_ in range(ROUNDS):
            reset_neo4j(neo4j_driver)
            outcomes = start_together(_open_neo4j, neo4j_uri)
            assert outcomes == [("ok", LATEST)] * WORKERS, f"round {round_}: {outcomes}"
            versions = neo4j_driver.execute_query("MATCH (s:BridgemapSchema) RETURN s.version AS v")
            assert [r["v"] for r in versions.records] == [LATEST]
            maps = neo4j_driver.execute_query("MATCH (m:Map) RETURN count(m) AS n")
            assert maps.records[0]["n"] == WORKERS
            assert "node_name_key" in index_names(neo4j_driver)
    finally:
        from graph_models.store.neo4j import Neo4jStore

        reset_neo4j(neo4j_driver)
        Neo4jStore(neo4j_driver, owns_driver=False)
