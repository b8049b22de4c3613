"""Relationship surveys over the HTTP API: a coordinator runs a survey end to end,
respondents answer through their own links, bad input writes nothing, and each link
reaches only its own survey and response."""

from __future__ import annotations

import pytest

PEOPLE = [
    {"id": "sian", "name": "Siân Evans", "silo": "health"},
    {"id": "llyr", "name": "Llŷr Jones", "silo": "health"},
    {"id": "cai", "name": "Cai Price", "silo": "housing"},
    {"id": "dee", "name": "Dee Parry", "silo": "housing"},
    {"id": "bea", "name": "Bea Anon", "silo": "housing", "visibility": "anonymised"},
    {"id": "dan", "name": "Dan Hidden", "silo": "police", "visibility": "hidden"},
]
ORGS = [{"id": "clinic", "name": "Valley Clinic", "silo": "health"}]
BASE = "/api/v1/maps/m1/surveys"


@pytest.fixture
def mapped(client):
    assert (
        client.post("/api/v1/maps", json={"id": "m1", "name": "Cwm Partnership"}).status_code == 201
    )
    r = client.post("/api/v1/maps/m1/bulk", json={"people": PEOPLE, "organisations": ORGS})
    assert r.status_code == 200, r.get_json()
    return client


def survey(client, **extra):
    body = {
        "id": "s1",
        "title": "Who do you work with?",
        "respondents": ["sian", "llyr", "cai"],
        "modules": {"trust_value": True},
        **extra,
    }
    r = client.post(BASE, json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def opened(app, client, survey_id="s1") -> dict:
    r = client.post(f"{BASE}/{survey_id}/open")
    assert r.status_code == 200, r.get_json()
    links = {}
    for link in r.get_json()["links"]:
        c = app.test_client()
        c.token = link["token"]
        links[link["person_id"]] = c
    return links


def tie(target="", kind="knows", frequency="weekly", **extra):
    return {"target": target, "kind": kind, "frequency": frequency, **extra}


@pytest.mark.both_stores
def test_a_survey_end_to_end(app, mapped):
    client = mapped
    created = survey(client)
    assert created["status"] == "draft" and created["respondents"] == ["cai", "llyr", "sian"]
    links = opened(app, client)
    assert set(links) == {"sian", "llyr", "cai"}
    again = client.post(f"{BASE}/s1/pause").get_json()
    assert again["links"] == [] and again["status"] == "paused"
    assert client.post(f"{BASE}/s1/open").get_json()["links"] == []  # shown once only

    sian = links["sian"]
    view = sian.get(f"{BASE}/s1/respond").get_json()
    assert view["survey"]["map"] == "Cwm Partnership" and view["me"]["name"] == "Siân Evans"
    assert view["response"] is None and "works_for" in view["choices"]["kinds_organisation"]
    roster = sian.get(f"{BASE}/s1/respond/roster").get_json()
    assert {e["id"] for e in roster} == {"llyr", "cai", "dee", "clinic"}  # named only
    assert [e["id"] for e in links["cai"].get(f"{BASE}/s1/respond/roster?q=sian").get_json()] == [
        "sian"
    ]
    assert [e["id"] for e in sian.get(f"{BASE}/s1/respond/roster?q=LLYR").get_json()] == ["llyr"]

    answers = {
        "ties": [
            tie("llyr", trust=[4, 4, 3], value=[3, 3, 3]),
            tie("cai", frequency="monthly"),
            tie("clinic", kind="works_for", frequency="daily"),
            tie(name="Nia Newydd", silo="housing", organisation="Valley Housing"),
        ],
        "consent": "anonymised",
    }
    r = sian.put(f"{BASE}/s1/respond", json=answers)
    assert r.status_code == 200 and r.get_json()["status"] == "draft"
    for _ in range(2):  # a double submit (or a retry) is one response
        r = sian.post(f"{BASE}/s1/respond/submit", json=answers)
        assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    r = links["llyr"].post(
        f"{BASE}/s1/respond/submit", json={"ties": [tie("sian", frequency="daily")]}
    )
    assert r.status_code == 200
    assert len(client.get(f"{BASE}/s1/responses").get_json()) == 2

    review = client.get(f"{BASE}/s1/review").get_json()
    assert review["rates"]["overall"] == {"asked": 3, "answered": 2, "rate": 0.667}
    assert [p["person_id"] for p in review["not_answered"]] == ["cai"]
    names = [n for row in review["responses"] for n in row["new_names"]]
    assert names[0]["ref"] == "sian:3" and names[0]["exact"] == []

    r = client.post(f"{BASE}/s1/accept", json={})
    assert r.status_code == 200, r.get_json()
    summary = r.get_json()
    assert summary["accepted"] == 2 and summary["ties_confirmed"] == 1
    ties = client.get("/api/v1/maps/m1/relationships?limit=100").get_json()["items"]
    confirmed = [t for t in ties if sorted(t["reported_by"]) == ["llyr", "sian"]]
    assert len(confirmed) == 1 and confirmed[0]["origin"] == "survey"
    assert confirmed[0]["strength"] == 4  # weekly vs daily: the lower answer
    new = client.get(f"/api/v1/maps/m1/people/{summary['people_created'][0]}").get_json()
    assert new["name"] == "Nia Newydd" and new["visibility"] == "hidden"
    me = client.get("/api/v1/maps/m1/people/sian").get_json()
    assert me["visibility"] == "anonymised" and me["consent_set_by"] == "self"

    counted = {
        ties: client.get(f"/api/v1/maps/m1/analysis?ties={ties}").get_json()["graph"]["ties"]
        for ties in ("all", "survey", "confirmed")
    }
    assert counted == {"all": 4, "survey": 4, "confirmed": 1}
    assert client.get("/api/v1/maps/m1/analysis?ties=some").status_code == 422

    results = client.get(f"{BASE}/s1/results").get_json()
    assert results["confirmation"]["health|health"] == {"reported": 1, "confirmed": 1, "rate": 1.0}
    assert results["trust_value"]["health|health"]["trust"] == {"suppressed": True}


def test_bad_answers_are_refused_with_their_field_and_write_nothing(app, mapped):
    client = mapped
    survey(client, modules={"trust_value": False, "anyone_else": False})
    sian = opened(app, client)["sian"]
    good = {"ties": [tie("llyr")]}
    assert sian.put(f"{BASE}/s1/respond", json=good).status_code == 200
    version = client.get("/api/v1/maps/m1").get_json()["version"]
    for bad, where in [
        ({"ties": [tie("nobody")]}, ("ties", "0", "target")),
        ({"ties": [tie("bea")]}, ("ties", "0", "target")),  # anonymised: not on the roster
        ({"ties": [tie("sian")]}, ("ties", "0", "target")),  # oneself
        ({"ties": [tie("llyr", trust=[1, 2, 3])]}, ("ties", "0", "trust")),  # module off
        ({"ties": [tie("llyr", kind="works_for")]}, ("ties", "0", "kind")),
        ({"ties": [tie("llyr", frequency="hourly")]}, ("ties", "0", "frequency")),
        ({"ties": [tie(name="Someone New", silo="health")]}, ("ties", "0", "name")),
        ({"ties": [tie("llyr"), tie("llyr")]}, ("ties", "1", "target")),
        ({"consent": "public"}, ("consent",)),
        ({"details": {"silo": "helth"}}, ("details", "silo")),
        ({"ties": "llyr"}, ("ties",)),
    ]:
        r = sian.post(f"{BASE}/s1/respond/submit", json=bad)
        assert r.status_code == 422, (bad, r.status_code)
        body = r.get_json()
        assert body["message"] and body["errors"], bad
        errors = body["errors"]
        for key in where:
            errors = errors[key]
        assert errors, bad
    assert client.get("/api/v1/maps/m1").get_json()["version"] == version
    [stored] = client.get(f"{BASE}/s1/responses").get_json()
    assert stored["status"] == "draft" and [t["target"] for t in stored["ties"]] == ["llyr"]
    r = client.post(BASE, json={"title": "x", "respondents": ["clinic"]})
    assert r.status_code == 422 and "respondents" in r.get_json()["errors"]
    r = client.post(BASE, json={"title": "x", "roster": {"silos": ["nowhere"]}})
    assert r.status_code == 422 and "roster" in r.get_json()["errors"]
    assert client.post(f"{BASE}/s1/accept", json={"names": {"x": "new"}}).status_code == 422


def test_a_respondent_link_reaches_only_its_own_survey_and_response(app, mapped, role_client):
    client = mapped
    survey(client)
    survey(client, id="s2", respondents=["cai"])
    links = opened(app, client)
    opened(app, client, "s2")
    sian, llyr = links["sian"], links["llyr"]
    assert sian.post(f"{BASE}/s1/respond/submit", json={"ties": [tie("llyr")]}).status_code == 200
    # nobody else's response, no coordinator routes, no other survey, no analysis
    assert llyr.get(f"{BASE}/s1/respond").get_json()["response"] is None
    for path in (f"{BASE}/s1/responses", f"{BASE}/s1/review", f"{BASE}/s1", BASE):
        assert sian.get(path).status_code == 403, path
    assert sian.get(f"{BASE}/s2/respond").status_code == 404
    assert sian.get("/api/v1/maps/m1/analysis").status_code == 403
    assert sian.get("/api/v1/maps/m1/people").status_code == 403
    assert sian.get("/api/v1/maps/m1/graph/neighbourhood/llyr").status_code in (403, 404)
    # the link stops working for writes when the survey closes; nothing is lost
    assert client.post(f"{BASE}/s1/close").status_code == 200
    r = sian.post(f"{BASE}/s1/respond/submit", json={"ties": [tie("cai")]})
    assert r.status_code == 409 and r.get_json()["message"]
    assert [t["target"] for t in client.get(f"{BASE}/s1/responses").get_json()[0]["ties"]] == [
        "llyr"
    ]
    assert sian.get(f"{BASE}/s1/respond").get_json()["survey"]["open"] is False
    # viewers never see surveys or responses; respondent tokens come only from surveys
    viewer = role_client("viewer")
    for path in (BASE, f"{BASE}/s1", f"{BASE}/s1/responses", f"{BASE}/s1/review"):
        assert viewer.get(path).status_code == 403, path
    assert viewer.get(f"{BASE}/s1/respond").status_code == 403
    r = client.post("/api/v1/maps/m1/tokens", json={"role": "respondent"})
    assert r.status_code == 422
    assert client.post(f"{BASE}/s1/respondents/sian/link").status_code == 409  # closed


def test_resending_a_link_revokes_the_old_one(app, mapped):
    client = mapped
    survey(client)
    old = opened(app, client)["cai"]
    assert old.get(f"{BASE}/s1/respond").status_code == 200
    r = client.post(f"{BASE}/s1/respondents/cai/link")
    assert r.status_code == 201, r.get_json()
    new = app.test_client()
    new.token = r.get_json()["token"]
    assert new.get(f"{BASE}/s1/respond").status_code == 200
    assert old.get(f"{BASE}/s1/respond").status_code == 401
    assert client.post(f"{BASE}/s1/respondents/dee/link").status_code == 404
