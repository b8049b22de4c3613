"""The import property, swept: for every file format, every field a file may leave out
(taken from the schemas, so a field added later is swept too), left out or left blank,
never changes that field in the store — so a file never loosens consent, clears a
contact or drops a tie's notes because it was made for another purpose (issue: consent
under attack, item 14).

Each case exports the sample map losslessly, takes one field out of one kind of record
(or blanks it), imports the file back and compares every record with the store before.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from graph_models import model, schemas
from graph_models.errors import InvalidInput
from graph_models.io import export_map, import_file
from graph_models.model import EntityType
from tests.io.conftest import MAP

PLURAL = model.PLURALS
NODE_TYPE = {EntityType.PERSON: "person", EntityType.ORGANISATION: "organisation"}


def omittable(etype: EntityType) -> list[str]:
    """The input fields of a record type that a file may leave out (not its key)."""
    fields = schemas.ENTITY_SCHEMAS[etype]().fields
    return [n for n, f in fields.items() if not f.dump_only and not f.required and n != "id"]


CASES = [
    (etype, field, mode)
    for etype in EntityType
    for field in omittable(etype)
    for mode in ("omitted", "blank")
]
FORMATS = ("json", "csv", "xlsx", "graphml", "gexf")


# -- taking a field out of each kind of file -------------------------------------------


def _json(data: bytes, etype, field, mode) -> bytes:
    doc = json.loads(data)
    for row in doc[PLURAL[etype]]:
        if mode == "omitted":
            row.pop(field, None)
        else:
            row[field] = None  # JSON's blank
    return json.dumps(doc).encode()


def _csv(data: bytes, etype, field, mode) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            text = source.read(name).decode("utf-8-sig")
            if name == f"{PLURAL[etype]}.csv":
                rows = list(csv.DictReader(io.StringIO(text)))
                header = [h for h in rows[0] if not (mode == "omitted" and h == field)]
                buffer = io.StringIO()
                writer = csv.DictWriter(buffer, header, extrasaction="ignore")
                writer.writeheader()
                for row in rows:
                    writer.writerow({**row, **({field: ""} if mode == "blank" else {})})
                text = buffer.getvalue()
            target.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def _xlsx(data: bytes, etype, field, mode) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[PLURAL[etype]]
    header = [c.value for c in sheet[1]]
    if field not in header:  # the export does not carry it: the file already omits it
        return data
    column = header.index(field) + 1
    if mode == "omitted":
        sheet.delete_cols(column)
    else:
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, column).value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _records(root, etype, ns: str, type_of) -> list:
    """The XML elements of ``etype``'s records (nodes of that type, or edges)."""
    if etype is EntityType.RELATIONSHIP:
        return list(root.iter(f"{ns}edge"))
    return [n for n in root.iter(f"{ns}node") if type_of(n) == NODE_TYPE[etype]]


def _graphml(data: bytes, etype, field, mode) -> bytes:
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    root = ET.fromstring(data)
    domain = "edge" if etype is EntityType.RELATIONSHIP else "node"
    keys = {
        k.get("attr.name"): k.get("id") for k in root.iter(f"{ns}key") if k.get("for") == domain
    }
    type_key = next(k.get("id") for k in root.iter(f"{ns}key") if k.get("attr.name") == "type")
    if field not in keys:  # the export does not carry it: the file already omits it
        return data

    def value(element, key):
        return next((d.text for d in element.iter(f"{ns}data") if d.get("key") == key), None)

    for element in _records(root, etype, ns, lambda n: value(n, type_key)):
        for d in list(element.findall(f"{ns}data")):
            if d.get("key") == keys[field]:
                if mode == "omitted":
                    element.remove(d)
                else:
                    d.text = ""
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _gexf(data: bytes, etype, field, mode) -> bytes:
    ns = "{http://www.gexf.net/1.2draft}"
    ET.register_namespace("", ns[1:-1])
    root = ET.fromstring(data)
    domain = "edge" if etype is EntityType.RELATIONSHIP else "node"
    ids = {
        a.get("title"): a.get("id")
        for group in root.iter(f"{ns}attributes")
        if group.get("class") == domain
        for a in group.iter(f"{ns}attribute")
    }
    if field not in ids:  # the export does not carry it: the file already omits it
        return data

    def value(element, key):
        found = (v.get("value") for v in element.iter(f"{ns}attvalue") if v.get("for") == key)
        return next(found, None)

    for element in _records(root, etype, ns, lambda n: value(n, ids.get("type"))):
        for values in element.findall(f"{ns}attvalues"):
            for v in list(values):
                if v.get("for") == ids[field]:
                    if mode == "omitted":
                        values.remove(v)
                    else:
                        v.set("value", "")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


CHANGE = {"json": _json, "csv": _csv, "xlsx": _xlsx, "graphml": _graphml, "gexf": _gexf}


# -- the sweep --------------------------------------------------------------------------


def _state(store) -> dict:
    records = store.graph(MAP)
    return {r.id: r for r in [*records.people, *records.organisations, *records.relationships]}


@pytest.fixture
def rich(store, loaded):
    """The sample map, with an organisation's area, a self-set consent and a surveyed
    tie too: every field the sweep takes out holds a value other than its default
    somewhere, so a reset would show."""
    clinic = store.get(MAP, EntityType.ORGANISATION, "clinic")
    store.update(MAP, dataclasses.replace(clinic, area="Cwm"))
    bryn = store.get(MAP, EntityType.PERSON, "bryn")
    said = dict(consent_set_by="self", consent_set_at="2025-04-01T10:00:00+00:00")
    store.update(MAP, dataclasses.replace(bryn, **said))
    tie = store.get(MAP, EntityType.RELATIONSHIP, "t1")
    store.update(MAP, dataclasses.replace(tie, origin="survey", reported_by=["ann"]))
    return _state(store)


def test_every_swept_field_holds_a_value_a_reset_would_change(rich):
    for etype in EntityType:
        cls = model.ENTITY_CLASSES[etype]
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        defaults.update({"tags": [], "since": None, "until": None})
        for field in omittable(etype):
            values = [getattr(r, field) for r in rich.values() if isinstance(r, cls)]
            assert any(v != defaults.get(field) for v in values), (etype, field)


#: Blanks that make a file invalid, refused with a clear error and nothing written: an
#: empty value of a GEXF attribute declared ``long`` is not a number.
INVALID_BLANKS = {("gexf", "strength")}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("etype", "field", "mode"), CASES, ids=lambda v: str(v))
def test_a_file_without_a_field_never_changes_it(store, rich, fmt, etype, field, mode):
    exported = export_map(store, MAP, fmt).data
    changed = CHANGE[fmt](exported, etype, field, mode)
    name = {"csv": "m-csv.zip"}.get(fmt, f"m.{fmt}")
    if mode == "blank" and (fmt, field) in INVALID_BLANKS:
        with pytest.raises(InvalidInput, match="cannot be read"):
            import_file(store, MAP, io.BytesIO(changed), filename=name)
        assert _state(store) == rich
        return
    report = import_file(store, MAP, io.BytesIO(changed), filename=name)
    assert report.consent_changes == []
    after = _state(store)
    assert after.keys() == rich.keys()
    for record_id, before in rich.items():
        assert getattr(after[record_id], field, None) == getattr(before, field, None), (
            record_id,
            field,
        )
    assert after == rich  # and nothing else changed either
