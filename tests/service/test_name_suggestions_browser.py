"""The relationship form's name suggestions fold accents as the server does: typing
"sian" offers "Siân Evans" (the browser's own datalist would not), and the list works
with the keyboard alone (arrows, Enter, Escape)."""

from __future__ import annotations

import pytest

from graph_models.model import Map, Organisation, Person, Silo
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from tests.conftest import make_app
from tests.live import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("suggest") / "db.sqlite3")
    store.create_map(Map("m1", "Cwm", silos=[Silo("health"), Silo("housing")]))
    store.bulk_upsert(
        "m1",
        [
            Person("sian", "Siân Evans", "health"),
            Person("llyr", "Llŷr Jones", "health"),
            Person("sam", "Sam Siantel", "housing"),
            Organisation("clinic", "Valley Clinic", "health"),
        ],
        [],
    )
    app = make_app(store, SECRET_KEY="suggest-test")
    with LiveServer(app) as live:
        live.token = issue_token(store, "m1", "coordinator")[0]
        yield live
    store.close()


def test_typing_without_accents_suggests_the_accented_name(browser_session, server):
    context = browser_session.new_context(
        viewport={"width": 390, "height": 844},
        extra_http_headers={"Authorization": f"Bearer {server.token}"},
    )
    try:
        page = context.new_page()
        page.goto(server.url + "/maps/m1/relationships/new")
        field = page.locator("#f-source")
        assert field.get_attribute("role") == "combobox" and field.get_attribute("list") is None
        field.focus()
        page.keyboard.type("sian")
        listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
        assert listbox.is_visible()
        options = [o.split(" · ")[0] for o in listbox.locator("[role=option]").all_inner_texts()]
        assert options == ["Siân Evans", "Sam Siantel"]  # names that start with it first
        status = page.locator("#f-source ~ [role=status]")
        assert status.inner_text() == "Names that match: 2"
        page.keyboard.press("ArrowDown")
        assert field.get_attribute("aria-activedescendant") == listbox.locator(
            "li"
        ).first.get_attribute("id")
        page.keyboard.press("Enter")
        assert field.input_value() == "Siân Evans" and listbox.is_hidden()
        target = page.locator("#f-target")
        target.focus()
        page.keyboard.type("LLYR")
        assert page.locator(f"#{target.get_attribute('aria-controls')} [role=option]").count() == 1
        page.keyboard.press("Escape")
        assert target.get_attribute("aria-expanded") == "false"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert target.input_value() == "Llŷr Jones"
    finally:
        context.close()
