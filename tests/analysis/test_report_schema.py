"""The declared report: every key a real report produces is declared, and consent
(hidden people, small groups) follows the declarations, with no code per section."""

from __future__ import annotations

import json
from datetime import date

import marshmallow as ma
import networkx as nx
import pytest
from marshmallow import fields

from graph_models import reporting
from graph_models.analysis import report_schema as rs
from graph_models.analysis.report import PAGED_LISTS, SECTIONS, analyse
from graph_models.visibility import (
    UndeclaredReference,
    public_graph,
    redact,
    suppress_small_groups,
)
from tests.small_silo import demo_with_small_silo

SECRET = b"schema-secret"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The demo partnership plus a small silo ("faith": 3 people, one of each consent),
    so the viewer's report has a small group to suppress and hidden people to drop."""
    return demo_with_small_silo(tmp_path_factory.mktemp("schema"))


def _load(schema: type[ma.Schema], document: dict) -> None:
    """Validate ``document`` (as JSON) against ``schema``: unknown keys are errors."""
    schema().load(json.loads(json.dumps(document)))


@pytest.mark.parametrize("viewer", [False, True])
def test_every_key_of_a_real_report_is_declared(store, viewer):
    s, map_id = store
    report = reporting.map_report(s, map_id, secret=SECRET, viewer=viewer)
    assert set(SECTIONS) <= set(report)
    _load(rs.ReportSchema, report)  # raises on any undeclared key or wrong type
    if viewer:
        assert report["silos"]["suppressed_groups"] == ["faith"]
    change = reporting.map_change(
        s, map_id, secret=SECRET, date_from=date(2022, 1, 1), date_to=date(2025, 1, 1)
    )
    assert change["change"]["gained"]
    _load(rs.ChangeReportSchema, change)


def test_an_undeclared_key_is_refused():
    with pytest.raises(ma.ValidationError) as err:
        _load(rs.ReportSchema, {"silos": {"headline": {"ties": 1, "new_figure": 2}}})
    assert "new_figure" in json.dumps(err.value.messages)


def _all_fields(schema_cls, seen=None):
    """(schema name, field name, field) of every field reachable from ``schema_cls``."""
    seen = set() if seen is None else seen
    schema = schema_cls() if isinstance(schema_cls, type) else schema_cls
    if type(schema) in seen:
        return
    seen.add(type(schema))
    for name, field in schema.fields.items():
        yield type(schema).__name__, name, field
        inner = field
        while isinstance(inner, fields.List | fields.Dict):
            inner = inner.inner if isinstance(inner, fields.List) else inner.value_field
        if isinstance(inner, fields.Nested):
            yield from _all_fields(inner.schema, seen)


FIELDS = list(_all_fields(rs.ReportSchema)) + list(_all_fields(rs.ChangeReportSchema))
RULES = {rs.ROW, rs.MEMBERS, rs.KEYS, rs.ALIGNED, rs.FIGURE, rs.NAME, rs.SUPPRESSED}


def _holds_text(field) -> bool:
    while isinstance(field, fields.List):
        field = field.inner
    return isinstance(field, fields.String | fields.Dict | fields.Nested)


def test_every_group_field_says_what_it_is():
    """A field named for groups that holds names or tables of groups (not a count) must
    declare its rule, so a new section cannot forget small-group suppression."""
    for schema, name, field in FIELDS:
        if "group" in name and name != "group_by" and _holds_text(field):
            assert field.metadata.get("group") in RULES, (schema, name)
        if field.metadata.get("group") in (rs.ALIGNED,):
            assert field.metadata["axes"], (schema, name)


def test_every_dict_says_what_its_keys_are():
    for schema, name, field in FIELDS:
        if isinstance(field, fields.Dict):
            rules = {field.metadata.get("group"), field.metadata.get("node")}
            assert rs.KEYS in rules, (schema, name)


def test_every_node_field_says_so():
    for schema, name, field in FIELDS:
        if name in {"node", "u", "v", "nodes", "isolates"} and _holds_text(field):
            if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
                continue  # a list of rows, each declaring its own node
            assert field.metadata.get("node") in {rs.ROW, rs.MEMBERS, rs.KEYS}, (schema, name)


# -- a section nobody wrote suppression code for ---------------------------------------------


class FakePairSchema(rs.Part):
    groups = fields.List(fields.String(), metadata={"group": rs.ROW})
    ties = fields.Integer()


class FakeRowSchema(rs.Part):
    node = fields.String(metadata={"node": rs.ROW})
    score = fields.Float()


class FakeSectionSchema(rs.Part):
    per_group = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_none=True), metadata={"group": rs.KEYS}
    )
    groups = fields.List(fields.String(), metadata={"group": rs.NAME})
    sizes = fields.List(
        fields.Integer(allow_none=True), metadata={"group": rs.ALIGNED, "axes": ["groups"]}
    )
    pairs = fields.List(fields.Nested(FakePairSchema))
    rows = fields.List(fields.Nested(FakeRowSchema))
    per_node = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={"node": rs.KEYS})


class ExtendedReportSchema(rs.ReportSchema):
    fake = fields.Nested(FakeSectionSchema)


def _fake_section(hidden_id: str) -> dict:
    return {
        "per_group": {"health": 2.0, "police": 1.0},
        "groups": ["health", "police"],
        "sizes": [12, 2],
        "pairs": [{"groups": ["health", "police"], "ties": 0}, {"groups": ["health"], "ties": 3}],
        "rows": [{"node": "ann", "score": 1.0}, {"node": hidden_id, "score": 2.0}],
        "per_node": {"ann": 1.0, hidden_id: 2.0},
    }


def test_a_new_section_is_suppressed_by_its_declaration_alone():
    report = {"fake": _fake_section("hidden-x")}
    out = suppress_small_groups(report, {"police"}, schema=ExtendedReportSchema)
    fake = out["fake"]
    assert fake["per_group"] == {"health": 2.0, "police": None}
    assert fake["sizes"] == [12, None]
    assert fake["pairs"] == [{"groups": ["health"], "ties": 3}]
    assert fake["groups"] == ["health", "police"]  # names of the axis are shown
    # the same data under the real schema, where "fake" is not declared, is untouched:
    # it is the declaration, not code about the section, that suppresses
    untouched = suppress_small_groups(report, {"police"})
    assert untouched["fake"]["per_group"]["police"] == 1.0


def test_a_new_section_is_redacted_by_its_declaration_alone():
    hidden = "hidden-0123456789ab"
    report = {"fake": _fake_section(hidden)}
    out = redact(report, ExtendedReportSchema, hidden={hidden})
    assert out["fake"]["rows"] == [{"node": "ann", "score": 1.0}]
    assert out["fake"]["per_node"] == {"ann": 1.0}
    # a field naming a hidden person without declaring it is an error, never a leak
    with pytest.raises(UndeclaredReference):
        redact(report, rs.ReportSchema, hidden={hidden})


@pytest.mark.parametrize(
    "undeclared",
    [
        lambda h: {"note": "Siân – ŵ", "who": h},  # beside text that is not ASCII
        lambda h: {"who": [{"name": "Siân", "id": h}]},
        lambda h: {"keyed": {h: 1}},  # as a key
        lambda h: {"deep": [[{"x": (h,)}]]},  # deep, in a tuple
        lambda h: {"unpicklable": [lambda: None, h]},  # the JSON fallback
    ],
)
def test_a_hidden_id_left_anywhere_undeclared_is_found(undeclared):
    hidden = "hidden-0123456789ab"
    report = {"fake": {**_fake_section(hidden), **undeclared(hidden)}}
    with pytest.raises(UndeclaredReference):
        redact(report, ExtendedReportSchema, hidden={hidden})


def test_a_named_person_whose_id_looks_hidden_is_not_redacted():
    """Ids are chosen by clients: "hidden-x" may be a named person's own id. Only the
    pseudonyms public_graph gave hidden people are removed."""
    G = nx.Graph(map_id="m")
    G.add_node("hidden-x", type="person", name="Hal", silo="health", visibility="named")
    G.add_node("cai", type="person", name="Cai", silo="police", visibility="hidden")
    G.add_node("ann", type="person", name="Ann", silo="police", visibility="named")
    G.add_edges_from([("hidden-x", "cai"), ("cai", "ann")])
    for _, attrs in G.nodes(data=True):
        attrs["group"] = attrs["silo"]
    H = public_graph(G, secret=SECRET)
    out = redact(
        analyse(H, sections=("centrality",)), rs.ReportSchema, hidden=H.graph["hidden_ids"]
    )
    assert sorted(row["node"] for row in out["centrality"]["nodes"]) == ["ann", "hidden-x"]
    assert not redact(analyse(H, sections=("centrality",)))["centrality"]["nodes"][0:0]


def test_the_viewer_report_suppresses_every_figure_about_the_small_group(store):
    """On a real report: every declared kind of group figure about "faith" (3 people) is
    suppressed for viewers, and left alone for coordinators."""
    s, map_id = store
    viewer = reporting.map_report(s, map_id, secret=SECRET, viewer=True)
    full = reporting.map_report(s, map_id, secret=SECRET)
    matrix = viewer["silos"]["tie_matrix"]
    i = matrix["groups"].index("faith")
    assert matrix["sizes"][i] is None and full["silos"]["tie_matrix"]["sizes"][i] == 3
    assert all(row[i] is None for row in matrix["counts"] + matrix["densities"])
    assert matrix["counts"][i] == [None] * len(matrix["groups"])
    assert viewer["silos"]["ei_index"]["groups"]["faith"] is None
    assert full["silos"]["ei_index"]["groups"]["faith"] is not None
    assert all("faith" not in w["groups"] for w in viewer["silos"]["weak_pairs"])
    assert any("faith" in w["groups"] for w in full["silos"]["weak_pairs"])
    assert all("faith" not in p["groups"] for p in viewer["introductions"]["pairs"])
    communities = viewer["communities"]
    j = communities["overlap"]["groups"].index("faith")
    assert all(row[j] is None for row in communities["overlap"]["counts"])
    assert communities["by_group"]["faith"] is None
    for community in communities["communities"]:
        assert community["groups"].get("faith", None) is None
        if community["dominant_group"] == "faith":
            assert community["dominant_share"] is None
    assert viewer["bridging"]["summary"]["brokerage"]["by_group"]["faith"] is None
    for point in viewer["bridging"]["articulation_points"]:
        assert all("faith" not in pair for pair in point["joins"])
        assert "faith" not in point["splits"]
        assert all(piece["groups"].get("faith") is None for piece in point["pieces"])
    # whole-network figures still count everyone
    assert viewer["silos"]["headline"] == full["silos"]["headline"]
    assert viewer["graph"] == full["graph"]


def test_every_paged_list_declares_its_total():
    """The API cuts the lists of PAGED_LISTS to a page and adds ``<list>_total``."""
    for section, names in PAGED_LISTS.items():
        declared = rs.SECTION_SCHEMAS[section]().fields
        for name in names:
            assert name in declared and f"{name}_total" in declared, (section, name)
