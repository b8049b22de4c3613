"""Applying a mapping to a file: rows in Bridgemap's own shape, for the importer.

:func:`source` turns a :class:`~graph_models.io.raw.RawFile` and a mapping
(:mod:`graph_models.io.mapping`) into the :class:`~graph_models.io.readers.Source` the
importer reads for Bridgemap's own files. Everything after that is the importer's, as
for any file: validation by the schemas, natural ids, name resolution, consent kept
for fields the file does not give, erased ids refused, all or nothing, idempotent.

What the mapping decides here, with reasons:

* A value mapping that leaves values unmapped is refused before any row is read
  (:func:`check_values`), listing them: a guess would put people in the wrong silo
  or tie them with the wrong kind.
* A field of people only (role, contact, visibility) on an organisation's row, or an
  organisation's kind on a person's, is kept as a tag ``column:value``, so one column
  of a mixed sheet loses nothing.
* A person-organisation kind always reads person -> organisation (Bridgemap has no
  kind the other way), so a tie given organisation -> person is turned round; an
  undirected file (networkx's bipartite graphs) often lists the organisation first.
* Nodes of type ``skip`` are left out, and so are ties of kind ``skip`` and ties to
  skipped nodes; they are counted as skipped rows.
* Without a nodes sheet (an edge list), the ties' ends become nodes, named as written,
  of the default type and silo.
* Node ids: the column mapped to ``id`` (graph files: ``@id``, the file's own ids);
  without one, ids are derived from names as for any file, and the ties' ends (given
  by the file's node ids) are matched to those names.
* Ties' ends are matched to the file's own nodes as written, else by the foundations'
  folding (:func:`graph_models.text.fold`: "Sian Evans" in a connection finds the
  element "Siân Evans"), unless two of the file's nodes fold alike; the importer then
  resolves them (ids, or names of nodes already in the map) as for any file. Import
  ids keep their own derivation (:mod:`graph_models.io.rows`), so no id changes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from graph_models import model
from graph_models.errors import InvalidInput
from graph_models.io import columns as cols
from graph_models.io import mapping as mp
from graph_models.io import readers
from graph_models.io.raw import NODE_ID, NODES, TIES, RawFile, RawRow
from graph_models.messages import Message
from graph_models.model import EntityType
from graph_models.text import fold

_PERSON_COLUMNS = cols.COLUMN_BY_NAME[EntityType.PERSON]
_ORG_COLUMNS = cols.COLUMN_BY_NAME[EntityType.ORGANISATION]
_TIE_COLUMNS = cols.COLUMN_BY_NAME[EntityType.RELATIONSHIP]
_PERSON_ONLY = {"role": "role", "contact": "contact", "visibility": "visibility"}
_ETYPE = {"person": EntityType.PERSON, "organisation": EntityType.ORGANISATION}
#: how many unmapped values a message lists before "and N more"
LISTED_VALUES = 20


def text(value) -> str:
    """A cell as text, as a value mapping's key: ``0.0`` -> ``"0"``, dates ISO."""
    if value.__class__ is str and not value.startswith("'"):
        return value  # the usual case: read from CSV, already stripped
    return cols._text(value) if value is not None else ""


def _listed(values) -> str:
    shown = sorted(values)[:LISTED_VALUES]
    out = ", ".join(repr(v) for v in shown)
    more = len(values) - len(shown)
    return out + (f" (+{more})" if more > 0 else "")


def kind_key(values: dict, ties: dict) -> str:
    """The key of a tie's kind in ``kind.values``: the type, or ``type|direction``."""
    kind_col = mp.column_of(ties, "kind")
    direction_col = mp.column_of(ties, "direction")
    key = text(values.get(kind_col)) if kind_col else ""
    if direction_col:
        key = f"{key}|{text(values.get(direction_col)).casefold()}"
    return key


def node_type(values: dict, nodes: dict) -> str | None:
    """``person``, ``organisation``, ``skip``, or None (unmapped or blank without default)."""
    column = mp.column_of(nodes, "type")
    raw = text(values.get(column)) if column else ""
    if raw == "":
        return nodes["type"].get("default")
    return nodes["type"].get("values", {}).get(raw) or mp.is_type(raw)


def tie_kind(values: dict, ties: dict, known=None) -> str | None:
    """The kind of a tie row: its value as mapped, else its value if it names a kind
    ``known`` (built-in, or the map's own when given)."""
    key = kind_key(values, ties)
    if key.split("|")[0] == "":
        return ties["kind"].get("values", {}).get(key) or ties["kind"].get("default")
    found = ties["kind"].get("values", {}).get(key)
    return found or mp.is_kind(key.split("|")[0], known)


def check_values(
    mapping: dict, node_rows: list[RawRow], tie_rows: list[RawRow], known=None
) -> None:
    """Refuse a mapping whose value lists leave values of the file unmapped (listed)."""
    errors: dict[str, list] = {}
    nodes, ties = mapping.get("nodes"), mapping.get("relationships")
    if nodes and mp.column_of(nodes, "type"):
        column = mp.column_of(nodes, "type")
        left = {
            text(r.values[column])
            for r in node_rows
            if column in r.values and node_type(r.values, nodes) is None
        }
        if left:
            errors["nodes.type.values"] = [
                Message(
                    "mapping.values_unmapped",
                    num=len(left),
                    column=repr(column),
                    values=_listed(left),
                )
            ]
    if ties and mp.column_of(ties, "kind"):
        left = {
            kind_key(r.values, ties)
            for r in tie_rows
            if text(r.values.get(mp.column_of(ties, "kind")))
            and tie_kind(r.values, ties, known) is None
        }
        if left:
            errors["relationships.kind.values"] = [
                Message(
                    "mapping.values_unmapped",
                    num=len(left),
                    column=repr(mp.column_of(ties, "kind")),
                    values=_listed(left),
                )
            ]
    if errors:
        raise InvalidInput(Message("mapping.values_left"), errors)


def source(raw: RawFile, mapping: dict, rules: dict | None = None) -> readers.Source:
    """The importer's :class:`~graph_models.io.readers.Source` for ``raw`` under ``mapping``;
    ``rules`` is the map's table of kinds (:meth:`~graph_models.model.Map.kind_rules`), so
    a file's values may name the map's own kinds too."""
    rules = rules or model.RELATIONSHIP_KINDS
    mp.check_columns(mapping, raw)
    nodes, ties = mapping.get("nodes"), mapping.get("relationships")
    node_table = mp.find_table(raw, nodes, NODES) if nodes else None
    tie_table = mp.find_table(raw, ties, TIES) if ties else None
    node_rows = list(node_table.rows()) if node_table else []
    tie_rows = list(tie_table.rows()) if tie_table else []
    check_values(mapping, node_rows, tie_rows, rules)
    out = readers.Source(raw.format)
    out.ignored_columns = _ignored(mapping, node_table, tie_table)
    if nodes is not None and node_table is None:
        node_rows = _rows_from_ends(tie_rows, ties)
        nodes = {**nodes, "columns": {"@name": "name"}}
    built = _Nodes(nodes or {}, node_table.name if node_table else "nodes")
    if node_table is not None:  # tags and notes in the file's column order, whatever
        built.order(node_table.columns)  # order the mapping's JSON lists them in
    if nodes is not None:
        built.read(node_rows)
        out.silo_colours = built.colours()
        for etype in (EntityType.PERSON, EntityType.ORGANISATION):
            out.sheets.append(
                readers.Sheet(built.sheet, etype, iter(built.rows[etype]), built.labels, [0])
            )
        out.sheets[0].skipped[0] = built.skipped
    if ties is not None:
        tie_sheet = tie_table.name if tie_table else "relationships"
        maker = _Ties(ties, built, directed=bool(tie_table and tie_table.directed), rules=rules)
        if tie_table is not None:
            maker.section = {**ties, "columns": _ordered(ties["columns"], tie_table.columns)}
        rows = maker.rows(tie_rows)
        out.sheets.append(
            readers.Sheet(tie_sheet, EntityType.RELATIONSHIP, rows, maker.labels, maker.skipped)
        )
    return out


def _ignored(mapping: dict, node_table, tie_table) -> dict[str, list[str]]:
    out = {}
    for part, table in (("nodes", node_table), ("relationships", tie_table)):
        if table is None or not mapping.get(part):
            continue
        columns = mapping[part]["columns"]
        left = [c for c in table.columns if columns.get(c, "ignore") == "ignore"]
        if left:
            out[table.name] = left
    return out


def _rows_from_ends(tie_rows: list[RawRow], ties: dict) -> list[RawRow]:
    seen: dict[str, None] = {}
    for row in tie_rows:
        for end in ("source", "target"):
            value = text(row.values.get(mp.column_of(ties, end)))
            if value:
                seen.setdefault(value, None)
    return [RawRow(name, {"@name": name}) for name in seen]


def _ordered(columns: dict, order: list[str]) -> dict:
    return {c: columns[c] for c in order if c in columns}


class _Nodes:
    """People and organisation rows from the nodes table."""

    def __init__(self, section: dict, sheet: str):
        self.section = section
        self.sheet = sheet
        self.rows: dict[EntityType, list[readers.Row]] = {
            EntityType.PERSON: [],
            EntityType.ORGANISATION: [],
        }
        columns = section.get("columns", {})
        self.labels = {
            ("kind" if target == "org_kind" else target): column
            for column, target in columns.items()
            if target not in ("ignore", "tag", "colour")
        }
        #: a file's node key (its id, or its name) -> what a tie's end should say
        self.ref: dict[str, str] = {}
        #: fold(key) -> ref, or None where two of the file's nodes fold alike
        self.folded: dict[str, str | None] = {}
        self.types: dict[str, str] = {}
        self.skipped_keys: set[str] = set()
        self.skipped = 0
        self._colours: dict[str, Counter] = {}

    def order(self, file_columns: list[str]) -> None:
        self.section = {
            **self.section,
            "columns": _ordered(self.section.get("columns", {}), file_columns),
        }

    def colours(self) -> dict[str, str]:
        """Silo -> colour: the mapping's, else the most common node colour of the silo."""
        found = {silo: c.most_common(1)[0][0] for silo, c in self._colours.items()}
        return {**found, **self.section.get("silo", {}).get("colours", {})}

    def read(self, rows: list[RawRow]) -> None:
        for row in rows:
            self._one(row)

    def _one(self, row: RawRow) -> None:
        section = self.section
        columns = section["columns"]
        kind = node_type(row.values, section)
        keys = [
            text(row.values[c])
            for c, t in columns.items()
            if t in ("id", "name") and c in row.values
        ]
        if NODE_ID in row.values:  # graph files: ties name their ends by the file's ids
            keys.append(text(row.values[NODE_ID]))
        if kind == "skip":
            self.skipped += 1
            self.skipped_keys.update(keys)
            self.skipped_keys.update(cols.normalise(k) for k in keys)
            return
        values: dict = {}
        tags: list[str] = []
        problems: dict = dict(row.errors)
        etype = _ETYPE.get(kind or "")
        if etype is None:
            problems.setdefault("type", []).append(Message("mapping.row_no_type"))
            etype = EntityType.PERSON
        for column, target in columns.items():
            value = row.values.get(column)
            if value is None or target in ("ignore", "type"):
                continue
            if (
                target == "tag"
                or (etype is EntityType.ORGANISATION and target in _PERSON_ONLY)
                or (etype is EntityType.PERSON and target == "org_kind")
            ):
                tags.append(f"{column}:{text(value)}")
            elif target == "tags":
                separator = section.get("tag_separator", cols.TAG_SEPARATOR)
                tags += [t.strip() for t in text(value).split(separator) if t.strip()]
            elif target == "silo":
                raw = text(value)
                values["silo"] = section["silo"].get("values", {}).get(raw, raw)
            elif target == "colour":
                continue
            elif target == "org_kind":
                values["kind"] = cols.convert(value, _ORG_COLUMNS["kind"])
            elif target == "id":
                values["id"] = text(value)
            else:
                values[target] = cols.convert(value, _PERSON_COLUMNS[target])
        if "silo" not in values:
            default = section["silo"].get("default")
            if default:
                values["silo"] = default
            else:
                problems.setdefault("silo", []).append(Message("mapping.row_no_silo"))
        if "name" not in values and "id" in values:
            values["name"] = values["id"]
        if tags:
            values["tags"] = list(dict.fromkeys(tags))
        colour_column = mp.column_of(section, "colour")
        if colour_column and values.get("silo") and row.values.get(colour_column):
            self._colours.setdefault(values["silo"], Counter())[
                text(row.values[colour_column])
            ] += 1
        ref = values.get("id") or values.get("name")
        for key in keys:
            if ref:
                self.ref[key] = ref
                self.types[ref] = etype.value
                folded = fold(key)
                known = self.folded.get(folded, ref)
                self.folded[folded] = ref if known == ref else None  # None: ambiguous
        self.rows[etype].append(readers.Row(row.number, values, problems))


class _Ties:
    """Relationship rows from the ties table."""

    def __init__(self, section: dict, nodes: _Nodes, *, directed: bool, rules: dict):
        self.rules = rules
        self.section = section
        self.nodes = nodes
        self.directed = directed
        self.skipped = [0]
        columns = section.get("columns", {})
        self.labels = {
            ("strength" if target == "weight" else target): column
            for column, target in columns.items()
            if target not in ("ignore", "note", "direction")
        }
        self.labels.setdefault(
            "notes", next((c for c, t in columns.items() if t == "note"), "notes")
        )

    def _scale(self, rows: list[RawRow]):
        """The linear rule's (low, high) over the file's numeric weights (module docstring
        of :mod:`graph_models.io.mapping`)."""
        column = mp.column_of(self.section, "weight")
        if not column:
            return None
        numbers = [n for r in rows if (n := _number(r.values.get(column))) is not None]
        return (min(numbers), max(numbers)) if numbers else None

    def rows(self, rows: list[RawRow]) -> Iterator[readers.Row]:
        section = self.section
        columns = section["columns"]
        scale = self._scale(rows)
        rescale = section.get("strength", "linear") == "linear"
        refs, skipped_keys = self.nodes.ref, self.nodes.skipped_keys
        for row in rows:
            kind = tie_kind(row.values, section, self.rules)
            ends = {}
            for end in ("source", "target"):
                raw = text(row.values.get(mp.column_of(section, end)))
                ends[end] = raw
            if kind == "skip" or any(
                v in skipped_keys or cols.normalise(v) in skipped_keys for v in ends.values()
            ):
                self.skipped[0] += 1
                continue
            values: dict = {}
            problems: dict = dict(row.errors)
            notes: list[str] = []
            for end, raw in ends.items():
                if raw:
                    values[end] = refs.get(raw) or self.nodes.folded.get(fold(raw)) or raw
            if kind is None:
                problems.setdefault("kind", []).append(Message("mapping.row_no_kind"))
            else:
                values["kind"] = kind
                self._orient(values, kind)
            for column, target in columns.items():
                value = row.values.get(column)
                if value is None or target in (
                    "ignore",
                    "source",
                    "target",
                    "kind",
                    "direction",
                ):
                    continue
                if target == "weight":
                    number = _number(value)
                    if number is None:
                        problems.setdefault("strength", []).append(
                            Message("mapping.weight_not_number")
                        )
                    elif rescale and scale is not None:
                        values["strength"] = _linear(number, *scale)
                    else:
                        values["strength"] = cols.convert(value, _TIE_COLUMNS["strength"])
                elif target == "note":
                    notes.append(f"{column}: {text(value)}")
                elif target == "id":
                    values["id"] = text(value)
                else:
                    values[target] = cols.convert(value, _TIE_COLUMNS[target])
            if notes:
                values["notes"] = "\n".join(
                    [values["notes"], *notes] if values.get("notes") else notes
                )
            yield readers.Row(row.number, values, problems)

    def _orient(self, values: dict, kind: str) -> None:
        rule = self.rules.get(kind)
        if rule is None or rule.source is rule.target:  # unknown: the write refuses it
            return
        types = self.nodes.types
        source, target = values.get("source"), values.get("target")
        if types.get(source) == rule.target.value and types.get(target) == rule.source.value:
            values["source"], values["target"] = target, source


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _linear(weight: float, low: float, high: float) -> int:
    """1 + 4·(w − low)/(high − low), rounded half up; 3 when every weight is the same."""
    if high <= low:
        return 3
    return 1 + math.floor(4 * (weight - low) / (high - low) + 0.5)
