"""A small two-map world with a token of every role, for the access-control tests.

Map ``m1`` (health: seven people, one anonymised and one hidden; housing: two people
and one organisation; police: one named and one anonymised person — a small group)
and map ``m2`` (one person). Everything is made through the API with the operator's
client, as a coordinator would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph_models.store.embedded import EmbeddedStore
from tests.conftest import ADMIN_SECRET, make_app

M1_PEOPLE = [
    {"id": "ann", "name": "Ann Evans", "silo": "health", "contact": "ann@example.org"},
    *({"id": f"h{i}", "name": f"Health Worker {i}", "silo": "health"} for i in range(1, 5)),
    {"id": "bea", "name": "Bea Secret", "silo": "health", "visibility": "anonymised"},
    {"id": "dai", "name": "Dai Hidden", "silo": "health", "visibility": "hidden"},
    {"id": "cai", "name": "Cai Price", "silo": "housing"},
    {"id": "eve", "name": "Eve Lewis", "silo": "housing"},
    {"id": "pol", "name": "Pat Named", "silo": "police"},
    {"id": "pan", "name": "Pip Anon", "silo": "police", "visibility": "anonymised"},
]
M1_ORGS = [{"id": "org", "name": "Valley Housing", "silo": "housing", "kind": "third sector"}]
M1_TIES = [
    {"id": "t1", "source": "ann", "target": "bea", "kind": "knows"},
    {"id": "t2", "source": "bea", "target": "cai", "kind": "works_with", "notes": "via Dai"},
    {"id": "t3", "source": "cai", "target": "eve", "kind": "knows"},
    {"id": "t4", "source": "ann", "target": "dai", "kind": "knows"},
    {"id": "t5", "source": "dai", "target": "eve", "kind": "knows"},
    {"id": "t6", "source": "ann", "target": "h1", "kind": "works_with"},
    {"id": "t7", "source": "h1", "target": "h2", "kind": "knows"},
    {"id": "t8", "source": "h3", "target": "h4", "kind": "knows"},
    {"id": "t9", "source": "pol", "target": "pan", "kind": "knows"},
    {"id": "t10", "source": "pan", "target": "ann", "kind": "knows"},
    {"id": "t11", "source": "pol", "target": "cai", "kind": "knows"},
    {"id": "t12", "source": "eve", "target": "org", "kind": "works_for"},
]
HIDDEN_MARKERS = ("Dai Hidden", "dai")
SMALL_ANON_MARKERS = ("Pip Anon", "pan")


@dataclass
class World:
    app: object
    admin: object
    clients: dict = field(default_factory=dict)
    token_ids: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)


def build_world(tmp_path, **config) -> World:
    store = EmbeddedStore(tmp_path / "world.sqlite3")
    app = make_app(store, SECRET_KEY="world-secret", **config)
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    assert admin.post("/api/v1/maps", json={"id": "m1", "name": "One"}).status_code == 201
    assert admin.post("/api/v1/maps", json={"id": "m2", "name": "Two"}).status_code == 201
    r = admin.post(
        "/api/v1/maps/m1/bulk",
        json={"people": M1_PEOPLE, "organisations": M1_ORGS, "relationships": M1_TIES},
    )
    assert r.status_code == 200, r.get_json()
    r = admin.post(
        "/api/v1/maps/m2/people", json={"id": "zed", "name": "Zed Other", "silo": "health"}
    )
    assert r.status_code == 201
    world = World(app, admin)
    for name, map_id, body in [
        ("coordinator", "m1", {"role": "coordinator"}),
        ("viewer", "m1", {"role": "viewer"}),
        ("community", "m1", {"role": "community", "subject": "ann"}),
        ("other_coordinator", "m2", {"role": "coordinator"}),
        ("other_viewer", "m2", {"role": "viewer"}),
        ("spare", "m1", {"role": "viewer", "label": "to be revoked"}),
    ]:
        r = admin.post(f"/api/v1/maps/{map_id}/tokens", json=body)
        assert r.status_code == 201, r.get_json()
        c = app.test_client()
        c.token = r.get_json()["token"]
        world.clients[name] = c
        world.token_ids[name] = r.get_json()["id"]
        world.secrets[name] = r.get_json()["token"]
    world.clients["anonymous"] = app.test_client()
    world.clients["admin"] = admin
    add_survey(world)
    return world


def add_survey(world: World) -> None:
    """Survey ``s1`` of m1, open, asking Ann, Cai and Eve; ``clients["respondent"]`` is
    Cai's link, whose submitted response names Ann and, under "Anyone else?", the hidden
    Dai by name (a respondent may know people the roster does not show)."""
    admin = world.admin
    body = {"id": "s1", "title": "Who do you work with?", "respondents": ["ann", "cai", "eve"]}
    assert admin.post("/api/v1/maps/m1/surveys", json=body).status_code == 201
    r = admin.post("/api/v1/maps/m1/surveys/s1/open")
    assert r.status_code == 200, r.get_json()
    link = next(x for x in r.get_json()["links"] if x["person_id"] == "cai")
    c = world.app.test_client()
    c.token = link["token"]
    answers = {
        "ties": [
            {"target": "ann", "kind": "knows", "frequency": "weekly"},
            {"name": "Dai Hidden", "silo": "health", "kind": "knows", "frequency": "monthly"},
        ]
    }
    assert c.post("/api/v1/maps/m1/surveys/s1/respond/submit", json=answers).status_code == 200
    world.clients["respondent"] = c
    world.secrets["respondent"] = link["token"]


#: How each URL variable is filled in: the object in map m1 that the rule names.
def fill(rule, world: World, *, node="ann") -> str:
    endpoint = rule.endpoint
    values = {
        "map_id": "m1",
        "node_id": node,
        "person_id": "ann",
        "survey_id": "s1",
        "token_id": world.token_ids["spare"],
        "name": {"transfer.template": "people.csv", "pages.asset": "bridgemap.css"}.get(
            endpoint, "vis-network.min.js"
        ),
        "token": world.secrets["spare"],
    }
    if "entity_id" in rule.arguments:
        # the kind is the path segment before the id (API and web pages alike)
        kind = rule.rule.split("/<entity_id>")[0].rsplit("/", 1)[-1]
        values["entity_id"] = {"people": "ann", "organisations": "org", "relationships": "t6"}[kind]
    path = rule.rule
    for name in rule.arguments - set(rule.defaults or {}):  # defaults are not in the path
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", values[name], path)
    return path


def routes(app):
    """Every (rule, method) the app serves, HEAD and OPTIONS aside."""
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    return out
