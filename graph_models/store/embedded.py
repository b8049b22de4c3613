"""The embedded store: one SQLite file, the zero-setup default.

Why SQLite: it ships with Python, keeps data in one durable file (WAL journal, so
readers never wait for the writer) and gives real transactions, which is what the
all-or-nothing writes need. Each thread has its own connection; every write runs in
one ``BEGIN IMMEDIATE`` transaction so concurrent writers queue instead of failing
halfway.

People and organisations share one ``nodes`` table (they share one id space in a map)
so relationship endpoints are real foreign keys, and ``ON DELETE CASCADE`` erases a
node's ties with it. Each row keeps the whole entity as JSON beside the columns used
for filtering.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from graph_models import model
from graph_models.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
from graph_models.model import EntityType, Map, NodeType, Relationship
from graph_models.store.base import (
    DEFAULT_PAGE,
    OPERATOR_SCOPE,
    AccessToken,
    AuditRecord,
    BulkResult,
    GraphRecords,
    ListFilter,
    Page,
)
from graph_models.store.common import (
    audit_ref,
    check_batch,
    chunks,
    like_pattern,
    map_from_dict,
    map_to_dict,
)

#: Bumped whenever SCHEMA changes in a way an existing file cannot follow.
SCHEMA_VERSION = 3
#: Older schema versions that :data:`SCHEMA` upgrades in place (it only adds tables).
UPGRADABLE = (2,)

SCHEMA = """
CREATE TABLE IF NOT EXISTS maps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS nodes (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    silo TEXT NOT NULL,
    kind TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (map_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nodes_by_type_name ON nodes(map_id, type, name);
CREATE TABLE IF NOT EXISTS relationships (
    map_id TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    strength INTEGER NOT NULL,
    since TEXT,
    until TEXT,
    notes TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (map_id, id),
    FOREIGN KEY (map_id, source) REFERENCES nodes(map_id, id) ON DELETE CASCADE,
    FOREIGN KEY (map_id, target) REFERENCES nodes(map_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rel_by_source ON relationships(map_id, source);
CREATE INDEX IF NOT EXISTS rel_by_target ON relationships(map_id, target);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    map_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_ref TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_map ON audit(map_id, seq);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_by_map ON tokens(map_id);
"""
ACCESS_COLUMNS = (
    "id, map_id, role, token_hash, label, subject, created_at, created_by, expires_at, revoked_at"
)

#: Relationships are stored column by column (no JSON): they are the bulk of every
#: map, and skipping JSON speeds up bulk writes and whole-map reads.
REL_COLUMNS = "id, source, target, kind, strength, since, until, notes, evidence"

_NODE_UPSERT = """
INSERT INTO nodes (map_id, id, type, name, silo, kind, data) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (map_id, id) DO UPDATE SET
    name = excluded.name, silo = excluded.silo, kind = excluded.kind, data = excluded.data
"""
_REL_UPSERT = """
INSERT INTO relationships (map_id, id, source, target, kind, strength, since, until, notes,
                           evidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (map_id, id) DO UPDATE SET
    source = excluded.source, target = excluded.target, kind = excluded.kind,
    strength = excluded.strength, since = excluded.since, until = excluded.until,
    notes = excluded.notes, evidence = excluded.evidence
"""


class EmbeddedStore:
    """A :class:`~graph_models.store.base.GraphStore` on a SQLite file.

    Parameters
    ----------
    path : str or Path
        The database file; created with its folder if missing. ``":memory:"`` is not
        supported (each thread would see its own empty database).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._create_or_check_schema()

    def _create_or_check_schema(self) -> None:
        """Create the tables in a new file; refuse a file made by another schema version.

        ``PRAGMA user_version`` records the schema a file was made with, so an old file
        gives a clear message instead of failing on a missing column mid-request.
        """
        db = self._conn()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        has_tables = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'maps'"
        ).fetchone()[0]
        if has_tables and version not in (SCHEMA_VERSION, *UPGRADABLE):
            raise StoreUnavailable(
                f"{self.path} was made by another version of Bridgemap (schema {version}, "
                f"this one needs {SCHEMA_VERSION}); export it with that version or move it "
                "aside to start afresh"
            )
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- connections and transactions -------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, timeout=30, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the database file: {exc}") from exc
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk upserts touch many pages
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _write(self):
        """One write transaction: committed whole, or rolled back whole on any error."""
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")

    def ping(self) -> None:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the database file cannot be read: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # -- maps ---------------------------------------------------------------------------

    def create_map(self, m: Map) -> Map:
        now = model.utcnow()
        m.created_at = m.updated_at = now
        m.version = 0
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO maps (id, name, data, created_at, updated_at, version) "
                    "VALUES (?, ?, ?, ?, ?, 0)",
                    (m.id, m.name, json.dumps(map_to_dict(m)), now, now),
                )
        except sqlite3.IntegrityError:
            raise Conflict(f"a map with id {m.id!r} already exists", {"id": ["taken"]}) from None
        return m

    def get_map(self, map_id: str) -> Map:
        row = self._conn().execute("SELECT * FROM maps WHERE id = ?", (map_id,)).fetchone()
        if row is None:
            raise NotFound(f"no map {map_id!r}")
        return _map_from_row(row)

    def list_maps(self, *, limit: int = DEFAULT_PAGE, offset: int = 0) -> Page:
        db = self._conn()
        total = db.execute("SELECT count(*) FROM maps").fetchone()[0]
        rows = db.execute(
            "SELECT * FROM maps ORDER BY name, id LIMIT ? OFFSET ?", (limit, offset)
        ).fetchall()
        return Page([_map_from_row(r) for r in rows], total, limit, offset)

    def update_map(self, m: Map, *, actor: str = "") -> Map:
        with self._write() as db:
            self._bump(db, m.id)
            db.execute(
                "UPDATE maps SET name = ?, data = ? WHERE id = ?",
                (m.name, json.dumps(map_to_dict(m)), m.id),
            )
            self._audit(db, m.id, actor, "update", "map", m.id)
            return _map_from_row(db.execute("SELECT * FROM maps WHERE id = ?", (m.id,)).fetchone())

    def delete_map(self, map_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM maps WHERE id = ?", (map_id,)).rowcount == 0:
                raise NotFound(f"no map {map_id!r}")
            db.execute("DELETE FROM audit WHERE map_id = ?", (map_id,))
            db.execute("DELETE FROM tokens WHERE map_id = ?", (map_id,))

    def _bump(self, db: sqlite3.Connection, map_id: str) -> None:
        updated = db.execute(
            "UPDATE maps SET version = version + 1, updated_at = ? WHERE id = ?",
            (model.utcnow(), map_id),
        ).rowcount
        if updated == 0:
            raise NotFound(f"no map {map_id!r}")

    def _audit(self, db, map_id, actor, action, etype: EntityType | str, entity_id: str) -> None:
        db.execute(
            "INSERT INTO audit (map_id, at, actor, action, entity_type, entity_ref) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (map_id, model.utcnow(), actor, action, str(etype), entity_id),
        )

    # -- single objects -----------------------------------------------------------------

    def create(self, map_id: str, entity, *, actor: str = ""):
        etype = model.entity_type_of(entity)
        with self._write() as db:
            self._bump(db, map_id)
            taken = db.execute(
                f"SELECT 1 FROM {_table(etype)} WHERE map_id = ? AND id = ?",  # noqa: S608
                (map_id, entity.id),
            ).fetchone()
            if taken:
                raise Conflict(
                    f"an object with id {entity.id!r} already exists in this map",
                    {"id": ["taken"]},
                )
            self._write_entity(db, map_id, etype, entity)
            self._audit(db, map_id, actor, "create", etype, entity.id)
        return entity

    def update(self, map_id: str, entity, *, actor: str = ""):
        etype = model.entity_type_of(entity)
        with self._write() as db:
            self._bump(db, map_id)
            self._require(db, map_id, etype, entity.id)
            self._write_entity(db, map_id, etype, entity)
            self._audit(db, map_id, actor, "update", etype, entity.id)
        return entity

    def _write_entity(self, db, map_id: str, etype: EntityType, entity) -> None:
        if etype is EntityType.RELATIONSHIP:
            types = _node_types(db, map_id, {entity.source, entity.target})
            model.check_endpoints(entity.kind, types.get(entity.source), types.get(entity.target))
            db.execute(_REL_UPSERT, _rel_row(map_id, entity))
        else:
            db.execute(_NODE_UPSERT, _node_row(map_id, entity))

    def _require(self, db, map_id: str, etype: EntityType, entity_id: str) -> None:
        if etype is EntityType.RELATIONSHIP:
            row = db.execute(
                "SELECT 1 FROM relationships WHERE map_id = ? AND id = ?", (map_id, entity_id)
            ).fetchone()
        else:
            row = db.execute(
                "SELECT 1 FROM nodes WHERE map_id = ? AND id = ? AND type = ?",
                (map_id, entity_id, etype.value),
            ).fetchone()
        if row is None:
            raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")

    def get(self, map_id: str, etype: EntityType, entity_id: str):
        db = self._conn()
        self._require_map(db, map_id)
        if etype is EntityType.RELATIONSHIP:
            row = db.execute(
                f"SELECT {REL_COLUMNS} FROM relationships WHERE map_id = ? AND id = ?",  # noqa: S608
                (map_id, entity_id),
            ).fetchone()
            if row is not None:
                return _rel_from_row(row)
        else:
            row = db.execute(
                "SELECT data FROM nodes WHERE map_id = ? AND id = ? AND type = ?",
                (map_id, entity_id, etype.value),
            ).fetchone()
        if row is None:
            raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")
        return model.from_dict(etype, json.loads(row["data"]))

    def delete(self, map_id: str, etype: EntityType, entity_id: str, *, actor: str = "") -> None:
        with self._write() as db:
            self._bump(db, map_id)
            self._require(db, map_id, etype, entity_id)
            if etype is EntityType.RELATIONSHIP:
                db.execute(
                    "DELETE FROM relationships WHERE map_id = ? AND id = ?", (map_id, entity_id)
                )
            else:
                db.execute("DELETE FROM nodes WHERE map_id = ? AND id = ?", (map_id, entity_id))
                # erasure: share links to their web go too (a token names its subject)
                db.execute(
                    "DELETE FROM tokens WHERE map_id = ? AND subject = ?", (map_id, entity_id)
                )
            ref = audit_ref(etype, entity_id)
            if ref != entity_id:
                # erasure: earlier audit rows must not keep the person's id either
                db.execute(
                    "UPDATE audit SET entity_ref = ? "
                    "WHERE map_id = ? AND entity_type = ? AND entity_ref = ?",
                    (ref, map_id, etype.value, entity_id),
                )
            self._audit(db, map_id, actor, "delete", etype, ref)

    def list(
        self,
        map_id: str,
        etype: EntityType,
        *,
        filters: ListFilter | None = None,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
    ) -> Page:
        db = self._conn()
        self._require_map(db, map_id)
        f = filters or ListFilter()
        if etype is EntityType.RELATIONSHIP:
            where, args = ["map_id = ?"], [map_id]
            if f.kind:
                where.append("kind = ?")
                args.append(f.kind)
            if f.q:
                where.append("(source LIKE ? ESCAPE '\\' OR target LIKE ? ESCAPE '\\')")
                args += [like_pattern(f.q)] * 2
            table, order, columns = "relationships", "id", REL_COLUMNS
        else:
            where, args = ["map_id = ?", "type = ?"], [map_id, etype.value]
            if f.silo:
                where.append("silo = ?")
                args.append(f.silo)
            if f.kind:
                where.append("kind = ?")
                args.append(f.kind)
            if f.q:
                where.append("name LIKE ? ESCAPE '\\'")
                args.append(like_pattern(f.q))
            table, order, columns = "nodes", "name, id", "data"
        clause = " AND ".join(where)
        total = db.execute(f"SELECT count(*) FROM {table} WHERE {clause}", args).fetchone()[0]  # noqa: S608
        rows = db.execute(
            f"SELECT {columns} FROM {table} WHERE {clause} "  # noqa: S608
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        if etype is EntityType.RELATIONSHIP:
            items = [_rel_from_row(r) for r in rows]
        else:
            items = [model.from_dict(etype, json.loads(r["data"])) for r in rows]
        return Page(items, total, limit, offset)

    def _require_map(self, db, map_id: str) -> None:
        if db.execute("SELECT 1 FROM maps WHERE id = ?", (map_id,)).fetchone() is None:
            raise NotFound(f"no map {map_id!r}")

    # -- batches ------------------------------------------------------------------------

    def bulk_upsert(self, map_id, nodes, relationships, *, actor: str = "") -> BulkResult:
        check_batch(nodes, relationships)
        result = BulkResult()
        with self._write() as db:
            self._bump(db, map_id)
            existing = _existing_nodes(db, map_id, [n.id for n in nodes])
            for i, node in enumerate(nodes):
                old = existing.get(node.id)
                if old is not None and old != node.type.value:
                    raise Conflict(
                        f"row {i}: {node.id!r} is already a {old} in this map",
                        {"rows": {str(i): {"id": [f"already a {old}"]}}},
                    )
            db.executemany(_NODE_UPSERT, (_node_row(map_id, n) for n in nodes))
            result.created += sum(1 for n in nodes if n.id not in existing)
            result.updated += len(existing)

            if relationships:
                ends = {r.source for r in relationships} | {r.target for r in relationships}
                types = _node_types(db, map_id, ends)
                for i, rel in enumerate(relationships):
                    try:
                        model.check_endpoints(
                            rel.kind, types.get(rel.source), types.get(rel.target)
                        )
                    except InvalidInput as exc:
                        raise InvalidInput(
                            f"relationship row {i}: {exc.message}",
                            {"relationships": {str(i): exc.errors}},
                        ) from None
                old_rels = _existing_ids(db, "relationships", map_id, [r.id for r in relationships])
                db.executemany(_REL_UPSERT, (_rel_row(map_id, r) for r in relationships))
                result.created += len(relationships) - len(old_rels)
                result.updated += len(old_rels)
            self._audit(db, map_id, actor, "bulk_upsert", EntityType.RELATIONSHIP, "batch")
        return result

    # -- reading graphs -----------------------------------------------------------------

    def graph(self, map_id: str, *, as_of: date | None = None) -> GraphRecords:
        db = self._conn()
        m = self.get_map(map_id)
        nodes = _load_nodes(db.execute("SELECT type, data FROM nodes WHERE map_id = ?", (map_id,)))
        sql = f"SELECT {REL_COLUMNS} FROM relationships WHERE map_id = ?"  # noqa: S608
        args = [map_id]
        if as_of is not None:
            day = as_of.isoformat()
            sql += " AND (since IS NULL OR since <= ?) AND (until IS NULL OR until >= ?)"
            args += [day, day]
        rels = [_rel_from_row(r) for r in db.execute(sql, args)]
        return GraphRecords(m, nodes, rels)

    def neighbourhood(self, map_id: str, node_id: str, *, hops: int = 1) -> GraphRecords:
        db = self._conn()
        m = self.get_map(map_id)
        if not db.execute(
            "SELECT 1 FROM nodes WHERE map_id = ? AND id = ?", (map_id, node_id)
        ).fetchone():
            raise NotFound(f"no person or organisation {node_id!r} in map {map_id!r}")
        seen, frontier = {node_id}, {node_id}
        for _ in range(hops):
            nxt: set[str] = set()
            for chunk in chunks(sorted(frontier), 500):
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT source, target FROM relationships WHERE map_id = ? "  # noqa: S608
                    f"AND (source IN ({marks}) OR target IN ({marks}))",
                    [map_id, *chunk, *chunk],
                )
                for s, t in rows:
                    nxt.update((s, t))
            frontier = nxt - seen
            seen |= nxt
            if not frontier:
                break
        nodes, rels = [], []
        for chunk in chunks(sorted(seen), 400):
            marks = ",".join("?" * len(chunk))
            nodes += _load_nodes(
                db.execute(
                    f"SELECT type, data FROM nodes WHERE map_id = ? AND id IN ({marks})",  # noqa: S608
                    [map_id, *chunk],
                )
            )
        for chunk in chunks(sorted(seen), 400):
            marks = ",".join("?" * len(chunk))
            for row in db.execute(
                f"SELECT {REL_COLUMNS} FROM relationships "  # noqa: S608
                f"WHERE map_id = ? AND source IN ({marks})",
                [map_id, *chunk],
            ):
                rel = _rel_from_row(row)
                if rel.target in seen:
                    rels.append(rel)
        return GraphRecords(m, nodes, rels)

    def audit_log(
        self,
        map_id: str,
        *,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        refs: list[str] | None = None,
    ) -> Page:
        db = self._conn()
        self._require_map(db, map_id)
        where, args = "map_id = ?", [map_id]
        if refs is not None:
            refs = sorted(set(refs))[:500] or [""]
            where += f" AND entity_ref IN ({','.join('?' * len(refs))})"
            args += refs
        total = db.execute(f"SELECT count(*) FROM audit WHERE {where}", args).fetchone()[0]  # noqa: S608
        rows = db.execute(
            "SELECT at, actor, action, entity_type, entity_ref FROM audit "  # noqa: S608
            f"WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return Page([AuditRecord(*r) for r in rows], total, limit, offset)

    # -- access tokens ------------------------------------------------------------------

    def create_token(self, token: AccessToken, *, actor: str = "") -> AccessToken:
        token.created_at = token.created_at or model.utcnow()
        token.created_by = token.created_by or actor
        try:
            with self._write() as db:
                if token.map_id != OPERATOR_SCOPE:
                    self._bump(db, token.map_id)
                db.execute(
                    f"INSERT INTO tokens ({ACCESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                    _token_row(token),
                )
                if token.map_id != OPERATOR_SCOPE:
                    self._audit(db, token.map_id, actor, "create", "token", token.id)
        except sqlite3.IntegrityError:
            raise Conflict("a token with this id already exists", {"id": ["taken"]}) from None
        return token

    def get_token(self, token_id: str) -> AccessToken:
        row = (
            self._conn()
            .execute(f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE id = ?", (token_id,))  # noqa: S608
            .fetchone()
        )
        if row is None:
            raise NotFound(f"no token {token_id!r}")
        return AccessToken(*row)

    def find_token(self, token_hash: str) -> AccessToken | None:
        row = (
            self._conn()
            .execute(
                f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE token_hash = ?",  # noqa: S608
                (token_hash,),
            )
            .fetchone()
        )
        return AccessToken(*row) if row else None

    def list_tokens(self, map_id: str) -> list[AccessToken]:
        db = self._conn()
        if map_id != OPERATOR_SCOPE:
            self._require_map(db, map_id)
        rows = db.execute(
            f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE map_id = ? ORDER BY created_at, id",  # noqa: S608
            (map_id,),
        ).fetchall()
        return [AccessToken(*r) for r in rows]

    def revoke_token(self, map_id: str, token_id: str, *, at: str, actor: str = "") -> AccessToken:
        with self._write() as db:
            if map_id != OPERATOR_SCOPE:
                self._bump(db, map_id)
            row = db.execute(
                f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE id = ? AND map_id = ?",  # noqa: S608
                (token_id, map_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"no token {token_id!r} in map {map_id!r}")
            token = AccessToken(*row)
            if token.revoked_at is None:
                token.revoked_at = at
                db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (at, token_id))
                if map_id != OPERATOR_SCOPE:
                    self._audit(db, map_id, actor, "revoke", "token", token_id)
        return token


# -- row helpers ------------------------------------------------------------------------


def _token_row(t: AccessToken) -> tuple:
    return (
        t.id,
        t.map_id,
        t.role,
        t.token_hash,
        t.label,
        t.subject,
        t.created_at,
        t.created_by,
        t.expires_at,
        t.revoked_at,
    )


def _table(etype: EntityType) -> str:
    return "relationships" if etype is EntityType.RELATIONSHIP else "nodes"


def _node_row(map_id: str, node) -> tuple:
    kind = node.kind.value if isinstance(node, model.Organisation) else None
    data = json.dumps(model.to_dict(node))
    return (map_id, node.id, node.type.value, node.name, node.silo, kind, data)


def _rel_row(map_id: str, rel: Relationship) -> tuple:
    return (
        map_id,
        rel.id,
        rel.source,
        rel.target,
        rel.kind,
        rel.strength,
        rel.since.isoformat() if rel.since else None,
        rel.until.isoformat() if rel.until else None,
        rel.notes,
        rel.evidence,
    )


def _rel_from_row(row) -> Relationship:
    """A relationship from the columns named by :data:`REL_COLUMNS`, in that order."""
    rid, source, target, kind, strength, since, until, notes, evidence = row
    return Relationship(
        rid,
        source,
        target,
        kind,
        strength,
        date.fromisoformat(since) if since else None,
        date.fromisoformat(until) if until else None,
        notes,
        evidence,
    )


def _map_from_row(row) -> Map:
    m = map_from_dict(json.loads(row["data"]))
    m.created_at, m.updated_at, m.version = row["created_at"], row["updated_at"], row["version"]
    return m


def _load_nodes(rows: Iterable) -> list:
    out = []
    for type_, data in rows:
        etype = EntityType.PERSON if type_ == NodeType.PERSON.value else EntityType.ORGANISATION
        out.append(model.from_dict(etype, json.loads(data)))
    return out


def _node_types(db, map_id: str, ids: Iterable[str]) -> dict[str, NodeType]:
    found: dict[str, NodeType] = {}
    for chunk in chunks(sorted(ids), 500):
        marks = ",".join("?" * len(chunk))
        for node_id, type_ in db.execute(
            f"SELECT id, type FROM nodes WHERE map_id = ? AND id IN ({marks})",  # noqa: S608
            [map_id, *chunk],
        ):
            found[node_id] = NodeType(type_)
    return found


def _existing_nodes(db, map_id: str, ids: list[str]) -> dict[str, str]:
    return {k: v.value for k, v in _node_types(db, map_id, ids).items()}


def _existing_ids(db, table: str, map_id: str, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(sorted(set(ids)), 500):
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in db.execute(
                f"SELECT id FROM {table} WHERE map_id = ? AND id IN ({marks})",  # noqa: S608
                [map_id, *chunk],
            )
        )
    return found
