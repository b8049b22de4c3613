"""Secure defaults, tokens, sessions, rate limits, GDPR and the viewer rules.

OWASP API Top 10 checks that apply here, each a test: API1 object-level and API5
function-level authorisation are in test_authz.py (every route); here API3
property-level authorisation (read-only and unknown fields refused in writes; contact
details and hidden people never in a viewer's objects), API2 authentication (tokens
hashed, revocable, expiring; failed attempts limited), API4 resource consumption
(413 on large bodies, 429 on repeated failures and exports), API8 misconfiguration
(headers, cookies, production refuses a weak key, no stack traces).
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from graph_models.store.embedded import EmbeddedStore
from service.app import create_app
from tests.conftest import ADMIN_SECRET, TokenClient, make_app
from tests.service.authworld import build_world

MAP = "/api/v1/maps/m1"


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def assert_error(r, status):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    assert set(r.get_json()) == {"code", "status", "message", "errors"}
    assert "Traceback" not in r.get_data(as_text=True)


# -- API3: property-level authorisation ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/v1/maps", {"id": "m9", "name": "x", "version": 7}, "version"),
        ("PATCH", MAP, {"created_at": "2001-01-01"}, "created_at"),
        ("PATCH", MAP, {"version": 0}, "version"),
        ("PATCH", MAP, {"id": "other"}, "id"),
        ("PATCH", f"{MAP}/people/ann", {"id": "someone-else"}, "id"),
        ("PATCH", f"{MAP}/people/ann", {"map_id": "m2"}, "map_id"),
        ("POST", f"{MAP}/people", {"name": "A", "silo": "health", "is_admin": True}, "is_admin"),
        ("POST", f"{MAP}/tokens", {"role": "admin"}, "role"),
        ("POST", f"{MAP}/tokens", {"role": "viewer", "token_hash": "0" * 64}, "token_hash"),
        ("POST", f"{MAP}/tokens", {"role": "viewer", "map_id": "m2"}, "map_id"),
        ("POST", f"{MAP}/tokens", {"role": "viewer", "subject": "ann"}, "subject"),
        ("POST", f"{MAP}/tokens", {"role": "community"}, "subject"),
        ("POST", f"{MAP}/tokens", {"role": "community", "subject": "dai"}, "subject"),
        ("POST", f"{MAP}/tokens", {"role": "viewer", "expires_at": "2001-01-01T00:00Z"}, "expires"),
    ],
)
def test_read_only_and_unknown_fields_are_refused(world, method, path, body, field):
    coordinator = world.clients["admin" if path == "/api/v1/maps" else "coordinator"]
    before = world.admin.get(MAP).get_json()["version"]
    r = coordinator.open(path, method=method, json=body)
    assert_error(r, 422)
    assert field in json.dumps(r.get_json()["errors"])
    assert world.admin.get(MAP).get_json()["version"] == before


def test_viewer_objects_have_no_contact_no_hidden_and_pseudonyms(world):
    viewer = world.clients["viewer"]
    people = viewer.get(f"{MAP}/people?limit=100").get_json()
    text = json.dumps(people)
    assert "ann@example.org" not in text and "Dai Hidden" not in text and '"dai"' not in text
    assert "Bea Secret" not in text and '"bea"' not in text
    assert "Pip Anon" not in text  # anonymised in a small silo (police: 2 people)
    anon = [p for p in people["items"] if p["visibility"] == "anonymised"]
    assert [p["name"] for p in anon] == ["a person in health"]
    assert anon[0]["id"].startswith("anon-") and anon[0]["role"] == ""
    assert viewer.get(f"{MAP}/people/{anon[0]['id']}").status_code == 200
    assert viewer.get(f"{MAP}/people/bea").status_code == 404  # not by the real id
    assert viewer.get(f"{MAP}/people/dai").get_json()["message"] == (
        world.admin.get(f"{MAP}/people/nobody").get_json()["message"].replace("nobody", "dai")
    )
    assert viewer.get(f"{MAP}/people?q=Bea").get_json()["total"] == 0  # no name search leak
    ties = json.dumps(viewer.get(f"{MAP}/relationships?limit=100").get_json())
    assert "via Dai" not in ties and '"t4"' not in ties and '"t2"' not in ties
    graph = json.dumps(viewer.get(f"{MAP}/graph").get_json())
    assert "Dai" not in graph and "ann@example.org" not in graph
    coordinator = json.dumps(world.clients["coordinator"].get(f"{MAP}/people/ann").get_json())
    assert "ann@example.org" in coordinator  # coordinators keep the whole record


def test_small_groups_are_suppressed_for_viewers_only(world):
    """police has two people (< 5): its figures are suppressed for viewers."""
    viewer = world.clients["viewer"].get(f"{MAP}/analysis?limit=1000").get_json()
    full = world.clients["coordinator"].get(f"{MAP}/analysis?limit=1000").get_json()
    matrix = viewer["silos"]["tie_matrix"]
    police = matrix["groups"].index("police")
    assert matrix["sizes"][police] is None
    assert all(row[police] is None for row in matrix["counts"])
    assert all(cell is None for cell in matrix["counts"][police])
    assert viewer["silos"]["ei_index"]["groups"]["police"] is None
    assert viewer["silos"]["suppressed_groups"] == ["housing", "police"]  # 2 people each
    assert all("police" not in w["groups"] for w in viewer["silos"]["weak_pairs"])
    assert all("police" not in p["groups"] for p in viewer["introductions"]["pairs"])
    assert viewer["bridging"]["summary"]["brokerage"]["by_group"]["police"] is None
    for point in viewer["bridging"]["articulation_points"]:
        assert all("police" not in pair for pair in point["joins"])
    assert viewer["communities"]["by_group"]["police"] is None
    # whole-network totals still count everyone
    assert viewer["silos"]["headline"] == full["silos"]["headline"]
    assert viewer["graph"] == full["graph"]
    # the coordinator sees the police figures
    assert full["silos"]["ei_index"]["groups"]["police"] is not None
    assert "Pip Anon" not in json.dumps(viewer) and "Pat Named" in json.dumps(viewer)
    page = world.clients["viewer"].get("/maps/m1/silos/view").get_data(as_text=True)
    assert "fewer than 5 people are not shown" in page


# -- API2 and API4: authentication and resource limits ----------------------------------


def test_failed_token_checks_are_rate_limited(tmp_path):
    app = make_app(EmbeddedStore(tmp_path / "db.sqlite3"), AUTH_FAILURE_RATE_LIMIT="3 per minute")
    bad = app.test_client()
    bad.token = "bm_wrong"
    assert [bad.get("/api/v1/maps").status_code for _ in range(3)] == [401, 401, 401]
    throttled = bad.get("/api/v1/maps")
    assert_error(throttled, 429)
    assert throttled.headers["Retry-After"] == "60"
    assert app.test_client().get("/share/bm_wrong").status_code == 429
    # the address is throttled for wrong tokens only: the same address (a NAT, a proxy)
    # with a valid token is served, however many wrong ones came before
    good = app.test_client()
    good.token = ADMIN_SECRET
    assert [good.get("/api/v1/maps").status_code for _ in range(3)] == [200, 200, 200]
    assert bad.get("/api/v1/maps").status_code == 429
    assert app.test_client().get("/api/v1/maps").status_code == 401  # no token: nothing to limit
    assert app.test_client().get("/healthz").status_code == 200  # public routes are not


def test_exports_are_rate_limited(tmp_path):
    world = build_world(tmp_path, EXPORT_RATE_LIMIT="2 per hour")
    coordinator = world.clients["coordinator"]
    path = f"{MAP}/people/ann/export"
    assert [coordinator.get(path).status_code for _ in range(2)] == [200, 200]
    assert_error(coordinator.get(path), 429)
    assert world.admin.get(path).status_code == 200  # counted per token


def test_large_bodies_are_413(tmp_path):
    world = build_world(tmp_path, MAX_CONTENT_LENGTH=10_000)
    r = world.clients["coordinator"].post(
        f"{MAP}/bulk", json={"people": [{"name": "x" * 100, "silo": "health"}] * 200}
    )
    assert_error(r, 413)


# -- sessions, share links, CSRF --------------------------------------------------------


def test_share_link_signs_the_browser_in_and_lands_on_its_view(world):
    browser = world.app.test_client()
    r = browser.get(f"/share/{world.secrets['community']}")
    assert r.status_code == 302 and r.headers["Location"] == "/maps/m1/people/ann/web"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development
    assert world.secrets["community"] not in cookie  # the session names the id only
    assert browser.get("/maps/m1/people/ann/view").status_code == 200
    assert browser.get("/maps/m1/view").status_code == 403
    assert browser.get(f"{MAP}/people").status_code == 403
    viewer_browser = world.app.test_client()
    r = viewer_browser.get(f"/share/{world.secrets['viewer']}")
    assert r.headers["Location"] == "/maps/m1"
    assert viewer_browser.get("/maps/m1/view").status_code == 200
    # the cookie is for reading: a write needs the Authorization header (no CSRF)
    r = viewer_browser.post(f"{MAP}/people", json={"name": "A", "silo": "health"})
    assert r.status_code == 401
    coordinator_browser = world.app.test_client()
    coordinator_browser.get(f"/share/{world.secrets['coordinator']}")
    r = coordinator_browser.delete(f"{MAP}/people/ann")
    assert r.status_code == 401
    # revoking the token ends its sessions
    world.admin.delete(f"{MAP}/tokens/{world.token_ids['viewer']}")
    assert viewer_browser.get("/maps/m1/view").status_code == 401
    assert world.app.test_client().get("/share/bm_nope").status_code == 401


def test_login_form_needs_csrf_and_a_valid_token(world):
    browser = world.app.test_client()
    page = browser.get("/login")
    assert page.status_code == 200 and "csrf_token" in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    r = browser.post("/login", data={"token": world.secrets["viewer"]})  # no CSRF token
    assert r.status_code == 400 and "session" not in (r.headers.get("Set-Cookie") or "tid")
    assert browser.get("/maps/m1/view").status_code == 401
    r = browser.post("/login", data={"token": "bm_wrong", "csrf_token": csrf.group(1)})
    assert r.status_code == 401
    r = browser.post("/login", data={"token": world.secrets["viewer"], "csrf_token": csrf[1]})
    assert r.status_code == 302 and r.headers["Location"] == "/maps/m1"
    assert browser.get("/maps/m1/view").status_code == 200
    page = browser.get("/login").get_data(as_text=True)
    assert "Signed in as viewer (commissioner), for map m1." in page
    logout_csrf = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[0]
    assert browser.post("/logout", data={}).status_code == 400
    assert browser.post("/logout", data={"csrf_token": logout_csrf}).status_code == 302
    assert browser.get("/maps/m1/view").status_code == 401


# -- headers, production mode, errors ---------------------------------------------------


def test_security_headers_on_every_kind_of_response(world):
    for client, path in [
        (world.admin, MAP),
        (world.app.test_client(), "/healthz"),
        (world.app.test_client(), "/api/v1/maps"),  # 401
        (world.admin, "/api/v1/maps/nope"),  # 404
        (world.admin, "/maps/m1/view"),
        (world.app.test_client(), "/login"),
    ]:
        h = client.get(path).headers
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "no-referrer"
        assert "default-src 'self'" in h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in h  # plain http
    page = world.admin.get("/maps/m1/view").headers["Content-Security-Policy"]
    assert "script-src 'self'" in page  # the graph pages keep their stricter policy
    secure = world.admin.get(MAP, base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert world.admin.get(MAP).headers["Cache-Control"] == "no-store"


def test_healthz_says_only_ok(world):
    assert world.app.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_production_refuses_a_weak_or_missing_secret_key(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    base = {"STORE": store, "ADMIN_TOKEN": ADMIN_SECRET, "ENV": "production"}
    for key in ("", "short"):
        with pytest.raises(RuntimeError, match="secret key"):
            create_app({**base, "SECRET_KEY": key})
    app = create_app({**base, "SECRET_KEY": "k" * 40})
    r = app.test_client().get(f"/share/{'x' * 10}")
    assert r.status_code == 401
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_SECRET}"
    c.post("/api/v1/maps", json={"id": "m1", "name": "One"})
    token = c.post(f"{MAP}/tokens", json={"role": "viewer"}).get_json()["token"]
    cookie = app.test_client().get(f"/share/{token}").headers["Set-Cookie"]
    assert "Secure" in cookie  # always in production
    assert app.config["ENV"] == "production"
    # a plain create_app() (gunicorn) is production unless told otherwise
    with pytest.raises(RuntimeError):
        create_app({"STORE": store, "SECRET_KEY": ""})


def test_first_run_creates_an_operator_token_printed_once(tmp_path, capsys):
    from service.auth import setup_admin_token

    store = EmbeddedStore(tmp_path / "db.sqlite3")
    config = {"STORE": store, "ENV": "development"}
    create_app(dict(config))  # not TESTING: bootstraps the operator token
    printed = capsys.readouterr().err
    secret = re.search(r"bm_\S+", printed).group(0)
    create_app(dict(config))  # the second run prints nothing
    assert capsys.readouterr().err == ""
    records = store.list_tokens("")
    assert len(records) == 1 and records[0].role == "admin"
    assert records[0].token_hash != secret and secret not in repr(records)
    app = create_app({"TESTING": True, "STORE": store})  # no BRIDGEMAP_ADMIN_TOKEN set
    app.test_client_class = TokenClient
    c = app.test_client()
    c.token = secret
    assert c.get("/api/v1/maps").status_code == 200
    # once revoked, the next start makes a new one
    store.revoke_token("", records[0].id, at="2000-01-01T00:00:00+00:00")
    said = []
    app.config["ADMIN_TOKEN_BOOTSTRAP"] = True
    fresh = setup_admin_token(app, announce=said.append)
    assert fresh and fresh in said[0] and fresh != secret
    assert c.get("/api/v1/maps").status_code == 401


def test_unexpected_errors_have_no_stack_trace(world, monkeypatch):
    store = world.app.extensions["bridgemap.store"]

    def boom(*a, **k):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(store, "list", boom)
    r = world.admin.get(f"{MAP}/people")
    assert_error(r, 500)
    assert "internals" not in r.get_data(as_text=True)


# -- GDPR -------------------------------------------------------------------------------


def test_erasure_removes_the_person_ties_and_cached_results(world):
    admin = world.admin
    cache = world.app.extensions["bridgemap.cache"]
    report = json.dumps(admin.get(f"{MAP}/analysis").get_json())
    assert "Cai Price" in report
    assert (
        admin.post(
            f"{MAP}/relationships",
            json={"id": "cai-x", "source": "cai", "target": "ann", "kind": "knows"},
        ).status_code
        == 201
    )
    admin.get(f"{MAP}/analysis")
    assert any(k[0] == "m1" for k in cache._items)
    link = admin.post(f"{MAP}/tokens", json={"role": "community", "subject": "cai"}).get_json()
    assert world.clients["coordinator"].delete(f"{MAP}/people/cai").status_code == 204
    tokens = admin.get(f"{MAP}/tokens").get_json()["items"]
    assert all(t["subject"] != "cai" for t in tokens)  # their share links went with them
    assert world.app.test_client().get(f"/share/{link['token']}").status_code == 401
    assert not any(k[0] == "m1" for k in cache._items)  # every cached result of the map
    assert admin.get(f"{MAP}/people/cai").status_code == 404
    ties = admin.get(f"{MAP}/relationships?limit=100").get_json()["items"]
    assert all("cai" not in (t["source"], t["target"]) for t in ties)
    assert "Cai Price" not in json.dumps(admin.get(f"{MAP}/analysis").get_json())
    log = admin.get(f"{MAP}/audit?limit=100").get_json()
    text = json.dumps(log)
    assert '"cai"' not in text and "Cai" not in text
    erased = log["items"][0]
    assert erased["action"] == "delete" and erased["entity_ref"].startswith("erased:")
    assert erased["actor"] == f"coordinator:{world.token_ids['coordinator']}"


def test_subject_access_export_holds_everything_about_the_person(world):
    coordinator = world.clients["coordinator"]
    coordinator.patch(f"{MAP}/people/ann", json={"role": "GP"})
    r = coordinator.get(f"{MAP}/people/ann/export")
    assert r.status_code == 200
    body = r.get_json()
    assert body["person"]["contact"] == "ann@example.org" and body["person"]["role"] == "GP"
    assert {t["id"] for t in body["relationships"]} == {"t1", "t4", "t6", "t10"}
    assert sorted(link["role"] for link in body["share_links"]) == ["community", "respondent"]
    assert [r["survey_id"] for r in body["survey_responses"]] == []  # Ann has not answered
    actions = [(e["action"], e["entity_ref"]) for e in body["audit"]]
    assert ("update", "ann") in actions
    assert all(e["actor"] for e in body["audit"])
    assert world.clients["viewer"].get(f"{MAP}/people/ann/export").status_code == 403
    assert coordinator.get(f"{MAP}/people/nobody/export").status_code == 404


def test_subject_access_export_holds_nobody_elses_data(world):
    """Ann's export shows the far end of each of her ties as Ann may see it: the
    anonymised and hidden people at the other end are neither named nor identified,
    and coordinators' free-text notes on ties are not hers to receive."""
    coordinator = world.clients["coordinator"]
    coordinator.patch(f"{MAP}/relationships/t1", json={"notes": "Bea told us about her illness"})
    body = coordinator.get(f"{MAP}/people/ann/export").get_json()
    text = json.dumps(body["relationships"])
    for leak in ("Bea Secret", '"bea"', "Dai Hidden", '"dai"', "Pip Anon", '"pan"', "illness"):
        assert leak not in text, leak
    ends = {t["id"]: t["with"] for t in body["relationships"]}
    assert ends["t6"] == {"type": "person", "id": "h1", "name": "Health Worker 1", "silo": "health"}
    assert ends["t1"]["name"] == "a person in health" and "id" not in ends["t1"]
    assert ends["t4"] == {"type": "person", "name": "a person who is not shown"}


def test_audit_log_names_the_token_and_role_and_is_for_coordinators(world):
    coordinator = world.clients["coordinator"]
    coordinator.post(f"{MAP}/people", json={"id": "new", "name": "New", "silo": "health"})
    entry = coordinator.get(f"{MAP}/audit").get_json()["items"][0]
    assert entry["actor"] == f"coordinator:{world.token_ids['coordinator']}"
    assert (entry["action"], entry["entity_type"], entry["entity_ref"]) == (
        "create",
        "person",
        "new",
    )
    assert world.clients["viewer"].get(f"{MAP}/audit").status_code == 403


# -- local use ----------------------------------------------------------------------------


def test_serve_demo_prints_a_coordinator_share_link(tmp_path, monkeypatch):
    from flask import Flask

    from service import cli

    monkeypatch.setattr(Flask, "run", lambda self, **kw: None)
    env = {
        "BRIDGEMAP_DATABASE": str(tmp_path / "db.sqlite3"),
        "BRIDGEMAP_SECRET_KEY_FILE": str(tmp_path / "key"),
        "BRIDGEMAP_ADMIN_TOKEN": ADMIN_SECRET,
    }
    result = CliRunner().invoke(cli.main, ["serve", "--demo", "--port", "5055"], env=env)
    assert result.exit_code == 0, result.output
    link = re.search(r"http://127\.0\.0\.1:5055/share#(\S+)", result.output)
    assert link, result.output
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = make_app(store)
    r = app.test_client().get(f"/share/{link.group(1)}")
    assert r.status_code == 302 and r.headers["Location"] == "/maps/demo"
    again = CliRunner().invoke(cli.main, ["serve", "--demo", "--port", "5055"], env=env)
    assert again.exit_code == 0
    live = [t for t in store.list_tokens("demo") if not t.revoked_at]
    assert len(live) == 1  # the earlier demo link was revoked


def test_share_link_exchange_posts_the_fragment_with_a_csrf_token(world):
    """New share links are ``/share#<secret>``: the page posts the secret with a CSRF
    token (no login CSRF: a form posted from another site has no valid token)."""
    browser = world.app.test_client()
    page = browser.get("/share").get_data(as_text=True)
    assert 'id="share-exchange"' in page and "share.js" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    secret = world.secrets["viewer"]
    forged = world.app.test_client().post("/share", data={"token": secret})
    assert forged.status_code == 400  # no CSRF token: refused, nobody signed in
    r = browser.post("/share", data={"token": secret, "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/maps/m1"
    assert browser.get("/maps/m1").status_code == 200
    wrong = world.app.test_client()
    page = wrong.get("/share").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert wrong.post("/share", data={"token": "bm_wrong", "csrf_token": token}).status_code == 401
