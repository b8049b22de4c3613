"""Concurrent edits over HTTP (issue #11, item 8): PATCHes of different fields at once
keep both, a consent withdrawal is never undone, ``ETag``/``If-Match`` give clients and
the edit forms optimistic concurrency per record (412 / a clear message), and a refused
write writes nothing."""

from __future__ import annotations

import re
import threading

import pytest

from tests.conftest import ADMIN_SECRET

MAP = "/api/v1/maps/m1"
PAIRS = 20


@pytest.fixture
def api(client):
    r = client.post("/api/v1/maps", json={"id": "m1", "name": "Partnership"})
    assert r.status_code == 201, r.json
    for i in range(PAIRS):
        body = {"id": f"p{i}", "name": f"Person {i}", "silo": "health"}
        assert client.post(f"{MAP}/people", json=body).status_code == 201
    return client


def fresh_client(app):
    c = app.test_client()
    c.token = ADMIN_SECRET
    return c


def together(app, *requests) -> list:
    """Send ``(method, path, kwargs)`` requests from threads released at once."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(i, method, path, kwargs):
        c = fresh_client(app)
        barrier.wait()
        answers[i] = getattr(c, method)(path, **kwargs)

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def assert_error(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"} and body["message"]
    if field is not None:
        assert field in body["errors"], body["errors"]
    return body


@pytest.mark.both_stores
def test_concurrent_patches_of_different_fields_keep_both(app, api):
    for i in range(PAIRS):
        path = f"{MAP}/people/p{i}"
        answers = together(
            app,
            ("patch", path, {"json": {"role": f"role {i}"}}),
            ("patch", path, {"json": {"area": f"area {i}"}}),
        )
        assert [a.status_code for a in answers] == [200, 200]
    for i in range(PAIRS):
        r = api.get(f"{MAP}/people/p{i}")
        assert (r.json["role"], r.json["area"], r.headers["ETag"]) == (
            f"role {i}",
            f"area {i}",
            '"3"',
        )


@pytest.mark.both_stores
def test_consent_withdrawal_survives_a_concurrent_role_edit(app, api):
    for i in range(PAIRS):
        path = f"{MAP}/people/p{i}"
        together(
            app,
            ("patch", path, {"json": {"visibility": "hidden"}}),
            ("patch", path, {"json": {"role": "edited"}}),
        )
    people = api.get(f"{MAP}/people?limit=100").json["items"]
    assert {(p["visibility"], p["role"]) for p in people} == {("hidden", "edited")}


def test_etag_names_the_record_revision(api):
    r = api.get(f"{MAP}/people/p0")
    assert r.headers["ETag"] == '"1"'
    r = api.patch(f"{MAP}/people/p0", json={"role": "nurse"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"' and r.json["role"] == "nurse"
    assert api.get(f"{MAP}/people/p1").headers["ETag"] == '"1"'  # per record, not per map
    r = api.patch(f"{MAP}/people/p0", json={"area": "north"}, headers={"If-Match": '"1", "2"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"3"'
    r = api.patch(f"{MAP}/people/p0", json={"area": "south"}, headers={"If-Match": "*"})
    assert r.status_code == 200 and r.headers["ETag"] == '"4"'


@pytest.mark.parametrize("header", ['"1"', 'W/"4"', '"four"', "garbage", '"99999999999999999999"'])
def test_if_match_mismatch_is_412_and_writes_nothing(api, header):
    api.patch(f"{MAP}/people/p0", json={"role": "nurse"})  # now at revision 2
    before = api.get(MAP).json["version"]
    r = api.patch(f"{MAP}/people/p0", json={"role": "doctor"}, headers={"If-Match": header})
    assert_error(r, 412, "If-Match")
    r = api.delete(f"{MAP}/people/p0", headers={"If-Match": header})
    assert_error(r, 412, "If-Match")
    r = api.get(f"{MAP}/people/p0")
    assert r.json["role"] == "nurse" and r.headers["ETag"] == '"2"'
    assert api.get(MAP).json["version"] == before
    assert api.delete(f"{MAP}/people/p0", headers={"If-Match": '"2"'}).status_code == 204


def test_relationships_and_organisations_have_revisions_too(api):
    api.post(f"{MAP}/organisations", json={"id": "org", "name": "Clinic", "silo": "health"})
    body = {"id": "t1", "source": "p0", "target": "p1", "kind": "knows"}
    api.post(f"{MAP}/relationships", json=body)
    for path in (f"{MAP}/organisations/org", f"{MAP}/relationships/t1"):
        assert api.get(path).headers["ETag"] == '"1"'
        change = {"area": "x"} if "organisations" in path else {"strength": 5}
        assert_error(api.patch(path, json=change, headers={"If-Match": '"7"'}), 412)
        r = api.patch(path, json=change, headers={"If-Match": '"1"'})
        assert r.status_code == 200 and r.headers["ETag"] == '"2"'


def test_edit_form_refuses_to_save_over_a_change_it_did_not_see(api, app):
    page = fresh_client(app)
    form = page.get("/maps/m1/people/p0/edit")
    assert form.status_code == 200
    assert 'name="revision" value="1"' in form.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))[1]
    # someone else withdraws consent while the form is open
    api.patch(f"{MAP}/people/p0", json={"visibility": "hidden"})
    fields = {"name": "Person 0", "silo": "health", "role": "nurse", "visibility": "named"}
    fields["csrf_token"] = csrf
    r = page.post("/maps/m1/people/p0/edit", data={**fields, "revision": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Someone else changed this" in html
    assert 'name="revision" value="2"' in html  # the form now shows the current version
    stored = api.get(f"{MAP}/people/p0").json
    assert stored["visibility"] == "hidden" and not stored["role"]
    # saving on the current revision works
    r = page.post("/maps/m1/people/p0/edit", data={**fields, "revision": "2"})
    assert r.status_code == 302 and api.get(f"{MAP}/people/p0").json["role"] == "nurse"


def test_an_erased_person_comes_back_only_by_an_explicit_restore(api):
    assert api.delete(f"{MAP}/people/p0").status_code == 204
    body = {"id": "p0", "name": "Person 0", "silo": "health"}
    r = api.post(f"{MAP}/people", json=body)
    assert_error(r, 409, "id")
    assert "restore_erased" in r.json["message"]
    r = api.post(f"{MAP}/relationships", json={"id": "t", "source": "p0", "target": "p1"})
    assert r.status_code == 422  # the erased id is not a node either
    r = api.post(f"{MAP}/people?restore_erased=true", json=body)
    assert r.status_code == 201 and api.get(f"{MAP}/people/p0").status_code == 200
