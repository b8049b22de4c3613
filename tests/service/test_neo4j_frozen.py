"""A Neo4j server that hangs (process stopped with SIGSTOP: connections are accepted by
the kernel, nothing answers) must not hang the service: ``/healthz`` answers 503 within
a few seconds, an API read gives 503 before a gunicorn worker would be killed, and both
recover by themselves once the server runs again (SIGCONT)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from service.stores import open_store
from tests.conftest import ADMIN_SECRET, make_app, unavailable
from tests.neo4j_server import LocalNeo4j, free_port

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

HEALTH_TIMEOUT = 2
NEO4J_TIMEOUT = 8
GUNICORN_WORKER_TIMEOUT = 30


def timed(call):
    start = time.monotonic()
    response = call()
    return response.status_code, time.monotonic() - start


def test_a_frozen_neo4j_gives_prompt_503s_and_the_service_recovers(tmp_path):
    server = LocalNeo4j(tmp_path / "neo4j", free_port())
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - reported through unavailable()
        unavailable(f"could not start Neo4j: {exc}")
    config = {
        "NEO4J_URI": server.uri,
        "NEO4J_PASSWORD": "",
        "NEO4J_TIMEOUT": NEO4J_TIMEOUT,
        "HEALTH_TIMEOUT": HEALTH_TIMEOUT,
        "SECRET_KEY": "frozen-test-secret",
        "SECRET_KEY_FILE": str(tmp_path / "key"),
    }
    store = open_store(config)
    try:
        app = make_app(store, **config)
        client = app.test_client()
        client.token = ADMIN_SECRET
        # a fresh server may still be warming up (building the new schema's indexes):
        # what is tested is a *frozen* server, so wait for it to answer a write first
        deadline = time.monotonic() + 120
        made = client.post("/api/v1/maps", json={"id": "m1", "name": "M"}).status_code
        while made == 503 and time.monotonic() < deadline:
            time.sleep(2)
            made = client.post("/api/v1/maps", json={"id": "m1", "name": "M"}).status_code
        assert made in (201, 409)  # 409: an earlier try landed after its deadline
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/maps/m1/people").status_code == 200

        os.kill(server.pid, signal.SIGSTOP)
        try:
            status, took = timed(lambda: client.get("/healthz"))
            assert status == 503 and took < HEALTH_TIMEOUT + 1.5, took
            status, took = timed(lambda: client.get("/api/v1/maps/m1/people"))
            assert status == 503 and took < GUNICORN_WORKER_TIMEOUT - 5, took
            status, took = timed(lambda: client.get("/healthz"))  # a ping may still be stuck
            assert status == 503 and took < HEALTH_TIMEOUT + 1.5, took
        finally:
            os.kill(server.pid, signal.SIGCONT)

        deadline = time.monotonic() + 60
        while client.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the health check did not recover"
            time.sleep(0.5)
        assert client.get("/api/v1/maps/m1/people").status_code == 200
    finally:
        store.close()
        server.stop()
