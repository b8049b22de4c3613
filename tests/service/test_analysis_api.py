"""The report API on both stores: answers on a hand-worked map, consent, caching, bad input."""

from __future__ import annotations

import json

import pytest

MAP = "/api/v1/maps/m1"


@pytest.fixture
def api(client):
    """Two silos joined only through Bea.

    health: ann, bea (anonymised), dai (hidden)   housing: cai, eve
    ties: ann-bea, bea-cai, cai-eve, dai-ann (2022 only), bea-dai
    So bea is the one articulation point joining health and housing; dai is hidden.
    """
    client.post("/api/v1/maps", json={"id": "m1", "name": "Two silos"})
    people = [
        {"id": "ann", "name": "Ann Evans", "silo": "health"},
        {"id": "bea", "name": "Bea Secret", "silo": "health", "visibility": "anonymised"},
        {"id": "dai", "name": "Dai Hidden", "silo": "health", "visibility": "hidden"},
        {"id": "cai", "name": "Cai Price", "silo": "housing"},
        {"id": "eve", "name": "Eve Lewis", "silo": "housing"},
    ]
    ties = [
        {"id": "t1", "source": "ann", "target": "bea", "kind": "knows", "since": "2021-01-01"},
        {"id": "t2", "source": "bea", "target": "cai", "kind": "works_with", "since": "2023-01-01"},
        {"id": "t3", "source": "cai", "target": "eve", "kind": "knows"},
        {
            "id": "t4",
            "source": "dai",
            "target": "ann",
            "kind": "knows",
            "since": "2022-01-01",
            "until": "2022-12-31",
        },
        {"id": "t5", "source": "bea", "target": "dai", "kind": "knows"},
    ]
    r = client.post(f"{MAP}/bulk", json={"people": people, "relationships": ties})
    assert r.status_code == 200, r.json
    return client


@pytest.mark.both_stores
def test_silos_section_matches_hand_count(api):
    """Ties today: ann-bea, bea-dai (health-health: internal 2), bea-cai (cross 1),
    cai-eve (housing internal 1). E = 1, I = 3, overall E-I = (1 - 3) / 4 = -0.5."""
    silos = api.get(f"{MAP}/analysis/silos").json["silos"]
    assert silos["headline"]["ties"] == 4
    assert silos["headline"]["cross_group_ties"] == 1
    assert silos["headline"]["ei_index"] == pytest.approx(-0.5)


def test_articulation_points_are_reported_by_pseudonym_and_label(api):
    """Today's path is dai - bea - ann / bea - cai - eve. Removing bea leaves
    {ann}, {dai} (health) and {cai, eve} (housing): health and housing are cut apart.
    Removing cai leaves {ann, bea, dai} (health) and {eve} (housing): the same. Ann,
    dai and eve are leaves. So exactly bea and cai join health and housing."""
    bridging = api.get(f"{MAP}/analysis/bridging").json["bridging"]
    joining = {p["label"]: p for p in bridging["articulation_points"] if p["joins"]}
    assert set(joining) == {"a person in health", "Cai Price"}
    bea = joining["a person in health"]
    assert bea["joins"] == [["health", "housing"]] and bea["node"].startswith("anon-")


def test_hidden_and_anonymised_never_named(api):
    for path in ("", "/centrality", "/bridging", "/silos", "/communities", "/introductions"):
        body = json.dumps(api.get(f"{MAP}/analysis{path}?limit=1000").json)
        for secret in ("Dai Hidden", '"dai"', "Bea Secret", '"bea"'):
            assert secret not in body, (path, secret)
        assert "hidden-" not in body
    change = json.dumps(api.get(f"{MAP}/analysis/change?from=2022-06-01&to=2024-01-01").json)
    assert "dai" not in change and "Dai" not in change and "hidden-" not in change


def test_hidden_people_still_count_in_structure(api):
    """dai is hidden but bea-dai is a real tie: 4 ties today, not 3."""
    report = api.get(f"{MAP}/analysis").json
    assert report["graph"] == {"nodes": 5, "ties": 4}
    degrees = {row["label"]: row["degree"] for row in report["centrality"]["nodes"]}
    assert degrees["a person in health"] == 3  # bea: ann, cai, dai
    assert len(report["centrality"]["nodes"]) == 4  # dai's row is gone


@pytest.mark.both_stores
def test_as_of_and_change(api):
    """On 2022-06-01: ann-bea, dai-ann (t4), cai-eve, bea-dai; no cross tie yet.
    By 2024-01-01 bea-cai (health-housing) is gained and dai-ann has ended."""
    past = api.get(f"{MAP}/analysis/silos?as_of=2022-06-01").json["silos"]["headline"]
    assert past["cross_group_ties"] == 0 and past["ei_index"] == -1
    change = api.get(f"{MAP}/analysis/change?from=2022-06-01&to=2024-01-01").json["change"]
    assert change["difference"]["cross_group_ties"] == 1
    assert [t["groups"] for t in change["gained"]] == [["health", "housing"]]


def test_results_are_cached_per_version(app, api):
    cache = app.extensions["bridgemap.cache"]
    api.get(f"{MAP}/analysis/silos")
    misses = cache.misses
    api.get(f"{MAP}/analysis/silos?limit=5")
    assert cache.misses == misses and cache.hits >= 1
    api.patch(f"{MAP}/people/eve", json={"role": "officer"})  # a write bumps the version
    api.get(f"{MAP}/analysis/silos")
    assert cache.misses == misses + 1


def test_paging_of_node_tables(api):
    page = api.get(f"{MAP}/analysis/centrality?limit=2&offset=1").json["centrality"]
    assert len(page["nodes"]) == 2 and page["nodes_total"] == 4
    method = page["method"]
    assert method["betweenness"]["method"] == "exact"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("group_by=colour", "group_by"),
        ("as_of=last-tuesday", "as_of"),
        ("limit=0", "limit"),
        ("seed=-3", "seed"),
        ("unknown=1", "unknown"),
    ],
)
def test_bad_parameters_are_422(api, query, field):
    r = api.get(f"{MAP}/analysis?{query}")
    assert r.status_code == 422 and field in json.dumps(r.json["errors"])


def test_change_from_after_to_is_422(api):
    r = api.get(f"{MAP}/analysis/change?from=2025-01-01&to=2024-01-01")
    assert r.status_code == 422 and "from" in r.json["errors"]


def test_unknown_map_is_404(api):
    assert api.get("/api/v1/maps/nope/analysis").status_code == 404


@pytest.mark.parametrize("people", [0, 1, 2])
def test_tiny_maps_give_well_formed_reports(client, people):
    client.post("/api/v1/maps", json={"id": "tiny", "name": "Tiny"})
    for i in range(people):
        client.post("/api/v1/maps/tiny/people", json={"id": f"p{i}", "name": "P", "silo": "health"})
    r = client.get("/api/v1/maps/tiny/analysis")
    assert r.status_code == 200, r.json
    assert r.json["graph"] == {"nodes": people, "ties": 0}
    assert r.json["silos"]["headline"]["ties"] == 0
    assert client.get("/api/v1/maps/tiny/analysis/change").status_code == 200
