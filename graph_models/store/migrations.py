"""Numbered schema migrations, applied in place when a store opens.

Each store records the number of the last migration applied to its database:

* SQLite: ``PRAGMA user_version`` is ``SQLITE_OFFSET + number``. The releases before
  migrations wrote 2 or 3 there (their own schema counter) and open only those, so the
  offset keeps the two numberings apart and makes such a release refuse a migrated file
  instead of writing rows without the new columns.
* Neo4j: the ``version`` of the one ``(:BridgemapSchema {id: 'bridgemap'})`` node.

A database with no record is either empty or made by a release before migrations
(SQLite ``user_version`` 2 or 3; Neo4j without the schema node): both are at version 0,
and migration 1 (today's schema, idempotent) brings them to the same place, so a fresh
database and an upgraded one end the same. A database whose version is higher than
:data:`LATEST` was made by a newer Bridgemap: opening it raises
:class:`SchemaVersionError` rather than guessing.

Several processes may open the same empty database at once (gunicorn workers):

* SQLite: the migrations run in one ``BEGIN IMMEDIATE`` transaction (DDL is
  transactional in SQLite); the others wait for it (busy timeout), then find the
  version current and do nothing.
* Neo4j: schema statements cannot share a transaction with data writes, so each is
  run alone; they all say ``IF NOT EXISTS``, and a race lost to another process
  ("already exists") is ignored. Each migration's data step then runs in a write
  transaction that first locks the schema node and re-reads the version under the
  lock, so it is applied once.

Adding a migration (per-record revisions, surveys, map-owned relationship kinds,
background results...):

1. put its statements in :mod:`graph_models.store.sql` and
   :mod:`graph_models.store.cypher` as ``MIGRATION_<n>`` (tuples of statements; for
   Neo4j only constraints and indexes: data changes go in a data step);
2. if existing rows need new values, write ``_<what>_sqlite(db)`` and
   ``_<what>_neo4j(tx)`` below (compute in Python what SQL or Cypher cannot);
3. append ``Migration(<n>, "<what and why>", sqlite=sql.MIGRATION_<n>,
   neo4j=cypher.MIGRATION_<n>, sqlite_data=..., neo4j_data=...)`` to :data:`MIGRATIONS`;
4. in ``tests/store/test_migrations.py``, open a database made at version ``<n-1>``
   and check the new shape and data on both stores.

Never edit an applied migration: databases in the field have already run it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from graph_models import model
from graph_models.errors import StoreUnavailable
from graph_models.store import cypher, sql
from graph_models.store.common import chunks, new_key
from graph_models.text import fold


class SchemaVersionError(StoreUnavailable):
    """The database was made by a newer Bridgemap, or by something else entirely."""


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its statements and data step for each store."""

    number: int
    description: str
    sqlite: tuple[str, ...] = ()
    neo4j: tuple[str, ...] = ()
    sqlite_data: Callable[[sqlite3.Connection], None] | None = None
    neo4j_data: Callable[[object], None] | None = None


# -- data steps ---------------------------------------------------------------------------


def _name_keys_sqlite(db: sqlite3.Connection) -> None:
    rows = db.execute(sql.NODE_NAMES).fetchall()
    db.executemany(sql.SET_NAME_KEY, ((fold(name), m, i) for m, i, name in rows))


def _name_keys_neo4j(tx) -> None:
    rows = [
        {"element": r["element"], "key": fold(r["name"] or "")}
        for r in tx.run(cypher.NODES_WITHOUT_NAME_KEY)
    ]
    for chunk in chunks(rows, 5000):
        tx.run(cypher.SET_NAME_KEYS, rows=chunk).consume()


def _revisions_neo4j(tx) -> None:
    tx.run(cypher.NODES_WITHOUT_REVISION).consume()
    tx.run(cypher.RELS_WITHOUT_REVISION).consume()


def _erasure_keys_sqlite(db: sqlite3.Connection) -> None:
    maps = [r[0] for r in db.execute(sql.MAPS_WITHOUT_KEY)]
    db.executemany(sql.SET_MAP_KEY, ((new_key(), m) for m in maps))
    # old unkeyed digests of erased ids could confirm a guessed id: random refs instead
    # (one per distinct digest, so one person's entries stay linked)
    old = db.execute(sql.OLD_ERASED_REFS).fetchall()
    db.executemany(sql.SET_AUDIT_REF, ((_opaque_ref(), m, ref) for m, ref in old))


def _erasure_keys_neo4j(tx) -> None:
    for map_id in list(tx.run(cypher.MAPS_WITHOUT_KEY).value("id")):
        tx.run(cypher.SET_MAP_KEY, id=map_id, key=new_key()).consume()
    for r in list(tx.run(cypher.OLD_ERASED_REFS)):
        tx.run(cypher.SET_AUDIT_REF, map_id=r["map_id"], old=r["ref"], new=_opaque_ref()).consume()


def _list_order_neo4j(tx) -> None:
    rows = [
        {"element": r["element"], "visibility": json.loads(r["data"]).get("visibility", "named")}
        for r in tx.run(cypher.PEOPLE_WITHOUT_VISIBILITY)
    ]
    for chunk in chunks(rows, 5000):
        tx.run(cypher.SET_VISIBILITY, rows=chunk).consume()
    tx.run(cypher.NODES_WITHOUT_SHUFFLE).consume()
    tx.run(cypher.RELS_WITHOUT_SHUFFLE).consume()


def _with_default_consent(data: str) -> str | None:
    """A map's stored data with its default consent stated, or None if it has one.
    Maps made before a map could state it gave new people ``named``; that stays so."""
    values = json.loads(data)
    if "default_visibility" in values:
        return None
    values["default_visibility"] = model.Visibility.NAMED.value
    return json.dumps(values)


def _default_consent_sqlite(db: sqlite3.Connection) -> None:
    for map_id, data in db.execute(sql.MAP_DATA).fetchall():
        changed = _with_default_consent(data)
        if changed is not None:
            db.execute(sql.SET_MAP_DATA, (changed, map_id))


def _operator_log_and_default_consent_neo4j(tx) -> None:
    tx.run(cypher.MAKE_OPERATOR_LOG).consume()  # the operator log's counter
    for r in list(tx.run(cypher.MAP_DATA)):
        changed = _with_default_consent(r["data"])
        if changed is not None:
            tx.run(cypher.SET_MAP_DATA, id=r["id"], data=changed).consume()


def _with_vocabulary(data: str) -> str | None:
    """A map's stored data with its own kinds (none yet) and its silos' Welsh labels
    (empty) stated, or None if it states them already."""
    values = json.loads(data)
    silos = values.get("silos") or []
    if "kinds" in values and all("label_cy" in s for s in silos):
        return None
    values.setdefault("kinds", [])
    values["silos"] = [{**s, "label_cy": s.get("label_cy", "")} for s in silos]
    return json.dumps(values)


def _vocabulary_sqlite(db: sqlite3.Connection) -> None:
    for map_id, data in db.execute(sql.MAP_DATA).fetchall():
        changed = _with_vocabulary(data)
        if changed is not None:
            db.execute(sql.SET_MAP_DATA, (changed, map_id))


def _vocabulary_neo4j(tx) -> None:
    for r in list(tx.run(cypher.MAP_DATA)):
        changed = _with_vocabulary(r["data"])
        if changed is not None:
            tx.run(cypher.SET_MAP_DATA, id=r["id"], data=changed).consume()


def _opaque_ref() -> str:
    return "erased:" + secrets.token_hex(16)


#: Every migration, in order. Append only.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "the schema of the releases before migrations: maps, nodes, ties, audit, tokens",
        sqlite=sql.MIGRATION_1,
        neo4j=cypher.MIGRATION_1,
    ),
    Migration(
        2,
        "name_key: people's and organisations' folded names, indexed for name search",
        sqlite=sql.MIGRATION_2,
        neo4j=cypher.MIGRATION_2,
        sqlite_data=_name_keys_sqlite,
        neo4j_data=_name_keys_neo4j,
    ),
    Migration(
        3,
        "revision: a per-record revision of people, organisations and ties (ETag, If-Match)",
        sqlite=sql.MIGRATION_3,
        neo4j=cypher.MIGRATION_3,
        neo4j_data=_revisions_neo4j,
    ),
    Migration(
        4,
        "erasure tombstones: a random key per map; erased ids kept only as HMACs under it",
        sqlite=sql.MIGRATION_4,
        neo4j=cypher.MIGRATION_4,
        sqlite_data=_erasure_keys_sqlite,
        neo4j_data=_erasure_keys_neo4j,
    ),
    Migration(
        5,
        "server-side browser sessions; the operator's audit log; each map's default consent",
        sqlite=sql.MIGRATION_5,
        neo4j=cypher.MIGRATION_5,
        sqlite_data=_default_consent_sqlite,
        neo4j_data=_operator_log_and_default_consent_neo4j,
    ),
    Migration(
        6,
        "relationship surveys: ties' origin and reported_by; surveys, respondents, responses",
        sqlite=sql.MIGRATION_6,
        neo4j=cypher.MIGRATION_6,
    ),
    Migration(
        7,
        "import mappings: how a map's last file of each shape was mapped, used again",
        sqlite=sql.MIGRATION_7,
        neo4j=cypher.MIGRATION_7,
    ),
    Migration(
        8,
        "background analysis: exact path measures per map version, and their leases",
        sqlite=sql.MIGRATION_8,
        neo4j=cypher.MIGRATION_8,
    ),
    Migration(
        9,
        "the map's vocabulary: its own relationship kinds (RELATES_TO ties in Neo4j, their "
        "ids indexed) and Welsh labels of silos and kinds, in each map's data",
        sqlite=sql.MIGRATION_9,
        neo4j=cypher.MIGRATION_9,
        sqlite_data=_vocabulary_sqlite,
        neo4j_data=_vocabulary_neo4j,
    ),
    Migration(
        10,
        "lists paged in the store as readers see them: a random order key on nodes and "
        "ties (and, on Neo4j, each person's consent as a property the queries read)",
        sqlite=sql.MIGRATION_10,
        neo4j=cypher.MIGRATION_10,
        neo4j_data=_list_order_neo4j,
    ),
    Migration(
        11,
        "reads of one map's people, organisations and survey records by index (Neo4j): "
        "they scanned every map's; erasure finds a person's responses by index (SQLite)",
        sqlite=sql.MIGRATION_11,
        neo4j=cypher.MIGRATION_11,
    ),
    Migration(
        12,
        "tie lists that read no more than the page: indexes for counting ties by first end "
        "and finding the people a viewer may not see",
        sqlite=sql.MIGRATION_12,
        neo4j=cypher.MIGRATION_12,
    ),
    Migration(
        13,
        "lists that read no more than their page (Neo4j): people, organisations and the "
        "first ends of ties walked in name order by index; people counted by silo and "
        "consent from an index (both stores). Numbered 14 once merged after the lead's 13",
        sqlite=sql.MIGRATION_13,
        neo4j=cypher.MIGRATION_13,
    ),
)
LATEST = MIGRATIONS[-1].number
assert [m.number for m in MIGRATIONS] == list(range(1, LATEST + 1)), "numbered 1, 2, 3..."

#: SQLite ``user_version`` = SQLITE_OFFSET + migration number (see the module docstring).
SQLITE_OFFSET = 100
#: ``user_version`` values of the releases before migrations (both upgrade from 0).
SQLITE_BEFORE_MIGRATIONS = (2, 3)


def _too_new(where: str, version: int) -> SchemaVersionError:
    return SchemaVersionError(
        f"{where} was made by a newer version of Bridgemap (schema {version}; this one knows "
        f"up to {LATEST}); upgrade Bridgemap, or open another database"
    )


def pending(version: int) -> list[Migration]:
    """The migrations a database at ``version`` still needs, in order."""
    if version > LATEST:
        raise _too_new("the database", version)
    return [m for m in MIGRATIONS if m.number > version]


# -- SQLite -------------------------------------------------------------------------------


def sqlite_version(db: sqlite3.Connection, where: str) -> int:
    """The migration number of an open SQLite database (0: empty, or before migrations).

    The tables are looked at *before* the stamp: another process may commit the first
    migration (tables and stamp together) between two reads of an autocommit
    connection, and in this order a file that has tables is always read with its stamp.
    """
    has_tables = db.execute(sql.HAS_MAPS_TABLE).fetchone()[0]
    stamp = db.execute(sql.GET_USER_VERSION).fetchone()[0]
    if stamp >= SQLITE_OFFSET:
        if stamp - SQLITE_OFFSET > LATEST:
            raise _too_new(where, stamp - SQLITE_OFFSET)
        return stamp - SQLITE_OFFSET
    if stamp in SQLITE_BEFORE_MIGRATIONS or (stamp == 0 and not has_tables):
        return 0
    raise SchemaVersionError(
        f"{where} was not made by Bridgemap, or by an unknown version of it "
        f"(user_version {stamp}); move it aside to start afresh"
    )


def upgrade_sqlite(db: sqlite3.Connection, where: str) -> int:
    """Apply the pending migrations to an autocommit connection, all in one transaction."""
    if sqlite_version(db, where) == LATEST:
        return LATEST  # the usual case: no write lock taken
    db.execute(sql.BEGIN_WRITE)  # waits while another process migrates
    try:
        todo = pending(sqlite_version(db, where))
        for migration in todo:
            for statement in migration.sqlite:
                db.execute(statement)
            if migration.sqlite_data is not None:
                migration.sqlite_data(db)
        if todo:
            db.execute(sql.SET_USER_VERSION.format(version=SQLITE_OFFSET + LATEST))
    except BaseException:
        db.execute(sql.ROLLBACK)
        raise
    db.execute(sql.COMMIT)
    return LATEST


# -- Neo4j --------------------------------------------------------------------------------


def neo4j_version(driver, database: str) -> int:
    """The migration number of a Neo4j database (0: empty, or before migrations)."""
    records, _, _ = driver.execute_query(
        cypher.GET_SCHEMA_VERSION, database_=database, routing_="r"
    )
    version = records[0]["version"] if records else 0
    if version > LATEST:
        raise _too_new(f"the Neo4j database {database!r}", version)
    return version


def _schema_statement(driver, database: str, statement: str) -> None:
    """Run one idempotent schema statement; losing a race to create it is fine."""
    import neo4j.exceptions

    try:
        driver.execute_query(statement, database_=database)
    except neo4j.exceptions.ClientError as exc:
        code = exc.code or ""
        if not (code.startswith("Neo.ClientError.Schema.") and "AlreadyExists" in code):
            raise


def _apply_neo4j(tx, migration: Migration) -> None:
    version = tx.run(cypher.LOCK_SCHEMA_VERSION, now=model.utcnow()).single()["version"]
    if version > LATEST:
        raise _too_new("the Neo4j database", version)
    if version >= migration.number:
        return  # another process applied it while this one waited for the lock
    if migration.neo4j_data is not None:
        migration.neo4j_data(tx)
    tx.run(cypher.SET_SCHEMA_VERSION, version=migration.number, now=model.utcnow()).consume()


def upgrade_neo4j(driver, database: str) -> int:
    """Apply the pending migrations to a Neo4j database, each with its data step."""
    todo = pending(neo4j_version(driver, database))
    if not todo:
        return LATEST  # the usual case: one read
    _schema_statement(driver, database, cypher.SCHEMA_NODE_CONSTRAINT)
    for migration in todo:
        for statement in migration.neo4j:
            _schema_statement(driver, database, statement)
        with driver.session(database=database) as session:
            session.execute_write(_apply_neo4j, migration)
    return LATEST
