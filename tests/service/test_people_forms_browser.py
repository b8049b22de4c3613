"""People and forms (issue 14, items 9-12) in real headless Chromium: the person form
asks for silo and consent (no silent default), moves focus to the error summary after
an error and lands on the saved record; the coordinator's profile shows every field,
their figures and ties; lists, the relationship form and the share page find "Siân"
by "sian"; errors name fields as the form labels them; a share link's expiry is chosen
on the page and whose web a community link shows is found by a search.
Screenshots go to test-artifacts/people-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from graph_models.model import Person, Relationship
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import open_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("people-forms") / "db.sqlite3")
    load_demo(store)
    store.create("demo", Person("p900", "Siân Prydderch", "housing", role="Tenancy lead"))
    store.create("demo", Person("p901", "Llŷr Bowen", "health", contact="llyr@example.org"))
    store.create("demo", Relationship("r900", "p900", "p901", "knows", strength=4))
    app = make_app(store, SECRET_KEY="people-forms-browser")
    with LiveServer(app) as live:
        live.store = store
        live.tokens = {r: issue_token(store, "demo", r)[0] for r in ("coordinator", "viewer")}
        yield live
    store.close()


def visit(browser, server, path, role="coordinator", viewport=(1366, 900)):
    return open_page(
        browser,
        server.url + path,
        allowed_origin=server.url,
        headers={"Authorization": f"Bearer {server.tokens[role]}"},
        viewport=viewport,
        wait_for=None,
    )


def test_person_form_asks_for_silo_and_consent_focuses_errors_lands_on_record(
    browser_session, server
):
    s = visit(browser_session, server, "/maps/demo/people/new")
    try:
        page = s.page
        assert page.input_value("#f-silo") == ""
        assert page.input_value("#f-visibility") == ""
        page.fill("#f-name", "Gethin Ôl")
        page.click("button:has-text('Add the person')")
        expect(page.locator(".error-summary")).to_be_focused()  # no eval: the CSP forbids it
        summary = page.inner_text(".error-summary")
        assert "Silo: This is required." in summary
        assert "Consent: Choose what this person agreed may be shown." in summary
        assert "visibility" not in summary
        page.screenshot(path=str(artifact_path("people-form-errors.png")), full_page=True)
        page.select_option("#f-silo", "police")
        page.select_option("#f-visibility", "anonymised")
        page.fill("#f-contact", "gethin@example.org")
        page.click("button:has-text('Add the person')")
        page.wait_for_selector("h1:has-text('Gethin Ôl')")
        assert "/maps/demo/people/" in page.url and not page.url.endswith("/people")
        text = page.inner_text("main")
        assert "Added “Gethin Ôl”." in text
        assert "police" in text and "gethin@example.org" in text
        assert "Anonymised" in text
    finally:
        s.close()


def test_profile_shows_every_field_figures_ties_and_edit(browser_session, server):
    s = visit(browser_session, server, "/maps/demo/people/p901")
    try:
        page = s.page
        record = page.inner_text("dl.record")
        for value in ("Llŷr Bowen", "health", "llyr@example.org", "p901"):
            assert value in record
        assert "1 tie, 1 of them across silos." in page.inner_text("#profile-figures")
        ties = page.inner_text("section[aria-labelledby=ties-title]")
        assert "Siân Prydderch" in ties and "knows" in ties
        page.screenshot(path=str(artifact_path("people-profile.png")), full_page=True)
        page.click("a.button:has-text('Edit')")
        page.wait_for_url("**/people/p901/edit")
        page.fill("#f-role", "Practice nurse")
        page.click("button:has-text('Save')")
        page.wait_for_url("**/people/p901")
        assert "Practice nurse" in page.inner_text("dl.record")
    finally:
        s.close()


def test_profile_is_for_coordinators_only(browser_session, server):
    s = visit(browser_session, server, "/maps/demo/people/p901", role="viewer")
    try:
        assert "llyr@example.org" not in s.page.content()
        assert "This page is not open to the link you signed in with." in s.page.content()
    finally:
        s.close()


def test_folded_search_in_lists_and_relationship_form(browser_session, server):
    s = visit(browser_session, server, "/maps/demo/people?q=sian+pr")
    try:
        page = s.page
        assert page.locator("tbody tr").count() == 1
        assert "Siân Prydderch" in page.inner_text("tbody")
        page.goto(server.url + "/maps/demo/people?q=LLYR")
        assert "Llŷr Bowen" in page.inner_text("tbody")
        page.goto(server.url + "/maps/demo/relationships/new")
        page.fill("#f-source", "sian prydderch")
        page.click("button:has-text('Add the relationship')")
        summary = page.inner_text(".error-summary")
        assert "To: This is required." in summary and "target" not in summary
        expect(page.locator(".error-summary")).to_be_focused()  # no eval: the CSP forbids it
        assert page.input_value("#f-source") == "sian prydderch"
        page.fill("#f-target", "LLYR BOWEN")
        page.select_option("#f-kind", "works_with")
        page.click("button:has-text('Add the relationship')")
        page.wait_for_url("**/relationships")
        ties = [
            r
            for r in server.store.graph("demo").relationships
            if {r.source, r.target} == {"p900", "p901"}
        ]
        assert {r.kind for r in ties} == {"knows", "works_with"}
    finally:
        s.close()


def test_share_link_subject_by_search_and_expiry(browser_session, server):
    s = visit(browser_session, server, "/maps/demo/share")
    try:
        page = s.page
        assert page.locator("input[name=subject]").count() == 0  # no 200-name list
        page.fill("#f-find", "sian")
        page.click("#find-subject button")
        # a GET form: the click starts the page's load, it does not wait for its end
        page.wait_for_url("**find=sian**")
        expect(page.locator("label.choice").first).to_be_visible()
        choices = page.locator("label.choice").all_inner_texts()
        assert "Siân Prydderch (housing)" in [c.strip() for c in choices]
        assert len(choices) < 10
        assert page.input_value("#f-role") == "community"
        page.check("label.choice:has-text('Siân Prydderch') input")
        page.fill("#f-expires_on", "2020-01-01")
        page.click("button:has-text('Make the link')")
        assert "Choose a date after today." in page.inner_text(".error-summary")
        page.check("label.choice:has-text('Siân Prydderch') input")
        page.fill("#f-expires_on", "2099-03-31")
        page.click("button:has-text('Make the link')")
        assert "It stops working after 31 March 2099." in page.inner_text("#new-expiry")
        assert page.input_value("#new-link").startswith(server.url + "/share#bm_")
        row = page.locator("tbody tr:has-text('Siân Prydderch')")
        assert "31 Mar 2099" in row.inner_text()  # the date in the reader's locale
        page.screenshot(path=str(artifact_path("people-share.png")), full_page=True)
        token = next(t for t in server.store.list_tokens("demo") if t.subject == "p900")
        assert token.role == "community" and token.expires_at.startswith("2099-03-31")
    finally:
        s.close()
