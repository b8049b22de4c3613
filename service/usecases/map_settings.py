"""Changing a map's settings and vocabulary, the same way from the API and the settings
page: name, description, default consent, silos (colours, Welsh labels, renames that
people and organisations follow) and the map's own relationship kinds.

The store refuses, all or nothing, a change that would strand anything: a silo or kind
dropped while in use, or a used kind's ends changed (409, saying how many use it).
"""

from __future__ import annotations

import dataclasses

from graph_models import schemas
from graph_models.model import Map
from service.usecases.context import actor, forget_cached, store


def change_map(map_id: str, changes: dict) -> Map:
    """Apply schema-loaded ``changes`` (:class:`graph_models.schemas.MapPatchSchema`)
    to the map and store it; ``rename_silos`` (old -> new) moves everyone in each old
    silo to the new name. Without ``silos``, a rename renames the silo in place
    (keeping its colour and Welsh label)."""
    changes = dict(changes)
    renames = {k: v.strip() for k, v in (changes.pop("rename_silos", None) or {}).items()}
    current = store().get_map(map_id)
    if renames and "silos" not in changes:
        changes["silos"] = [
            dataclasses.replace(s, name=renames.get(s.name, s.name)) for s in current.silos
        ]
    updated = store().update_map(
        schemas.merge(current, changes), actor=actor(), rename_silos=renames
    )
    forget_cached(map_id)
    return updated
