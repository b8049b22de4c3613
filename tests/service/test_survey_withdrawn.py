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


def test_review_and_acceptance_match_a_new_name_by_the_same_rule(app, client):
    """A new name shared by two people of the map (folded) is not matched to either:
    acceptance makes a new person, so the tie the respondent had named before goes.
    Review used to count the name as naming both people and proposed keeping that tie
    (it said nothing); it now asks the rule acceptance applies, and the two agree."""
    assert client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm"}).status_code == 201
    twin = {"id": "cai2", "name": "Cai Price", "silo": "police"}  # the same folded name
    body = {"people": [*api.PEOPLE, twin], "organisations": api.ORGS}
    assert client.post("/api/v1/maps/m1/bulk", json=body).status_code == 200
    api.survey(client)
    sian = api.opened(app, client)["sian"]
    assert (
        sian.post(f"{BASE}/s1/respond/submit", json={"ties": [api.tie("cai")]}).status_code == 200
    )
    assert client.post(f"{BASE}/s1/accept", json={}).status_code == 200

    # Siân now names "cai price" under "Anyone else?" instead of picking Cai
    new_name = {"name": "cai price", "silo": "housing", "kind": "knows", "frequency": "weekly"}
    assert sian.put(f"{BASE}/s1/respond", json={"ties": [new_name]}).status_code == 200
    row = client.get(f"{BASE}/s1/review").get_json()["responses"][0]
    assert row["new_names"][0]["exact"] == ["cai", "cai2"]  # both suggested, neither chosen
    assert [(w["other"], w["remove"]) for w in row["withdrawn"]] == [("cai", True)]

    summary = client.post(f"{BASE}/s1/accept", json={}).get_json()
    assert summary["ties_removed"] == 1 and len(summary["people_created"]) == 1
    ties = client.get("/api/v1/maps/m1/relationships").get_json()["items"]
    assert [(t["source"], t["target"]) for t in ties] == [("sian", summary["people_created"][0])]
