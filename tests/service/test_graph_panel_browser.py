"""The graph page as its users meet it (issue 14, items 1-2), in real headless Chromium
on the demo map: a click on a node opens its side panel; a folded search ("sian")
finds, focuses and highlights "Siân"; a keyboard user reaches a node through the list
beside the graph, opens its panel and its web; the filters appear once; the drawing
fills the screen above the fold on a laptop (1366x900) and the whole screen on a phone
(390x844); a viewer's panel says no more than consent allows.

Screenshots go to test-artifacts/graph-*.png.
"""

from __future__ import annotations

import pytest

from graph_models.model import Person, Relationship, Visibility
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import READY, open_page

pytestmark = pytest.mark.browser

LAPTOP = (1366, 900)
PHONE = (390, 844)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("graph-panel") / "db.sqlite3")
    load_demo(store)
    anon = Visibility.ANONYMISED
    store.create("demo", Person("p900", "Siân Prydderch", "housing", role="Tenancy lead"))
    store.create("demo", Person("p901", "Llŷr Bowen", "health"))
    store.create("demo", Person("p902", "Secret Anon", "health", visibility=anon))
    store.create("demo", Relationship(id="r900", source="p900", target="p901", kind="knows"))
    store.create("demo", Relationship(id="r901", source="p900", target="p902", kind="knows"))
    app = make_app(store, SECRET_KEY="graph-panel-test")
    with LiveServer(app) as live:
        live.tokens = {
            role: issue_token(store, "demo", role)[0] for role in ("coordinator", "viewer")
        }
        yield live
    store.close()


def session(browser, server, role="coordinator", viewport=LAPTOP, path="/maps/demo/graph"):
    return open_page(
        browser,
        server.url + path,
        allowed_origin=server.url,
        headers={"Authorization": f"Bearer {server.tokens[role]}"},
        viewport=viewport,
        wait_for=None,
    )


def frame_of(page):
    frame = page.locator("#graph-frame").element_handle().content_frame()
    frame.wait_for_function(READY, timeout=60_000)
    assert frame.evaluate("window.bridgemapError || null") is None
    return frame


def node_id(frame, label: str) -> int:
    return frame.evaluate(
        "label => window.bridgemap.nodes.get({filter: n => n.label === label})[0].id", label
    )


def click_node(frame, page, label: str) -> None:
    """A real mouse click on the node's position on the canvas."""
    nid = node_id(frame, label)
    frame.evaluate("id => window.bridgemap.network.focus(id, {scale: 1.5, animation: false})", nid)
    dom = frame.evaluate(
        "id => { const net = window.bridgemap.network;"
        " return net.canvasToDOM(net.getPositions([id])[id]); }",
        nid,
    )
    canvas = frame.locator("#bridgemap-graph").bounding_box()
    page.mouse.click(canvas["x"] + dom["x"], canvas["y"] + dom["y"])


def panel_text(frame) -> str:
    frame.wait_for_selector("#bridgemap-detail:not([hidden])")
    return frame.inner_text("#bridgemap-detail")


def test_clicking_a_node_opens_its_panel_with_figures_ties_and_links(browser_session, server):
    s = session(browser_session, server)
    try:
        page = s.page
        frame = frame_of(page)
        click_node(frame, page, "Siân Prydderch")
        text = panel_text(frame)
        assert "Siân Prydderch" in text
        assert "Silo: housing" in text and "Role: Tenancy lead" in text
        assert "2 ties, 2 of them across silos." in text
        assert "Their ties, by silo\nhealth: 2\n" in text
        assert "left out" in text  # says the counts are of the drawn network only
        web = frame.get_attribute("#bridgemap-detail-web", "href")
        edit = frame.get_attribute("#bridgemap-detail-edit", "href")
        assert web == "/maps/demo/graph?view=web&node=p900"
        assert edit == "/maps/demo/people/p900/edit"
        page.screenshot(path=str(artifact_path("graph-panel-laptop.png")))
        frame.click("#bridgemap-detail-web")
        page.wait_for_url("**/maps/demo/graph?view=web&node=p900")
        web_frame = frame_of(page)
        assert web_frame.evaluate("window.bridgemap.data.view") == "ego"
        labels = web_frame.evaluate("window.bridgemap.nodes.get().map(n => n.label)")
        assert "Llŷr Bowen" in labels
    finally:
        s.close()


def test_folded_search_focuses_and_highlights_the_person(browser_session, server):
    s = session(browser_session, server)
    try:
        frame = frame_of(s.page)
        frame.fill("#bridgemap-search", "sian prydd")
        assert frame.inner_text("#bridgemap-found").startswith("1 of")
        visible = frame.eval_on_selector_all(
            "#bridgemap-nodes li:not([hidden]) button", "bs => bs.map(b => b.textContent)"
        )
        assert visible == ["Siân Prydderch"]
        selected = frame.evaluate("window.bridgemap.network.getSelectedNodes()")
        assert selected == [node_id(frame, "Siân Prydderch")]
        frame.fill("#bridgemap-search", "LLYR")
        frame.press("#bridgemap-search", "Enter")
        assert "Llŷr Bowen" in panel_text(frame)
        frame.fill("#bridgemap-search", "zzzz")
        assert "Nobody" in frame.inner_text("#bridgemap-found")
    finally:
        s.close()


def test_keyboard_user_reaches_a_node_opens_its_panel_and_its_web(browser_session, server):
    """No mouse: Tab from the search box into the list, Enter on a name, the panel
    takes focus, Escape closes it, and its 'Open their web' link is reachable."""
    s = session(browser_session, server)
    try:
        page = s.page
        frame = frame_of(page)
        frame.focus("#bridgemap-search")
        page.keyboard.type("SIAN PR")
        page.keyboard.press("Tab")  # the list's <summary>
        page.keyboard.press("Tab")  # the first (only) name shown
        focused = frame.evaluate("document.activeElement.textContent")
        assert focused == "Siân Prydderch"
        page.keyboard.press("Enter")
        assert "Siân Prydderch" in panel_text(frame)
        assert frame.evaluate("document.activeElement.id") == "bridgemap-detail-name"
        for _ in range(3):
            page.keyboard.press("Tab")
            if frame.evaluate("document.activeElement.id") == "bridgemap-detail-web":
                break
        assert frame.evaluate("document.activeElement.id") == "bridgemap-detail-web"
        page.keyboard.press("Escape")
        frame.wait_for_selector("#bridgemap-detail", state="hidden")
        assert frame.evaluate("document.activeElement.textContent") == "Siân Prydderch"
        page.keyboard.press("Enter")
        panel_text(frame)
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**view=web&node=p900")
    finally:
        s.close()


def test_filters_once_and_graph_fills_the_laptop_screen(browser_session, server):
    s = session(browser_session, server)
    try:
        page = s.page
        frame = frame_of(page)
        # the silo and kind filters are beside the graph only, not again above it
        assert page.locator("input[name=silo]").count() == 0
        assert page.locator("input[name=kind]").count() == 0
        assert frame.locator("#bridgemap-silos input[type=checkbox]").count() > 0
        box = page.locator("#graph-frame").bounding_box()
        assert box["y"] + box["height"] <= LAPTOP[1], box  # nothing below the fold
        assert box["height"] >= 0.6 * LAPTOP[1], box
        canvas = frame.locator("#bridgemap-graph").bounding_box()
        assert canvas["width"] >= 900 and canvas["height"] >= 450, canvas
        page.screenshot(path=str(artifact_path("graph-laptop.png")))
    finally:
        s.close()


def test_graph_fills_a_phone_screen_with_the_legend_folded(browser_session, server):
    s = session(browser_session, server, viewport=PHONE)
    try:
        page = s.page
        frame = frame_of(page)
        box = page.locator("#graph-frame").bounding_box()
        assert box["height"] >= PHONE[1] - 1 and box["width"] >= PHONE[0] - 20, box
        assert frame.evaluate("document.getElementById('bridgemap-legend').open") is False
        canvas = frame.locator("#bridgemap-graph").bounding_box()
        assert canvas["height"] >= 0.55 * PHONE[1], canvas
        page.locator("#graph-frame").scroll_into_view_if_needed()
        page.screenshot(path=str(artifact_path("graph-phone.png")))
        frame.fill("#bridgemap-search", "sian prydd")
        frame.press("#bridgemap-search", "Enter")
        panel_text(frame)
        page.screenshot(path=str(artifact_path("graph-panel-phone.png")))
    finally:
        s.close()


def test_viewer_panel_says_only_what_consent_allows(browser_session, server):
    s = session(browser_session, server, role="viewer")
    try:
        frame = frame_of(s.page)
        labels = frame.evaluate("window.bridgemap.nodes.get().map(n => n.label)")
        assert "Secret Anon" not in labels
        anon = [lbl for lbl in labels if lbl == "a person in health"]
        assert anon
        html = frame.content() + frame.evaluate("JSON.stringify(window.bridgemap.data)")
        assert "Secret Anon" not in html and "p902" not in html
        click_node(frame, s.page, "Siân Prydderch")
        text = panel_text(frame)
        assert "Edit" not in text  # no edit link for a viewer
        assert frame.is_hidden("#bridgemap-detail-edit")
        assert frame.get_attribute("#bridgemap-detail-web", "href").endswith("node=p900")
        # an anonymised person: their silo, no name, no web to open
        panels = frame.evaluate(
            "window.bridgemap.nodes.get().filter(n => n.label === 'a person in health')"
            ".map(n => n.panel)"
        )
        for panel in panels:
            assert "web" not in panel and "edit_url" not in panel
            assert any("without their name" in f for f in panel["facts"])
            assert not any(f.startswith("Role") for f in panel["facts"])
    finally:
        s.close()
