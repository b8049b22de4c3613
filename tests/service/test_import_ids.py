"""Ids made for rows without one are keyed per map: nobody who knows a person's name
can compute their id, and the same rows get the same ids again, whichever way they come
in (API, import page or command line) (issue: consent under attack, item 4)."""

from __future__ import annotations

import io

from click.testing import CliRunner

from graph_models.io.rows import natural_node_id
from graph_models.model import EntityType
from graph_models.store.embedded import EmbeddedStore
from service.cli import main
from tests.conftest import ADMIN_SECRET, make_app

KEY = "a-secret-key-for-the-import-id-test-0123456789"
ROWS = b"name,silo,role\nCai Price,housing,warden\nAnn Evans,health,GP\n"


def _import(client, map_id):
    return client.post(
        f"/api/v1/maps/{map_id}/import",
        data={"file": (io.BytesIO(ROWS), "people.csv")},
        content_type="multipart/form-data",
    )


def test_generated_ids_cannot_be_computed_from_names_and_stay_stable(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    api = make_app(store, SECRET_KEY=KEY).test_client()
    api.token = ADMIN_SECRET
    for map_id in ("a", "b"):
        api.post("/api/v1/maps", json={"id": map_id, "name": map_id})
        assert _import(api, map_id).json["created"] == 2
    ids = {m: {p.name: p.id for p in store.graph(m).people} for m in ("a", "b")}
    unkeyed = natural_node_id(EntityType.PERSON, "Cai Price")
    assert ids["a"]["Cai Price"] != unkeyed  # what anyone could compute from the name
    assert ids["a"]["Cai Price"].startswith("cai-price-")  # still readable for coordinators
    assert ids["a"]["Cai Price"] != ids["b"]["Cai Price"]  # each map has its own key
    assert _import(api, "a").json["unchanged"] == 2  # re-import: the same ids

    # the command line, with the service's secret, makes the same ids
    env = {
        "BRIDGEMAP_DATABASE": str(tmp_path / "db.sqlite3"),
        "BRIDGEMAP_SECRET_KEY": KEY,
    }
    (tmp_path / "c.csv").write_bytes(ROWS)
    api.post("/api/v1/maps", json={"id": "c", "name": "c"})
    result = CliRunner().invoke(main, ["import", "c", str(tmp_path / "c.csv")], env=env)
    assert result.exit_code == 0, result.output
    cli_ids = {p.name: p.id for p in EmbeddedStore(tmp_path / "db.sqlite3").graph("c").people}
    with api.application.app_context():
        from service.usecases.imports import id_key

        expected = natural_node_id(EntityType.PERSON, "Cai Price", id_key("c"))
    assert cli_ids["Cai Price"] == expected
