"""The store rules, written once: every public store method, over small primitives.

A store is two things. Its *transaction* (a :class:`Transaction`) knows how to read and
write rows of one back-end: "bump this map's version", "write these nodes", "which of
these ids are people". Its *store class* subclasses :class:`StoreRules` and says how to
run a function in a read or a write transaction (``_read`` / ``_write``), translating
the back-end's errors into :mod:`graph_models.errors` at that edge. Everything else —
the version bump that starts each write (and takes the map's lock), the audit entry
that ends it, erasure (a deleted node's tokens go and its earlier audit entries lose
its id), the batch checks, endpoint checks, token scoping, folding the search text —
lives here, so the stores cannot drift apart.

Adding a third store (Postgres, Memgraph...): write a :class:`Transaction` for it (each
primitive is one or two statements), a subclass of :class:`StoreRules` with ``_read``,
``_write``, ``ping`` and ``close``, and a step for it in each migration
(:mod:`graph_models.store.migrations`); then add it to the ``store`` fixture in
``tests/conftest.py`` and the contract tests run on it unchanged.

Write functions may run more than once (the Neo4j driver retries a transaction on a
transient error), so each one reads what it depends on inside the transaction and
changes nothing outside it until it returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from graph_models import clock, model
from graph_models.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from graph_models.messages import Message
from graph_models.model import EntityType, Map, NodeType, Relationship, Silo
from graph_models.store.base import (
    DEFAULT_PAGE,
    OPERATOR_SCOPE,
    AccessToken,
    AuditRecord,
    BulkResult,
    Consent,
    GraphRecords,
    ListFilter,
    Page,
    SessionRecord,
    ShownPage,
    ShownRows,
)
from graph_models.store.common import audit_ref, check_batch, erased_digest
from graph_models.store.survey_rules import SurveyRules, erase_mentions
from graph_models.text import fold

T = TypeVar("T")


class Transaction(Protocol):
    """The primitives one back-end supplies, all inside one transaction.

    Ids are always scoped by ``map_id``. Lists of ids may be long (a whole import):
    a primitive chunks them if its back-end limits query parameters.
    """

    # -- maps --------------------------------------------------------------------------
    def get_map(self, map_id: str) -> Map | None: ...
    def list_maps(self, limit: int, offset: int) -> tuple[int, list[Map]]: ...
    def insert_map(self, m: Map, now: str) -> None: ...
    def update_map(self, m: Map) -> None:
        """Store the map's descriptive fields (name, description, silos)."""

    def delete_map(self, map_id: str) -> bool:
        """Delete the map, its nodes, ties, audit entries and tokens; False if none."""

    def bump(self, map_id: str, now: str) -> int | None:
        """Add one to the map's version (taking its write lock); the new version, or
        None if there is no such map."""

    def bump_operator(self, now: str) -> int:
        """Number the next operator audit entry (taking the operator scope's lock)."""

    # -- graph data --------------------------------------------------------------------
    def node_types(self, map_id: str, ids: list[str]) -> dict[str, NodeType]:
        """The type of each of ``ids`` that is a node of the map."""

    def relationship_kinds(self, map_id: str, ids: list[str]) -> dict[str, str]:
        """The kind of each of ``ids`` that is a tie of the map."""

    def put_nodes(self, map_id: str, nodes: list, existing: set[str]) -> None:
        """Create or replace ``nodes``, each with its search key ``name_key``
        (:func:`graph_models.text.fold` of its name); ``existing`` holds the ids of
        those already there (with the same type). A new node's revision is 1, a
        replaced one's one more than it was."""

    def put_relationships(
        self, map_id: str, relationships: list[Relationship], existing: dict[str, str]
    ) -> None:
        """Create or replace ties whose endpoints are checked; ``existing`` maps the ids
        already there to their current kind. Revisions as for :meth:`put_nodes`."""

    def delete_node(self, map_id: str, node_id: str) -> None:
        """Delete a node and its ties."""

    def delete_relationship(self, map_id: str, rel_id: str, kind: str) -> None: ...
    def count_kind(self, map_id: str, kind: str) -> int:
        """How many ties of the map have this kind."""

    def count_silos(self, map_id: str, silos: list[str]) -> dict[str, int]:
        """How many people and organisations are in each of these silos (absent: none)."""

    def move_silo(self, map_id: str, old: str, new: str) -> None:
        """Put everyone in silo ``old`` in silo ``new`` (a renamed silo)."""

    def get_entity(self, map_id: str, etype: EntityType, entity_id: str) -> object | None: ...
    def revision(self, map_id: str, etype: EntityType, entity_id: str) -> int | None:
        """The record's revision (1 when made, one more on every write of it), or None
        if there is no such record of that type."""

    def list_entities(
        self, map_id: str, etype: EntityType, filters: ListFilter, limit: int, offset: int
    ) -> tuple[int, list]:
        """Count and one page. For nodes ``filters.q`` is already folded: match it as a
        substring of ``name_key``; for ties, case-insensitively in either endpoint id.
        Nodes are ordered by name then id, ties by id."""

    def list_shown(
        self,
        map_id: str,
        etype: EntityType,
        filters: ListFilter,
        shown: ShownRows | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list]:
        """Count and one page of what a reader sees (:meth:`StoreRules.list_shown`);
        ``filters.q`` is already folded."""

    def silo_people(self, map_id: str) -> dict[str, int]:
        """The number of people (of any consent) in each silo of the map."""

    def people_of_consent(self, map_id: str, visibility: str) -> list[str]:
        """The ids of the map's people whose consent is ``visibility`` (by index)."""

    def ties_of_consent(self, map_id: str, visibility: str) -> list[str]:
        """The ids of the map's ties with an end (a person) whose consent is
        ``visibility``, found from those people by index, not by reading every tie."""

    def node_index(self, map_id: str) -> list[tuple[str, str, str]]:
        """``(id, type, name)`` of every node of the map (no other field)."""

    def relationships_by_id(
        self, map_id: str, ids: list[str], kinds: dict[str, str] | None = None
    ) -> list[Relationship]:
        """The ties of the map among ``ids`` (looked up by id, not by reading all);
        ``kinds``: the kind each id is expected to have, a hint (see the store's)."""

    def all_nodes(self, map_id: str) -> list: ...
    def all_relationships(self, map_id: str, as_of: date | None) -> list[Relationship]: ...
    def neighbour_ids(self, map_id: str, ids: list[str]) -> set[str]:
        """Ids of the nodes tied to any of ``ids`` (in either direction)."""

    def nodes_by_id(self, map_id: str, ids: list[str]) -> list: ...
    def relationships_among(self, map_id: str, ids: list[str]) -> list[Relationship]: ...

    # -- background analysis results (migration 8) ----------------------------------
    def get_result(self, map_id: str, key: str, version: int | None) -> str | None:
        """The stored JSON result ``key`` of the map at ``version`` (None: the latest
        version kept), or None."""

    def has_result(self, map_id: str, key: str, version: int) -> bool: ...
    def put_result(self, map_id: str, key: str, version: int, payload: str, at: str) -> None:
        """Keep a result, and drop the map's results of older versions."""

    def get_lease(self, map_id: str, key: str) -> tuple[str, str, str] | None:
        """``(holder, started, expires)`` of a lease, taking its write lock first."""

    def put_lease(self, map_id: str, key: str, holder: str, started: str, expires: str) -> None: ...
    def delete_lease(self, map_id: str, key: str, holder: str) -> None: ...

    # -- audit -------------------------------------------------------------------------
    def add_audit(self, map_id: str, seq: int, entry: AuditRecord) -> None:
        """Append an entry; ``seq`` is the map's version after this write."""

    def rename_audit_refs(self, map_id: str, entity_type: str, old: str, new: str) -> None: ...
    def audit_page(
        self, map_id: str, refs: list[str] | None, limit: int, offset: int
    ) -> tuple[int, list[AuditRecord]]:
        """Count and one page of entries, newest first; ``refs`` (non-empty) filters."""

    # -- tokens ------------------------------------------------------------------------
    def insert_token(self, token: AccessToken) -> None:
        """Keep a token; a taken id or hash is the back-end's uniqueness error."""

    def get_token(self, token_id: str) -> AccessToken | None: ...
    def find_token(self, token_hash: str) -> AccessToken | None: ...
    def list_tokens(self, map_id: str) -> list[AccessToken]:
        """A scope's tokens ordered by creation time then id."""

    def set_token_revoked(self, token_id: str, at: str) -> None: ...
    def delete_tokens_about(self, map_id: str, subject: str) -> None:
        """Delete the tokens whose subject this is, and their browser sessions."""

    # -- browser sessions --------------------------------------------------------------
    def insert_session(self, record: SessionRecord) -> None: ...
    def get_session(self, id_hash: str) -> SessionRecord | None: ...
    def delete_session(self, id_hash: str) -> None: ...
    def delete_token_sessions(self, token_id: str) -> None: ...
    def delete_expired_sessions(self, now: str) -> None:
        """Delete the sessions whose ``expires_at`` is at or before ``now``."""

    # -- import mappings (migration 7) -----------------------------------------------------
    def get_import_mapping(self, map_id: str, signature: str) -> str | None:
        """The JSON text of the map's mapping kept under ``signature``, or None."""

    def put_import_mapping(self, map_id: str, signature: str, mapping: str, now: str) -> None:
        """Keep (or replace) the map's mapping under ``signature``."""


class StoreRules(SurveyRules):
    """The public store methods (:class:`~graph_models.store.base.GraphStore`), once
    (the survey methods are :class:`~graph_models.store.survey_rules.SurveyRules`').

    Subclasses supply :meth:`_read` and :meth:`_write` (run a function of a
    :class:`Transaction` in one transaction, translating back-end errors), ``ping``
    and ``close``.
    """

    #: Whether each call waits on a server (another process): a long task (an import)
    #: may then ask ahead in the background while it works on (Neo4j: yes).
    remote = False

    def _read(self, work: Callable[[Transaction], T]) -> T:
        raise NotImplementedError

    def _write(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one write transaction: committed whole or not at all."""
        raise NotImplementedError

    def _write_ends_checked(self, work: Callable[[Transaction], T]) -> T:
        """:meth:`_write` for a batch whose every tie end ``work`` itself has written or
        found in the map, in the same transaction, before writing the tie
        (:meth:`bulk_upsert`): a store may then skip its own check of each row's ends
        (SQLite's foreign keys look both ends up again, row by row: half the SQL time
        of a 100,000-tie write)."""
        return self._write(work)

    def ping(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- maps ---------------------------------------------------------------------------

    def create_map(self, m: Map, *, actor: str = "") -> Map:
        """Create a map; the operator's audit log records who made it."""
        now = model.utcnow()

        def work(tx: Transaction) -> None:
            if tx.get_map(m.id) is not None:
                raise Conflict(f"a map with id {m.id!r} already exists", {"id": ["taken"]})
            tx.insert_map(m, now)
            _operator_audit(tx, actor, "create", "map", m.id)

        self._write(work)
        m.created_at = m.updated_at = now
        m.version = 0
        return m

    def get_map(self, map_id: str) -> Map:
        return self._read(lambda tx: _require_map(tx, map_id))

    def list_maps(self, *, limit: int = DEFAULT_PAGE, offset: int = 0) -> Page:
        total, items = self._read(lambda tx: tx.list_maps(limit, offset))
        return Page(items, total, limit, offset)

    def update_map(
        self, m: Map, *, actor: str = "", rename_silos: dict[str, str] | None = None
    ) -> Map:
        """Store the map's descriptive fields and vocabulary, all or nothing.

        A silo or one of the map's own kinds that the new vocabulary drops is refused
        (Conflict, with how many use it) while anything uses it, as is a change of the
        ends of a kind in use; ``rename_silos`` (old name -> new name) moves everyone
        in each old silo to its new name in the same write."""

        def work(tx: Transaction) -> Map:
            seq = _bump(tx, m.id)
            _check_vocabulary(tx, _require_map(tx, m.id), m, rename_silos or {})
            for old, new in (rename_silos or {}).items():
                if old != new:
                    tx.move_silo(m.id, old, new)
            tx.update_map(m)
            _audit(tx, m.id, seq, actor, "update", "map", m.id)
            return tx.get_map(m.id)

        return self._write(work)

    def delete_map(self, map_id: str, *, actor: str = "") -> None:
        """Delete the map with everything in it. The map's lock is taken *before* what
        it holds is collected: a write that is running finishes first and its nodes
        and tokens are deleted too; one that starts later finds no map (NotFound).
        Otherwise (Neo4j reads committed data) a bulk write committing between the
        collection and the deletion would leave orphans for a new map of that id.
        The map's own audit log goes with it; who deleted it is written, in the same
        write, to the operator's audit log, which outlives it."""

        def work(tx: Transaction) -> bool:
            if tx.bump(map_id, model.utcnow()) is None:
                return False
            if not tx.delete_map(map_id):
                return False
            _operator_audit(tx, actor, "delete", "map", map_id)
            return True

        if not self._write(work):
            raise NotFound(f"no map {map_id!r}")

    # -- single objects -----------------------------------------------------------------

    def create(self, map_id: str, entity, *, actor: str = "", restore_erased: bool = False):
        """Create one object. A person whose id was erased in this map is refused
        (Conflict) unless ``restore_erased``: re-adding them is an explicit act, which
        also lifts the tombstone."""
        etype = model.entity_type_of(entity)

        def work(tx: Transaction) -> None:
            seq = _bump(tx, map_id)
            if etype is EntityType.PERSON:
                digest = erased_digest(tx.erasure_key(map_id), entity.id)
                if tx.find_erased(map_id, [digest]):
                    if not restore_erased:
                        raise Conflict(
                            Message("store.erased_id", id=repr(entity.id)),
                            {"id": [Message("store.erased")]},
                        )
                    tx.remove_erased(map_id, digest)
            if etype is EntityType.RELATIONSHIP:
                taken = tx.relationship_kinds(map_id, [entity.id])
            else:
                taken = tx.node_types(map_id, [entity.id])
            if taken:
                raise Conflict(
                    f"an object with id {entity.id!r} already exists in this map",
                    {"id": ["taken"]},
                )
            [settled] = settle_consent(tx, map_id, [entity], set())
            _put_one(tx, map_id, etype, settled, exists=False)
            _audit(tx, map_id, seq, actor, "create", etype, entity.id)
            return settled

        return self._write(work)

    def update(self, map_id: str, entity, *, actor: str = ""):
        etype = model.entity_type_of(entity)

        def work(tx: Transaction):
            seq = _bump(tx, map_id)
            _require(tx, map_id, etype, entity.id)
            [settled] = settle_consent(tx, map_id, [entity], {entity.id})
            _put_one(tx, map_id, etype, settled, exists=True)
            _audit(tx, map_id, seq, actor, "update", etype, entity.id)
            return settled

        return self._write(work)

    def patch(
        self,
        map_id: str,
        etype: EntityType,
        entity_id: str,
        change: Callable[[object, Map], object],
        *,
        if_revision: int | Collection[int] | None = None,
        actor: str = "",
    ) -> tuple[object, int]:
        """Change one record in place: read it, apply ``change``, write it back, all in
        one write transaction under the map's lock; returns the stored record and its
        new revision.

        ``change(current, map)`` returns the new record from the *current* one (it must
        not modify its arguments: a Neo4j transaction may run twice). Because the read
        happens under the lock, a change of some fields never undoes another writer's
        change of other fields (no lost update). With ``if_revision`` the write happens
        only if the record's revision is that one (or one of those): otherwise
        :class:`~graph_models.errors.PreconditionFailed`, and nothing is written.
        """

        def work(tx: Transaction) -> tuple[object, int]:
            seq = _bump(tx, map_id)
            m = _require_map(tx, map_id)
            current = tx.get_entity(map_id, etype, entity_id)
            if current is None:
                raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")
            revision = tx.revision(map_id, etype, entity_id)
            _check_revision(etype, entity_id, revision, if_revision)
            updated = change(current, m)
            _put_one(tx, map_id, etype, updated, exists=True)
            _audit(tx, map_id, seq, actor, "update", etype, entity_id)
            return updated, tx.revision(map_id, etype, entity_id)

        return self._write(work)

    def get_revised(self, map_id: str, etype: EntityType, entity_id: str) -> tuple[object, int]:
        """One record and its revision, read together (for ``ETag`` and edit forms)."""

        def work(tx: Transaction):
            _require_map(tx, map_id)
            found = tx.get_entity(map_id, etype, entity_id)
            return found, (tx.revision(map_id, etype, entity_id) if found is not None else 0)

        found, revision = self._read(work)
        if found is None:
            raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")
        return found, revision

    def get(self, map_id: str, etype: EntityType, entity_id: str):
        def work(tx: Transaction):
            _require_map(tx, map_id)
            return tx.get_entity(map_id, etype, entity_id)

        found = self._read(work)
        if found is None:
            raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")
        return found

    def delete(
        self,
        map_id: str,
        etype: EntityType,
        entity_id: str,
        *,
        actor: str = "",
        if_revision: int | Collection[int] | None = None,
    ) -> None:
        def work(tx: Transaction) -> None:
            seq = _bump(tx, map_id)
            kind = _require(tx, map_id, etype, entity_id)
            if if_revision is not None:
                revision = tx.revision(map_id, etype, entity_id)
                _check_revision(etype, entity_id, revision, if_revision)
            if etype is EntityType.RELATIONSHIP:
                tx.delete_relationship(map_id, entity_id, kind)
            else:
                tx.delete_node(map_id, entity_id)
                # erasure: share links to their web go too (a token names its subject)
                tx.delete_tokens_about(map_id, entity_id)
                # and their survey responses, and every mention of them in others'
                erase_mentions(tx, map_id, entity_id)
            key = tx.erasure_key(map_id)
            ref = audit_ref(etype, entity_id, key)
            if etype is EntityType.PERSON:
                # a tombstone: an old file or a racing import naming the id is refused
                tx.add_erased(map_id, ref, model.utcnow())
            if ref != entity_id:
                # erasure: earlier audit entries must not keep the person's id either
                tx.rename_audit_refs(map_id, etype.value, entity_id, ref)
            _audit(tx, map_id, seq, actor, "delete", etype, ref)

        self._write(work)

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
        if f.q is not None and etype is not EntityType.RELATIONSHIP:
            f = ListFilter(silo=f.silo, kind=f.kind, q=fold(f.q))

        def work(tx: Transaction):
            _require_map(tx, map_id)
            return tx.list_entities(map_id, etype, f, limit, offset)

        total, items = self._read(work)
        return Page(items, total, limit, offset)

    def list_shown(
        self,
        map_id: str,
        etype: EntityType,
        *,
        filters: ListFilter | None = None,
        consent: Consent | Callable[[Map], Consent] | None = None,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
    ) -> ShownPage:
        f = filters or ListFilter()
        if f.q is not None:
            f = ListFilter(silo=f.silo, kind=f.kind, q=fold(f.q))

        def work(tx: Transaction) -> ShownPage:
            m = _require_map(tx, map_id)
            rules = consent
            if rules is not None and not isinstance(rules, Consent):
                rules = rules(m)  # the rules of the map as this snapshot holds it
            silo_people = tx.silo_people(map_id)
            shown = None
            if rules is not None:
                small = tuple(sorted(s for s, n in silo_people.items() if n < rules.min_group))
                labels = {s: fold(str(rules.label(s))) for s in silo_people}
                shown = ShownRows(small, labels)
            total, items = tx.list_shown(map_id, etype, f, shown, limit, offset)
            ends: dict = {}
            if etype is EntityType.RELATIONSHIP and items:
                wanted = sorted({r.source for r in items} | {r.target for r in items})
                ends = {n.id: n for n in tx.nodes_by_id(map_id, wanted)}
            return ShownPage(Page(items, total, limit, offset), ends, silo_people, m)

        return self._read(work)

    def get_shown(
        self,
        map_id: str,
        etype: EntityType,
        entity_id: str,
        *,
        unmask: Callable[[list[str]], str | None] | None = None,
        known: str | None = None,
    ) -> ShownPage:
        """One record and what a reader's view of it needs, read in one snapshot without
        the rest of the map: the record by its id (or, when there is none and ``unmask``
        is given, the record whose id ``unmask`` picks from the ids of the map's
        anonymised people, or of its ties with an anonymised end: a pseudonym turned
        back), a tie's ends (``ends``) and the people of each silo (``silo_people``).
        ``known``: the real id the caller already knows the pseudonym stands for (it
        never changes), read instead of the candidates while that record exists.
        The page holds the record, or nothing; what the reader may see of it is the
        caller's rule."""

        def work(tx: Transaction) -> ShownPage:
            _require_map(tx, map_id)
            found = tx.get_entity(map_id, etype, entity_id)
            if found is None and known is not None and unmask is not None:
                found = tx.get_entity(map_id, etype, known)
            if found is None and unmask is not None and etype is not EntityType.ORGANISATION:
                anonymised = model.Visibility.ANONYMISED.value
                if etype is EntityType.PERSON:
                    candidates = tx.people_of_consent(map_id, anonymised)
                else:
                    candidates = tx.ties_of_consent(map_id, anonymised)
                real = unmask(candidates)
                found = tx.get_entity(map_id, etype, real) if real else None
            ends: dict = {}
            if etype is EntityType.RELATIONSHIP and found is not None:
                ends = {n.id: n for n in tx.nodes_by_id(map_id, [found.source, found.target])}
            items = [found] if found is not None else []
            return ShownPage(Page(items, len(items), 1, 0), ends, tx.silo_people(map_id))

        return self._read(work)

    # -- batches ------------------------------------------------------------------------

    def bulk_upsert(
        self,
        map_id: str,
        nodes: list,
        relationships: list[Relationship],
        *,
        actor: str = "",
        new_silos: list[Silo] | None = None,
        new_kinds: list[model.MapKind] | None = None,
        silo_labels: dict[str, str] | None = None,
    ) -> BulkResult:
        """Write nodes and ties all or nothing; the map's vocabulary may grow in the same
        write: ``new_silos`` and ``new_kinds`` (those it lacks, by name) are added, and
        ``silo_labels`` gives Welsh labels to its silos that have none."""
        check_batch(nodes, relationships)

        def work(tx: Transaction) -> BulkResult:
            result = BulkResult()
            seq = _bump(tx, map_id)
            if new_silos or new_kinds or silo_labels:
                _grow_vocabulary(tx, map_id, seq, actor, new_silos or [], new_kinds, silo_labels)
            _refuse_erased(tx, map_id, nodes)
            existing = tx.node_types(map_id, [n.id for n in nodes])
            for i, node in enumerate(nodes):
                old = existing.get(node.id)
                if old is not None and old != node.type:
                    raise Conflict(
                        f"row {i}: {node.id!r} is already a {old.value} in this map",
                        {"rows": {str(i): {"id": [f"already a {old.value}"]}}},
                    )
            if nodes:
                settled = settle_consent(tx, map_id, nodes, set(existing))
                tx.put_nodes(map_id, settled, set(existing))
            result.created += len(nodes) - len(existing)
            result.updated += len(existing)

            if relationships:
                # the batch's own nodes are written above, with their type: only the
                # ends outside the batch are looked up (a first import: none)
                types = {n.id: n.type for n in nodes}
                ends = {r.source for r in relationships} | {r.target for r in relationships}
                others = sorted(ends - types.keys())
                if others:
                    types.update(tx.node_types(map_id, others))
                rules = _require_map(tx, map_id).kind_rules()
                for i, rel in enumerate(relationships):
                    try:
                        model.check_endpoints(
                            rel.kind, types.get(rel.source), types.get(rel.target), rules
                        )
                    except InvalidInput as exc:
                        raise InvalidInput(
                            f"relationship row {i}: {exc.message}",
                            {"relationships": {str(i): exc.errors}},
                        ) from None
                old_rels = tx.relationship_kinds(map_id, [r.id for r in relationships])
                tx.put_relationships(map_id, relationships, old_rels)
                result.created += len(relationships) - len(old_rels)
                result.updated += len(old_rels)
            _audit(tx, map_id, seq, actor, "bulk_upsert", EntityType.RELATIONSHIP, "batch")
            return result

        return self._write_ends_checked(work)

    # -- import mappings ----------------------------------------------------------------

    def get_import_mapping(self, map_id: str, signature: str) -> dict | None:
        """The mapping last used to import a file of this shape into the map (None if
        none): see :func:`graph_models.io.mapping.signature`."""

        def work(tx: Transaction) -> dict | None:
            _require_map(tx, map_id)
            found = tx.get_import_mapping(map_id, signature)
            return json.loads(found) if found else None

        return self._read(work)

    def put_import_mapping(self, map_id: str, signature: str, mapping: dict) -> None:
        """Keep ``mapping`` for the next file of this shape. A mapping is how to read a
        file, not data of the map: the map's version stays put (so does every cache)."""
        text = json.dumps(mapping, sort_keys=True)

        def work(tx: Transaction) -> None:
            _require_map(tx, map_id)
            if tx.get_import_mapping(map_id, signature) != text:
                tx.put_import_mapping(map_id, signature, text, model.utcnow())

        self._write(work)

    def erased_ids(self, map_id: str, ids: list[str]) -> set[str]:
        """Those of ``ids`` that were people of the map and were erased (tombstoned)."""

        def work(tx: Transaction) -> set[str]:
            key = tx.erasure_key(map_id)
            if key is None:
                raise NotFound(f"no map {map_id!r}")
            by_digest = {erased_digest(key, i): i for i in ids}
            return {by_digest[d] for d in tx.find_erased(map_id, sorted(by_digest))}

        return self._read(work)

    # -- background analysis results ----------------------------------------------------

    def analysis_result(self, map_id: str, key: str, version: int | None) -> dict | None:
        """The result ``key`` (e.g. exact paths as of a day) of the map at ``version``;
        with ``version`` None, the latest one kept, of whatever version (a caller that
        keys results on what they were computed from checks that itself)."""

        def work(tx: Transaction) -> dict | None:
            payload = tx.get_result(map_id, key, version)
            return None if payload is None else json.loads(payload)

        return self._read(work)

    def analysis_result_ready(self, map_id: str, key: str, version: int) -> bool:
        """Whether :meth:`analysis_result` has a result (without reading it)."""
        return self._read(lambda tx: tx.has_result(map_id, key, version))

    def save_analysis_result(self, map_id: str, key: str, version: int, payload: dict) -> bool:
        """Keep a result of ``version``; older versions' results of the map are dropped.

        Nothing is kept (False) if the map is gone or has moved past ``version`` by more
        than the result is worth: a result is only written for the current version.
        """

        def work(tx: Transaction) -> bool:
            m = tx.get_map(map_id)
            if m is None or m.version != version:
                return False
            tx.put_result(map_id, key, version, json.dumps(payload), clock.timestamp())
            return True

        return self._write(work)

    def take_lease(
        self, map_id: str, key: str, holder: str, *, seconds: float
    ) -> tuple[bool, str | None]:
        """Hold the lease ``key`` of a map for ``seconds`` unless another holder has it.

        Returns ``(taken, started)``: whether ``holder`` now holds it, and when the
        current holder started (so others can tell how long is left). One holder at a
        time across processes: the check and the write are one write transaction.
        """

        def work(tx: Transaction) -> tuple[bool, str | None]:
            if tx.get_map(map_id) is None:
                raise NotFound(f"no map {map_id!r}")
            now = clock.now()
            current = tx.get_lease(map_id, key)
            held = current and current[0] and current[0] != holder and current[2]
            if held and datetime.fromisoformat(current[2]) > now:
                return False, current[1]
            started = now.isoformat()
            expires = (now + timedelta(seconds=seconds)).isoformat()
            tx.put_lease(map_id, key, holder, started, expires)
            return True, started

        return self._write(work)

    def release_lease(self, map_id: str, key: str, holder: str) -> None:
        """Give up a lease ``holder`` holds (nothing if it is another's, or gone)."""
        self._write(lambda tx: tx.delete_lease(map_id, key, holder))

    # -- reading graphs -----------------------------------------------------------------

    def node_index(self, map_id: str) -> dict[str, tuple[NodeType, str]]:
        """Each node's type and name by id: what an import resolves ids and names
        against, without reading every record (or any tie)."""

        def work(tx: Transaction) -> dict[str, tuple[NodeType, str]]:
            _require_map(tx, map_id)
            return {i: (NodeType(t), name) for i, t, name in tx.node_index(map_id)}

        return self._read(work)

    def nodes_by_id(self, map_id: str, ids: list[str]) -> list:
        """The people and organisations of the map among ``ids``."""
        return self._read(lambda tx: tx.nodes_by_id(map_id, list(ids)) if ids else [])

    def relationships_by_id(
        self, map_id: str, ids: list[str], *, kinds: dict[str, str] | None = None
    ) -> list[Relationship]:
        """The ties of the map among ``ids``, looked up by id. ``kinds`` (optional) is
        the kind each id is expected to have: a hint a store may look there first by
        (Neo4j: the kind's relationship type), never a filter (a tie of another kind is
        found too)."""
        if not ids:
            return []
        return self._read(lambda tx: tx.relationships_by_id(map_id, list(ids), kinds))

    def graph(self, map_id: str, *, as_of: date | None = None) -> GraphRecords:
        def work(tx: Transaction) -> GraphRecords:
            m = _require_map(tx, map_id)
            return GraphRecords(m, tx.all_nodes(map_id), tx.all_relationships(map_id, as_of))

        return self._read(work)

    def neighbourhood(self, map_id: str, node_id: str, *, hops: int = 1) -> GraphRecords:
        def work(tx: Transaction) -> GraphRecords:
            m = _require_map(tx, map_id)
            if not tx.node_types(map_id, [node_id]):
                raise NotFound(f"no person or organisation {node_id!r} in map {map_id!r}")
            seen, frontier = {node_id}, {node_id}
            for _ in range(hops):
                found = tx.neighbour_ids(map_id, sorted(frontier))
                frontier = found - seen
                seen |= found
                if not frontier:
                    break
            ids = sorted(seen)
            return GraphRecords(m, tx.nodes_by_id(map_id, ids), tx.relationships_among(map_id, ids))

        return self._read(work)

    # -- audit --------------------------------------------------------------------------

    def audit_log(
        self,
        map_id: str,
        *,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        refs: list[str] | None = None,
    ) -> Page:
        wanted = sorted(set(refs)) if refs is not None else None

        def work(tx: Transaction):
            if map_id != OPERATOR_SCOPE:
                _require_map(tx, map_id)
            if wanted == []:
                return 0, []
            return tx.audit_page(map_id, wanted, limit, offset)

        total, items = self._read(work)
        return Page(items, total, limit, offset)

    # -- access tokens ------------------------------------------------------------------

    def create_token(self, token: AccessToken, *, actor: str = "") -> AccessToken:
        """Keep a new token; a community link's subject must be a node of the map at
        the moment of the write (see :meth:`delete`: erasure removes its links)."""
        token.created_at = token.created_at or model.utcnow()
        token.created_by = token.created_by or actor

        def work(tx: Transaction) -> None:
            seq = _bump_scope(tx, token.map_id)
            if tx.get_token(token.id) is not None:
                raise Conflict("a token with this id already exists", {"id": ["taken"]})
            if token.subject:
                _check_subject(tx, token.map_id, token.subject)
            tx.insert_token(token)
            _audit(tx, token.map_id, seq, actor, "create", "token", token.id)

        self._write(work)
        return token

    def get_token(self, token_id: str) -> AccessToken:
        found = self._read(lambda tx: tx.get_token(token_id))
        if found is None:
            raise NotFound(f"no token {token_id!r}")
        return found

    def find_token(self, token_hash: str) -> AccessToken | None:
        """The token with this digest, or None. A map's token made before its map was
        (a token of a deleted map that had the same id) never matches: deleting a map
        deletes its tokens, and this check holds even if one were left behind."""

        def work(tx: Transaction) -> AccessToken | None:
            token = tx.find_token(token_hash)
            if token is None or token.map_id == OPERATOR_SCOPE:
                return token
            m = tx.get_map(token.map_id)
            if m is None or _before(token.created_at, m.created_at):
                return None
            return token

        return self._read(work)

    def list_tokens(self, map_id: str) -> list[AccessToken]:
        def work(tx: Transaction) -> list[AccessToken]:
            if map_id != OPERATOR_SCOPE:
                _require_map(tx, map_id)
            return tx.list_tokens(map_id)

        return self._read(work)

    def revoke_token(self, map_id: str, token_id: str, *, at: str, actor: str = "") -> AccessToken:
        def work(tx: Transaction) -> AccessToken:
            seq = _bump_scope(tx, map_id)
            token = tx.get_token(token_id)
            if token is None or token.map_id != map_id:
                raise NotFound(f"no token {token_id!r} in map {map_id!r}")
            if token.revoked_at is None:
                tx.set_token_revoked(token_id, at)
                tx.delete_token_sessions(token_id)
                token.revoked_at = at
                _audit(tx, map_id, seq, actor, "revoke", "token", token_id)
            return token

        return self._write(work)

    # -- browser sessions ---------------------------------------------------------------

    def start_session(self, record: SessionRecord) -> None:
        def work(tx: Transaction) -> None:
            tx.delete_expired_sessions(record.created_at)
            tx.insert_session(record)

        self._write(work)

    def find_session(self, id_hash: str, *, now: str) -> SessionRecord | None:
        found = self._read(lambda tx: tx.get_session(id_hash))
        if found is None or not _before(now, found.expires_at):
            return None
        return found

    def end_session(self, id_hash: str) -> None:
        self._write(lambda tx: tx.delete_session(id_hash))


# -- the rules' helpers -------------------------------------------------------------------


def _bump(tx: Transaction, map_id: str) -> int:
    seq = tx.bump(map_id, model.utcnow())
    if seq is None:
        raise NotFound(f"no map {map_id!r}")
    return seq


def _bump_scope(tx: Transaction, map_id: str) -> int:
    """Take the lock of a map, or of the operator scope, and number the write."""
    if map_id == OPERATOR_SCOPE:
        return tx.bump_operator(model.utcnow())
    return _bump(tx, map_id)


def _operator_audit(tx: Transaction, actor: str, action: str, etype: str, ref: str) -> None:
    """An entry in the operator's audit log (maps made and deleted), in this write."""
    _audit(tx, OPERATOR_SCOPE, tx.bump_operator(model.utcnow()), actor, action, etype, ref)


def _check_subject(tx: Transaction, map_id: str, subject: str) -> None:
    """A community link's subject must be, at the moment of the write, a node of the map
    and not a hidden person. Checked under the map's lock, which erasure and consent
    changes take too: a link made while its subject is erased or withdraws consent
    either comes first (and goes with the erasure) or is refused here, never slips
    between a check and the write."""
    found = tx.nodes_by_id(map_id, [subject])
    if not found:
        raise NotFound(
            Message("store.no_subject", id=repr(subject)),
            {"subject": [Message("store.no_subject_short")]},
        )
    if getattr(found[0], "visibility", None) is model.Visibility.HIDDEN:
        raise InvalidInput(
            Message("store.subject_hidden"), {"subject": [Message("store.subject_hidden_short")]}
        )


def settle_consent(tx: Transaction, map_id: str, nodes: list, existing: set[str]) -> list:
    """``nodes`` with every person's unsaid consent (``visibility=None``) settled, in
    the write that stores them: someone already in the map keeps their stored consent
    (a file or call that does not mention consent never changes it), someone new gets
    the map's stated default. Returns new objects; ``nodes`` are not changed (a Neo4j
    transaction may run twice)."""
    unsaid = [n for n in nodes if getattr(n, "visibility", False) is None]
    if not unsaid:
        return nodes
    known = [n.id for n in unsaid if n.id in existing]
    stored = {n.id: n.visibility for n in tx.nodes_by_id(map_id, known)} if known else {}
    default = _require_map(tx, map_id).default_visibility
    return [
        replace(n, visibility=stored.get(n.id) or default)
        if getattr(n, "visibility", False) is None
        else n
        for n in nodes
    ]


def _require_map(tx: Transaction, map_id: str) -> Map:
    m = tx.get_map(map_id)
    if m is None:
        raise NotFound(f"no map {map_id!r}")
    return m


def _require(tx: Transaction, map_id: str, etype: EntityType, entity_id: str) -> str | None:
    """Raise NotFound unless the object exists with this type; a tie's kind, if a tie."""
    if etype is EntityType.RELATIONSHIP:
        kind = tx.relationship_kinds(map_id, [entity_id]).get(entity_id)
        if kind is not None:
            return kind
    elif tx.node_types(map_id, [entity_id]).get(entity_id) == model.node_type_of(etype):
        return None
    raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")


def _refuse_erased(tx: Transaction, map_id: str, nodes: list) -> None:
    """Refuse a batch naming any erased person's id (all or nothing), naming each row."""
    people = [(i, n.id) for i, n in enumerate(nodes) if n.type is NodeType.PERSON]
    if not people:
        return
    key = tx.erasure_key(map_id)
    digests = {i: erased_digest(key, node_id) for i, node_id in people}
    found = tx.find_erased(map_id, sorted(set(digests.values())))
    if not found:
        return
    rows = {i: node_id for i, node_id in people if digests[i] in found}
    raise InvalidInput(
        Message("store.erased_in_batch", ids=", ".join(repr(v) for v in rows.values())),
        {"rows": {str(i): {"id": [Message("store.erased")]} for i in rows}},
    )


def _before(stamp: str, other: str) -> bool:
    """Whether ISO time ``stamp`` is strictly before ``other`` (compared as times, not
    text: ``isoformat`` drops a zero fraction of a second)."""
    try:
        return datetime.fromisoformat(stamp) < datetime.fromisoformat(other)
    except (TypeError, ValueError):
        return False


def _check_revision(
    etype: EntityType, entity_id: str, current: int | None, expected: int | Collection[int] | None
) -> None:
    """Raise PreconditionFailed unless ``expected`` is None or names ``current``."""
    if expected is None:
        return
    wanted = {expected} if isinstance(expected, int) else set(expected)
    if current not in wanted:
        raise PreconditionFailed(
            Message(
                "store.revision_changed",
                what=Message(f"entity.{etype.value}"),
                id=entity_id,
                revision=current,
            ),
            {"If-Match": [Message("store.revision_expected", expected=current)]},
        )


def _put_one(tx: Transaction, map_id: str, etype: EntityType, entity, *, exists: bool) -> None:
    if etype is EntityType.RELATIONSHIP:
        types = tx.node_types(map_id, [entity.source, entity.target])
        rules = _require_map(tx, map_id).kind_rules()
        model.check_endpoints(
            entity.kind, types.get(entity.source), types.get(entity.target), rules
        )
        old = tx.relationship_kinds(map_id, [entity.id]) if exists else {}
        tx.put_relationships(map_id, [entity], old)
    else:
        tx.put_nodes(map_id, [entity], {entity.id} if exists else set())


def _check_vocabulary(tx: Transaction, old: Map, new: Map, renames: dict[str, str]) -> None:
    """Refuse a change of the map's vocabulary that would leave people, organisations
    or ties with a silo or kind the map no longer has (nothing is written)."""
    new_silos = set(new.silo_names())
    for before, after in renames.items():
        if (
            before not in old.silo_names()
            or after not in new_silos
            or (before != after and before in new_silos)
        ):
            raise InvalidInput(
                Message("store.bad_silo_rename", old=repr(before), new=repr(after)),
                {
                    "rename_silos": [
                        Message("store.bad_silo_rename", old=repr(before), new=repr(after))
                    ]
                },
            )
    errors: dict[str, list] = {}
    dropped = [s for s in old.silo_names() if s not in new_silos and s not in renames]
    for silo, count in sorted(tx.count_silos(old.id, dropped).items()):
        if count:
            errors.setdefault("silos", []).append(
                Message("store.silo_in_use", silo=repr(silo), num=count)
            )
    kept = {k.name: k for k in new.kinds}
    for kind in old.kinds:
        now = kept.get(kind.name)
        if now is not None and (now.source, now.target) == (kind.source, kind.target):
            continue
        count = tx.count_kind(old.id, kind.name)
        if count:
            code = "store.kind_in_use" if now is None else "store.kind_ends_in_use"
            errors.setdefault("kinds", []).append(Message(code, kind=repr(kind.name), num=count))
    if errors:
        raise Conflict(Message("store.vocabulary_in_use"), errors)


def _grow_vocabulary(
    tx: Transaction,
    map_id: str,
    seq: int,
    actor: str,
    silos: list[Silo],
    kinds: list[model.MapKind] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Grow the map's vocabulary by the silos and kinds it does not have yet (by name),
    and give its silos without a Welsh label the one in ``labels``."""
    m = _require_map(tx, map_id)
    have = set(m.silo_names())
    added = [s for s in silos if s.name not in have]
    own = {k.name for k in m.kinds}
    new_kinds = [k for k in kinds or [] if k.name not in own]
    labelled = [
        replace(s, label_cy=labels[s.name]) if not s.label_cy and (labels or {}).get(s.name) else s
        for s in m.silos
    ]
    if not added and not new_kinds and labelled == m.silos:
        return
    if len(m.silos) + len(added) > model.MAX_SILOS:
        raise InvalidInput(
            "too many silos", {"silos": [f"a map has at most {model.MAX_SILOS} silos"]}
        )
    if len(m.kinds) + len(new_kinds) > model.MAX_KINDS:
        raise InvalidInput(
            "too many kinds", {"kinds": [f"a map has at most {model.MAX_KINDS} kinds"]}
        )
    m.silos = [*labelled, *added]
    m.kinds = [*m.kinds, *new_kinds]
    tx.update_map(m)
    _audit(tx, map_id, seq, actor, "update", "map", map_id)


def _audit(tx: Transaction, map_id, seq, actor, action, etype: EntityType | str, ref) -> None:
    entry = AuditRecord(model.utcnow(), actor, action, str(etype), ref)
    tx.add_audit(map_id, seq, entry)
