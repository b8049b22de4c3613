"""Imports that use and keep a map's mappings: one rule for the API, the page and the CLI.

A file not in Bridgemap's own shape is read through a mapping
(:mod:`graph_models.io.mapping`). One given with the import is used, and kept for the
map once the import is written, under the file's shape (its kind and column names:
:func:`~graph_models.io.mapping.signature`). Without one, the file is imported as it
is, exactly as before; only when that is refused and the map keeps a mapping for a
file of this shape is the file read again through it. So a file in Bridgemap's own
template never costs more nor changes meaning, and the next export from Gephi or Kumu
with the same columns imports with no mapping step (and, unchanged, writes nothing).
"""

from __future__ import annotations

import io

from graph_models.errors import InvalidInput
from graph_models.io import mapping as mapping_rules
from graph_models.io import raw
from graph_models.io.importer import ImportRejected, ImportReport, import_file


def _rewindable(stream):
    if hasattr(stream, "seekable") and stream.seekable():
        return stream
    return io.BytesIO(stream.read())


def saved_mapping(store, map_id: str, stream, *, filename: str = "", fmt: str | None = None):
    """The map's mapping for a file of this shape, or None (also for unreadable files)."""
    try:
        with raw.read(stream, filename=filename, fmt=fmt) as found:
            if found.own_json:
                return None
            signature = mapping_rules.signature(found.format, found.tables)
    except InvalidInput:
        return None
    return store.get_import_mapping(map_id, signature)


def import_mapped(store, map_id: str, stream, *, mapping=None, **options) -> ImportReport:
    """:func:`~graph_models.io.importer.import_file` with the map's mappings (module
    docstring). ``options`` are import_file's; the report's ``mapping_source`` is
    ``given``, ``saved`` or None."""
    store.get_map(map_id)  # 404 before reading the file
    stream = _rewindable(stream)
    source = "given" if mapping is not None else None
    if mapping is None:
        try:
            return import_file(store, map_id, stream, **options)
        except ImportRejected:
            stream.seek(0)
            mapping = saved_mapping(
                store, map_id, stream, filename=options.get("filename", ""), fmt=options.get("fmt")
            )
            if mapping is None:
                raise
            stream.seek(0)
            source = "saved"
    report = import_file(store, map_id, stream, mapping=mapping, **options)
    report.mapping_source = source
    if not options.get("dry_run") and report.signature:
        store.put_import_mapping(map_id, report.signature, report.mapping)
    return report
