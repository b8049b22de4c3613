"""The web pages in real headless Chromium, every request to another host blocked: an
operator creates a map, a coordinator (signed in by the share link the operator made)
adds people and a tie through the forms and finds the tie in the dashboard's heat map
and in the graph; a bad import writes nothing; a viewer gets no edit buttons and a 403
for a posted form; a community link shows only its own web. Screenshots of each main
page go to test-artifacts/ and are checked not blank."""

from __future__ import annotations

import pytest

from graph_models.store.embedded import EmbeddedStore
from tests.browser import artifact_path
from tests.conftest import ADMIN_SECRET, make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import READY, external, open_page, png_stats

pytestmark = pytest.mark.browser

PEOPLE = [("Ann Evans", "health"), ("Ben Hughes", "health"), ("Cai Price", "housing")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("pages-browser") / "db.sqlite3")
    app = make_app(store, SECRET_KEY="pages-browser-test")
    with LiveServer(app) as live:
        live.store = store
        yield live
    store.close()


def shot(browser, page, name: str) -> None:
    path = artifact_path(f"ui-{name}.png")
    png = page.screenshot(path=str(path), full_page=True)
    stats = png_stats(browser, png)
    assert stats["ink"] > 0.02 and stats["colours"] > 4, (name, stats)


def graph_frame(page):
    """The embedded graph's frame, once drawn (or failed)."""
    frame = page.locator("#graph-frame").element_handle().content_frame()
    frame.wait_for_load_state()
    frame.wait_for_function(READY, timeout=60_000)
    return frame


def open_session(browser, url, server, **kw):
    return open_page(browser, url, allowed_origin=server.url, wait_for=None, **kw)


def new_link(page, server, map_id, role, subject_label=None) -> str:
    page.goto(f"{server.url}/maps/{map_id}/share")
    if subject_label:  # whose web: found by a search, then chosen
        page.fill("#f-find", subject_label.split(" (")[0].lower())
        page.click("#find-subject button")
        page.check(f"label.choice:has-text('{subject_label}') input")
    page.select_option("#f-role", role)
    page.fill("#f-label", f"{role} link")
    page.click("text=Make the link")
    return page.input_value("#new-link")


@pytest.mark.slow
def test_coordinator_builds_a_map_through_the_pages(browser_session, server):
    browser = browser_session
    admin = open_session(browser, server.url + "/login", server)
    try:
        page = admin.page
        page.fill("#token", ADMIN_SECRET)
        page.click("button:has-text('Sign in')")
        assert page.url == server.url + "/maps"
        page.click("text=Create a map")
        page.fill("#f-name", "Valleys Partnership")
        page.fill("#f-id", "valleys")
        shot(browser, page, "map-new")
        page.click("button:has-text('Create the map')")
        assert page.url == server.url + "/maps/valleys"
        assert "This map is empty" in page.content()
        link = new_link(page, server, "valleys", "coordinator")
        assert link.startswith(server.url + "/share#bm_")  # opened below: the page's
        # script posts the fragment, so the browser is signed in without the secret
        # ever appearing in a request line
        shot(browser, page, "share")
        page.goto(server.url + "/maps")
        shot(browser, page, "maps")
        assert external(admin, server.url) == []
    finally:
        admin.close()

    coordinator = open_session(browser, link, server)
    try:
        page = coordinator.page
        assert page.url == server.url + "/maps/valleys"
        page.click("text=Add a person >> nth=0")
        page.click("button:has-text('Add the person')")  # nothing filled in
        assert page.locator("#e-name").inner_text() == "This is required."
        shot(browser, page, "person-form-errors")
        for name, silo in PEOPLE:
            page.fill("#f-name", name)
            page.select_option("#f-silo", silo)
            page.select_option("#f-visibility", "named")
            page.click("button:has-text('Add and add another')")
            assert f"Added “{name}”" in page.content()
        page.goto(server.url + "/maps/valleys/people")
        assert page.locator("tbody tr").count() == 3
        shot(browser, page, "people")
        page.goto(server.url + "/maps/valleys/relationships/new")
        page.fill("#f-source", "Ann Evans")
        page.select_option("#f-kind", "works_with")
        page.fill("#f-target", "Cai Price")
        shot(browser, page, "relationship-form")
        page.click("button:has-text('Add the relationship')")
        page.wait_for_load_state()  # the click starts the next page, not its end
        assert page.locator("tbody tr").count() == 1

        page.goto(server.url + "/maps/valleys")
        titles = page.evaluate(
            "[...document.querySelectorAll('table.heatmap td a')]"
            ".map(a => a.getAttribute('aria-label'))"
        )
        assert "health and housing: 1 tie" in titles and "housing and health: 1 tie" in titles
        assert page.locator("#figure-ties .figure__value").inner_text() == "1"
        shot(browser, page, "dashboard")

        page.goto(server.url + "/maps/valleys/graph")
        graph = graph_frame(page)
        assert graph.evaluate("window.bridgemapError || null") is None
        assert graph.evaluate("window.bridgemap.network.body.data.edges.length") == 1
        shot(browser, page, "graph")
        # the one expected error: the form sent back with its messages (422)
        assert [e for e in coordinator.errors if "422" not in e] == []
        assert external(coordinator, server.url) == []
    finally:
        coordinator.close()


def test_an_import_with_a_bad_row_shows_it_and_writes_nothing(browser_session, server):
    store = server.store
    session = open_session(browser_session, f"{server.url}/share/{_token(server)}", server)
    before = store.get_map("valleys").version  # (making a token counts as a change)
    try:
        page = session.page
        page.goto(server.url + "/maps/valleys/import")
        csv = b"name,silo,role\nDee Morgan,health,nurse\nEd Rees,helth,officer\n"
        page.set_input_files(
            "#f-file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv}]
        )
        page.click("button:has-text('Check the file')")
        errors = page.locator("#import-errors")
        assert "Nothing was imported" in errors.inner_text()
        cells = page.locator("#import-errors tbody tr").first.locator("td").all_inner_texts()
        assert cells[0] == "people.csv" and cells[1] == "3"
        shot(browser_session, page, "import-error")
        assert store.get_map("valleys").version == before
        assert store.list("valleys", _person(), limit=1).total == 3
        assert external(session, server.url) == []
    finally:
        session.close()


def test_viewer_sees_no_edit_buttons_and_a_posted_form_is_refused(browser_session, server):
    session = open_session(browser_session, f"{server.url}/share/{_token(server)}", server)
    try:
        viewer_link = new_link(session.page, server, "valleys", "viewer")
    finally:
        session.close()
    viewer = open_session(browser_session, viewer_link, server)
    try:
        page = viewer.page
        page.goto(server.url + "/maps/valleys/people")
        assert page.locator("tbody tr").count() == 3
        assert page.locator("text=Edit").count() == 0 and page.locator("text=Delete").count() == 0
        assert page.locator("text=Add a person").count() == 0
        token = page.locator("input[name=csrf_token]").first.input_value()
        r = page.request.post(
            server.url + "/maps/valleys/people/new",
            form={"csrf_token": token, "name": "Intruder", "silo": "health"},
        )
        assert r.status == 403
        assert server.store.list("valleys", _person(), limit=1).total == 3
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(server.url + "/maps/valleys")
        shot(browser_session, page, "dashboard-phone")
    finally:
        viewer.close()


def test_community_link_shows_only_its_own_web(browser_session, server):
    session = open_session(browser_session, f"{server.url}/share/{_token(server)}", server)
    try:
        link = new_link(session.page, server, "valleys", "community", "Ann Evans (health)")
    finally:
        session.close()
    community = open_session(browser_session, link, server)
    try:
        page = community.page
        assert page.url.endswith("/web")
        text = page.locator("main").inner_text()
        assert "Cai Price" in text and "housing" in text
        assert "Ben Hughes" not in text  # not in Ann's web
        graph = graph_frame(page)
        assert graph.evaluate("window.bridgemapError || null") is None
        shot(browser_session, page, "community")
        assert community.errors == []
        assert page.goto(server.url + "/maps/valleys").status == 403
        assert page.goto(server.url + "/maps/valleys/people").status == 403
        assert external(community, server.url) == []
    finally:
        community.close()


def _person():
    from graph_models.model import EntityType

    return EntityType.PERSON


def _token(server) -> str:
    """A fresh coordinator token for the map made by the first test."""
    from service.auth import issue_token

    return issue_token(server.store, "valleys", "coordinator")[0]
