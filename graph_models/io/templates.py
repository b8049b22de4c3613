"""Blank import templates with example rows: one CSV per entity type, or one workbook.

The examples fit together (imported into a map with the default silos they make two
people, two organisations and three ties) and show both ways of naming an endpoint:
by id (``ann-evans``) and by unique name (``Cai Price``, who has no id, so one is
derived from the name). The workbook adds a ``notes`` sheet describing every column
(the importer ignores sheets it does not recognise) and drop-down lists for the fixed
vocabularies.

Both come in English and in Welsh (``language="cy"``): the Welsh ones have Welsh
headings (:data:`graph_models.io.columns.WELSH`), Welsh sheet and file names, and
import exactly as the English ones do (the importer accepts either heading). The
example values (silos, kinds, consent) stay the map's stored vocabulary, which is the
key whatever language a page shows it in.
"""

from __future__ import annotations

import io

from graph_models.io import columns as cols
from graph_models.io.exporter import csv_bytes, write_sheets
from graph_models.model import EntityType

EXAMPLES: dict[EntityType, list[list]] = {
    EntityType.PERSON: [
        [
            "ann-evans",
            "Ann Evans",
            "health",
            "GP",
            "Rhondda",
            "gp; north",
            "ann@example.org",
            "named",
        ],
        ["", "Cai Price", "housing", "Tenancy officer", "Pontypridd", "", "", "anonymised"],
    ],
    EntityType.ORGANISATION: [
        ["cwm-health", "Cwm Health Board", "health", "statutory", "Rhondda", ""],
        ["", "Valleys Food Bank", "third sector", "third sector", "Pontypridd", "food"],
    ],
    EntityType.RELATIONSHIP: [
        [
            "",
            "ann-evans",
            "Cai Price",
            "knows",
            4,
            "2024-03-01",
            "",
            "Met at the housing forum",
            "coordinator",
        ],
        ["", "Ann Evans", "cwm-health", "works_for", 5, "2019-09-01", "", "", ""],
        [
            "",
            "cwm-health",
            "Valleys Food Bank",
            "funds",
            3,
            "2023-04-01",
            "2025-03-31",
            "Winter grant",
            "annual report",
        ],
    ],
}

TEMPLATE_NAMES = {f"{plural}.csv": etype for etype, plural in cols.PLURAL.items()}
WORKBOOK_NAME = "bridgemap-template.xlsx"

#: The Welsh templates' sheet names (each also names its entity type on import).
WELSH_SHEETS = {
    EntityType.PERSON: "pobl",
    EntityType.ORGANISATION: "sefydliadau",
    EntityType.RELATIONSHIP: "perthnasoedd",
}
WELSH_TEMPLATE_NAMES = {f"{sheet}.csv": etype for etype, sheet in WELSH_SHEETS.items()}
WELSH_WORKBOOK_NAME = "templed-bridgemap.xlsx"
_P, _O, _R = EntityType.PERSON, EntityType.ORGANISATION, EntityType.RELATIONSHIP
#: What each column holds, in Welsh, for the Welsh workbook's notes sheet (the English is
#: :attr:`graph_models.io.columns.Column.meaning`; terms as in docs/welsh-glossary.md).
WELSH_MEANINGS: dict[tuple[EntityType, str], str] = {
    **{
        (etype, "id"): "dynodydd sefydlog (1-128 nod: llythrennau, digidau a . _ : - (yn dechrau "
        "â llythyren neu ddigid)); os yw'n wag, caiff un ei greu o'r enw"
        for etype in (_P, _O)
    },
    (_P, "name"): "eu henw",
    (_P, "silo"): "un o seilos (sectorau) y map",
    (_P, "role"): "eu rôl",
    (_P, "area"): "ble maen nhw'n gweithio",
    (_P, "tags"): "sawl tag: a; b; c",
    (_P, "contact"): "sut i gysylltu â nhw",
    (_P, "visibility"): "cydsyniad: named (wedi'i enwi, y diofyn), anonymised (dienw) neu "
    "hidden (cudd)",
    (_O, "name"): "ei enw",
    (_O, "silo"): "un o seilos (sectorau) y map",
    (_O, "kind"): "statudol, trydydd sector, grŵp cymunedol, busnes neu arall (y diofyn)",
    (_O, "area"): "ble maen nhw'n gweithio",
    (_O, "tags"): "sawl tag: a; b; c",
    (_R, "id"): "dynodydd sefydlog; os yw'n wag, caiff un ei greu",
    (_R, "source"): "dynodydd neu enw unigryw y person neu'r sefydliad y mae'r cysylltiad "
    "yn dechrau ohono",
    (_R, "target"): "dynodydd neu enw unigryw y person neu'r sefydliad y mae'r cysylltiad "
    "yn gorffen ynddo",
    (_R, "kind"): "math y cysylltiad (un o'r mathau sydd wedi'u cynnwys, neu un o fathau'r "
    "map ei hun)",
    (_R, "strength"): "1 (ychydig) i 5 (cryf)",
    (_R, "since"): "BBBB-MM-DD (neu DD/MM/BBBB)",
    (_R, "until"): "BBBB-MM-DD (neu DD/MM/BBBB)",
    (_R, "notes"): "testun rhydd",
    (_R, "evidence"): "sut rydyn ni'n gwybod",
    (_R, "origin"): "o ble daeth y cysylltiad: coordinator (cydlynydd), import (mewnforio) "
    "neu survey (arolwg)",
    (_R, "reported_by"): "dynodyddion pennau'r cysylltiad a'i enwodd mewn arolwg: a; b",
}
#: The kind column's note: a map may add kinds of its own beside the built-in ones.
OWN_KINDS_TOO = {
    "en": ", or one of your map's own kinds",
    "cy": ", neu un o fathau eich map ei hun",
}


def _headings(etype: EntityType, language: str) -> list[str]:
    return [cols.heading(etype, c.name, language) for c in cols.COLUMNS[etype]]


def _sheet(etype: EntityType, language: str) -> str:
    return WELSH_SHEETS[etype] if language == "cy" else cols.PLURAL[etype]


def template_csv(etype: EntityType, language: str = "en") -> bytes:
    """The CSV template for one entity type (UTF-8 with a byte-order mark); ``cy``:
    with Welsh headings."""
    return csv_bytes(_headings(etype, language), EXAMPLES[etype])


def template_xlsx(language: str = "en") -> bytes:
    """A workbook with sheets people, organisations, relationships and notes (``cy``:
    pobl, sefydliadau, perthnasoedd and nodiadau, with Welsh headings)."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    tables = [
        (_sheet(etype, language), (_headings(etype, language), EXAMPLES[etype]))
        for etype in cols.PLURAL
    ]
    write_sheets(wb, tables, write_only=False)
    for etype in cols.PLURAL:
        ws = wb[_sheet(etype, language)]
        for i, column in enumerate(cols.COLUMNS[etype]):
            if column.choices:
                letter = ws.cell(row=1, column=i + 1).column_letter
                own_kinds = column.name == "kind"  # a map may add kinds of its own
                rule = DataValidation(
                    type="list",
                    formula1='"' + ",".join(column.choices) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning" if own_kinds else "stop",
                    error=f"{cols.heading(etype, column.name, language)}: "
                    + ", ".join(column.choices)
                    + (OWN_KINDS_TOO.get(language, OWN_KINDS_TOO["en"]) if own_kinds else ""),
                )
                rule.add(f"{letter}2:{letter}10000")
                ws.add_data_validation(rule)
    welsh = language == "cy"
    notes = wb.create_sheet("nodiadau" if welsh else "notes")
    if welsh:
        notes.append(["taflen", "colofn", "gofynnol", "ystyr", "derbynnir hefyd"])
    else:
        notes.append(["sheet", "column", "required", "meaning", "also accepted as"])
    for etype in cols.PLURAL:
        for column in cols.COLUMNS[etype]:
            meaning = (WELSH_MEANINGS.get((etype, column.name)) if welsh else None) or (
                column.meaning
            )
            if column.choices and column.name != "visibility":
                meaning += ": " + ", ".join(column.choices)
            also = column.aliases
            if welsh:
                also = (column.name, *cols.WELSH[etype][column.name][1:], *column.aliases)
            notes.append(
                [
                    _sheet(etype, language),
                    cols.heading(etype, column.name, language),
                    ("ydy" if welsh else "yes") if column.required else "",
                    meaning,
                    ", ".join(also),
                ]
            )
    notes.append([])
    if welsh:
        notes.append(
            [
                "",
                "Rhes 1 pob taflen yw'r penawdau; does dim ots am briflythrennau na bylchau.",
            ]
        )
        notes.append(["", "Dilëwch y rhesi enghreifftiol cyn mewnforio eich rhai chi."])
        notes.append(["", "Ni chaiff fformiwlâu eu mewnforio: gludwch werthoedd."])
    else:
        notes.append(
            ["", "Row 1 of each sheet is the header; header names forgive case and spacing."]
        )
        notes.append(["", "Delete the example rows before importing your own."])
        notes.append(["", "Formulas are not imported: paste values."])
    for letter, width in zip("ABCDE", (16, 12, 10, 70, 50), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
