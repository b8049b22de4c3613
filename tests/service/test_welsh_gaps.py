"""Welsh on the pages issue 15 left: the graph pages opened on their own have a
Cymraeg / English switch, the lists' silo filter and forms name silos by their labels,
the sign-in page names roles as every other page does, a community link's drawing is
the person's own route, and a viewer's list search reads the names a Welsh page shows.

These tests use the real Welsh catalogue for the strings that were already in it (the
role names, "person yn y sector %(silo)s") and the demo map's Welsh silo labels.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from graph_models.demo import DEMO_MAP_ID
from graph_models.store.embedded import EmbeddedStore
from graph_models.text import fold
from service.auth import issue_token
from service.cli import load_demo
from tests.conftest import ADMIN_SECRET, make_app

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
SWITCH = re.compile(r'<nav class="bm-language" id="bridgemap-language".*?</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)" lang="([^"]+)" hreflang="[^"]+">([^<]+)</a>')


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("gaps") / "db.sqlite3")
    load_demo(store)
    app = make_app(store)
    yield app, store
    store.close()


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def _switch(html: str) -> dict[str, str]:
    """The graph page's switch: language -> its link (the current one has none)."""
    found = SWITCH.search(html)
    assert found, "the page has a language switch"
    return {lang: unescape(href) for href, lang, _ in LINK.findall(found.group(0))}


def _viewer(app):
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    made = admin.post(f"/api/v1/maps/{DEMO_MAP_ID}/tokens", json={"role": "viewer"})
    viewer = app.test_client()
    viewer.token = made.get_json()["token"]
    return viewer


# -- 1. the graph page opened on its own -----------------------------------------------------


def test_a_graph_page_on_its_own_switches_language_keeping_its_query(demo):
    app, store = demo
    client = app.test_client()
    client.token = ADMIN_SECRET
    path = f"/maps/{DEMO_MAP_ID}/view?metric=betweenness&silo=health&silo=police"
    english = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(english) == "en"
    links = _switch(english)
    assert set(links) == {"cy"}  # English is the current one: shown, not linked
    to_welsh = urlsplit(links["cy"])
    assert to_welsh.path == f"/maps/{DEMO_MAP_ID}/view"
    assert parse_qsl(to_welsh.query) == [
        ("metric", "betweenness"),
        ("silo", "health"),
        ("silo", "police"),
        ("lang", "cy"),
    ]
    assert ">Cymraeg</a>" in SWITCH.search(english).group(0)

    welsh = client.get(links["cy"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(welsh) == "cy"
    assert "Dod o hyd i berson neu sefydliad" in welsh
    assert "Find a person or organisation" not in welsh
    back = _switch(welsh)
    assert set(back) == {"en"} and parse_qsl(urlsplit(back["en"]).query)[-1] == ("lang", "en")
    assert "lang=cy" not in back["en"]  # the old choice is replaced, not repeated

    # a link followed from elsewhere shows the page in Welsh but is not remembered...
    again = client.get(f"/maps/{DEMO_MAP_ID}/view", headers={"Accept-Language": "en"})
    assert _lang(again.get_data(as_text=True)) == "en"
    # ...a click on the switch on our own page is, as the main switch's choice is
    client.get(links["cy"], headers={"Accept-Language": "en", "Sec-Fetch-Site": "same-origin"})
    for page in (f"/maps/{DEMO_MAP_ID}/view", f"/maps/{DEMO_MAP_ID}"):
        r = client.get(page, headers={"Accept-Language": "en", **HTML})
        assert _lang(r.get_data(as_text=True)) == "cy", page
    client.get(back["en"], headers={"Sec-Fetch-Site": "same-origin"})
    r = client.get(f"/maps/{DEMO_MAP_ID}", headers={"Accept-Language": "cy", **HTML})
    assert _lang(r.get_data(as_text=True)) == "en"


def test_every_graph_view_has_the_switch_but_not_inside_our_pages_or_in_a_download(demo):
    app, store = demo
    person = next(p for p in store.graph(DEMO_MAP_ID).people if p.visibility.value == "named")
    viewer = _viewer(app)
    for path in (
        f"/maps/{DEMO_MAP_ID}/view",
        f"/maps/{DEMO_MAP_ID}/silos/view",
        f"/maps/{DEMO_MAP_ID}/people/{person.id}/view",
    ):
        html = viewer.get(path + "?lang=cy").get_data(as_text=True)
        assert _lang(html) == "cy" and set(_switch(html)) == {"en"}, path
        for other in ("?embed=1&lang=cy", "?download=1&lang=cy"):
            html = viewer.get(path + other).get_data(as_text=True)
            assert _lang(html) == "cy" and not SWITCH.search(html), path + other


def test_a_language_not_offered_or_given_twice_is_refused(demo):
    app, _ = demo
    client = app.test_client()
    client.token = ADMIN_SECRET
    for query in ("lang=fr", "lang=", "lang=cy&lang=en"):
        r = client.get(f"/maps/{DEMO_MAP_ID}/view?{query}")
        assert r.status_code == 422, query
        assert "lang" in r.get_json()["errors"]["query"], query


# -- 4. silos by their labels in the lists' filter and the forms -----------------------------


def test_the_lists_silo_filter_and_the_forms_name_silos_in_welsh(demo):
    app, _ = demo
    client = app.test_client()
    client.token = ADMIN_SECRET
    cy = {"Accept-Language": "cy", **HTML}
    option = re.compile(r'<option value="police"[^>]*>([^<]+)</option>')
    for page in ("people", "organisations", "people/new", "organisations/new"):
        html = client.get(f"/maps/{DEMO_MAP_ID}/{page}", headers=cy).get_data(as_text=True)
        assert option.findall(html) == ["heddlu"], page
        english = client.get(f"/maps/{DEMO_MAP_ID}/{page}", headers={"Accept-Language": "en"})
        assert option.findall(english.get_data(as_text=True)) == ["police"], page
    # the value stays the key: filtering by it works on a Welsh page
    r = client.get(f"/maps/{DEMO_MAP_ID}/people?silo=police", headers=cy)
    assert r.status_code == 200 and 'value="police" selected' in r.get_data(as_text=True)


def test_the_maps_page_and_a_respondent_s_sectors_name_silos_in_welsh(demo):
    app, _ = demo
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    cy = {"Accept-Language": "cy", **HTML}
    maps = admin.get("/maps", headers=cy).get_data(as_text=True)
    badges = re.findall(r'<li class="badge">.*?</svg>([^<]+)</li>', maps, re.S)
    assert "heddlu" in badges and "police" not in badges
    people = admin.get(f"/api/v1/maps/{DEMO_MAP_ID}/people?limit=2").get_json()["items"]
    body = {"title": "Arolwg", "respondents": [p["id"] for p in people]}
    survey = admin.post(f"/api/v1/maps/{DEMO_MAP_ID}/surveys", json=body).get_json()
    links = admin.post(f"/api/v1/maps/{DEMO_MAP_ID}/surveys/{survey['id']}/open").get_json()
    respondent = app.test_client()
    respondent.token = links["links"][0]["token"]
    page = respondent.get(f"/maps/{DEMO_MAP_ID}/surveys/{survey['id']}/respond", headers=cy)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    sectors = re.search(r'<select id="f-details-silo" name="silo">(.*?)</select>', html, re.S)
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', sectors[1]))
    assert options["police"] == "heddlu" and options["health"] == "iechyd"
    new = re.search(r'<select id="f-new-silo" name="new-silo">(.*?)</select>', html, re.S)
    assert ">heddlu</option>" in new[1] and ">police</option>" not in new[1]


def test_what_a_respondent_reported_names_sectors_in_welsh(app, client):
    """The picture's key and the list of what a respondent reported, on their page and
    on the coordinator's review, name the sectors by the map's Welsh labels."""
    from tests.service import test_surveys_api as surveys_api

    assert client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm"}).status_code == 201
    body = {"people": surveys_api.PEOPLE, "organisations": surveys_api.ORGS}
    assert client.post("/api/v1/maps/m1/bulk", json=body).status_code == 200
    surveys_api.survey(client, roster={"people": True, "organisations": True})
    sian = surveys_api.opened(app, client)["sian"]
    browser = app.test_client()
    assert browser.get(f"/share/{sian.token}").status_code == 302
    answers = {
        "ties": [
            surveys_api.tie("llyr"),
            surveys_api.tie(name="Nia Newydd", silo="housing"),
        ]
    }
    assert sian.post("/api/v1/maps/m1/surveys/s1/respond/submit", json=answers).status_code == 200
    cy = {"Accept-Language": "cy", **HTML}
    key = re.compile(r'<li><svg class="swatch".*?</svg> ([^<]+)</li>', re.S)
    page = browser.get("/maps/m1/surveys/s1/respond", headers=cy).get_data(as_text=True)
    assert set(key.findall(page)) == {"iechyd", "tai"}
    assert "Nia Newydd · person · tai" in page
    review = client.get("/maps/m1/surveys/s1", headers=cy).get_data(as_text=True)
    assert set(key.findall(review)) >= {"iechyd", "tai"} and "health" not in key.findall(review)


# -- 5. the sign-in page's role names -------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "operator", "viewer"),
    [("en", "operator", "viewer (commissioner)"), ("cy", "gweithredwr", "gwyliwr (comisiynydd)")],
)
def test_the_sign_in_page_names_roles_as_the_other_pages_do(demo, lang, operator, viewer):
    app, store = demo
    headers = {"Accept-Language": lang, **HTML}
    secret, _ = issue_token(store, DEMO_MAP_ID, "viewer")
    shown = {}
    for role, token in (("operator", ADMIN_SECRET), ("viewer", secret)):
        client = app.test_client()
        csrf = _csrf(client.get("/login", headers=headers).get_data(as_text=True))
        client.post("/login", data={"csrf_token": csrf, "token": token}, headers=headers)
        html = client.get("/login", headers=headers).get_data(as_text=True)
        shown[role] = re.search(r"</h1>\s*<p>([^<]*)</p>", html).group(1)
        page = client.get(f"/maps/{DEMO_MAP_ID}", headers=headers).get_data(as_text=True)
        header = re.search(r'<span class="who">([^<]*)</span>', page).group(1)
        assert header.endswith(operator if role == "operator" else viewer)
    assert operator in shown["operator"] and "admin" not in shown["operator"]
    assert viewer in shown["viewer"] and DEMO_MAP_ID in shown["viewer"]


# -- the community page's drawing ------------------------------------------------------------


def test_a_community_page_draws_a_person_through_the_person_route(demo):
    app, store = demo
    records = store.graph(DEMO_MAP_ID)
    person = next(p for p in records.people if p.visibility.value == "named")
    org = next(iter(records.organisations))
    client = app.test_client()
    client.token = ADMIN_SECRET
    for kind, node in (("people", person.id), ("organisations", org.id)):
        html = client.get(f"/maps/{DEMO_MAP_ID}/{kind}/{node}/web").get_data(as_text=True)
        src = unescape(re.search(r'<iframe[^>]* src="([^"]+)"', html).group(1))
        assert urlsplit(src).path == f"/maps/{DEMO_MAP_ID}/{kind}/{node}/view", src
        assert dict(parse_qsl(urlsplit(src).query)) == {"embed": "1", "hops": "1"}
        assert client.get(src).status_code == 200


# -- 2. a viewer's search reads the names shown in the reader's language ---------------------


@pytest.mark.both_stores
def test_a_viewer_finds_anonymised_people_by_the_words_of_their_language(store):
    """On a Welsh page "heddlu" finds "person yn y sector heddlu" (the English pseudonym
    is not what is searched), the API's names for the same Accept-Language are the
    page's, and the list is ordered and paged by the text shown, with the same people
    and totals in either language (the consent rules do not depend on it)."""
    load_demo(store)
    app = make_app(store)
    viewer = _viewer(app)
    api = f"/api/v1/maps/{DEMO_MAP_ID}/people"
    for lang, word, other, shown in (
        ("en", "police", "heddlu", "a person in police"),
        ("cy", "heddlu", "police", "person yn y sector heddlu"),
    ):
        headers = {"Accept-Language": lang}
        found = viewer.get(f"{api}?q={word}", headers=headers).get_json()
        assert found["total"] >= 1 and {p["name"] for p in found["items"]} == {shown}, lang
        assert viewer.get(f"{api}?q={other}", headers=headers).get_json()["total"] == 0, lang
        assert (
            viewer.get(
                f"{api}?q=HEDDLU" if lang == "cy" else f"{api}?q=Police", headers=headers
            ).get_json()["total"]
            == found["total"]
        )
        page = viewer.get(f"/maps/{DEMO_MAP_ID}/people?q={word}", headers={**headers, **HTML})
        html = page.get_data(as_text=True)
        assert len(re.findall(rf"<td>{shown}\s*</td>", html)) == found["total"], lang
        # one person read through the API is named as in the list
        one = viewer.get(f"{api}/{found['items'][0]['id']}", headers=headers).get_json()
        assert one["name"] == shown

    everyone = {}
    for lang in ("en", "cy"):
        headers = {"Accept-Language": lang}
        whole = viewer.get(f"{api}?limit=200", headers=headers).get_json()
        paged, offset = [], 0
        while offset < whole["total"]:
            part = viewer.get(f"{api}?limit=4&offset={offset}", headers=headers).get_json()
            assert part["total"] == whole["total"]
            paged += part["items"]
            offset += 4
        assert [p["id"] for p in paged] == [p["id"] for p in whole["items"]], lang
        keys = [fold(p["name"]) for p in paged]
        assert keys == sorted(keys), lang
        everyone[lang] = {p["id"]: p["name"] for p in paged}
    assert set(everyone["en"]) == set(everyone["cy"])
    differ = [i for i in everyone["en"] if everyone["en"][i] != everyone["cy"][i]]
    assert differ and all(everyone["cy"][i].startswith("person yn y sector ") for i in differ)
