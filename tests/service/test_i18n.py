"""The translation layer, checked by machine.

A pseudo-locale catalogue is compiled at test time from the sources (every msgstr is
``⟦msgid⟧``, plurals too), and every page of the app is served in it with the demo
map loaded: every visible text of the HTML (text nodes, and the ``title``,
``aria-label``, ``alt`` and ``placeholder`` attributes) must be inside ``⟦…⟧`` once the
map's own data (names, silos, numbers, dates) is set aside. A string that is not marked
for translation shows up here as text outside the brackets, with the page it is on.
The same check will run on the Welsh catalogue. Also: the committed ``messages.pot``
is up to date with the sources, and the locale is chosen among the supported ones.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from graph_models import io as transfer
from graph_models.demo import DEMO_MAP_ID
from graph_models.messages import Message
from graph_models.store.embedded import EmbeddedStore
from service.auth import issue_token
from service.cli import load_demo
from tests.conftest import ADMIN_SECRET, make_app

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "service" / "translations" / "messages.pot"
#: A locale Babel knows, with English plural rules, that we will never ship.
PSEUDO = "en_001"
OPEN, CLOSE = "⟦", "⟧"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def extract(out: Path) -> Catalog:
    """Run the documented extraction (scripts/i18n extract) into ``out``."""
    env = {**os.environ, "PYBABEL": str(Path(sys.executable).parent / "pybabel")}
    subprocess.run(["bash", "scripts/i18n", "extract", str(out)], cwd=ROOT, check=True, env=env)
    with out.open("rb") as handle:
        return read_po(handle)


def pseudo_catalogue(pot: Catalog, folder: Path) -> Path:
    """``folder/en_001/LC_MESSAGES/messages.po`` with every msgstr bracketed."""
    catalogue = Catalog(locale=PSEUDO)
    for message in pot:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            string = tuple(OPEN + form + CLOSE for form in message.id)
        else:
            string = OPEN + message.id + CLOSE
        catalogue.add(message.id, string, flags=message.flags)
    path = folder / PSEUDO / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue)
    return folder


@pytest.fixture(scope="module")
def pseudo_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("i18n")
    translations = pseudo_catalogue(extract(folder / "messages.pot"), folder / "translations")
    store = EmbeddedStore(folder / "db.sqlite3")
    load_demo(store)
    app = make_app(
        store, SECRET_KEY="i18n-test", LANGUAGES=[PSEUDO], TRANSLATIONS_FOLDER=str(translations)
    )
    yield app, store
    store.close()


# -- what a person reads on a page ---------------------------------------------------------

_SKIP = {"script", "style", "template"}
_VISIBLE_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}


class _Text(HTMLParser):
    """The visible text of a page: text nodes outside script/style, and the attributes a
    person sees or hears; an ``<input value>`` is data and is left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in _VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)
        if tag in ("br", "li", "p", "td", "th", "option", "div", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def outside_brackets(html: str) -> list[str]:
    """The runs of visible text that no ``⟦…⟧`` encloses."""
    parser = _Text()
    parser.feed(html)
    runs, depth, current = [], 0, []
    for part in parser.parts:
        for char in part:
            if char == OPEN:
                depth += 1
                runs.append("".join(current))
                current = []
            elif char == CLOSE:
                depth = max(0, depth - 1)
            elif depth == 0:
                current.append(char)
        current.append("\n")  # text nodes and attributes are separate runs
    runs.append("".join(current))
    return [run for chunk in runs for run in chunk.split("\n")]


#: What may stand outside the brackets: numbers, dates, percentages and punctuation.
_NOT_WORDS = re.compile(r"[\d\s.,:;()\[\]%–—·…/+\-−→←*|'\"“”’#]+")


def untranslated(html: str, user_text: list[str]) -> list[str]:
    """Text outside ``⟦…⟧`` that is not the map's data (longest data removed first)."""
    found = []
    for run in outside_brackets(html):
        for data in user_text:
            if data in run:
                run = run.replace(data, " ")
        run = _NOT_WORDS.sub(" ", run).strip()
        if run:
            found.append(run)
    return found


def _user_text(store) -> list[str]:
    """Every piece of text that comes from the map, not from us (longest first)."""
    records = store.graph(DEMO_MAP_ID)
    m = records.map
    texts = {m.name, m.description or "", m.id, "test-admin-token"}
    texts |= {s.name for s in m.silos}
    for node in records.nodes:
        texts |= {node.name, node.id, getattr(node, "role", "") or "", node.area or ""}
        texts |= set(node.tags or [])
    texts |= {t.label for t in store.list_tokens(DEMO_MAP_ID)}
    for survey in store.list_surveys(DEMO_MAP_ID):
        texts |= {survey.title, survey.intro, survey.id}
    # the audit page shows records by their ids: token ids, import batches
    texts |= {t.id for t in store.list_tokens(DEMO_MAP_ID)}
    texts |= {e.entity_ref for e in store.audit_log(DEMO_MAP_ID, limit=1000).items}
    # file names (the blank templates) and the locale's month names in formatted dates
    texts |= {*transfer.TEMPLATE_NAMES, transfer.WORKBOOK_NAME}
    texts |= {*transfer.WELSH_TEMPLATE_NAMES, transfer.WELSH_WORKBOOK_NAME}
    months = Locale.parse(PSEUDO).months["format"]
    texts |= {*months["wide"].values(), *months["abbreviated"].values()}
    return sorted((t for t in texts if t and len(t) > 1), key=len, reverse=True)


# -- every GET page --------------------------------------------------------------------------


SURVEY_TITLE = "Arolwg y bartneriaeth"


def _survey_with_respondent(app) -> tuple[str, object]:
    """An open survey of the demo map and one respondent's client (survey pages)."""
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    people = admin.get(f"/api/v1/maps/{DEMO_MAP_ID}/people?limit=2").get_json()["items"]
    body = {"title": SURVEY_TITLE, "respondents": [p["id"] for p in people]}
    survey = admin.post(f"/api/v1/maps/{DEMO_MAP_ID}/surveys", json=body).get_json()
    links = admin.post(f"/api/v1/maps/{DEMO_MAP_ID}/surveys/{survey['id']}/open").get_json()
    respondent = app.test_client()
    respondent.token = links["links"][0]["token"]
    return survey["id"], respondent


def _page_paths(app, store, survey_id: str = "none") -> list[str]:
    """Every GET route that answers a browser with a page, filled with demo objects
    (a survey's respondent page aside: only its respondent may open it)."""
    records = store.graph(DEMO_MAP_ID)
    person = next(p for p in records.people if p.visibility.value == "named")
    org = next(iter(records.organisations))
    tie = next(iter(records.relationships))
    token = store.list_tokens(DEMO_MAP_ID)[0]
    values = {
        "map_id": DEMO_MAP_ID,
        "node_id": person.id,
        "token_id": token.id,
        "survey_id": survey_id,
    }
    ids = {"people": person.id, "organisations": org.id, "relationships": tie.id}
    paths = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if "GET" not in rule.methods or path.startswith(("/api/", "/static/", "/share/")):
            continue
        if path in ("/logout", "/healthz", "/readyz") or rule.endpoint.startswith("health"):
            continue
        if rule.endpoint.startswith("pages_respond."):
            continue
        for name in rule.arguments - set(rule.defaults or {}):
            if name == "entity_id":
                kind = path.split("/<entity_id>")[0].rsplit("/", 1)[-1]
                value = ids[kind]
            elif name == "node_id" and "/organisations/" in path:
                value = org.id
            else:
                value = values[name]
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
        paths.append(path)
    # the dashboard's other state, a graph page's other view, the error page
    paths += [
        f"/maps/{DEMO_MAP_ID}/graph?view=silos",
        f"/maps/{DEMO_MAP_ID}?since=2023-06-01",
        f"/maps/{DEMO_MAP_ID}/people?q=zzzz-nobody",
        f"/maps/{DEMO_MAP_ID}/people/{person.id}/web?hops=2",
        "/maps/no-such-map",
        "/login",
    ]
    return sorted(set(paths))


def test_every_page_renders_through_the_translation_layer(pseudo_app):
    app, store = pseudo_app
    issue_token(store, DEMO_MAP_ID, "viewer", label="for the commissioner")
    client = app.test_client()
    client.token = ADMIN_SECRET
    survey_id, respondent = _survey_with_respondent(app)
    user_text = [*_user_text(store), SURVEY_TITLE, survey_id]
    paths = _page_paths(app, store, survey_id)
    assert len(paths) > 15, paths
    problems, seen = {}, 0
    for path in paths:
        r = client.get(path, headers=HTML)
        assert r.status_code in (200, 302, 404), (path, r.status_code)
        if r.status_code == 302 or r.mimetype != "text/html":
            continue  # a redirect (Werkzeug's body is never shown) or a file
        seen += 1
        html = r.get_data(as_text=True)
        left = untranslated(html, user_text) if OPEN in html else ["(no translated text at all)"]
        if left:
            problems[path] = sorted(set(left))
    assert seen > 15
    path = f"/maps/{DEMO_MAP_ID}/surveys/{survey_id}/respond"
    html = respondent.get(path, headers=HTML).get_data(as_text=True)
    if left := untranslated(html, user_text):
        problems[path] = sorted(set(left))
    assert problems == {}, "text not marked for translation:\n" + "\n".join(
        f"{path}: {left}" for path, left in problems.items()
    )


def test_a_signed_out_visitor_and_a_viewer_also_see_only_translated_text(pseudo_app):
    app, store = pseudo_app
    secret, _ = issue_token(store, DEMO_MAP_ID, "viewer")
    user_text = _user_text(store)
    anonymous = app.test_client()
    for path in ("/login", f"/maps/{DEMO_MAP_ID}"):  # the second: the 401 page
        html = anonymous.get(path, headers=HTML).get_data(as_text=True)
        assert untranslated(html, user_text) == [], path
    viewer = app.test_client()
    assert viewer.get(f"/share/{secret}").status_code == 302
    for path in (f"/maps/{DEMO_MAP_ID}", f"/maps/{DEMO_MAP_ID}/people"):
        html = viewer.get(path, headers=HTML).get_data(as_text=True)
        assert untranslated(html, user_text) == [], path
    refused = viewer.get(f"/maps/{DEMO_MAP_ID}/people/new", headers=HTML)  # the 403 page
    assert refused.status_code == 403
    assert untranslated(refused.get_data(as_text=True), user_text) == []


def test_an_empty_map_s_pages_are_translated_too(pseudo_app):
    app, _store = pseudo_app
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    r = admin.post("/api/v1/maps", json={"id": "empty1", "name": "Empty"})
    assert r.status_code == 201
    user_text = ["Empty", "empty1", *(s["name"] for s in r.get_json()["silos"])]
    for path in ("/maps/empty1", "/maps/empty1/people", "/maps/empty1/relationships"):
        page = admin.get(path, headers=HTML)
        assert page.status_code == 200
        assert untranslated(page.get_data(as_text=True), user_text) == [], path


def test_api_errors_and_domain_messages_go_through_the_catalogue(pseudo_app):
    app, _store = pseudo_app
    client = app.test_client()
    client.token = ADMIN_SECRET
    body = client.get("/api/v1/maps/demo/people?limit=zz").get_json()
    assert body["message"].startswith(OPEN)
    assert all(m.startswith(OPEN) for m in body["errors"]["query"]["limit"]), body
    body = client.get("/api/v1/maps").get_json()  # a signed-in list: no error
    assert "items" in body
    r = app.test_client().get("/api/v1/maps")
    assert r.status_code == 401 and r.get_json()["message"].startswith(OPEN)
    with app.test_request_context():
        from service.i18n import translate

        assert translate(Message("import.rows_with_problems", num=3)) == (
            "⟦3 rows with problems; nothing was written⟧"
        )
        assert translate("user data, not a message") == "user data, not a message"


def test_an_import_s_row_errors_reach_the_page_translated(pseudo_app):
    """Domain message codes (the importer's) and marshmallow's messages, shown on the
    import page in the reader's language: every problem in the table is bracketed."""
    app, store = pseudo_app
    secret, _ = issue_token(store, DEMO_MAP_ID, "coordinator")
    client = app.test_client()
    assert client.get(f"/share/{secret}").status_code == 302
    page = client.get(f"/maps/{DEMO_MAP_ID}/import", headers=HTML).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    bad = b"name,silo,visibility\nAnn Jones,nowhere,named\n,health,named\nBen,health,secret\n"
    r = client.post(
        f"/maps/{DEMO_MAP_ID}/import",
        data={
            "csrf_token": token,
            "step": "check",
            "entity": "people",
            "file": (io.BytesIO(bad), "p.csv"),
        },
        headers=HTML,
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    problems = re.findall(
        r"<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td></tr>", html
    )
    assert len(problems) >= 3, html
    assert all(p.startswith(OPEN) and p.endswith(CLOSE) for p in problems), problems
    assert (
        untranslated(html, _user_text(store) + ["p.csv", "nowhere", "visibility", "silo", "name"])
        == []
    )


def _leaves(errors):
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in _leaves(v)]
    if isinstance(errors, list):
        return [m for v in errors for m in _leaves(v)]
    return [errors]


def test_the_api_s_import_errors_are_translated_too(pseudo_app):
    app, _store = pseudo_app
    client = app.test_client()
    client.token = ADMIN_SECRET
    bad = b"name,silo,visibility\nAnn Jones,nowhere,named\n,health,named\nBen,health,secret\n"
    r = client.post(
        f"/api/v1/maps/{DEMO_MAP_ID}/import",
        data={"file": (io.BytesIO(bad), "p.csv"), "entity": "people"},
        content_type="multipart/form-data",
    )
    body = r.get_json()
    assert r.status_code == 422 and body["message"].startswith(OPEN), body
    leaves = _leaves(body["errors"])
    assert len(leaves) >= 3 and all(m.startswith(OPEN) for m in leaves), body["errors"]
    empty = client.post(
        f"/api/v1/maps/{DEMO_MAP_ID}/import",
        data={"file": (io.BytesIO(b""), "empty.csv")},
        content_type="multipart/form-data",
    ).get_json()
    assert empty["message"] == "⟦the file is empty⟧", empty


def test_the_committed_pot_is_up_to_date_with_the_sources(tmp_path):
    fresh = extract(tmp_path / "messages.pot")
    with POT.open("rb") as handle:
        committed = read_po(handle)
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in fresh if m.id}
    kept = {m.id if isinstance(m.id, str) else tuple(m.id) for m in committed if m.id}
    assert ids - kept == set(), "new strings: run  bash scripts/i18n extract"
    assert kept - ids == set(), "strings gone from the sources: run  bash scripts/i18n extract"


def test_the_locale_is_chosen_among_the_supported_ones(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = make_app(store, LANGUAGES=["en", "cy"])
    from service.i18n import select_locale

    with app.test_request_context(headers={"Accept-Language": "cy,en;q=0.5"}):
        assert select_locale() == "cy"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert select_locale() == "en"
    plain = make_app(store)  # the service as shipped: English and Welsh
    with plain.test_request_context(headers={"Accept-Language": "cy"}):
        assert select_locale() == "cy"
    with plain.test_request_context(headers={"Accept-Language": "de, en-GB;q=0.8"}):
        assert select_locale() == "en"
    client = plain.test_client()
    page = client.get("/login", headers={**HTML, "Accept-Language": "cy"}).get_data(True)
    assert '<html lang="cy">' in page
    page = client.get("/login", headers={**HTML, "Accept-Language": "en-GB"}).get_data(True)
    assert '<html lang="en">' in page and "Sign in with a token" in page
    store.close()


def test_a_new_language_is_a_catalogue_and_one_line(tmp_path):
    """What the Welsh issue will do: a ``cy`` catalogue (compiled when the app starts,
    never committed as .mo) and "cy" among the supported locales."""
    catalogue = Catalog(locale="cy")
    catalogue.add("Sign in with a token", "Mewngofnodi gyda thocyn")
    catalogue.add(
        (
            "%(num)s row with problems; nothing was written",
            "%(num)s rows with problems; nothing was written",
        ),
        (
            "%(num)s rhes",
            "%(num)s rhes",
            "%(num)s rhes",
            "%(num)s rhes",
            "%(num)s rhes",
            "%(num)s o resi â phroblemau; ni ysgrifennwyd dim",
        ),
    )
    po = tmp_path / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalogue)
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    app = make_app(store, LANGUAGES=["en", "cy"], TRANSLATIONS_FOLDER=str(po.parents[2]))
    page = app.test_client().get("/login", headers={**HTML, "Accept-Language": "cy"})
    html = page.get_data(as_text=True)
    assert '<html lang="cy">' in html and "Mewngofnodi gyda thocyn" in html
    english = app.test_client().get("/login", headers={**HTML, "Accept-Language": "en"})
    assert "Sign in with a token" in english.get_data(as_text=True)
    from service.i18n import translate

    with app.test_request_context(headers={"Accept-Language": "cy"}):
        assert translate(Message("import.rows_with_problems", num=7)) == (
            "7 o resi â phroblemau; ni ysgrifennwyd dim"
        )
    assert not list(po.parent.glob("*.mo"))  # compiled elsewhere, from the .po
    store.close()
