"""Welsh in real headless Chromium: the switch, by keyboard, changes the whole page.

``test_the_switch_works_by_keyboard_and_a_share_link_opens_in_its_language`` checks
the mechanism (it passes with any catalogue): Tab reaches the "Cymraeg" button, Enter
reloads the same page with ``<html lang="cy">``, and a share link made in Welsh
(``/share?lang=cy#…``, through share.js) opens in Welsh.

``test_welsh_mode_leaves_no_english_on_any_page`` checks the shipped Welsh catalogue:
in Welsh mode, the visible text (``innerText``, the graph frames' too) of the
dashboard, graph page, person and relationship forms, import, share and community
pages holds no English interface text. English text is each msgid of the committed
``messages.pot`` (each literal part between placeholders, of three letters or more),
found as whole words. Allowed, on principle: the map's own data (names, silos,
roles...: as in the pseudo-locale test), and text the Welsh catalogue itself writes
(a msgid whose Welsh is the same, such as "CSV" or "map", or a word the Welsh keeps).
It passes once the full catalogue is assembled; screenshots of every page in Welsh go
to ``test-artifacts/welsh-*.png`` before the check, for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from graph_models.demo import DEMO_MAP_ID
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.service.test_i18n import _user_text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "service" / "translations" / "messages.pot"
WELSH_PO = ROOT / "service" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("welsh") / "db.sqlite3")
    load_demo(store)
    app = make_app(store, SECRET_KEY="welsh-browser-test")
    records = store.graph(DEMO_MAP_ID)
    named = next(p for p in records.people if p.visibility.value == "named")
    with LiveServer(app) as live:
        live.store = store
        live.person = named.id
        live.tie = next(iter(records.relationships)).id
        live.coordinator = issue_token(store, DEMO_MAP_ID, "coordinator")[0]
        live.community = issue_token(store, DEMO_MAP_ID, "community", subject=named.id)[0]
        yield live
    store.close()


def _context(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def test_the_switch_works_by_keyboard_and_a_share_link_opens_in_its_language(
    browser_session, server
):
    context, page, errors = _context(browser_session, server)
    try:
        page.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
        page.goto(f"{server.url}/share#{server.coordinator}")
        page.wait_for_url(f"**/maps/{DEMO_MAP_ID}")
        page.goto(f"{server.url}/maps/{DEMO_MAP_ID}/people?q=a")
        assert _lang(page) == "en"
        welsh = page.locator("#language-switch button[lang='cy']")
        assert welsh.inner_text() == "Cymraeg"
        for _ in range(40):  # the keyboard reaches it, from the top of the page
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('lang')") == "cy":
                break
        else:
            pytest.fail("Tab never reached the Cymraeg button")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{server.url}/maps/{DEMO_MAP_ID}/people?q=a"  # the same page
        assert _lang(page) == "cy"
        assert page.locator("#language-switch [aria-current='true']").get_attribute("lang") == "cy"
        page.goto(f"{server.url}/maps/{DEMO_MAP_ID}/graph")
        assert _lang(page) == "cy"
        frame = page.frame_locator("#graph-frame")
        assert frame.locator("html").get_attribute("lang") == "cy"
        with page.expect_navigation():
            page.locator("#language-switch button[lang='en']").click()
        assert _lang(page) == "en" and page.url.endswith("/graph")
        assert errors == []
    finally:
        context.close()
    # a share link made in Welsh, opened by a browser that asks for English
    secret, _ = issue_token(server.store, DEMO_MAP_ID, "viewer")
    context, page, errors = _context(browser_session, server)
    try:
        page.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
        page.goto(f"{server.url}/share?lang=cy#{secret}")
        page.wait_for_url(f"**/maps/{DEMO_MAP_ID}")
        assert _lang(page) == "cy"
        assert secret not in page.url
    finally:
        context.close()


def test_a_graph_page_on_its_own_has_a_switch_that_a_click_remembers(browser_session, server):
    """The drawing opened on its own page (``/maps/<id>/view``, no site layout) has the
    Cymraeg / English switch as two links keeping the page's query: Tab reaches
    "Cymraeg", Enter opens the same drawing in Welsh, and that choice (made on our own
    page: Chromium says ``Sec-Fetch-Site: same-origin``) is remembered for the session;
    a ``?lang=`` typed in the address bar shows the page in that language only."""
    context, page, errors = _context(browser_session, server)
    m = f"/maps/{DEMO_MAP_ID}"
    try:
        page.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
        page.goto(f"{server.url}/share#{server.coordinator}")
        page.wait_for_url(f"**{m}")
        page.goto(f"{server.url}{m}/view?metric=betweenness")
        assert _lang(page) == "en"
        switch = page.locator("#bridgemap-language a[lang='cy']")
        assert switch.inner_text() == "Cymraeg"
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('lang')") == "cy":
                break
        else:
            pytest.fail("Tab never reached the Cymraeg link")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{server.url}{m}/view?metric=betweenness&lang=cy"
        assert _lang(page) == "cy"
        assert page.locator("#bridgemap-language [aria-current='true']").inner_text() == ("Cymraeg")
        page.locator("#bridgemap-graph canvas").first.wait_for()
        page.screenshot(path=str(artifact_path("welsh-graph-own-page.png")), full_page=True)
        page.goto(f"{server.url}{m}")  # remembered: the dashboard is in Welsh too
        assert _lang(page) == "cy"
        page.goto(f"{server.url}{m}/silos/view?lang=en")  # typed: this page only
        assert _lang(page) == "en"
        page.goto(f"{server.url}{m}")
        assert _lang(page) == "cy"
        page.goto(f"{server.url}{m}/silos/view")
        with page.expect_navigation():
            page.locator("#bridgemap-language a[lang='en']").click()
        assert _lang(page) == "en"
        page.goto(f"{server.url}{m}")
        assert _lang(page) == "en"
        assert errors == []
    finally:
        context.close()


def _english_pieces() -> dict[str, str]:
    """Each literal part of each English msgid (3+ letters) -> the msgid it is from,
    less what the Welsh catalogue writes itself (msgstr equal to the msgid, or a
    word the Welsh keeps)."""
    with POT.open("rb") as handle:
        pot = read_po(handle)
    with WELSH_PO.open("rb") as handle:
        welsh = read_po(handle)
    written = "\n".join(
        form
        for m in welsh
        if m.id and m.string
        for form in (m.string if isinstance(m.string, tuple | list) else [m.string])
    )
    pieces = {}
    for message in pot:
        if not message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple | list) else [message.id]:
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" \n\t.,:;()[]·–—-…“”‘’'\"?!/")
                if len(re.findall(r"[A-Za-z]", piece)) < 3 or piece in written:
                    continue
                pieces.setdefault(piece, msgid)
    return pieces


def _visible_text(page) -> str:
    """What a person reads: the page's innerText and its graph frame's, if any."""
    texts = [page.evaluate("document.title"), page.inner_text("body")]
    for frame in page.frames[1:]:
        try:
            texts.append(frame.evaluate("document.body ? document.body.innerText : ''"))
        except Exception:  # noqa: BLE001 - a frame navigating away has no text to give
            continue
    return "\n".join(texts)


def _english_left(text: str, pieces: dict[str, str], data: list[str]) -> list[str]:
    for value in data:
        text = text.replace(value, " ")
    return sorted(
        f"{piece!r} (from {msgid!r})"
        for piece, msgid in pieces.items()
        if re.search(rf"(?<![\w]){re.escape(piece)}(?![\w])", text)
    )


def test_welsh_mode_leaves_no_english_on_any_page(browser_session, server):
    pieces = _english_pieces()
    data = _user_text(server.store)
    m = f"/maps/{DEMO_MAP_ID}"
    pages = {
        "dashboard": m,
        "graph": f"{m}/graph",
        "graph-own-page": f"{m}/view",
        "people": f"{m}/people",
        "person-new": f"{m}/people/new",
        "person-edit": f"{m}/people/{server.person}/edit",
        "relationship-new": f"{m}/relationships/new",
        "relationship-edit": f"{m}/relationships/{server.tie}/edit",
        "import": f"{m}/import",
        "share": f"{m}/share",
    }
    found: dict[str, list[str]] = {}
    context, page, _errors = _context(browser_session, server)
    try:
        page.goto(f"{server.url}/share?lang=cy#{server.coordinator}")
        page.wait_for_url(f"**{m}")
        for name, path in pages.items():
            page.goto(server.url + path)
            assert _lang(page) == "cy", name
            if name == "graph":
                page.frame_locator("#graph-frame").locator("body").wait_for()
                page.wait_for_timeout(1500)
            page.screenshot(path=str(artifact_path(f"welsh-{name}.png")), full_page=True)
            if left := _english_left(_visible_text(page), pieces, data):
                found[name] = left
    finally:
        context.close()
    context, page, _errors = _context(browser_session, server)
    try:  # the community page: a community link opened in Welsh
        page.goto(f"{server.url}/share?lang=cy#{server.community}")
        page.wait_for_url(f"**/{server.person}/web")
        assert _lang(page) == "cy"
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifact_path("welsh-community.png")), full_page=True)
        if left := _english_left(_visible_text(page), pieces, data):
            found["community"] = left
    finally:
        context.close()
    assert found == {}, "English left in Welsh mode:\n" + "\n".join(
        f"{name}: {len(left)}: {left[:8]}" for name, left in found.items()
    )
