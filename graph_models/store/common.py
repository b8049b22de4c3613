"""Rules and conversions that both stores share, so that they behave identically."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import Counter, OrderedDict

from graph_models.errors import InvalidInput
from graph_models.model import (
    RELATIONSHIP_KINDS,
    EntityType,
    Map,
    MapKind,
    NodeType,
    Silo,
    Visibility,
)


def map_to_dict(m: Map) -> dict:
    """The map's descriptive fields (id, name, description, its vocabulary — silos with
    their Welsh labels, its own relationship kinds — and default consent) as plain data."""
    return {
        "id": m.id,
        "name": m.name,
        "description": m.description,
        "silos": [{"name": s.name, "colour": s.colour, "label_cy": s.label_cy} for s in m.silos],
        "kinds": [
            {
                "name": k.name,
                "label": k.label,
                "label_cy": k.label_cy,
                "source": k.source.value,
                "target": k.target.value,
                "directed": k.directed,
                "affiliation": k.affiliation,
            }
            for k in m.kinds
        ],
        "default_visibility": m.default_visibility.value,
    }


def map_from_dict(data: dict) -> Map:
    return Map(
        id=data["id"],
        name=data["name"],
        description=data.get("description", ""),
        silos=[Silo(**s) for s in data.get("silos", [])],
        kinds=[
            MapKind(**{**k, "source": NodeType(k["source"]), "target": NodeType(k["target"])})
            for k in data.get("kinds", [])
        ],
        default_visibility=Visibility(data.get("default_visibility", Visibility.NAMED.value)),
    )


def new_key() -> str:
    """A map's random erasure key (hex), made with the map and kept in the store."""
    return secrets.token_hex(32)


def erased_digest(key: str, entity_id: str) -> str:
    """A person's id once erased: an HMAC-SHA-256 under the map's own key.

    The same id in the same map gives the same digest (so an import naming it again
    is refused, and the audit entries of one person stay linked), but without the
    map's key nobody can compute it: an unkeyed hash of a guessable id
    (``jane-jones``, ``p7``) would let anyone confirm that a given person was erased.
    """
    mac = hmac.new(bytes.fromhex(key), entity_id.encode(), hashlib.sha256)
    return "erased:" + mac.hexdigest()[:32]


def audit_ref(etype: EntityType, entity_id: str, key: str) -> str:
    """How the audit log names an object once it is deleted: a person by the keyed
    digest of their id (:func:`erased_digest`), anything else by its id."""
    if etype is EntityType.PERSON:
        return erased_digest(key, entity_id)
    return entity_id


def check_batch(nodes: list, relationships: list) -> None:
    """Reject a batch that names one id twice (which row would win is undefined)."""
    errors: dict[str, list[str]] = {}
    for label, ids in (
        ("nodes", [n.id for n in nodes]),
        ("relationships", [r.id for r in relationships]),
    ):
        dupes = sorted(i for i, c in Counter(ids).items() if c > 1)
        if dupes:
            errors[label] = [f"id {d!r} appears more than once in the batch" for d in dupes[:20]]
    if errors:
        raise InvalidInput("the batch repeats ids", errors)


def chunks(items: list, size: int):
    """``items`` in consecutive slices of at most ``size`` (query parameter limits)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def groups_on_page(groups, offset: int, limit: int) -> tuple[int, list, int]:
    """Where a page falls in a list made of ordered groups (ties listed by the text shown
    for their first end): ``groups`` is ``(display, rows)`` in list order; the answer is
    ``(total rows, the displays of the groups the page touches, rows of the first of them
    to skip)``. Both stores page their tie lists with it, so they page alike."""
    total, start, wanted, skip = 0, 0, [], 0
    for display, rows in sorted(groups, key=lambda g: (g[0] is not None, g[0] or "")):
        end = start + rows
        if end > offset and start < offset + limit:
            if not wanted:
                skip = offset - start
            wanted.append(display)
        start = end
        total += rows
    return total, wanted, max(skip, 0)


class VersionMemo:
    """Figures about a map that take reading all of it (how many ties it has, its
    people by silo and consent), kept for one version of the map, so that a list's
    page reads no more than the page while the map does not change.

    A figure is kept under the map's identity (its random erasure key: a map made again
    under the same id is another) and version as the transaction read them, and only
    when it is known to be of that version: on SQLite a read transaction is one
    snapshot; on Neo4j reads see every write committed meanwhile, so the version is read
    again after the figure, and each write bumps the version first and commits with it,
    so an unchanged version means no write landed in between. Any later write bumps the
    version, so a kept figure is never read for another state of the map. Per process,
    bounded (least recently used dropped); thread-safe.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def kept(self, key, compute, still_current=None):
        """The value kept under ``key``, or ``compute()``'s, kept if ``still_current()``
        (default: always) says the map has not changed since ``key`` was read."""
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        if still_current is None or still_current():
            self.put(key, value)
        return value


def kind_holds(found: Map | None, q: str) -> bool:
    """Whether the name of a kind of tie the map ``found`` may have holds the folded
    ``q`` (then a search matches ties by kind too, and every tie is read); any kind
    when the map is not known."""
    kinds = found.kind_names() if found else RELATIONSHIP_KINDS
    return any(q in kind.lower() for kind in kinds)
