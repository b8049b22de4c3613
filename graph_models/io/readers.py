"""Reading import files into sheets of rows, without validating them.

Every format becomes a :class:`Source`: a list of :class:`Sheet` (one entity type
each, rows produced lazily so big CSV and XLSX files are streamed) plus what the
reader noticed (encoding, delimiter, ignored columns and sheets) and the problems it
found (``errors``, keyed like validation errors: sheet, row, column).

Row numbers are what a person sees: in CSV and XLSX the header is row 1 (or the row
it is on, when title rows sit above it); in JSON, the index in the section's list
(as ``POST /bulk`` reports it); in GraphML and GEXF, the node or edge id.

Decisions, with reasons:

* **Encodings** (CSV): a byte-order mark decides (UTF-8 or UTF-16); otherwise the
  file must be valid UTF-8, or else it is read as Windows-1252, which is what Excel
  in a UK locale writes for "CSV (Comma delimited)"; the report says so. Bytes that
  are neither are a clear error. The check streams through the file once before
  parsing (fast, and nothing is half-read when the fallback applies).
* **Delimiters** (CSV): comma, semicolon, tab or ``|``, whichever makes the first
  rows name the most known columns (Excel writes semicolons in many locales).
* **Formulas** (XLSX): a cell that holds a formula is an error naming the cell:
  Bridgemap never runs formulas, and a formula's cached result is absent from files
  written by many tools, so reading it could silently import nothing. Paste values.
  In CSV nothing is a formula: ``=HYPERLINK(...)`` is text, kept as text, and escaped
  again on export.
* **Merged cells** (XLSX): a cell merged down several rows gives its value to each of
  those rows (a sector typed once for a block of people); across columns, the value
  belongs to the first column only.
* **XML**: parsed with defusedxml and any DTD refused, so entity expansion ("billion
  laughs") and external entities cannot happen; networkx then reads the parsed tree.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from graph_models.errors import InvalidInput
from graph_models.io import columns as cols
from graph_models.messages import Message
from graph_models.model import ENTITY_TYPE_OF, EntityType

#: Formats that can be read and written.
FORMATS = ("json", "csv", "xlsx", "graphml", "gexf")

#: The most rows one file may hold, over all its sheets: a regional map of 50,000 people
#: and 250,000 ties. Above it the import stops with a clear error ("split the file"),
#: so a small file that unpacks to millions of rows cannot tie up the server.
MAX_ROWS = 300_000
#: The most columns a sheet's header may have (ours have about ten).
MAX_COLUMNS = 200
#: The largest total uncompressed size of a zip we open. CSV inside a zip is about
#: 60 bytes a row; XLSX's XML about 200 bytes a row, so MAX_ROWS rows fit in 64 MiB.
MAX_UNCOMPRESSED = {"csv": 64 * 1024 * 1024, "xlsx": 64 * 1024 * 1024}
#: How many rows from the top may be titles before the header row.
HEADER_SEARCH_ROWS = 10
_DELIMITERS = (",", ";", "\t", "|")

Progress = Callable[[float], None]


@dataclass(slots=True)
class Row:
    """One data row: field -> converted value (empty cells left out)."""

    number: str
    values: dict
    #: cell problems found while reading (label -> messages), e.g. formulas
    errors: dict = field(default_factory=dict)


@dataclass
class Sheet:
    name: str
    etype: EntityType
    rows: Iterator[Row]
    #: field -> the column label as written in the file
    labels: dict[str, str]
    skipped: list[int] = field(default_factory=lambda: [0])


class Closing:
    """An open file's readers: ``_close`` holds what to close (last opened first), on
    :meth:`close` or at the end of a ``with`` block."""

    _close: list

    def close(self) -> None:
        for fn in reversed(self._close):
            fn()
        self._close.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class Source(Closing):
    format: str
    sheets: list[Sheet] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    ignored_sheets: list[str] = field(default_factory=list)
    #: JSON only: the file's ``map`` section (validated later)
    map_section: dict | None = None
    #: silo -> colour for silos an import adds (a mapping's, or a Gephi file's colours)
    silo_colours: dict[str, str] = field(default_factory=dict)
    #: read through a mapping: the file's shape (io.mapping.signature)
    signature: str | None = None
    _close: list = field(default_factory=list)


def file_error(message: str, detail: str | None = None) -> InvalidInput:
    """An unreadable file: ``message`` (a :class:`Message`) for the whole file."""
    return InvalidInput(message, {"file": [detail or message]})


# -- format detection ------------------------------------------------------------------

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".zip": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".graphml": "graphml",
    ".gexf": "gexf",
}


def detect_format(head: bytes, filename: str = "") -> str:
    """The format of a file from its first bytes, then its extension."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(Message("import.xls_unsupported"))
    if head.startswith(b"PK"):
        return "xlsx" if suffix not in (".zip", ".csv") else "csv"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"{", b"[")):
        return "json"
    if text.startswith(b"<"):
        lowered = head[:4096].lower()
        if b"<gexf" in lowered:
            return "gexf"
        if b"<graphml" in lowered:
            return "graphml"
        return _EXTENSIONS.get(suffix, "graphml")
    return _EXTENSIONS.get(suffix, "csv")


def _seekable(stream) -> io.IOBase:
    if hasattr(stream, "seekable") and stream.seekable():
        return stream
    import tempfile

    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    while chunk := stream.read(1024 * 1024):
        spool.write(chunk)
    spool.seek(0)
    return spool


def _size(stream) -> int:
    here = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(here)
    return size


def read(
    stream,
    *,
    filename: str = "",
    fmt: str | None = None,
    entity: EntityType | None = None,
    progress: Progress | None = None,
) -> Source:
    """Open ``stream`` (binary) as an import :class:`Source`; raise InvalidInput if unreadable."""
    stream = _seekable(stream)
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"):
        raise file_error(Message("import.file_empty"))
    detected = detect_format(head, filename)
    fmt = fmt or detected
    if fmt not in FORMATS:
        raise InvalidInput(
            Message("import.unknown_format", format=repr(fmt)),
            {"format": [Message("import.one_of", choices=", ".join(FORMATS))]},
        )
    if entity is not None and fmt not in ("csv", "xlsx"):
        raise InvalidInput(
            Message("import.entity_tabular_only"),
            {"entity": [Message("import.file_holds_whole_map", format=fmt)]},
        )
    if fmt == "csv" and head.startswith(b"PK"):
        return _read_csv_zip(stream, entity, progress)
    if fmt == "csv":
        return _read_csv(stream, filename, entity, progress)
    if fmt == "xlsx":
        if not head.startswith(b"PK"):
            raise file_error(Message("import.not_xlsx_zip"))
        return _read_xlsx(stream, entity, progress)
    if fmt == "json":
        return _read_json(stream)
    return _read_graph(stream, fmt)


# -- CSV -------------------------------------------------------------------------------


def _choose_encoding(stream) -> str:
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            stream.seek(0)
            last = exc
            continue
        stream.seek(0)
        return encoding
    raise file_error(
        Message("import.encoding_unknown"),
        Message("import.encoding_detail", position=last.start),
    )


def _header_score(cells: list, entity: EntityType | None) -> int:
    kinds = [entity] if entity else list(cols.COLUMNS)
    return max(cols.recognised(cells, k) for k in kinds)


def _csv_source(
    text_lines: Iterator[str], name: str, entity: EntityType | None, source: Source, on_row=None
) -> Sheet | None:
    """Find the delimiter and header in the first lines, then stream the rest."""
    first: list[str] = list(itertools.islice(text_lines, HEADER_SEARCH_ROWS))
    best = (0, ",", 0)  # (score, delimiter, row index)
    for delimiter in _DELIMITERS:
        for i, line in enumerate(first):
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue  # e.g. a huge cell: reported where the rows are read
            score = _header_score(cells, entity)
            if score > best[0]:
                best = (score, delimiter, i)
    score, delimiter, header_index = best
    if not any(line.strip() for line in first):
        source.errors.setdefault(name, {})["1"] = {"row": [Message("import.no_rows")]}
        return None
    if score == 0:
        expected = ", ".join(c.name for c in cols.COLUMNS[entity or EntityType.PERSON])
        source.errors.setdefault(name, {})["1"] = {
            "header": [Message("import.no_known_header", expected=expected)]
        }
        return None
    source.delimiter = delimiter
    reader = csv.reader(itertools.chain(first, text_lines), delimiter=delimiter)
    records = enumerate(reader, start=1)
    header: list = []
    try:
        for number, cells in records:
            if number == header_index + 1:
                header = cells
                break
    except csv.Error as exc:
        raise file_error(Message("import.csv_unreadable", sheet=name, detail=exc)) from None
    return _tabular_sheet(name, header, header_index + 1, records, entity, source, on_row)


def _tabular_sheet(
    name: str,
    header: list,
    header_row: int,
    records: Iterator[tuple[int, list]],
    entity: EntityType | None,
    source: Source,
    on_row=None,
    cell_errors=None,
) -> Sheet | None:
    while header and cols.is_blank(header[-1]):
        header = header[:-1]  # empty cells right of the last heading
    if len(header) > MAX_COLUMNS:
        raise file_error(Message("import.too_many_columns", sheet=repr(name), columns=MAX_COLUMNS))
    etype = entity or cols.guess_entity(header) or cols.entity_of_sheet(name)
    if etype is None:
        source.errors.setdefault(name, {})[str(header_row)] = {
            "header": [Message("import.entity_unknown_rows")]
        }
        return None
    hmap = cols.match_header(header, etype)
    if hmap.ignored:
        source.ignored_columns[name] = hmap.ignored
    if hmap.errors:
        source.errors.setdefault(name, {})[str(header_row)] = hmap.errors
        return None
    labels = {f: label for f, (_, label) in hmap.fields.items()}
    plan = [(i, cols.COLUMN_BY_NAME[etype][f]) for f, (i, _) in hmap.fields.items()]
    sheet = Sheet(name, etype, iter(()), labels)

    def rows() -> Iterator[Row]:
        blanks = 0
        number = header_row
        convert = cols.convert
        needed = max(i for i, _ in plan) + 1
        try:
            for number, cells in records:
                if on_row is not None:
                    on_row(number)
                if len(cells) >= needed:  # the usual case: every column present
                    values = {
                        c.name: v
                        for i, c in plan
                        if (x := cells[i]) != "" and (v := convert(x, c)) is not None
                    }
                else:
                    width = len(cells)
                    values = {
                        c.name: v
                        for i, c in plan
                        if i < width and (v := convert(cells[i], c)) is not None
                    }
                problems = cell_errors(number, cells, plan) if cell_errors else None
                if not values and not problems:
                    blanks += 1  # counted as skipped if data rows follow
                    continue
                sheet.skipped[0] += blanks
                blanks = 0
                yield Row(str(number), values, problems or {})
        except csv.Error as exc:
            source.errors.setdefault(name, {})[str(number + 1)] = {
                "row": [Message("import.csv_unreadable_from_here", detail=exc)]
            }

    sheet.rows = rows()
    return sheet


def _read_csv(stream, filename: str, entity, progress) -> Source:
    source = Source("csv")
    source.encoding = _choose_encoding(stream)
    if source.encoding != "utf-16" and b"\x00" in stream.read(4096):
        raise file_error(Message("import.binary_not_csv"))
    stream.seek(0)
    name = PurePath(filename).name if filename else "csv"
    total = _size(stream) or 1
    text = io.TextIOWrapper(stream, encoding=source.encoding, newline="")
    source._close.append(text.detach)

    on_row = None
    if progress is not None:

        def on_row(number):
            if number % 2000 == 0:
                progress(min(1.0, text.buffer.tell() / total))

    sheet = _csv_source(iter(text), name, entity, source, on_row)
    if sheet is not None:
        source.sheets.append(sheet)
    return source


def _check_zip(stream, fmt: str) -> zipfile.ZipFile:
    """Open a zip, refusing one that unpacks to more than a real partnership file needs
    (the sizes in the zip's directory are checked before anything is unpacked)."""
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise file_error(Message("import.bad_zip")) from None
    limit = MAX_UNCOMPRESSED[fmt]
    if sum(info.file_size for info in archive.infolist()) > limit:
        archive.close()
        raise file_error(Message("import.zip_too_big", mib=limit // 2**20, rows=MAX_ROWS))
    return archive


def _read_csv_zip(stream, entity, progress) -> Source:
    """A zip of CSV files (what the CSV export writes): one entity type per file."""
    archive = _check_zip(stream, "csv")
    source = Source("csv")
    source._close.append(archive.close)
    members = [
        i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".csv")
    ]
    if not members:
        raise file_error(Message("import.zip_no_csv"))
    for info in members:
        raw = archive.open(info)  # streamed, not unpacked into memory
        source._close.append(raw.close)
        encoding = _choose_encoding(raw)
        source.encoding = source.encoding or encoding
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        name = PurePath(info.filename).name
        sheet = _csv_source(iter(text), name, cols.entity_of_sheet(name) or entity, source)
        if sheet is not None:
            source.sheets.append(sheet)
    return source


# -- XLSX ------------------------------------------------------------------------------

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """Merged ranges (min_col, min_row, max_col, max_row) of a read-only sheet.

    openpyxl's read-only mode does not report merges (they come after the cell data);
    a scan of the raw XML for ``<mergeCell ref=...>`` finds them without parsing it.
    """
    from openpyxl.utils import column_index_from_string

    found = []
    try:
        src = ws._get_source()
    except Exception:  # noqa: BLE001 - no merge information: read cells as they are
        return found
    with src:
        tail = b""
        while chunk := src.read(1024 * 1024):
            data = tail + chunk
            for m in _MERGE.finditer(data):
                c1, r1, c2, r2 = m.groups()
                found.append(
                    (
                        column_index_from_string(c1.decode()),
                        int(r1),
                        column_index_from_string(c2.decode()),
                        int(r2),
                    )
                )
            tail = data[-256:]  # a ref cut by the chunk boundary is found next time
    return sorted(set(found))


def _read_xlsx(stream, entity, progress) -> Source:
    import openpyxl

    archive = _check_zip(stream, "xlsx")
    names = set(archive.namelist())
    archive.close()
    if "xl/workbook.xml" not in names:
        raise file_error(Message("import.zip_not_xlsx"))
    stream.seek(0)
    try:
        wb = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; all mean "unreadable"
        raise file_error(Message("import.workbook_unreadable", detail=_root_cause(exc))) from None
    source = Source("xlsx")
    source._close.append(wb.close)
    worksheets = list(wb.worksheets)
    total_rows = sum((ws.max_row or 0) for ws in worksheets) or 1
    done = [0]

    def tick():
        done[0] += 1
        if progress is not None and done[0] % 2000 == 0:
            progress(min(1.0, done[0] / total_rows))

    order = {EntityType.PERSON: 0, EntityType.ORGANISATION: 1, EntityType.RELATIONSHIP: 2}
    planned = []
    for ws in worksheets:
        etype = cols.entity_of_sheet(ws.title)
        if etype is None and entity is not None and len(worksheets) == 1:
            etype = entity
        ws.reset_dimensions()  # some writers record wrong sizes; read what is there
        with _unreadable_sheet(ws.title):
            first = [
                [c.value for c in row]
                for row in itertools.islice(ws.iter_rows(), HEADER_SEARCH_ROWS)
            ]
        if not any(any(not cols.is_blank(v) for v in r) for r in first):
            if etype is None:
                source.ignored_sheets.append(ws.title)
            continue  # an empty sheet
        scored = [(_header_score(cells, etype), -i) for i, cells in enumerate(first)]
        score, index = max(scored)
        index = -index
        if etype is None:
            etype = cols.guess_entity(first[index]) if score else None
            if etype is None:
                source.ignored_sheets.append(ws.title)
                continue
        if score == 0:
            index = next(i for i, r in enumerate(first) if any(not cols.is_blank(v) for v in r))
        planned.append((order[etype], ws, etype, index + 1, first[index]))
    planned.sort(key=lambda p: p[0])

    for _, ws, etype, header_row, header in planned:
        records = _xlsx_records(ws, header_row, tick)
        sheet = _tabular_sheet(
            ws.title, header, header_row, records, etype, source, cell_errors=_xlsx_cell_errors
        )
        if sheet is not None:
            source.sheets.append(sheet)
    return source


def _xlsx_records(ws, header_row: int, tick) -> Iterator[tuple[int, list]]:
    """(row number, values) below the header, merged cells filled down (module docstring)."""
    fill: dict[int, list[tuple[int, int]]] = {}  # row -> [(column, origin row)]
    origins: set[tuple[int, int]] = set()
    for c1, r1, _c2, r2 in _merged_ranges(ws):
        if r1 > header_row and r2 > r1:
            origins.add((r1, c1))
            for r in range(r1 + 1, r2 + 1):
                fill.setdefault(r, []).append((c1, r1))
    held: dict[tuple[int, int], object] = {}
    with _unreadable_sheet(ws.title):
        yield from _fill_merged(ws, header_row, tick, fill, origins, held)


def _fill_merged(ws, header_row, tick, fill, origins, held):
    for number, row in enumerate(ws.iter_rows(), start=1):
        tick()
        if number <= header_row:
            continue
        cells = _CellRow(row)
        if origins:
            for col_index in range(1, len(cells.cells) + 1):
                if (number, col_index) in origins:
                    held[(number, col_index)] = cells.cells[col_index - 1]
            for col_index, origin_row in fill.get(number, ()):
                origin = held.get((origin_row, col_index))
                if origin is not None:
                    cells.put(col_index - 1, origin)
        yield number, cells


def _root_cause(exc: BaseException) -> str:
    """The innermost error of a chain, named (openpyxl wraps defusedxml's refusals)."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    import defusedxml

    if isinstance(exc, defusedxml.DefusedXmlException):
        return f"its XML declares a DTD or entities, refused for safety ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


@contextlib.contextmanager
def _unreadable_sheet(title: str):
    """openpyxl's parse errors (including defusedxml's refusals) as a clear 422."""
    try:
        yield
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure means "unreadable"
        raise file_error(
            Message("import.sheet_unreadable", sheet=repr(title), detail=_root_cause(exc))
        ) from None


def _xlsx_cell_errors(number: int, cells, plan) -> dict:
    """Formula and error cells in the columns we read (see the module docstring)."""
    from openpyxl.utils import get_column_letter

    problems = {}
    for i, column in plan:
        if i >= len(cells.cells):
            continue
        cell = cells.cells[i]
        kind = getattr(cell, "data_type", None)
        where = Message("import.cell", cell=f"{get_column_letter(i + 1)}{number}")
        if kind == "f":
            formula = str(cell.value)
            shown = formula if len(formula) <= 40 else formula[:37] + "..."
            problems[column.name] = [Message("import.cell_formula", cell=where, formula=shown)]
        elif kind == "e":
            problems[column.name] = [Message("import.cell_error", cell=where, value=cell.value)]
    return problems


class _CellRow(list):
    """A row's cell values (what the converters read), keeping the cells themselves."""

    def __init__(self, cells):
        self.cells = list(cells)
        super().__init__(c.value for c in self.cells)

    def put(self, i: int, cell) -> None:
        while len(self.cells) <= i:
            self.cells.append(None)
            self.append(None)
        self.cells[i] = cell
        self[i] = cell.value


# -- JSON ------------------------------------------------------------------------------

JSON_SECTIONS = ENTITY_TYPE_OF


def _read_json(stream) -> Source:
    try:
        data = json.load(stream)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise file_error(Message("import.json_invalid", detail=exc)) from None
    if not isinstance(data, dict):
        raise file_error(Message("import.json_not_object"))
    source = Source("json")
    unknown = sorted(set(data) - set(JSON_SECTIONS) - {"map"})
    if unknown:
        source.errors["file"] = {k: [Message("import.unknown_section")] for k in unknown}
    if data.get("map") is not None:
        if isinstance(data["map"], dict):
            source.map_section = data["map"]
        else:
            source.errors.setdefault("map", {})["_schema"] = [Message("import.not_an_object")]
    for section, etype in JSON_SECTIONS.items():
        items = data.get(section) or []
        if not isinstance(items, list):
            source.errors.setdefault(section, {})["_schema"] = [Message("import.must_be_list")]
            continue
        source.sheets.append(Sheet(section, etype, _json_rows(items, section, source), {}, [0]))
    return source


def _json_rows(items: list, section: str, source: Source) -> Iterator[Row]:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            yield Row(str(i), {}, {"_schema": [Message("import.not_an_object")]})
        else:
            # null is JSON's blank cell: the row does not give that field (so it changes
            # nothing stored), as for an empty CSV cell
            yield Row(str(i), {k: v for k, v in item.items() if v is not None})


# -- GraphML and GEXF ------------------------------------------------------------------


def parse_xml(stream):
    """An ElementTree element from untrusted XML: no DTD, so no entity tricks."""
    import defusedxml
    import defusedxml.ElementTree as safe_et

    try:
        return safe_et.parse(stream, forbid_dtd=True).getroot()
    except defusedxml.DefusedXmlException as exc:
        raise file_error(
            Message("import.xml_dtd"),
            Message("import.refused", reason=type(exc).__name__),
        ) from None
    except safe_et.ParseError as exc:
        raise file_error(Message("import.xml_malformed", detail=exc)) from None


def _refuse_repeated_node_ids(root) -> None:
    """Two ``<node>`` elements with one id (a person and an organisation, say) would be
    merged silently into one node by the graph reader: refuse the file, naming the id."""
    seen: set[str] = set()
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "node" or "id" not in element.attrib:
            continue
        node_id = element.attrib["id"]
        if node_id in seen:
            raise file_error(Message("import.repeated_node_id", id=repr(node_id)))
        seen.add(node_id)


def read_graph_xml(stream, fmt: str):
    """A networkx multigraph from GraphML or GEXF bytes, parsed safely."""
    import networkx as nx
    from networkx.readwrite.gexf import GEXFReader
    from networkx.readwrite.graphml import GraphMLReader

    root = parse_xml(stream)
    _refuse_repeated_node_ids(root)
    try:
        if fmt == "graphml":
            reader = GraphMLReader(node_type=str, edge_key_type=str, force_multigraph=True)
            reader.xml = root
            keys, defaults = reader.find_graphml_keys(root)
            graphs = [
                reader.make_graph(g, keys, defaults)
                for g in root.findall(f"{{{reader.NS_GRAPHML}}}graph")
            ]
            if not graphs:
                raise file_error(Message("import.graphml_no_graph"))
            return graphs[0]
        reader = GEXFReader(node_type=None)
        reader.xml = root
        for version in (None, *reader.versions):
            if version is not None:
                reader.set_version(version)
            g = root.find(f"{{{reader.NS_GEXF}}}graph")
            if g is not None:
                return reader.make_graph(g)
        raise file_error(Message("import.gexf_no_graph"))
    except nx.NetworkXError as exc:
        raise file_error(Message("import.graph_unreadable", format=fmt, detail=exc)) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise file_error(Message("import.graph_unreadable", format=fmt, detail=repr(exc))) from None


def _graph_columns(names: set, etype: EntityType, source: Source, sheet: str) -> dict:
    """Attribute name -> column, for the attributes of one kind of node or of edges.

    Unknown attributes (Gephi's ``x``, ``y``, ``size``, colours...) are ignored and
    listed in the report; a near miss of a known one (``visiblity``) is an error.
    """
    ordered = sorted(names)
    hmap = cols.match_header(ordered, etype)
    errors = {
        k: v
        for k, v in hmap.errors.items()
        if getattr(v[0], "code", None) != "import.column_missing"
    }
    if errors:
        source.errors.setdefault(sheet, {})["attributes"] = errors
    ignored = source.ignored_columns.setdefault(sheet, [])
    ignored.extend(label for label in hmap.ignored if label not in ignored)
    return {ordered[i]: cols.COLUMN_BY_NAME[etype][f] for f, (i, _) in hmap.fields.items()}


def _read_graph(stream, fmt: str) -> Source:
    G = read_graph_xml(stream, fmt)
    source = Source(fmt)
    by_type: dict[EntityType, list] = {EntityType.PERSON: [], EntityType.ORGANISATION: []}
    for node, attrs in G.nodes(data=True):
        kind = cols.normalise(attrs.get("type") or "")
        if kind in ("person", "people"):
            by_type[EntityType.PERSON].append((node, attrs))
        elif kind in ("organisation", "organization", "org"):
            by_type[EntityType.ORGANISATION].append((node, attrs))
        else:
            source.errors.setdefault("nodes", {})[str(node)] = {
                "type": [Message("import.node_type_needed")]
            }
    for etype, nodes in by_type.items():
        # "label": Gephi's node name; read as the name when there is no name attribute
        names = {k for _, a in nodes for k in a} - {"type", "id", "label"}
        mapping = _graph_columns(names, etype, source, "nodes")
        source.sheets.append(Sheet("nodes", etype, _node_rows(nodes, mapping), {}, [0]))

    names = {k for _, _, a in G.edges(data=True) for k in a} - {"label", "directed", "id"}
    if "strength" in names:
        names.discard("weight")  # written beside strength for Gephi
    mapping = _graph_columns(names, EntityType.RELATIONSHIP, source, "edges")
    source.sheets.append(Sheet("edges", EntityType.RELATIONSHIP, _edge_rows(G, mapping), {}, [0]))
    return source


_NAME_COLUMN = cols.COLUMN_BY_NAME[EntityType.PERSON]["name"]


def _node_rows(nodes: list, mapping: dict) -> Iterator[Row]:
    for node, attrs in nodes:
        values = {"id": str(node)}
        for key, value in attrs.items():
            column = mapping.get(key)
            if column is not None and column.name != "id":
                converted = cols.convert(value, column)
                if converted is not None:
                    values[column.name] = converted
        if "name" not in values and not cols.is_blank(attrs.get("label")):
            values["name"] = cols.convert(attrs["label"], _NAME_COLUMN)
        yield Row(str(node), values)


def _edge_rows(G, mapping: dict) -> Iterator[Row]:
    if G.is_multigraph():
        edges = G.edges(keys=True, data=True)
    else:  # networkx's GEXF reader returns a simple graph when no pair repeats
        edges = ((u, v, None, attrs) for u, v, attrs in G.edges(data=True))
    for u, v, key, attrs in edges:
        values = {"source": str(u), "target": str(v)}
        if isinstance(key, str) and key:
            values["id"] = key
        elif attrs.get("id"):
            values["id"] = str(attrs["id"])
        for name, value in attrs.items():
            column = mapping.get(name)
            if column is not None and column.name not in ("source", "target", "id"):
                converted = cols.convert(value, column)
                if converted is not None:
                    values[column.name] = converted
        yield Row(values.get("id") or f"{u}->{v}", values)
