"""While a large map's exact betweenness is computed in the background, the dashboard's
broker table says "being computed" with the time expected, not "–"; once it is ready,
the shares."""

from __future__ import annotations

import re

from graph_models.store.embedded import EmbeddedStore
from tests.conftest import ADMIN_SECRET, make_app
from tests.service.test_background_paths import MAP, _people_and_ties

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _brokers(page: str) -> str:
    return re.search(r"<h3>Brokers</h3>.*?</table>", page, re.S)[0]


def test_the_broker_table_says_being_computed_then_shows_the_shares(tmp_path):
    app = make_app(EmbeddedStore(tmp_path / "db.sqlite3"), INLINE_ANALYSIS_SECONDS=0)
    c = app.test_client()
    c.token = ADMIN_SECRET
    assert c.post("/api/v1/maps", json={"id": "m1", "name": "Large"}).status_code == 201
    people, ties = _people_and_ties()
    assert c.post(f"{MAP}/bulk", json={"people": people, "relationships": ties}).status_code == 200
    worker = app.extensions["bridgemap.background"]
    try:
        table = _brokers(c.get("/maps/m1", headers=HTML).get_data(as_text=True))
        assert re.search(r"being computed: ready in about \d+ seconds?", table)
        assert "<td>–</td>" not in table and "of them" not in table
        assert worker.wait(120)
        ready = _brokers(c.get("/maps/m1", headers=HTML).get_data(as_text=True))
        assert "being computed" not in ready and re.search(r"on \d+% of them", ready)
    finally:
        worker.shutdown()
