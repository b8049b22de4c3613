"""The quick pass of the row schemas (graph_models.fastload) against marshmallow itself.

The quick pass may refuse a row marshmallow accepts (marshmallow then decides), but it
must never accept a row marshmallow refuses, and never return anything other than what
marshmallow's ``load`` returns. Checked on rows drawn from values near every rule's
edge (types, lengths, patterns, dates, enums, surrogates, unknown and missing fields),
and on the demo network, where it must accept every row (or it would do nothing).
"""

from __future__ import annotations

import marshmallow as ma
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_models import fastload, schemas
from graph_models.demo import build_demo
from graph_models.model import Organisation, Person, Relationship, to_dict

ROW_SCHEMAS = [schemas.PersonSchema, schemas.OrganisationSchema, schemas.RelationshipSchema]

_texts = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "  Ann  ",
            "a",
            "p1",
            "p2",
            "-bad",
            "ok.id:1",
            "x" * 60,
            "x" * 61,
            "x" * 128,
            "x" * 201,
            "health",
            "named",
            "anonymised",
            "hidden",
            "Named",
            "knows",
            "works_for",
            "Knows",
            "coordinator",
            "import",
            "survey",
            "self",
            "charity",
            "2024-01-05",
            "2024-1-5",
            "20240105",
            "2024-02-30",
            "2024-01-05\n",
            "Siân",
            "a\ud800b",
            "p1\n",
        ]
    ),
    st.text(max_size=8),
)
_values = st.one_of(
    _texts,
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=7),
    st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=6),
    st.lists(_texts, max_size=3),
    st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=2),
    st.dictionaries(st.just("a"), st.just(1), max_size=1),
)


_VALID = {
    schemas.PersonSchema: {"id": "p1", "name": "Ann", "silo": "health"},
    schemas.OrganisationSchema: {"id": "o1", "name": "Org", "silo": "health"},
    schemas.RelationshipSchema: {"id": "t1", "source": "p1", "target": "p2", "kind": "knows"},
}


#: values each field accepts (and some near misses), so that many drawn rows pass
_PLAUSIBLE = {
    "id": ["p9", "a.b:c-d_e", "x" * 128, "x" * 129],
    "name": ["  Siân  ", "Ann", "x" * 200, " " + "x" * 200],
    "silo": ["health", "Third sector", "x" * 60],
    "role": ["", "nurse", "x" * 200],
    "area": ["", "north"],
    "tags": [[], ["a", "b"], ["x" * 60], ["x" * 61], ["t"] * 50, ["t"] * 51],
    "contact": ["", "a@b.c"],
    "visibility": ["named", "anonymised", "hidden", None],
    "consent_set_by": ["", "self", "coordinator"],
    "consent_set_at": ["", "2024-01-05T10:00:00+00:00"],
    "kind": ["knows", "works_with", "mentors", "charity", "public_body", "other"],
    "source": ["p1", "p3"],
    "target": ["p2", "p1"],
    "strength": [1, 3, 5, 0, 6],
    "since": ["2024-01-05", "2023-12-31", None],
    "until": ["2024-01-06", "2024-01-04", None],
    "notes": ["", "met at the forum", "x" * 2000, "x" * 2001],
    "evidence": [""],
    "origin": ["coordinator", "import", "survey"],
    "reported_by": [[], ["p1"], ["p1", "p2"], ["p3"]],
}


@st.composite
def rows(draw, cls):
    """A valid row with some fields dropped, changed or added (half the rows stay
    close enough to valid for the quick pass to take them)."""
    names = list(cls().load_fields) + ["unknown", "version"]
    row = dict(_VALID[cls])
    for key in draw(st.lists(st.sampled_from(names), unique=True, max_size=3)):
        if draw(st.booleans()) and key in row:
            del row[key]
        else:
            row[key] = draw(st.one_of(st.sampled_from(_PLAUSIBLE.get(key, [None])), _values))
    return row


def _compiled(cls):
    loader = fastload.compile_schema(cls(), stripped=(schemas._StrippedString,))
    assert loader is not None, f"{cls.__name__} no longer compiles: no quick pass"
    return loader


@pytest.mark.parametrize("cls", ROW_SCHEMAS, ids=lambda c: c.__name__)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_quick_pass_never_accepts_more_nor_answers_differently(cls, data):
    row = data.draw(rows(cls))
    quick = _compiled(cls)(row)
    if quick is None:
        return
    assert quick == cls().load(row)  # raises if marshmallow would refuse the row


@pytest.mark.parametrize("cls", ROW_SCHEMAS, ids=lambda c: c.__name__)
def test_quick_pass_on_edge_rows_that_marshmallow_refuses(cls):
    loader = _compiled(cls)
    base = _VALID[cls]
    assert loader(base) == cls().load(base)  # a plain valid row is taken
    broken = [
        {**base, "unknown": 1},
        {**base, "name": "   "} if "name" in base else {**base, "source": "p2"},
        {k: v for k, v in base.items() if k != "id" or cls is not schemas.RelationshipSchema}
        | {"silo" if "silo" in base else "kind": None},
        {**base, "tags": ["ok", ""]} if "silo" in base else {**base, "strength": True},
        {**base, "id": "a\ud800"},
    ]
    for row in broken:
        with pytest.raises(ma.ValidationError):
            cls().load(row)
        assert loader(row) is None


def test_quick_pass_takes_every_row_of_the_demo_network():
    _, nodes, ties = build_demo()
    by_type = {Person: schemas.PersonSchema, Organisation: schemas.OrganisationSchema}
    for obj in [*nodes, *ties]:
        cls = schemas.RelationshipSchema if isinstance(obj, Relationship) else by_type[type(obj)]
        row = to_dict(obj)
        if cls is schemas.OrganisationSchema:
            row.pop("type", None)
        row = {k: v for k, v in row.items() if k in cls().load_fields}
        assert _compiled(cls)(row) == cls().load(row), row


def test_schemas_load_and_bulk_lists_use_the_quick_pass_with_marshmallow_errors():
    # schemas.load answers as before for good and bad rows (the errors are marshmallow's)
    good = {"id": "t1", "source": "p1", "target": "p2", "kind": "knows", "since": "2024-01-05"}
    assert schemas.load(schemas.RelationshipSchema, good) == schemas.RelationshipSchema().load(good)
    body = {"relationships": [good, {**good, "id": "t2", "strength": 9}]}
    plain = ma.Schema.from_dict(
        {"relationships": ma.fields.List(ma.fields.Nested(schemas.RelationshipSchema))}
    )()
    with pytest.raises(ma.ValidationError) as reference:
        plain.load(body)
    with pytest.raises(ma.ValidationError) as exc:
        schemas.BulkSchema().load(body)
    assert exc.value.messages == reference.value.messages
    assert 1 in exc.value.messages["relationships"]  # the second row, by its index
    loaded = schemas.BulkSchema().load({"relationships": [good]})
    assert loaded["relationships"] == plain.load({"relationships": [good]})["relationships"]
