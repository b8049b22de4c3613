"""One error shape for every failure: ``{"code", "status", "message", "errors"}``.

``code`` is the HTTP status number, ``status`` its name, ``message`` a sentence for a
person, ``errors`` the offending fields or rows. No stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, make_response, render_template, request
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


def wants_html() -> bool:
    """True for a browser asking for a page (not the API): errors are then pages too.

    The API (``/api/``) always answers JSON; elsewhere, a client that prefers HTML to
    JSON (a browser's ``Accept``) gets an HTML page with the same status and message.
    """
    if request.path.startswith("/api/"):
        return False
    accept = request.accept_mimetypes
    return accept.accept_html and accept["text/html"] > accept["application/json"]


def _reply(body: dict):
    if wants_html():
        return make_response(render_template("error.html", error=body)), body["code"]
    return jsonify(body), body["code"]


def error_response(status: int, message: str, errors=None):
    """A ``(response, status)`` pair in the one error shape (a page for browsers)."""
    return _reply(error_body(status, message, errors))


def _domain_error(exc: BridgemapError):
    return _reply(error_body(exc.status, exc.message, exc.errors))


def _http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    message = data.get("message") or exc.description or exc.name
    if exc.code == 422 and errors and not data.get("message"):
        message = "some fields are not valid"
    response, _ = _reply(error_body(exc.code or 500, message, errors))
    for key, value in exc.get_headers():  # e.g. Allow on 405 (RFC 9110), Retry-After
        if key.lower() != "content-type":
            response.headers[key] = value
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    return response, exc.code


def _unexpected(exc: Exception):
    log.exception("unhandled error", exc_info=exc)
    return _reply(error_body(500, "something went wrong on our side; it has been logged"))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(BridgemapError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
