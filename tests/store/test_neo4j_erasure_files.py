"""What erasure leaves on a Neo4j server's disk, as configured by the project
(scripts/neo4j: transaction logs kept no longer than recovery needs, rotated at
128 KiB, checkpointed every minute and at shutdown; files private).

Neo4j Community has no ``db.checkpoint()`` procedure, so the test checkpoints the way
a server does on its own: a clean restart (shutdown checkpoints). What it asserts is
what we can guarantee: once the transaction log that recorded the person has rotated
and a checkpoint has run, no transaction log holds their name or contact. What it
does not assert, because Neo4j does not do it: store and index files mark deleted
records unused without overwriting them, so the bytes stay until the space is reused
(README, "Erasure on Neo4j").
"""

from __future__ import annotations

import stat

import neo4j
import pytest

from graph_models.model import EntityType, Map, Person, Relationship, Silo
from graph_models.store.neo4j import Neo4jStore
from tests.conftest import unavailable
from tests.neo4j_server import LocalNeo4j, free_port
from tests.store.test_erasure_files import CONTACT, NAME

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def holding(folder, *needles: str) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits = [n for n in needles if n.encode() in data]
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found


def test_after_rotation_and_a_checkpoint_no_transaction_log_holds_the_erased(tmp_path):
    server = LocalNeo4j(tmp_path / "neo4j", free_port())
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - reported through unavailable()
        unavailable(f"could not start Neo4j: {exc}")
    logs = server.data_dir / "data" / "transactions"
    try:
        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            store = Neo4jStore(driver, owns_driver=False)
            store.create_map(Map("m1", "M", silos=[Silo("health")]))
            erin = Person("e-41", NAME, "health", contact=CONTACT)
            crowd = [Person(f"p{i}", f"Person Number {i}", "health") for i in range(50)]
            store.bulk_upsert("m1", [*crowd, erin], [Relationship("t1", "p1", "e-41", "knows")])
            store.delete("m1", EntityType.PERSON, "e-41")
            assert holding(logs, NAME, CONTACT)  # at first the log still holds her
            # ordinary work afterwards fills more than one 128 KiB log file
            for k in range(40):
                batch = [Person(f"f{k}-{i}", f"Filler {k}-{i} " * 12, "health") for i in range(100)]
                store.bulk_upsert("m1", batch, [])
        server.restart()  # a checkpoint, which prunes the rotated logs
        assert holding(logs, "Filler 39-")  # the scan sees the current log
        assert holding(logs, NAME, CONTACT) == {}
        # data files and folders private to the server's user
        for path in (server.data_dir / "data", *(server.data_dir / "data").rglob("*")):
            want = 0o700 if path.is_dir() else 0o600
            assert stat.S_IMODE(path.stat().st_mode) == want, path
    finally:
        server.stop()
