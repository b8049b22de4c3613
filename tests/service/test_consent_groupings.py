"""Class test: consent holds on every GET route, for every query and every grouping.

Walks ``app.url_map`` (so a route added later is covered without editing this test):
every GET route (API, pages, graph pages, downloads) x role (viewer, community link) x
the query parameters the route declares (read with
:func:`service.query.declared_schema`; random, valid and repeated values drawn by
hypothesis) x every ``group_by`` (silo, organisation, area, tag:<key>). In no response
body may appear:

* a hidden person's name, id or contact;
* an anonymised person's real name, id or contact, or the value of their area or tags
  (the world gives them values nobody else holds, so a value seen can only have come
  from them);
* a member of a small silo who is anonymised (police has four people): neither their
  pseudonym nor "a person in police".

Before the fix of issue #11 items 2 and 3 this failed at once; walking every route with
each grouping found, for both roles: under ``group_by=organisation``, ``area``,
``tag:team`` and ``tag:rare``, the small-silo anonymised members' pseudonyms (and "a
person in police") in the analysis API (whole report, centrality, bridging, silos,
communities) and on the map and ego graph pages; under ``area`` and ``tag:*``, the
areas and tag values of the anonymised *and of the hidden* person as group names in
the analysis API (tie matrix, communities, bridging rows). Nothing leaked under
``group_by=silo``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from marshmallow import fields

from graph_models.model import RELATIONSHIP_KINDS
from graph_models.store.embedded import EmbeddedStore
from graph_models.visibility import pseudonym
from service.query import declared_schema
from tests.bodies import body_text
from tests.conftest import ADMIN_SECRET, examples, make_app

SECRET_KEY = "consent-world-secret"
GROUPINGS = ("silo", "organisation", "area", "tag:team", "tag:rare")


def _person(pid, name, silo, area, tags, visibility="named", contact=""):
    return {
        "id": pid,
        "name": name,
        "silo": silo,
        "area": area,
        "tags": tags,
        "visibility": visibility,
        "contact": contact,
        "role": "Role " + name,
    }


#: health: seven named people in Riverside (team:alpha), two anonymised, one hidden;
#: housing: five named in Hillside (team:beta) and an organisation; police: four people
#: (a small silo), two named and two anonymised.
PEOPLE = [
    _person("ann", "Ann Evans", "health", "Riverside", ["team:alpha"], contact="ann@x.org"),
    *(
        _person(f"h{i}", f"Health Worker {i}", "health", "Riverside", ["team:alpha"])
        for i in range(1, 7)
    ),
    _person(
        "anonbea7",
        "Bea Secretname",
        "health",
        "Anonvale",
        ["team:anonteam", "rare:anonrare"],
        visibility="anonymised",
        contact="bea@secret.org",
    ),
    _person(
        "anonbob7",
        "Bob Secretname",
        "health",
        "Riverside",
        ["team:alpha"],
        visibility="anonymised",
        contact="bob@secret.org",
    ),
    _person(
        "hiddai7",
        "Dai Hiddenname",
        "health",
        "Hiddenham",
        ["team:hiddenteam", "rare:hiddenrare"],
        visibility="hidden",
        contact="dai@secret.org",
    ),
    *(
        _person(f"u{i}", f"Housing Worker {i}", "housing", "Hillside", ["team:beta"])
        for i in range(1, 6)
    ),
    _person("pol1", "Pat Police", "police", "Hillside", ["team:beta"]),
    _person("pol2", "Pam Police", "police", "Riverside", ["team:alpha"]),
    _person(
        "polanon7",
        "Pip Policesecret",
        "police",
        "Copperfield",
        ["team:copteam"],
        visibility="anonymised",
        contact="pip@secret.org",
    ),
    _person(
        "polanon8",
        "Poe Policesecret",
        "police",
        "Riverside",
        ["team:alpha"],
        visibility="anonymised",
    ),
]
ORGS = [{"id": "org", "name": "Valley Housing", "silo": "housing", "kind": "third sector"}]
_PAIRS = [
    ("ann", "anonbea7"),
    ("anonbea7", "u1"),
    ("ann", "anonbob7"),
    ("anonbob7", "h1"),
    ("ann", "hiddai7"),
    ("hiddai7", "u2"),
    ("ann", "h1"),
    ("h1", "h2"),
    ("h2", "h3"),
    ("h4", "h5"),
    ("h5", "h6"),
    ("u1", "u2"),
    ("u2", "u3"),
    ("u4", "u5"),
    ("pol1", "polanon7"),
    ("polanon7", "ann"),
    ("polanon7", "u3"),
    ("pol2", "polanon8"),
    ("polanon8", "h2"),
    ("pol1", "u1"),
]
TIES = [
    {"id": f"t{i}", "source": a, "target": b, "kind": "knows", "notes": f"{a} and {b}"}
    for i, (a, b) in enumerate(_PAIRS)
] + [
    {"id": "w1", "source": "u4", "target": "org", "kind": "works_for"},
    {"id": "w2", "source": "polanon7", "target": "org", "kind": "works_for"},
    {"id": "w3", "source": "anonbea7", "target": "org", "kind": "works_for"},
]


def forbidden() -> set[str]:
    """Every text that must never reach a viewer or a community link."""
    out = {"a person in police"}
    for p in PEOPLE:
        if p["contact"]:
            out.add(p["contact"])
        if p["visibility"] == "named":
            continue
        out |= {p["name"], p["id"]}
    out |= {"Anonvale", "anonteam", "anonrare", "Hiddenham", "hiddenteam", "hiddenrare"}
    out |= {"Copperfield", "copteam"}
    for small in ("polanon7", "polanon8"):
        out.add(pseudonym(SECRET_KEY.encode(), "m1", small))
    return out


FORBIDDEN = forbidden()


class World:
    def __init__(self, folder):
        self.app = make_app(EmbeddedStore(folder / "world.sqlite3"), SECRET_KEY=SECRET_KEY)
        admin = self.app.test_client()
        admin.token = ADMIN_SECRET
        assert admin.post("/api/v1/maps", json={"id": "m1", "name": "One"}).status_code == 201
        body = {"people": PEOPLE, "organisations": ORGS, "relationships": TIES}
        r = admin.post("/api/v1/maps/m1/bulk", json=body)
        assert r.status_code == 200, r.get_json()
        self.clients, self.secrets = {}, {}
        for role, body in [
            ("viewer", {"role": "viewer"}),
            ("community", {"role": "community", "subject": "ann"}),
            ("spare", {"role": "viewer", "label": "spare"}),
        ]:
            r = admin.post("/api/v1/maps/m1/tokens", json=body)
            assert r.status_code == 201, r.get_json()
            c = self.app.test_client()
            c.token = r.get_json()["token"]
            self.clients[role] = c
            self.secrets[role] = (r.get_json()["id"], r.get_json()["token"])
        self.clients.pop("spare")
        anon = pseudonym(SECRET_KEY.encode(), "m1", "anonbob7")
        #: node ids to put in paths: named, organisation, a pseudonym, real hidden ids
        self.node_ids = ["ann", "u1", "pol1", "org", anon, "anonbea7", "hiddai7", "polanon7"]
        with self.app.app_context():
            self.rules = [
                (rule, declared_schema(rule.endpoint, "GET"))
                for rule in self.app.url_map.iter_rules()
                if "GET" in rule.methods and not rule.endpoint.startswith("web_auth.")
            ]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("consent-groupings"))


#: Meaningful values of the parameters the routes declare (others get random text).
KNOWN = {
    "hops": ["1", "2", "3"],
    "silo": ["police", "health", "housing", "(none)"],
    "kind": list(RELATIONSHIP_KINDS),
    "metric": ["degree", "betweenness", "brokerage", "pagerank"],
    "download": ["1", "0"],
    "embed": ["1"],
    "limit": ["1", "50", "200"],
    "offset": ["0", "1", "5"],
    "seed": ["0", "1"],
    "as_of": ["2020-01-01", "2030-01-01"],
    "from": ["2000-01-01"],
    "to": ["2030-01-01"],
    "q": ["Bea", "anon", "police", "Secret", "Riverside"],
}


def _value(name: str):
    known = KNOWN.get(name, [])
    random = st.one_of(st.text(max_size=6), st.integers(-3, 400).map(str))
    return st.sampled_from(known) | random if known else random


def _fill(rule, world: World, node: str) -> str:
    kind = rule.rule.split("/<entity_id>")[0].rsplit("/", 1)[-1]
    entity = {"relationships": "t0", "organisations": "org"}.get(kind, node)
    values = {
        "map_id": "m1",
        "node_id": node,
        "person_id": node,
        "survey_id": "s1",
        "entity_id": entity,
        "token_id": world.secrets["spare"][0],
        "token": world.secrets["spare"][1],
        "name": {"transfer.template": "people.csv", "pages.asset": "bridgemap.css"}.get(
            rule.endpoint, "vis-network.min.js"
        ),
    }
    path = rule.rule
    for name in rule.arguments - set(rule.defaults or {}):
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", values[name], path)
    return path


def _query(data, schema) -> list[tuple[str, str]]:
    """Random query pairs for ``schema``'s parameters (some repeated, some left out)."""
    instance = schema() if isinstance(schema, type) else schema
    pairs = []
    for name, field in instance.fields.items():
        key = field.data_key or name
        if key == "group_by" or not data.draw(st.booleans(), label=f"use {key}"):
            continue
        repeat = 2 if isinstance(field, fields.List) else 1
        count = data.draw(st.integers(1, repeat + 1), label=f"count {key}")
        pairs += [(key, data.draw(_value(key), label=key)) for _ in range(count)]
    return pairs


def _check(world: World, client, role: str, path: str, pairs) -> None:
    response = client.get(path, query_string=pairs)
    where = (role, path, pairs, response.status_code)
    assert response.status_code < 500, where
    if path.startswith("/static/vis/"):
        return  # the drawing library
    text = body_text(response)
    leaked = sorted(s for s in FORBIDDEN if s in text and s not in path)
    assert leaked == [], (*where, leaked)


@pytest.mark.slow
@settings(
    max_examples=examples(thorough=20, quick=3),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a leak is plain without shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_no_consent_leak_on_any_route_query_or_grouping(world, data):
    for role, client in world.clients.items():
        for rule, schema in world.rules:
            ids = {"node_id", "entity_id", "person_id"} & rule.arguments
            nodes = [data.draw(st.sampled_from(world.node_ids), label="node")] if ids else [""]
            if ids:
                nodes.append("ann")  # always one that exists, so the body is a real page
            instance = schema() if isinstance(schema, type) else schema
            declared = {f.data_key or n for n, f in instance.fields.items()}
            groupings = GROUPINGS if "group_by" in declared else (None,)
            for node in nodes:
                path = _fill(rule, world, node)
                for grouping in groupings:
                    pairs = _query(data, schema)
                    if grouping is not None:
                        pairs.append(("group_by", grouping))
                    _check(world, client, role, path, pairs)
                    if grouping is not None and pairs[:-1]:
                        _check(world, client, role, path, [("group_by", grouping)])
