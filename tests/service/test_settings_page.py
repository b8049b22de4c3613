"""The map settings page (issue 14, 12b) without a browser: coordinators rename the map,
edit silos (a rename takes people along) and the map's own kinds; a kind in use cannot
be removed (409, the page says how many); viewers get the same 403 as on other
coordinator pages."""

from __future__ import annotations

import re

import pytest

MAP = "/api/v1/maps/m1"


@pytest.fixture
def filled(client):
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "P"}).status_code == 201
    r = client.post(f"{MAP}/people", json={"id": "ann", "name": "Ann", "silo": "housing"})
    assert r.status_code == 201
    return client


def form_of(html: str) -> dict:
    """The form's fields as the browser would send them (checked boxes only)."""
    fields: dict = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox" and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"\s*selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = body
    return fields


def silo_index(fields: dict, name: str) -> int:
    return next(
        int(k.split("-")[1])
        for k, v in fields.items()
        if k.endswith("-name") and k.startswith("silos-") and v == name
    )


def test_settings_rename_silo_and_add_kind(filled, app):
    page = filled.get("/maps/m1/settings")
    assert page.status_code == 200
    fields = form_of(page.get_data(as_text=True))
    i = silo_index(fields, "housing")
    fields[f"silos-{i}-name"] = "homes"
    fields[f"silos-{i}-label_cy"] = "cartrefi"
    fields["name"] = "Renamed partnership"
    fields.update(
        {
            "kinds-0-name": "co_delivers",
            "kinds-0-label": "co-delivers",
            "kinds-0-label_cy": "cyd-gyflawni",
            "kinds-0-ends": "person-person",
            "kinds-0-directed": "1",
        }
    )
    r = filled.post("/maps/m1/settings", data=fields)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    m = filled.get(MAP).json
    assert m["name"] == "Renamed partnership"
    assert {"name": "homes", "colour": m["silos"][i]["colour"], "label_cy": "cartrefi"} in m[
        "silos"
    ]
    assert m["kinds"][0]["name"] == "co_delivers" and m["kinds"][0]["directed"] is True
    assert filled.get(f"{MAP}/people/ann").json["silo"] == "homes"
    audit = filled.get(f"{MAP}/audit").json
    assert any(e["entity_type"] == "map" and e["action"] == "update" for e in audit["items"])


def test_used_kind_cannot_be_removed_from_the_page(filled):
    kind = {"name": "co_delivers", "label": "co-delivers", "source": "person", "target": "person"}
    assert filled.patch(MAP, json={"kinds": [kind]}).status_code == 200
    filled.post(f"{MAP}/people", json={"id": "ben", "name": "Ben", "silo": "health"})
    tie = {"id": "t1", "source": "ann", "target": "ben", "kind": "co_delivers"}
    assert filled.post(f"{MAP}/relationships", json=tie).status_code == 201
    fields = form_of(filled.get("/maps/m1/settings").get_data(as_text=True))
    fields["kinds-0-name"] = ""
    fields["name"] = "Should not stick"
    r = filled.post("/maps/m1/settings", data=fields)
    assert r.status_code == 409
    text = r.get_data(as_text=True)
    assert "used by 1 tie" in text and "error-summary" in text
    assert filled.get(MAP).json["name"] == "P"


def test_bad_kind_name_is_shown_on_its_field(filled):
    fields = form_of(filled.get("/maps/m1/settings").get_data(as_text=True))
    fields.update({"kinds-0-name": "Co Delivers", "kinds-0-label": "x"})
    r = filled.post("/maps/m1/settings", data=fields)
    assert r.status_code == 422
    assert 'id="e-kinds-0-name"' in r.get_data(as_text=True)


def test_viewers_cannot_open_the_settings(filled, role_client):
    viewer = role_client("viewer")
    assert viewer.get("/maps/m1/settings").status_code == 403
    assert viewer.post("/maps/m1/settings", data={"name": "x"}).status_code in (400, 403)
    community = role_client("community", subject="ann")
    assert community.get("/maps/m1/settings").status_code == 403


def test_welsh_pages_show_the_welsh_labels_of_the_maps_vocabulary(tmp_path):
    """With Welsh offered (another branch adds its catalogue and switch), a Welsh page
    names the map's own kind and silo by their Welsh labels; English keeps English."""
    from graph_models.store.embedded import EmbeddedStore
    from tests.conftest import ADMIN_SECRET, make_app

    client = make_app(EmbeddedStore(tmp_path / "db.sqlite3"), LANGUAGES=["en", "cy"]).test_client()
    client.token = ADMIN_SECRET
    kind = {
        "name": "co_delivers",
        "label": "co-delivers",
        "label_cy": "cyd-gyflawni",
        "source": "person",
        "target": "person",
    }
    silos = [{"name": "health", "label_cy": "iechyd"}, {"name": "housing"}]
    body = {"id": "m1", "name": "P", "silos": silos, "kinds": [kind]}
    assert client.post("/api/v1/maps", json=body).status_code == 201
    for p in (
        {"id": "ann", "name": "Ann", "silo": "health"},
        {"id": "ben", "name": "Ben", "silo": "housing"},
    ):
        assert client.post(f"{MAP}/people", json=p).status_code == 201
    tie = {"id": "t1", "source": "ann", "target": "ben", "kind": "co_delivers"}
    assert client.post(f"{MAP}/relationships", json=tie).status_code == 201
    welsh = {"Accept-Language": "cy"}
    form = client.get("/maps/m1/relationships/new", headers=welsh).get_data(as_text=True)
    assert 'value="co_delivers"' in form and "cyd-gyflawni (" in form
    listing = client.get("/maps/m1/relationships", headers=welsh).get_data(as_text=True)
    assert "cyd-gyflawni" in listing
    english = client.get("/maps/m1/relationships").get_data(as_text=True)
    assert "co-delivers" in english and "cyd-gyflawni" not in english
    dashboard = client.get("/maps/m1", headers=welsh).get_data(as_text=True)
    assert "iechyd" in dashboard
    graph = client.get("/maps/m1/view?embed=1", headers=welsh).get_data(as_text=True)
    assert "cyd-gyflawni" in graph and "iechyd" in graph
