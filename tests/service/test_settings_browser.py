"""The map settings page in real headless Chromium (issue 14, 12b; issue 13 item 3): a
coordinator renames a silo (its people follow) and adds a kind of the map's own with a
Welsh label; the new kind is offered in the relationship form and, once a tie has it,
in the graph page's kind filter. Screenshots go to test-artifacts/settings-*.png."""

from __future__ import annotations

import pytest

from graph_models.model import EntityType, Relationship
from graph_models.store.base import ListFilter
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import READY, open_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("settings") / "db.sqlite3")
    load_demo(store)
    app = make_app(store, SECRET_KEY="settings-browser")
    with LiveServer(app) as live:
        live.store = store
        live.token = issue_token(store, "demo", "coordinator")[0]
        yield live
    store.close()


def visit(browser, server, path):
    return open_page(
        browser,
        server.url + path,
        allowed_origin=server.url,
        headers={"Authorization": f"Bearer {server.token}"},
        viewport=(1366, 900),
        wait_for=None,
    )


def test_rename_a_silo_and_add_a_kind_seen_in_the_form_and_the_graph(browser_session, server):
    store = server.store
    in_housing = {
        p.id
        for p in store.list(
            "demo", EntityType.PERSON, filters=ListFilter(silo="housing"), limit=500
        ).items
    }
    assert in_housing
    s = visit(browser_session, server, "/maps/demo/settings")
    try:
        page = s.page
        assert page.locator("nav a[aria-current=page]").inner_text() == "Settings"
        field = page.locator("input[name^='silos-'][name$='-name'][value='housing']")
        row = field.get_attribute("name").split("-")[1]
        field.fill("homes")
        page.fill(f"#f-silos-{row}-label_cy", "tai")
        page.fill("#f-kinds-0-name", "co_delivers")
        page.fill("#f-kinds-0-label", "co-delivers")
        page.fill("#f-kinds-0-label_cy", "cyd-gyflawni")
        page.select_option("#f-kinds-0-ends", "person-person")
        page.check("#f-kinds-0-directed")
        page.screenshot(path=str(artifact_path("settings-filled.png")), full_page=True)
        page.click("button:has-text('Save the settings')")
        page.wait_for_selector("text=Settings saved.")
        assert page.input_value(f"#f-silos-{row}-name") == "homes"
        assert page.input_value(f"#f-silos-{row}-label_cy") == "tai"
        assert page.input_value("#f-kinds-0-label_cy") == "cyd-gyflawni"
        assert page.is_checked("#f-kinds-0-directed")
        page.screenshot(path=str(artifact_path("settings-saved.png")), full_page=True)
    finally:
        s.close()
    m = store.get_map("demo")
    assert "housing" not in m.silo_names() and "homes" in m.silo_names()
    moved = store.list("demo", EntityType.PERSON, filters=ListFilter(silo="homes"), limit=500)
    assert {p.id for p in moved.items} == in_housing

    s = visit(browser_session, server, "/maps/demo/relationships/new")
    try:
        options = s.page.locator("#f-kind option[value='co_delivers']")
        assert options.count() == 1
        assert options.inner_text() == "co-delivers (person → person)"
    finally:
        s.close()

    people = sorted(in_housing)
    store.create("demo", Relationship("own-1", people[0], people[1], "co_delivers"))
    s = visit(browser_session, server, "/maps/demo/graph")
    try:
        frame = s.page.locator("#graph-frame").element_handle().content_frame()
        frame.wait_for_function(READY, timeout=60_000)
        kinds = frame.locator("#bridgemap-kinds")
        assert kinds.locator("input[value='co_delivers']").count() == 1
        assert "co-delivers" in kinds.inner_text()
        silos = frame.locator("#bridgemap-silos").inner_text()
        assert "homes" in silos and "housing" not in silos
        s.page.screenshot(path=str(artifact_path("settings-graph.png")), full_page=True)
    finally:
        s.close()
