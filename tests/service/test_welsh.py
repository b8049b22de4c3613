"""Welsh (Cymraeg) in the service: the switch, share links' language, Accept-Language,
the API's errors, plural forms, and the Welsh catalogue's completeness.

Two tests check the real catalogue ``service/translations/cy/LC_MESSAGES/messages.po``
and pass only once the full Welsh catalogue is assembled into it:
``test_welsh_catalogue_complete`` (no missing or fuzzy message, six forms for every
plural, placeholders kept) and ``test_welsh_catalogue_tie_count_forms_follow_the_grammar``
(and ``test_an_api_error_is_in_welsh_with_the_real_catalogue``). Every other test builds
a tiny catalogue of its own, so it checks the machinery whatever the translations say.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask import render_template_string

from graph_models.messages import TEMPLATES, Message
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from tests.conftest import ADMIN_SECRET, make_app

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "service" / "translations" / "messages.pot"
WELSH_PO = ROOT / "service" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
#: Welsh plural forms by CLDR category: zero, one, two, few, many, other.
COUNTS = (0, 1, 2, 3, 6, 11)
WELSH_PLURAL_RULE = "(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n == 3 ? 3 : n == 6 ? 4 : 5)"

#: The dashboard's sentence on ties across groups (dashboard.html, "change" section).
CHANGE_SINGULAR = "%(count)s new tie across groups, %(lost)s lost."
CHANGE_PLURAL = "%(count)s new ties across groups, %(lost)s lost."


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html)[1]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


# -- the real catalogue (complete once the lead assembles it) ------------------------------


def test_the_welsh_catalogue_has_welsh_plural_rules():
    catalogue = _read(WELSH_PO)
    assert str(catalogue.locale) == "cy"
    assert catalogue.num_plurals == 6
    assert catalogue.plural_expr.replace(" ", "") == WELSH_PLURAL_RULE.replace(" ", "")


def test_welsh_catalogue_complete():
    """The catalogue-completeness test: every msgid of the committed .pot has a Welsh
    msgstr, none fuzzy, every plural entry six non-empty forms, and placeholders kept
    (Babel's checkers). Fails on the placeholder catalogue until the full one lands."""
    pot, welsh = _read(POT), _read(WELSH_PO)
    missing, fuzzy, short, broken = [], [], [], []
    for message in pot:
        if not message.id:
            continue
        found = welsh.get(message.id)
        if (
            found is None
            or not found.string
            or (isinstance(found.string, tuple | list) and not all(found.string))
        ):
            missing.append(message.id)
            continue
        if found.fuzzy:
            fuzzy.append(message.id)
        if isinstance(message.id, tuple | list) and len(found.string) != 6:
            short.append(message.id)
        if found.check(welsh):
            broken.append((message.id, [str(e) for e in found.check(welsh)]))
    total = len([m for m in pot if m.id])
    assert not (missing or fuzzy or short or broken), (
        f"{len(missing)} of {total} messages have no Welsh; {len(fuzzy)} fuzzy; "
        f"{len(short)} plurals without six forms; {len(broken)} with broken placeholders. "
        f"First missing: {missing[:5]}; broken: {broken[:3]}"
    )


def test_welsh_catalogue_tie_count_forms_follow_the_grammar():
    """The real catalogue's "%(num)s tie" has six forms, and the ones Welsh grammar
    sets apart differ: 0 cysylltiadau, 1 cysylltiad, 2 gysylltiad, 3 chysylltiad."""
    found = _read(WELSH_PO).get(("%(num)s tie", "%(num)s ties"))
    assert found is not None and len(found.string) == 6
    forms = [form.replace("%(num)s", "").strip() for form in found.string]
    assert all(forms), found.string
    assert forms[0] != forms[1] != forms[2] != forms[3], found.string


# -- plural forms through every path, with a tiny catalogue ---------------------------------


def _forms(singular: str) -> tuple[str, ...]:
    """Six marked forms of a message: ``[0] …`` to ``[5] …``."""
    return tuple(f"[{i}] {singular}" for i in range(6))


@pytest.fixture(scope="module")
def tiny_welsh(tmp_path_factory):
    """An app whose Welsh catalogue marks each plural form with its index and holds
    a few Welsh sentences; English and Welsh offered, as shipped."""
    folder = tmp_path_factory.mktemp("tiny-cy")
    catalogue = Catalog(locale="cy")
    catalogue.add((CHANGE_SINGULAR, CHANGE_PLURAL), _forms(CHANGE_SINGULAR))
    rows = TEMPLATES["import.rows_with_problems"]
    catalogue.add((rows.singular, rows.plural), _forms(rows.singular))
    catalogue.add(("%(num)s tie", "%(num)s ties"), _forms("%(num)s tie"))
    catalogue.add("some query parameters are not valid", "mae rhai paramedrau ymholiad yn annilys")
    catalogue.add("Sign in with a token", "Mewngofnodi gyda thocyn")
    catalogue.add("Dashboard", "Dangosfwrdd")
    po = folder / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalogue)
    store = EmbeddedStore(folder / "db.sqlite3")
    app = make_app(store, SECRET_KEY="welsh-test", TRANSLATIONS_FOLDER=str(po.parents[2]))
    yield app, store
    store.close()


def _dashboard_change_sentence() -> str:
    """The dashboard's ``{% trans %}`` block on ties across groups, as written there."""
    source = (ROOT / "service" / "templates" / "dashboard.html").read_text(encoding="utf-8")
    block = re.search(r"{% trans count=change\.gained.*?{% endtrans %}", source, re.S)
    assert block, "the dashboard's tie sentence moved: update this test"
    return block[0]


def test_the_dashboard_tie_sentence_takes_the_six_welsh_forms(tiny_welsh):
    app, _store = tiny_welsh
    sentence = _dashboard_change_sentence()
    for form, count in enumerate(COUNTS):
        change = {"gained": [object()] * count, "lost": []}
        with app.test_request_context(headers={"Accept-Language": "cy"}):
            text = render_template_string(sentence, change=change)
        assert text.strip() == f"[{form}] {count} new tie across groups, 0 lost.", (count, text)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = render_template_string(sentence, change={"gained": [1, 2], "lost": [1]})
    assert text.strip() == "2 new ties across groups, 1 lost."


def test_domain_and_graph_plurals_take_the_six_welsh_forms(tiny_welsh):
    """``NP_`` templates through :meth:`Message.render` (import errors) and the graph
    pages' own ``ngettext`` (visualisations) pick the same six forms."""
    from service.i18n import drawing_language, translate
    from visualisations import i18n as vis

    app, _store = tiny_welsh
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        for form, count in enumerate(COUNTS):
            rendered = translate(Message("import.rows_with_problems", num=count))
            assert rendered == f"[{form}] {count} row with problems; nothing was written"
        drawing = drawing_language()
        assert drawing["language"] == "cy"
        with vis.using(drawing["translations"], drawing["language"]):
            words = [vis.ngettext("%(num)s tie", "%(num)s ties", n) for n in COUNTS]
    assert words == [f"[{i}] {n} tie" for i, n in enumerate(COUNTS)]


# -- choosing the language ------------------------------------------------------------------


def test_accept_language_chooses_welsh_on_a_first_visit(tiny_welsh):
    app, _store = tiny_welsh
    html = app.test_client().get("/login", headers={**HTML, "Accept-Language": "cy"}).get_data(True)
    assert _lang(html) == "cy" and "Mewngofnodi gyda thocyn" in html
    html = (
        app.test_client().get("/login", headers={**HTML, "Accept-Language": "en-GB"}).get_data(True)
    )
    assert _lang(html) == "en" and "Sign in with a token" in html


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("cy", "cy"),
        ("cy-GB", "cy"),
        ("cy-GB, en;q=0.5", "cy"),  # Werkzeug's best_match would say en
        ("en-GB, cy;q=0.8", "en"),  # ... and cy here
        ("fr, cy;q=0.3", "cy"),
        ("fr", "en"),
        ("", "en"),
        ("cy;q=0, en", "en"),
    ],
)
def test_the_browser_s_first_offered_language_is_chosen(tiny_welsh, header, chosen):
    from service.i18n import select_locale

    app, _store = tiny_welsh
    with app.test_request_context(headers={"Accept-Language": header} if header else {}):
        assert select_locale() == chosen


def test_the_switch_sets_the_language_and_returns_to_the_same_page(tiny_welsh):
    app, store = tiny_welsh
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    admin.post("/api/v1/maps", json={"id": "switch", "name": "Switch"})
    secret, _ = issue_token(store, "switch", "coordinator")
    client = app.test_client()
    assert client.get(f"/share/{secret}").status_code == 302
    page = client.get("/maps/switch?since=2024-01-01", headers={**HTML, "Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert _lang(html) == "en"
    switch = re.search(r'<form[^>]*id="language-switch".*?</form>', html, re.S)[0]
    assert 'lang="cy"' in switch and ">Cymraeg<" in switch  # named in itself
    assert 'lang="en"' in switch and ">English<" in switch
    assert 'name="next" value="/maps/switch?since=2024-01-01"' in switch
    r = client.post(
        "/language",
        data={"csrf_token": _csrf(html), "lang": "cy", "next": "/maps/switch?since=2024-01-01"},
        headers=HTML,
    )
    assert r.status_code == 303 and r.headers["Location"] == "/maps/switch?since=2024-01-01"
    # remembered for the session, whatever the browser says
    html = client.get("/maps/switch", headers={**HTML, "Accept-Language": "en"}).get_data(True)
    assert _lang(html) == "cy" and "Dangosfwrdd" in html
    assert '<span class="language-switch__current" lang="cy"' in html
    # the graph page's own template and the board report follow it too
    graph = client.get("/maps/switch/graph", headers=HTML).get_data(as_text=True)
    frame = re.search(r'id="graph-frame"[^>]*src="([^"]+)"', graph)[1].replace("&amp;", "&")
    assert _lang(client.get(frame, headers=HTML).get_data(as_text=True)) == "cy"
    assert _lang(client.get("/maps/switch/report", headers=HTML).get_data(as_text=True)) == "cy"
    # and back to English
    r = client.post(
        "/language", data={"csrf_token": _csrf(html), "lang": "en", "next": "/maps/switch"}
    )
    assert r.status_code == 303
    assert _lang(client.get("/maps/switch", headers=HTML).get_data(as_text=True)) == "en"


def test_the_switch_refuses_a_forged_form_a_language_not_offered_and_other_hosts(tiny_welsh):
    app, _store = tiny_welsh
    client = app.test_client()
    html = client.get("/login", headers=HTML).get_data(as_text=True)
    token = _csrf(html)
    assert client.post("/language", data={"lang": "cy", "next": "/login"}).status_code == 400
    r = client.post("/language", data={"csrf_token": token, "lang": "fr", "next": "/login"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"lang": ["not offered here"]}
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "login"):
        r = client.post("/language", data={"csrf_token": token, "lang": "cy", "next": elsewhere})
        assert r.status_code == 303 and r.headers["Location"] == "/", elsewhere


def test_signing_in_keeps_the_chosen_language(tiny_welsh):
    app, store = tiny_welsh
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    admin.post("/api/v1/maps", json={"id": "keep", "name": "Keep"})
    secret, _ = issue_token(store, "keep", "viewer")
    client = app.test_client()
    token = _csrf(client.get("/login", headers=HTML).get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "lang": "cy", "next": "/login"})
    assert client.get(f"/share/{secret}").status_code == 302
    assert _lang(client.get("/maps/keep", headers=HTML).get_data(as_text=True)) == "cy"


def test_a_share_link_made_in_welsh_opens_in_welsh(tiny_welsh):
    app, store = tiny_welsh
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    admin.post("/api/v1/maps", json={"id": "shared", "name": "Shared"})
    coordinator_secret, _ = issue_token(store, "shared", "coordinator")
    coordinator = app.test_client()
    coordinator.get(f"/share/{coordinator_secret}")
    page = coordinator.get("/maps/shared/share", headers={**HTML, "Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert 'name="language"' in html and '<option value="cy" lang="cy"' in html
    made = coordinator.post(
        "/maps/shared/share",
        data={"csrf_token": _csrf(html), "role": "viewer", "language": "cy"},
        headers={**HTML, "Accept-Language": "en"},
    )
    assert made.status_code == 200
    link = re.search(r'id="new-link" value="([^"]+)"', made.get_data(as_text=True))[1]
    path, secret = link.split("#")
    assert path.endswith("/share?lang=cy")
    # a reader whose browser asks for English: the link's language wins at first
    reader = app.test_client()
    opened = reader.get("/share?lang=cy", headers={**HTML, "Accept-Language": "en"})
    opened_html = opened.get_data(as_text=True)
    assert _lang(opened_html) == "cy"
    action = re.search(r'id="share-exchange" method="post" action="([^"]+)"', opened_html)[1]
    assert action == "/share?lang=cy"
    r = reader.post(action, data={"csrf_token": _csrf(opened_html), "token": secret})
    assert r.status_code == 302
    html = reader.get("/maps/shared", headers={**HTML, "Accept-Language": "en"}).get_data(True)
    assert _lang(html) == "cy" and "Dangosfwrdd" in html
    # a link with no language, or one not offered, leaves it to the browser
    plain = app.test_client()
    assert _lang(plain.get("/share?lang=xx", headers=HTML).get_data(as_text=True)) == "en"
    # the API makes the same links; a language not offered is refused
    api = admin.post("/api/v1/maps/shared/tokens", json={"role": "viewer", "language": "cy"})
    assert api.status_code == 201 and "/share?lang=cy#" in api.get_json()["share_url"]
    bad = admin.post("/api/v1/maps/shared/tokens", json={"role": "viewer", "language": "fr"})
    assert bad.status_code == 422 and "language" in bad.get_json()["errors"]["json"]


# -- the API: Accept-Language only ------------------------------------------------------------


def test_api_errors_follow_accept_language_and_never_the_session(tiny_welsh):
    app, _store = tiny_welsh
    client = app.test_client()
    client.token = ADMIN_SECRET
    client.post("/api/v1/maps", json={"id": "api", "name": "API"})
    welsh = client.get("/api/v1/maps/api/people?limit=zz", headers={"Accept-Language": "cy"})
    body = welsh.get_json()
    assert welsh.status_code == 422
    assert body["message"] == "mae rhai paramedrau ymholiad yn annilys"
    assert "limit" in body["errors"]["query"]  # field names stay English
    assert body["status"] == "Unprocessable Entity" and body["code"] == 422  # codes too
    english = client.get("/api/v1/maps/api/people?limit=zz", headers={"Accept-Language": "en"})
    assert english.get_json()["message"] == "some query parameters are not valid"
    # a browser session chose Welsh: its API calls still follow Accept-Language
    token = _csrf(client.get("/login", headers=HTML).get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "lang": "cy", "next": "/login"})
    again = client.get("/api/v1/maps/api/people?limit=zz", headers={"Accept-Language": "en"})
    assert again.get_json()["message"] == "some query parameters are not valid"


def test_an_api_error_is_in_welsh_with_the_real_catalogue(tmp_path):
    """With the shipped catalogue, a 422's message is Welsh (passes once assembled)."""
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    client = make_app(store).test_client()
    client.token = ADMIN_SECRET
    client.post("/api/v1/maps", json={"id": "real", "name": "Real"})
    r = client.get("/api/v1/maps/real/people?limit=zz", headers={"Accept-Language": "cy"})
    store.close()
    assert r.status_code == 422
    assert r.get_json()["message"] != "some query parameters are not valid"


def test_welsh_pages_name_the_default_silos_in_welsh(tmp_path):
    """A new map (and the demo) starts with Welsh labels for the nine default silos, and
    the pages that show a silo badge or a survey's sectors use them in Welsh only."""
    from graph_models.demo import DEMO_MAP_ID
    from service.cli import load_demo

    store = EmbeddedStore(tmp_path / "db.sqlite3")
    load_demo(store)
    client = make_app(store).test_client()
    client.token = ADMIN_SECRET
    pages = {}
    for lang in ("en", "cy"):
        for page in ("people", "organisations"):
            r = client.get(f"/maps/{DEMO_MAP_ID}/{page}", headers={"Accept-Language": lang})
            assert r.status_code == 200
            pages[lang, page] = r.get_data(as_text=True)
    for lang in ("en", "cy"):
        r = client.get(f"/maps/{DEMO_MAP_ID}", headers={"Accept-Language": lang})
        pages[lang, "dashboard"] = r.get_data(as_text=True)
        r = client.get(f"/maps/{DEMO_MAP_ID}?group_by=area", headers={"Accept-Language": lang})
        pages[lang, "by area"] = r.get_data(as_text=True)
    made = client.post("/api/v1/maps", json={"id": "new", "name": "New"}).get_json()
    store.close()
    assert {s["name"]: s["label_cy"] for s in made["silos"]}["social care"] == (
        "gofal cymdeithasol"
    )
    badge = re.compile(r'<span class="badge">.*?</svg>([^<]+)</span>', re.S)
    english = {
        b.strip() for b in badge.findall(pages["en", "people"] + pages["en", "organisations"])
    }
    welsh = {b.strip() for b in badge.findall(pages["cy", "people"] + pages["cy", "organisations"])}
    assert "health" in english and "iechyd" not in english
    assert "iechyd" in welsh and "tai" in welsh and not welsh & {"health", "housing"}

    # the dashboard's gaps and bridges name the silos in the page's language...
    assert "<strong>business – community</strong>" in pages["en", "dashboard"]
    assert "<strong>busnes – cymuned</strong>" in pages["cy", "dashboard"]
    assert "business – " not in pages["cy", "dashboard"]


def test_an_anonymised_person_is_named_by_the_welsh_silo_on_welsh_pages(tmp_path):
    """ "a person in police" reads "… heddlu" on a Welsh page (lists and the graph data):
    the silo inside the pseudonym's label is the map's Welsh label, as everywhere else."""
    from graph_models.demo import DEMO_MAP_ID
    from service.cli import load_demo

    store = EmbeddedStore(tmp_path / "db.sqlite3")
    load_demo(store)
    app = make_app(store)
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    made = admin.post(f"/api/v1/maps/{DEMO_MAP_ID}/tokens", json={"role": "viewer"})
    viewer = app.test_client()
    viewer.token = made.get_json()["token"]
    shown = {}
    for lang in ("en", "cy"):
        headers = {"Accept-Language": lang}
        people = viewer.get(f"/maps/{DEMO_MAP_ID}/people?q=person", headers=headers)
        graph = viewer.get(f"/maps/{DEMO_MAP_ID}/view", headers=headers)
        assert people.status_code == 200 and graph.status_code == 200
        shown[lang] = people.get_data(as_text=True) + graph.get_data(as_text=True)
    store.close()
    english = set(re.findall(r"a person in ([a-z ]+)", shown["en"]))
    welsh = set(re.findall(r"person yn y sector ([a-zâêîôûŵŷ ]+)", shown["cy"]))
    assert english and welsh, "the demo has anonymised people a viewer sees"
    assert not welsh & {"police", "health", "housing", "social care", "community"}
    assert welsh <= {
        "heddlu",
        "iechyd",
        "tai",
        "gofal cymdeithasol",
        "cymuned",
        "addysg",
        "busnes",
        "awdurdod lleol",
        "trydydd sector",
    }
