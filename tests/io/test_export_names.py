"""Exports people can edit (issue #13 item 6): relationship rows in CSV and XLSX name
both ends beside the ids; the names are not read on re-import (the heading says so and
the report lists them as ignored); a viewer's export names the ends as the viewer may
see them; the JSON round trip is unchanged."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest

from graph_models.io import export_map, import_file
from graph_models.io.exporter import END_NAME_COLUMNS
from tests.io.conftest import MAP, version

SECRET = b"export-names-secret"
SOURCE_NAME, TARGET_NAME = END_NAME_COLUMNS["source"], END_NAME_COLUMNS["target"]


def _csv_ties(data: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        text = z.read("relationships.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_ties_name_both_ends_beside_the_ids(store, loaded):
    rows = _csv_ties(export_map(store, MAP, "csv").data)
    header = list(rows[0])
    assert header[1:5] == ["source", SOURCE_NAME, "target", TARGET_NAME]
    by_id = {r["id"]: r for r in rows}
    assert (by_id["t1"][SOURCE_NAME], by_id["t1"][TARGET_NAME]) == ("Ann Evans", "Bryn Ŵyn")
    assert (by_id["t4"][SOURCE_NAME], by_id["t4"][TARGET_NAME]) == (
        "Cwm Clinic",
        "Valleys Food Bank",
    )
    # a name that looks like a formula is guarded like any cell
    assert all(not r[SOURCE_NAME].startswith("=") for r in rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_edited_names_are_not_read_on_reimport(store, loaded, fmt):
    data = export_map(store, MAP, fmt).data
    if fmt == "csv":
        rows = _csv_ties(data)
        for r in rows:
            r[SOURCE_NAME], r[TARGET_NAME] = "Someone Else", "Nobody"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        edited, name = out.getvalue().encode(), "relationships.csv"
    else:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        ws = wb["relationships"]
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            row[header.index(SOURCE_NAME)].value = "Someone Else"
        buffer = io.BytesIO()
        wb.save(buffer)
        edited, name = buffer.getvalue(), "map.xlsx"
    before = version(store)
    report = import_file(store, MAP, io.BytesIO(edited), filename=name)
    assert not report.written and version(store) == before
    ignored = [c for cols in report.ignored_columns.values() for c in cols]
    assert SOURCE_NAME in ignored


def test_a_viewer_export_names_ends_as_the_viewer_may_see_them(store, loaded):
    data = export_map(store, MAP, "xlsx", viewer=True, secret=SECRET).data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["relationships"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    text = json.dumps(rows, default=str)
    assert (
        "Bryn Ŵyn" not in text
        and "Dai Hidden" not in text
        and "dai" not in {r["source"] for r in rows}
    )
    # Ann's tie to Bryn (anonymised): his pseudonym, under his pseudonymous id
    tie = next(r for r in rows if r["source"] == "ann" and r["kind"] == "knows")
    assert tie[SOURCE_NAME] == "Ann Evans"
    assert tie[TARGET_NAME] == "a person in housing" and tie["target"].startswith("anon-")


def test_json_has_no_name_columns_and_round_trips(store, loaded):
    first = export_map(store, MAP, "json").data
    assert SOURCE_NAME not in first.decode()
    assert json.loads(first)["relationships"][0].keys() >= {"source", "target"}
