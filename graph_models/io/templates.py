"""Blank import templates with example rows: one CSV per entity type, or one workbook.

The examples fit together (imported into a map with the default silos they make two
people, two organisations and three ties) and show both ways of naming an endpoint:
by id (``ann-evans``) and by unique name (``Cai Price``, who has no id, so one is
derived from the name). The workbook adds a ``notes`` sheet describing every column
(the importer ignores sheets it does not recognise) and drop-down lists for the fixed
vocabularies.
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


def template_csv(etype: EntityType) -> bytes:
    """The CSV template for one entity type (UTF-8 with a byte-order mark)."""
    header = [c.name for c in cols.COLUMNS[etype]]
    return csv_bytes(header, EXAMPLES[etype])


def template_xlsx() -> bytes:
    """A workbook with sheets people, organisations, relationships and notes."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    tables = [
        (plural, ([c.name for c in cols.COLUMNS[etype]], EXAMPLES[etype]))
        for etype, plural in cols.PLURAL.items()
    ]
    write_sheets(wb, tables, write_only=False)
    for etype, plural in cols.PLURAL.items():
        ws = wb[plural]
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
                    error=f"{column.name}: one of {', '.join(column.choices)}"
                    + (", or one of your map's own kinds" if own_kinds else ""),
                )
                rule.add(f"{letter}2:{letter}10000")
                ws.add_data_validation(rule)
    notes = wb.create_sheet("notes")
    notes.append(["sheet", "column", "required", "meaning", "also accepted as"])
    for etype, plural in cols.PLURAL.items():
        for column in cols.COLUMNS[etype]:
            meaning = column.meaning
            if column.choices and column.name != "visibility":
                meaning += ": " + ", ".join(column.choices)
            notes.append(
                [
                    plural,
                    column.name,
                    "yes" if column.required else "",
                    meaning,
                    ", ".join(column.aliases),
                ]
            )
    notes.append([])
    notes.append(["", "Row 1 of each sheet is the header; header names forgive case and spacing."])
    notes.append(["", "Delete the example rows before importing your own."])
    notes.append(["", "Formulas are not imported: paste values."])
    for letter, width in zip("ABCDE", (16, 12, 10, 70, 50), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
