"""``REPORT_PROCESSES``: the service's cold reports share a large map's sections with a
forked child (:mod:`graph_models.report_split`) unless it is set to 1, and the answer
is the same either way."""

from __future__ import annotations

import json

import pytest

from graph_models.store.embedded import EmbeddedStore
from tests.conftest import ADMIN_SECRET, make_app
from tests.service.test_background_paths import MAP, _people_and_ties
from tests.test_report_split import force_split, record_forks


@pytest.fixture
def forks(monkeypatch):
    """Split whatever the size; the pids of the children forked meanwhile."""
    force_split(monkeypatch)
    return record_forks(monkeypatch)


def _report(tmp_path, name: str, **config) -> bytes:
    app = make_app(EmbeddedStore(tmp_path / f"{name}.sqlite3"), **config)
    c = app.test_client()
    c.token = ADMIN_SECRET
    assert c.post("/api/v1/maps", json={"id": "m1", "name": "Map"}).status_code == 201
    people, ties = _people_and_ties()
    assert c.post(f"{MAP}/bulk", json={"people": people, "relationships": ties}).status_code == 200
    answer = c.get(f"{MAP}/analysis")
    assert answer.status_code == 200
    return answer.get_data()


def test_report_processes_turns_the_split_off_and_the_answer_is_the_same(tmp_path, forks):
    one = _report(tmp_path, "one", REPORT_PROCESSES=1, INLINE_ANALYSIS_SECONDS=60)
    assert forks == []
    two = _report(tmp_path, "two", INLINE_ANALYSIS_SECONDS=60)  # the default: 2
    assert len(forks) == 1
    assert _without_seconds(one) == _without_seconds(two)


def _without_seconds(body: bytes) -> bytes:
    """The answer without the time exact paths took (it differs between two runs)."""
    report = json.loads(body)
    for measure in ("betweenness", "closeness"):
        report["centrality"]["method"][measure].pop("seconds", None)
    return json.dumps(report).encode()
