"""Browser sessions are kept server-side: signing out ends a session wherever its cookie
was copied, revoking a token ends its sessions, and the store holds only a digest of
each session id (issue: consent under attack, item 20)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from graph_models.model import Person
from graph_models.store.embedded import EmbeddedStore
from service import auth
from tests.conftest import ADMIN_SECRET, make_app

MAP = "/api/v1/maps/m1"


def _csrf(page: str) -> str:
    return re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[0]


@pytest.fixture
def world(store):
    app = make_app(store)
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    assert admin.post("/api/v1/maps", json={"id": "m1", "name": "M"}).status_code == 201
    made = admin.post(f"{MAP}/tokens", json={"role": "viewer"}).get_json()
    return app, admin, made


def _browser(app, secret):
    browser = app.test_client()
    assert browser.get(f"/share/{secret}").status_code == 302
    assert browser.get("/maps/m1/view").status_code == 200
    return browser


def _copy(app, browser):
    """Another browser holding a copy of ``browser``'s session cookie."""
    copied = app.test_client()
    copied.set_cookie("bridgemap_session", browser.get_cookie("bridgemap_session").value)
    return copied


@pytest.mark.both_stores
def test_signing_out_ends_a_copied_session_cookie(world):
    app, _, made = world
    browser = _browser(app, made["token"])
    copied = _copy(app, browser)
    assert copied.get("/maps/m1/view").status_code == 200  # the copy works while signed in
    page = browser.get("/login").get_data(as_text=True)
    assert browser.post("/logout", data={"csrf_token": _csrf(page)}).status_code == 302
    assert browser.get("/maps/m1/view").status_code == 401
    assert copied.get("/maps/m1/view").status_code == 401  # the copy ended with it
    # the token itself still works: signing out ends the session, not the link
    assert _browser(app, made["token"]).get("/maps/m1/view").status_code == 200


@pytest.mark.both_stores
def test_revoking_a_token_ends_its_sessions_in_the_store(world):
    app, admin, made = world
    browser = _browser(app, made["token"])
    with browser.session_transaction() as session:
        session_id = session["sid"]
    now = auth.now_iso()
    assert app.extensions["bridgemap.store"].find_session(auth.digest(session_id), now=now)
    assert admin.delete(f"{MAP}/tokens/{made['id']}").status_code == 204
    assert app.extensions["bridgemap.store"].find_session(auth.digest(session_id), now=now) is None
    assert browser.get("/maps/m1/view").status_code == 401


def test_the_cookie_names_neither_token_nor_secret_and_the_store_keeps_a_digest(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = make_app(store)
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    admin.post("/api/v1/maps", json={"id": "m1", "name": "M"})
    made = admin.post(f"{MAP}/tokens", json={"role": "viewer"}).get_json()
    browser = _browser(app, made["token"])
    with browser.session_transaction() as session:
        values = dict(session)
    assert made["id"] not in str(values) and made["token"] not in str(values)
    session_id = values["sid"]
    db = sqlite3.connect(tmp_path / "db.sqlite3")
    rows = db.execute("SELECT id_hash, token_id FROM sessions").fetchall()
    db.close()
    assert rows == [(auth.digest(session_id), made["id"])]  # never the session id itself


def test_a_cookie_from_before_server_side_sessions_is_not_accepted(world):
    """The old cookie named the token id: anyone holding one (or forging the id with a
    leaked key) must sign in again."""
    app, _, made = world
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["tid"] = made["id"]
        session["since"] = 2**40
    assert browser.get("/maps/m1/view").status_code == 401


@pytest.mark.both_stores
def test_the_store_refuses_a_link_to_a_hidden_person_inside_its_write(store):
    """The "not hidden" check runs in the token's own write, under the map's lock, so a
    consent withdrawal cannot slip in between the check and the write."""
    from graph_models.errors import InvalidInput
    from graph_models.model import Map, Silo, Visibility

    store.create_map(Map("m1", "M", silos=[Silo("health")]))
    store.create("m1", Person("ann", "Ann", "health", visibility=Visibility.HIDDEN))
    with pytest.raises(InvalidInput) as refused:
        auth.issue_token(store, "m1", auth.COMMUNITY, subject="ann")
    assert refused.value.errors == {"subject": ["hidden"]}
    assert store.list_tokens("m1") == []
