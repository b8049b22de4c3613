"""Exporting a map: JSON, CSV (zipped, one file per entity type), XLSX, GraphML, GEXF.

* **JSON** is our own lossless format, ``{"map", "people", "organisations",
  "relationships"}`` with every field, sorted by id: export, import into an empty map
  (created from the file's ``map`` section), export again gives the same bytes.
* **CSV** is a zip of ``people.csv``, ``organisations.csv`` and ``relationships.csv``
  in UTF-8 with a byte-order mark (so Excel shows Welsh letters correctly); **XLSX** has
  one sheet of each. Both re-import as they are (tags joined with ``; ``). So that a
  person can read and edit the ties, each relationship row also names both ends
  (:data:`END_NAME_COLUMNS`, beside ``source`` and ``target``): the ids stay the key,
  and the name columns say in their heading that an import does not read them (it
  lists them as ignored), so an edited name there changes nothing. In a viewer's
  export those names are what the viewer may see (pseudonyms, hidden people absent).
* **GraphML** and **GEXF** are for Gephi and other network tools: nodes carry ``type``,
  ``label``, ``name``, ``silo``, ``role``, ``area``, ``tags``, ``contact``,
  ``visibility`` (and ``kind`` for organisations); edges carry ``kind``,
  ``strength`` (and ``weight``, the same number, which Gephi uses), ``since``,
  ``until``, ``notes``, ``evidence`` and ``directed``. The graph is directed (GEXF
  and networkx cannot mix edge types); undirected kinds say ``directed=false``.

Consent: with ``viewer=True`` (for anyone who is not a coordinator) the export holds
what :func:`graph_models.visibility.public_records` lets a viewer read: hidden people
(and anonymised people of small silos) left out with their ties, other anonymised
people under their pseudonym as "a person in <silo>", no contact details and no free
text on ties. Coordinators (the default) get everything.

Formula guard: in CSV and XLSX a text cell starting with ``= + - @``, tab or carriage
return gets a leading ``'`` so a spreadsheet shows it instead of running it; the
importer removes that quote again. Characters XML cannot hold (control characters
other than tab and newline) are dropped from XLSX, GraphML and GEXF output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from graph_models import model
from graph_models.io import columns as cols
from graph_models.model import EntityType, Organisation, Person
from graph_models.store.base import GraphRecords
from graph_models.store.common import map_to_dict
from graph_models.visibility import public_records

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
EXTENSIONS = {
    "json": ".json",
    "csv": "-csv.zip",
    "xlsx": ".xlsx",
    "graphml": ".graphml",
    "gexf": ".gexf",
}
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed, so the same map gives the same bytes


@dataclass
class Export:
    data: bytes
    content_type: str
    filename: str


def export_map(
    store, map_id: str, fmt: str, *, viewer: bool = False, secret: bytes | None = None
) -> Export:
    """The whole map ``map_id`` as a file of format ``fmt`` (see the module docstring)."""
    return export_records(store.graph(map_id), fmt, viewer=viewer, secret=secret)


def export_records(
    records: GraphRecords, fmt: str, *, viewer: bool = False, secret: bytes | None = None
) -> Export:
    if fmt not in CONTENT_TYPES:
        from graph_models.errors import InvalidInput

        raise InvalidInput(
            f"unknown export format {fmt!r}", {"format": [f"one of: {', '.join(CONTENT_TYPES)}"]}
        )
    if viewer:
        if not secret:
            raise ValueError("a viewer export needs the secret key for pseudonyms")
        records = viewer_records(records, secret)
    writer = {
        "json": to_json_bytes,
        "csv": to_csv_zip,
        "xlsx": to_xlsx,
        "graphml": to_graphml,
        "gexf": to_gexf,
    }[fmt]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", records.map.id) or "map"
    return Export(writer(records), CONTENT_TYPES[fmt], name + EXTENSIONS[fmt])


def viewer_records(records: GraphRecords, secret: bytes) -> GraphRecords:
    """What a viewer may take away: :func:`graph_models.visibility.public_records`'s rules
    (the one place consent is applied), as records the writers below understand."""
    public = public_records(records, secret=secret)
    nodes = [model.from_dict(EntityType.PERSON, row) for row in public["people"]]
    nodes += [model.from_dict(EntityType.ORGANISATION, row) for row in public["organisations"]]
    rels = [model.from_dict(EntityType.RELATIONSHIP, row) for row in public["relationships"]]
    return GraphRecords(records.map, nodes, rels)


def _sorted(records: GraphRecords):
    people = sorted((n for n in records.nodes if isinstance(n, Person)), key=lambda n: n.id)
    orgs = sorted((n for n in records.nodes if isinstance(n, Organisation)), key=lambda n: n.id)
    rels = sorted(records.relationships, key=lambda r: r.id)
    return people, orgs, rels


# -- JSON ------------------------------------------------------------------------------


def to_json(records: GraphRecords) -> dict:
    """The map as our JSON document (every field; what the JSON import reads)."""
    people, orgs, rels = _sorted(records)
    return {
        "map": map_to_dict(records.map),
        "people": [model.to_dict(p) for p in people],
        "organisations": [model.to_dict(o) for o in orgs],
        "relationships": [model.to_dict(r) for r in rels],
    }


def to_json_bytes(records: GraphRecords) -> bytes:
    return (json.dumps(to_json(records), ensure_ascii=False, indent=1) + "\n").encode()


# -- CSV and XLSX ----------------------------------------------------------------------


#: The relationship columns that name the ends, for people reading the file; an import
#: ignores them (no known column is spelt like them), the ids being the key.
END_NAME_COLUMNS = {
    "source": "source name (not read on import)",
    "target": "target name (not read on import)",
}


def _table(etype: EntityType, items, names: dict | None = None) -> tuple[list[str], list[list]]:
    fields = [c.name for c in cols.COLUMNS[etype]]
    header = []
    for name in fields:
        header.append(name)
        if names is not None and name in END_NAME_COLUMNS:
            header.append(END_NAME_COLUMNS[name])
    rows = []
    for item in items:
        data = model.to_dict(item)
        row = []
        for name in fields:
            row.append(cols.cell_for_export(data[name]))
            if names is not None and name in END_NAME_COLUMNS:
                row.append(cols.cell_for_export(names.get(data[name], "")))
        rows.append(row)
    return header, rows


def _tables(records: GraphRecords):
    people, orgs, rels = _sorted(records)
    names = {n.id: n.name for n in records.nodes}
    return [
        ("people", _table(EntityType.PERSON, people)),
        ("organisations", _table(EntityType.ORGANISATION, orgs)),
        ("relationships", _table(EntityType.RELATIONSHIP, rels, names)),
    ]


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """One CSV file: UTF-8 with a byte-order mark, CRLF line ends (what Excel expects)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_csv_zip(records: GraphRecords) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in _tables(records):
            info = zipfile.ZipInfo(f"{name}.csv", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, csv_bytes(header, rows))
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, str):
        if value and value[0].isdigit() and _ISO_DATE.match(value):
            return date.fromisoformat(value)
        return _XML_ILLEGAL.sub("", value)
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_COLUMNS = {"since", "until"}


def write_sheets(workbook, tables, *, write_only: bool) -> None:
    """Append each (title, (header, rows)) table as a sheet with a bold, frozen header."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for title, (header, rows) in tables:
        ws = workbook.create_sheet(title)
        if write_only:
            # state the sheet's size up front (as Excel does): without it openpyxl's
            # read-only mode parses a whole sheet once more just to learn its size
            size = f"A1:{_letter(max(len(header), 1))}{len(rows) + 1}"
            ws.calculate_dimension = lambda size=size: size
        ws.freeze_panes = "A2"
        for i, name in enumerate(header):
            width = 12 if name in _DATE_COLUMNS or name == "strength" else 24
            ws.column_dimensions[_letter(i + 1)].width = width
        dates = {i for i, name in enumerate(header) if name in _DATE_COLUMNS}
        if write_only:
            cells = []
            for name in header:
                cell = WriteOnlyCell(ws, value=name)
                cell.font = bold
                cells.append(cell)
            ws.append(cells)
        else:
            ws.append(header)
            for cell in ws[1]:
                cell.font = bold
        for row in rows:
            ws.append([_xlsx_value(v) if i in dates else _clean(v) for i, v in enumerate(row)])


def _clean(value):
    if isinstance(value, str):
        if value == "":
            return None
        return _XML_ILLEGAL.sub("", value)
    return value


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def to_xlsx(records: GraphRecords) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    write_sheets(wb, _tables(records), write_only=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- GraphML and GEXF ------------------------------------------------------------------


def _xml_text(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


def to_graph(records: GraphRecords):
    """A networkx MultiDiGraph of the map with the attributes the module docstring lists."""
    import networkx as nx

    G = nx.MultiDiGraph(name=_xml_text(records.map.name))
    people, orgs, rels = _sorted(records)
    for node in [*people, *orgs]:
        data = model.to_dict(node)
        attrs = {
            "type": node.type.value,
            "label": _xml_text(node.name),
            "name": _xml_text(node.name),
            "silo": _xml_text(node.silo),
        }
        if isinstance(node, Person):
            keys = ("role", "area", "tags", "contact", "visibility")
        else:
            keys = ("kind", "area", "tags")
        for key in keys:
            value = data[key]
            if isinstance(value, list):
                value = f"{cols.TAG_SEPARATOR} ".join(value)
            attrs[key] = _xml_text(value)
        G.add_node(node.id, **attrs)
    rules = records.map.kind_rules()
    for rel in rels:
        rule = rules.get(rel.kind)
        attrs = {
            "kind": rel.kind,
            "strength": rel.strength,
            "weight": float(rel.strength),
            "notes": _xml_text(rel.notes),
            "evidence": _xml_text(rel.evidence),
            "directed": bool(rule and rule.directed),
            "origin": rel.origin,
            "reported_by": f"{cols.TAG_SEPARATOR} ".join(rel.reported_by),
        }
        if rel.since:
            attrs["since"] = rel.since.isoformat()
        if rel.until:
            attrs["until"] = rel.until.isoformat()
        G.add_edge(rel.source, rel.target, key=rel.id, **attrs)
    return G


def to_graphml(records: GraphRecords) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml_xml(to_graph(records), buffer, encoding="utf-8")
    return buffer.getvalue()


def to_gexf(records: GraphRecords) -> bytes:
    import networkx as nx

    G = to_graph(records)
    for _, _, key, data in G.edges(keys=True, data=True):
        data["id"] = key  # GEXF keeps edge ids in the id attribute
        data["label"] = data["kind"]
    buffer = io.BytesIO()
    nx.write_gexf(G, buffer, encoding="utf-8")
    return buffer.getvalue()
