"""Reading any import file as plain tables, before anything is mapped onto Bridgemap.

The mapping step (:mod:`graph_models.io.mapping`) needs to see a file as its author
wrote it: every column or attribute by its own name, every value as written. This
module reads CSV (or a zip of CSVs), XLSX, GraphML, GEXF and node-link JSON (as
written by ``networkx.node_link_data``) into :class:`RawFile`: a list of
:class:`RawTable` (name, role, column names, rows).

* **Tabular files**: the header is the first row with any value; each other sheet or
  CSV file is a table. A table whose columns include ``From``/``To`` or
  ``Source``/``Target`` (or whose sheet is called Connections, Relationships, Edges...)
  holds ties; the others hold nodes. Encodings and delimiters are decided as by
  :mod:`graph_models.io.readers`; formulas in XLSX cells are errors naming the cell.
* **Graph files**: the nodes table has ``@id`` (the node's id in the file) and every
  node attribute (``label`` too); Gephi's ``viz:color`` becomes a ``@colour`` column
  (``#rrggbb``); positions and sizes are dropped (Bridgemap lays maps out per silo).
  The ties table has ``@source``, ``@target`` and every edge attribute. XML is parsed
  with defusedxml, DTDs refused (:func:`graph_models.io.readers.read_graph_xml`).

Rows are read lazily for CSV and XLSX (:attr:`RawTable.rows` is an iterator factory),
so :func:`read` costs only the headers until rows are asked for.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from graph_models.io import columns as cols
from graph_models.io import readers
from graph_models.messages import Message

NODES, TIES = "nodes", "relationships"
#: Pseudo-columns of graph files (never an attribute name: attributes cannot start with @)
NODE_ID, COLOUR, SOURCE, TARGET = "@id", "@colour", "@source", "@target"

_TIE_SHEETS = {"connections", "connection", "relationships", "relationship", "ties", "tie"}
_TIE_SHEETS |= {"links", "link", "edges", "edge"}
_ENDS = ({"from", "to"}, {"source", "target"})


#: One row: its number as a person sees it, column -> value (blanks left out), and
#: column -> messages (e.g. a formula cell): the readers' row, before any conversion.
RawRow = readers.Row


@dataclass
class RawTable:
    name: str
    role: str
    columns: list[str]
    rows: Callable[[], Iterator[RawRow]]
    #: graph files: whether edges are directed
    directed: bool = False


@dataclass
class RawFile(readers.Closing):
    format: str
    tables: list[RawTable] = field(default_factory=list)
    #: True for the whole-map JSON of Bridgemap itself (no mapping needed or possible)
    own_json: bool = False
    _close: list = field(default_factory=list)

    def table(self, role: str, name: str | None = None) -> RawTable | None:
        for t in self.tables:
            if t.role == role and (name is None or t.name == name):
                return t
        return None


def role_of(name: str, columns: list[str]) -> str:
    """``relationships`` for a table of ties (by its columns or its name), else ``nodes``."""
    folded = {cols.normalise(c) for c in columns}
    if any(ends <= folded for ends in _ENDS):
        return TIES
    base = cols.normalise(PurePath(name).stem if name.lower().endswith(".csv") else name)
    return TIES if base in _TIE_SHEETS else NODES


def read(stream, *, filename: str = "", fmt: str | None = None) -> RawFile:
    """Open ``stream`` (binary) as a :class:`RawFile`; raise InvalidInput if unreadable."""
    stream = readers._seekable(stream)
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"):
        raise readers.file_error(Message("import.file_empty"))
    fmt = fmt or readers.detect_format(head, filename)
    if fmt == "csv" and head.startswith(b"PK"):
        return _csv_zip(stream)
    if fmt == "csv":
        raw = RawFile("csv")
        name = PurePath(filename).name if filename else "csv"
        raw.tables.append(_csv_table(stream, name, raw))
        return raw
    if fmt == "xlsx":
        return _xlsx(stream)
    if fmt == "json":
        return _json(stream)
    if fmt in ("graphml", "gexf"):
        return _graph(readers.read_graph_xml(stream, fmt), fmt)
    raise readers.file_error(Message("import.unknown_format", format=repr(fmt)))


# -- CSV ------------------------------------------------------------------------------


def _delimiter(lines: list[str]) -> str:
    """The delimiter giving the widest header that the next rows agree with."""
    best, chosen = 1, ","
    for delimiter in readers._DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not widths:
            continue
        agree = sum(1 for w in widths if w == widths[0])
        if widths[0] > best and agree >= max(1, len(widths) // 2):
            best, chosen = widths[0], delimiter
    return chosen


def _csv_table(stream, name: str, raw: RawFile) -> RawTable:
    encoding = readers._choose_encoding(stream)
    data = stream.read()
    text = data.decode(encoding)
    lines = text.splitlines(keepends=True)
    delimiter = _delimiter(lines[: readers.HEADER_SEARCH_ROWS])
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = list(enumerate(reader, 1))
    except csv.Error as exc:  # a NUL byte, a cell over the field size limit...
        raise readers.file_error(Message("import.csv_unreadable", sheet=name, detail=exc)) from None
    return _tabular(name, records)


def _tabular(name: str, records: list[tuple[int, list]], cell_errors=None) -> RawTable:
    start = next(
        (i for i, (_, r) in enumerate(records) if any(not cols.is_blank(v) for v in r)), None
    )
    if start is None:
        return RawTable(name, NODES, [], lambda: iter(()))
    header = [str(h).strip() if not cols.is_blank(h) else "" for h in records[start][1]]
    while header and not header[-1]:
        header.pop()
    if len(header) > readers.MAX_COLUMNS:
        raise readers.file_error(
            Message("import.too_many_columns", sheet=repr(name), columns=readers.MAX_COLUMNS)
        )
    seen: set[str] = set()
    for i, label in enumerate(header):
        label = label or f"column {i + 1}"
        while label in seen:
            label += "'"
        header[i] = label
        seen.add(label)
    body = records[start + 1 :]

    def rows() -> Iterator[RawRow]:
        for number, cells in body:
            values = {}
            for label, value in zip(header, cells, strict=False):
                if not cols.is_blank(value):
                    values[label] = value.strip() if isinstance(value, str) else value
            problems = cell_errors(number, cells, header) if cell_errors else {}
            if values or problems:
                yield RawRow(str(number), values, problems)

    return RawTable(name, role_of(name, header), header, rows)


def _csv_zip(stream) -> RawFile:
    archive = readers._check_zip(stream, "csv")
    raw = RawFile("csv")
    raw._close.append(archive.close)
    members = [
        i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".csv")
    ]
    if not members:
        raise readers.file_error(Message("import.zip_no_csv"))
    for info in members:
        with archive.open(info) as member:
            spool = io.BytesIO(member.read())
        raw.tables.append(_csv_table(spool, PurePath(info.filename).name, raw))
    return raw


# -- XLSX -----------------------------------------------------------------------------


def _formula_errors(number: int, cells, header: list[str]) -> dict:
    from openpyxl.utils import get_column_letter

    problems = {}
    for i, cell in enumerate(getattr(cells, "cells", ())):
        if i < len(header) and getattr(cell, "data_type", None) == "f":
            where = Message("import.cell", cell=f"{get_column_letter(i + 1)}{number}")
            problems[header[i]] = [
                Message("import.cell_formula", cell=where, formula=str(cell.value)[:40])
            ]
    return problems


def _xlsx(stream) -> RawFile:
    import openpyxl

    archive = readers._check_zip(stream, "xlsx")
    if "xl/workbook.xml" not in set(archive.namelist()):
        raise readers.file_error(Message("import.zip_not_xlsx"))
    archive.close()
    stream.seek(0)
    try:
        wb = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; all mean "unreadable"
        raise readers.file_error(
            Message("import.workbook_unreadable", detail=readers._root_cause(exc))
        ) from None
    raw = RawFile("xlsx")
    raw._close.append(wb.close)
    for ws in wb.worksheets:
        ws.reset_dimensions()
        with readers._unreadable_sheet(ws.title):
            records = [(n, readers._CellRow(row)) for n, row in enumerate(ws.iter_rows(), start=1)]
        table = _tabular(ws.title, records, _formula_errors)
        if table.columns:
            raw.tables.append(table)
    return raw


# -- JSON -----------------------------------------------------------------------------


def _json(stream) -> RawFile:
    try:
        data = json.load(stream)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise readers.file_error(Message("import.json_invalid", detail=exc)) from None
    if not isinstance(data, dict):
        raise readers.file_error(Message("import.json_not_object"))
    edges_key = "links" if "links" in data else "edges"
    if isinstance(data.get("nodes"), list) and isinstance(data.get(edges_key), list):
        import networkx as nx

        try:
            G = nx.node_link_graph(data, edges=edges_key)
        except Exception as exc:  # noqa: BLE001 - networkx fails many ways on odd JSON
            raise readers.file_error(
                Message("import.graph_unreadable", format="json", detail=repr(exc))
            ) from None
        return _graph(G, "json")
    return RawFile("json", own_json=True)


# -- GraphML, GEXF, node-link JSON -----------------------------------------------------


def _hex(colour) -> str | None:
    if not isinstance(colour, dict):
        return None
    try:
        r, g, b = (int(colour[k]) for k in ("r", "g", "b"))
    except (KeyError, TypeError, ValueError):
        return None
    return f"#{r:02x}{g:02x}{b:02x}" if all(0 <= v <= 255 for v in (r, g, b)) else None


def _flat(value):
    if isinstance(value, (list, tuple, set)):
        return cols.TAG_SEPARATOR.join(str(v) for v in value)
    return value


def _graph(G, fmt: str) -> RawFile:
    raw = RawFile(fmt)
    node_keys: list[str] = [NODE_ID]
    has_colour = False
    for _, attrs in G.nodes(data=True):
        for key in attrs:
            if key == "viz":
                has_colour = has_colour or _hex(attrs["viz"].get("color")) is not None
            elif str(key) not in node_keys:
                node_keys.append(str(key))
    if has_colour:
        node_keys.append(COLOUR)

    def node_rows() -> Iterator[RawRow]:
        for node, attrs in G.nodes(data=True):
            values = {NODE_ID: str(node)}
            for key, value in attrs.items():
                if key == "viz":
                    colour = _hex(value.get("color"))
                    if colour:
                        values[COLOUR] = colour
                elif not cols.is_blank(value):
                    values[str(key)] = _flat(value)
            yield RawRow(str(node), values)

    edge_keys: list[str] = [SOURCE, TARGET]
    for *_, attrs in G.edges(data=True):
        for key in attrs:
            if key != "viz" and str(key) not in edge_keys:
                edge_keys.append(str(key))

    def edge_rows() -> Iterator[RawRow]:
        edges = G.edges(data=True)
        for u, v, attrs in edges:
            values = {SOURCE: str(u), TARGET: str(v)}
            for key, value in attrs.items():
                if key != "viz" and not cols.is_blank(value):
                    values[str(key)] = _flat(value)
            number = str(attrs.get("id") or f"{u}->{v}")
            yield RawRow(number, values)

    raw.tables.append(RawTable("nodes", NODES, node_keys, node_rows, G.is_directed()))
    raw.tables.append(RawTable("edges", TIES, edge_keys, edge_rows, G.is_directed()))
    return raw


def sample(table: RawTable, limit: int = 2000) -> list[RawRow]:
    """The first ``limit`` rows (what inspection looks at)."""
    return list(itertools.islice(table.rows(), limit))


__all__ = ["RawFile", "RawRow", "RawTable", "read", "role_of", "sample"]
