""" "Resend" on the coordinator's survey page: a new link for one respondent, shown once;
the old link stops working and what the respondent saved is kept."""

from __future__ import annotations

import re

from tests.service import test_surveys_api as api

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
BASE = api.BASE


def test_resend_shows_a_new_link_once_and_the_old_one_stops_working(app, client):
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm"}).status_code == 201
    r = client.post("/api/v1/maps/m1/bulk", json={"people": api.PEOPLE, "organisations": api.ORGS})
    assert r.status_code == 200
    api.survey(client)
    page = client.get("/maps/m1/surveys/s1", headers=HTML).get_data(as_text=True)
    assert "New link for" not in page  # a draft has no links yet
    links = api.opened(app, client)
    old = links["cai"]
    assert old.put(f"{BASE}/s1/respond", json={"ties": [api.tie("sian")]}).status_code == 200

    coordinator = app.test_client()
    secret = client.post("/api/v1/maps/m1/tokens", json={"role": "coordinator"}).get_json()
    assert coordinator.get(f"/share/{secret['token']}").status_code == 302
    page = coordinator.get("/maps/m1/surveys/s1", headers=HTML).get_data(as_text=True)
    assert "New link for Cai Price" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    r = coordinator.post(
        "/maps/m1/surveys/s1/resend", data={"csrf_token": token, "person_id": "cai"}, headers=HTML
    )
    assert r.status_code == 200
    shown = r.get_data(as_text=True)
    assert "A new link for Cai Price" in shown
    [url] = re.findall(r'class="secret-link">([^<]+)<', shown)
    assert old.get(f"{BASE}/s1/respond").status_code == 401  # the old link is revoked
    new = app.test_client()
    new.token = url.split("#", 1)[1]
    got = new.get(f"{BASE}/s1/respond").get_json()
    assert [t["target"] for t in got["response"]["ties"]] == ["sian"]  # nothing lost
    again = coordinator.get("/maps/m1/surveys/s1", headers=HTML).get_data(as_text=True)
    assert new.token not in again  # shown once only
    r = coordinator.post(
        "/maps/m1/surveys/s1/resend", data={"csrf_token": token, "person_id": "nobody"}
    )
    assert r.status_code == 302
