"""Property: on random maps, no hidden person's name or id (nor an anonymised person's
real name or id, nor anyone's contact details) appears in ANY response to a viewer or
a community link, over every GET route of the app (generated from ``app.url_map``)."""

from __future__ import annotations

import itertools
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_models.store.embedded import EmbeddedStore
from tests.bodies import body_text
from tests.conftest import ADMIN_SECRET, examples, make_app

SILOS = ["health", "housing", "police"]
_counter = itertools.count()
_APP = {}


def _app():
    if "app" not in _APP:
        folder = Path(tempfile.mkdtemp(prefix="bridgemap-property-"))
        app = make_app(EmbeddedStore(folder / "db.sqlite3"), SECRET_KEY="property-secret")
        admin = app.test_client()
        admin.token = ADMIN_SECRET
        _APP.update(app=app, admin=admin)
    return _APP["app"], _APP["admin"]


@st.composite
def maps(draw):
    n = draw(st.integers(min_value=2, max_value=14))
    uid = draw(st.lists(st.uuids(), min_size=n + 3, max_size=n + 3, unique=True))
    people = [
        {
            "id": f"p{u.hex[:12]}",
            "name": f"Name{u.hex[12:22]}",
            "silo": draw(st.sampled_from(SILOS)),
            "visibility": draw(st.sampled_from(["named", "anonymised", "hidden"])),
            "contact": f"mail{u.hex[22:30]}@example.org",
            "role": f"Role{u.hex[:6]}",
        }
        for u in uid[:n]
    ]
    orgs = [
        {"id": f"o{u.hex[:12]}", "name": f"Org{u.hex[12:22]}", "silo": draw(st.sampled_from(SILOS))}
        for u in uid[n : n + draw(st.integers(0, 3))]
    ]
    pairs = [(a, b) for a, b in itertools.combinations(range(n), 2)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(30, len(pairs))))
    ties = [
        {
            "id": f"t{i}x{people[a]['id']}",  # a tie id may embed a person's id
            "source": people[a]["id"],
            "target": people[b]["id"],
            "kind": "knows",
            "notes": f"about {people[b]['name']}",
        }
        for i, (a, b) in enumerate(chosen)
    ]
    for j, org in enumerate(orgs):
        ties.append(
            {
                "id": f"w{j}x{people[j % n]['id']}",
                "source": people[j % n]["id"],
                "target": org["id"],
                "kind": "works_for",
            }
        )
    return people, orgs, ties


def _fill(rule, values: dict) -> str:
    path = rule.rule
    for name in rule.arguments - set(rule.defaults or {}):  # defaults are not in the path
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", values[name], path)
    return path


@pytest.mark.slow
@settings(
    max_examples=examples(thorough=50, quick=5),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(maps(), st.data())
def test_no_hidden_person_reaches_a_viewer_or_community_link(world, data):
    app, admin = _app()
    people, orgs, ties = world
    map_id = f"rand{next(_counter)}"
    assert admin.post("/api/v1/maps", json={"id": map_id, "name": "Random"}).status_code == 201
    r = admin.post(
        f"/api/v1/maps/{map_id}/bulk",
        json={"people": people, "organisations": orgs, "relationships": ties},
    )
    assert r.status_code == 200, r.get_json()

    secret_texts = set()
    for p in people:
        secret_texts.add(p["contact"])
        if p["visibility"] != "named":
            secret_texts |= {p["name"], p["id"]}
    visible = [p["id"] for p in people if p["visibility"] != "hidden"] + [o["id"] for o in orgs]
    clients = {}
    r = admin.post(f"/api/v1/maps/{map_id}/tokens", json={"role": "viewer"})
    clients["viewer"] = app.test_client()
    clients["viewer"].token = r.get_json()["token"]
    if visible:
        subject = data.draw(st.sampled_from(visible))
        body = {"role": "community", "subject": subject}
        r = admin.post(f"/api/v1/maps/{map_id}/tokens", json=body)
        assert r.status_code == 201, r.get_json()
        clients["community"] = app.test_client()
        clients["community"].token = r.get_json()["token"]
    else:
        subject = people[0]["id"]

    ids = [p["id"] for p in people] + [o["id"] for o in orgs]
    some = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    tie_id = ties[0]["id"] if ties else "none"
    for role, client in clients.items():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint.startswith(("web_auth.", "transfer.t")):
                continue
            candidates = [subject, *some] if {"node_id", "entity_id"} & rule.arguments else [""]
            for node in candidates:
                entity = tie_id if rule.endpoint.startswith("relationships.") else node
                values = {
                    "map_id": map_id,
                    "node_id": node,
                    "entity_id": entity,
                    "person_id": node,
                    "survey_id": "s1",
                    "name": "vis-network.min.js",
                }
                path = _fill(rule, values)
                for query in ("", "?hops=2", "?silo=police") if node == subject else ("",):
                    response = client.get(path + query)
                    assert response.status_code < 500, (role, path, response.status_code)
                    if rule.endpoint == "graph_views.vis_asset":
                        continue
                    text = body_text(response)
                    leaked = [s for s in secret_texts if s in text and s not in path]
                    assert leaked == [], (role, path + query, leaked)
