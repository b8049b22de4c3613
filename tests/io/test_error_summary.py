"""Errors a person can act on (issue #13 item 4): a file with one systematic mistake
gives a short summary by cause, the real cause first, knock-on errors in one line, at
most 20 examples per cause; every error is in the CSV."""

from __future__ import annotations

import csv
import io

import pytest

from graph_models.io import import_file
from graph_models.io.error_summary import EXAMPLES, errors_csv, summarise
from graph_models.io.importer import ImportRejected
from graph_models.model import Map
from tests import mapping_files as mf


def _rejected(store, data: bytes, filename: str) -> ImportRejected:
    store.create_map(Map("x", "x"))
    with pytest.raises(ImportRejected) as caught:
        import_file(store, "x", io.BytesIO(data), filename=filename)
    return caught.value


def test_les_miserables_without_a_mapping_names_the_real_cause_first(store):
    """The case of the issue: every node lacks a type, so every tie fails too."""
    rejected = _rejected(store, mf.networkx_file("lesmis", "gexf"), "lesmis.gexf")
    causes = summarise(rejected.errors, rejected.node_sheets)
    first = causes[0]
    assert (first.key, first.rows) == ("import.node_type_needed", 77)
    assert len(first.examples) == EXAMPLES  # 77 rows, 20 examples on the page
    last = causes[-1]
    assert last.knock_on and last.rows == 254
    assert str(last.summary()) == (
        "254 ties refer to rows that failed: fixing those rows fixes these"
    )
    assert sum(1 for c in causes if c.knock_on) == 1
    assert "No person or organisation" not in " ".join(str(c.summary()) for c in causes)
    assert str(rejected.message).startswith("331 rows with problems")


def test_the_errors_csv_holds_every_error(store):
    rejected = _rejected(store, mf.networkx_file("lesmis", "gexf"), "lesmis.gexf")
    rows = list(csv.reader(io.StringIO(errors_csv(rejected.errors).decode("utf-8-sig"))))
    assert rows[0] == ["sheet", "row", "column", "problem"]
    body = rows[1:]
    assert sum(1 for r in body if r[2] == "type") == 77
    assert {r[1] for r in body if r[0] == "edges"} == {str(i) for i in range(254)}
    shown = sum(len(c.examples) for c in summarise(rejected.errors, rejected.node_sheets))
    assert shown < len(body) / 5  # the page stays short


def test_the_csv_guards_formulas():
    errors = {"people.csv": {"2": {"name": ["=HYPERLINK(1)"]}}}
    assert b"'=HYPERLINK(1)" in errors_csv(errors)
