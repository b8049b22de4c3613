"""A file updates only the fields it carries: a column it lacks, or a blank cell, never
changes the stored value — above all never a person's consent (issue: consent under
attack, item 14). Run for every format, on both stores."""

from __future__ import annotations

import io
import json

import pytest

from graph_models.io import import_file
from graph_models.model import EntityType, Visibility
from tests.io.conftest import MAP, csv_file, xlsx_file


def _people(store) -> dict:
    return {p.id: p for p in store.graph(MAP).people}


def _json_file(rows: list[dict]) -> io.BytesIO:
    return io.BytesIO(json.dumps({"people": rows}).encode())


def _graphml_file(rows: list[dict]) -> io.BytesIO:
    keys = sorted({k for r in rows for k in r if k != "id"})
    head = "".join(f'<key id="{k}" for="node" attr.name="{k}" attr.type="string"/>' for k in keys)
    nodes = "".join(
        f'<node id="{r["id"]}">'
        + "".join(f'<data key="{k}">{v}</data>' for k, v in r.items() if k != "id")
        + '<data key="type">person</data></node>'
        for r in rows
    )
    head += '<key id="type" for="node" attr.name="type" attr.type="string"/>'
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        f'{head}<graph edgedefault="undirected">{nodes}</graph></graphml>'
    )
    return io.BytesIO(text.encode())


ROLE_FIX = [
    {"id": "bryn", "name": "Bryn Ŵyn", "silo": "housing", "role": "Senior warden"},
    {"id": "dai", "name": "Dai Hidden", "silo": "health", "role": "Nurse"},
    {"id": "ann", "name": "Ann Evans", "silo": "health", "role": "Partner GP"},
]


def _csv(rows, extra_blank_visibility=False) -> tuple[io.BytesIO, str]:
    head = "id,name,silo,role" + (",visibility" if extra_blank_visibility else "")
    lines = [head] + [
        ",".join(
            [r["id"], r["name"], r["silo"], r["role"]] + ([""] if extra_blank_visibility else [])
        )
        for r in rows
    ]
    return csv_file("\n".join(lines) + "\n"), "people.csv"


def _xlsx(rows) -> tuple[io.BytesIO, str]:
    table = [["id", "name", "silo", "role", "visibility", "contact"]]
    table += [[r["id"], r["name"], r["silo"], r["role"], None, None] for r in rows]
    return xlsx_file({"People": table}), "people.xlsx"


FILES = {
    "csv without consent": lambda rows: _csv(rows),
    "csv with blank consent": lambda rows: _csv(rows, extra_blank_visibility=True),
    "xlsx with blank cells": _xlsx,
    "json without consent": lambda rows: (_json_file(rows), "people.json"),
    "graphml without consent": lambda rows: (_graphml_file(rows), "people.graphml"),
}


@pytest.mark.parametrize("kind", list(FILES))
def test_a_file_that_omits_consent_never_loosens_it(store, loaded, kind):
    before = _people(store)
    stream, name = FILES[kind](ROLE_FIX)
    entity = EntityType.PERSON if name.endswith((".csv", ".xlsx")) else None
    report = import_file(store, MAP, stream, filename=name, entity=entity)
    assert report.written, report.as_dict()
    after = _people(store)
    assert after["bryn"].role == "Senior warden" and after["dai"].role == "Nurse"
    assert after["bryn"].visibility is Visibility.ANONYMISED
    assert after["dai"].visibility is Visibility.HIDDEN
    for pid in ("ann", "bryn", "dai"):  # nothing the file did not carry has changed
        for field in ("contact", "area", "tags", "visibility"):
            assert getattr(after[pid], field) == getattr(before[pid], field), (pid, field)
    assert report.consent_changes == []


def test_a_file_that_does_change_consent_says_so(store, loaded):
    text = "id,name,silo,visibility\nbryn,Bryn Ŵyn,housing,named\n"
    report = import_file(store, MAP, csv_file(text), filename="p.csv", dry_run=True)
    assert report.consent_changes == [{"id": "bryn", "from": "anonymised", "to": "named"}]
    assert report.as_dict()["consent_changes"] == report.consent_changes
    assert _people(store)["bryn"].visibility is Visibility.ANONYMISED  # a dry run


def test_a_tie_row_without_notes_keeps_them(store, loaded):
    text = "id,source,target,kind,strength\nt4,clinic,bank,funds,5\n"
    import_file(store, MAP, csv_file(text), filename="ties.csv", entity=EntityType.RELATIONSHIP)
    tie = next(r for r in store.graph(MAP).relationships if r.id == "t4")
    assert tie.strength == 5 and tie.notes == "-5% next year" and tie.evidence == "report"


def test_new_people_without_consent_get_the_maps_stated_default(store, loaded):
    m = store.get_map(MAP)
    m.default_visibility = Visibility.ANONYMISED
    store.update_map(m)
    text = "id,name,silo,role\nnew1,Nia New,health,Nurse\ndai,Dai Hidden,health,Matron\n"
    check = import_file(store, MAP, csv_file(text), filename="p.csv", dry_run=True)
    assert check.default_consent == {"visibility": "anonymised", "people": 1}  # the check says
    assert check.as_dict()["default_consent"] == check.default_consent
    import_file(store, MAP, csv_file(text), filename="p.csv")
    people = _people(store)
    assert people["new1"].visibility is Visibility.ANONYMISED
    assert people["dai"].visibility is Visibility.HIDDEN and people["dai"].role == "Matron"


def test_the_store_settles_unsaid_consent_in_the_write(store, loaded):
    """Every way in (one create, a bulk write, a full update) leaves a person whose
    consent was not said with their stored consent, or the map's default if new."""
    from graph_models.io.rows import build_batch, build_entity

    m = store.get_map(MAP)
    m.default_visibility = Visibility.HIDDEN
    store.update_map(m)
    m = store.get_map(MAP)
    made = store.create(MAP, build_entity(m, EntityType.PERSON, {"name": "Nia", "silo": "health"}))
    assert made.visibility is Visibility.HIDDEN
    batch = build_batch(
        m,
        {
            "people": [
                {"id": "bryn", "name": "Bryn Ŵyn", "silo": "housing"},  # stored: anonymised
                {"id": "ann", "name": "Ann Evans", "silo": "health"},  # stored: named
                {"id": "new2", "name": "Newydd", "silo": "health"},
            ]
        },
    )
    store.bulk_upsert(MAP, batch["people"], [])
    renamed = {"id": "h1", "name": "Housing One", "silo": "housing"}  # stored: named
    store.update(MAP, build_entity(m, EntityType.PERSON, renamed))
    people = _people(store)
    assert people["bryn"].visibility is Visibility.ANONYMISED
    assert people["ann"].visibility is Visibility.NAMED
    assert people["new2"].visibility is Visibility.HIDDEN
    assert people["h1"].visibility is Visibility.NAMED and people["h1"].name == "Housing One"
    assert people[made.id].visibility is Visibility.HIDDEN
