"""Operator tokens have a lifecycle (list, create, revoke, expire) and browser sessions
end when their token does, and at their absolute lifetime (issue: consent under attack,
item 5)."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from graph_models import clock
from graph_models.store.embedded import EmbeddedStore
from service import auth
from service.app import create_app
from service.cli import main
from tests.conftest import TokenClient

FIRST = "first-operator-token-0123456789abcdef-0123"
SECOND = "second-operator-token-0123456789abcdef-012"
KEY = "a-test-secret-key-that-is-long-enough-0123456789"


def _app(store, **config):
    app = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": KEY, **config})
    app.test_client_class = TokenClient
    return app


def _signed_in(app, secret: str):
    """A browser that opened a share link with ``secret``."""
    browser = app.test_client()
    assert browser.get(f"/share/{secret}").status_code == 302
    return browser


def test_rotating_the_configured_token_ends_the_old_token_and_its_sessions(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    old_app = _app(store, ADMIN_TOKEN=FIRST)
    browser = _signed_in(old_app, FIRST)
    assert browser.get("/api/v1/maps").status_code == 200
    cookie = browser.get_cookie("bridgemap_session")

    new_app = _app(store, ADMIN_TOKEN=SECOND)  # a restart with a new BRIDGEMAP_ADMIN_TOKEN
    copied = new_app.test_client()
    copied.set_cookie("bridgemap_session", cookie.value)
    assert copied.get("/api/v1/maps").status_code == 401
    old = new_app.test_client()
    old.token = FIRST
    assert old.get("/api/v1/maps").status_code == 401
    new = new_app.test_client()
    new.token = SECOND
    assert new.get("/api/v1/maps").status_code == 200


def test_the_first_run_token_stops_working_once_a_token_is_configured(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    create_app(
        {"TESTING": True, "STORE": store, "SECRET_KEY": KEY, "ADMIN_TOKEN_BOOTSTRAP": True},
    )
    first_run = auth.operator_tokens(store)
    assert [t.label for t in first_run] == [auth.FIRST_RUN_LABEL]
    configured = _app(store, ADMIN_TOKEN=SECOND)
    assert all(t.revoked_at for t in auth.operator_tokens(store))
    with configured.app_context():
        assert auth.principal_by_id(first_run[0].id) is None


def test_sessions_end_at_their_absolute_lifetime(tmp_path, monkeypatch):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = _app(store, ADMIN_TOKEN=FIRST, PERMANENT_SESSION_LIFETIME=3600)
    start = clock.now()
    browser = _signed_in(app, FIRST)
    for minutes in (1, 30, 59):  # using the session does not extend it
        monkeypatch.setattr(clock, "now", lambda m=minutes: start + timedelta(minutes=m))
        assert browser.get("/api/v1/maps").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=3601))
    assert browser.get("/api/v1/maps").status_code == 401


def test_operator_tokens_from_the_command_line(tmp_path):
    env = {
        "BRIDGEMAP_DATABASE": str(tmp_path / "db.sqlite3"),
        "BRIDGEMAP_SECRET_KEY_FILE": str(tmp_path / "key"),
    }
    runner = CliRunner()
    made = runner.invoke(main, ["operator-token", "create", "--label", "deputy"], env=env)
    assert made.exit_code == 0, made.output
    secret = made.output.split()[-1]
    token_id = made.output.split()[2]
    listed = runner.invoke(main, ["operator-token", "list"], env=env).output
    assert f"{token_id}\tactive\tdeputy" in listed and secret not in listed

    app = _app(EmbeddedStore(tmp_path / "db.sqlite3"))
    browser = _signed_in(app, secret)
    api = app.test_client()
    api.token = secret
    assert api.get("/api/v1/maps").status_code == 200

    gone = runner.invoke(main, ["operator-token", "revoke", token_id], env=env)
    assert gone.exit_code == 0, gone.output
    assert api.get("/api/v1/maps").status_code == 401
    assert browser.get("/api/v1/maps").status_code == 401  # its session ended too
    assert f"{token_id}\trevoked" in runner.invoke(main, ["operator-token", "list"], env=env).output


def test_operator_actions_are_audited_in_a_log_that_outlives_the_map(tmp_path):
    """Operator tokens made and revoked, and maps made and deleted, are written to the
    operator's audit log, which a map's deletion does not touch (item 5 and 7)."""
    env = {
        "BRIDGEMAP_DATABASE": str(tmp_path / "db.sqlite3"),
        "BRIDGEMAP_SECRET_KEY_FILE": str(tmp_path / "key"),
    }
    runner = CliRunner()
    made = runner.invoke(main, ["operator-token", "create", "--label", "deputy"], env=env)
    token_id = made.output.split()[2]
    secret = made.output.split()[-1]
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = _app(store)
    operator = app.test_client()
    operator.token = secret
    assert operator.post("/api/v1/maps", json={"id": "m9", "name": "M9"}).status_code == 201
    coordinator = app.test_client()
    coordinator.token = operator.post(
        "/api/v1/maps/m9/tokens", json={"role": "coordinator"}
    ).get_json()["token"]
    assert coordinator.get("/api/v1/operator/audit").status_code == 403  # operator only
    assert operator.delete("/api/v1/maps/m9").status_code == 204
    seen = operator.get("/api/v1/operator/audit").get_json()
    assert [(i["action"], i["entity_ref"]) for i in seen["items"]] == [
        ("delete", "m9"),
        ("create", "m9"),
        ("create", token_id),
    ]
    assert runner.invoke(main, ["operator-token", "revoke", token_id], env=env).exit_code == 0

    entries = [
        (e.actor, e.action, e.entity_type, e.entity_ref)
        for e in store.audit_log("", limit=10).items
    ]
    assert entries == [
        ("cli", "revoke", "token", token_id),
        (f"admin:{token_id}", "delete", "map", "m9"),
        (f"admin:{token_id}", "create", "map", "m9"),
        ("cli", "create", "token", token_id),
    ]
    listed = runner.invoke(main, ["operator-audit"], env=env).output.splitlines()
    assert [line.split("\t")[1:] for line in listed] == [list(e) for e in entries]
