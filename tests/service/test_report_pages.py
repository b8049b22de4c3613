"""The API's report pages: per-node dicts paged like the node tables, and each page
encoded once per map version (repeated requests are a cache lookup)."""

from __future__ import annotations

from tests.conftest import operator_with_map

MAP = "/api/v1/maps/m1"


def _map(tmp_path):
    client = operator_with_map(tmp_path)
    silos = ["health", "housing"]
    people = [{"id": f"p{i}", "name": f"P {i}", "silo": silos[i % 2]} for i in range(12)]
    ties = [
        {"id": f"t{i}", "source": f"p{i}", "target": f"p{(i + 1) % 12}", "kind": "knows"}
        for i in range(12)
    ]
    r = client.post(f"{MAP}/bulk", json={"people": people, "relationships": ties})
    assert r.status_code == 200, r.get_json()
    return client


def test_per_node_dicts_are_paged_with_totals(tmp_path):
    client = _map(tmp_path)
    whole = client.get(f"{MAP}/analysis?limit=1000").get_json()
    nodes = whole["silos"]["ei_index"]["nodes"]
    membership = whole["communities"]["membership"]
    assert len(nodes) == 12 and len(membership) == 12
    page = client.get(f"{MAP}/analysis?limit=5&offset=4").get_json()
    ei = page["silos"]["ei_index"]
    assert ei["nodes_total"] == 12 and list(ei["nodes"]) == list(nodes)[4:9]
    assert ei["nodes"] == {k: nodes[k] for k in list(nodes)[4:9]}
    comm = page["communities"]
    assert comm["membership_total"] == 12 and list(comm["membership"]) == list(membership)[4:9]
    assert page["silos"]["ei_index"]["groups"] == whole["silos"]["ei_index"]["groups"]
    section = client.get(f"{MAP}/analysis/communities?limit=3").get_json()["communities"]
    assert len(section["membership"]) == 3 and section["membership_total"] == 12


def test_pages_are_encoded_once_per_version(tmp_path):
    client = _map(tmp_path)
    app = client.application
    pages, reports = app.extensions["bridgemap.pages"], app.extensions["bridgemap.cache"]
    first = client.get(f"{MAP}/analysis?limit=3")
    hits = pages.hits
    again = client.get(f"{MAP}/analysis?limit=3")
    assert again.data == first.data and pages.hits == hits + 1
    assert again.headers["Content-Type"] == "application/json"
    # another page of the same report: encoded anew from the cached report
    misses = reports.misses
    client.get(f"{MAP}/analysis?limit=3&offset=3")
    assert reports.misses == misses
    # a write: a new version, a new page
    client.patch(f"{MAP}/people/p1", json={"role": "nurse"})
    after = client.get(f"{MAP}/analysis?limit=3")
    assert after.get_json()["map"]["version"] == first.get_json()["map"]["version"] + 1
