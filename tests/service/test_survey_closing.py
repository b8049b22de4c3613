"""A survey whose closing date has passed reads closed everywhere — the API, the
coordinator's list and page, and the respondent's page, which says on which day it
closed — and refuses writes; moving the date on reopens it."""

from __future__ import annotations

from datetime import date

import pytest

from graph_models import clock
from tests.service import test_surveys_api as api

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
BASE = api.BASE


@pytest.fixture
def day(monkeypatch):
    today = {"value": date(2026, 3, 3)}
    monkeypatch.setattr(clock, "today", lambda: today["value"])
    return today


@pytest.fixture
def links(app, client, day):
    assert (
        client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm Partnership"}).status_code == 201
    )
    r = client.post("/api/v1/maps/m1/bulk", json={"people": api.PEOPLE, "organisations": api.ORGS})
    assert r.status_code == 200
    api.survey(client, closes_on="2026-03-03")
    return api.opened(app, client)


def test_after_the_closing_date_the_survey_reads_closed_everywhere(app, client, links, day):
    sian = links["sian"]
    answers = {"ties": [api.tie("llyr")]}
    assert sian.put(f"{BASE}/s1/respond", json=answers).status_code == 200
    page = client.get("/maps/m1/surveys", headers=HTML).get_data(as_text=True)
    assert "closes on 3 March 2026" in page
    day["value"] = date(2026, 3, 4)
    assert client.get(f"{BASE}/s1").get_json()["status"] == "closed"
    assert [s["status"] for s in client.get(BASE).get_json()["items"]] == ["closed"]
    view = sian.get(f"{BASE}/s1/respond").get_json()
    assert (view["survey"]["status"], view["survey"]["open"]) == ("closed", False)
    r = sian.put(f"{BASE}/s1/respond", json={"ties": [api.tie("cai")]})
    assert r.status_code == 409
    assert [t["target"] for t in sian.get(f"{BASE}/s1/respond").get_json()["response"]["ties"]] == [
        "llyr"
    ]
    page = client.get("/maps/m1/surveys", headers=HTML).get_data(as_text=True)
    assert "closed on 3 March 2026" in page and "closes on" not in page
    page = client.get("/maps/m1/surveys/s1", headers=HTML).get_data(as_text=True)
    assert "Status: closed · closed on 3 March 2026" in page

    browser = app.test_client()
    assert browser.get(f"/share/{sian.token}").status_code == 302
    page = browser.get("/maps/m1/surveys/s1/respond", headers=HTML).get_data(as_text=True)
    assert "This survey closed on 3 March 2026" in page
    assert "Send my answers" not in page

    r = client.patch(f"{BASE}/s1", json={"closes_on": "2026-03-10"})
    assert r.status_code == 200 and r.get_json()["status"] == "open"
    assert sian.put(f"{BASE}/s1/respond", json={"ties": [api.tie("cai")]}).status_code == 200
