"""WCAG 2.2 AA on every page (issue 14, item 14): axe-core in real headless Chromium,
as coordinator, viewer and community link, at laptop (1366x900) and phone (390x844)
sizes, the graph's frame included. axe is injected into the test browser only
(:mod:`tests.axe`); the pages' own CSP stays as it is for users.
"""

from __future__ import annotations

import pytest

from graph_models.store.embedded import EmbeddedStore
from graph_models.surveys.demo import DEMO_SURVEY_ID
from service.auth import issue_token
from service.cli import load_demo
from tests.axe import axe_path, run_axe
from tests.conftest import ADMIN_SECRET, make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import READY

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
#: An open survey made for these tests (the demo's own is closed): one respondent has
#: sent answers (their page shows the picture), another has a draft (the questions).
OPEN_SURVEY = "a11y"
PAGES = {
    "coordinator": [
        "/maps",
        "/maps/demo",
        "/maps/demo?between=business&between=health#pair-ties",
        "/maps/demo/people?q=llin",
        "/maps/demo/organisations",
        "/maps/demo/relationships",
        "/maps/demo/people/new",
        "/maps/demo/relationships/new",
        "/maps/demo/people/p150",
        "/maps/demo/people/p150/edit",
        "/maps/demo/people/p150/delete",
        "/maps/demo/organisations/new",
        "/maps/demo/organisations/org-health-1",
        "/maps/demo/graph",
        "/maps/demo/graph?view=silos",
        "/maps/demo/graph?view=web&node=p150",
        "/maps/demo/share?find=llin",
        "/maps/demo/audit",
        "/maps/demo/settings",
        "/maps/demo/report",
        "/maps/demo/surveys",
        f"/maps/demo/surveys/{OPEN_SURVEY}",
        f"/maps/demo/surveys/{DEMO_SURVEY_ID}",
        f"/maps/demo/surveys/{DEMO_SURVEY_ID}/results",
    ],
    "sent": [f"/maps/demo/surveys/{OPEN_SURVEY}/respond"],
    "draft": [
        f"/maps/demo/surveys/{OPEN_SURVEY}/respond",
        f"/maps/demo/surveys/{DEMO_SURVEY_ID}/respond",
    ],
    "viewer": [
        "/maps/demo",
        "/maps/demo/report",
        "/maps/demo/people",
        "/maps/demo/graph",
        "/maps/demo/people/new",  # the 403 page
    ],
    "community": [
        "/maps/demo/people/p150/web",
        "/maps/demo/people/p150/view?hops=2",
    ],
    "": ["/login"],
}
CASES = [
    pytest.param(role, path, size, id=f"{role or 'anonymous'}-{size}-{path}")
    for role, paths in PAGES.items()
    for path in paths
    for size in SIZES
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("a11y") / "db.sqlite3")
    load_demo(store)
    app = make_app(store, SECRET_KEY="accessibility-test")
    with LiveServer(app) as live:
        live.tokens = {
            role: issue_token(store, "demo", role, subject="p150" if role == "community" else "")[0]
            for role in ("coordinator", "viewer", "community")
        }
        live.tokens.update(_respondents(app))
        yield live
    store.close()


def _respondents(app) -> dict[str, str]:
    """Open a survey of the demo map with the trust/value module: ``sent`` has sent
    answers, ``draft`` saved some. Returns their link secrets."""
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    base = "/api/v1/maps/demo/surveys"
    people = admin.get("/api/v1/maps/demo/people?limit=200").get_json()["items"]
    named = [p["id"] for p in people if p["visibility"] == "named"]
    body = {
        "id": OPEN_SURVEY,
        "title": "Who do you work with?",
        "intro": "A short survey.",
        "respondents": named[:2],
        "modules": {"trust_value": True},
        "roster": {"people": True, "organisations": True},
    }
    assert admin.post(base, json=body).status_code == 201
    links = {
        link["person_id"]: link["token"]
        for link in admin.post(f"{base}/{OPEN_SURVEY}/open").get_json()["links"]
    }
    out = {}
    for role, person, submit in (("sent", named[0], True), ("draft", named[1], False)):
        client = app.test_client()
        client.token = links[person]
        roster = client.get(f"{base}/{OPEN_SURVEY}/respond/roster").get_json()
        others = [e for e in roster if e["type"] == "person"][:3]
        org = next(e for e in roster if e["type"] == "organisation")
        ties = [
            {
                "target": e["id"],
                "kind": "works_with",
                "frequency": "weekly",
                "trust": [3, 4, 2],
                "value": [2, 3, 4],
            }
            for e in others
        ] + [{"target": org["id"], "kind": "works_for", "frequency": "daily"}]
        ties.append(
            {"name": "Nia Newydd", "silo": "housing", "kind": "knows", "frequency": "monthly"}
        )
        path = f"{base}/{OPEN_SURVEY}/respond" + ("/submit" if submit else "")
        r = (client.post if submit else client.put)(path, json={"ties": ties, "consent": "named"})
        assert r.status_code == 200, r.get_json()
        out[role] = links[person]
    return out


@pytest.mark.parametrize(("role", "path", "size"), CASES)
def test_no_wcag_22_aa_violations(browser_session, server, role, path, size):
    axe_path()
    width, height = SIZES[size]
    headers = {"Authorization": f"Bearer {server.tokens[role]}"} if role else {}
    context = browser_session.new_context(
        viewport={"width": width, "height": height}, bypass_csp=True, extra_http_headers=headers
    )
    try:
        page = context.new_page()
        page.goto(server.url + path)
        frames = []
        if page.locator("#graph-frame").count():
            frame = page.locator("#graph-frame").element_handle().content_frame()
            frame.wait_for_function(READY, timeout=60_000)
            frames.append(frame)
        elif page.locator("#bridgemap-data").count():
            page.wait_for_function(READY, timeout=60_000)
        violations = run_axe(page, frames)
        assert violations == [], violations
    finally:
        context.close()


def test_axe_reports_a_violation_it_is_shown(browser_session):
    """The negative control: injected as the tests inject it, axe does find a missing
    alt text and an unlabelled field, so an empty list above means something."""
    axe_path()
    context = browser_session.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main>'
            '<img src="x.png"><input type="text"></main></body></html>'
        )
        ids = {v["id"] for v in run_axe(page)}
        assert {"image-alt", "label"} <= ids, ids
    finally:
        context.close()
