"""The Cymraeg / English switch: a small form on every page that sets the session's
language and returns to the same page.

It is a plain form (no script needed), posted with the CSRF token as the app's other
forms are. The language is kept in the session (``session["lang"]``, read by
:func:`service.i18n.select_locale`), so it lasts until the browser's session ends, and
signing in with a token or a share link keeps it (a share link may set its own).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, session, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField

from service.errors import error_response
from service.i18n import gettext, supported_language

bp = Blueprint("pages_language", __name__)


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/maps/x?view=silos``), else None: the
    switch returns only to our own pages, never to another host (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return None
    return target


@bp.post("/language")
def choose():
    """Set the session's language to the chosen one and go back to the page it was
    chosen on (or the start page)."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return error_response(
            400, gettext("the form expired or did not come from this site; please try again")
        )
    lang = supported_language(form.lang.data)
    if lang is None:
        return error_response(
            422,
            gettext("this language is not offered"),
            {"lang": [gettext("not offered here")]},
        )
    session["lang"] = lang
    return redirect(local_path(form.next.data) or url_for("pages.home"), code=303)
