"""Rules and conversions that both stores share, so that they behave identically."""

from __future__ import annotations

import hashlib
from collections import Counter

from graph_models.errors import InvalidInput
from graph_models.model import EntityType, Map, Silo


def map_to_dict(m: Map) -> dict:
    """The map's descriptive fields (id, name, description, silos) as plain data."""
    return {
        "id": m.id,
        "name": m.name,
        "description": m.description,
        "silos": [{"name": s.name, "colour": s.colour} for s in m.silos],
    }


def map_from_dict(data: dict) -> Map:
    return Map(
        id=data["id"],
        name=data["name"],
        description=data.get("description", ""),
        silos=[Silo(**s) for s in data.get("silos", [])],
    )


def audit_ref(etype: EntityType, entity_id: str) -> str:
    """How the audit log names an object once it is deleted.

    A person's id may itself be personal data (``jane-jones``), so after erasure the
    log keeps only a one-way digest: it still shows that a person was erased, and
    the same id gives the same digest, but the id cannot be read back.
    """
    if etype is EntityType.PERSON:
        return "sha256:" + hashlib.sha256(entity_id.encode()).hexdigest()[:16]
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
