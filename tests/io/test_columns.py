"""Header matching, cell conversion, formula guards and natural keys (no store needed)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from graph_models.io import columns as cols
from graph_models.io.readers import detect_format
from graph_models.io.rows import natural_node_id, natural_relationship_id
from graph_models.model import ID_PATTERN, EntityType

P, O, R = EntityType.PERSON, EntityType.ORGANISATION, EntityType.RELATIONSHIP


def test_header_matching_forgives_case_spacing_and_aliases():
    hmap = cols.match_header([" Name ", "SECTOR", "Job_Title", "e-mail", "Consent", "Notes2"], P)
    assert {f: label for f, (_, label) in hmap.fields.items()} == {
        "name": "Name",
        "silo": "SECTOR",
        "role": "Job_Title",
        "contact": "e-mail",
        "visibility": "Consent",
    }
    assert hmap.ignored == ["Notes2"] and not hmap.errors


def test_near_miss_duplicate_and_missing_columns_are_errors():
    hmap = cols.match_header(["name", "silo", "visiblity"], P)
    assert "did you mean 'visibility'" in hmap.errors["visiblity"][0]
    hmap = cols.match_header(["name", "silo", "sector"], P)
    assert "both mean 'silo'" in hmap.errors["sector"][0]
    hmap = cols.match_header(["source", "kind"], R)
    assert "missing column 'target'" in hmap.errors["target"][0]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["source", "target", "kind"], R),
        (["From", "To", "Type"], R),
        (["name", "silo", "role"], P),
        (["name", "sector", "visibility"], P),
        (["name", "sector", "type"], O),
        (["id", "name", "silo"], None),  # could be either kind of node
    ],
)
def test_guess_entity(headers, expected):
    assert cols.guess_entity(headers) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("People", P), ("organisations.csv", O), ("Organizations", O), ("Ties", R), ("Sheet1", None)],
)
def test_entity_of_sheet(name, expected):
    assert cols.entity_of_sheet(name) is expected


def test_cell_conversion():
    col = cols.COLUMN_BY_NAME
    assert cols.convert("  ", col[P]["name"]) is None
    assert cols.convert(1001.0, col[P]["id"]) == "1001"
    assert cols.convert("4", col[R]["strength"]) == 4
    assert cols.convert(4.0, col[R]["strength"]) == 4
    assert cols.convert("4.5", col[R]["strength"]) == "4.5"  # the schema will refuse it
    assert cols.convert("31/12/2024", col[R]["since"]) == "2024-12-31"  # day first (UK)
    assert cols.convert("2024-12-31", col[R]["since"]) == "2024-12-31"
    assert cols.convert(datetime(2024, 1, 2), col[R]["since"]) == "2024-01-02"
    assert cols.convert(date(2024, 1, 2), col[R]["since"]) == "2024-01-02"
    assert cols.convert("31/02/2024", col[R]["since"]) == "31/02/2024"  # refused later
    assert cols.convert("gp; north ;; ", col[P]["tags"]) == ["gp", "north"]
    assert cols.convert("Works With", col[R]["kind"]) == "works_with"
    assert cols.convert("Third  Sector", col[O]["kind"]) == "third sector"
    assert cols.convert("Anonymized", col[P]["visibility"]) == "anonymised"


def test_formula_guard_round_trips():
    for text in ("=1+1", "+44 1234", "-5%", "@home", "\tx", "\rx"):
        escaped = cols.escape(text)
        assert escaped == "'" + text
        assert cols.unescape(escaped) == text
    assert cols.escape("Ann") == "Ann" and cols.escape(5) == 5
    assert cols.unescape("'quoted'") == "'quoted'"  # only the guard's quote is removed


def test_natural_ids_are_stable_valid_and_forgiving():
    a = natural_node_id(P, "Siân  Evans")
    assert a == natural_node_id(P, "SIÂN EVANS") and a.startswith("sian-evans-")
    assert a != natural_node_id(P, "Sian Evans")  # the accent makes another person
    assert a != natural_node_id(O, "Siân Evans")  # a person and an organisation differ
    assert ID_PATTERN.match(natural_node_id(P, "Ŵ" * 300))
    assert natural_node_id(P, "李小龍").startswith("person-")
    assert natural_relationship_id("a", "knows", "b") == natural_relationship_id("b", "knows", "a")
    assert natural_relationship_id("a", "mentors", "b") != natural_relationship_id(
        "b", "mentors", "a"
    )


@pytest.mark.parametrize(
    ("head", "name", "fmt"),
    [
        (b"PK\x03\x04", "x.xlsx", "xlsx"),
        (b"PK\x03\x04", "x.zip", "csv"),
        (b'\xef\xbb\xbf{"map": {}}', "", "json"),
        (b"<?xml version='1.0'?><graphml>", "", "graphml"),
        (b"<?xml version='1.0'?><gexf>", "x.xml", "gexf"),
        (b"name,silo\n", "", "csv"),
        (b"name,silo\n", "people.txt", "csv"),
    ],
)
def test_detect_format(head, name, fmt):
    assert detect_format(head, name) == fmt
