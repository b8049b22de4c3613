"""The dashboard links the survey results panel for coordinators ("“…”: 62 of 72
answered — see the results"); viewers and the board report (what a viewer sees) have
no survey line."""

from __future__ import annotations

import re

from graph_models.store.embedded import EmbeddedStore
from service.cli import load_demo
from tests.conftest import ADMIN_SECRET, make_app

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_coordinators_dashboard_links_the_survey_results(tmp_path):
    store = EmbeddedStore(tmp_path / "demo.sqlite3")
    load_demo(store)
    app = make_app(store)
    admin = app.test_client()
    admin.token = ADMIN_SECRET
    [survey] = admin.get("/api/v1/maps/demo/surveys").get_json()["items"]
    answered = survey["responses"]["submitted"] + survey["responses"]["accepted"]
    page = admin.get("/maps/demo", headers=HTML).get_data(as_text=True)
    line = re.search(r'<section class="panel survey-lines".*?</section>', page, re.S)[0]
    assert f"{answered} of {len(survey['respondents'])} answered" in line
    assert 0 < answered < len(survey["respondents"])
    assert f'href="/maps/demo/surveys/{survey["id"]}/results"' in line
    assert admin.get(f"/maps/demo/surveys/{survey['id']}/results", headers=HTML).status_code == 200

    secret = admin.post("/api/v1/maps/demo/tokens", json={"role": "viewer"}).get_json()["token"]
    viewer = app.test_client()
    assert viewer.get(f"/share/{secret}").status_code == 302
    assert "survey-lines" not in viewer.get("/maps/demo", headers=HTML).get_data(as_text=True)
    report = admin.get("/maps/demo/report", headers=HTML)
    assert report.status_code == 200 and "survey-lines" not in report.get_data(as_text=True)
