"""The picture of what a respondent reported: a server-drawn SVG (no script) with a
title and a description, the respondent in the centre and whom they named around,
coloured by sector with a text key and a text list — on their page once sent, and on
the coordinator's review."""

from __future__ import annotations

import re

from tests.service import test_surveys_api as api

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
BASE = api.BASE


def test_the_respondent_and_the_coordinator_see_a_picture_of_the_answers(app, client):
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm"}).status_code == 201
    people = [*api.PEOPLE, {"id": "evil", "name": "<b>Evil</b>", "silo": "police"}]
    r = client.post("/api/v1/maps/m1/bulk", json={"people": people, "organisations": api.ORGS})
    assert r.status_code == 200
    api.survey(client, roster={"people": True, "organisations": True})
    links = api.opened(app, client)
    sian = links["sian"]
    browser = app.test_client()
    assert browser.get(f"/share/{sian.token}").status_code == 302
    answers = {
        "ties": [
            api.tie("llyr"),
            api.tie("clinic", kind="works_for"),
            api.tie("evil"),
            api.tie(name="Nia Newydd", silo="housing"),
        ]
    }
    assert sian.put(f"{BASE}/s1/respond", json=answers).status_code == 200
    page = browser.get("/maps/m1/surveys/s1/respond", headers=HTML).get_data(as_text=True)
    assert "chart--ego" not in page  # a draft: nothing to picture yet
    assert sian.post(f"{BASE}/s1/respond/submit", json=answers).status_code == 200
    page = browser.get("/maps/m1/surveys/s1/respond", headers=HTML).get_data(as_text=True)
    svg = re.search(r'<svg class="chart chart--ego".*?</svg>', page, re.S)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "What Siân Evans reported" in svg
    assert "with the 4 people and organisations they named" in svg
    assert svg.count("<circle") == 4 and svg.count("<rect") == 1  # 3 people + her; 1 org
    assert "&lt;b&gt;Evil&lt;/b&gt;" in svg and "<b>Evil" not in page
    colours = dict(
        re.findall(r'<li><svg class="swatch".*?fill="([^"]+)".*?</svg> (\w+)</li>', page)
    )
    assert set(colours.values()) == {"health", "police", "housing"}
    assert "Nia Newydd · person · housing" in page  # the text list
    assert 'src="http' not in page

    coordinator = app.test_client()
    secret = client.post("/api/v1/maps/m1/tokens", json={"role": "coordinator"}).get_json()
    assert coordinator.get(f"/share/{secret['token']}").status_code == 302
    page = coordinator.get("/maps/m1/surveys/s1", headers=HTML).get_data(as_text=True)
    assert 'id="reported-0-title"' in page and "What Siân Evans reported" in page
