"""The JSON API on both stores: happy paths, and every kind of bad input the issue lists.

Bad input must give a clear JSON error naming the field or row, never a 500, and never
a partial write: each bad-input test also checks that nothing changed.
"""

from __future__ import annotations

import pytest

MAP = "/api/v1/maps/m1"


@pytest.fixture
def api(client):
    r = client.post("/api/v1/maps", json={"id": "m1", "name": "Partnership"})
    assert r.status_code == 201, r.json
    for body in (
        {"id": "ann", "name": "Ann", "silo": "health"},
        {"id": "ben", "name": "Ben", "silo": "Housing"},  # case forgiven
    ):
        assert client.post(f"{MAP}/people", json=body).status_code == 201
    assert (
        client.post(
            f"{MAP}/organisations", json={"id": "org", "name": "Clinic", "silo": "health"}
        ).status_code
        == 201
    )
    return client


def version(client) -> int:
    return client.get(MAP).json["version"]


def assert_error(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == status and body["message"]
    if field is not None:
        assert field in str(body["errors"]), body["errors"]
    return body


@pytest.mark.both_stores
def test_crud_round_trip(api):
    r = api.post(
        f"{MAP}/relationships",
        json={"id": "t1", "source": "ann", "target": "ben", "kind": "knows", "since": "2024-02-01"},
    )
    assert r.status_code == 201 and r.json["since"] == "2024-02-01"
    assert api.get(f"{MAP}/people/ben").json["silo"] == "housing"
    r = api.patch(f"{MAP}/relationships/t1", json={"strength": 5})
    assert r.status_code == 200 and r.json["strength"] == 5 and r.json["kind"] == "knows"
    listing = api.get(f"{MAP}/people?silo=health").json
    assert [p["id"] for p in listing["items"]] == ["ann"] and listing["total"] == 1
    graph = api.get(f"{MAP}/graph").json
    assert {n["id"] for n in graph["nodes"]} == {"ann", "ben", "org"}
    assert [e["id"] for e in graph["edges"]] == ["t1"]
    assert api.delete(f"{MAP}/people/ann").status_code == 204
    assert api.get(f"{MAP}/relationships").json["total"] == 0


def test_server_generates_ids(api):
    r = api.post(f"{MAP}/people", json={"name": "No Id", "silo": "police"})
    assert r.status_code == 201 and r.json["id"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("people", {"name": 123, "silo": "health"}, "name"),  # wrong type
        ("people", {"name": "A", "silo": "health", "colour": "red"}, "colour"),  # unknown field
        ("people", {"silo": "health"}, "name"),  # missing field
        ("people", {"name": "A", "silo": "health", "visibility": "public"}, "visibility"),
        ("people", {"name": "A", "silo": "space"}, "silo"),  # not in the map's vocabulary
        ("people", {"name": "x" * 10_000, "silo": "health"}, "name"),  # 10,000-char name
        ("people", {"id": "a/b c", "name": "A", "silo": "health"}, "id"),  # odd characters
        ("people", {"id": "<script>", "name": "A", "silo": "health"}, "id"),
        ("people", {"name": "A", "silo": "health", "tags": "one"}, "tags"),
        ("relationships", {"source": "ann", "target": "ben", "kind": "likes"}, "kind"),
        ("relationships", {"source": "ann", "target": "org", "kind": "knows"}, "target"),
        ("relationships", {"source": "ann", "target": "ann", "kind": "knows"}, "target"),
        ("relationships", {"source": "ann", "target": "ghost", "kind": "knows"}, "target"),
        (
            "relationships",
            {"source": "ann", "target": "ben", "kind": "knows", "strength": 6},
            "strength",
        ),
        (
            "relationships",
            {"source": "ann", "target": "ben", "kind": "knows", "strength": "3"},
            "strength",
        ),
        (
            "relationships",
            {
                "source": "ann",
                "target": "ben",
                "kind": "knows",
                "since": "2024-05-01",
                "until": "2024-01-01",
            },
            "until",
        ),
        (
            "relationships",
            {"source": "ann", "target": "ben", "kind": "knows", "since": "31/12/2024"},
            "since",
        ),
        ("organisations", {"name": "X", "silo": "health", "kind": "cartel"}, "kind"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(api, path, body, field):
    before = version(api)
    assert_error(api.post(f"{MAP}/{path}", json=body), 422, field)
    assert version(api) == before


def test_body_must_be_json_object(api):
    before = version(api)
    r = api.post(f"{MAP}/people", data="{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert_error(r, r.status_code)
    assert_error(api.post(f"{MAP}/people", json=["a list"]), 422)
    assert version(api) == before


def test_patch_checks_whole_object(api):
    api.post(
        f"{MAP}/relationships",
        json={"id": "t1", "source": "ann", "target": "ben", "kind": "knows", "since": "2024-05-01"},
    )
    assert_error(api.patch(f"{MAP}/relationships/t1", json={"until": "2023-01-01"}), 422, "until")
    assert_error(api.patch(f"{MAP}/people/ann", json={"id": "other"}), 422, "id")
    assert_error(api.patch(f"{MAP}/people/ann", json={"silo": "nowhere"}), 422, "silo")
    assert api.get(f"{MAP}/relationships/t1").json["until"] is None


def test_not_found_and_conflict(api):
    assert_error(api.get("/api/v1/maps/nope"), 404)
    assert_error(api.get("/api/v1/maps/nope/people"), 404)
    assert_error(api.post("/api/v1/maps/nope/people", json={"name": "A", "silo": "health"}), 404)
    assert_error(api.get(f"{MAP}/people/ghost"), 404)
    assert_error(api.get(f"{MAP}/organisations/ann"), 404)
    assert_error(api.post(f"{MAP}/people", json={"id": "ann", "name": "A", "silo": "health"}), 409)
    assert_error(api.post("/api/v1/maps", json={"id": "m1", "name": "Again"}), 409)


def test_oversize_body_is_413(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    before = version(api)
    r = api.post(f"{MAP}/bulk", json={"people": [{"name": "x" * 100, "silo": "health"}] * 200})
    assert_error(r, 413)
    assert version(api) == before


@pytest.mark.both_stores
def test_bulk_one_bad_row_names_it_and_writes_nothing(api):
    before = version(api)
    batch = {
        "people": [{"id": f"p{i}", "name": f"P{i}", "silo": "police"} for i in range(5)],
        "relationships": [
            {"id": "b1", "source": "p0", "target": "p1", "kind": "knows"},
            {"id": "b2", "source": "p1", "target": "p2", "kind": "knows", "strength": 0},
        ],
    }
    body = assert_error(api.post(f"{MAP}/bulk", json=batch), 422)
    assert "1" in str(body["errors"]) and "strength" in str(body["errors"])
    batch["relationships"][1]["strength"] = 2
    batch["relationships"].append({"id": "b3", "source": "p2", "target": "nobody", "kind": "knows"})
    body = assert_error(api.post(f"{MAP}/bulk", json=batch), 422)
    assert body["errors"]["relationships"]["2"]["target"]
    batch["people"][3]["silo"] = "atlantis"
    body = assert_error(api.post(f"{MAP}/bulk", json=batch), 422)
    assert "3" in body["errors"]["people"]
    assert version(api) == before
    assert api.get(f"{MAP}/people").json["total"] == 2


def test_bulk_upserts(api):
    batch = {
        "people": [{"id": "ann", "name": "Ann Updated", "silo": "health"}],
        "relationships": [{"id": "b1", "source": "ann", "target": "ben", "kind": "knows"}],
    }
    assert api.post(f"{MAP}/bulk", json=batch).json == {"created": 1, "updated": 1}
    assert api.post(f"{MAP}/bulk", json=batch).json == {"created": 0, "updated": 2}
    assert api.get(f"{MAP}/people/ann").json["name"] == "Ann Updated"


def test_query_args_validated(api):
    assert_error(api.get(f"{MAP}/people?limit=0"), 422, "limit")
    assert_error(api.get(f"{MAP}/people?limit=abc"), 422, "limit")
    assert_error(api.get(f"{MAP}/people?bogus=1"), 422, "bogus")
    assert_error(api.get(f"{MAP}/graph?as_of=yesterday"), 422, "as_of")
    assert_error(api.get(f"{MAP}/nodes/ann/neighbourhood?hops=9"), 422, "hops")


def test_neighbourhood_endpoint(api):
    api.post(f"{MAP}/relationships", json={"source": "ann", "target": "ben", "kind": "knows"})
    web = api.get(f"{MAP}/nodes/ben/neighbourhood?hops=1").json
    assert {n["id"] for n in web["nodes"]} == {"ann", "ben"}


def test_openapi_document_and_health(api):
    doc = api.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/maps/{map_id}/people" in doc["paths"]
    assert "/api/v1/maps/{map_id}/bulk" in doc["paths"]
    health = api.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "ok"


def test_map_patch_with_partial_silos_is_validated_not_500(api):
    """Found by schemathesis: a partial map load reached nested silos, whose defaults
    and required fields were then skipped (KeyError: 'colour', a 500)."""
    r = api.patch(MAP, json={"silos": [{"name": "health"}, {"name": "housing"}]})
    assert r.status_code == 200 and r.json["silos"][0]["colour"] == "#888888"
    assert_error(api.patch(MAP, json={"silos": [{"colour": "#000000"}]}), 422, "name")


def test_writes_need_a_json_body(api):
    """Found by schemathesis: a PATCH or batch with no body passed as an empty change."""
    before = version(api)
    assert_error(api.patch(MAP), 422)
    assert_error(api.post(f"{MAP}/bulk"), 422)
    assert_error(api.post(f"{MAP}/people", data={"name": "A", "silo": "health"}), 422)
    assert version(api) == before


def test_405_names_the_allowed_methods(api):
    r = api.open(MAP, method="TRACE")
    assert_error(r, 405)
    assert {"GET", "PATCH", "DELETE"} <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_a_maps_default_consent_applies_to_new_people_who_do_not_state_one(client):
    body = {"id": "dc", "name": "Default consent", "default_visibility": "anonymised"}
    assert client.post("/api/v1/maps", json=body).get_json()["default_visibility"] == "anonymised"
    made = client.post("/api/v1/maps/dc/people", json={"name": "Nia", "silo": "health"})
    assert made.status_code == 201 and made.get_json()["visibility"] == "anonymised"
    said = client.post(
        "/api/v1/maps/dc/people", json={"name": "Ifan", "silo": "health", "visibility": "named"}
    )
    assert said.get_json()["visibility"] == "named"
    changed = client.patch("/api/v1/maps/dc", json={"default_visibility": "hidden"})
    assert changed.status_code == 200 and changed.get_json()["default_visibility"] == "hidden"
    bad = client.patch("/api/v1/maps/dc", json={"default_visibility": "public"})
    assert bad.status_code == 422 and "default_visibility" in bad.get_json()["errors"]["json"]
