"""The embedded store: one SQLite file, the zero-setup default.

Why SQLite: it ships with Python, keeps data in one durable file (WAL journal, so
readers never wait for the writer) and gives real transactions, which is what the
all-or-nothing writes need. Each thread has its own connection; every write runs in
one ``BEGIN IMMEDIATE`` transaction so concurrent writers queue (up to the busy
timeout) instead of failing halfway, and every read in one snapshot.

The rules (version bump, audit, erasure, batch checks) are
:class:`~graph_models.store.rules.StoreRules`'; this module supplies the SQLite
primitives (:class:`SqliteTransaction`), whose statements are all in
:mod:`graph_models.store.sql`. The schema is made and upgraded in place when the file
is opened (:mod:`graph_models.store.migrations`).

Erasure leaves no copy in the database files: every connection sets ``secure_delete``
(deleted rows, and pages freed by them, are overwritten with zeros instead of left as
free space), and after a person, a tie or a map is deleted the WAL is checkpointed into
the file and truncated to zero bytes (:meth:`EmbeddedStore.purge`), so no page image
from before the erasure stays in ``-wal``. The files are created mode 0600 in a folder
made 0700 (:mod:`graph_models.private_files`); ``-wal`` and ``-shm`` take the file's mode.

sqlite3 errors are translated at this edge, as the Neo4j driver's are: a locked or busy
database, a full disk, an I/O error, a file that cannot be opened or is not a database
become :class:`~graph_models.errors.StoreUnavailable` (HTTP 503); a uniqueness clash
becomes :class:`~graph_models.errors.Conflict`. Anything else is a bug and stays one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TypeVar

from graph_models import model
from graph_models.errors import Conflict, StoreUnavailable
from graph_models.model import EntityType, Map, NodeType, Relationship
from graph_models.private_files import private_file
from graph_models.store import migrations, sql
from graph_models.store.base import AccessToken, AuditRecord, ListFilter, SessionRecord
from graph_models.store.common import (
    VersionMemo,
    chunks,
    groups_on_page,
    kind_holds,
    map_from_dict,
    map_to_dict,
    new_key,
)
from graph_models.store.rules import StoreRules
from graph_models.surveys.model import (
    Respondent,
    Response,
    Survey,
    response_from_dict,
    response_to_dict,
    survey_from_dict,
    survey_to_dict,
)
from graph_models.surveys.roster import RosterNode
from graph_models.text import fold

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Ids per ``IN (...)`` query (SQLite limits the number of parameters of a statement).
CHUNK = 500

#: SQLite result codes (and their extended forms) that mean "the database cannot be
#: used right now", not "the request or the code is wrong".
UNAVAILABLE_CODES = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_READONLY",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
    "SQLITE_NOMEM",
    "SQLITE_PROTOCOL",
    "SQLITE_PERM",
    "SQLITE_NOLFS",
)


def translated(exc: sqlite3.Error) -> Exception:
    """The domain error for a sqlite3 error (or the error itself, if it is a bug)."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    if isinstance(exc, sqlite3.IntegrityError) or name.startswith("SQLITE_CONSTRAINT"):
        return Conflict("an object with this id already exists", {"id": ["taken"]})
    if name.startswith(UNAVAILABLE_CODES):
        return StoreUnavailable(f"the database cannot be used right now ({exc}); try again")
    return exc


class EmbeddedStore(StoreRules):
    """A :class:`~graph_models.store.base.GraphStore` on a SQLite file.

    Parameters
    ----------
    path : str or Path
        The database file; created with its folder if missing. ``":memory:"`` is not
        supported (each thread would see its own empty database).
    busy_timeout : float
        Seconds a write waits for another process's write to finish before giving
        up with :class:`~graph_models.errors.StoreUnavailable`.
    """

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0):
        self.path = Path(path)
        try:
            private_file(self.path)  # before SQLite makes it 0644 (and -wal, -shm after it)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the database file: {exc}") from exc
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        #: figures kept per map version (a tie list's groups: up to one per node)
        self._kept = VersionMemo(16)
        #: an erasure whose WAL could not be emptied yet (readers held it): retried
        self._purge_pending = False
        try:
            #: the schema version (migration number) of the file, now the latest
            self.schema_version = self._open_schema()
        except BaseException as exc:
            self.close()
            if isinstance(exc, sqlite3.Error):
                raise translated(exc) from exc
            raise

    def _open_schema(self) -> int:
        """Switch the file to WAL and migrate it, retrying while other processes do the same.

        SQLite does not always wait (busy timeout) for a lock it cannot take at once:
        switching the journal mode, or a process starting while another runs the
        migrations, can fail at once with "database is locked". Both steps are
        idempotent, so they are simply tried again until the busy timeout runs out.
        """
        db = self._conn()
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                db.execute(sql.WAL)
                return migrations.upgrade_sqlite(db, str(self.path))
            except sqlite3.OperationalError as exc:
                name = getattr(exc, "sqlite_errorname", None) or ""
                if not name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # -- connections and transactions -------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path,
                    isolation_level=None,
                    timeout=self.busy_timeout,
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the database file: {exc}") from exc
            conn.execute(sql.BUSY_TIMEOUT.format(ms=int(self.busy_timeout * 1000)))
            for pragma in sql.CONNECTION_PRAGMAS:
                conn.execute(pragma)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _run(self, begin: str, work: Callable[[SqliteTransaction], T]) -> T:
        db = self._conn()
        try:
            db.execute(begin)
        except sqlite3.Error as exc:
            raise translated(exc) from exc
        try:
            result = work(SqliteTransaction(db, self._kept))
            db.execute(sql.COMMIT)
        except BaseException as exc:
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # the first error is the one to report
                    db.execute(sql.ROLLBACK)
            if isinstance(exc, sqlite3.Error):
                raise translated(exc) from exc
            raise
        return result

    def _read(self, work):
        return self._run(sql.BEGIN_READ, work)

    def _write_ends_checked(self, work):
        # foreign keys can only be switched between transactions, and only for this
        # thread's connection; the rules' own lookup of every end, under the write lock,
        # is the check (no other writer can remove a node in between)
        db = self._conn()
        db.execute(sql.FOREIGN_KEYS_OFF)
        try:
            return self._write(work)
        finally:
            db.execute(sql.FOREIGN_KEYS_ON)

    def _write(self, work):
        result = self._run(sql.BEGIN_WRITE, work)
        if self._purge_pending:
            self.purge()
        return result

    # -- erasure --------------------------------------------------------------------------

    def delete(self, map_id, etype, entity_id, **options) -> None:
        super().delete(map_id, etype, entity_id, **options)
        self.purge()

    def delete_map(self, map_id: str, **options) -> None:
        super().delete_map(map_id, **options)
        self.purge()

    def purge(self) -> bool:
        """Copy the WAL into the database file and truncate it to zero bytes.

        Called after every deletion: the deleted rows are already zeroed in the pages
        (``secure_delete``), but the WAL still holds the earlier images of those pages
        until it is emptied. The checkpoint waits (busy timeout) for other connections'
        reads and writes to finish; if they outlast it, the erasure stands and the
        checkpoint is tried again after the next write (and SQLite empties the WAL when
        the last connection closes). Returns whether the WAL was emptied.
        """
        try:
            busy, _, _ = self._conn().execute(sql.CHECKPOINT).fetchone()
        except sqlite3.Error as exc:
            busy, reason = 1, exc
        else:
            reason = "other connections kept reading"
        self._purge_pending = bool(busy)
        if busy:
            log.warning("the WAL could not be emptied after an erasure (%s); will retry", reason)
        return not busy

    def ping(self) -> None:
        try:
            self._conn().execute(sql.PING).fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the database file cannot be read: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class SqliteTransaction:
    """The :class:`~graph_models.store.rules.Transaction` primitives on one connection
    inside one transaction (``memo``: the store's :class:`VersionMemo`)."""

    def __init__(self, db: sqlite3.Connection, memo: VersionMemo | None = None):
        self.db = db
        self.memo = memo if memo is not None else VersionMemo(0)
        #: map id -> the map as :meth:`get_map` read it in this transaction
        self._maps: dict[str, Map] = {}

    def _kept(self, map_id: str, what: tuple, compute):
        """``compute()``, or the value it had for this version of the map (see
        :class:`VersionMemo`; only once :meth:`get_map` has read the map here: the
        transaction is one snapshot, so the figure is of that version)."""
        found = self._maps.get(map_id)
        key = self.erasure_key(map_id) if found is not None else None
        if key is None:
            return compute()
        return self.memo.kept((map_id, key, found.version, *what), compute)

    def _in(self, statement: str, head: list, ids: Iterable[str], per_chunk: int = 1):
        """Rows of ``statement`` (with ``{marks}``) for ``ids`` in chunks of :data:`CHUNK`."""
        for chunk in chunks(sorted(set(ids)), CHUNK):
            query = statement.format(marks=sql.marks(len(chunk)))
            yield from self.db.execute(query, [*head, *(chunk * per_chunk)])

    # -- maps ---------------------------------------------------------------------------

    def get_map(self, map_id: str) -> Map | None:
        row = self.db.execute(sql.GET_MAP, (map_id,)).fetchone()
        if row is None:
            return None
        found = _map_from_row(row)
        self._maps[map_id] = found
        return found

    def _map(self, map_id: str) -> Map | None:
        """The map as this transaction read it (read now if it has not yet)."""
        return self._maps.get(map_id) or self.get_map(map_id)

    def list_maps(self, limit: int, offset: int) -> tuple[int, list[Map]]:
        total = self.db.execute(sql.COUNT_MAPS).fetchone()[0]
        rows = self.db.execute(sql.LIST_MAPS, (limit, offset)).fetchall()
        return total, [_map_from_row(r) for r in rows]

    def insert_map(self, m: Map, now: str) -> None:
        data = json.dumps(map_to_dict(m))
        self.db.execute(sql.INSERT_MAP, (m.id, m.name, data, now, now, new_key()))

    def update_map(self, m: Map) -> None:
        self.db.execute(sql.UPDATE_MAP, (m.name, json.dumps(map_to_dict(m)), m.id))

    def delete_map(self, map_id: str) -> bool:
        if self.db.execute(sql.DELETE_MAP, (map_id,)).rowcount == 0:
            return False
        self.db.execute(sql.DELETE_MAP_AUDIT, (map_id,))
        self.db.execute(sql.DELETE_MAP_SESSIONS, (map_id,))
        self.db.execute(sql.DELETE_MAP_TOKENS, (map_id,))
        return True

    def bump(self, map_id: str, now: str) -> int | None:
        row = self.db.execute(sql.BUMP_VERSION, (now, map_id)).fetchone()
        return row[0] if row else None

    def bump_operator(self, now: str) -> int:
        # write transactions are serial here (BEGIN IMMEDIATE) and audit rows are
        # numbered by AUTOINCREMENT, so there is no counter to keep
        return 0

    # -- erasure tombstones -------------------------------------------------------------

    def erasure_key(self, map_id: str) -> str | None:
        row = self.db.execute(sql.GET_MAP_KEY, (map_id,)).fetchone()
        return row[0] if row else None

    def add_erased(self, map_id: str, digest: str, at: str) -> None:
        self.db.execute(sql.ADD_ERASED, (map_id, digest, at))

    def find_erased(self, map_id: str, digests: list[str]) -> set[str]:
        return {r[0] for r in self._in(sql.FIND_ERASED, [map_id], digests)}

    def remove_erased(self, map_id: str, digest: str) -> None:
        self.db.execute(sql.REMOVE_ERASED, (map_id, digest))

    # -- import mappings ----------------------------------------------------------------

    def get_import_mapping(self, map_id: str, signature: str) -> str | None:
        row = self.db.execute(sql.GET_IMPORT_MAPPING, (map_id, signature)).fetchone()
        return row[0] if row else None

    def put_import_mapping(self, map_id: str, signature: str, mapping: str, now: str) -> None:
        self.db.execute(sql.PUT_IMPORT_MAPPING, (map_id, signature, mapping, now))

    # -- graph data ---------------------------------------------------------------------

    def node_types(self, map_id: str, ids: list[str]) -> dict[str, NodeType]:
        return {i: NodeType(t) for i, t in self._in(sql.NODE_TYPES, [map_id], ids)}

    def relationship_kinds(self, map_id: str, ids: list[str]) -> dict[str, str]:
        return dict(self._in(sql.REL_KINDS, [map_id], ids))

    def put_nodes(self, map_id: str, nodes: list, existing: set[str]) -> None:
        self.db.executemany(sql.UPSERT_NODE, (_node_row(map_id, n) for n in nodes))

    def put_relationships(self, map_id, relationships, existing) -> None:
        self.db.executemany(sql.UPSERT_REL, (_rel_row(map_id, r) for r in relationships))

    def delete_node(self, map_id: str, node_id: str) -> None:
        self.db.execute(sql.DELETE_NODE, (map_id, node_id))  # ties go by ON DELETE CASCADE

    def delete_relationship(self, map_id: str, rel_id: str, kind: str) -> None:
        self.db.execute(sql.DELETE_REL, (map_id, rel_id))

    def count_kind(self, map_id: str, kind: str) -> int:
        return self.db.execute(sql.COUNT_KIND, (map_id, kind)).fetchone()[0]

    def count_silos(self, map_id: str, silos: list[str]) -> dict[str, int]:
        return dict(self._in(sql.COUNT_SILOS, [map_id], silos)) if silos else {}

    def move_silo(self, map_id: str, old: str, new: str) -> None:
        self.db.execute(sql.MOVE_SILO, (new, new, map_id, old))

    def get_entity(self, map_id: str, etype: EntityType, entity_id: str):
        if etype is EntityType.RELATIONSHIP:
            row = self.db.execute(sql.GET_REL, (map_id, entity_id)).fetchone()
            return _rel_from_row(row) if row else None
        row = self.db.execute(sql.GET_NODE, (map_id, entity_id, etype.value)).fetchone()
        return model.from_dict(etype, json.loads(row[0])) if row else None

    def revision(self, map_id: str, etype: EntityType, entity_id: str) -> int | None:
        if etype is EntityType.RELATIONSHIP:
            row = self.db.execute(sql.REL_REVISION, (map_id, entity_id)).fetchone()
        else:
            row = self.db.execute(sql.NODE_REVISION, (map_id, entity_id, etype.value)).fetchone()
        return row[0] if row else None

    def list_entities(self, map_id, etype, filters: ListFilter, limit, offset):
        where, args = "", []
        if etype is EntityType.RELATIONSHIP:
            count_q, list_q, head = sql.COUNT_RELS, sql.LIST_RELS, [map_id]
            if filters.kind:
                where, args = where + sql.REL_KIND, [*args, filters.kind]
            if filters.q:
                where += sql.REL_ENDPOINT
                args += [sql.like_pattern(filters.q)] * 2
        else:
            count_q, list_q, head = sql.COUNT_NODES, sql.LIST_NODES, [map_id, etype.value]
            for clause, value in (
                (sql.NODE_SILO, filters.silo),
                (sql.NODE_KIND, filters.kind),
                (sql.NODE_NAME_KEY, filters.q),
            ):
                if value:
                    where, args = where + clause, [*args, value]
        total = self.db.execute(count_q.format(where=where), [*head, *args]).fetchone()[0]
        rows = self.db.execute(list_q.format(where=where), [*head, *args, limit, offset])
        if etype is EntityType.RELATIONSHIP:
            return total, [_rel_from_row(r) for r in rows]
        return total, [model.from_dict(etype, json.loads(r[0])) for r in rows]

    def list_shown(self, map_id, etype, filters: ListFilter, shown, limit, offset):
        args = {
            "map_id": map_id,
            "viewer": shown is not None,
            "small": json.dumps(list(shown.small) if shown else []),
            "labels": json.dumps(shown.labels if shown else {}),
            "silo": filters.silo or None,
            "kind": filters.kind or None,
            "q": filters.q or None,
        }
        if etype is EntityType.RELATIONSHIP:
            return self._list_shown_ties(args, limit, offset)
        args["type"] = etype.value
        rows = self.db.execute(sql.LIST_SHOWN_NODES, {**args, "limit": limit, "offset": offset})
        rows = rows.fetchall()
        # each row carries the total; a page past the end has none, so count apart
        total = rows[0][0] if rows else self.db.execute(sql.COUNT_SHOWN_NODES, args).fetchone()[0]
        return total, [model.from_dict(etype, json.loads(r[1])) for r in rows]

    def _list_shown_ties(self, args: dict, limit: int, offset: int):
        """Ties in two statements (see :data:`sql.SHOWN_TIE_GROUPS`): the groups' counts
        (without a search, kept for the map's version: they do not depend on the page),
        then the page from the groups it falls in."""
        variant = (args["viewer"], args["q"] is not None)

        def groups():
            query = sql.SHOWN_TIE_GROUPS[variant]
            if args["q"] is not None and not kind_holds(self._map(args["map_id"]), args["q"]):
                query = sql.SHOWN_TIE_GROUPS_FOUND[args["viewer"]]
            found = self.db.execute(query, args).fetchall()
            return sorted(found, key=lambda g: (g[0] is not None, g[0] or ""))

        if args["q"] is None:
            what = ("tie groups", args["viewer"], args["kind"], args["small"], args["labels"])
            listed = self._kept(args["map_id"], what, groups)
        else:
            listed = groups()
        total, displays, skip = groups_on_page(listed, offset, limit)
        if not displays:
            return total, []
        page = {**args, "displays": json.dumps(displays), "limit": limit, "skip": skip}
        rows = self.db.execute(sql.SHOWN_TIE_PAGE[variant], page)
        return total, [_rel_from_row(r) for r in rows]

    def node_index(self, map_id: str) -> list[tuple[str, str, str]]:
        return self.db.execute(sql.NODE_INDEX, (map_id,)).fetchall()

    def relationships_by_id(
        self, map_id: str, ids: list[str], kinds: dict[str, str] | None = None
    ) -> list[Relationship]:
        # one indexed lookup per id whatever its kind: the hint is not needed
        rows = self.db.execute(sql.RELS_BY_ID, (map_id, json.dumps(ids)))
        return [_rel_from_row(r) for r in rows]

    def silo_people(self, map_id: str) -> dict[str, int]:
        return dict(self.db.execute(sql.SILO_PEOPLE, (map_id,)).fetchall())

    def people_of_consent(self, map_id: str, visibility: str) -> list[str]:
        return [r[0] for r in self.db.execute(sql.PEOPLE_OF_CONSENT, (map_id, visibility))]

    def ties_of_consent(self, map_id: str, visibility: str) -> list[str]:
        args = {"map_id": map_id, "visibility": visibility}
        return [r[0] for r in self.db.execute(sql.TIES_OF_CONSENT, args)]

    def all_nodes(self, map_id: str) -> list:
        return _load_nodes(self.db.execute(sql.ALL_NODES, (map_id,)))

    def all_relationships(self, map_id: str, as_of: date | None) -> list[Relationship]:
        if as_of is None:
            rows = self.db.execute(sql.ALL_RELS, (map_id,))
        else:
            day = as_of.isoformat()
            rows = self.db.execute(sql.ALL_RELS_AS_OF, (map_id, day, day))
        return _rels_from_rows(rows)

    def neighbour_ids(self, map_id: str, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for s, t in self._in(sql.NEIGHBOURS, [map_id], ids, per_chunk=2):
            found.update((s, t))
        return found

    def nodes_by_id(self, map_id: str, ids: list[str]) -> list:
        return _load_nodes(self._in(sql.NODES_BY_ID, [map_id], ids))

    def relationships_among(self, map_id: str, ids: list[str]) -> list[Relationship]:
        among = set(ids)
        rels = (_rel_from_row(r) for r in self._in(sql.RELS_FROM, [map_id], ids))
        return [r for r in rels if r.target in among]

    # -- audit --------------------------------------------------------------------------

    def get_result(self, map_id: str, key: str, version: int | None) -> str | None:
        if version is None:
            row = self.db.execute(sql.GET_LATEST_RESULT, (map_id, key)).fetchone()
        else:
            row = self.db.execute(sql.GET_RESULT, (map_id, key, version)).fetchone()
        return row[0] if row else None

    def has_result(self, map_id: str, key: str, version: int) -> bool:
        return self.db.execute(sql.HAS_RESULT, (map_id, key, version)).fetchone() is not None

    def put_result(self, map_id: str, key: str, version: int, payload: str, at: str) -> None:
        self.db.execute(sql.PUT_RESULT, (map_id, key, version, payload, at))
        self.db.execute(sql.DELETE_OLD_RESULTS, (map_id, version))

    def get_lease(self, map_id: str, key: str) -> tuple[str, str, str] | None:
        row = self.db.execute(sql.GET_LEASE, (map_id, key)).fetchone()  # under BEGIN IMMEDIATE
        return tuple(row) if row else None

    def put_lease(self, map_id: str, key: str, holder: str, started: str, expires: str) -> None:
        self.db.execute(sql.PUT_LEASE, (map_id, key, holder, started, expires))

    def delete_lease(self, map_id: str, key: str, holder: str) -> None:
        self.db.execute(sql.DELETE_LEASE, (map_id, key, holder))

    def add_audit(self, map_id: str, seq: int, entry: AuditRecord) -> None:
        # seq orders entries by insertion (AUTOINCREMENT), so the map's version is not kept
        self.db.execute(
            sql.ADD_AUDIT,
            (map_id, entry.at, entry.actor, entry.action, entry.entity_type, entry.entity_ref),
        )

    def rename_audit_refs(self, map_id: str, entity_type: str, old: str, new: str) -> None:
        self.db.execute(sql.RENAME_AUDIT_REFS, (new, map_id, entity_type, old))

    def audit_page(self, map_id, refs, limit, offset):
        where, args = "", [map_id]
        if refs is not None:
            where, args = sql.AUDIT_REFS, [map_id, json.dumps(refs)]
        total = self.db.execute(sql.COUNT_AUDIT.format(where=where), args).fetchone()[0]
        rows = self.db.execute(sql.LIST_AUDIT.format(where=where), [*args, limit, offset])
        return total, [AuditRecord(*r) for r in rows]

    # -- tokens -------------------------------------------------------------------------

    def insert_token(self, token: AccessToken) -> None:
        self.db.execute(sql.INSERT_ACCESS, _token_row(token))

    def get_token(self, token_id: str) -> AccessToken | None:
        row = self.db.execute(sql.GET_ACCESS, (token_id,)).fetchone()
        return AccessToken(*row) if row else None

    def find_token(self, token_hash: str) -> AccessToken | None:
        row = self.db.execute(sql.FIND_ACCESS, (token_hash,)).fetchone()
        return AccessToken(*row) if row else None

    def list_tokens(self, map_id: str) -> list[AccessToken]:
        return [AccessToken(*r) for r in self.db.execute(sql.LIST_ACCESS, (map_id,))]

    def set_token_revoked(self, token_id: str, at: str) -> None:
        self.db.execute(sql.REVOKE_ACCESS, (at, token_id))

    def delete_tokens_about(self, map_id: str, subject: str) -> None:
        self.db.execute(sql.DELETE_SESSIONS_ABOUT, (map_id, subject))
        self.db.execute(sql.DELETE_ACCESS_ABOUT, (map_id, subject))

    # -- browser sessions ---------------------------------------------------------------

    def insert_session(self, record: SessionRecord) -> None:
        self.db.execute(
            sql.INSERT_SESSION,
            (record.id_hash, record.token_id, record.created_at, record.expires_at),
        )

    def get_session(self, id_hash: str) -> SessionRecord | None:
        row = self.db.execute(sql.GET_SESSION, (id_hash,)).fetchone()
        return SessionRecord(*row) if row else None

    def delete_session(self, id_hash: str) -> None:
        self.db.execute(sql.DELETE_SESSION, (id_hash,))

    def delete_token_sessions(self, token_id: str) -> None:
        self.db.execute(sql.DELETE_TOKEN_SESSIONS, (token_id,))

    def delete_expired_sessions(self, now: str) -> None:
        self.db.execute(sql.DELETE_EXPIRED_SESSIONS, (now,))

    # -- surveys ------------------------------------------------------------------------

    def get_survey(self, map_id: str, survey_id: str) -> Survey | None:
        row = self.db.execute(sql.GET_SURVEY, (map_id, survey_id)).fetchone()
        return survey_from_dict(json.loads(row[0])) if row else None

    def list_surveys(self, map_id: str) -> list[Survey]:
        rows = self.db.execute(sql.LIST_SURVEYS, (map_id,))
        return [survey_from_dict(json.loads(r[0])) for r in rows]

    def put_survey(self, map_id: str, survey: Survey) -> None:
        data = json.dumps(survey_to_dict(survey))
        self.db.execute(sql.PUT_SURVEY, (map_id, survey.id, survey.status.value, data))

    def put_respondent(self, map_id: str, r: Respondent) -> None:
        self.db.execute(sql.PUT_RESPONDENT, (map_id, r.survey_id, r.person_id, r.token_id))

    def delete_respondent(self, map_id: str, survey_id: str, person_id: str) -> None:
        self.db.execute(sql.DELETE_RESPONDENT, (map_id, survey_id, person_id))

    def respondents(self, map_id: str, survey_id: str) -> list[Respondent]:
        return [Respondent(*r) for r in self.db.execute(sql.RESPONDENTS, (map_id, survey_id))]

    def respondent_by_token(self, token_id: str) -> tuple[str, Respondent] | None:
        row = self.db.execute(sql.RESPONDENT_OF_LINK, (token_id,)).fetchone()
        return (row[0], Respondent(*row[1:])) if row else None

    def delete_respondents_of(self, map_id: str, person_id: str) -> None:
        self.db.execute(sql.DELETE_RESPONDENTS_OF, (map_id, person_id))

    def get_response(self, map_id: str, survey_id: str, person_id: str) -> Response | None:
        row = self.db.execute(sql.GET_RESPONSE, (map_id, survey_id, person_id)).fetchone()
        return response_from_dict(json.loads(row[0])) if row else None

    def list_responses(self, map_id: str, survey_id: str | None) -> list[Response]:
        if survey_id is None:
            rows = self.db.execute(sql.LIST_RESPONSES, (map_id,))
        else:
            rows = self.db.execute(sql.LIST_SURVEY_RESPONSES, (map_id, survey_id))
        return [response_from_dict(json.loads(r[0])) for r in rows]

    def put_responses(self, map_id: str, responses: list[Response]) -> None:
        self.db.executemany(
            sql.PUT_RESPONSE,
            (
                (map_id, r.survey_id, r.person_id, r.status.value, json.dumps(response_to_dict(r)))
                for r in responses
            ),
        )

    def delete_responses_of(self, map_id: str, person_id: str) -> None:
        self.db.execute(sql.DELETE_RESPONSES_OF, (map_id, person_id))

    def roster_nodes(self, map_id: str) -> list[RosterNode]:
        return [RosterNode.from_row(row) for row in self.db.execute(sql.ROSTER_NODES, (map_id,))]


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


def _node_row(map_id: str, node) -> tuple:
    kind = node.kind.value if isinstance(node, model.Organisation) else None
    data = json.dumps(model.to_dict(node))
    visibility = "named"  # organisations: always shown by name
    if isinstance(node, model.Person) and node.visibility is not None:
        visibility = node.visibility.value
    row = (map_id, node.id, node.type.value, node.name, node.silo, kind, data, fold(node.name))
    return (*row, visibility)


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
        rel.origin,
        json.dumps(rel.reported_by) if rel.reported_by else "[]",  # most ties: no reporter
    )


def _rel_from_row(row) -> Relationship:
    """A relationship from the columns named by ``sql.REL_COLUMNS``, in that order."""
    rid, source, target, kind, strength, since, until, notes, evidence, origin, reported = row
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
        origin,
        json.loads(reported) if reported != "[]" else [],
    )


def _rels_from_rows(rows: Iterable) -> list[Relationship]:
    """:func:`_rel_from_row` of each row, in one comprehension (a whole map's ties:
    250,000 rows at 50,000 people, where a call per row and a global lookup per column
    count)."""
    day, loads, rel = date.fromisoformat, json.loads, Relationship
    return [
        rel(
            rid,
            source,
            target,
            kind,
            strength,
            day(since) if since else None,
            day(until) if until else None,
            notes,
            evidence,
            origin,
            loads(said) if said != "[]" else [],
        )
        for rid, source, target, kind, strength, since, until, notes, evidence, origin, said in rows
    ]


def _map_from_row(row) -> Map:
    """A map from the columns named by ``sql.MAP_COLUMNS``, in that order."""
    _, data, created_at, updated_at, version = row
    m = map_from_dict(json.loads(data))
    m.created_at, m.updated_at, m.version = created_at, updated_at, version
    return m


def _load_nodes(rows: Iterable) -> list:
    """The nodes of ``(type, data)`` rows. The JSON of all of them is parsed in one call
    (one array), not one call per node: a call of ``json.loads`` costs more than the
    parsing of a small object (0.1 s of the 0.3 s at 50,000 people)."""
    types, texts = [], []
    for type_, data in rows:
        types.append(_PERSON if type_ == _PERSON_TYPE else _ORGANISATION)
        texts.append(data)
    datas = json.loads("[" + ",".join(texts) + "]") if texts else []
    return [model.from_dict(etype, data) for etype, data in zip(types, datas, strict=True)]


_PERSON_TYPE = NodeType.PERSON.value
_PERSON, _ORGANISATION = EntityType.PERSON, EntityType.ORGANISATION
