"""One error shape for every failure: ``{"code", "status", "message", "errors"}``.

``code`` is the HTTP status number, ``status`` its name, ``message`` a sentence for a
person, ``errors`` the offending fields or rows. No stack trace ever reaches a client.

``message`` and ``errors`` are in the reader's language (:mod:`service.i18n`): the
domain's :class:`~graph_models.messages.Message` codes and marshmallow's messages are
translated here; ``status`` stays the HTTP reason phrase (for programs), and the HTML
error page shows a translated title instead.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from graph_models.errors import BridgemapError
from service.i18n import gettext, lazy_gettext, translate, translate_errors

log = logging.getLogger(__name__)

#: The HTML error page's heading per status (the JSON keeps the HTTP phrase).
TITLES = {
    400: lazy_gettext("Something in the request is wrong"),
    401: lazy_gettext("Please sign in"),
    403: lazy_gettext("Not allowed"),
    404: lazy_gettext("Not found"),
    405: lazy_gettext("Not allowed here"),
    409: lazy_gettext("It clashes with what is there"),
    413: lazy_gettext("The upload is too large"),
    415: lazy_gettext("This kind of upload is not accepted"),
    422: lazy_gettext("Some input is not valid"),
    429: lazy_gettext("Too many requests"),
    500: lazy_gettext("Something went wrong"),
    503: lazy_gettext("Not available just now"),
}
#: Werkzeug's own descriptions are English: these sentences replace them.
DESCRIPTIONS = {
    400: lazy_gettext("the request could not be understood"),
    404: lazy_gettext("there is nothing at this address"),
    405: lazy_gettext("this address does not take this method"),
    413: lazy_gettext("the upload is larger than this service accepts"),
    415: lazy_gettext("this kind of content is not accepted here"),
}


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
        title = TITLES.get(body["code"])
        page = render_template("error.html", error={**body, "title": title})
        return make_response(page), body["code"]
    return jsonify(body), body["code"]


def error_response(status: int, message: str, errors=None):
    """A ``(response, status)`` pair in the one error shape (a page for browsers)."""
    return _reply(error_body(status, translate(message), translate_errors(errors)))


def _domain_error(exc: BridgemapError):
    message, errors = translate(exc.message), translate_errors(exc.errors)
    return _reply(error_body(exc.status, message, errors))


def _http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = translate_errors(data.get("errors") or data.get("messages") or {})
    described = exc.description
    if described == type(exc).description:  # werkzeug's default English: ours instead
        described = DESCRIPTIONS.get(exc.code, described)
    message = data.get("message") or described or exc.name
    if exc.code == 422 and errors and not data.get("message"):
        message = gettext("some fields are not valid")
    response, _status = _reply(error_body(exc.code or 500, translate(str(message)), errors))
    for key, value in exc.get_headers():  # e.g. Allow on 405 (RFC 9110), Retry-After
        if key.lower() != "content-type":
            response.headers[key] = value
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    return response, exc.code


def _unexpected(exc: Exception):
    log.exception("unhandled error", exc_info=exc)
    return _reply(error_body(500, gettext("something went wrong on our side; it has been logged")))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(BridgemapError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
