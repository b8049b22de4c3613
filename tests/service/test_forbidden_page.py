"""The 403 page says what the signed-in link can do, in plain words (issue 14, item 5),
not which permission the route needs."""

from __future__ import annotations

import pytest

from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.conftest import make_app


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("forbidden") / "db.sqlite3")
    load_demo(store)
    app = make_app(store, SECRET_KEY="forbidden-page-test")
    tokens = {
        role: issue_token(store, "demo", role, subject="p150" if role == "community" else "")[0]
        for role in ("viewer", "community")
    }
    yield app, tokens
    store.close()


@pytest.mark.parametrize(
    ("role", "path", "words"),
    [
        ("viewer", "/maps/demo/people/new", "It cannot add, change or delete anything."),
        ("community", "/maps/demo", "own web of connections, and nothing else of the map"),
    ],
)
def test_forbidden_page_says_what_the_link_can_do(world, role, path, words):
    app, tokens = world
    headers = {"Authorization": f"Bearer {tokens[role]}", "Accept": "text/html"}
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert words in html
    assert "is needed" not in html and "may not do this" not in html
