"""Importing a file into a map, the same way from the API and the import page.

Rows without an id get one made from their name with the map's own key
(:func:`id_key`), so an outsider who knows a person's name cannot compute their id
(and, say, ask for their web); importing the same file again finds the same ids.
"""

from __future__ import annotations

from graph_models import io as transfer
from graph_models.io.rows import map_id_key
from service.usecases.context import actor, secret, store


def id_key(map_id: str) -> bytes:
    """The key of a map's generated ids (:func:`graph_models.io.rows.map_id_key`)."""
    return map_id_key(secret(), map_id)


def import_into(
    map_id: str,
    stream,
    *,
    filename: str = "",
    fmt: str | None = None,
    entity: str | None = None,
    dry_run: bool = False,
    add_silos: bool = False,
):
    """Import ``stream`` into the map (all or nothing); returns the import report."""
    store().get_map(map_id)  # 404 before reading the file
    return transfer.import_file(
        store(),
        map_id,
        stream,
        filename=filename,
        fmt=fmt,
        entity=entity,
        dry_run=dry_run,
        add_silos=add_silos,
        actor=actor(),
        id_key=id_key(map_id),
    )
