"""The Cymraeg / English switch: a small form on every page that sets the session's
language and returns to the same page.

It is a plain form (no script needed), posted with the CSRF token as the app's other
forms are. The language is kept in the session (``session["lang"]``, read by
:func:`service.i18n.select_locale`), so it lasts until the browser's session ends, and
signing in with a token or a share link keeps it (a share link may set its own).

The graph pages opened on their own (:mod:`service.web.graph_views`) are drawn by
:mod:`visualisations`, which has no forms and no CSRF token: their switch is two links to
the same page with ``?lang=cy`` / ``?lang=en`` (:func:`query_language`,
:func:`switch_links`). The page is drawn in the language asked for; the choice is
remembered in the session only when the browser says the request came from one of our
own pages (``Sec-Fetch-Site: same-origin``), so a link on another site can show a page
in a language but never change the language a reader chose.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, redirect, request, session, url_for
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import HiddenField

from service.errors import error_response
from service.i18n import gettext, language_choices, supported_language, use_language

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


# -- the graph pages' switch: links with ?lang= ---------------------------------------------


def offered_language(value: str) -> None:
    """A query schema's validator: ``value`` must be a language the service offers."""
    if supported_language(value) is None:
        raise ValidationError(gettext("not offered here"))


def query_language(lang: str | None) -> None:
    """Serve this request in ``lang`` (a ``?lang=`` already checked by
    :func:`offered_language`; None: as the session or browser says), and remember it for
    the session when the request came from our own pages."""
    if not lang:
        return
    use_language(lang)
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        session["lang"] = lang


def switch_links() -> list[dict]:
    """The language switch of a page reached by GET: :func:`service.i18n.language_choices`
    each with ``href``, this page with its query as it is but ``lang`` set to that
    language (repeated arguments kept, in order)."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    here = request.script_root + request.path
    return [
        {**choice, "href": f"{here}?{urlencode([*kept, ('lang', choice['code'])])}"}
        for choice in language_choices()
    ]
