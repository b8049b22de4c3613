"""Looking at a file before mapping it: its columns, sample values, and a guessed mapping.

:func:`inspect_file` reads a file (:mod:`graph_models.io.raw`) and answers, per table,
each column's sample values, how many distinct values it has, whether they are all
numbers, and what Bridgemap guesses it holds; and a whole guessed mapping
(:mod:`graph_models.io.mapping`) that imports the file as it stands wherever the
guesses are right. Guesses, with reasons:

* Bridgemap's own column names and aliases (:mod:`graph_models.io.columns`) mean
  their field; ``Label``/``label`` means the name (Kumu, Gephi); ``Description`` the
  role (nodes have no notes; a person's role is the nearest free-text field);
  ``Tags`` are tags, split at ``|`` when the values use it (Kumu) and ``;`` otherwise.
* A node ``Type`` whose values are Person/People/Individual/Organization/Org... is the
  type; otherwise all nodes are people. ``bipartite`` (networkx's bipartite graphs)
  is a type too, with 0 -> person and 1 -> organisation.
* A silo: a column called ``silo``/``sector``, else Gephi's ``modularity_class``,
  else a text column with 2 to 12 distinct values named like a group (``club``,
  ``group``, ``community``, ``department``...); failing all, one silo for all,
  ``Imported``. Gephi's node colours become the silos' colours.
* Tie kinds: a type column whose values are Bridgemap's kinds maps them; others are
  listed for the person to map, with ``knows`` (people), ``member_of``
  (person-organisation) or ``partners_with`` (organisations) proposed.
* ``weight`` (numbers) is the strength, rescaled by the linear rule; ``strength``
  with values 1-5 is taken as it is.
* Everything else is kept as a tag ``column:value`` (nodes) or a note (ties) when it
  has few distinct values, else ignored; ids of edges in graph files are ignored
  (``0``, ``1``... would collide between files); positions and sizes never appear.

A file already in Bridgemap's own shape (:func:`own_shape`) needs no mapping: it is
imported exactly as before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graph_models import model
from graph_models.io import columns as cols
from graph_models.io import mapping as mp
from graph_models.io import raw as rawfile
from graph_models.io.mapped import _number, kind_key, text
from graph_models.model import EntityType

SAMPLES = 5
#: rows looked at per table for the guesses
LOOK_AT = 5000
DEFAULT_SILO = "Imported"
_GROUP_WORDS = ("club", "group", "community", "department", "team", "faction", "class", "sector")
_KIND_OF_PAIR = {
    ("person", "person"): "knows",
    ("person", "organisation"): "member_of",
    ("organisation", "person"): "member_of",
    ("organisation", "organisation"): "partners_with",
}


@dataclass
class ColumnInfo:
    name: str
    samples: list[str]
    distinct: int
    numeric: bool
    guess: str
    #: every distinct value (only for columns with at most MAX_VALUES of them)
    values: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "samples": self.samples,
            "distinct": self.distinct,
            "numeric": self.numeric,
            "guess": self.guess,
        }


@dataclass
class TableInfo:
    name: str
    role: str
    rows: int
    columns: list[ColumnInfo]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "rows": self.rows,
            "columns": [c.as_dict() for c in self.columns],
        }


@dataclass
class Inspection:
    format: str
    signature: str
    own_shape: bool
    tables: list[TableInfo]
    guess: dict | None
    #: ties table: each distinct kind key (type, or type|direction) and its count
    kind_keys: dict[str, int] = field(default_factory=dict)
    #: nodes table: distinct values of the type and silo columns guessed
    type_values: list[str] = field(default_factory=list)
    silo_values: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "signature": self.signature,
            "own_shape": self.own_shape,
            "tables": [t.as_dict() for t in self.tables],
            "guess": self.guess,
            "kind_keys": self.kind_keys,
        }


def own_shape(found: rawfile.RawFile, source_format: str) -> bool:
    """True when the file is in Bridgemap's own shape: its own JSON; tables whose headers
    name Bridgemap's required columns (other sheets ignored); or graph files whose
    nodes all have a ``type`` of person or organisation."""
    if found.own_json:
        return True
    if source_format in ("graphml", "gexf", "json"):
        nodes = found.table(rawfile.NODES)
        if nodes is None or "type" not in nodes.columns:
            return False
        return all(mp.is_type(r.values.get("type", "")) for r in nodes.rows())
    recognised = 0
    for table in found.tables:  # sheets of no known kind are ignored, as the reader does
        etype = cols.entity_of_sheet(table.name) or cols.guess_entity(table.columns)
        if etype is None:
            continue
        if cols.match_header(table.columns, etype).errors:
            return False
        recognised += 1
    return recognised > 0


def inspect_file(stream, *, filename: str = "", fmt: str | None = None) -> Inspection:
    """Read ``stream`` and describe it (module docstring); InvalidInput if unreadable."""
    with rawfile.read(stream, filename=filename, fmt=fmt) as found:
        return inspect_raw(found)


def inspect_raw(found: rawfile.RawFile, kinds=None) -> Inspection:
    """Describe ``found``; ``kinds`` (the map's :meth:`~graph_models.model.Map.kind_names`)
    lets a file's tie types be recognised as the map's own kinds too."""
    signature = mp.signature(found.format, found.tables)
    if found.own_json:
        return Inspection(found.format, signature, True, [], None)
    tables, looked = [], {}
    for table in found.tables:
        rows = rawfile.sample(table, LOOK_AT)
        looked[table.name] = rows
        tables.append(TableInfo(table.name, table.role, len(rows), _columns(table, rows)))
    inspection = Inspection(found.format, signature, own_shape(found, found.format), tables, None)
    inspection.guess = _guess(found, tables, looked, inspection, kinds)
    return inspection


def _columns(table: rawfile.RawTable, rows: list) -> list[ColumnInfo]:
    out = []
    for name in table.columns:
        values = [r.values[name] for r in rows if name in r.values]
        texts = [text(v) for v in values]
        distinct = list(dict.fromkeys(texts))
        numeric = bool(values) and all(_number(v) is not None for v in values)
        out.append(
            ColumnInfo(
                name,
                distinct[:SAMPLES],
                len(distinct),
                numeric,
                "ignore",
                distinct if len(distinct) <= mp.MAX_VALUES else [],
            )
        )
    for info in out:
        info.guess = _guess_column(info, table)
    _one_each(out)
    return out


def _guess_column(info: ColumnInfo, table: rawfile.RawTable) -> str:
    name = cols.normalise(info.name)
    graph = info.name.startswith("@")
    if table.role == rawfile.TIES:
        if info.name == rawfile.SOURCE:
            return "source"
        if info.name == rawfile.TARGET:
            return "target"
        found = cols.LOOKUP[EntityType.RELATIONSHIP].get(name)
        if name == "direction":
            return "direction"
        if name == "id" and table.name == "edges":
            return "ignore"  # graph files' edge ids: 0, 1... collide between files
        if name == "weight" and info.numeric:
            return "weight"
        if found == "strength":
            ok = info.numeric and all(1 <= (_number(v) or 0) <= 5 for v in info.values)
            return "strength" if ok and info.values else "weight" if info.numeric else "note"
        if found:
            return found
        if name == "description":
            return "notes"
        return "note" if 0 < info.distinct <= 50 else "ignore"
    if info.name == rawfile.NODE_ID:
        # the file's ids, if they are ids Bridgemap accepts ("Evelyn Jefferson" is not);
        # else the name (when there is no label), and ties find their ends by it
        if all(model.ID_PATTERN.match(v) for v in info.values) and info.values:
            return "id"
        labelled = any(cols.normalise(c) in ("label", "name") for c in table.columns)
        return "ignore" if labelled else "name"
    if info.name == rawfile.COLOUR:
        return "colour"
    if graph:
        return "ignore"
    if name in ("label", "name"):
        return "name"
    if name in ("type", "node type", "element type", "bipartite"):
        return "type"
    if name == "description":
        return "role"
    if name == "modularity class":
        return "silo"
    found = cols.LOOKUP[EntityType.PERSON].get(name) or cols.LOOKUP[EntityType.ORGANISATION].get(
        name
    )
    if found == "kind":
        return "org_kind"
    if found:
        return found
    if any(w in name.split() for w in _GROUP_WORDS) and 2 <= info.distinct <= 12:
        return "silo"
    if name in ("x", "y", "z", "size", "color", "colour", "r", "g", "b"):
        return "ignore"
    return "tag" if 0 < info.distinct <= 50 and all(len(v) <= 40 for v in info.values) else "ignore"


def _one_each(infos: list[ColumnInfo]) -> None:
    """A field a second column also guessed is kept as a tag/note by the later one."""
    seen: set[str] = set()
    for info in infos:
        if info.guess in mp.SINGLE and info.guess in seen:
            info.guess = "ignore"
        seen.add(info.guess)


def _guess(found, tables, looked, inspection: Inspection, kinds=None) -> dict:
    by_role = {t.role: t for t in tables}
    guess: dict = {"version": mp.VERSION, "format": found.format, "add_silos": True}
    guess["signature"] = inspection.signature
    nodes_info = by_role.get(rawfile.NODES)
    types: dict[str, str] = {}
    if nodes_info is not None:
        guess["nodes"] = nodes = _guess_nodes(nodes_info, inspection)
        if len([t for t in tables if t.role == rawfile.NODES]) > 1:
            nodes["sheet"] = nodes_info.name
        rows = looked[nodes_info.name]
        for row in rows:
            kind = _type_of(row.values, nodes)
            for c, t in nodes["columns"].items():
                if t in ("id", "name") and c in row.values:
                    types[text(row.values[c])] = kind
    ties_info = by_role.get(rawfile.TIES)
    if ties_info is not None:
        if nodes_info is None:
            guess["nodes"] = {"columns": {}, "type": {"default": "person"}}
            guess["nodes"]["silo"] = {"default": DEFAULT_SILO}
        guess["relationships"] = _guess_ties(
            ties_info, looked[ties_info.name], types, inspection, kinds
        )
        if len([t for t in tables if t.role == rawfile.TIES]) > 1:
            guess["relationships"]["sheet"] = ties_info.name
    return guess


def _type_of(values: dict, nodes: dict) -> str:
    from graph_models.io.mapped import node_type

    return node_type(values, nodes) or "person"


def _guess_nodes(info: TableInfo, inspection: Inspection) -> dict:
    columns = {c.name: c.guess for c in info.columns}
    if "name" not in columns.values() and rawfile.NODE_ID in columns:
        pass  # the file's ids are the names too (karate club: 0, 1, 2...)
    section: dict = {"columns": columns, "type": {}, "silo": {}}
    type_col = next((c for c in info.columns if c.guess == "type"), None)
    if type_col is not None:
        inspection.type_values = type_col.values
        values = {}
        for v in type_col.values:
            if cols.normalise(type_col.name) == "bipartite" and v in ("0", "1"):
                values[v] = "person" if v == "0" else "organisation"
            else:
                values[v] = mp.is_type(v) or "person"
        section["type"] = {"default": "person", "values": values}
    else:
        section["type"] = {"default": "person"}
    silo_col = next((c for c in info.columns if c.guess == "silo"), None)
    if silo_col is not None:
        inspection.silo_values = silo_col.values
        section["silo"] = {"default": DEFAULT_SILO}
        if silo_col.numeric:  # Gephi's classes 0, 1, 2...: name them
            section["silo"]["values"] = {v: f"{silo_col.name} {v}" for v in silo_col.values}
    else:
        section["silo"] = {"default": DEFAULT_SILO}
    tags = next((c for c in info.columns if c.guess == "tags"), None)
    if tags is not None and any("|" in s for s in tags.values or tags.samples):
        section["tag_separator"] = "|"
    return section


def _guess_ties(
    info: TableInfo, rows: list, types: dict, inspection: Inspection, kinds=None
) -> dict:
    columns = {c.name: c.guess for c in info.columns}
    section: dict = {"columns": columns, "kind": {}, "strength": "linear"}
    if "strength" in columns.values():
        section["strength"] = "as_is"
    keys: Counter = Counter()
    pairs: dict[str, Counter] = {}
    source_col = mp.column_of(section, "source")
    target_col = mp.column_of(section, "target")
    for row in rows:
        key = kind_key(row.values, section)
        keys[key] += 1
        pair = (
            types.get(text(row.values.get(source_col)), "person"),
            types.get(text(row.values.get(target_col)), "person"),
        )
        pairs.setdefault(key, Counter())[_KIND_OF_PAIR[pair]] += 1
    inspection.kind_keys = dict(keys)
    proposed = {
        k: (mp.is_kind(k.split("|")[0], kinds) or pairs[k].most_common(1)[0][0]) for k in keys
    }
    if "kind" in columns.values():
        section["kind"] = {"values": {k: v for k, v in proposed.items() if k.split("|")[0]}}
        blank = [k for k in keys if not k.split("|")[0]]
        if blank:
            section["kind"]["default"] = proposed[blank[0]]
    else:
        overall = Counter()
        for c in pairs.values():
            overall.update(c)
        section["kind"] = {"default": overall.most_common(1)[0][0] if overall else "knows"}
    return section


def value_lists(found: rawfile.RawFile, mapping: dict) -> dict[str, list[str]]:
    """The distinct values a mapping's value lists are about, under ``mapping``'s own
    choice of columns: ``type`` and ``silo`` (the nodes' columns mapped to them) and
    ``kind`` (each type, or type|direction, of the ties). At most
    :data:`~graph_models.io.mapping.MAX_VALUES` each (a form lists them)."""
    out: dict[str, list[str]] = {"type": [], "silo": [], "kind": []}
    nodes, ties = mapping.get("nodes") or {}, mapping.get("relationships") or {}
    node_table = mp.find_table(found, nodes, rawfile.NODES) if nodes else None
    if node_table is not None:
        rows = rawfile.sample(node_table, LOOK_AT)
        for target in ("type", "silo"):
            column = mp.column_of(nodes, target)
            if column:
                seen = dict.fromkeys(text(r.values[column]) for r in rows if column in r.values)
                out[target] = list(seen)[: mp.MAX_VALUES]
    tie_table = mp.find_table(found, ties, rawfile.TIES) if ties else None
    if tie_table is not None and mp.column_of(ties, "kind"):
        rows = rawfile.sample(tie_table, LOOK_AT)
        seen = dict.fromkeys(kind_key(r.values, ties) for r in rows)
        out["kind"] = [k for k in seen if k.split("|")[0]][: mp.MAX_VALUES]
    return out
