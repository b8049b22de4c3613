"""The store protocol: the only way the service reaches data.

Two implementations behave identically (the contract tests in ``tests/store`` run
unchanged against both): :mod:`graph_models.store.embedded` (SQLite, the zero-setup
default) and :mod:`graph_models.store.neo4j` (Neo4j, for production). Both inherit
their public methods, and so every rule below, from
:class:`graph_models.store.rules.StoreRules`; they only supply small primitives.

Stores receive entities that :mod:`graph_models.schemas` has already validated; they
enforce what only the data can tell: that ids are unique, that relationship endpoints
exist in the same map and fit the kind, and that a batch is written whole or not at all.
Every write bumps the map's ``version`` and leaves an audit entry.

The protocol is split by concern: :class:`GraphData` (maps and what is in them),
:class:`AuditTrail` (who wrote what) and :class:`TokenRecords` (access tokens);
:class:`GraphStore` is all three plus ``ping`` and ``close``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from graph_models.model import EntityType, Map, Node, Organisation, Person, Relationship, Silo

DEFAULT_PAGE = 50
MAX_PAGE = 1000


@dataclass
class Page:
    """One page of a listing and the total number of matching items."""

    items: list
    total: int
    limit: int
    offset: int


@dataclass
class GraphRecords:
    """A map's nodes and relationships, as the projection and the views consume them."""

    map: Map
    nodes: list[Node] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)

    @property
    def people(self) -> list[Person]:
        return [n for n in self.nodes if isinstance(n, Person)]

    @property
    def organisations(self) -> list[Organisation]:
        return [n for n in self.nodes if isinstance(n, Organisation)]


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated}


@dataclass
class AuditRecord:
    """A write, without personal data: who, what kind of object, which action, when."""

    at: str
    actor: str
    action: str
    entity_type: str
    entity_ref: str


@dataclass
class AccessToken:
    """A bearer token's record. The secret itself is never stored: only its SHA-256 digest.

    ``map_id`` is ``""`` (:data:`OPERATOR_SCOPE`) for operator (admin) tokens, which
    reach every map. ``subject`` is the node whose web a community link may see.
    Times are ISO-8601 strings; ``expires_at`` and ``revoked_at`` are ``None`` while
    the token is open-ended and live.
    """

    id: str
    map_id: str
    role: str
    token_hash: str
    label: str = ""
    subject: str = ""
    created_at: str = ""
    created_by: str = ""
    expires_at: str | None = None
    revoked_at: str | None = None


#: The ``map_id`` of operator (admin) tokens: not a map, every map. The operator's own
#: audit entries (operator tokens made and revoked, maps made and deleted) are kept
#: under it too, so deleting a map never erases the record of who deleted it.
OPERATOR_SCOPE = ""


@dataclass
class SessionRecord:
    """A signed-in browser, kept server-side so that signing out ends it everywhere.

    The cookie carries a random session id; the store keeps only its SHA-256 digest
    (``id_hash``), the token it was opened with, and when it ends (an absolute
    lifetime: using the session does not extend it).
    """

    id_hash: str
    token_id: str
    created_at: str
    expires_at: str


@dataclass
class ListFilter:
    """Filters for listings: ``silo`` (nodes), ``kind`` (relationships or organisations),
    ``q`` (text in the name, or in an endpoint id for ties).

    For people and organisations ``q`` matches accents and case forgiven: the folded
    query (:func:`graph_models.text.fold`) is a substring of the folded name, so
    ``"sian"`` finds "Siân". For ties it is a case-insensitive substring of an endpoint id.
    """

    silo: str | None = None
    kind: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class Consent:
    """How a reader who is not a coordinator may list a map (DESIGN §8), for a list
    paged in the store: hidden people are left out, so are anonymised people of a silo
    with fewer than ``min_group`` people, and the other anonymised people are listed,
    searched and ordered as ``label(silo)`` ("a person in health"), never by their name."""

    min_group: int
    label: Callable[[str], str]


@dataclass(frozen=True)
class ShownRows:
    """What :meth:`StoreRules.list_shown` passes to a store: the silos too small to show an
    anonymised person (``small``), and each silo's folded label (``labels``); None in
    place of this for a coordinator (every record, by its own name)."""

    small: tuple[str, ...]
    labels: dict[str, str]


@dataclass
class ShownPage:
    """One page of a list as a reader sees it, with what is needed to show it: the
    records of the page's ties' ends (``ends``) and the people of each silo in the whole
    map (``silo_people``: what the consent rules judge a silo by)."""

    page: Page
    ends: dict = field(default_factory=dict)
    silo_people: dict[str, int] = field(default_factory=dict)
    #: the map as read in the same transaction (by :meth:`GraphData.list_shown`)
    map: Map | None = None


@runtime_checkable
class GraphData(Protocol):
    """Maps and their people, organisations and relationships.

    Errors are :mod:`graph_models.errors` exceptions.
    """

    # maps
    def create_map(self, m: Map) -> Map: ...
    def get_map(self, map_id: str) -> Map: ...
    def list_maps(self, *, limit: int = DEFAULT_PAGE, offset: int = 0) -> Page: ...
    def update_map(
        self, m: Map, *, actor: str = "", rename_silos: dict[str, str] | None = None
    ) -> Map: ...
    def delete_map(self, map_id: str) -> None:
        """Delete the map with everything in it, its audit entries and its tokens."""

    # people, organisations and relationships, by entity type
    def create(
        self, map_id: str, entity, *, actor: str = "", restore_erased: bool = False
    ) -> object:
        """Create one object; a person whose id was erased from the map is refused
        (Conflict) unless ``restore_erased`` (an explicit re-adding)."""

    def get(self, map_id: str, etype: EntityType, entity_id: str) -> object: ...
    def get_revised(self, map_id: str, etype: EntityType, entity_id: str) -> tuple[object, int]:
        """One object and its revision (1 when made, one more on every write of it)."""

    def update(self, map_id: str, entity, *, actor: str = "") -> object: ...
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
        """Read, change and write one object in one transaction under the map's lock
        (no lost update); with ``if_revision``, PreconditionFailed if it moved on."""

    def delete(
        self,
        map_id: str,
        etype: EntityType,
        entity_id: str,
        *,
        actor: str = "",
        if_revision: int | Collection[int] | None = None,
    ) -> None:
        """Delete one object; deleting a node deletes its relationships and the tokens
        whose subject it is; deleting a person leaves a keyed tombstone of the id
        (erasure)."""

    def erased_ids(self, map_id: str, ids: list[str]) -> set[str]:
        """Those of ``ids`` that are tombstones of erased people of the map."""

    def list(
        self,
        map_id: str,
        etype: EntityType,
        *,
        filters: ListFilter | None = None,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
    ) -> Page:
        """One page of a map's objects of one type, filtered and paged in the store."""

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
        """One page of a list as a reader sees it, filtered, ordered and paged in the
        store: by the folded text shown (a tie: its first end's), then a tie-break that
        says nothing about hidden records; ``q`` is folded and matched in the text
        shown (a tie: either end's, or its kind). With ``consent`` (every reader but a
        coordinator) the rules of :class:`Consent` apply in the query itself, so totals
        and page boundaries count only what the reader may see; ``consent`` may be a
        function of the map (read in the same transaction, and returned as ``map``),
        for rules whose labels are the map's own."""

    def get_shown(
        self,
        map_id: str,
        etype: EntityType,
        entity_id: str,
        *,
        unmask: Callable[[list[str]], str | None] | None = None,
        known: str | None = None,
    ) -> ShownPage:
        """One record (or the anonymised person, or tie with an anonymised end,
        ``unmask`` picks from the ids of the map's anonymised people, or of its ties
        with an anonymised end; or, while it exists, the record ``known`` names, the
        real id the pseudonym is already known to stand for), a tie's ends and the silo
        sizes, without the rest of the map: what a reader's view of one record needs."""

    def bulk_upsert(
        self,
        map_id: str,
        nodes: list[Node],
        relationships: list[Relationship],
        *,
        actor: str = "",
        new_silos: list[Silo] | None = None,
    ) -> BulkResult:
        """Create or replace every object in the batch, all or nothing.

        ``new_silos`` are added to the end of the map's vocabulary in the same
        transaction (those it already has by name are skipped), so an import that
        grows the vocabulary is one write.
        """

    def node_index(self, map_id: str) -> dict:
        """``{id: (NodeType, name)}`` of every node of the map, and nothing else."""

    def nodes_by_id(self, map_id: str, ids: list[str]) -> list[Node]: ...
    def relationships_by_id(
        self, map_id: str, ids: list[str], *, kinds: dict[str, str] | None = None
    ) -> list[Relationship]:
        """The ties of the map among ``ids``, looked up by id (not by reading all);
        ``kinds``: the kind each id is expected to have, a hint (not a filter)."""

    def graph(self, map_id: str, *, as_of: date | None = None) -> GraphRecords:
        """The whole map; with ``as_of``, only the ties active on that day."""

    def neighbourhood(self, map_id: str, node_id: str, *, hops: int = 1) -> GraphRecords:
        """The node, every node within ``hops`` ties of it, and the ties among them."""

    def get_import_mapping(self, map_id: str, signature: str) -> dict | None:
        """The mapping last used for a file of this shape (None if none)."""

    def put_import_mapping(self, map_id: str, signature: str, mapping: dict) -> None:
        """Keep a mapping for the next file of this shape (the map's version stays)."""


@runtime_checkable
class AuditTrail(Protocol):
    """Who wrote what: entries without personal data (see :class:`AuditRecord`)."""

    def audit_log(
        self,
        map_id: str,
        *,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        refs: list[str] | None = None,
    ) -> Page:
        """Writes to a map, newest first; ``refs`` keeps only entries about those ids.
        :data:`OPERATOR_SCOPE` gives the operator's own entries (operator tokens, maps
        made and deleted), which outlive the maps they name."""


@runtime_checkable
class TokenRecords(Protocol):
    """Access tokens (hashes only; see :class:`AccessToken`)."""

    def create_token(self, token: AccessToken, *, actor: str = "") -> AccessToken:
        """Keep a new token record (Conflict if its id or hash is taken; NotFound if its
        map does not exist). A map's token writes are audited like any other write."""

    def get_token(self, token_id: str) -> AccessToken:
        """The token with this id (NotFound if none)."""

    def find_token(self, token_hash: str) -> AccessToken | None:
        """The token whose secret has this digest, or None."""

    def list_tokens(self, map_id: str) -> list[AccessToken]:
        """A map's tokens (or the operator tokens for OPERATOR_SCOPE), oldest first."""

    def revoke_token(self, map_id: str, token_id: str, *, at: str, actor: str = "") -> AccessToken:
        """Mark a map's token revoked at ``at`` (NotFound if it is not that map's); its
        browser sessions end in the same write."""


@runtime_checkable
class SessionRecords(Protocol):
    """Browser sessions (digests of their ids only; see :class:`SessionRecord`)."""

    def start_session(self, record: SessionRecord) -> None:
        """Keep a new session (and forget the ones whose lifetime is over)."""

    def find_session(self, id_hash: str, *, now: str) -> SessionRecord | None:
        """The live session with this digest, or None (ended, expired or unknown)."""

    def end_session(self, id_hash: str) -> None:
        """Sign a session out: its cookie, wherever it was copied, no longer works."""


@runtime_checkable
class AnalysisResults(Protocol):
    """Results of background analysis kept per map version, and the leases that keep
    one computation of a version at a time across processes (migration 8)."""

    def analysis_result(self, map_id: str, key: str, version: int | None) -> dict | None:
        """The kept result ``key`` of the map at ``version`` (None: the latest kept)."""

    def analysis_result_ready(self, map_id: str, key: str, version: int) -> bool: ...
    def save_analysis_result(self, map_id: str, key: str, version: int, payload: dict) -> bool: ...
    def take_lease(
        self, map_id: str, key: str, holder: str, *, seconds: float
    ) -> tuple[bool, str | None]: ...
    def release_lease(self, map_id: str, key: str, holder: str) -> None: ...


@runtime_checkable
class GraphStore(GraphData, AuditTrail, TokenRecords, SessionRecords, AnalysisResults, Protocol):
    """What every store offers: the five concerns, plus its health and its end."""

    def ping(self) -> None:
        """Raise :class:`~graph_models.errors.StoreUnavailable` if the store cannot answer."""

    def close(self) -> None: ...
