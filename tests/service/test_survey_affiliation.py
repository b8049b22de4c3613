"""The respondent's organisation comes pre-filled from their ties in the map (works
for, member of...), to confirm or correct like any other tie; once they have saved,
their own answers are what the page shows."""

from __future__ import annotations

import re

from tests.service import test_surveys_api as api

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
BASE = api.BASE


def test_their_organisation_is_pre_filled_and_editable(app, client):
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm"}).status_code == 201
    ties = [
        {"source": "sian", "target": "clinic", "kind": "works_for", "strength": 4},
        {"source": "sian", "target": "llyr", "kind": "knows"},  # a person: not pre-filled
        {"source": "cai", "target": "clinic", "kind": "member_of"},  # someone else's
    ]
    r = client.post(
        "/api/v1/maps/m1/bulk",
        json={"people": api.PEOPLE, "organisations": api.ORGS, "relationships": ties},
    )
    assert r.status_code == 200, r.get_json()
    api.survey(client, roster={"people": True, "organisations": True})
    links = api.opened(app, client)
    view = links["sian"].get(f"{BASE}/s1/respond").get_json()
    assert view["affiliations"] == [
        {"target": "clinic", "kind": "works_for", "frequency": "weekly"}
    ]

    browser = app.test_client()
    assert browser.get(f"/share/{links['sian'].token}").status_code == 302
    page = browser.get("/maps/m1/surveys/s1/respond", headers=HTML).get_data(as_text=True)
    assert "your organisation in the map" in page
    assert 'name="tie-0-target" value="clinic"' in page
    assert re.search(r'<option value="works_for" selected>', page)
    assert re.search(r'<option value="weekly" selected>', page)
    # corrected (a member, not staff) and saved: the answer is theirs now
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    form = {
        "csrf_token": token,
        "action": "save",
        "tie-count": "1",
        "tie-0-target": "clinic",
        "tie-0-kind": "member_of",
        "tie-0-frequency": "monthly",
        "consent": "named",
    }
    assert browser.post("/maps/m1/surveys/s1/respond", data=form).status_code == 302
    saved = links["sian"].get(f"{BASE}/s1/respond").get_json()
    assert [(t["target"], t["kind"]) for t in saved["response"]["ties"]] == [
        ("clinic", "member_of")
    ]
    assert saved["affiliations"] == []
