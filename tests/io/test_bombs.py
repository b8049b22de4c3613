"""Small files that unpack to huge ones are refused before they are read, with a clear
error, and nothing is written (issue: consent under attack, item 11)."""

from __future__ import annotations

import io
import zipfile

import pytest

from graph_models.errors import InvalidInput
from graph_models.io import import_file, readers
from graph_models.model import EntityType
from tests.io.conftest import MAP, csv_file, new_map, version


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    buffer.seek(0)
    return buffer


def _big(limit: int) -> bytes:
    line = b"p0,Someone,health\n"
    return b"id,name,silo\n" + line * (limit // len(line) + 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_zip_that_unpacks_past_the_bound_is_refused_unread(store, fmt):
    new_map(store)
    limit = readers.MAX_UNCOMPRESSED[fmt]
    if fmt == "csv":
        stream, name = _zip({"people.csv": _big(limit)}), "map.zip"
    else:
        members = {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": _big(limit)}
        stream, name = _zip(members), "map.xlsx"
    assert len(stream.getvalue()) < limit // 100  # small on the wire
    before = version(store)
    with pytest.raises(InvalidInput) as caught:
        import_file(store, MAP, stream, filename=name, entity=EntityType.PERSON)
    assert "split it" in caught.value.errors["file"][0]
    assert version(store) == before


def test_rows_past_the_bound_stop_the_import_and_write_nothing(store, monkeypatch):
    new_map(store)
    monkeypatch.setattr(readers, "MAX_ROWS", 50)
    lines = [f"p{i},Person {i},health\n" for i in range(51)]
    rows = "".join(lines)
    before = version(store)
    with pytest.raises(InvalidInput) as caught:
        import_file(store, MAP, csv_file("id,name,silo\n" + rows), filename="people.csv")
    assert "more than 50 rows" in caught.value.errors["file"][0]
    assert version(store) == before
    report = import_file(
        store, MAP, csv_file("id,name,silo\n" + "".join(lines[:50])), filename="people.csv"
    )
    assert report.written  # under the bound it imports as usual


def test_a_header_wider_than_any_real_sheet_is_refused(store):
    new_map(store)
    header = ",".join(["id", "name", "silo"] + [f"c{i}" for i in range(readers.MAX_COLUMNS)])
    with pytest.raises(InvalidInput):
        import_file(store, MAP, csv_file(header + "\np1,P,health\n"), filename="people.csv")
