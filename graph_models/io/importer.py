"""Importing a file into a map: all or nothing, idempotent, with a report of every row.

:func:`import_file` reads a file (:mod:`graph_models.io.readers`), validates every
row with the schemas, fits silos to the map (:mod:`graph_models.io.rows`), resolves
relationship endpoints given by id or by unique name, and compares each row with what
the store already holds. Then:

* if any row is invalid, nothing is written and :class:`ImportRejected` (HTTP 422)
  names every problem by sheet, row and column: ``{"people.csv": {"4": {"Sector":
  ["must be one of: ..."]}}}``;
* with ``dry_run``, nothing is written and the report says what would change;
* otherwise the new and changed rows (only those) go to the store in **one**
  ``bulk_upsert`` call, which is atomic on both stores. Importing the same file twice
  therefore changes nothing the second time (the map's version stays put), and an
  edited file updates exactly the edited rows.

Silos outside the map's vocabulary are errors, unless ``add_silos`` is set: then they
are added to the vocabulary by the same ``bulk_upsert`` that writes the rows (one
transaction: both happen or neither).

Endpoints: a relationship's ``source`` and ``target`` may be an id or a name. An id
(of a row in the file or a node in the map) wins; otherwise the name must belong to
exactly one person or organisation (case and spacing forgiven; when several share it,
the kind's endpoint type is used to choose, e.g. ``works_for`` targets an
organisation). An ambiguous name is an error asking for an id.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import marshmallow as ma

from graph_models import model, schemas
from graph_models.errors import InvalidInput
from graph_models.io import columns as cols
from graph_models.io import mapping as mapping_rules
from graph_models.io import readers
from graph_models.io.rows import (
    SiloVocabulary,
    build_entity,
    fold_name,
    natural_node_id,
    natural_relationship_id,
    resolve_endpoint,
)
from graph_models.messages import Message
from graph_models.model import EntityType, NodeType

#: Relationship rows validated by one schema call (many=True) while they are all valid.
_CHUNK = 500
#: Relationship rows compared with the store per lookup (one call, ids in one list):
#: each call is a round trip (on Neo4j a transaction), so fewer, larger ones.
_LOOKUP = 5000
_MANY_RELATIONSHIPS = schemas.RelationshipSchema(many=True)

#: Rows with problems listed in one error response and in the errors CSV (the message
#: gives the total; a page shows at most 20 examples per cause: io.error_summary).
MAX_REPORTED_ROWS = 10_000
#: Ids listed per entity type and change in a report (the counts are always complete).
MAX_LISTED_CHANGES = 100

_NODE_TYPE = {EntityType.PERSON: NodeType.PERSON, EntityType.ORGANISATION: NodeType.ORGANISATION}


class ImportRejected(InvalidInput):
    """The file has invalid rows; nothing was written (HTTP 422)."""

    #: the sheets that hold people and organisations (see io.error_summary.summarise)
    node_sheets: frozenset = frozenset()


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: blank rows between data rows (and rows with data only in ignored columns)
    skipped: int = 0

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass
class ImportReport:
    format: str
    dry_run: bool
    written: bool = False
    #: the map's version after the import (unchanged when nothing was written)
    version: int = 0
    counts: dict[str, Counts] = field(
        default_factory=lambda: {p: Counts() for p in cols.PLURAL.values()}
    )
    silos_added: list[str] = field(default_factory=list)
    #: the file's own relationship kinds added to the map (a JSON file's map section)
    kinds_added: list[str] = field(default_factory=list)
    #: per entity type: ids "created" and "updated" (at most MAX_LISTED_CHANGES each)
    changes: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {p: {"created": [], "updated": []} for p in cols.PLURAL.values()}
    )
    encoding: str | None = None
    delimiter: str | None = None
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    ignored_sheets: list[str] = field(default_factory=list)
    #: every person whose consent the import changes: ``{"id", "from", "to"}``
    consent_changes: list[dict] = field(default_factory=list)
    #: new people whose row gives no consent get the map's stated default:
    #: ``{"visibility": <the default>, "people": <how many get it>}``
    default_consent: dict = field(default_factory=dict)
    #: the mapping the file was read with (validated, defaults filled in), if any
    mapping: dict | None = None
    #: the file's shape (io.mapping.signature) when read with a mapping: kept under it
    signature: str | None = None
    #: where the mapping came from: "given", "saved" (the map's, for this shape) or None
    mapping_source: str | None = None

    @property
    def total(self) -> Counts:
        out = Counts()
        for c in self.counts.values():
            out.created += c.created
            out.updated += c.updated
            out.unchanged += c.unchanged
            out.skipped += c.skipped
        return out

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "written": self.written,
            "version": self.version,
            **self.total.as_dict(),
            **{plural: c.as_dict() for plural, c in self.counts.items()},
            "silos_added": self.silos_added,
            "changes": self.changes,
            "consent_changes": self.consent_changes,
            "default_consent": self.default_consent,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "ignored": {"columns": self.ignored_columns, "sheets": self.ignored_sheets},
            "mapping": self.mapping,
            "mapping_source": self.mapping_source,
        }


def parse_entity(entity) -> EntityType | None:
    """``"people"``, ``"person"``, ``"ties"``... or an :class:`EntityType` (None: detect)."""
    if entity is None or entity == "" or isinstance(entity, EntityType):
        return entity or None
    etype = cols.entity_of_sheet(str(entity))
    if etype is None:
        raise InvalidInput(
            Message("import.unknown_entity", entity=repr(entity)),
            {"entity": [Message("import.entity_choices")]},
        )
    return etype


def import_file(
    store,
    map_id: str,
    stream,
    *,
    filename: str = "",
    fmt: str | None = None,
    entity=None,
    dry_run: bool = False,
    add_silos: bool = False,
    actor: str = "",
    progress: Callable[[float], None] | None = None,
    id_key: bytes = b"",
    mapping: dict | None = None,
) -> ImportReport:
    """Import ``stream`` (a binary file object) into map ``map_id``; see the module docstring.

    Parameters
    ----------
    store : GraphStore
    map_id : str
    stream : binary file object
        CSV (or a zip of CSVs), XLSX, JSON, GraphML or GEXF.
    filename : str
        Used to detect the format and the entity type of a CSV, and to name it in errors.
    fmt : str, optional
        One of :data:`~graph_models.io.readers.FORMATS`; detected when omitted.
    entity : str, optional
        For a CSV or one-sheet XLSX: ``people``, ``organisations`` or
        ``relationships`` (detected from the header or file name when omitted).
    dry_run : bool
        Validate and report what would change, without writing.
    add_silos : bool
        Add unknown silos to the map's vocabulary instead of refusing them.
    progress : callable, optional
        Called with the fraction of the file read so far (0..1).
    id_key : bytes, optional
        The map's key for the ids of rows without one (:func:`natural_node_id`); the
        service passes one derived from its secret, so ids cannot be computed from names.
    mapping : dict, optional
        How the file's columns become Bridgemap's fields (:mod:`graph_models.io.mapping`),
        for files not in Bridgemap's own shape; validated here. Its ``add_silos``
        (true unless said otherwise) adds the silos it names or finds.

    Raises
    ------
    ImportRejected
        If any row is invalid (``errors`` keyed by sheet, row and column).

    Examples
    --------
    >>> import io
    >>> from graph_models.model import Map, Silo
    >>> from graph_models.store.embedded import EmbeddedStore
    >>> import tempfile, pathlib
    >>> store = EmbeddedStore(pathlib.Path(tempfile.mkdtemp()) / "db.sqlite3")
    >>> _ = store.create_map(Map("m", "M", silos=[Silo("health")]))
    >>> csv = b"name,sector,role\\nAnn Evans,Health,GP\\n"
    >>> import_file(store, "m", io.BytesIO(csv), filename="people.csv").total.created
    1
    >>> import_file(store, "m", io.BytesIO(csv), filename="people.csv").total.unchanged
    1
    """
    m = store.get_map(map_id)
    etype = parse_entity(entity)
    if mapping is not None:
        mapping = mapping_rules.load(mapping)
        mapping_rules.check_kinds(mapping, m.kind_names())
        add_silos = add_silos or mapping["add_silos"]
    with (
        _no_cyclic_gc(),
        _open(stream, filename, fmt, etype, progress, mapping, m.kind_rules()) as src,
        contextlib.closing(_Existing(store, map_id)) as existing,
    ):
        job = _Import(m, existing, src, add_silos=add_silos, id_key=id_key)
        job.run()
        job.refuse_erased(store.erased_ids(map_id, job.new_person_ids()))
    report = job.report(dry_run)
    report.mapping, report.signature = mapping, src.signature
    if job.errors.rows or job.errors.data:
        raise job.errors.rejection()
    if job.rows_seen == 0:
        raise ImportRejected(
            "the file has no rows to import",
            {"file": ["no rows to import (only a header, or empty sheets)"]},
        )
    report.version = m.version
    vocabulary_changes = job.vocabulary.added or job.kinds_added or job.silo_labels
    if dry_run or not (job.changed_nodes or job.changed_rels or vocabulary_changes):
        return report
    store.bulk_upsert(
        map_id,
        job.changed_nodes,
        job.changed_rels,
        actor=actor,
        new_silos=job.vocabulary.added,
        new_kinds=job.kinds_added,
        silo_labels=job.silo_labels,
    )
    report.written = True
    report.version = store.get_map(map_id).version
    if progress is not None:
        progress(1.0)
    return report


def _open(stream, filename, fmt, etype, progress, mapping, rules=None) -> readers.Source:
    """The file's rows in Bridgemap's shape: read as they are, or through ``mapping``."""
    if mapping is None:
        return readers.read(stream, filename=filename, fmt=fmt, entity=etype, progress=progress)
    from graph_models.io import mapped, raw

    with raw.read(stream, filename=filename, fmt=fmt) as found:
        if found.own_json:
            raise InvalidInput(
                Message("mapping.own_json"), {"mapping": [Message("mapping.own_json")]}
            )
        source = mapped.source(found, mapping, rules)
        source.signature = mapping_rules.signature(found.format, found.tables)
        return source


@contextlib.contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector while a file is read and checked.

    Reading allocates several objects per row and none of them form cycles; the
    collector would walk the growing heap again and again (about 8% of a big import).
    The previous state is restored, so nested or concurrent imports are safe.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Errors:
    """Problems keyed by sheet, row and column label (the import's 422 ``errors``)."""

    def __init__(self):
        self.data: dict = {}
        self.rows = 0
        self.truncated = False
        #: sheets of people and organisations (their problems are summarised first)
        self.node_sheets: set[str] = set()

    def merge(self, found: dict) -> None:
        """Add what a reader found (file, header and cell problems) to the row problems."""
        for sheet, entries in found.items():
            if not isinstance(entries, dict):
                self.data.setdefault(sheet, [])
                if isinstance(self.data[sheet], list):
                    self.data[sheet] += list(entries)
                continue
            target = self.data.setdefault(sheet, {})
            for key, value in entries.items():
                if isinstance(value, dict) and isinstance(target.get(key), dict):
                    for column, messages in value.items():
                        target[key].setdefault(column, []).extend(_flatten(messages))
                else:
                    if isinstance(value, dict) and key not in target:
                        self.rows += 1  # a row the reader refused (a node without a type)
                    target[key] = value

    def add(self, sheet: str, row: str, problems: dict, labels: dict) -> None:
        self.rows += 1
        if self.rows > MAX_REPORTED_ROWS:
            self.truncated = True
            return
        target = self.data.setdefault(sheet, {}).setdefault(row, {})
        for key, messages in problems.items():
            label = labels.get(key, key)
            target.setdefault(label, []).extend(_flatten(messages))

    def rejection(self) -> ImportRejected:
        n = self.rows or 1
        message = Message("import.rows_with_problems", num=n)
        if self.truncated:
            listed = f"{MAX_REPORTED_ROWS:,}"
            message = Message("import.rows_with_problems_listed", num=n, listed=listed)
        elif not self.rows:
            message = Message("import.cannot_import")
        rejected = ImportRejected(message, self.data)
        rejected.node_sheets = frozenset(self.node_sheets)
        return rejected


def _flatten(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        out = []
        for key, inner in messages.items():
            prefix = f"item {int(key) + 1}: " if isinstance(key, int) else f"{key}: "
            out += [prefix + m for m in _flatten(inner)]
        return out
    return [m for item in messages for m in _flatten(item)]


class _Existing:
    """What an import compares its rows with, asked of the store only as needed: every
    node's type and name (to resolve ids and names), the whole records of the nodes
    the file names, and the ties the file names, looked up by id (with the kind each
    row gives, so a store can look where the tie should be). A re-import never reads
    the map's ties back in bulk (on Neo4j that was most of its time).

    On a store whose calls wait on a server (``store.remote``: Neo4j), ties are asked
    for ahead, by one background thread, while the import checks the rows that name
    them: the server's work overlaps the import's own. :meth:`close` ends the thread.
    """

    def __init__(self, store, map_id: str):
        self.store, self.map_id = store, map_id
        self.index: dict[str, tuple[NodeType, str]] = store.node_index(map_id)
        self._ahead = None
        if getattr(store, "remote", False):
            self._ahead = ThreadPoolExecutor(1, thread_name_prefix="import-lookup")

    def nodes(self, ids) -> dict:
        wanted = sorted(i for i in set(ids) if i in self.index)
        return {n.id: n for n in self.store.nodes_by_id(self.map_id, wanted)}

    def relationships(self, kinds: dict[str, str]) -> dict:
        """The stored ties among ``kinds``' ids (id -> the kind the file gives it)."""
        if not kinds:
            return {}
        found = self.store.relationships_by_id(self.map_id, sorted(kinds), kinds=kinds)
        return {r.id: r for r in found}

    def relationships_soon(self, kinds: dict[str, str]) -> Callable[[], dict]:
        """:meth:`relationships`, to be collected by calling what this returns: asked
        now in the background on a remote store, else when collected."""
        if self._ahead is None or not kinds:
            return functools.partial(self.relationships, kinds)
        return self._ahead.submit(self.relationships, kinds).result

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.shutdown(wait=True, cancel_futures=True)


class _Import:
    def __init__(
        self,
        m: model.Map,
        existing,
        source: readers.Source,
        *,
        add_silos: bool,
        id_key: bytes = b"",
    ):
        self.map = m
        self.id_key = id_key
        self.source = source
        self.errors = _Errors()
        colours = dict(source.silo_colours)
        #: the file's own kinds the map lacks (a JSON file's map section), added with
        #: its rows; and Welsh labels for the map's silos that have none yet
        self.kinds_added: list[model.MapKind] = []
        self.silo_labels: dict[str, str] = {}
        if source.map_section is not None:
            colours.update(self._map_section(source.map_section))
        self.rules = {**m.kind_rules(), **{k.name: k.rule for k in self.kinds_added}}
        self.vocabulary = SiloVocabulary(m, add=add_silos, colours=colours)
        self.vocabulary.labels_cy = dict(self._file_labels)
        if add_silos and source.map_section is not None:
            for name in colours:  # the file's whole vocabulary, in its order
                self._fit_silo(name, "map", "silos")
        self.existing = existing
        #: the stored records of the nodes and ties the file names (filled as read)
        self.old_nodes: dict = {}
        self.old_rels: dict = {}
        self.counts = {p: Counts() for p in cols.PLURAL.values()}
        self.changes = {p: {"created": [], "updated": []} for p in cols.PLURAL.values()}
        self.consent_changes: list[dict] = []
        self.defaulted_consent = 0
        self.changed_nodes: list = []
        #: node id -> (sheet, row, id column, labels), to name a row in a later check
        self.node_rows: dict[str, tuple] = {}
        self.changed_rels: list = []
        self.rows_seen = 0
        self.types: dict[str, NodeType] = {i: t for i, (t, _) in existing.index.items()}
        self.names: dict[str, set[str]] = {}
        #: id or folded name of a node row that failed -> "people row 4"
        self.failed: dict[str, str] = {}
        #: relationship id -> (sheet, row) where it was first seen, in earlier sheets
        #: (formatted only if it is repeated)
        self._rel_seen: dict[str, tuple[str, str]] = {}

    # -- the map section of a JSON file ----------------------------------------------

    _file_labels: dict[str, str] = {}

    def _map_section(self, section: dict) -> dict[str, str]:
        """The silo colours of a JSON file's map section; its own kinds and Welsh
        labels are noted for the write (the lossless round trip)."""
        try:
            loaded = schemas.load(schemas.MapSchema, section, where="map")
        except InvalidInput as exc:
            self.errors.data["map"] = exc.errors
            return {}
        have = {k.name for k in self.map.kinds}
        self.kinds_added = [k for k in loaded.get("kinds") or [] if k.name not in have]
        self._file_labels = {s.name: s.label_cy for s in loaded.get("silos") or [] if s.label_cy}
        self.silo_labels = {
            s.name: self._file_labels[s.name]
            for s in self.map.silos
            if not s.label_cy and s.name in self._file_labels
        }
        return {s.name: s.colour for s in loaded.get("silos") or []}

    def _fit_silo(self, name: str, sheet: str, row: str) -> None:
        try:
            self.vocabulary.fit(name)
        except InvalidInput as exc:
            self.errors.add(sheet, row, exc.errors, {})

    def _count_row(self) -> None:
        """Count a row read; past :data:`readers.MAX_ROWS` the import stops (nothing is
        written), before a file of a million rows has cost a minute and a gigabyte."""
        self.rows_seen += 1
        if self.rows_seen > readers.MAX_ROWS:
            raise readers.file_error(Message("import.too_many_rows", rows=readers.MAX_ROWS))

    # -- the passes ----------------------------------------------------------------------

    def new_person_ids(self) -> list[str]:
        """Ids of the people the file would create (an erased person is not stored,
        so a row naming one is always a creation)."""
        return [
            n.id
            for n in self.changed_nodes
            if n.type is NodeType.PERSON and n.id not in self.existing.index
        ]

    def refuse_erased(self, erased: set[str]) -> None:
        """A row naming an erased person's id is an error (the whole file is refused):
        an old export must not bring back someone who asked to be erased. The store
        checks again in the write itself, for an erasure that races the import."""
        for node_id in sorted(erased):
            sheet, number, id_key, labels = self.node_rows[node_id]
            message = Message("import.erased_id", id=repr(node_id))
            self.errors.add(sheet, number, {id_key: [message]}, labels)

    def run(self) -> None:
        node_sheets = [s for s in self.source.sheets if s.etype is not EntityType.RELATIONSHIP]
        rel_sheets = [s for s in self.source.sheets if s.etype is EntityType.RELATIONSHIP]
        loaded = []
        for sheet in node_sheets:
            loaded += self._load_nodes(sheet)
        self._place_nodes(loaded)
        self._failed_in_reading({s.name for s in node_sheets})
        for sheet in rel_sheets:
            self._load_relationships(sheet)
        # readers report some problems only once they are met (a broken CSV line midway)
        self.errors.merge(self.source.errors)

    def _failed_in_reading(self, node_sheets: set[str]) -> None:
        """Nodes the reader already refused (a graph file's node without a type) are
        failed rows too, so a tie to one says so (a knock-on error), not "no such node"."""
        self.errors.node_sheets |= node_sheets
        for sheet in node_sheets:
            found = self.source.errors.get(sheet)
            if not isinstance(found, dict):
                continue
            for row in found:
                where = Message("import.where", sheet=sheet, row=str(row))
                self.failed.setdefault(str(row), where)
                self.failed.setdefault(fold_name(str(row)), where)

    def _load_nodes(self, sheet: readers.Sheet) -> list:
        schema = schemas.ENTITY_SCHEMAS[sheet.etype]
        out = []
        for row in sheet.rows:
            self._count_row()
            problems = row.errors
            if not problems:
                try:
                    values = schemas.load(schema, row.values)
                    entity = build_entity(self.vocabulary, sheet.etype, {"id": "-", **values})
                except InvalidInput as exc:
                    problems = dict(exc.errors)
                    silo = row.values.get("silo")
                    if "silo" not in problems and isinstance(silo, str) and silo:
                        try:  # report a silo outside the vocabulary with the other problems
                            self.vocabulary.fit(silo)
                        except InvalidInput as silo_exc:
                            problems.update(silo_exc.errors)
                else:
                    values["silo"] = entity.silo
                    out.append((sheet, row.number, values, said(row.values)))
                    continue
            self.errors.add(sheet.name, row.number, problems, sheet.labels)
            where = Message("import.where", sheet=sheet.name, row=str(row.number))
            for key in (row.values.get("id"), row.values.get("name")):
                if isinstance(key, str) and key:
                    self.failed.setdefault(fold_name(key), where)
                    self.failed.setdefault(key, where)
        self.counts[cols.PLURAL[sheet.etype]].skipped += sheet.skipped[0]
        return out

    def _place_nodes(self, loaded: list) -> None:
        """Give id-less rows their id, reject repeated ids, compare with the store."""
        explicit = {values["id"] for _, _, values, _ in loaded if "id" in values}
        by_name: dict[tuple, set[str]] = {}
        index = self.existing.index
        for node_id, (node_type, name) in index.items():
            if node_id not in explicit:
                by_name.setdefault((node_type, fold_name(name)), set()).add(node_id)
        for sheet, _, values, _ in loaded:
            if "id" in values:
                key = (_NODE_TYPE[sheet.etype], fold_name(values["name"]))
                by_name.setdefault(key, set()).add(values["id"])
        # the stored records the rows may be compared with: one lookup by id
        named = set(explicit)
        for sheet, _, values, _ in loaded:
            if "id" not in values:
                same = by_name.get((_NODE_TYPE[sheet.etype], fold_name(values["name"])), set())
                named |= same
                if not same:
                    named.add(natural_node_id(sheet.etype, values["name"], self.id_key))
        self.old_nodes = self.existing.nodes(named)

        seen: dict[str, str] = {}
        placed: list[tuple[str, str]] = []
        for sheet, number, values, carried in loaded:
            labels = sheet.labels
            person = sheet.etype is EntityType.PERSON
            id_key = "id"
            if "id" not in values:
                id_key = "name"
                same = by_name.get((_NODE_TYPE[sheet.etype], fold_name(values["name"])), set())
                if len(same) > 1:
                    code = (
                        "import.people_share_name" if person else "import.organisations_share_name"
                    )
                    message = Message(code, num=len(same), ids=_ids(same))
                    self.errors.add(sheet.name, number, {"name": [message]}, labels)
                    continue
                if same:
                    values["id"] = next(iter(same))
                else:
                    values["id"] = natural_node_id(sheet.etype, values["name"], self.id_key)
            node_id = values["id"]
            where = Message("import.where", sheet=sheet.name, row=str(number))
            if node_id in seen:
                message = Message("import.id_repeated", id=repr(node_id), where=seen[node_id])
                if id_key == "name":
                    code = (
                        "import.person_name_repeated"
                        if person
                        else "import.organisation_name_repeated"
                    )
                    message = Message(code, where=seen[node_id])
                self.errors.add(sheet.name, number, {id_key: [message]}, labels)
                continue
            seen[node_id] = where
            self.node_rows[node_id] = (sheet.name, number, id_key, labels)
            old = self.old_nodes.get(node_id)
            if old is not None and old.type is _NODE_TYPE[sheet.etype]:
                values = keep_unsaid(values, carried, old)
            elif person and "visibility" not in carried:
                values["visibility"] = self.vocabulary.map.default_visibility
                self.defaulted_consent += 1
            node = model.ENTITY_CLASSES[sheet.etype](**values)
            if old is not None and old.type is not node.type:
                code = (
                    "import.already_an_organisation"
                    if old.type is NodeType.ORGANISATION
                    else "import.already_a_person"
                )
                message = Message(code, id=repr(node_id))
                self.errors.add(sheet.name, number, {id_key: [message]}, labels)
                continue
            self.types[node_id] = node.type
            placed.append((node.name, node_id))
            if old is not None and getattr(old, "visibility", None) != getattr(
                node, "visibility", None
            ):
                self.consent_changes.append(
                    {"id": node_id, "from": old.visibility.value, "to": node.visibility.value}
                )
            self._classify(sheet.etype, node, old, self.changed_nodes)

        for node_id, (_, name) in index.items():
            if node_id not in seen:
                self.names.setdefault(fold_name(name), set()).add(node_id)
        for name, node_id in placed:
            self.names.setdefault(fold_name(name), set()).add(node_id)

    def _classify(self, etype: EntityType, entity, old, changed: list) -> None:
        plural = cols.PLURAL[etype]
        counts = self.counts[plural]
        if old is None:
            counts.created += 1
            kind = "created"
        elif old == entity:
            counts.unchanged += 1
            return
        else:
            counts.updated += 1
            kind = "updated"
        changed.append(entity)
        listed = self.changes[plural][kind]
        if len(listed) < MAX_LISTED_CHANGES:
            listed.append(entity.id)

    def _resolve(self, value, kind, end: str) -> tuple[str | None, str | None]:
        """(id, None) for an endpoint given by id or unique name; (None, message) if not."""
        found, message = resolve_endpoint(
            value, kind, end, types=self.types, names=self.names, rules=self.rules
        )
        if found is None and not self.names.get(fold_name(str(value))):
            text = value if isinstance(value, str) else str(value)
            failed = self.failed.get(text) or self.failed.get(fold_name(text))
            if failed:
                return None, Message("import.refers_to_bad_row", where=failed)
        return found, message

    def _load_relationships(self, sheet: readers.Sheet) -> None:
        labels = sheet.labels
        types = self.types
        pending: list[tuple[readers.Row, dict, bool]] = []
        self._seen_here: dict[str, str] = {}  # id -> row number in this sheet
        for row in sheet.rows:  # the hot loop of big imports: errors are the slow path
            self._count_row()
            if row.errors:
                self.errors.add(sheet.name, row.number, row.errors, labels)
                continue
            values = row.values
            kind = values.get("kind")
            problems = None
            for end in ("source", "target"):
                raw = values.get(end)
                if raw is None or raw in types:
                    continue  # missing (the schema says so) or already an id
                found, message = self._resolve(raw, kind, end)
                if message:
                    problems = problems or {}
                    problems[end] = [message]
                else:
                    values[end] = found
            if problems:
                # report the row's other problems too: check it with stand-in endpoints
                stand_in = {end: f"unresolved-{end}" for end in problems}
                try:
                    schemas.load(schemas.RelationshipSchema, {**values, **stand_in})
                except InvalidInput as exc:
                    problems = {**exc.errors, **problems}
                self.errors.add(sheet.name, row.number, problems, labels)
                continue
            derived = False
            if "id" not in values and kind and values.get("source") and values.get("target"):
                derived = True
                values["id"] = natural_relationship_id(
                    values["source"], kind, values["target"], self.rules
                )
            pending.append((row, values, derived))
            if len(pending) >= _LOOKUP:
                self._place_relationships(sheet, pending)
                pending = []
        self._place_relationships(sheet, pending)
        name = sheet.name
        self._rel_seen.update({k: (name, n) for k, n in self._seen_here.items()})
        self.counts["relationships"].skipped += sheet.skipped[0]

    def _validate_relationships(self, sheet: readers.Sheet, pending: list) -> list:
        """The rows loaded by the schema (``None`` for a bad row, reported), chunk by
        chunk: one schema call per chunk while all its rows are valid."""
        loaded_rows: list = []
        for start in range(0, len(pending), _CHUNK):
            chunk = pending[start : start + _CHUNK]
            rows = [values for _, values, _ in chunk]
            quick = schemas.quick_load_many(schemas.RelationshipSchema, rows)
            if quick is not None:
                loaded_rows += quick
                continue
            try:
                loaded_rows += _MANY_RELATIONSHIPS.load(rows)
                continue
            except ma.ValidationError:
                pass
            for row, values, _ in chunk:  # find the bad rows one by one
                try:
                    loaded_rows.append(schemas.load(schemas.RelationshipSchema, values))
                except InvalidInput as exc:
                    self.errors.add(sheet.name, row.number, exc.errors, sheet.labels)
                    loaded_rows.append(None)
        return loaded_rows

    def _place_relationships(self, sheet: readers.Sheet, pending: list) -> None:
        """Validate rows with the schema, check their endpoints' types and ids, and
        compare them with the store (asked for all of their ids at once)."""
        if not pending:
            return
        labels = sheet.labels
        # the stored ties the rows name, asked for before the rows are checked (the
        # schema keeps ids and kinds as they are), collected after; then any left
        asked = {
            values["id"]: values["kind"]
            for _, values, _ in pending
            if isinstance(values.get("id"), str)
            and isinstance(values.get("kind"), str)
            and values["id"] not in self.old_rels
        }
        answer = self.existing.relationships_soon(asked)
        loaded_rows = self._validate_relationships(sheet, pending)
        self.old_rels.update(answer())
        left = {
            loaded["id"]: loaded["kind"]
            for loaded in loaded_rows
            if loaded is not None
            and loaded["id"] not in asked
            and loaded["id"] not in self.old_rels
        }
        self.old_rels.update(self.existing.relationships(left))
        types = self.types
        seen = self._seen_here
        for (row, _, derived), loaded in zip(pending, loaded_rows, strict=True):
            if loaded is None:
                continue
            try:
                model.check_endpoints(
                    loaded["kind"],
                    types.get(loaded["source"]),
                    types.get(loaded["target"]),
                    self.rules,
                )
            except InvalidInput as exc:
                self.errors.add(sheet.name, row.number, exc.errors, labels)
                continue
            rel_id = loaded["id"]
            if rel_id in seen or rel_id in self._rel_seen:
                where = (sheet.name, seen[rel_id]) if rel_id in seen else self._rel_seen[rel_id]
                earlier = Message("import.where", sheet=where[0], row=str(where[1]))
                message = Message("import.id_repeated", id=repr(rel_id), where=earlier)
                if derived:
                    message = Message("import.tie_repeated", where=earlier)
                key = "source" if derived else "id"
                self.errors.add(sheet.name, row.number, {key: [message]}, labels)
                continue
            seen[rel_id] = row.number  # formatted only if it is repeated
            old = self.old_rels.get(rel_id)
            if old is not None:
                loaded = keep_unsaid(loaded, said(row.values), old)
            elif "origin" not in row.values:
                loaded["origin"] = model.Origin.IMPORT.value  # provenance of a new tie
            rel = model.Relationship(**loaded)
            self._classify(EntityType.RELATIONSHIP, rel, old, self.changed_rels)

    def report(self, dry_run: bool) -> ImportReport:
        src = self.source
        return ImportReport(
            format=src.format,
            dry_run=dry_run,
            counts=self.counts,
            silos_added=[s.name for s in self.vocabulary.added],
            kinds_added=[k.name for k in self.kinds_added],
            changes=self.changes,
            encoding=src.encoding,
            delimiter=src.delimiter,
            ignored_columns={k: v for k, v in src.ignored_columns.items() if v},
            ignored_sheets=src.ignored_sheets,
            consent_changes=self.consent_changes,
            default_consent={
                "visibility": self.vocabulary.map.default_visibility.value,
                "people": self.defaulted_consent,
            },
        )


def said(row_values: dict) -> frozenset:
    """The fields a file's row really gives: its columns that are not blank."""
    return frozenset(k for k, v in row_values.items() if not cols.is_blank(v))


def keep_unsaid(values: dict, carried: frozenset, old) -> dict:
    """``values`` with every field the row did not give taken from the stored ``old``.

    A row updates only what its file carries: a column the file lacks, or a blank
    cell, changes nothing — above all not a person's consent, which a file made for
    another purpose (correcting roles, say) must never loosen.
    """
    loadable = _loadable(model.entity_type_of(old))
    kept = {k: getattr(old, k) for k in loadable if k not in carried and k != "id"}
    return {**values, **kept}


@functools.cache
def _loadable(etype: EntityType) -> frozenset:
    """The fields of an entity type that a file can give (its schema's input fields)."""
    schema = schemas.ENTITY_SCHEMAS[etype]()
    return frozenset(name for name, f in schema.fields.items() if not f.dump_only)


def _ids(ids) -> str:
    shown = sorted(ids)[:5]
    return ", ".join(shown) + (", ..." if len(ids) > 5 else "")
