"""Liveness and readiness: ``/healthz`` asks the store to answer."""

from __future__ import annotations

from flask import Blueprint, jsonify

from graph_models.errors import StoreUnavailable
from service.api.context import store

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """200 when the store answers; 503 with the reason when it does not."""
    try:
        store().ping()
    except StoreUnavailable as exc:
        return jsonify(
            {"status": "unavailable", "store": type(store()).__name__, "message": exc.message}
        ), 503
    return jsonify({"status": "ok", "store": type(store()).__name__})
