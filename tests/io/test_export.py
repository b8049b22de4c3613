"""Export on both stores: lossless JSON, re-importable CSV/XLSX, Gephi-ready GraphML/GEXF,
consent for viewers, formula guards, and the templates."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import openpyxl
import pytest

from graph_models.io import (
    TEMPLATE_NAMES,
    export_map,
    import_file,
    template_csv,
    template_xlsx,
)
from graph_models.io.exporter import to_graph
from graph_models.model import DEFAULT_SILOS, Map, Silo
from graph_models.schemas import build_map
from tests.io.conftest import HYPERLINK, MAP, SECRET, new_map, version

FORMATS = ["json", "csv", "xlsx", "graphml", "gexf"]


def contents(store, map_id: str) -> dict:
    """Everything in a map but its id and name (the JSON export minus the map's identity)."""
    doc = json.loads(export_map(store, map_id, "json").data)
    doc["map"].pop("id")
    doc["map"].pop("name")
    return doc


def test_json_export_import_export_is_identical(store, loaded):
    first = export_map(store, MAP, "json")
    assert first.content_type == "application/json" and first.filename == "m.json"
    doc = json.loads(first.data)
    assert set(doc) == {"map", "people", "organisations", "relationships"}
    # into an empty map made from the file's own map section: the same bytes again
    store.delete_map(MAP)
    store.create_map(build_map(doc["map"]))
    report = import_file(store, MAP, io.BytesIO(first.data), filename="m.json")
    assert report.total.created == len(doc["people"]) + len(doc["organisations"]) + 6
    assert export_map(store, MAP, "json").data == first.data
    # and into an empty map with another id
    store.create_map(build_map({**doc["map"], "id": "copy"}))
    import_file(store, "copy", io.BytesIO(first.data), filename="m.json")
    assert contents(store, "copy") == contents(store, MAP)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips_and_reimports_unchanged(store, loaded, fmt):
    exported = export_map(store, MAP, fmt)
    new_map(store, "copy")
    report = import_file(store, "copy", io.BytesIO(exported.data), filename=exported.filename)
    assert report.total.created == 17 and report.written
    assert contents(store, "copy") == contents(store, MAP)
    before = version(store, "copy")
    again = import_file(store, "copy", io.BytesIO(exported.data), filename=exported.filename)
    assert (again.total.created, again.total.updated, again.total.unchanged) == (0, 0, 17)
    assert version(store, "copy") == before


def test_content_types_and_file_names(store, loaded):
    expected = {
        "json": ("application/json", "m.json"),
        "csv": ("application/zip", "m-csv.zip"),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "m.xlsx"),
        "graphml": ("application/graphml+xml", "m.graphml"),
        "gexf": ("application/gexf+xml", "m.gexf"),
    }
    for fmt, (ctype, name) in expected.items():
        result = export_map(store, MAP, fmt)
        assert (result.content_type, result.filename) == (ctype, name)


def test_graphml_reads_back_in_networkx_with_the_same_graph(store, loaded):
    expected = to_graph(store.graph(MAP))
    data = export_map(store, MAP, "graphml").data
    G = nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True)
    assert dict(G.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))
    assert G.nodes["clinic"]["kind"] == "statutory" and G.nodes["ann"]["silo"] == "health"
    assert G.edges["ann", "clinic", "t3"]["until"] == "2025-03-31"
    assert G.edges["ann", "bryn", "t2"]["directed"] is False  # two ties, one pair


def test_gexf_reads_back_in_networkx_with_the_same_graph(store, loaded):
    expected = to_graph(store.graph(MAP))
    data = export_map(store, MAP, "gexf").data
    G = nx.read_gexf(io.BytesIO(data))
    assert G.is_multigraph() and G.is_directed()
    assert dict(G.nodes(data=True)) == dict(expected.nodes(data=True))
    got = sorted((u, v, k, {a: x for a, x in d.items() if a not in ("id", "label")})
                 for u, v, k, d in G.edges(keys=True, data=True))  # fmt: skip
    assert got == sorted(expected.edges(keys=True, data=True))
    assert {d["id"] for _, _, d in G.edges(data=True)} == {f"t{i}" for i in range(1, 7)}


def test_viewer_exports_apply_consent(store, loaded):
    for fmt in FORMATS:
        data = export_map(store, MAP, fmt, viewer=True, secret=SECRET).data
        if fmt == "xlsx":
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            text = " ".join(
                str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row
            )
        elif fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                text = " ".join(z.read(n).decode("utf-8-sig") for n in z.namelist())
        else:
            text = data.decode()
        for secret_text in ("Dai Hidden", "dai", "Bryn", "Warden", "ann@example.org", "+44"):
            assert secret_text not in text, (fmt, secret_text)
        assert "a person in housing" in text and "Ann Evans" in text
    doc = json.loads(export_map(store, MAP, "json", viewer=True, secret=SECRET).data)
    assert {r["source"] for r in doc["relationships"]} & {"dai"} == set()
    assert all(r["notes"] == "" for r in doc["relationships"])
    # who reported a tie is shown like its ends: an anonymised reporter by pseudonym
    reporters = {p for r in doc["relationships"] for p in r["reported_by"]}
    assert "ann" in reporters and "bryn" not in reporters and len(reporters) == 3
    with pytest.raises(ValueError, match="secret"):
        export_map(store, MAP, "json", viewer=True)
    # coordinators (the default) get everything
    assert "Dai Hidden" in export_map(store, MAP, "json").data.decode()


def test_formula_like_cells_are_guarded_in_csv_and_xlsx(store, loaded):
    with zipfile.ZipFile(io.BytesIO(export_map(store, MAP, "csv").data)) as z:
        assert z.read("people.csv").startswith(b"\xef\xbb\xbfid,name,silo")  # BOM for Excel
        people = list(csv.DictReader(io.StringIO(z.read("people.csv").decode("utf-8-sig"))))
        ties = list(csv.DictReader(io.StringIO(z.read("relationships.csv").decode("utf-8-sig"))))
    cerys = next(p for p in people if p["id"] == "cerys")
    assert cerys["name"] == "'" + HYPERLINK and cerys["contact"] == "'+44 1234 567890"
    assert next(t for t in ties if t["id"] == "t4")["notes"] == "'-5% next year"
    assert next(t for t in ties if t["id"] == "t1")["notes"] == "met @ forum"  # not at the start
    wb = openpyxl.load_workbook(io.BytesIO(export_map(store, MAP, "xlsx").data))
    names = {row[0].value: row[1] for row in wb["people"].iter_rows(min_row=2)}
    assert names["cerys"].value == "'" + HYPERLINK and names["cerys"].data_type == "s"
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_templates_import_cleanly(store):
    new_map(store, MAP)
    for name, etype in TEMPLATE_NAMES.items():
        report = import_file(store, MAP, io.BytesIO(template_csv(etype)), filename=name)
        assert report.written and report.total.created >= 2
    new_map(store, "book")
    report = import_file(store, "book", io.BytesIO(template_xlsx()), filename="t.xlsx")
    assert report.ignored_sheets == ["notes"] and report.total.created == 7
    assert contents(store, "book")["relationships"] == contents(store, MAP)["relationships"]


def test_export_of_an_unknown_map_is_404(store):
    from graph_models.errors import NotFound

    with pytest.raises(NotFound):
        export_map(store, "nope", "json")


def test_empty_map_exports(store):
    store.create_map(Map("e", "Empty", silos=[Silo(n, c) for n, c in DEFAULT_SILOS]))
    for fmt in FORMATS:
        assert export_map(store, "e", fmt).data
