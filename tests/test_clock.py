"""One clock: stored times are UTC whatever the server's time zone, and nothing else
in the code reads the clock (``graph_models.clock`` is the one place)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_models import clock, model
from graph_models.model import Map
from graph_models.store.embedded import EmbeddedStore
from service import auth

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def new_york(monkeypatch):
    """The process's local time zone set to UTC-5/-4 (restored afterwards)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    assert datetime.now().astimezone().utcoffset() != UTC.utcoffset(None)
    yield
    monkeypatch.undo()
    time.tzset()


def test_stored_times_are_utc_on_a_server_that_is_not(new_york, tmp_path):
    for stamp in (model.utcnow(), auth.now_iso(), clock.timestamp()):
        assert stamp.endswith("+00:00"), stamp
        assert abs((datetime.fromisoformat(stamp) - datetime.now(UTC)).total_seconds()) < 60
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    made = store.create_map(Map("m", "M"))
    assert made.created_at.endswith("+00:00")
    assert store.get_map("m").updated_at.endswith("+00:00")
    store.close()


def test_now_is_aware_utc_to_the_second():
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset().total_seconds() == 0
    assert now.microsecond == 0


#: Reading the clock anywhere but graph_models/clock.py.
CLOCK_READS = re.compile(r"\b(datetime\.(now|utcnow|today)|date\.today)\(")


def test_nothing_else_reads_the_clock():
    offenders = []
    for package in ("graph_models", "service", "visualisations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "graph_models" / "clock.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if CLOCK_READS.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use graph_models.clock:\n" + "\n".join(offenders)


def test_today_is_the_servers_calendar_day():
    assert clock.today() == datetime.now().date()  # local, not UTC (see the module)
