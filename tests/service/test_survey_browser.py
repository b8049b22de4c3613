"""A relationship survey in real headless Chromium, every request to another host
blocked: a coordinator sets a survey up and opens it (the links shown once); a
respondent on a phone-size screen, with the keyboard alone, finds three people by typing
their names without accents, saves, comes back, and sends; a second respondent names
the first; the coordinator accepts both, and the ties appear in the dashboard, the graph
and the results (the tie named from both ends counted as confirmed)."""

from __future__ import annotations

import pytest

from graph_models.model import Map, Person, Silo
from graph_models.store.embedded import EmbeddedStore
from service import auth
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import READY, external, open_page, png_stats

pytestmark = pytest.mark.browser

PEOPLE = [
    Person("ann", "Ann Evans", "health"),
    Person("sian", "Siân Rhys", "health"),
    Person("llyr", "Llŷr Davies", "housing"),
    Person("anez", "Añez Ortiz", "housing"),
    *[Person(f"p{i}", f"Person {i:03d}", "police") for i in range(60)],
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("survey-browser") / "db.sqlite3")
    store.create_map(
        Map("cwm", "Cwm Partnership", silos=[Silo(s) for s in ("health", "housing", "police")])
    )
    store.bulk_upsert("cwm", PEOPLE, [])
    app = make_app(store, SECRET_KEY="survey-browser-test")
    with LiveServer(app) as live:
        live.store = store
        yield live
    store.close()


def shot(browser, page, name: str) -> None:
    png = page.screenshot(path=str(artifact_path(f"ui-{name}.png")), full_page=True)
    stats = png_stats(browser, png)
    assert stats["ink"] > 0.02 and stats["colours"] > 4, (name, stats)


def session(browser, url, server, **kw):
    return open_page(browser, url, allowed_origin=server.url, wait_for=None, **kw)


def pick(page, typed: str) -> None:
    """Type a name into the roster search and tick the one match, keys only."""
    page.focus("#roster-search")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(typed)
    shown: list = []
    for _ in range(100):  # the list filters a moment after the last key
        shown = page.evaluate(
            "[...document.querySelectorAll('.roster__item:not([hidden])')].map(e => e.dataset.key)"
        )
        if len(shown) == 1 and typed.lower() in shown[0]:
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"typing {typed!r} did not leave one match: {shown[:5]}")
    page.keyboard.press("Tab")  # hidden rows are skipped: the focus is on the one match
    page.keyboard.press("Space")


@pytest.mark.slow
def test_a_survey_from_setup_to_confirmed_ties(browser_session, server):
    browser = browser_session
    secret, _ = auth.issue_token(server.store, "cwm", auth.COORDINATOR, label="test")
    coordinator = session(browser, f"{server.url}/share#{secret}", server)
    try:
        page = coordinator.page
        page.goto(f"{server.url}/maps/cwm/surveys")
        page.fill("#f-title", "Who do you work with?")
        page.fill("#f-intro", "Five minutes, for the partnership board.")
        page.check("#f-everyone")
        shot(browser, page, "survey-setup")
        page.click("button:has-text('Set up the survey')")
        assert "/maps/cwm/surveys/" in page.url
        page.click("button:has-text('Open and show the links')")
        page.wait_for_load_state()  # the click starts the next page, not its end
        rows = page.locator("#links tbody tr")
        assert rows.count() == len(PEOPLE)
        links = {
            rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i)
            .locator("td")
            .nth(1)
            .inner_text()
            for i in range(rows.count())
        }
        shot(browser, page, "survey-links")
    finally:
        coordinator.close()

    phone = session(browser, links["Ann Evans"], server, viewport=(390, 844))
    try:
        page = phone.page
        assert "/respond" in page.url and "Cwm Partnership" in page.content()
        for typed in ("sian", "llyr", "anez"):
            pick(page, typed)
        page.focus("button:has-text('Save and come back later')")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Saved.")
        page.goto(page.url)  # come back later
        names = page.locator(".tie__name strong").all_inner_texts()
        assert sorted(names) == ["Añez Ortiz", "Llŷr Davies", "Siân Rhys"]
        page.focus("#f-ties-0-frequency")
        page.keyboard.press("ArrowUp")  # monthly -> every week
        page.focus("button:has-text('Send my answers')")
        shot(browser, page, "survey-respond-phone")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Thank you: your answers were sent")
        assert external(phone, server.url) == []
        assert phone.errors == []
    finally:
        phone.close()

    sian = session(browser, links["Siân Rhys"], server, viewport=(390, 844))
    try:
        page = sian.page
        pick(page, "ANN")
        page.click("button:has-text('Send my answers')")
        page.wait_for_selector("text=Thank you: your answers were sent")
    finally:
        sian.close()

    secret, _ = auth.issue_token(server.store, "cwm", auth.COORDINATOR, label="again")
    coordinator = session(browser, f"{server.url}/share#{secret}", server)
    try:
        page = coordinator.page
        page.goto(f"{server.url}/maps/cwm/surveys")
        page.click("text=Who do you work with?")
        assert "2 of 64 people answered" in page.content()
        shot(browser, page, "survey-review")
        page.click("button:has-text('Accept the ticked responses')")
        assert "Accepted 2 responses: 3 new ties, 1 confirmed by both ends." in page.content()
        page.click("text=Survey results")
        assert page.locator("#confirmation tbody tr").first.inner_text().split() == [
            "health",
            "–",
            "health",
            "1",
            "1",
        ]
        shot(browser, page, "survey-results")
        page.goto(f"{server.url}/maps/cwm")
        assert page.locator("#figure-ties .figure__value").inner_text() == "3"
        page.goto(f"{server.url}/maps/cwm/graph")
        frame = page.locator("#graph-frame").element_handle().content_frame()
        frame.wait_for_function(READY, timeout=60_000)
        assert frame.evaluate("window.bridgemap.network.body.data.edges.length") == 3
        assert external(coordinator, server.url) == []
    finally:
        coordinator.close()
