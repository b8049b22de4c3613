"""The Neo4j store: the same contract as the embedded store, on a Neo4j 5 server.

The driver is injected (the caller owns its settings and life cycle; tests share one).
The rules (version bump, audit, erasure, batch checks) are
:class:`~graph_models.store.rules.StoreRules`'; this module supplies the Neo4j
primitives (:class:`Neo4jTransaction`), whose Cypher is all in
:mod:`graph_models.store.cypher`.

Every write is one managed transaction function run by ``execute_write``, so the driver
retries it on transient errors; the functions are idempotent in effect because each
starts by bumping the map's version, which takes the map's lock, and then reads the
state it depends on. Bulk writes go as ``UNWIND $rows`` batches. The schema is made and
upgraded in place before the first query (:mod:`graph_models.store.migrations`).

Every call has a deadline (``timeout``): the driver has no read timeout of its own (a
server that accepts connections but never answers, e.g. frozen or swamped, would hold a
worker for ever), so each transaction function runs in one of the store's threads and
the caller gets :class:`~graph_models.errors.StoreUnavailable` when the deadline passes.
The stuck call ends when the server answers or the connection drops; a *write* given
up on this way may still be applied when the server resumes (its outcome is unknown,
as with any lost reply). Each transaction also carries the same timeout to the server,
which aborts it there if it runs longer.

Driver failures that mean "the server is not there" become
:class:`~graph_models.errors.StoreUnavailable` (HTTP 503); the driver reconnects by
itself when the server is back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import secrets
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Late
from datetime import date

import neo4j
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError, ServiceUnavailable

from graph_models import model
from graph_models.errors import Conflict, StoreUnavailable
from graph_models.model import EntityType, Map, NodeType, Relationship
from graph_models.store import cypher, migrations
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

BATCH = 5000
#: Above this many ids, finding existing ties scans the map's ties once instead of one
#: indexed lookup per id and relationship type.
SCAN_ABOVE = 200


#: Driver settings for a readable log: the server's "label / relationship type /
#: property key does not exist" notifications (classification UNRECOGNIZED) are not
#: asked for. On a fresh database every query about a map not yet written raises one,
#: and the driver logs each as a multi-line WARNING (thousands in a bulk load), which
#: buried real warnings. Deprecation, performance, security and other notifications
#: are still logged (logger ``neo4j.notifications``). Pass as
#: ``neo4j.GraphDatabase.driver(uri, **DRIVER_NOTIFICATIONS)``.
DRIVER_NOTIFICATIONS = {"notifications_disabled_classifications": ["UNRECOGNIZED"]}


#: The server's answer when a transaction would pass its memory limit: the one for all
#: transactions at once (``db.memory.transaction.total.max``, 70% of the heap by
#: default) or for one (``db.memory.transaction.max``). Retrying helps when others held
#: the memory; a write that alone needs more (roughly, a bulk write of 250,000+ rows on
#: a 2 GB heap: README, "Running with Neo4j") needs smaller parts or a larger limit.
OUT_OF_TRANSACTION_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
TRANSACTION_MEMORY_MESSAGE = (
    "the Neo4j database has no transaction memory left for this (nothing was written): "
    "try again shortly, or send it in smaller parts; an operator can raise "
    "db.memory.transaction.total.max"
)


@contextlib.contextmanager
def translated_errors():
    """Turn driver failures into domain errors at the store's edge."""
    try:
        yield
    except ConstraintError as exc:
        raise Conflict("an object with this id already exists", {"id": ["taken"]}) from exc
    except (ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
        raise StoreUnavailable("the Neo4j database cannot be reached; try again shortly") from exc
    except DriverError as exc:
        raise StoreUnavailable(f"the Neo4j driver failed: {type(exc).__name__}") from exc
    except Neo4jError as exc:
        if exc.code == OUT_OF_TRANSACTION_MEMORY:
            raise StoreUnavailable(TRANSACTION_MEMORY_MESSAGE) from exc
        if exc.code and exc.code.startswith("Neo.TransientError"):
            raise StoreUnavailable("the Neo4j database is busy; try again") from exc
        raise


class Neo4jStore(StoreRules):
    """A :class:`~graph_models.store.base.GraphStore` on Neo4j.

    Parameters
    ----------
    driver : neo4j.Driver
        A connected driver; the store does not close it unless ``owns_driver``.
    database : str
        The Neo4j database name.
    timeout : float, optional
        Seconds any call may take before it gives up with ``StoreUnavailable`` (keep it
        below the web server's worker timeout); ``None``: no deadline.
    """

    remote = True

    def __init__(
        self,
        driver: neo4j.Driver,
        *,
        database: str = "neo4j",
        owns_driver=True,
        timeout: float | None = None,
    ):
        self.driver = driver
        self.database = database
        self.owns_driver = owns_driver
        self.timeout = timeout
        self._calls = ThreadPoolExecutor(max_workers=32, thread_name_prefix="neo4j-call")
        self._kept = VersionMemo()
        #: the schema version (migration number), once checked and upgraded
        self.schema_version: int | None = None
        # start even when the server is down (the schema is made on the first request),
        # but not on a database that a newer Bridgemap has upgraded; nor hang on a hung one
        try:
            self._bounded(self._ensure_schema)
        except migrations.SchemaVersionError:
            raise
        except StoreUnavailable:
            pass

    def _ensure_schema(self) -> None:
        if self.schema_version is None:
            with translated_errors():
                self.schema_version = migrations.upgrade_neo4j(self.driver, self.database)

    # -- plumbing -------------------------------------------------------------------------

    def _bounded(self, call):
        """``call()``, or ``StoreUnavailable`` once :attr:`timeout` seconds have passed."""
        if self.timeout is None:
            return call()
        future = self._calls.submit(call)
        try:
            return future.result(timeout=self.timeout)
        except Late:
            raise StoreUnavailable(
                f"the Neo4j database did not answer within {self.timeout:g} s; try again"
            ) from None

    def _run(self, execute: str, work):
        unit = neo4j.unit_of_work(timeout=self.timeout)(
            lambda tx: work(Neo4jTransaction(tx, self._kept))
        )

        def call():
            self._ensure_schema()
            with translated_errors(), self.driver.session(database=self.database) as session:
                return getattr(session, execute)(unit)

        return self._bounded(call)

    def _write(self, work):
        return self._run("execute_write", work)

    def _read(self, work):
        return self._run("execute_read", work)

    def ping(self) -> None:
        def call():
            with translated_errors():
                self.driver.execute_query(cypher.PING, database_=self.database)

        self._bounded(call)

    def close(self) -> None:
        self._calls.shutdown(wait=False, cancel_futures=True)
        if self.owns_driver:
            self.driver.close()


class Neo4jTransaction:
    """The :class:`~graph_models.store.rules.Transaction` primitives on one managed
    Neo4j transaction (``memo``: the store's :class:`VersionMemo`)."""

    def __init__(self, tx, memo: VersionMemo | None = None):
        self.tx = tx
        self.memo = memo if memo is not None else VersionMemo(0)
        #: map id -> (identity, version) as :meth:`get_map` read it in this transaction
        self._seen: dict[str, tuple] = {}
        #: map id -> the map as :meth:`get_map` read it in this transaction
        self._maps: dict[str, Map] = {}
        #: (map id, node id) -> the node's element id, for nodes this transaction found
        #: (:meth:`node_types`) or wrote (:meth:`put_nodes`): ties between them are
        #: created by element id (:data:`cypher.CREATE_RELS_BETWEEN`), not index seeks.
        #: Element ids hold only within one transaction, and so does this object.
        self._elements: dict[tuple[str, str], str] = {}

    def _do(self, query: str, **params) -> None:
        self.tx.run(query, **params).consume()

    # -- maps ---------------------------------------------------------------------------

    def get_map(self, map_id: str) -> Map | None:
        record = self.tx.run(cypher.GET_MAP, id=map_id).single()
        if record is None:
            return None
        self._seen[map_id] = (record["m"].get("erasure_key"), record["m"]["version"])
        self._maps[map_id] = _map_from_props(record["m"])
        return self._maps[map_id]

    def _kept(self, map_id: str, what: tuple, compute):
        """``compute()``, or the value it had for this version of the map (see
        :class:`VersionMemo`; only once :meth:`get_map` has read the map here, and kept
        only if the version read again after ``compute()`` has not moved)."""
        seen = self._seen.get(map_id)
        if seen is None:
            return compute()

        def unchanged() -> bool:
            now = self.tx.run(cypher.MAP_VERSION, id=map_id).single()
            return now is not None and (now["key"], now["version"]) == seen

        return self.memo.kept((map_id, *seen, *what), compute, unchanged)

    def _known(self, map_id: str, what: tuple):
        """What :meth:`_kept` keeps under ``what`` for the map's version, if it has
        been computed already (None: not yet; nothing is computed)."""
        self._map(map_id)
        seen = self._seen.get(map_id)
        return None if seen is None else self.memo.get((map_id, *seen, *what))

    def _map(self, map_id: str) -> Map | None:
        """The map as this transaction read it (read now if it has not yet)."""
        return self._maps.get(map_id) or self.get_map(map_id)

    def list_maps(self, limit: int, offset: int) -> tuple[int, list[Map]]:
        total = self.tx.run(cypher.COUNT_MAPS).single()["total"]
        rows = [
            _map_from_props(r["m"])
            for r in self.tx.run(cypher.LIST_MAPS, limit=limit, offset=offset)
        ]
        return total, rows

    def insert_map(self, m: Map, now: str) -> None:
        data = json.dumps(map_to_dict(m))
        self._do(cypher.CREATE_MAP, id=m.id, name=m.name, data=data, now=now, key=new_key())

    def update_map(self, m: Map) -> None:
        self._do(cypher.UPDATE_MAP, id=m.id, name=m.name, data=json.dumps(map_to_dict(m)))

    def delete_map(self, map_id: str) -> bool:
        self._elements = {k: v for k, v in self._elements.items() if k[0] != map_id}
        record = self.tx.run(cypher.DELETE_MAP, id=map_id).single()
        return record is not None and record["deleted"] > 0

    def bump(self, map_id: str, now: str) -> int | None:
        record = self.tx.run(cypher.BUMP_VERSION, map_id=map_id, now=now).single()
        return record["version"] if record else None

    def bump_operator(self, now: str) -> int:
        record = self.tx.run(cypher.BUMP_OPERATOR).single()
        if record is None:  # made by migration 5; only a hand-edited database lacks it
            self._do(cypher.MAKE_OPERATOR_LOG)
            record = self.tx.run(cypher.BUMP_OPERATOR).single()
        return record["seq"]

    # -- erasure tombstones -------------------------------------------------------------

    def get_import_mapping(self, map_id: str, signature: str) -> str | None:
        record = self.tx.run(cypher.GET_IMPORT_MAPPING, map_id=map_id, signature=signature).single()
        return record["mapping"] if record else None

    def put_import_mapping(self, map_id: str, signature: str, mapping: str, now: str) -> None:
        self._do(
            cypher.PUT_IMPORT_MAPPING, map_id=map_id, signature=signature, mapping=mapping, now=now
        )

    def erasure_key(self, map_id: str) -> str | None:
        record = self.tx.run(cypher.GET_MAP_KEY, id=map_id).single()
        return record["key"] if record else None

    def add_erased(self, map_id: str, digest: str, at: str) -> None:
        self._do(cypher.ADD_ERASED, map_id=map_id, digest=digest, at=at)

    def find_erased(self, map_id: str, digests: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(digests), BATCH):
            records = self.tx.run(cypher.FIND_ERASED, map_id=map_id, digests=chunk)
            found.update(records.value("digest"))
        return found

    def remove_erased(self, map_id: str, digest: str) -> None:
        self._do(cypher.REMOVE_ERASED, map_id=map_id, digest=digest)

    # -- graph data ---------------------------------------------------------------------

    def node_types(self, map_id: str, ids: list[str]) -> dict[str, NodeType]:
        found: dict[str, NodeType] = {}
        for chunk in chunks(list(ids), BATCH):
            for r in self.tx.run(cypher.NODE_TYPES, map_id=map_id, ids=chunk):
                found[r["id"]] = NodeType(r["type"])
                self._elements[map_id, r["id"]] = r["element"]
        return found

    def relationship_kinds(self, map_id: str, ids: list[str]) -> dict[str, str]:
        if len(ids) > SCAN_ABOVE:
            wanted = set(ids)
            records = self.tx.run(cypher.REL_IDS, map_id=map_id)
            return {r["id"]: r["kind"] for r in records if r["id"] in wanted}
        return {r["id"]: r["kind"] for r in self.tx.run(cypher.FIND_RELS, map_id=map_id, ids=ids)}

    def put_nodes(self, map_id: str, nodes: list, existing: set[str]) -> None:
        writes: dict[tuple[str, bool], list] = defaultdict(list)
        for node in nodes:
            writes[node.type.value, node.id in existing].append(_node_row(node))
        for (label, exists), rows in writes.items():
            # CREATE skips MERGE's lookup-then-lock for nodes known (under the map's
            # lock) not to exist yet: the bulk of a first import
            query = (cypher.UPSERT_NODES if exists else cypher.CREATE_NODES)[label]
            for chunk in chunks(rows, BATCH):
                made = self.tx.run(query, map_id=map_id, rows=chunk).single()["made"]
                self._elements.update(((map_id, node_id), element) for node_id, element in made)

    def _rel_revisions(self, map_id: str, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        if len(ids) > SCAN_ABOVE:
            wanted = set(ids)
            records = self.tx.run(cypher.ALL_REL_REVISIONS, map_id=map_id)
            return {r["id"]: r["revision"] for r in records if r["id"] in wanted}
        records = self.tx.run(cypher.REL_REVISIONS, map_id=map_id, ids=ids)
        return {r["id"]: r["revision"] for r in records}

    def put_relationships(self, map_id, relationships, existing: dict[str, str]) -> None:
        # a tie whose type and ends stay is rewritten in place (one UNWIND per type);
        # the others are deleted and created anew, carrying their revision on, one more
        # (a tie's type and ends are fixed in Neo4j)
        in_place: dict[str, list] = defaultdict(list)
        for rel in relationships:
            old_kind = existing.get(rel.id)
            if old_kind is not None and cypher.neo4j_type(old_kind) == cypher.neo4j_type(rel.kind):
                in_place[cypher.neo4j_type(rel.kind)].append(_rel_row(rel))
        rewritten: set[str] = set()
        for rows in in_place.values():
            for chunk in chunks(rows, BATCH):
                query = cypher.update_rels(chunk[0]["kind"])
                rewritten.update(self.tx.run(query, map_id=map_id, rows=chunk).single()["ids"])
        moved = {rel_id: kind for rel_id, kind in existing.items() if rel_id not in rewritten}
        revisions = self._rel_revisions(map_id, list(moved))
        old: dict[str, list] = defaultdict(list)
        for rel_id, kind in moved.items():
            old[cypher.neo4j_type(kind)].append((rel_id, kind))
        for pairs in old.values():
            for chunk in chunks(pairs, BATCH):
                ids = [rel_id for rel_id, _ in chunk]
                self._do(cypher.delete_rels(chunk[0][1]), map_id=map_id, ids=ids)
        rows: dict[str, list] = defaultdict(list)
        for rel in relationships:
            if rel.id in rewritten:
                continue
            row = {**_rel_row(rel), "revision": revisions.get(rel.id, 0) + 1}
            row["shuffle"] = _order_key()  # a new tie's (one rewritten in place keeps its)
            rows[cypher.neo4j_type(rel.kind)].append(row)
        for kind_rows in rows.values():
            for chunk in chunks(kind_rows, BATCH):
                self._create_rels(map_id, chunk)

    def _create_rels(self, map_id: str, rows: list[dict]) -> None:
        """Create ties of one kind: between ends by element id when this transaction
        knows every end's (a bulk write has looked them all up or written them), else
        by ``(map_id, id)``."""
        kind = rows[0]["kind"]
        try:
            between = [
                {
                    **row,
                    "a": self._elements[map_id, row["source"]],
                    "b": self._elements[map_id, row["target"]],
                }
                for row in rows
            ]
        except KeyError:
            self._do(cypher.create_rels(kind), map_id=map_id, rows=rows)
        else:
            self._do(cypher.create_rels_between(kind), map_id=map_id, rows=between)

    def delete_node(self, map_id: str, node_id: str) -> None:
        self._elements.pop((map_id, node_id), None)
        self._do(cypher.DELETE_NODE, map_id=map_id, id=node_id)

    def delete_relationship(self, map_id: str, rel_id: str, kind: str) -> None:
        self._do(cypher.delete_rels(kind), map_id=map_id, ids=[rel_id])

    def count_kind(self, map_id: str, kind: str) -> int:
        return self.tx.run(cypher.COUNT_KIND, map_id=map_id, kind=kind).single()["total"]

    def count_silos(self, map_id: str, silos: list[str]) -> dict[str, int]:
        records = self.tx.run(cypher.COUNT_SILOS, map_id=map_id, silos=list(silos))
        return {r["silo"]: r["total"] for r in records}

    def move_silo(self, map_id: str, old: str, new: str) -> None:
        rows = []
        for r in list(self.tx.run(cypher.NODES_IN_SILO, map_id=map_id, silo=old)):
            data = json.loads(r["data"])
            data["silo"] = new
            rows.append({"id": r["id"], "silo": new, "data": json.dumps(data)})
        for chunk in chunks(rows, BATCH):
            self._do(cypher.MOVE_SILO, map_id=map_id, rows=chunk)

    def get_entity(self, map_id: str, etype: EntityType, entity_id: str):
        if etype is EntityType.RELATIONSHIP:
            record = self.tx.run(cypher.FIND_RELS, map_id=map_id, ids=[entity_id]).single()
            return _rel_from_record(record) if record else None
        record = self.tx.run(cypher.GET_NODE[etype.value], map_id=map_id, id=entity_id).single()
        return model.from_dict(etype, json.loads(record["data"])) if record else None

    def revision(self, map_id: str, etype: EntityType, entity_id: str) -> int | None:
        if etype is EntityType.RELATIONSHIP:
            return self._rel_revisions(map_id, [entity_id]).get(entity_id)
        record = self.tx.run(cypher.NODE_REVISION[etype.value], map_id=map_id, id=entity_id)
        found = record.single()
        return found["r"] if found else None

    def list_entities(self, map_id, etype, filters: ListFilter, limit, offset):
        if etype is EntityType.RELATIONSHIP:
            args = dict(map_id=map_id, kind=filters.kind, q=filters.q or None)
            records = self.tx.run(cypher.LIST_RELS, **args, limit=limit, offset=offset)
            page = [_rel_from_record(r) for r in records]
            if args["kind"] is None and args["q"] is None:

                def count():
                    return self.tx.run(cypher.COUNT_ALL_RELS, map_id=map_id).single()["total"]

                return self._kept(map_id, ("all ties",), count), page
            return self.tx.run(cypher.COUNT_RELS, **args).single()["total"], page
        args = dict(map_id=map_id, silo=filters.silo, kind=filters.kind, q=filters.q or None)
        count_q, list_q = cypher.COUNT_NODES[etype.value], cypher.LIST_NODES[etype.value]
        if etype is EntityType.PERSON and args["q"] is None and args["kind"] is None:
            # from the people by silo and consent (kept for the map's version)
            total = self._people_counted({**args, "viewer": False, "blocks": []})
        else:
            total = self.tx.run(count_q, **args).single()["total"]
        records = self.tx.run(list_q, **args, limit=limit, offset=offset)
        return total, [model.from_dict(etype, json.loads(r["data"])) for r in records]

    def list_shown(self, map_id, etype, filters: ListFilter, shown, limit, offset):
        args = dict(
            map_id=map_id,
            viewer=shown is not None,
            small=list(shown.small) if shown else [],
            labels=shown.labels if shown else {},
            silo=filters.silo or None,
            kind=filters.kind or None,
            q=filters.q or None,
        )
        # the silos whose anonymised people are listed (as their silo's label, which a
        # search must match): a viewer's people, or ties, only
        blocks = []
        if shown is not None and etype is not EntityType.ORGANISATION:
            blocks = [
                silo
                for silo, label in sorted(shown.labels.items())
                if silo not in shown.small
                and (etype is EntityType.RELATIONSHIP or args["silo"] in (None, silo))
                and (etype is EntityType.RELATIONSHIP or args["kind"] is None)
                and (args["q"] is None or args["q"] in label)
            ]
        args["blocks"] = blocks
        if etype is EntityType.RELATIONSHIP:
            return self._list_shown_ties(args, limit, offset)
        query = cypher.LIST_SHOWN_NODES[etype.value]
        page = self.tx.run(query, **args, limit=limit, offset=offset).single()["page"]
        total = self._people_counted(args) if etype is EntityType.PERSON else None
        if total is None:
            query = cypher.COUNT_SHOWN_NODES[etype.value, args["q"] is not None]
            total = self.tx.run(query, **args).single()["total"]
        return total, [model.from_dict(etype, json.loads(d)) for d in page]

    def _people_counted(self, args: dict) -> int | None:
        """How many people a list without a search or kind shows, from the silo and
        consent counts; None with a search or kind."""
        if args["q"] is not None or args["kind"] is not None:
            return None
        total = 0
        for (silo, visibility), people in self._consent_counts(args["map_id"]).items():
            if args["silo"] not in (None, silo):
                continue
            named = visibility == model.Visibility.NAMED.value
            if not args["viewer"] or named or silo in args["blocks"] and visibility == "anonymised":
                total += people
        return total

    def _list_shown_ties(self, args: dict, limit: int, offset: int):
        """Ties in two statements: where the page falls (the groups' counts: see
        :data:`cypher.SHOWN_TIE_HEADS`), then the page from the groups it falls in; or,
        a text given, in one (:data:`cypher.SHOWN_TIES_FOUND`)."""
        q, kind = args["q"], args["kind"]
        if q is None and kind is None:
            total, displays, skip = self._tie_heads(args, limit, offset)
        elif q is not None and not kind_holds(self._map(args["map_id"]), q):
            # the ties the text matches are few: counted and paged in one statement
            query = cypher.SHOWN_TIES_FOUND
            found = self.tx.run(query, **args, offset=offset, limit=limit).single()
            return found["total"], [_rel_from_record(r) for r in found["page"]]
        else:
            query = cypher.SHOWN_TIE_GROUPS_FILTERED
            found = self.tx.run(query, **args, offset=offset, limit=limit).single()
            total, displays, skip = found["total"], found["displays"], found["skip"]
        if not displays:
            return total, []
        page = dict(args, displays=displays, skip=skip, limit=limit)
        return total, [_rel_from_record(r) for r in self.tx.run(cypher.SHOWN_TIE_PAGE, **page)]

    def _tie_heads(self, args: dict, limit: int, offset: int) -> tuple[int, list, int]:
        """``(total, displays, skip)`` of a tie list with no filter: from the heads of
        :data:`cypher.SHOWN_TIE_HEADS`, merged by the text shown."""
        total, blocks = self._tie_totals(args)
        groups: dict = defaultdict(int, blocks)
        heads = self.tx.run(cypher.SHOWN_TIE_HEADS, **args, offset=offset, limit=limit)
        for display, ties in heads.single()["heads"]:
            groups[display] += ties
        listed = [(display, ties) for display, ties in groups.items() if ties > 0]
        _, displays, skip = groups_on_page(listed, offset, limit)
        return total, displays, skip

    def _tie_totals(self, args: dict) -> tuple[int, dict[str, int]]:
        """``(ties listed, {label: ties headed by the anonymised people shown as it}``)
        for the reader (:data:`cypher.SHOWN_TIE_TOTALS`; kept for the map's version)."""
        # an anonymised person is unshown only in a silo too small to show them: with
        # none, the anonymised people (many) are not walked for the few hidden ones
        unshown = []
        if args["viewer"]:
            unshown = ["anonymised", "hidden"] if args["small"] else ["hidden"]

        def count():
            found = self.tx.run(cypher.SHOWN_TIE_TOTALS, **args, unshown=unshown).single()
            cut: dict = defaultdict(int)
            for label, ties in found["cut"]:
                cut[label] += ties
            blocks = {label: ties - cut[label] for label, ties in found["blocks"]}
            return found["total"] - sum(cut.values()), blocks

        labels = tuple(sorted(args["labels"].items()))
        what = ("ties", args["viewer"], tuple(args["small"]), labels, tuple(args["blocks"]))
        return self._kept(args["map_id"], what, count)

    def node_index(self, map_id: str) -> list[tuple[str, str, str]]:
        """Kept for the map's version: an import of several files (people, then ties)
        and the form's name lookups read it once while the map does not change."""
        self._map(map_id)  # read in this transaction, so the list can be kept

        def read() -> tuple[tuple[str, str, str], ...]:
            rows = self.tx.run(cypher.NODE_INDEX, map_id=map_id).single()["rows"]
            return tuple(map(tuple, rows))

        return list(self._kept(map_id, ("node index",), read))

    def relationships_by_id(
        self, map_id: str, ids: list[str], kinds: dict[str, str] | None = None
    ) -> list[Relationship]:
        """Each tie by one index seek of its own relationship type where that is known:
        from ``kinds`` (the kind each id is expected to have: an unchanged re-import
        finds every tie so, and reads nothing else), or from the map's tie types
        (:meth:`_tie_types`) once they are kept for its version. The ids left: few,
        13 index seeks each (one per type); more, by their own type from the map's tie
        types (one pass, kept for the version: a first import asking batch after batch
        reads the map's ties once)."""
        found: list[Relationship] = []
        if kinds and self._known(map_id, ("tie types",)) is None:
            guessed = {i: cypher.neo4j_type(kinds[i]) for i in ids if i in kinds}
            found = self._rels_of_types(map_id, guessed)
            if found:
                seen = {r.id for r in found}
                ids = [i for i in ids if i not in seen]
        if not ids:
            return found
        if len(ids) <= SCAN_ABOVE:
            records = self.tx.run(cypher.FIND_RELS, map_id=map_id, ids=list(ids))
            return found + [_rel_from_record(r) for r in records]
        types = self._tie_types(map_id)
        return found + self._rels_of_types(map_id, {i: types[i] for i in ids if i in types})

    def _rels_of_types(self, map_id: str, types: dict[str, str]) -> list[Relationship]:
        """The ties among ``types``' ids, each looked for under its relationship type
        there (:data:`cypher.FIND_RELS_BY_TYPE`, one round trip per :data:`BATCH`)."""
        found: list[Relationship] = []
        for chunk in chunks(list(types), BATCH):
            by_type: dict[str, list[str]] = {t: [] for t in cypher.ALL_TYPES}
            for rel_id in chunk:
                by_type[types[rel_id]].append(rel_id)
            records = self.tx.run(cypher.FIND_RELS_BY_TYPE, map_id=map_id, by_type=by_type)
            found += [_rel_from_record(row) for record in records for row in record["rows"]]
        return found

    def _tie_types(self, map_id: str) -> dict[str, str]:
        """Each tie's id -> its relationship type (kept for the map's version)."""
        self._map(map_id)  # read in this transaction, so the figure can be kept

        def read() -> dict[str, str]:
            return dict(self.tx.run(cypher.TIE_TYPES, map_id=map_id).single()["pairs"])

        return self._kept(map_id, ("tie types",), read)

    def silo_people(self, map_id: str) -> dict[str, int]:
        people: dict[str, int] = defaultdict(int)
        for (silo, _), n in self._consent_counts(map_id).items():
            people[silo] += n
        return dict(people)

    def _consent_counts(self, map_id: str) -> dict[tuple[str, str], int]:
        """``(silo, consent) -> people`` of the map (kept for its version)."""

        def count():
            records = self.tx.run(cypher.SILO_CONSENT, map_id=map_id)
            return {(r["silo"], r["visibility"]): r["people"] for r in records}

        return self._kept(map_id, ("consent",), count)

    def people_of_consent(self, map_id: str, visibility: str) -> list[str]:
        query = cypher.PEOPLE_OF_CONSENT
        return self.tx.run(query, map_id=map_id, visibility=visibility).single()["ids"]

    def ties_of_consent(self, map_id: str, visibility: str) -> list[str]:
        query = cypher.TIES_OF_CONSENT
        return self.tx.run(query, map_id=map_id, visibility=visibility).single()["ids"]

    def all_nodes(self, map_id: str) -> list:
        rows = self.tx.run(cypher.ALL_NODES, map_id=map_id).single()["rows"]
        return [_node_from(data, kind) for data, kind in rows]

    def all_relationships(self, map_id: str, as_of: date | None) -> list[Relationship]:
        day = as_of.isoformat() if as_of else None
        rows = self.tx.run(cypher.ALL_RELS, map_id=map_id, as_of=day).single()["rows"]
        return [_rel_from_record(row) for row in rows]

    def neighbour_ids(self, map_id: str, ids: list[str]) -> set[str]:
        return set(self.tx.run(cypher.NEIGHBOUR_IDS, map_id=map_id, ids=ids).value("id"))

    def nodes_by_id(self, map_id: str, ids: list[str]) -> list:
        rows = self.tx.run(cypher.NODES_BY_ID, map_id=map_id, ids=ids).single()["rows"]
        return [_node_from(data, kind) for data, kind in rows]

    def relationships_among(self, map_id: str, ids: list[str]) -> list[Relationship]:
        return [_rel_from_record(r) for r in self.tx.run(cypher.RELS_AMONG, map_id=map_id, ids=ids)]

    # -- audit --------------------------------------------------------------------------

    def get_result(self, map_id: str, key: str, version: int | None) -> str | None:
        query = cypher.GET_RESULT if version is not None else cypher.GET_LATEST_RESULT
        record = self.tx.run(query, map_id=map_id, key=key, version=version).single()
        return record["payload"] if record else None

    def has_result(self, map_id: str, key: str, version: int) -> bool:
        params = dict(map_id=map_id, key=key, version=version)
        return self.tx.run(cypher.HAS_RESULT, **params).single()["found"]

    def put_result(self, map_id: str, key: str, version: int, payload: str, at: str) -> None:
        self._do(cypher.PUT_RESULT, map_id=map_id, key=key, version=version, payload=payload, at=at)
        self._do(cypher.DELETE_OLD_RESULTS, map_id=map_id, version=version)

    def get_lease(self, map_id: str, key: str) -> tuple[str, str, str] | None:
        r = self.tx.run(cypher.GET_LEASE, map_id=map_id, key=key).single()
        return (r["holder"], r["started"], r["expires"]) if r and r["holder"] else None

    def put_lease(self, map_id: str, key: str, holder: str, started: str, expires: str) -> None:
        self._do(
            cypher.PUT_LEASE,
            map_id=map_id,
            key=key,
            holder=holder,
            started=started,
            expires=expires,
        )

    def delete_lease(self, map_id: str, key: str, holder: str) -> None:
        self._do(cypher.DELETE_LEASE, map_id=map_id, key=key, holder=holder)

    def add_audit(self, map_id: str, seq: int, entry: AuditRecord) -> None:
        self._do(
            cypher.AUDIT,
            map_id=map_id,
            seq=seq,
            now=entry.at,
            actor=entry.actor,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_ref=entry.entity_ref,
        )

    def rename_audit_refs(self, map_id: str, entity_type: str, old: str, new: str) -> None:
        self._do(cypher.ERASE_AUDIT_REFS, map_id=map_id, entity_type=entity_type, old=old, new=new)

    def audit_page(self, map_id, refs, limit, offset):
        args = dict(map_id=map_id, refs=refs)
        total = self.tx.run(cypher.COUNT_AUDIT, **args).single()["total"]
        rows = self.tx.run(cypher.LIST_AUDIT, **args, limit=limit, offset=offset).data()
        return total, [AuditRecord(**r) for r in rows]

    # -- tokens -------------------------------------------------------------------------

    def insert_token(self, token: AccessToken) -> None:
        self._do(cypher.CREATE_ACCESS, **dataclasses.asdict(token))

    def get_token(self, token_id: str) -> AccessToken | None:
        record = self.tx.run(cypher.GET_ACCESS, id=token_id).single()
        return AccessToken(**record.data()) if record else None

    def find_token(self, token_hash: str) -> AccessToken | None:
        record = self.tx.run(cypher.FIND_ACCESS, token_hash=token_hash).single()
        return AccessToken(**record.data()) if record else None

    def list_tokens(self, map_id: str) -> list[AccessToken]:
        return [AccessToken(**r) for r in self.tx.run(cypher.LIST_ACCESS, map_id=map_id).data()]

    def set_token_revoked(self, token_id: str, at: str) -> None:
        self._do(cypher.REVOKE_ACCESS, id=token_id, at=at)

    def delete_tokens_about(self, map_id: str, subject: str) -> None:
        self._do(cypher.DELETE_ACCESS_ABOUT, map_id=map_id, subject=subject)

    # -- browser sessions ---------------------------------------------------------------

    def insert_session(self, record: SessionRecord) -> None:
        self._do(cypher.CREATE_SESSION, **dataclasses.asdict(record))

    def get_session(self, id_hash: str) -> SessionRecord | None:
        record = self.tx.run(cypher.GET_SESSION, id_hash=id_hash).single()
        return SessionRecord(**record.data()) if record else None

    def delete_session(self, id_hash: str) -> None:
        self._do(cypher.DELETE_SESSION, id_hash=id_hash)

    def delete_token_sessions(self, token_id: str) -> None:
        self._do(cypher.DELETE_TOKEN_SESSIONS, token_id=token_id)

    def delete_expired_sessions(self, now: str) -> None:
        self._do(cypher.DELETE_EXPIRED_SESSIONS, now=now)

    # -- surveys ------------------------------------------------------------------------

    def get_survey(self, map_id: str, survey_id: str) -> Survey | None:
        record = self.tx.run(cypher.GET_SURVEY, map_id=map_id, id=survey_id).single()
        return survey_from_dict(json.loads(record["data"])) if record else None

    def list_surveys(self, map_id: str) -> list[Survey]:
        records = self.tx.run(cypher.LIST_SURVEYS, map_id=map_id)
        return [survey_from_dict(json.loads(r["data"])) for r in records]

    def put_survey(self, map_id: str, survey: Survey) -> None:
        data = json.dumps(survey_to_dict(survey))
        self._do(
            cypher.PUT_SURVEY, map_id=map_id, id=survey.id, status=survey.status.value, data=data
        )

    def put_respondent(self, map_id: str, r: Respondent) -> None:
        self._do(
            cypher.PUT_RESPONDENT,
            map_id=map_id,
            survey_id=r.survey_id,
            person_id=r.person_id,
            token_id=r.token_id,
        )

    def delete_respondent(self, map_id: str, survey_id: str, person_id: str) -> None:
        self._do(cypher.DELETE_RESPONDENT, map_id=map_id, survey_id=survey_id, person_id=person_id)

    def respondents(self, map_id: str, survey_id: str) -> list[Respondent]:
        records = self.tx.run(cypher.RESPONDENTS, map_id=map_id, survey_id=survey_id).data()
        return [Respondent(**r) for r in records]

    def respondent_by_token(self, token_id: str) -> tuple[str, Respondent] | None:
        record = self.tx.run(cypher.RESPONDENT_OF_LINK, token_id=token_id).single()
        if record is None:
            return None
        data = record.data()
        return data.pop("map_id"), Respondent(**data)

    def delete_respondents_of(self, map_id: str, person_id: str) -> None:
        self._do(cypher.DELETE_RESPONDENTS_OF, map_id=map_id, person_id=person_id)

    def get_response(self, map_id: str, survey_id: str, person_id: str) -> Response | None:
        record = self.tx.run(
            cypher.GET_RESPONSE, map_id=map_id, survey_id=survey_id, person_id=person_id
        ).single()
        return response_from_dict(json.loads(record["data"])) if record else None

    def list_responses(self, map_id: str, survey_id: str | None) -> list[Response]:
        query = self.tx.run(cypher.LIST_RESPONSES, map_id=map_id, survey_id=survey_id)
        return [response_from_dict(json.loads(data)) for data in query.single()["documents"]]

    def put_responses(self, map_id: str, responses: list[Response]) -> None:
        rows = [
            {
                "survey_id": r.survey_id,
                "person_id": r.person_id,
                "status": r.status.value,
                "data": json.dumps(response_to_dict(r)),
            }
            for r in responses
        ]
        for chunk in chunks(rows, BATCH):
            self._do(cypher.PUT_RESPONSES, map_id=map_id, rows=chunk)

    def delete_responses_of(self, map_id: str, person_id: str) -> None:
        self._do(cypher.DELETE_RESPONSES_OF, map_id=map_id, person_id=person_id)

    def roster_nodes(self, map_id: str) -> list[RosterNode]:
        rows = self.tx.run(cypher.ROSTER_NODES, map_id=map_id).single()["rows"]
        return [RosterNode.from_row(row) for row in rows]


# -- row helpers ------------------------------------------------------------------------------


def _order_key() -> str:
    """A node's or tie's random order key (``shuffle``: anonymised rows are listed in
    its order, which says nothing of who they are): 16 hex digits, as the embedded
    store's. Short enough to sit inline in Neo4j's property record, where the
    36-character ``randomUUID()`` of before took a string record of its own: with empty
    ``reported_by`` lists no longer stored, a 100,000-tie write needs ~14% less
    transaction memory (``benchmarks/ingest.py``'s write: 736 -> 634 MiB)."""
    return secrets.token_hex(8)


def _node_row(node) -> dict:
    return {
        "id": node.id,
        "name": node.name,
        "name_key": fold(node.name),
        "silo": node.silo,
        "kind": node.kind.value if isinstance(node, model.Organisation) else None,
        "data": json.dumps(model.to_dict(node)),
        "visibility": (
            node.visibility.value if isinstance(node, model.Person) and node.visibility else None
        ),
        "shuffle": _order_key(),
    }


def _rel_row(rel) -> dict:
    return {
        "id": rel.id,
        "source": rel.source,
        "target": rel.target,
        "kind": rel.kind,
        "strength": rel.strength,
        "since": rel.since.isoformat() if rel.since else None,
        "until": rel.until.isoformat() if rel.until else None,
        "notes": rel.notes,
        "evidence": rel.evidence,
        "origin": rel.origin,
        # most ties have no reporter: no property (read as [], cypher._REL_FIELDS)
        "reported_by": list(rel.reported_by) or None,
    }


def _map_from_props(props: dict) -> Map:
    m = map_from_dict(json.loads(props["data"]))
    m.created_at, m.updated_at, m.version = (
        props["created_at"],
        props["updated_at"],
        props["version"],
    )
    return m


def _node_from(data: str, kind: str):
    etype = EntityType.PERSON if kind == "person" else EntityType.ORGANISATION
    return model.from_dict(etype, json.loads(data))


def _rel_from_record(r) -> Relationship:
    """A tie from a record or list in ``cypher._REL_VALUES`` order (read by position)."""
    since, until = r[5], r[6]
    return Relationship(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        date.fromisoformat(since) if since else None,
        date.fromisoformat(until) if until else None,
        r[7],
        r[8],
        r[9],
        list(r[10]),
    )
