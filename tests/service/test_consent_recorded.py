"""Who set a person's consent, and when: a coordinator's consent edit (form or API) is
recorded as ``coordinator`` with the time, an edit that leaves consent alone keeps who
set it (a respondent's own ``self`` is not overwritten by a later role change), and the
profile page says it in words."""

from __future__ import annotations

import re

import pytest

from graph_models import clock
from tests.service.authworld import build_world

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
AT = "2026-03-03T10:05:00+00:00"


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "timestamp", lambda: AT)
    return build_world(tmp_path)


def signed_in(world):
    client = world.app.test_client()
    assert client.get(f"/share/{world.secrets['coordinator']}").status_code == 302
    return client


def person(world, pid):
    return world.admin.get(f"/api/v1/maps/m1/people/{pid}").get_json()


def test_the_api_records_a_coordinators_consent_edit(world):
    admin = world.admin
    r = admin.post(
        "/api/v1/maps/m1/people",
        json={"id": "nia", "name": "Nia", "silo": "health", "visibility": "anonymised"},
    )
    assert r.status_code == 201
    assert (r.get_json()["consent_set_by"], r.get_json()["consent_set_at"]) == ("coordinator", AT)
    # a change of something else leaves who set consent alone
    assert admin.patch("/api/v1/maps/m1/people/ann", json={"role": "Nurse"}).status_code == 200
    assert person(world, "ann")["consent_set_by"] == ""
    r = admin.patch("/api/v1/maps/m1/people/ann", json={"visibility": "hidden"})
    assert (r.get_json()["consent_set_by"], r.get_json()["consent_set_at"]) == ("coordinator", AT)
    # sending the same consent again is not a new decision
    admin.patch(
        "/api/v1/maps/m1/people/cai", json={"consent_set_by": "self", "consent_set_at": "x"}
    )
    admin.patch("/api/v1/maps/m1/people/cai", json={"visibility": "named"})
    assert person(world, "cai")["consent_set_by"] == "self"


def _form(client, pid, **changes):
    page = client.get(f"/maps/m1/people/{pid}/edit", headers=HTML).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    revision = re.search(r'name="revision" value="([^"]*)"', page)[1]
    current = {"name": "Cai Price", "silo": "housing", "visibility": "named"}
    return client.post(
        f"/maps/m1/people/{pid}/edit",
        data={"csrf_token": token, "revision": revision, **current, **changes},
        headers=HTML,
    )


def test_the_person_form_keeps_self_until_the_coordinator_changes_consent(world):
    world.admin.patch(
        "/api/v1/maps/m1/people/cai",
        json={"consent_set_by": "self", "consent_set_at": "2026-01-12T09:00:00+00:00"},
    )
    c = signed_in(world)
    page = c.get("/maps/m1/people/cai", headers=HTML).get_data(as_text=True)
    assert "Chosen by Cai Price themselves in a survey on 12 January 2026." in page
    assert _form(c, "cai", role="Warden").status_code == 302
    assert person(world, "cai")["consent_set_by"] == "self"  # the form re-sends it empty
    assert _form(c, "cai", visibility="anonymised").status_code == 302
    got = person(world, "cai")
    assert (got["visibility"], got["consent_set_by"], got["consent_set_at"]) == (
        "anonymised",
        "coordinator",
        AT,
    )
    page = c.get("/maps/m1/people/cai", headers=HTML).get_data(as_text=True)
    assert "Set by a coordinator on 3 March 2026." in page
    page = c.get("/maps/m1/people/eve", headers=HTML).get_data(as_text=True)
    assert "Who set it was not recorded" in page
