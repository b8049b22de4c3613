"""One error shape for every failure: ``{"code", "status", "message", "errors"}``.

``code`` is the HTTP status number, ``status`` its name, ``message`` a sentence for a
person, ``errors`` the offending fields or rows. No stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from graph_models.errors import BridgemapError

log = logging.getLogger(__name__)


def error_body(status: int, message: str, errors=None) -> dict:
    return {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
        "errors": errors or {},
    }


def _domain_error(exc: BridgemapError):
    return jsonify(error_body(exc.status, exc.message, exc.errors)), exc.status


def _http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    message = data.get("message") or exc.description or exc.name
    if exc.code == 422 and errors and not data.get("message"):
        message = "some fields are not valid"
    response = jsonify(error_body(exc.code or 500, message, errors))
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    return response, exc.code


def _unexpected(exc: Exception):
    log.exception("unhandled error", exc_info=exc)
    return jsonify(error_body(500, "something went wrong on our side; it has been logged")), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(BridgemapError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
