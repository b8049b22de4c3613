"""Redaction's one pass over the long tables, and the column-at-a-time walks.

:func:`graph_models.visibility.redact` keeps, checks and labels the rows of the long
tables (``centrality.nodes``, ``bridging.nodes``, ``bridging.local_bridges``…) in one
pass each, and checks and labels the rest a column at a time
(:mod:`graph_models.columns`). These tests hold it to the walk it replaced: the same
rows kept, the same labels in the same key order, and a hidden id anywhere — in a
declared reference, in a declared figure or text, under an undeclared key — either
leaves its row out (declared references) or raises :class:`UndeclaredReference`.
The reference is the general walk (every value, one at a time) and the labelling walk
as it was before (copied below).
"""

from __future__ import annotations

import copy
import json
import random
from collections import OrderedDict

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields

from graph_models import visibility as V
from graph_models.analysis import report_schema as rs
from graph_models.analysis.report import analyse
from graph_models.columns import holds_any
from graph_models.reporting import attach_labels
from graph_models.visibility import UndeclaredReference, public_graph, redact

SECRET = b"tables-secret"

#: (path to the table, node reference keys): the long lists of rows
TABLES = [
    (("centrality", "nodes"), ("node",)),
    (("bridging", "nodes"), ("node",)),
    (("bridging", "local_bridges"), ("u", "v")),
    (("bridging", "bridges"), ("u", "v")),
]
#: the long dicts keyed by node
KEYED = [("silos", "ei_index", "nodes"), ("communities", "membership")]


def _old_attach_labels(value, labels):
    """The labelling walk as it was (a call per container), kept as the reference."""
    kind = type(value)
    if kind is list:
        for item in value:
            if type(item) in (dict, list):
                _old_attach_labels(item, labels)
        return value
    if kind is not dict:
        return value
    for item in value.values():
        if type(item) in (dict, list):
            _old_attach_labels(item, labels)
    node = value.get("node")
    if isinstance(node, str) and node in labels:
        value["label"] = labels[node]
    nodes = value.get("nodes")
    if isinstance(nodes, list) and nodes and all(isinstance(n, str) and n in labels for n in nodes):
        value["labels"] = [labels[n] for n in nodes]
    for end in ("u", "v"):
        ref = value.get(end)
        if isinstance(ref, str) and ref in labels:
            value[f"{end}_label"] = labels[ref]
    return value


def _general(value, hidden: set, labels: dict | None, schema=rs.ReportSchema):
    """Redaction by the general walk (no table pass, no columns): the reference."""
    gone = V._member_of(hidden)
    out = V._walk_value(value, fields.Nested(schema), V._Rules("node", gone, blank_keys=False))
    V._check_gone(out, gone, "")
    return out if labels is None else _old_attach_labels(out, labels)


def _outcome(fn):
    try:
        return fn()
    except UndeclaredReference:
        return UndeclaredReference


def _same(a, b) -> bool:
    if a is UndeclaredReference or b is UndeclaredReference:
        return a is b
    return a == b and json.dumps(a) == json.dumps(b)  # key order too


def _graph(seed: int = 3, n: int = 70, m: int = 150) -> nx.Graph:
    rng = random.Random(seed)
    G = nx.gnm_random_graph(n, m, seed=seed)
    G.graph["map_id"] = "m"
    nx.relabel_nodes(G, {v: f"p{v}" for v in G}, copy=False)
    for v, attrs in G.nodes(data=True):
        silo = rng.choice(["health", "housing", "police", "faith"])
        visibility = rng.choice(["named"] * 5 + ["anonymised"] * 3 + ["hidden"] * 2)
        attrs.update(type="person", name=f"Name {v}", silo=silo, group=silo, visibility=visibility)
    return G


@pytest.fixture(scope="module")
def world():
    """A public graph with hidden people, its full analysis, hidden ids and labels."""
    G = _graph()
    # a hidden person at the end of a bridge (a tie whose removal cuts them off)
    G.add_node("pend", type="person", name="P", silo="faith", group="faith", visibility="hidden")
    G.add_edge("pend", "p0")
    H = public_graph(G, secret=SECRET)
    report = analyse(H, seed=0)
    labels = {v: a.get("label", "") for v, a in H.nodes(data=True)}
    hidden = set(H.graph["hidden_ids"])
    assert hidden and all(report[s][k] for (s, k), _ in TABLES)
    return report, hidden, labels


def _at(report, path):
    for key in path:
        report = report[key]
    return report


def _visible_row(table: list, refs, hidden) -> int:
    return next(i for i, row in enumerate(table) if not any(row[r] in hidden for r in refs))


@pytest.mark.parametrize(("path", "refs"), TABLES)
def test_each_table_is_done_in_one_pass_and_equals_the_general_walk(world, path, refs):
    report, hidden, labels = world
    value = copy.deepcopy(report)
    rules = V._Rules("node", V._member_of(hidden), blank_keys=False, among=hidden, labels=labels)
    field = rs.ReportSchema().fields[path[0]].schema.fields[path[1]]
    kept = V._table(_at(value, path), field.inner.schema, rules)
    assert kept is not None and id(kept) in rules.done  # the one pass was taken
    assert any(any(row[r] in hidden for r in refs) for row in _at(report, path))
    out = redact(copy.deepcopy(report), rs.ReportSchema, hidden=hidden, labels=labels)
    assert _same(out, _general(copy.deepcopy(report), hidden, labels))
    assert not any(row[r] in hidden for row in _at(out, path) for r in refs)


@pytest.mark.parametrize(("path", "refs"), TABLES)
def test_a_hidden_id_in_each_declared_reference_leaves_the_row_out(world, path, refs):
    report, hidden, labels = world
    someone = sorted(hidden)[0]
    shown = sum(not any(row[r] in hidden for r in refs) for row in _at(report, path))
    for ref in refs:
        value = copy.deepcopy(report)
        table = _at(value, path)
        table[_visible_row(table, refs, hidden)][ref] = someone
        expected = _general(copy.deepcopy(value), hidden, labels)
        out = redact(value, rs.ReportSchema, hidden=hidden, labels=labels)
        assert len(_at(out, path)) == shown - 1
        assert all(row[ref] != someone for row in _at(out, path))
        assert _same(out, expected)


#: the ways a hidden id can sit in a row outside its declared references
ANY_ROW = (
    "undeclared key",  # a new key in one row
    "undeclared key in every row",
    "undeclared key instead of a declared one",  # same number of keys
    "figure",  # a declared number holding an id
)
#: ... and in the tables whose rows hold a declared list of group names (a tie's ends')
GROUPS_ROW = (
    "text",  # a declared list of group names holding an id
    "deep text",  # ... inside a tuple inside it
)


@pytest.mark.parametrize(
    ("path", "refs", "change"),
    [
        (path, refs, change)
        for path, refs in TABLES
        for change in ANY_ROW + (GROUPS_ROW if refs == ("u", "v") else ())
    ],
)
def test_a_hidden_id_anywhere_else_in_a_row_raises(world, path, refs, change):
    report, hidden, labels = world
    someone = sorted(hidden)[0]
    value = copy.deepcopy(report)
    table = _at(value, path)
    i = _visible_row(table, refs, hidden)
    row = table[i]
    figure = next(k for k, v in row.items() if isinstance(v, float | int) and k not in refs)
    if change == "undeclared key":
        row["peer"] = someone
    elif change == "undeclared key in every row":
        for each in table:
            each["peer"] = someone
    elif change == "undeclared key instead of a declared one":
        del row[figure]
        row["peer"] = someone
    elif change == "figure":
        row[figure] = someone
    elif change in GROUPS_ROW:
        assert "groups" in row  # the tables of ties declare their ends' groups
        row["groups"] = [someone] if change == "text" else [("x", [someone])]
    with pytest.raises(UndeclaredReference):
        redact(value, rs.ReportSchema, hidden=hidden, labels=labels)
    with pytest.raises(UndeclaredReference):
        redact(copy.deepcopy(value), rs.ReportSchema, hidden=hidden)


@pytest.mark.parametrize("path", KEYED)
def test_the_dicts_keyed_by_node_drop_hidden_keys_and_find_ids_in_values(world, path):
    report, hidden, labels = world
    someone = sorted(hidden)[0]
    value = copy.deepcopy(report)
    keyed = _at(value, path)
    assert someone in keyed
    out = redact(copy.deepcopy(value), rs.ReportSchema, hidden=hidden, labels=labels)
    assert not hidden & set(_at(out, path))
    assert _same(out, _general(copy.deepcopy(value), hidden, labels))
    visible = next(k for k in keyed if k not in hidden)
    if isinstance(keyed[visible], dict):
        keyed[visible]["who"] = someone  # an undeclared key of a row
    else:
        keyed[visible] = someone  # a community id that is an id
    with pytest.raises(UndeclaredReference):
        redact(value, rs.ReportSchema, hidden=hidden, labels=labels)


@pytest.mark.parametrize(
    "rows",
    [
        [{"node": "a"}, {"node": "hidden-1"}, {"node": "b"}],  # the reference alone
        [{"u": "a", "v": "b"}, {"u": "b", "v": "hidden-1"}],  # the two ends alone
        [{"node": "a", "degree": 1}, {"node": "hidden-1", "degree": 2}],
    ],
)
def test_rows_of_references_only(rows):
    section = "bridging" if "u" in rows[0] else "centrality"
    key = "local_bridges" if "u" in rows[0] else "nodes"
    report = {section: {key: rows}}
    labels = {"a": "Ann", "b": "Ben", "hidden-1": "a person in police"}
    for given_labels in (labels, None):
        out = redact(
            copy.deepcopy(report), rs.ReportSchema, hidden={"hidden-1"}, labels=given_labels
        )
        assert _same(out, _general(copy.deepcopy(report), {"hidden-1"}, given_labels))
        assert "hidden-1" not in json.dumps(out)


def test_no_hidden_people_still_labels_and_no_check_finds_anything(world):
    report, _, labels = world
    out = redact(copy.deepcopy(report), rs.ReportSchema, hidden=set(), labels=labels)
    assert _same(out, _general(copy.deepcopy(report), set(), labels))


# -- any table, any change: the one pass equals the general walk ----------------------------

_VALUES = st.sampled_from(
    ["visible", "hidden", None, 0.5, 7, True, "text", ["hidden"], ("hidden",), ["a", "b"]]
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    table=st.sampled_from(TABLES),
    changes=st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.sampled_from(["set", "delete", "undeclared", "not a dict", "subclass"]),
            st.integers(0, 20),
            _VALUES,
        ),
        max_size=4,
    ),
    with_labels=st.booleans(),
)
def test_any_change_to_a_table_is_redacted_as_by_the_general_walk(
    world, table, changes, with_labels
):
    report, hidden, labels = world
    path, _ = table
    value = copy.deepcopy(report)
    rows = _at(value, path)
    hidden_id, visible_id = sorted(hidden)[0], next(v for v in labels if v not in hidden)
    for index, how, key_index, new in changes:
        i = index % len(rows)
        row = rows[i]
        if not isinstance(row, dict):
            continue
        key = sorted(row)[key_index % len(row)]
        new = (
            {"hidden": hidden_id, "visible": visible_id}.get(new, new)
            if isinstance(new, str)
            else new
        )
        if isinstance(new, list | tuple):
            new = type(new)(hidden_id if x == "hidden" else x for x in new)
        if how == "set":
            row[key] = new
        elif how == "delete":
            del row[key]
        elif how == "undeclared":
            row["extra"] = new
        elif how == "not a dict":
            rows[i] = list(row.values())
        else:
            rows[i] = OrderedDict(row)
    given_labels = labels if with_labels else None
    fast = _outcome(
        lambda: redact(copy.deepcopy(value), rs.ReportSchema, hidden=hidden, labels=given_labels)
    )
    general = _outcome(lambda: _general(copy.deepcopy(value), hidden, given_labels))
    assert _same(fast, general)


# -- the column-at-a-time walks equal the walks they replaced -------------------------------

_IDS = ["a", "b", "hidden-1", "hidden-2", "node", "u", "v", "nodes"]
_KEYS = ["node", "nodes", "u", "v", "x", "label", "hidden-1"]
_leaf = st.one_of(st.sampled_from(_IDS), st.none(), st.integers(-2, 2), st.floats(0, 1))


def _containers(inner):
    rows = st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)
    return st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        rows,
        rows.map(OrderedDict),
        # tables: many rows of the same keys, as the reports' lists are
        st.tuples(
            st.lists(st.sampled_from(_KEYS), min_size=1, max_size=4, unique=True),
            st.lists(st.lists(inner, min_size=4, max_size=4), min_size=0, max_size=40),
        ).map(lambda t: [dict(zip(t[0], vals, strict=False)) for vals in t[1]]),
    )


_JSONISH = st.recursive(_leaf, _containers, max_leaves=60)


@settings(max_examples=300, deadline=None)
@given(value=_JSONISH)
def test_labels_column_at_a_time_equal_the_labelling_walk(value):
    labels = {"a": "Ann", "b": "Ben", "node": "Nod", "u": "You"}
    old = _old_attach_labels(copy.deepcopy(value), labels)
    new = attach_labels(copy.deepcopy(value), labels)
    assert old == new and json.dumps(old) == json.dumps(new)


@settings(max_examples=300, deadline=None)
@given(value=_JSONISH)
def test_holds_any_finds_exactly_what_the_walk_finds(value):
    among = {"hidden-1", "hidden-2"}
    value = {"root": value}
    found = _outcome(lambda: V._check_gone(value, V._member_of(among), ""))
    assert holds_any(value, among) == (found is UndeclaredReference)


# -- labels before the small groups' suppression --------------------------------------------


def test_no_declared_object_could_get_labels_and_a_suppressed_list():
    """map_report labels a report as it redacts it, before suppressing small groups
    for viewers. Suppression only blanks or leaves out, except that it adds a
    ``suppressed_groups`` list to its object when missing: were that object labelled
    too, the list would come after the labels instead of before. No declared object
    is both (this test keeps it so)."""
    for schema_cls in (rs.ReportSchema, rs.ChangeReportSchema):
        stack, seen = [schema_cls()], set()
        while stack:
            schema = stack.pop()
            if type(schema) in seen:
                continue
            seen.add(type(schema))
            declared = {f.data_key or name: f for name, f in schema.fields.items()}
            suppressed = any(f.metadata.get("group") == rs.SUPPRESSED for f in declared.values())
            assert not (suppressed and {"node", "nodes", "u", "v"} & declared.keys())
            for f in declared.values():
                while isinstance(f, fields.List | fields.Dict):
                    f = f.inner if isinstance(f, fields.List) else f.value_field
                if isinstance(f, fields.Nested):
                    stack.append(f.schema)


def test_a_viewer_report_equals_redaction_suppression_then_labels():
    """The viewer's report as map_report makes it (labels in the redaction) equals the
    report made in the order the rules are stated: redact, suppress, label."""
    G = _graph(seed=5)
    G.add_node("f1", type="person", name="F", silo="tiny", group="tiny", visibility="named")
    G.add_node("f2", type="person", name="G", silo="tiny", group="tiny", visibility="anonymised")
    G.add_edges_from([("f1", "p1"), ("f2", "p2"), ("f1", "f2")])
    H = public_graph(G, secret=SECRET, viewer=True)
    small = H.graph["small_groups"]
    assert "tiny" in small
    report = analyse(H, seed=0)
    hidden = set(H.graph["hidden_ids"])
    labels = {v: a.get("label", "") for v, a in H.nodes(data=True)}
    fused = V.suppress_small_groups(
        redact(copy.deepcopy(report), rs.ReportSchema, hidden=hidden, labels=labels), small
    )
    stated = _old_attach_labels(
        V.suppress_small_groups(_general(copy.deepcopy(report), hidden, None), small), labels
    )
    assert fused["silos"]["suppressed_groups"] == ["tiny"]
    assert _same(fused, stated)
