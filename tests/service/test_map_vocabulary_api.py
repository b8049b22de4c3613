"""The map's vocabulary through the API (issues 13, 14 and 15): its own relationship
kinds and Welsh labels are set with ``PATCH /api/v1/maps/<id>``; bad definitions are a
422 naming the field; a tie of a kind the map lacks is a 422 naming ``kind``; a kind or
silo in use cannot go (409, how many, nothing written); viewers cannot change any of it.
"""

from __future__ import annotations

import pytest

MAP = "/api/v1/maps/m1"
CO_DELIVERS = {
    "name": "co_delivers",
    "label": "co-delivers",
    "label_cy": "cyd-gyflawni",
    "source": "person",
    "target": "person",
    "directed": True,
}


@pytest.fixture
def api(client):
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "P"}).status_code == 201
    for body in (
        {"id": "ann", "name": "Ann", "silo": "health"},
        {"id": "ben", "name": "Ben", "silo": "housing"},
    ):
        assert client.post(f"{MAP}/people", json=body).status_code == 201
    return client


def assert_error(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert body["message"] and field in str(body["errors"]), body
    return body


@pytest.mark.both_stores
def test_own_kind_set_used_and_refused_removal(api):
    r = api.patch(MAP, json={"kinds": [CO_DELIVERS]})
    assert r.status_code == 200, r.json
    assert r.json["kinds"] == [{**CO_DELIVERS, "affiliation": False}]
    r = api.post(
        f"{MAP}/relationships",
        json={"id": "t1", "source": "ann", "target": "ben", "kind": "co_delivers"},
    )
    assert r.status_code == 201, r.json
    listed = api.get(f"{MAP}/relationships?kind=co_delivers").json
    assert [t["id"] for t in listed["items"]] == ["t1"]
    version = api.get(MAP).json["version"]
    body = assert_error(api.patch(MAP, json={"kinds": [], "name": "Gone"}), 409, "kinds")
    assert "1 tie" in str(body["errors"]["kinds"])
    after = api.get(MAP).json
    assert (after["version"], after["name"], len(after["kinds"])) == (version, "P", 1)


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ({**CO_DELIVERS, "name": "Co Delivers"}, "name"),
        ({**CO_DELIVERS, "name": "knows"}, "name"),  # a built-in kind's name
        ({**CO_DELIVERS, "name": "x`]->() DETACH DELETE n //"}, "name"),
        ({**CO_DELIVERS, "label": ""}, "label"),
        ({**CO_DELIVERS, "source": "team"}, "source"),
        ({**CO_DELIVERS, "source": "organisation", "target": "person"}, "target"),
        ({**CO_DELIVERS, "affiliation": True}, "affiliation"),  # person-person
        ({k: v for k, v in CO_DELIVERS.items() if k != "source"}, "source"),
        ({**CO_DELIVERS, "colour": "#fff000"}, "colour"),
    ],
)
def test_bad_kind_definitions_name_the_field(api, kind, field):
    version = api.get(MAP).json["version"]
    body = assert_error(api.patch(MAP, json={"kinds": [kind]}), 422, field)
    assert "kinds" in body["errors"]["json"]
    assert api.get(MAP).json["version"] == version


def test_repeated_kind_names_and_bad_welsh_label(api):
    assert_error(api.patch(MAP, json={"kinds": [CO_DELIVERS, CO_DELIVERS]}), 422, "kinds")
    silos = [{"name": "health", "label_cy": "x" * 61}]
    assert_error(api.patch(MAP, json={"silos": silos}), 422, "label_cy")


@pytest.mark.both_stores
def test_unknown_kind_on_a_relationship_names_kind(api):
    body = {"id": "t9", "source": "ann", "target": "ben", "kind": "co_delivers"}
    assert_error(api.post(f"{MAP}/relationships", json=body), 422, "kind")
    batch = {"relationships": [body]}
    assert_error(api.post(f"{MAP}/bulk", json=batch), 422, "kind")
    assert api.get(f"{MAP}/relationships").json["total"] == 0


@pytest.mark.both_stores
def test_silo_rename_is_followed_and_welsh_label_kept(api):
    silos = api.get(MAP).json["silos"]
    silos = [{**s, "label_cy": "tai"} if s["name"] == "housing" else s for s in silos]
    assert api.patch(MAP, json={"silos": silos}).status_code == 200
    r = api.patch(MAP, json={"rename_silos": {"housing": "homes"}})
    assert r.status_code == 200, r.json
    homes = [s for s in r.json["silos"] if s["name"] == "homes"]
    assert homes and homes[0]["label_cy"] == "tai"
    assert api.get(f"{MAP}/people/ben").json["silo"] == "homes"
    without = [s for s in r.json["silos"] if s["name"] != "homes"]
    body = assert_error(api.patch(MAP, json={"silos": without}), 409, "silos")
    assert "homes" in str(body["errors"])
    assert_error(api.patch(MAP, json={"rename_silos": {"nowhere": "x"}}), 422, "rename_silos")


def test_viewers_cannot_change_the_vocabulary(api, role_client):
    viewer = role_client("viewer")
    r = viewer.patch(MAP, json={"kinds": [CO_DELIVERS]})
    assert r.status_code == 403
    community = role_client("community", subject="ann")
    assert community.patch(MAP, json={"kinds": [CO_DELIVERS]}).status_code == 403
    assert api.get(MAP).json["kinds"] == []
