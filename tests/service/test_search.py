"""Name search folds case and accents for every reader: coordinators search the store's
folded key, viewers search what they may read, folded the same way."""

from __future__ import annotations

from tests.conftest import operator_with_map


def test_name_search_folds_accents_for_every_reader(tmp_path):
    """ "sian" finds "Siân" in the stores (coordinators) and in what viewers read."""
    admin = operator_with_map(tmp_path, "w")
    admin.post("/api/v1/maps/w/people", json={"id": "s", "name": "Siân Llŷr", "silo": "health"})
    made = admin.post("/api/v1/maps/w/tokens", json={"role": "viewer"}).get_json()
    viewer = admin.application.test_client()
    viewer.token = made["token"]
    for client in (admin, viewer):
        for q in ("sian", "SIAN", "llyr"):
            names = [p["name"] for p in client.get(f"/api/v1/maps/w/people?q={q}").json["items"]]
            assert names == ["Siân Llŷr"], (q, names)
