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
        notes.append(["taflen", "colofn", "gofynnol", "ystyr (Saesneg)", "derbynnir hefyd"])
    else:
        notes.append(["sheet", "column", "required", "meaning", "also accepted as"])
    for etype in cols.PLURAL:
        for column in cols.COLUMNS[etype]:
            meaning = column.meaning
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
