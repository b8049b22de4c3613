"""One query parser for every route (service.query): a parameter is read once, by the
route's declared schema, for the policy check and the handler alike.

The route walk below is generated from ``app.url_map``: a route added later is
covered without anyone editing this file.
"""

from __future__ import annotations

import marshmallow as ma
import pytest
from marshmallow import fields
from werkzeug.datastructures import MultiDict

from graph_models.errors import InvalidInput
from service import policy
from service.query import NoQuery, declared_schema, list_keys, load_query, plain_values
from tests.service.authworld import build_world, fill, routes


class Sample(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    hops = fields.Integer(load_default=1)
    silo = fields.List(fields.String())


def test_a_repeated_scalar_is_refused_and_a_list_takes_every_value():
    assert plain_values(Sample(), MultiDict([("silo", "a"), ("silo", "b"), ("hops", "2")])) == {
        "silo": ["a", "b"],
        "hops": "2",
    }
    with pytest.raises(ma.ValidationError) as caught:
        plain_values(Sample(), MultiDict([("hops", "1"), ("hops", "3")]))
    assert caught.value.messages == {"hops": ["give this parameter once"]}


def test_load_query_names_the_parameter_in_the_one_error_shape():
    with pytest.raises(InvalidInput) as caught:
        load_query(Sample, MultiDict([("hops", "1"), ("hops", "3")]))
    assert caught.value.errors == {"query": {"hops": ["give this parameter once"]}}
    with pytest.raises(InvalidInput) as caught:
        load_query(Sample, MultiDict([("hopz", "1")]))
    assert "hopz" in caught.value.errors["query"]
    with pytest.raises(InvalidInput):
        load_query(Sample, MultiDict([("hops", "³")]))  # a digit to str.isdigit, not to int
    assert list_keys(Sample()) == {"silo"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("query"))


def _scalar_keys(app, rule, method) -> list[str]:
    with app.test_request_context():
        schema = declared_schema(rule.endpoint, method)
    instance = schema() if isinstance(schema, type) else schema
    keys = [
        f.data_key or name for name, f in instance.fields.items() if name not in list_keys(instance)
    ]
    return keys or ["anything"]


def test_every_route_refuses_a_repeated_scalar_parameter(world):
    """Every GET route, for each scalar parameter it declares (or, declaring none, any
    parameter): given twice, it is a 422 naming that parameter — never "the first
    one" for the check and "the last one" for the use."""
    checked = 0
    for rule, method in routes(world.app):
        if method != "GET":
            continue
        # a survey's respondent routes are its respondents' alone
        respond = policy.rule_for(rule.endpoint, method).permission == policy.RESPOND
        client = world.clients["respondent"] if respond else world.admin
        for key in _scalar_keys(world.app, rule, method):
            path = fill(rule, world) + f"?{key}=1&{key}=2"
            r = client.get(path)
            assert r.status_code == 422, (rule.rule, key, r.status_code)
            assert r.json["errors"]["query"][key], (rule.rule, key)
            checked += 1
    assert checked > 40


def test_a_community_link_cannot_widen_its_web_with_a_second_hops(world):
    community = world.clients["community"]
    for path in ("/maps/m1/people/ann/view", "/api/v1/maps/m1/nodes/ann/neighbourhood"):
        assert community.get(path + "?hops=1").status_code == 200
        r = community.get(path + "?hops=1&hops=3")
        assert r.status_code == 422 and r.json["errors"]["query"]["hops"]
        assert community.get(path + "?hops=3").status_code == 403


def test_routes_without_parameters_declare_none(world):
    with world.app.test_request_context():
        assert declared_schema("pages.home", "GET") is NoQuery
        assert declared_schema("no.such.endpoint", "GET") is NoQuery
