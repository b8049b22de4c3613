"""The graph pages served by the app, in real headless Chromium, with every request to
another host blocked: each view draws, nothing leaves localhost, no CSP violation, and
nothing a person did not consent to reaches the page."""

from __future__ import annotations

import pytest

from graph_models.demo import build_demo
from graph_models.model import Visibility
from graph_models.store.embedded import EmbeddedStore
from service.app import create_app
from service.cli import load_demo
from tests.browser import artifact_path
from tests.live import LiveServer
from tests.visualisations.pagetools import canvas_stats, external, open_page


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    store = EmbeddedStore(folder / "db.sqlite3")
    load_demo(store)
    app = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "pages-test"})
    with LiveServer(app) as server:
        yield server
    store.close()


PAGES = {
    "map": "/maps/demo/view?metric=betweenness",
    "ego": "/maps/demo/people/p150/view?hops=2",
    "silos": "/maps/demo/silos/view",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_graph_page_draws_offline_and_locally(browser_session, demo_server, name):
    session = open_page(
        browser_session, demo_server.url + PAGES[name], allowed_origin=demo_server.url
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
    for path in PAGES.values():
        with urllib.request.urlopen(demo_server.url + path) as response:
            html = response.read().decode()
        leaked = [name for name in secret_names if name in html]
        assert leaked == [], (path, leaked)
