"""The dashboard as its users read it (issue 14, items 3-8b), in real headless Chromium.

On the demo map: the heat map spans the page with labels of at least 12 px, gaps are
marked in words as well as a pattern, the colour scale is set by the ties across
silos, and choosing a cell lists the ties of that pair; every silo pair without a tie
is listed (the hidden ones behind "and N more"), including the one nobody links
within two steps; brokers have a rank and a share people understand; the change
lists ties gained by pair; grouping and date can be chosen. On a small map: a viewer
sees the withheld-figure notice instead of a reassuring sentence, people with no tie
are listed as such, and a map with no dated ties says so.
Screenshots go to test-artifacts/dashboard-*.png.
"""

from __future__ import annotations

import pytest

from graph_models.model import Map, Person, Relationship, Silo
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import open_page

pytestmark = pytest.mark.browser

DEMO_GAPS = {
    ("business", "community"),
    ("business", "health"),
    ("business", "housing"),
    ("business", "police"),
    ("business", "social care"),
    ("education", "police"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("dashboard") / "db.sqlite3")
    load_demo(store)
    store.create_map(Map("small", "Small map", silos=[Silo("big", "#1d5a78"), Silo("tiny")]))
    for i in range(6):
        store.create("small", Person(f"b{i}", f"Big Person {i}", "big"))
    for i in range(2):
        store.create("small", Person(f"t{i}", f"Tiny Person {i}", "tiny"))
    store.create("small", Person("alone", "Ffion Alone", "big"))
    ties = [("b0", "b1"), ("b1", "b2"), ("b2", "b3"), ("b3", "b4"), ("b4", "b5"), ("b5", "t0")]
    ties.append(("t0", "t1"))
    for k, (u, v) in enumerate(ties):
        store.create("small", Relationship(f"r{k}", u, v, "knows"))
    app = make_app(store, SECRET_KEY="dashboard-browser-test")
    with LiveServer(app) as live:
        live.tokens = {
            (m, role): issue_token(store, m, role)[0]
            for m in ("demo", "small")
            for role in ("coordinator", "viewer")
        }
        yield live
    store.close()


def visit(browser, server, path, *, m="demo", role="coordinator", viewport=(1366, 900)):
    s = open_page(
        browser,
        server.url + path,
        allowed_origin=server.url,
        headers={"Authorization": f"Bearer {server.tokens[(m, role)]}"},
        viewport=viewport,
        wait_for=None,
    )
    assert s.errors == []
    return s


def test_heat_map_is_full_width_readable_and_marks_gaps_in_words(browser_session, server):
    s = visit(browser_session, server, "/maps/demo")
    try:
        page = s.page
        table = page.locator("table.heatmap").bounding_box()
        panel = page.locator("#heatmap").bounding_box()
        assert table["width"] >= 0.9 * (panel["width"] - 40), (table, panel)
        sizes = page.eval_on_selector_all(
            "table.heatmap th, table.heatmap td, .heat-key li",
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
        )
        assert min(sizes) >= 12, min(sizes)
        gaps = page.locator("td.heat--gap")
        assert gaps.count() == 2 * len(DEMO_GAPS)  # both halves of the matrix
        assert all(t.split() == ["0", "no", "tie"] for t in gaps.all_inner_texts())
        # the scale is set on cross-silo cells: the largest one is the darkest shade,
        # and the diagonal (60-70 ties inside a silo) is drawn apart, not in the scale
        darkest = page.locator("td.heat-5").all_inner_texts()
        assert darkest and max(int(t) for t in darkest) == 11
        assert page.locator("td.heat--inside").count() == 9
        assert page.locator("td.heat--inside.heat-5").count() == 0
        page.screenshot(path=str(artifact_path("dashboard-laptop.png")), full_page=True)
        # a cell lists the ties of its pair, names linking to their web
        page.click("td.heat a[aria-label='health and local authority: 10 ties']")
        page.wait_for_selector("#pair-ties")
        assert page.inner_text("#pair-title") == "Ties between health and local authority"
        items = page.locator("#pair-ties li")
        # the matrix counts 10; one of them is with a person who asked not to be shown
        assert items.count() == 9
        assert "1 more tie is with people who are not shown" in page.inner_text("#pair-ties")
        first = page.locator("#pair-ties li a").first.get_attribute("href")
        assert first.startswith("/maps/demo/people/") or "/organisations/" in first
        page.click("td.heat a[aria-label='business and health: no tie']")
        assert "No tie joins these two groups" in page.inner_text("#pair-ties")
    finally:
        s.close()


def test_every_gap_is_listed_with_an_introduction_or_a_new_contact(browser_session, server):
    s = visit(browser_session, server, "/maps/demo")
    try:
        page = s.page
        items = page.locator("#gaps li")
        assert items.count() == len(DEMO_GAPS)
        hidden = page.locator("#gaps details.more li")
        assert hidden.count() == len(DEMO_GAPS) - 5 and not hidden.first.is_visible()
        page.click("#gaps details.more summary")
        assert hidden.first.is_visible()
        texts = items.all_inner_texts()
        pairs = {tuple(t.split(":")[0].split(" – ")) for t in texts}
        assert pairs == DEMO_GAPS
        assert any(
            "nobody links business and community within two steps: this gap needs a new "
            "contact, not an introduction" in t
            for t in texts
        )
        assert any("introduce" in t for t in texts)
        assert page.locator("#gaps li a").count() > 0  # names link to their page
        page.goto(server.url + "/maps/demo")  # a viewer: names link to their web
    finally:
        s.close()
    s = visit(browser_session, server, "/maps/demo", role="viewer")
    try:
        href = s.page.locator("#gaps li a").first.get_attribute("href")
        assert "/graph?view=web&node=" in href
    finally:
        s.close()


def test_brokers_rank_and_route_share_and_explanations(browser_session, server):
    s = visit(browser_session, server, "/maps/demo")
    try:
        page = s.page
        text = page.inner_text("#bridges-title + p + ul + details + h3 + p + details + div")
        assert "on " in text and "% of them" in text
        ranks = page.locator("table td.num").all_inner_texts()[:3]
        assert ranks == ["1", "2", "3"]
        for key in ("explain-ei", "explain-betweenness", "explain-ap"):
            assert not page.locator(f"#{key}").is_visible()
        page.click("#figure-ei details summary")
        assert "external" in page.inner_text("#explain-ei")
    finally:
        s.close()


def test_change_lists_ties_by_pair_and_grouping_and_date_apply(browser_session, server):
    s = visit(browser_session, server, "/maps/demo?since=2024-01-01")
    try:
        page = s.page
        text = page.inner_text("#change")
        assert "Ties gained, by pair of groups" in text
        assert page.locator("#change-ties li").count() > 0
        assert (
            "Gaps closed" in text
            and "None." in page.inner_text("#change-structure")
            or (page.locator("#change-structure li").count() > 0)
        )
        # from 2024 the gaps between groups have closed: 11 pairs then, 6 today
        assert page.locator("#change-structure h3:has-text('Gaps closed') + ul li").count() == 5
        page.select_option("#f-group_by", "area")
        page.fill("#f-as_of", "2025-06-30")
        page.click("form.dash-options button")
        page.wait_for_url("**group_by=area**")
        assert "as_of=2025-06-30" in page.url
        heads = page.locator("table.heatmap thead th").all_inner_texts()
        assert "Cynon" in heads and "health" not in heads
        assert page.input_value("#f-as_of") == "2025-06-30"
    finally:
        s.close()


def test_viewer_sees_withheld_notice_not_reassurance(browser_session, server):
    s = visit(browser_session, server, "/maps/small", m="small", role="viewer")
    try:
        page = s.page
        body = page.inner_text("main")
        assert "withheld to protect small groups" in page.inner_text("#withheld-notice")
        assert "Nobody is the only link" not in body
        assert "Every pair of groups has at least one tie" not in body
        assert page.locator("td.heat--withheld").count() > 0
        assert "tiny and tiny: withheld (small group)" in page.inner_text("table.heatmap")
        page.screenshot(path=str(artifact_path("dashboard-viewer-withheld.png")), full_page=True)
    finally:
        s.close()


def test_isolates_listed_and_undated_map_says_so(browser_session, server):
    s = visit(browser_session, server, "/maps/small", m="small")
    try:
        page = s.page
        assert "Ffion Alone" in page.inner_text("section[aria-labelledby=isolates-title]")
        assert "No tie on this map has a start or end date" in page.inner_text("#no-dates")
        assert page.locator("#change-ties").count() == 0
        assert "Silos" not in page.inner_text("#hidden-title")  # not a "hidden silo" of one
    finally:
        s.close()


def test_dashboard_on_a_phone(browser_session, server):
    s = visit(browser_session, server, "/maps/demo", role="viewer", viewport=(390, 844))
    try:
        page = s.page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # the page does not scroll sideways; the table may
        page.screenshot(path=str(artifact_path("dashboard-phone.png")), full_page=True)
    finally:
        s.close()
