"""A map's own kinds through files (issues 13 and 15): a Kumu file's free-form types
map onto them, on both stores; the JSON export carries the map's kinds and Welsh labels
and a JSON import brings them back (the lossless round trip)."""

from __future__ import annotations

import io
import json

import pytest

from graph_models.errors import InvalidInput
from graph_models.io import export_map, import_file
from graph_models.io.inspect import inspect_file
from graph_models.model import Map, MapKind, NodeType, Silo
from tests import mapping_files as mf

P, O = NodeType.PERSON, NodeType.ORGANISATION


def _kinded_map(store, map_id="k"):
    m = Map(map_id, "Kinds", silos=[Silo("Partners", "#117733", "Partneriaid")])
    m.kinds = [
        MapKind("collaborates", "collaborates", P, P, label_cy="cydweithio"),
        MapKind("member", "is a member of", P, O, directed=True, affiliation=True),
    ]
    store.create_map(m)
    return map_id


def _own_kind_mapping() -> dict:
    mapping = mf.kumu_mapping()
    mapping["relationships"]["kind"]["values"] = {
        "collaborates|undirected": "collaborates",
        "member|directed": "member",
        "partnership|mutual": "partners_with",
        "funds|directed": "funds",
    }
    return mapping


def test_kumu_types_map_onto_the_maps_own_kinds(store):
    map_id = _kinded_map(store)
    report = import_file(
        store,
        map_id,
        io.BytesIO(mf.kumu_workbook()),
        filename="k.xlsx",
        mapping=_own_kind_mapping(),
    )
    assert report.written
    g = store.graph(map_id)
    people = {p.name: p.id for p in g.people}
    orgs = {o.name: o.id for o in g.organisations}
    kinds = sorted(r.kind for r in g.relationships)
    assert kinds == sorted(["collaborates"] * 3 + ["member"] * 3 + ["partners_with", "funds"])
    # "Cartrefi Cymru -> Owen Hughes" (organisation first) turned round by the map's rule
    ties = {(r.source, r.target): r.kind for r in g.relationships}
    assert ties[(people["Owen Hughes"], orgs["Cartrefi Cymru"])] == "member"
    again = import_file(
        store,
        map_id,
        io.BytesIO(mf.kumu_workbook()),
        filename="k.xlsx",
        mapping=_own_kind_mapping(),
    )
    assert not again.written


def test_a_mapping_onto_a_kind_the_map_lacks_names_the_field(store):
    map_id = _kinded_map(store)
    mapping = _own_kind_mapping()
    mapping["relationships"]["kind"]["values"]["funds|directed"] = "bankrolls"
    with pytest.raises(InvalidInput) as caught:
        import_file(
            store, map_id, io.BytesIO(mf.kumu_workbook()), filename="k.xlsx", mapping=mapping
        )
    assert "relationships.kind.values.funds|directed" in caught.value.errors
    assert store.graph(map_id).relationships == []


def test_inspection_proposes_the_maps_own_kind_for_a_matching_type(store):
    from graph_models.io import raw
    from graph_models.io.inspect import inspect_raw

    with raw.read(io.BytesIO(mf.kumu_workbook()), filename="k.xlsx") as found:
        own = inspect_raw(found, store.get_map(_kinded_map(store)).kind_names())
    assert own.guess["relationships"]["kind"]["values"]["collaborates|undirected"] == "collaborates"
    plain = inspect_file(io.BytesIO(mf.kumu_workbook()), filename="k.xlsx")
    assert (
        plain.guess["relationships"]["kind"]["values"]["collaborates|undirected"] != "collaborates"
    )


def test_json_round_trip_keeps_the_maps_kinds_and_welsh_labels(store):
    map_id = _kinded_map(store)
    import_file(
        store,
        map_id,
        io.BytesIO(mf.kumu_workbook()),
        filename="k.xlsx",
        mapping=_own_kind_mapping(),
    )
    data = export_map(store, map_id, "json").data
    section = json.loads(data)["map"]
    assert [k["name"] for k in section["kinds"]] == ["collaborates", "member"]
    assert section["kinds"][0]["label_cy"] == "cydweithio"
    assert section["silos"][0]["label_cy"] == "Partneriaid"

    store.create_map(Map("copy", "Copy", silos=[Silo("Partners")]))
    report = import_file(store, "copy", io.BytesIO(data), filename="k.json", add_silos=True)
    assert report.written and report.kinds_added == ["collaborates", "member"]
    copy = store.get_map("copy")
    assert [
        (k.name, k.label, k.label_cy, k.source, k.target, k.directed, k.affiliation)
        for k in copy.kinds
    ] == [
        (k.name, k.label, k.label_cy, k.source, k.target, k.directed, k.affiliation)
        for k in store.get_map(map_id).kinds
    ]
    assert [(s.name, s.label_cy) for s in copy.silos] == [("Partners", "Partneriaid")]
    original = sorted((r.id, r.kind, r.source, r.target) for r in store.graph(map_id).relationships)
    copied = sorted((r.id, r.kind, r.source, r.target) for r in store.graph("copy").relationships)
    assert copied == original
    again = export_map(store, "copy", "json").data
    assert json.loads(again)["map"]["kinds"] == section["kinds"]
