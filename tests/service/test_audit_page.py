"""The read-only audit page (issue 14, item 12b): a coordinator sees who changed what
and when, the record named and linked where it still exists; viewers may not open it."""

from __future__ import annotations

import pytest

from graph_models.model import Person
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.conftest import make_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("audit-page") / "db.sqlite3")
    load_demo(store)
    app = make_app(store, SECRET_KEY="audit-page-test")
    tokens = {
        r: issue_token(store, "demo", r, label=f"{r} of the test")[0]
        for r in ("coordinator", "viewer")
    }
    store.create("demo", Person("p777", "Mererid Audit", "health"), actor="coordinator:tok_x")
    yield app, tokens, store
    store.close()


def test_coordinator_reads_the_audit_log(world):
    app, tokens, _ = world
    r = app.test_client().get(
        "/maps/demo/audit", headers={**HTML, "Authorization": f"Bearer {tokens['coordinator']}"}
    )
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "added a person" in page
    assert 'href="/maps/demo/people/p777">Mererid Audit</a>' in page
    assert "added a link" in page


def test_viewer_may_not_read_the_audit_log(world):
    app, tokens, _ = world
    r = app.test_client().get(
        "/maps/demo/audit", headers={**HTML, "Authorization": f"Bearer {tokens['viewer']}"}
    )
    assert r.status_code == 403
    assert "Mererid" not in r.get_data(as_text=True)
