"""Liveness and readiness: ``/healthz`` asks the store to answer, within a deadline.

It is public (load balancers call it without a token), so it says only ``ok`` or
``unavailable``: not which store, not why (the reason is logged).

A store that hangs (a Neo4j server that accepts connections but never answers) must
not hang the health check: the ping runs in the app's one probe thread and the check
answers 503 after ``HEALTH_TIMEOUT`` seconds; while that ping is still stuck, later
checks answer 503 at once instead of piling up threads. Checks that arrive together (a
load balancer's nodes, a monitor) wait on the one ping in flight, for what is left of
its deadline: a ping merely in progress is not a failure (before, a second check at
the same moment answered 503, and under load one check in twenty did).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as Late

from flask import Blueprint, current_app, jsonify

from graph_models.errors import StoreUnavailable
from service.usecases.context import store

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__)


class Probe:
    """One background thread that pings the store, and the ping in flight."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridgemap-health")
        self.pending: Future | None = None
        self.started = 0.0
        self.lock = threading.Lock()

    def check(self, ping, timeout: float) -> str | None:
        """``None`` if ``ping`` returned within ``timeout`` seconds, else the reason."""
        with self.lock:
            now = time.monotonic()
            if self.pending is None or self.pending.done():
                self.pending, self.started = self.pool.submit(ping), now
            elif now - self.started >= timeout:
                return "the previous health check has not returned yet"
            pending, left = self.pending, self.started + timeout - now
        try:
            pending.result(timeout=left)
        except Late:
            return f"the store did not answer within {timeout} s"
        except StoreUnavailable as exc:
            return exc.message
        return None


def _probe() -> Probe:
    return current_app.extensions.setdefault("bridgemap.health", Probe())


@blp.get("/healthz")
def healthz():
    """200 when the store answers in time; 503 when it does not."""
    problem = _probe().check(store().ping, current_app.config["HEALTH_TIMEOUT"])
    if problem:
        log.warning("health check: %s", problem)
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
