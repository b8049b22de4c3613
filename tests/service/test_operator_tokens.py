"""Operator tokens have a lifecycle (list, create, revoke, expire) and browser sessions
end when their token does, and at their absolute lifetime (issue: consent under attack,
item 5)."""

from __future__ import annotations

from click.testing import CliRunner

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


def test_sessions_end_at_their_absolute_lifetime(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = _app(store, ADMIN_TOKEN=FIRST, PERMANENT_SESSION_LIFETIME=3600)
    browser = _signed_in(app, FIRST)
    with browser.session_transaction() as session:
        started = session["since"]
    for _ in range(3):  # using the session does not extend it
        assert browser.get("/api/v1/maps").status_code == 200
    with browser.session_transaction() as session:
        assert session["since"] == started
        session["since"] = started - 3601  # an hour and a second ago
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
