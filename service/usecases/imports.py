"""Importing a file into a map, the same way from the API and the import page.

Rows without an id get one made from their name with the map's own key
(:func:`id_key`), so an outsider who knows a person's name cannot compute their id
(and, say, ask for their web); importing the same file again finds the same ids.
Files not in Bridgemap's own shape are read through a mapping, given or kept by the
map (:mod:`graph_models.io.saved`); :func:`inspect` is the mapping step's first look.
"""

from __future__ import annotations

from graph_models.io import raw
from graph_models.io.inspect import inspect_raw
from graph_models.io.rows import map_id_key
from graph_models.io.saved import import_mapped
from service.usecases.context import actor, secret, store


def id_key(map_id: str) -> bytes:
    """The key of a map's generated ids (:func:`graph_models.io.rows.map_id_key`)."""
    return map_id_key(secret(), map_id)


def inspect(map_id: str, stream, *, filename: str = "", fmt: str | None = None) -> dict:
    """The file's tables and columns with samples and guesses, the guessed mapping, and
    the map's saved mapping for a file of this shape (``saved``, or None)."""
    m = store().get_map(map_id)
    with raw.read(stream, filename=filename, fmt=fmt) as found:
        inspection = inspect_raw(found, m.kind_names())
    out = inspection.as_dict()
    out["saved"] = store().get_import_mapping(map_id, inspection.signature)
    return out


def import_into(
    map_id: str,
    stream,
    *,
    filename: str = "",
    fmt: str | None = None,
    entity: str | None = None,
    dry_run: bool = False,
    add_silos: bool = False,
    mapping: dict | str | None = None,
):
    """Import ``stream`` into the map (all or nothing); returns the import report.

    With ``mapping`` (a dict or JSON text) the file is read through it; without, as it
    is, or through the map's saved mapping for its shape (:mod:`graph_models.io.saved`).
    """
    return import_mapped(
        store(),
        map_id,
        stream,
        mapping=mapping,
        filename=filename,
        fmt=fmt,
        entity=entity,
        dry_run=dry_run,
        add_silos=add_silos,
        actor=actor(),
        id_key=id_key(map_id),
    )
