"""The web pages through Flask's test client: forms validated by the schemas, CSRF,
escaping of user text, viewers kept to reading, and HTML error pages for browsers."""

from __future__ import annotations

import io
import re

import pytest

from tests.service.authworld import build_world

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def browser(world, role="coordinator"):
    """A test client signed in by share link (session cookie), as a browser is."""
    client = world.app.test_client()
    r = client.get(f"/share/{world.secrets[role]}")
    assert r.status_code == 302
    return client


def csrf(client, path) -> str:
    page = client.get(path, headers=HTML).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def test_person_form_shows_field_errors_from_the_schema_and_the_vocabulary(world):
    c = browser(world)
    token = csrf(c, "/maps/m1/people/new")
    r = c.post(
        "/maps/m1/people/new",
        data={"csrf_token": token, "name": "", "silo": "helth", "visibility": "secret"},
        headers=HTML,
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="e-name"' in page and "This is required." in page
    assert 'id="e-visibility"' in page and 'aria-invalid="true"' in page
    r = c.post(
        "/maps/m1/people/new",
        data={"csrf_token": token, "name": "Nia", "silo": "helth", "visibility": "named"},
        headers=HTML,
    )
    assert r.status_code == 422 and "must be one of: health" in r.get_data(as_text=True)
    # consent is an explicit choice on the page: no silent "named"
    r = c.post(
        "/maps/m1/people/new",
        data={"csrf_token": token, "name": "Nia Jones", "silo": "Health"},
        headers=HTML,
    )
    assert r.status_code == 422
    assert "Choose what this person agreed may be shown." in r.get_data(as_text=True)
    r = c.post(
        "/maps/m1/people/new",
        data={
            "csrf_token": token,
            "name": "Nia Jones",
            "silo": "Health",
            "tags": "a, b",
            "visibility": "named",
        },
    )
    assert r.status_code == 302
    people = world.admin.get("/api/v1/maps/m1/people?q=Nia").get_json()["items"]
    assert [(p["name"], p["silo"], p["tags"]) for p in people] == [
        ("Nia Jones", "health", ["a", "b"])
    ]


def test_relationship_form_finds_people_by_name_and_checks_the_kind(world):
    c = browser(world)
    token = csrf(c, "/maps/m1/relationships/new")
    data = {"csrf_token": token, "source": "ann evans", "target": "Nobody", "kind": "knows"}
    r = c.post("/maps/m1/relationships/new", data=data, headers=HTML)
    assert r.status_code == 422 and "No person or organisation has this name" in r.get_data(True)
    data.update(target="Valley Housing", kind="knows")
    r = c.post("/maps/m1/relationships/new", data=data, headers=HTML)
    assert r.status_code == 422 and "must end at a person" in r.get_data(True)
    data.update(kind="works_for", strength="4", since="2024-01-01")
    assert c.post("/maps/m1/relationships/new", data=data).status_code == 302
    ties = world.admin.get("/api/v1/maps/m1/relationships?limit=100").get_json()["items"]
    assert any(t["source"] == "ann" and t["target"] == "org" and t["strength"] == 4 for t in ties)


def test_a_form_posted_without_its_csrf_token_is_refused(world):
    c = browser(world)
    r = c.post("/maps/m1/people/new", data={"name": "Forged", "silo": "health"})
    assert r.status_code == 400
    r = c.post("/maps/m1/people/ann/delete", data={"csrf_token": "not-a-token"})
    assert r.status_code == 400
    assert world.admin.get("/api/v1/maps/m1/people/ann").status_code == 200
    assert world.admin.get("/api/v1/maps/m1/people?q=Forged").get_json()["total"] == 0


def test_api_writes_still_refuse_the_session_cookie(world):
    c = browser(world)
    token = csrf(c, "/maps/m1/people/new")
    r = c.post("/api/v1/maps/m1/people", json={"name": "A", "silo": "health"})
    assert r.status_code == 401
    r = c.post("/api/v1/maps/m1/people", data={"csrf_token": token, "name": "A"})
    assert r.status_code == 401


def test_user_text_is_escaped_on_every_page(world):
    c = browser(world)
    token = csrf(c, "/maps/m1/people/new")
    data = {"csrf_token": token, "name": XSS, "silo": "housing", "visibility": "named"}
    r = c.post("/maps/m1/people/new", data=data)
    assert r.status_code == 302
    for path in ("/maps/m1/people", "/maps/m1/relationships/new", "/maps/m1/share", "/maps/m1"):
        page = c.get(path, headers=HTML).get_data(as_text=True)
        assert XSS not in page, path
    page = c.get("/maps/m1/people", headers=HTML).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_delete_asks_first_and_says_the_ties_go_too(world):
    c = browser(world)
    page = c.get("/maps/m1/people/ann/delete", headers=HTML).get_data(as_text=True)
    assert "Ann Evans" in page and "tie" in page and "deleted too" in page
    token = csrf(c, "/maps/m1/people/ann/delete")
    assert c.post("/maps/m1/people/ann/delete", data={"csrf_token": token}).status_code == 302
    assert world.admin.get("/api/v1/maps/m1/people/ann").status_code == 404


def test_viewer_sees_no_edit_buttons_nor_hidden_people_and_cannot_post(world):
    c = browser(world, "viewer")
    page = c.get("/maps/m1/people", headers=HTML).get_data(as_text=True)
    assert "Ann Evans" in page
    assert "/edit" not in page and "/delete" not in page and "Add a person" not in page
    assert "Dai Hidden" not in page and "Bea Secret" not in page
    assert c.get("/maps/m1/people/new", headers=HTML).status_code == 403
    coordinator = browser(world)
    token = csrf(coordinator, "/maps/m1/people/new")
    r = c.post("/maps/m1/people/new", data={"csrf_token": token, "name": "X", "silo": "health"})
    assert r.status_code == 403
    dash = c.get("/maps/m1", headers=HTML)
    assert dash.status_code == 200 and "Dai Hidden" not in dash.get_data(as_text=True)


def test_new_map_form_for_the_operator_with_silo_colours(world):
    c = world.app.test_client()
    page = c.get("/login").get_data(as_text=True)
    login_csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    from tests.conftest import ADMIN_SECRET

    c.post("/login", data={"token": ADMIN_SECRET, "csrf_token": login_csrf})
    token = csrf(c, "/maps/new")
    data = {
        "csrf_token": token,
        "name": "Valleys",
        "id": "valleys",
        "silos-0-name": "health",
        "silos-0-colour": "#ff0000",
        "silos-1-name": "housing",
        "silos-1-colour": "red",
    }
    r = c.post("/maps/new", data=data, headers=HTML)
    assert r.status_code == 422 and "a colour is #rrggbb" in r.get_data(as_text=True)
    data["silos-1-colour"] = "#00aa00"
    r = c.post("/maps/new", data=data)
    assert r.status_code == 302 and r.headers["Location"] == "/maps/valleys"
    m = world.admin.get("/api/v1/maps/valleys").get_json()
    assert m["silos"] == [
        {"name": "health", "colour": "#ff0000", "label_cy": ""},
        {"name": "housing", "colour": "#00aa00", "label_cy": ""},
    ]
    # a coordinator cannot create maps
    coordinator = browser(world)
    page = coordinator.get("/maps", headers=HTML).get_data(as_text=True)
    assert "Create a map" not in page
    assert coordinator.get("/maps/new", headers=HTML).status_code == 403


def test_errors_are_pages_for_browsers_and_json_for_the_api(world):
    anon = world.app.test_client()
    r = anon.get("/maps/m1", headers=HTML)
    assert r.status_code == 401 and r.mimetype == "text/html"
    assert "Sign in with a token" in r.get_data(as_text=True)
    r = anon.get("/api/v1/maps/m1", headers=HTML)
    assert r.status_code == 401 and r.get_json()["code"] == 401
    assert anon.get("/maps/m1").get_json()["code"] == 401  # no Accept: JSON
    c = browser(world)
    r = c.get("/maps/m1/people/nobody/edit", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_community_link_page_shows_only_its_own_web(world):
    c = browser(world, "community")
    r = c.get("/maps/m1/people/ann/web", headers=HTML)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "who you are connected to" in page
    assert "Health Worker 1" in page  # a direct tie
    assert "Dai Hidden" not in page and "Health Worker 3" not in page
    assert c.get("/maps/m1/people/cai/web", headers=HTML).status_code == 404
    assert c.get("/maps/m1", headers=HTML).status_code == 403
    assert c.get("/maps/m1/people", headers=HTML).status_code == 403


def test_share_page_shows_a_new_link_once_and_revokes(world):
    c = browser(world)
    token = csrf(c, "/maps/m1/share")
    r = c.post("/maps/m1/share", data={"csrf_token": token, "role": "community", "subject": "dai"})
    assert r.status_code == 422 and "Hidden" in r.get_data(as_text=True)
    r = c.post(
        "/maps/m1/share",
        data={"csrf_token": token, "role": "community", "subject": "cai", "label": "Cai"},
    )
    page = r.get_data(as_text=True)
    link = re.search(r'id="new-link" value="([^"]+)"', page)[1]
    assert "/share#bm_" in link  # the secret rides in the fragment: never in a request line
    assert link not in c.get("/maps/m1/share").get_data(as_text=True)  # shown once
    tokens = world.admin.get("/api/v1/maps/m1/tokens").get_json()["items"]
    new = [t for t in tokens if t["label"] == "Cai"][0]
    assert new["role"] == "community" and new["subject"] == "cai"
    r = c.post(f"/maps/m1/share/{new['id']}/revoke", data={"csrf_token": token})
    assert r.status_code == 302
    assert world.app.test_client().get("/share/" + link.split("#")[1]).status_code == 401


def test_the_import_check_lists_every_consent_change(world):
    """A file that changes someone's consent says so before anything is imported."""
    c = browser(world)
    token = csrf(c, "/maps/m1/import")
    text = b"id,name,silo,visibility\nbea,Bea Secret,health,named\ncai,Cai Price,housing,\n"
    r = c.post(
        "/maps/m1/import",
        data={
            "csrf_token": token,
            "step": "check",
            "entity": "people",
            "file": (io.BytesIO(text), "people.csv"),
        },
        headers=HTML,
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page[:500]
    listed = re.search(r'id="consent-changes".*?</div>', page, re.S)[0]
    assert "bea: from anonymised to named" in listed and "cai" not in listed
