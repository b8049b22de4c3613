"""Viewers' lists are paged in the store with consent applied in the query: totals count
only what they may see, pages neither overlap nor skip, anonymised people appear under
their pseudonym as "a person in <silo>" (found by that, never by their name), and hidden
people are neither listed nor counted."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN_SECRET, make_app, operator_with_map


def _bulk(admin, people: list, ties: list) -> None:
    """Write people and ties into map ``w`` in one call."""
    body = {"people": people, "relationships": ties}
    assert admin.post("/api/v1/maps/w/bulk", json=body).status_code == 200


def _admin_with_map(store):
    """An admin client of a new app on ``store``, with an empty map ``w``."""
    admin = make_app(store).test_client()
    admin.token = ADMIN_SECRET
    assert admin.post("/api/v1/maps", json={"id": "w", "name": "w"}).status_code == 201
    return admin


def _anonymised(silo: str, count: int) -> list[dict]:
    """People ``h0``… of ``silo``, all anonymised."""
    return [
        {"id": f"h{i}", "name": f"Health {i}", "silo": silo, "visibility": "anonymised"}
        for i in range(count)
    ]


def _viewer(admin):
    """A client of the same app holding a new viewer token of map ``w``."""
    viewer = admin.application.test_client()
    viewer.token = admin.post("/api/v1/maps/w/tokens", json={"role": "viewer"}).get_json()["token"]
    return viewer


def test_viewer_pages_count_and_show_only_what_consent_allows(tmp_path):
    admin = operator_with_map(tmp_path, "w")
    people = []
    for i in range(30):
        vis = "hidden" if i % 6 == 0 else "anonymised" if i % 3 == 0 else "named"
        people.append(
            {"id": f"p{i:02}", "name": f"Siân {i:02}", "silo": "health", "visibility": vis}
        )
    people.append({"id": "q1", "name": "Solo", "silo": "police", "visibility": "anonymised"})
    ties = [{"source": f"p{i:02}", "target": f"p{i + 1:02}", "kind": "knows"} for i in range(29)]
    _bulk(admin, people, ties)
    viewer = _viewer(admin)

    def pages(client, path, size=7):
        items, offset, totals = [], 0, set()
        while True:
            page = client.get(f"{path}{'&' if '?' in path else '?'}limit={size}&offset={offset}")
            got = page.get_json()
            totals.add(got["total"])
            items += got["items"]
            offset += size
            if offset >= got["total"]:
                return items, totals

    coordinator, totals = pages(admin, "/api/v1/maps/w/people")
    assert totals == {31} and len({p["id"] for p in coordinator}) == 31
    seen, totals = pages(viewer, "/api/v1/maps/w/people")
    # 5 hidden, and "Solo" (anonymised alone in police: too small a silo to hide in)
    assert totals == {25} and len(seen) == len({p["id"] for p in seen}) == 25
    ids = {p["id"] for p in seen}
    assert not ids & {f"p{i:02}" for i in range(0, 30, 3)} and "q1" not in ids
    anonymised = [p for p in seen if p["id"].startswith("anon-")]
    assert len(anonymised) == 5 and {p["name"] for p in anonymised} == {"a person in health"}
    assert all(p["contact"] == "" or "contact" not in p for p in seen)
    found = viewer.get("/api/v1/maps/w/people?q=person").get_json()
    assert found["total"] == 5
    assert viewer.get("/api/v1/maps/w/people?q=sian 03").get_json()["total"] == 0  # anonymised
    assert viewer.get("/api/v1/maps/w/people?q=sian 00").get_json()["total"] == 0  # hidden
    assert viewer.get("/api/v1/maps/w/people?q=sian 01").get_json()["total"] == 1  # named

    ties_seen, totals = pages(viewer, "/api/v1/maps/w/relationships", size=4)
    # ties with a hidden end are left out; those with an anonymised end under a pseudonym
    hidden = {f"p{i:02}" for i in range(0, 30, 6)}
    expected = sum(1 for t in ties if t["source"] not in hidden and t["target"] not in hidden)
    assert totals == {expected} and len({t["id"] for t in ties_seen}) == expected
    for tie in ties_seen:
        assert tie["source"] not in hidden and tie["target"] not in hidden
    page = admin.application.test_client()
    page.token = viewer.token
    html = page.get("/maps/w/people?q=person").get_data(as_text=True)
    assert "a person in health" in html and "Siân 03" not in html


def test_viewer_reads_one_record_without_reading_the_map(tmp_path, monkeypatch):
    """A viewer's read of one person, organisation or tie takes the record from the
    store (an anonymised person found by their pseudonym), never the whole map, and
    answers real ids of anonymised and hidden people, and of a tie with an anonymised
    end, as missing ones."""
    from graph_models.store.rules import StoreRules

    admin = operator_with_map(tmp_path, "w")
    people = [
        {"id": f"h{i}", "name": f"Health {i}", "silo": "health", "visibility": "anonymised"}
        for i in range(5)
    ]
    people += [
        {"id": "ann", "name": "Ann", "silo": "health"},
        {"id": "dai", "name": "Dai", "silo": "health", "visibility": "hidden"},
    ]
    ties = [
        {"id": "plain", "source": "ann", "target": "h1", "kind": "knows"},
        {"id": "to-dai", "source": "ann", "target": "dai", "kind": "knows"},
    ]
    _bulk(admin, people, ties)
    admin.post("/api/v1/maps/w/people", json={"id": "bo", "name": "Bo", "silo": "housing"})
    admin.post(
        "/api/v1/maps/w/relationships",
        json={"id": "both-named", "source": "ann", "target": "bo", "kind": "knows"},
    )
    viewer = _viewer(admin)
    listed = viewer.get("/api/v1/maps/w/people?limit=100").get_json()["items"]
    pseudonyms = [p["id"] for p in listed if p["id"].startswith("anon-")]
    assert len(pseudonyms) == 5

    def whole_map(*args, **kwargs):
        raise AssertionError("a viewer's read of one record read the whole map")

    monkeypatch.setattr(StoreRules, "graph", whole_map)
    got = viewer.get(f"/api/v1/maps/w/people/{pseudonyms[0]}")
    assert got.status_code == 200 and got.get_json()["name"] == "a person in health"
    assert got.get_json()["id"] == pseudonyms[0]
    assert viewer.get("/api/v1/maps/w/people/ann").get_json()["name"] == "Ann"
    tie = viewer.get("/api/v1/maps/w/relationships/both-named")
    assert tie.status_code == 200 and (tie.get_json()["source"], tie.get_json()["target"]) == (
        "ann",
        "bo",
    )
    missing = viewer.get("/api/v1/maps/w/people/nobody")
    assert missing.status_code == 404
    for path in (
        "people/h0",  # anonymised: only by the pseudonym
        "people/dai",  # hidden
        "people/anon-000000000000",  # a pseudonym of nobody
        "relationships/to-dai",  # a hidden end
        "relationships/plain",  # an anonymised end: only under the tie's pseudonym
        "relationships/nothing",
    ):
        answer = viewer.get(f"/api/v1/maps/w/{path}")
        assert answer.status_code == 404, path
        assert answer.get_json()["message"].replace(path.split("/")[1], "<id>") == (
            missing.get_json()["message"]
            .replace("nobody", "<id>")
            .replace("person", "relationship" if "relationships" in path else "person")
        ), path


@pytest.mark.both_stores
def test_viewer_reads_one_tie_by_pseudonym_without_reading_the_map(store, monkeypatch):
    """A viewer's read of one tie with an anonymised end, by its ``tie-`` pseudonym (as
    the list gives it), takes the tie from the store (its pseudonym turned back against
    the ties of the map's anonymised people only), never the whole map; the tie's real
    id, a pseudonym of nobody, a tie to a hidden person and a tie to an anonymised
    person of a small silo all answer exactly as a missing tie does."""
    from graph_models.store.rules import StoreRules
    from graph_models.visibility import tie_pseudonym

    admin = _admin_with_map(store)
    people = _anonymised("health", 5)
    people += [
        {"id": "ann", "name": "Ann", "silo": "health"},
        {"id": "dai", "name": "Dai", "silo": "health", "visibility": "hidden"},
        {"id": "cop", "name": "Cop", "silo": "police", "visibility": "anonymised"},
    ]
    ties = [
        {"id": "plain", "source": "ann", "target": "h1", "kind": "knows", "strength": 4},
        {"id": "anon-pair", "source": "h2", "target": "h3", "kind": "knows"},
        {"id": "to-dai", "source": "h4", "target": "dai", "kind": "knows"},
        {"id": "to-cop", "source": "ann", "target": "cop", "kind": "knows"},
    ]
    _bulk(admin, people, ties)
    viewer = _viewer(admin)
    listed = viewer.get("/api/v1/maps/w/relationships?limit=100").get_json()["items"]
    assert len(listed) == 2 and all(t["id"].startswith("tie-") for t in listed)
    secret = admin.application.config["SECRET_KEY"].encode()

    def whole_map(*args, **kwargs):
        raise AssertionError("a viewer's read of one tie read the whole map")

    monkeypatch.setattr(StoreRules, "graph", whole_map)
    for row in listed:
        got = viewer.get(f"/api/v1/maps/w/relationships/{row['id']}")
        assert got.status_code == 200, row
        assert got.get_json() == row
    plain = next(r for r in listed if r["source"] == "ann")
    assert plain["strength"] == 4 and plain["target"].startswith("anon-")
    missing = viewer.get("/api/v1/maps/w/relationships/nothing")
    assert missing.status_code == 404
    for asked in (
        "plain",  # the real id of a tie with an anonymised end
        "tie-000000000000",  # a pseudonym of nobody
        tie_pseudonym(secret, "w", "to-dai"),  # an anonymised and a hidden end
        tie_pseudonym(secret, "w", "to-cop"),  # an anonymised end in a small silo
        tie_pseudonym(secret, "other", "plain"),  # another map's pseudonym
    ):
        answer = viewer.get(f"/api/v1/maps/w/relationships/{asked}")
        assert answer.status_code == 404, asked
        assert answer.get_json()["message"].replace(asked, "<id>") == missing.get_json()[
            "message"
        ].replace("nothing", "<id>"), asked


@pytest.mark.both_stores
def test_viewer_reads_a_listed_tie_by_pseudonym_without_hashing_every_tie(store, monkeypatch):
    """A ``tie-`` pseudonym a viewer's list gave (or one turned back once) is read back
    as one record: the ties of the map's anonymised people are not read and hashed
    again. The real id it stands for is only a hint: once the tie no longer has an
    anonymised end, or is gone, the pseudonym answers exactly as a missing tie, and a
    pseudonym of a tie never listed is still found (from the candidates, once)."""
    from graph_models.store.rules import StoreRules
    from graph_models.visibility import tie_pseudonym

    admin = _admin_with_map(store)
    people = _anonymised("health", 5)
    people += [{"id": "ann", "name": "Ann", "silo": "health"}]
    ties = [
        {"id": "t1", "source": "ann", "target": "h1", "kind": "knows"},
        {"id": "t2", "source": "ann", "target": "h2", "kind": "knows"},
    ]
    _bulk(admin, people, ties)
    viewer = _viewer(admin)
    # another process (its own app): nothing listed there yet
    other = make_app(store).test_client()
    other.token = viewer.token
    secret = admin.application.config["SECRET_KEY"].encode()
    assert other.application.config["SECRET_KEY"].encode() == secret
    public = {real: tie_pseudonym(secret, "w", real) for real in ("t1", "t2")}
    listed = viewer.get("/api/v1/maps/w/relationships?limit=100").get_json()["items"]
    rows = {row["id"]: row for row in listed}
    assert set(rows) == set(public.values())
    missing = viewer.get("/api/v1/maps/w/relationships/nothing").get_json()["message"]

    scans = []
    get_shown = StoreRules.get_shown

    def counted(self, *args, **kwargs):
        unmask = kwargs.get("unmask")
        if unmask is not None:

            def watched(candidates):
                scans.append(sorted(candidates))
                return unmask(candidates)

            kwargs["unmask"] = watched
        return get_shown(self, *args, **kwargs)

    monkeypatch.setattr(StoreRules, "get_shown", counted)
    for tie_id, row in rows.items():
        assert viewer.get(f"/api/v1/maps/w/relationships/{tie_id}").get_json() == row
    assert scans == []  # listed: read back by the real id it stands for
    for tie_id, row in rows.items():
        assert other.get(f"/api/v1/maps/w/relationships/{tie_id}").get_json() == row
    assert scans == [["t1", "t2"]]  # turned back once, from the candidates; then known

    def answers_as_missing(tie_id):
        for client in (viewer, other):
            answer = client.get(f"/api/v1/maps/w/relationships/{tie_id}")
            assert answer.status_code == 404, tie_id
            assert answer.get_json()["message"].replace(tie_id, "nothing") == missing

    # h1 named now: t1 is listed by its real id, and its pseudonym answers as missing
    changed = admin.patch("/api/v1/maps/w/people/h1", json={"visibility": "named"})
    assert changed.status_code == 200, changed.get_json()
    relisted = [r["id"] for r in viewer.get("/api/v1/maps/w/relationships").get_json()["items"]]
    assert sorted(relisted) == sorted(["t1", public["t2"]])
    answers_as_missing(public["t1"])
    # t2 deleted: its pseudonym answers as missing too
    assert admin.delete("/api/v1/maps/w/relationships/t2").status_code in (200, 204)
    answers_as_missing(public["t2"])
