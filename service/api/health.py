"""Liveness and readiness: ``/healthz`` asks the store to answer.

It is public (load balancers call it without a token), so it says only ``ok`` or
``unavailable``: not which store, not why (the reason is logged).
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from graph_models.errors import StoreUnavailable
from service.usecases.context import store

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """200 when the store answers; 503 when it does not."""
    try:
        store().ping()
    except StoreUnavailable as exc:
        log.warning("health check: %s", exc.message)
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
