"""Review proposes taking out a tie a respondent no longer names after their answers
were accepted (when nobody else reported it) and says which ties stay; acceptance then
removes it."""

from __future__ import annotations

from tests.service import test_surveys_api as api

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
BASE = api.BASE


def test_review_proposes_removing_a_tie_taken_back_and_accepting_removes_it(app, client):
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm"}).status_code == 201
    r = client.post("/api/v1/maps/m1/bulk", json={"people": api.PEOPLE, "organisations": api.ORGS})
    assert r.status_code == 200
    api.survey(client)
    links = api.opened(app, client)
    sian, llyr = links["sian"], links["llyr"]
    first = {"ties": [api.tie("llyr"), api.tie("cai"), api.tie("clinic", kind="works_for")]}
    assert sian.post(f"{BASE}/s1/respond/submit", json=first).status_code == 200
    assert (
        llyr.post(f"{BASE}/s1/respond/submit", json={"ties": [api.tie("sian")]}).status_code == 200
    )
    assert client.post(f"{BASE}/s1/accept", json={}).status_code == 200
    assert client.get(f"{BASE}/s1/review").get_json()["responses"][0]["withdrawn"] == []

    r = sian.put(f"{BASE}/s1/respond", json={"ties": [api.tie("cai")]})  # after acceptance
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    row = next(
        x
        for x in client.get(f"{BASE}/s1/review").get_json()["responses"]
        if x["person_id"] == "sian"
    )
    assert sorted((w["other"], w["remove"]) for w in row["withdrawn"]) == [
        ("clinic", True),
        ("llyr", False),
    ]
    page = client.get("/maps/m1/surveys/s1", headers=HTML).get_data(as_text=True)
    assert "they no longer name" in page and "accepting removes this tie" in page

    summary = client.post(f"{BASE}/s1/accept", json={}).get_json()
    assert summary["ties_removed"] == 1
    ties = client.get("/api/v1/maps/m1/relationships").get_json()["items"]
    ends = sorted(tuple(sorted((t["source"], t["target"]))) for t in ties)
    assert ends == [("cai", "sian"), ("llyr", "sian")]
