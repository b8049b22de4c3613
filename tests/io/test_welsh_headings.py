"""Welsh column headings and the Welsh templates (issue 15, item 4).

A file headed in Welsh ("Enw", "Seilo", "Rôl", "Ffynhonnell", "Cryfder"...) imports
exactly as the same file headed in English: the same people, organisations and ties.
Headings are matched after text folding, so "ROL" and "Rol" are "Rôl". The Welsh
templates (CSV and XLSX) have Welsh headings and import to the same map as the English.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from graph_models.io import (
    TEMPLATE_NAMES,
    WELSH_TEMPLATE_NAMES,
    export_map,
    import_file,
    template_csv,
    template_xlsx,
)
from graph_models.io import columns as cols
from graph_models.model import EntityType
from graph_models.store.embedded import EmbeddedStore
from tests.io.conftest import new_map


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "db.sqlite3")
    yield s
    s.close()


def contents(store, map_id: str) -> dict:
    doc = json.loads(export_map(store, map_id, "json").data)
    doc["map"].pop("id")
    doc["map"].pop("name")
    return doc


PEOPLE_CY = (
    "Cyfeirnod,Enw,Seilo,ROL,Cyswllt,Gwelededd\n"
    "sian,Siân Prys,health,Nyrs,sian@example.org,named\n"
    ",Llŷr Hughes,housing,Swyddog tai,,anonymised\n"
    "cudd,Dewi Cudd,housing,,,hidden\n"
)
PEOPLE_EN = (
    "id,name,silo,role,contact,visibility\n"
    "sian,Siân Prys,health,Nyrs,sian@example.org,named\n"
    ",Llŷr Hughes,housing,Swyddog tai,,anonymised\n"
    "cudd,Dewi Cudd,housing,,,hidden\n"
)
TIES_CY = (
    "Ffynhonnell,Targed,Math,Cryfder,Ers,Nodiadau\n"
    "sian,Llŷr Hughes,knows,4,01/03/2024,Fforwm tai\n"
    "sian,cudd,works_with,2,,\n"
)
TIES_EN = (
    "source,target,kind,strength,since,notes\n"
    "sian,Llŷr Hughes,knows,4,01/03/2024,Fforwm tai\n"
    "sian,cudd,works_with,2,,\n"
)


def _import(store, map_id, people: str, ties: str, suffix=".csv"):
    for text, name in ((people, "pobl"), (ties, "perthnasoedd")):
        report = import_file(store, map_id, io.BytesIO(text.encode()), filename=name + suffix)
        assert report.written, report
    return contents(store, map_id)


def test_a_welsh_headed_csv_imports_exactly_as_the_english_one(store):
    new_map(store, "cy")
    new_map(store, "en")
    welsh = _import(store, "cy", PEOPLE_CY, TIES_CY)
    english = _import(store, "en", PEOPLE_EN, TIES_EN)
    assert welsh == english
    people = {p["name"]: p for p in welsh["people"]}
    assert set(people) == {"Siân Prys", "Llŷr Hughes", "Dewi Cudd"}
    assert people["Siân Prys"]["role"] == "Nyrs"
    assert people["Siân Prys"]["contact"] == "sian@example.org"
    assert people["Dewi Cudd"]["visibility"] == "hidden"
    assert people["Llŷr Hughes"]["visibility"] == "anonymised"
    ties = sorted(
        (t["source"], t["kind"], t["strength"], t["since"]) for t in welsh["relationships"]
    )
    assert ties == [("sian", "knows", 4, "2024-03-01"), ("sian", "works_with", 2, None)]


def _xlsx(sheets: dict[str, str]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, text in sheets.items():
        ws = wb.create_sheet(title)
        for line in text.strip().splitlines():
            ws.append([cell or None for cell in line.split(",")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_welsh_headed_workbook_imports_exactly_as_the_english_one(store):
    new_map(store, "cy")
    new_map(store, "en")
    book = _xlsx({"Pobl": PEOPLE_CY, "Perthnasoedd": TIES_CY})
    report = import_file(store, "cy", io.BytesIO(book), filename="llyfr.xlsx")
    assert report.written and report.total.created == 5, report
    english = _import(store, "en", PEOPLE_EN, TIES_EN)
    assert contents(store, "cy") == english


def test_welsh_headings_are_matched_with_text_folding():
    for written in ("Rôl", "rol", "ROL", " Rôl "):
        assert cols.match_header(["Enw", "Seilo", written], EntityType.PERSON).fields["role"]
    header = cols.match_header(["Enw'r sefydliad", "Sector", "Math"], EntityType.ORGANISATION)
    assert set(header.fields) == {"name", "silo", "kind"} and not header.errors
    assert cols.guess_entity(["Enw", "Seilo", "Gwelededd"]) is EntityType.PERSON
    assert cols.guess_entity(["Ffynhonnell", "Targed", "Math"]) is EntityType.RELATIONSHIP
    assert cols.guess_entity(["Enw", "Seilo", "Math"]) is EntityType.ORGANISATION
    assert cols.entity_of_sheet("Sefydliadau") is EntityType.ORGANISATION
    # every column of every kind has a Welsh heading
    for etype, columns in cols.COLUMNS.items():
        assert {c.name for c in columns} == set(cols.WELSH[etype]), etype


def test_the_welsh_templates_have_welsh_headings_and_import_as_the_english_ones(store):
    for name, etype in WELSH_TEMPLATE_NAMES.items():
        header = template_csv(etype, "cy").decode("utf-8-sig").splitlines()[0].split(",")
        assert header == [cols.WELSH[etype][c.name][0] for c in cols.COLUMNS[etype]], name
    assert (
        template_csv(EntityType.PERSON, "cy")
        .decode("utf-8-sig")
        .startswith("Cyfeirnod,Enw,Seilo,Rôl,")
    )
    new_map(store, "cy-csv")
    new_map(store, "en-csv")
    for (cy_name, etype), en_name in zip(WELSH_TEMPLATE_NAMES.items(), TEMPLATE_NAMES, strict=True):
        for map_id, data, name in (
            ("cy-csv", template_csv(etype, "cy"), cy_name),
            ("en-csv", template_csv(etype), en_name),
        ):
            assert import_file(store, map_id, io.BytesIO(data), filename=name).written
    assert contents(store, "cy-csv") == contents(store, "en-csv")
    new_map(store, "cy-book")
    book = template_xlsx("cy")
    wb = openpyxl.load_workbook(io.BytesIO(book))
    assert wb.sheetnames == ["pobl", "sefydliadau", "perthnasoedd", "nodiadau"]
    assert [c.value for c in wb["pobl"][1]][:4] == ["Cyfeirnod", "Enw", "Seilo", "Rôl"]
    report = import_file(store, "cy-book", io.BytesIO(book), filename="templed.xlsx")
    assert report.ignored_sheets == ["nodiadau"] and report.total.created == 7
    assert contents(store, "cy-book") == contents(store, "cy-csv")


def test_welsh_values_import_as_the_words_the_welsh_pages_show(store):
    """A sheet filled in Welsh: consent (wedi'i enwi, dienw, cudd — with a typed ’ too),
    organisation kinds (grŵp cymunedol, statudol) and tie kinds (yn adnabod, gweithio
    gyda) import as the English values they stand for."""
    new_map(store, "cy")
    new_map(store, "en")
    people_cy = (
        "Cyfeirnod,Enw,Seilo,Gwelededd\n"
        "sian,Siân Prys,health,Wedi’i enwi\n"
        "llyr,Llŷr Hughes,housing,DIENW\n"
        "cudd,Dewi Cudd,housing,cudd\n"
    )
    people_en = (
        "id,name,silo,visibility\n"
        "sian,Siân Prys,health,named\n"
        "llyr,Llŷr Hughes,housing,anonymised\n"
        "cudd,Dewi Cudd,housing,hidden\n"
    )
    orgs = (
        "{id},{name},{silo},{kind}\n"
        "clwb,Clwb Ieuenctid,community,{a}\ncyngor,Cyngor,local authority,{b}\n"
    )
    for map_id, people, org_rows, ties in (
        (
            "cy",
            people_cy,
            orgs.format(
                id="Cyfeirnod",
                name="Enw",
                silo="Seilo",
                kind="Math",
                a="Grwp cymunedol",
                b="statudol",
            ),
            "Ffynhonnell,Targed,Math\nsian,llyr,yn adnabod\nllyr,cudd,Gweithio gyda\n",
        ),
        (
            "en",
            people_en,
            orgs.format(
                id="id", name="name", silo="silo", kind="kind", a="community group", b="statutory"
            ),
            "source,target,kind\nsian,llyr,knows\nllyr,cudd,works_with\n",
        ),
    ):
        for text, name in ((people, "pobl"), (org_rows, "sefydliadau"), (ties, "perthnasoedd")):
            report = import_file(store, map_id, io.BytesIO(text.encode()), filename=name + ".csv")
            assert report.written, report
    assert contents(store, "cy") == contents(store, "en")
    assert {p["visibility"] for p in contents(store, "cy")["people"]} == {
        "named",
        "anonymised",
        "hidden",
    }


def test_the_welsh_workbook_describes_every_column_in_welsh():
    """The notes sheet of the Welsh workbook says what each column holds in Welsh: every
    column has a Welsh meaning, and no English meaning is left in the sheet."""
    from graph_models.io.templates import WELSH_MEANINGS

    assert {(e, c.name) for e, columns in cols.COLUMNS.items() for c in columns} <= set(
        WELSH_MEANINGS
    )
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("cy")))
    rows = list(book["nodiadau"].iter_rows(values_only=True))
    meanings = [r[3] for r in rows[1:] if r and r[0] and r[3]]
    english = {c.meaning for columns in cols.COLUMNS.values() for c in columns}
    assert len(meanings) == sum(len(c) for c in cols.COLUMNS.values())
    assert not any(m in english or m.split(":")[0] in english for m in meanings)
    assert "eu henw" in meanings
