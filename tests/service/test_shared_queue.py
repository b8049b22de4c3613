"""Several processes on one store and one Redis (BRIDGEMAP_REDIS_URL): rate limits are
counted once for all of them, and the exact analysis of a map is computed once, by a
separate worker process (``bridgemap worker``) on the shared RQ queue, then served by
every process.

Two app objects stand for two gunicorn workers: each has its own Flask-Limiter and its
own scheduler, so without Redis nothing would be shared between them; the worker is a
real subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph_models.store.embedded import EmbeddedStore
from service.queue import QUEUE, connect
from tests.conftest import ADMIN_SECRET, make_app
from tests.service.test_background_paths import MAP, _people_and_ties

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def apps(tmp_path, redis_url):
    connect(redis_url).flushdb()
    path = tmp_path / "db.sqlite3"
    made = [
        make_app(
            EmbeddedStore(path),
            REDIS_URL=redis_url,
            INLINE_ANALYSIS_SECONDS=0,
            AUTH_FAILURE_RATE_LIMIT="3 per minute",
        )
        for _ in range(2)
    ]
    yield made, path
    for app in made:
        app.extensions["bridgemap.background"].shutdown()


def _client(app, token=ADMIN_SECRET):
    c = app.test_client()
    c.token = token
    return c


def _run_worker(path, redis_url) -> None:
    env = {**os.environ, "BRIDGEMAP_REDIS_URL": redis_url, "BRIDGEMAP_DATABASE": str(path)}
    code = "from service.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _outcomes(redis_url) -> list[str]:
    from rq import Queue
    from rq.job import Job

    redis = connect(redis_url)
    registry = Queue(QUEUE, connection=redis).finished_job_registry
    jobs = Job.fetch_many(registry.get_job_ids(), connection=redis)
    return sorted(job.return_value() for job in jobs)


def test_rate_limits_count_across_processes(apps):
    (a, b), _ = apps
    bad_a, bad_b = _client(a, "bm_wrong"), _client(b, "bm_wrong")
    statuses = [c.get("/api/v1/maps").status_code for c in (bad_a, bad_b, bad_a, bad_b)]
    # three failures in all, whichever process saw them, then both refuse
    assert statuses == [401, 401, 401, 429]
    assert bad_a.get("/api/v1/maps").status_code == 429


def test_one_computation_on_the_shared_queue_served_by_every_process(apps, redis_url):
    (a, b), path = apps
    ca, cb = _client(a), _client(b)
    assert ca.post("/api/v1/maps", json={"id": "m1", "name": "Large"}).status_code == 201
    people, ties = _people_and_ties()
    assert cb.post(f"{MAP}/bulk", json={"people": people, "relationships": ties}).status_code == 200
    for c in (ca, cb, ca):  # both processes ask: one job is queued
        assert "pending" in c.get(f"{MAP}/analysis").get_json()["centrality"]
    queue_length = connect(redis_url).llen(f"rq:queue:{QUEUE}")
    assert queue_length == 1
    _run_worker(path, redis_url)
    assert _outcomes(redis_url) == ["saved"]
    ra = ca.get(f"{MAP}/analysis?limit=1000").get_json()["centrality"]
    rb = cb.get(f"{MAP}/analysis?limit=1000").get_json()["centrality"]
    assert ra["method"]["betweenness"]["source"] == "background"
    assert "pending" not in rb and ra["nodes"] == rb["nodes"]

    # a write that leaves the graph as it was: queued again, nothing computed
    assert ca.post(f"{MAP}/tokens", json={"role": "viewer"}).status_code == 201
    _run_worker(path, redis_url)
    assert _outcomes(redis_url) == ["reused", "saved"]  # the second job computed nothing
    assert "pending" not in cb.get(f"{MAP}/analysis").get_json()["centrality"]
