"""Import, export and templates over HTTP, on both stores.

Bad input gives the one error shape (422 naming sheet, row and column; 413 when too
large; 404 for an unknown map) and never writes: each bad-input test checks the version.
"""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest

MAP = "/api/v1/maps/m1"

PEOPLE = b"id,name,Sector,role\nann,Ann Evans,health,GP\nben,Ben Price,Housing,Warden\n"
TIES = b"source,target,kind,strength\nann,Ben Price,knows,4\n"


@pytest.fixture
def api(client):
    r = client.post("/api/v1/maps", json={"id": "m1", "name": "Partnership"})
    assert r.status_code == 201, r.json
    return client


def version(client) -> int:
    return client.get(MAP).json["version"]


def upload(client, data: bytes, filename: str, map_path: str = MAP, **fields):
    form = {"file": (io.BytesIO(data), filename), **{k: str(v) for k, v in fields.items()}}
    return client.post(f"{map_path}/import", data=form, content_type="multipart/form-data")


def assert_error(response, status, text=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == status and body["message"]
    if text is not None:
        assert text in json.dumps(body), body
    return body


@pytest.mark.both_stores
def test_import_csv_then_again_changes_nothing(api):
    r = upload(api, PEOPLE, "people.csv")
    assert r.status_code == 200, r.json
    assert r.json["created"] == 2 and r.json["people"]["created"] == 2 and r.json["written"]
    assert r.json["version"] == version(api)
    r = upload(api, TIES, "ties.csv")
    assert r.json["relationships"]["created"] == 1
    v = version(api)
    r = upload(api, PEOPLE, "people.csv")
    assert (r.json["unchanged"], r.json["written"]) == (2, False)
    assert version(api) == v
    edited = PEOPLE.replace(b"Warden", b"Manager")
    r = upload(api, edited, "people.csv")
    assert r.json["changes"]["people"]["updated"] == ["ben"] and version(api) == v + 1
    assert api.get(f"{MAP}/people/ben").json["role"] == "Manager"


def test_dry_run_entity_and_add_silos(api):
    data = b"name,silo\nYan,Youth Work\n"
    before = version(api)
    r = upload(api, data, "list.csv", entity="people", dry_run="true", add_silos="true")
    assert r.status_code == 200, r.json
    assert r.json["dry_run"] and not r.json["written"] and r.json["silos_added"] == ["Youth Work"]
    assert version(api) == before and api.get(f"{MAP}/people").json["total"] == 0
    r = upload(api, data, "list.csv", entity="people", add_silos="true")
    assert r.json["created"] == 1
    assert "Youth Work" in [s["name"] for s in api.get(MAP).json["silos"]]


def test_invalid_rows_are_422_by_sheet_row_and_column(api):
    before = version(api)
    data = b"id,name,Sector,role\nann,Ann,health,\nbob,Bob,atlantis,\n,,police,\n"
    body = assert_error(upload(api, data, "people.csv"), 422)
    assert set(body["errors"]["people.csv"]) == {"3", "4"}
    assert "must be one of" in body["errors"]["people.csv"]["3"]["Sector"][0]
    assert body["errors"]["people.csv"]["4"]["name"]
    assert version(api) == before


@pytest.mark.parametrize(
    ("data", "filename", "fields", "text"),
    [
        (b"", "people.csv", {}, "empty"),
        (b"id,name,silo,role\n", "people.csv", {}, "no rows"),
        (b"a;b;c\n1;2;3\n", "people.csv", {}, "no column"),
        (b"<graphml><graph>", "g.graphml", {}, "malformed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node id="&b;"/>'
            b"</graph></graphml>",
            "g.graphml",
            {},
            "DTD",
        ),
        (b"{}", "x.json", {"entity": "people"}, "entity"),
        (PEOPLE, "people.csv", {"format": "pdf"}, "format"),
        (PEOPLE, "people.csv", {"entity": "cats"}, "entity"),
        (PEOPLE, "people.csv", {"dry_run": "perhaps"}, "dry_run"),
        (PEOPLE, "people.csv", {"bogus": "1"}, "bogus"),
    ],
)
def test_bad_uploads_are_422_and_write_nothing(api, data, filename, fields, text):
    before = version(api)
    assert_error(upload(api, data, filename, **fields), 422, text)
    assert version(api) == before


def test_missing_file_is_422(api):
    r = api.post(f"{MAP}/import", data={"dry_run": "true"}, content_type="multipart/form-data")
    assert_error(r, 422, "file")


def test_too_large_upload_is_413(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    before = version(api)
    rows = b"".join(b"p%d,Person %d,health,\n" % (i, i) for i in range(1000))
    assert_error(upload(api, b"id,name,silo,role\n" + rows, "people.csv"), 413)
    assert version(api) == before


def test_unknown_map_is_404(api):
    assert_error(upload(api, PEOPLE, "people.csv", map_path="/api/v1/maps/nope"), 404)
    assert_error(api.get("/api/v1/maps/nope/export"), 404)


def test_xlsx_upload_with_formula_is_named(api):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "People"
    ws.append(["name", "silo", "role"])
    ws.append(["Ann", "health", "GP"])
    ws["A3"] = '=HYPERLINK("http://evil.example","x")'
    ws["B3"] = "police"
    buffer = io.BytesIO()
    wb.save(buffer)
    before = version(api)
    body = assert_error(upload(api, buffer.getvalue(), "book.xlsx"), 422, "holds a formula")
    assert "A3" in body["errors"]["People"]["3"]["name"][0]
    assert version(api) == before


@pytest.mark.parametrize(
    ("fmt", "ctype", "name"),
    [
        ("json", "application/json", "m1.json"),
        ("csv", "application/zip", "m1-csv.zip"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "m1.xlsx"),
        ("graphml", "application/graphml+xml", "m1.graphml"),
        ("gexf", "application/gexf+xml", "m1.gexf"),
    ],
)
def test_export_formats_round_trip_over_http(api, fmt, ctype, name):
    upload(api, PEOPLE, "people.csv")
    upload(api, TIES, "ties.csv")
    r = api.get(f"{MAP}/export?format={fmt}")
    assert r.status_code == 200
    assert r.mimetype == ctype
    assert r.headers["Content-Disposition"] == f"attachment; filename={name}"
    api.post("/api/v1/maps", json={"id": "m2", "name": "Copy"})
    r2 = upload(api, r.data, name, map_path="/api/v1/maps/m2")
    assert r2.status_code == 200, r2.json
    assert (r2.json["created"], r2.json["relationships"]["created"]) == (3, 1)


def test_export_defaults_to_json_and_checks_arguments(api):
    upload(api, PEOPLE, "people.csv")
    doc = api.get(f"{MAP}/export").json
    assert [p["id"] for p in doc["people"]] == ["ann", "ben"]
    assert_error(api.get(f"{MAP}/export?format=pdf"), 422, "format")
    assert_error(api.get(f"{MAP}/export?fromat=csv"), 422, "fromat")


@pytest.mark.both_stores
def test_viewer_export_applies_consent(api):
    data = b"id,name,silo,role,visibility\nann,Ann,health,GP,named\nhid,Secret Sam,health,,hidden\n"
    upload(api, data, "people.csv")
    upload(api, b"source,target,kind\nann,hid,knows\n", "ties.csv")
    text = api.get(f"{MAP}/export?format=csv&viewer=true").data
    with zipfile.ZipFile(io.BytesIO(text)) as z:
        everything = b"".join(z.read(n) for n in z.namelist())
    assert b"Secret Sam" not in everything and b"hid" not in everything and b"Ann" in everything
    assert "Secret Sam" in api.get(f"{MAP}/export?format=json").get_data(as_text=True)


def test_templates(api):
    for name in ("people.csv", "organisations.csv", "relationships.csv"):
        r = api.get(f"/api/v1/templates/{name}")
        assert r.status_code == 200 and r.mimetype == "text/csv"
        assert r.headers["Content-Disposition"] == f"attachment; filename={name}"
        assert r.data.startswith(b"\xef\xbb\xbfid,")
        assert upload(api, r.data, name).status_code == 200
    r = api.get("/api/v1/templates/bridgemap-template.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["people", "organisations", "relationships", "notes"]
    assert_error(api.get("/api/v1/templates/secrets.csv"), 404)


def test_openapi_lists_the_routes(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/maps/{map_id}/import" in paths
    assert "/api/v1/maps/{map_id}/export" in paths
    assert "/api/v1/templates/{name}" in paths


def test_cli_import_and_export(tmp_path, monkeypatch):
    """``bridgemap import`` / ``export`` on the embedded store (the CLI opens its own)."""
    from click.testing import CliRunner

    from service.cli import main

    monkeypatch.setenv("BRIDGEMAP_DATABASE", str(tmp_path / "cli.sqlite3"))
    monkeypatch.delenv("BRIDGEMAP_NEO4J_URI", raising=False)
    monkeypatch.setenv("BRIDGEMAP_SECRET_KEY", "cli-test-secret")
    people = tmp_path / "people.csv"
    people.write_bytes(PEOPLE)
    runner = CliRunner()
    r = runner.invoke(main, ["import", "cli", str(people), "--create"])
    assert r.exit_code == 0, r.output
    assert "2 created" in r.output and "version 1" in r.output
    r = runner.invoke(main, ["import", "cli", str(people), "--dry-run"])
    assert r.exit_code == 0 and "2 unchanged" in r.output and "dry run" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"source,target,kind\nann,nobody,knows\n")
    r = runner.invoke(main, ["import", "cli", str(bad)])
    assert r.exit_code == 1 and "bad.csv row 2, target" in r.output
    out = tmp_path / "cli.xlsx"
    r = runner.invoke(main, ["export", "cli", "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0 and out.stat().st_size > 0
    r = runner.invoke(main, ["export", "cli", "--format", "json", "--viewer"])
    assert r.exit_code == 0 and json.loads(r.stdout)["people"][0]["id"] == "ann"
    r = runner.invoke(main, ["import", "other", str(people)])
    assert r.exit_code == 1 and "no map 'other'" in r.output
