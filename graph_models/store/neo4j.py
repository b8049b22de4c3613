"""The Neo4j store: the same contract as the embedded store, on a Neo4j 5 server.

The driver is injected (the caller owns its settings and life cycle; tests share one).
Every write is one managed transaction function run by ``execute_write``, so the driver
retries it on transient errors; the functions are idempotent in effect because each
starts by bumping the map's version, which takes the map's lock, and then reads the
state it depends on. Bulk writes go as ``UNWIND $rows`` batches. All Cypher lives in
:mod:`graph_models.store.cypher`.

Driver failures that mean "the server is not there" become
:class:`~graph_models.errors.StoreUnavailable` (HTTP 503); the driver reconnects by
itself when the server is back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
from collections import defaultdict
from datetime import date

import neo4j
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError, ServiceUnavailable

from graph_models import model
from graph_models.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
from graph_models.model import EntityType, Map, NodeType
from graph_models.store import cypher
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
    map_from_dict,
    map_to_dict,
)

BATCH = 5000


def _translated(method):
    """Turn driver failures into domain errors at the store's edge."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except ConstraintError as exc:
            raise Conflict("an object with this id already exists", {"id": ["taken"]}) from exc
        except (ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
            raise StoreUnavailable(
                "the Neo4j database cannot be reached; try again shortly"
            ) from exc
        except DriverError as exc:
            raise StoreUnavailable(f"the Neo4j driver failed: {type(exc).__name__}") from exc
        except Neo4jError as exc:
            if exc.code and exc.code.startswith("Neo.TransientError"):
                raise StoreUnavailable("the Neo4j database is busy; try again") from exc
            raise

    return wrapper


class Neo4jStore:
    """A :class:`~graph_models.store.base.GraphStore` on Neo4j.

    Parameters
    ----------
    driver : neo4j.Driver
        A connected driver; the store does not close it unless ``owns_driver``.
    database : str
        The Neo4j database name.
    """

    def __init__(self, driver: neo4j.Driver, *, database: str = "neo4j", owns_driver=True):
        self.driver = driver
        self.database = database
        self.owns_driver = owns_driver
        self._schema_ready = False
        # start even when the server is down: the schema is made on the first request
        with contextlib.suppress(StoreUnavailable):
            self._ensure_schema()

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        self._create_schema()
        self._schema_ready = True

    @_translated
    def _create_schema(self) -> None:
        for statement in cypher.CONSTRAINTS:
            self.driver.execute_query(statement, database_=self.database)

    # -- plumbing -------------------------------------------------------------------------

    def _write(self, fn, *args):
        self._ensure_schema()
        with self.driver.session(database=self.database) as session:
            return session.execute_write(fn, *args)

    def _read(self, fn, *args):
        self._ensure_schema()
        with self.driver.session(database=self.database) as session:
            return session.execute_read(fn, *args)

    @_translated
    def ping(self) -> None:
        self.driver.execute_query(cypher.PING, database_=self.database)

    def close(self) -> None:
        if self.owns_driver:
            self.driver.close()

    # -- maps -----------------------------------------------------------------------------

    @_translated
    def create_map(self, m: Map) -> Map:
        now = model.utcnow()

        def work(tx):
            if tx.run(cypher.GET_MAP, id=m.id).single():
                raise Conflict(f"a map with id {m.id!r} already exists", {"id": ["taken"]})
            tx.run(
                cypher.CREATE_MAP, id=m.id, name=m.name, data=json.dumps(map_to_dict(m)), now=now
            ).consume()

        self._write(work)
        m.created_at = m.updated_at = now
        m.version = 0
        return m

    @_translated
    def get_map(self, map_id: str) -> Map:
        def work(tx):
            return tx.run(cypher.GET_MAP, id=map_id).single()

        record = self._read(work)
        if record is None:
            raise NotFound(f"no map {map_id!r}")
        return _map_from_props(record["m"])

    @_translated
    def list_maps(self, *, limit: int = DEFAULT_PAGE, offset: int = 0) -> Page:
        def work(tx):
            total = tx.run(cypher.COUNT_MAPS).single()["total"]
            rows = [r["m"] for r in tx.run(cypher.LIST_MAPS, limit=limit, offset=offset)]
            return total, rows

        total, rows = self._read(work)
        return Page([_map_from_props(r) for r in rows], total, limit, offset)

    @_translated
    def update_map(self, m: Map, *, actor: str = "") -> Map:
        def work(tx):
            seq = _bump(tx, m.id)
            record = tx.run(
                cypher.UPDATE_MAP, id=m.id, name=m.name, data=json.dumps(map_to_dict(m))
            ).single()["m"]
            _audit(tx, m.id, seq, actor, "update", "map", m.id)
            return record

        return _map_from_props(self._write(work))

    @_translated
    def delete_map(self, map_id: str) -> None:
        def work(tx):
            return tx.run(cypher.DELETE_MAP, id=map_id).single()

        record = self._write(work)
        if record is None or record["deleted"] == 0:
            raise NotFound(f"no map {map_id!r}")

    # -- single objects -------------------------------------------------------------------

    @_translated
    def create(self, map_id: str, entity, *, actor: str = ""):
        etype = model.entity_type_of(entity)

        def work(tx):
            seq = _bump(tx, map_id)
            taken = (
                _find_rels(tx, map_id, [entity.id])
                if etype is EntityType.RELATIONSHIP
                else _node_types(tx, map_id, [entity.id])
            )
            if taken:
                raise Conflict(
                    f"an object with id {entity.id!r} already exists in this map",
                    {"id": ["taken"]},
                )
            _write_entity(tx, map_id, etype, entity)
            _audit(tx, map_id, seq, actor, "create", etype, entity.id)

        self._write(work)
        return entity

    @_translated
    def update(self, map_id: str, entity, *, actor: str = ""):
        etype = model.entity_type_of(entity)

        def work(tx):
            seq = _bump(tx, map_id)
            _require(tx, map_id, etype, entity.id)
            _write_entity(tx, map_id, etype, entity)
            _audit(tx, map_id, seq, actor, "update", etype, entity.id)

        self._write(work)
        return entity

    @_translated
    def get(self, map_id: str, etype: EntityType, entity_id: str):
        def work(tx):
            _require_map(tx, map_id)
            if etype is EntityType.RELATIONSHIP:
                return _find_rels(tx, map_id, [entity_id]).get(entity_id)
            record = tx.run(cypher.GET_NODE[etype.value], map_id=map_id, id=entity_id).single()
            return model.from_dict(etype, json.loads(record["data"])) if record else None

        found = self._read(work)
        if found is None:
            raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")
        return found

    @_translated
    def delete(self, map_id: str, etype: EntityType, entity_id: str, *, actor: str = "") -> None:
        def work(tx):
            seq = _bump(tx, map_id)
            _require(tx, map_id, etype, entity_id)
            if etype is EntityType.RELATIONSHIP:
                kind = _find_rels(tx, map_id, [entity_id])[entity_id].kind
                tx.run(cypher.DELETE_RELS[kind], map_id=map_id, ids=[entity_id]).consume()
            else:
                tx.run(cypher.DELETE_NODE, map_id=map_id, id=entity_id).consume()
                # erasure: share links to their web go too (a token names its subject)
                tx.run(cypher.DELETE_ACCESS_ABOUT, map_id=map_id, subject=entity_id).consume()
            ref = audit_ref(etype, entity_id)
            if ref != entity_id:
                tx.run(
                    cypher.ERASE_AUDIT_REFS,
                    map_id=map_id,
                    entity_type=etype.value,
                    old=entity_id,
                    new=ref,
                ).consume()
            _audit(tx, map_id, seq, actor, "delete", etype, ref)

        self._write(work)

    @_translated
    def list(
        self,
        map_id: str,
        etype: EntityType,
        *,
        filters: ListFilter | None = None,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
    ) -> Page:
        f = filters or ListFilter()

        def work(tx):
            _require_map(tx, map_id)
            if etype is EntityType.RELATIONSHIP:
                args = dict(map_id=map_id, kind=f.kind, q=f.q)
                count_q, list_q = cypher.COUNT_RELS, cypher.LIST_RELS
            else:
                args = dict(map_id=map_id, silo=f.silo, kind=f.kind, q=f.q)
                count_q, list_q = cypher.COUNT_NODES[etype.value], cypher.LIST_NODES[etype.value]
            total = tx.run(count_q, **args).single()["total"]
            records = tx.run(list_q, **args, limit=limit, offset=offset)
            if etype is EntityType.RELATIONSHIP:
                return total, [_rel_from_record(r) for r in records]
            return total, [model.from_dict(etype, json.loads(r["data"])) for r in records]

        total, items = self._read(work)
        return Page(items, total, limit, offset)

    # -- batches --------------------------------------------------------------------------

    @_translated
    def bulk_upsert(self, map_id, nodes, relationships, *, actor: str = "") -> BulkResult:
        check_batch(nodes, relationships)
        rel_rows: dict[str, list] = defaultdict(list)
        for rel in relationships:
            rel_rows[rel.kind].append(_rel_row(rel))

        def work(tx):
            result = BulkResult()
            seq = _bump(tx, map_id)
            existing = _node_types(tx, map_id, [n.id for n in nodes])
            for i, node in enumerate(nodes):
                old = existing.get(node.id)
                if old is not None and old != node.type:
                    raise Conflict(
                        f"row {i}: {node.id!r} is already a {old.value} in this map",
                        {"rows": {str(i): {"id": [f"already a {old.value}"]}}},
                    )
            writes: dict[tuple[str, bool], list] = defaultdict(list)
            for node in nodes:
                writes[node.type.value, node.id in existing].append(_node_row(node))
            for (label, exists), rows in writes.items():
                query = (cypher.UPSERT_NODES if exists else cypher.CREATE_NODES)[label]
                for chunk in chunks(rows, BATCH):
                    tx.run(query, map_id=map_id, rows=chunk).consume()
            result.created += len(nodes) - len(existing)
            result.updated += len(existing)

            if relationships:
                ends = {r.source for r in relationships} | {r.target for r in relationships}
                types = _node_types(tx, map_id, sorted(ends))
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
                wanted = {r.id for r in relationships}
                old: dict[str, list] = defaultdict(list)
                for record in tx.run(cypher.REL_IDS, map_id=map_id):
                    if record["id"] in wanted:
                        old[record["kind"]].append(record["id"])
                for kind, ids in old.items():
                    for chunk in chunks(ids, BATCH):
                        tx.run(cypher.DELETE_RELS[kind], map_id=map_id, ids=chunk).consume()
                replaced = sum(len(ids) for ids in old.values())
                for kind, rows in rel_rows.items():
                    for chunk in chunks(rows, BATCH):
                        tx.run(cypher.CREATE_RELS[kind], map_id=map_id, rows=chunk).consume()
                result.created += len(relationships) - replaced
                result.updated += replaced
            _audit(tx, map_id, seq, actor, "bulk_upsert", EntityType.RELATIONSHIP, "batch")
            return result

        return self._write(work)

    # -- reading graphs -------------------------------------------------------------------

    @_translated
    def graph(self, map_id: str, *, as_of: date | None = None) -> GraphRecords:
        m = self.get_map(map_id)
        day = as_of.isoformat() if as_of else None

        def work(tx):
            nodes = [(r["type"], r["data"]) for r in tx.run(cypher.ALL_NODES, map_id=map_id)]
            rels = list(tx.run(cypher.ALL_RELS, map_id=map_id, as_of=day))
            return nodes, rels

        nodes, rels = self._read(work)
        return GraphRecords(m, _load_nodes(nodes), _load_rels(rels))

    @_translated
    def neighbourhood(self, map_id: str, node_id: str, *, hops: int = 1) -> GraphRecords:
        m = self.get_map(map_id)

        def work(tx):
            if not _node_types(tx, map_id, [node_id]):
                return None
            seen, frontier = {node_id}, [node_id]
            for _ in range(hops):
                found = set(tx.run(cypher.NEIGHBOUR_IDS, map_id=map_id, ids=frontier).value("id"))
                frontier = sorted(found - seen)
                seen |= found
                if not frontier:
                    break
            ids = sorted(seen)
            nodes = [
                (r["type"], r["data"]) for r in tx.run(cypher.NODES_BY_ID, map_id=map_id, ids=ids)
            ]
            rels = list(tx.run(cypher.RELS_AMONG, map_id=map_id, ids=ids))
            return nodes, rels

        found = self._read(work)
        if found is None:
            raise NotFound(f"no person or organisation {node_id!r} in map {map_id!r}")
        return GraphRecords(m, _load_nodes(found[0]), _load_rels(found[1]))

    @_translated
    def audit_log(
        self,
        map_id: str,
        *,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        refs: list[str] | None = None,
    ) -> Page:
        refs = sorted(set(refs)) if refs is not None else None

        def work(tx):
            _require_map(tx, map_id)
            args = dict(map_id=map_id, refs=refs)
            total = tx.run(cypher.COUNT_AUDIT, **args).single()["total"]
            rows = tx.run(cypher.LIST_AUDIT, **args, limit=limit, offset=offset).data()
            return total, rows

        total, rows = self._read(work)
        return Page([AuditRecord(**r) for r in rows], total, limit, offset)

    # -- access tokens --------------------------------------------------------------------

    @_translated
    def create_token(self, token: AccessToken, *, actor: str = "") -> AccessToken:
        token.created_at = token.created_at or model.utcnow()
        token.created_by = token.created_by or actor

        def work(tx):
            seq = _bump(tx, token.map_id) if token.map_id != OPERATOR_SCOPE else 0
            if tx.run(cypher.GET_ACCESS, id=token.id).single():
                raise Conflict("a token with this id already exists", {"id": ["taken"]})
            tx.run(cypher.CREATE_ACCESS, **dataclasses.asdict(token)).consume()
            if token.map_id != OPERATOR_SCOPE:
                _audit(tx, token.map_id, seq, actor, "create", "token", token.id)

        self._write(work)
        return token

    @_translated
    def get_token(self, token_id: str) -> AccessToken:
        def work(tx):
            return tx.run(cypher.GET_ACCESS, id=token_id).single()

        record = self._read(work)
        if record is None:
            raise NotFound(f"no token {token_id!r}")
        return AccessToken(**record.data())

    @_translated
    def find_token(self, token_hash: str) -> AccessToken | None:
        def work(tx):
            return tx.run(cypher.FIND_ACCESS, token_hash=token_hash).single()

        record = self._read(work)
        return AccessToken(**record.data()) if record else None

    @_translated
    def list_tokens(self, map_id: str) -> list[AccessToken]:
        def work(tx):
            if map_id != OPERATOR_SCOPE:
                _require_map(tx, map_id)
            return tx.run(cypher.LIST_ACCESS, map_id=map_id).data()

        return [AccessToken(**r) for r in self._read(work)]

    @_translated
    def revoke_token(self, map_id: str, token_id: str, *, at: str, actor: str = "") -> AccessToken:
        def work(tx):
            seq = _bump(tx, map_id) if map_id != OPERATOR_SCOPE else 0
            record = tx.run(cypher.ACCESS_IN_MAP, id=token_id, map_id=map_id).single()
            if record is None:
                raise NotFound(f"no token {token_id!r} in map {map_id!r}")
            token = AccessToken(**record.data())
            if token.revoked_at is None:
                tx.run(cypher.REVOKE_ACCESS, id=token_id, map_id=map_id, at=at).consume()
                token.revoked_at = at
                if map_id != OPERATOR_SCOPE:
                    _audit(tx, map_id, seq, actor, "revoke", "token", token_id)
            return token

        return self._write(work)


# -- transaction helpers ---------------------------------------------------------------------


def _bump(tx, map_id: str) -> int:
    record = tx.run(cypher.BUMP_VERSION, map_id=map_id, now=model.utcnow()).single()
    if record is None:
        raise NotFound(f"no map {map_id!r}")
    return record["version"]


def _require_map(tx, map_id: str) -> None:
    if tx.run(cypher.GET_MAP, id=map_id).single() is None:
        raise NotFound(f"no map {map_id!r}")


def _require(tx, map_id: str, etype: EntityType, entity_id: str) -> None:
    if etype is EntityType.RELATIONSHIP:
        exists = entity_id in _find_rels(tx, map_id, [entity_id])
    else:
        exists = _node_types(tx, map_id, [entity_id]).get(entity_id) == model.node_type_of(etype)
    if not exists:
        raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")


def _node_types(tx, map_id: str, ids) -> dict[str, NodeType]:
    found: dict[str, NodeType] = {}
    for chunk in chunks(list(ids), BATCH):
        for r in tx.run(cypher.NODE_TYPES, map_id=map_id, ids=chunk):
            found[r["id"]] = NodeType(r["type"])
    return found


def _find_rels(tx, map_id: str, ids: list[str]) -> dict[str, model.Relationship]:
    return {r["id"]: _rel_from_record(r) for r in tx.run(cypher.FIND_RELS, map_id=map_id, ids=ids)}


def _write_entity(tx, map_id: str, etype: EntityType, entity) -> None:
    if etype is EntityType.RELATIONSHIP:
        types = _node_types(tx, map_id, [entity.source, entity.target])
        model.check_endpoints(entity.kind, types.get(entity.source), types.get(entity.target))
        # a tie's type is fixed in Neo4j, so an update replaces the relationship
        old = _find_rels(tx, map_id, [entity.id]).get(entity.id)
        if old is not None:
            tx.run(cypher.DELETE_RELS[old.kind], map_id=map_id, ids=[entity.id]).consume()
        tx.run(cypher.CREATE_RELS[entity.kind], map_id=map_id, rows=[_rel_row(entity)]).consume()
    else:
        tx.run(
            cypher.UPSERT_NODES[entity.type.value], map_id=map_id, rows=[_node_row(entity)]
        ).consume()


def _audit(tx, map_id, seq, actor, action, etype: EntityType | str, ref: str) -> None:
    tx.run(
        cypher.AUDIT,
        map_id=map_id,
        seq=seq,
        now=model.utcnow(),
        actor=actor,
        action=action,
        entity_type=str(etype),
        entity_ref=ref,
    ).consume()


def _node_row(node) -> dict:
    return {
        "id": node.id,
        "name": node.name,
        "silo": node.silo,
        "kind": node.kind.value if isinstance(node, model.Organisation) else None,
        "data": json.dumps(model.to_dict(node)),
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
    }


def _map_from_props(props: dict) -> Map:
    m = map_from_dict(json.loads(props["data"]))
    m.created_at, m.updated_at, m.version = (
        props["created_at"],
        props["updated_at"],
        props["version"],
    )
    return m


def _load_nodes(rows) -> list:
    return [
        model.from_dict(
            EntityType.PERSON if t == "person" else EntityType.ORGANISATION, json.loads(d)
        )
        for t, d in rows
    ]


def _load_rels(records) -> list:
    return [_rel_from_record(r) for r in records]


def _rel_from_record(r) -> model.Relationship:
    return model.Relationship(
        r["id"],
        r["source"],
        r["target"],
        r["kind"],
        r["strength"],
        date.fromisoformat(r["since"]) if r["since"] else None,
        date.fromisoformat(r["until"]) if r["until"] else None,
        r["notes"],
        r["evidence"],
    )
