"""The graph pages served by the app, in real headless Chromium, with every request to
another host blocked: each view draws, nothing leaves localhost, no CSP violation, and
nothing a person did not consent to reaches the page."""

from __future__ import annotations

import pytest

from graph_models.demo import build_demo
from graph_models.model import Visibility
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import READY, canvas_stats, external, open_page


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    store = EmbeddedStore(folder / "db.sqlite3")
    load_demo(store)
    app = make_app(store, SECRET_KEY="pages-test")
    with LiveServer(app) as server:
        server.tokens = {
            role: issue_token(store, "demo", role, subject="p150" if role == "community" else "")[0]
            for role in ("coordinator", "viewer", "community")
        }
        yield server
    store.close()


def auth(server, role="coordinator") -> dict:
    return {"Authorization": f"Bearer {server.tokens[role]}"}


PAGES = {
    "map": "/maps/demo/view?metric=betweenness",
    "ego": "/maps/demo/people/p150/view?hops=2",
    "silos": "/maps/demo/silos/view",
}


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(PAGES))
def test_graph_page_draws_offline_and_locally(browser_session, demo_server, name):
    session = open_page(
        browser_session,
        demo_server.url + PAGES[name],
        allowed_origin=demo_server.url,
        headers=auth(demo_server),
    )
    try:
        page = session.page
        assert page.evaluate("window.bridgemapError || null") is None
        assert external(session, demo_server.url) == []
        assert session.errors == [] and session.dialogs == []
        assert page.evaluate("window.__csp") == []
        stats = canvas_stats(page)
        assert stats and stats["ink"] > 0.002 and stats["colours"] > 3, stats
        page.screenshot(path=str(artifact_path(f"page-{name}.png")))
    finally:
        session.close()


def test_pages_never_carry_hidden_or_anonymised_names(demo_server):
    import urllib.request

    _, nodes, _ = build_demo()
    secret_names = [
        n.name for n in nodes if getattr(n, "visibility", Visibility.NAMED) != Visibility.NAMED
    ]
    assert secret_names
    for role in ("coordinator", "viewer"):
        for path in PAGES.values():
            request = urllib.request.Request(
                demo_server.url + path, headers=auth(demo_server, role)
            )
            with urllib.request.urlopen(request) as response:  # noqa: S310 - our own server
                html = response.read().decode()
            leaked = [name for name in secret_names if name in html]
            assert leaked == [], (role, path, leaked)


@pytest.mark.browser
def test_community_share_link_signs_in_and_draws_their_own_web(browser_session, demo_server):  # noqa: F811
    """A person opens the link they were sent: the browser is signed in by cookie and
    lands on their own web, which draws; the whole map stays closed to them."""
    session = open_page(
        browser_session,
        f"{demo_server.url}/share/{demo_server.tokens['community']}",
        allowed_origin=demo_server.url,
        wait_for=None,
    )
    try:
        page = session.page
        assert page.url == f"{demo_server.url}/maps/demo/people/p150/web"
        assert session.errors == [] and page.evaluate("window.__csp") == []
        page.goto(f"{demo_server.url}/maps/demo/people/p150/view")
        page.wait_for_function(READY)
        stats = canvas_stats(page)
        assert stats and stats["ink"] > 0.002, stats
        response = page.goto(f"{demo_server.url}/maps/demo/view")
        assert response.status == 403
        response = page.goto(f"{demo_server.url}/api/v1/maps/demo/people")
        assert response.status == 403
    finally:
        session.close()
