"""Signing a browser in: a small token form at ``/login``, share links, signing out.

A share link (``/share#<token>``) opens a small page whose script (our own, CSP-safe)
reads the secret from the URL fragment — which browsers never send to a server, so it
reaches no access log — and posts it with a CSRF token (no login CSRF). Links made
before that (``/share/<token>``) keep working; the access logs the project configures
mask their secret (:mod:`service.logs`). Either way the browser is signed in and sent
to the token's
page: the map's dashboard for coordinators and viewers, the list of maps for the
operator, the person's or organisation's own web (with plain-language explanations)
for a community link. The session cookie holds a random session id kept server-side
(signing out ends it everywhere), never the token's secret; forms
carry a CSRF token (Flask-WTF), and wrong tokens count against the same per-address
limit as the API's.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, redirect, render_template, session, url_for
from flask_wtf import FlaskForm
from marshmallow import fields, validate
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from graph_models.errors import NotFound
from graph_models.model import EntityType
from service.auth import (
    COMMUNITY,
    RESPONDENT,
    Principal,
    end_session,
    session_principal,
    start_session,
    verify_secret,
)
from service.errors import error_response
from service.i18n import gettext, lazy_gettext, supported_language
from service.policy import failed_attempt
from service.query import query_args, reads_query
from service.usecases import respond
from service.usecases.context import store

bp = Blueprint("web_auth", __name__)


class LoginForm(FlaskForm):
    token = PasswordField(lazy_gettext("Token"), validators=[DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


class ShareForm(FlaskForm):
    token = PasswordField("Token", validators=[DataRequired(), Length(max=200)])


class ShareQuery(ma.Schema):
    """``lang``: the language the coordinator chose for the link (``/share?lang=cy#…``).
    It only starts the session in that language (the switch changes it); a language
    not offered is ignored, so an old or edited link still opens."""

    class Meta:
        unknown = ma.RAISE

    lang = fields.String(load_default="", validate=validate.Length(max=20))


def _link_language() -> None:
    """Start the session in the share link's language, if it names one we offer."""
    lang = supported_language(query_args().get("lang"))
    if lang:
        session["lang"] = lang


def landing(principal: Principal) -> str:
    """Where a signed-in browser goes first."""
    if principal.role == RESPONDENT:
        url = respond.landing_url(principal)
        if url:
            return url
    if principal.role == COMMUNITY:
        try:
            store().get(principal.map_id, EntityType.PERSON, principal.subject)
            kind = "people"
        except NotFound:
            kind = "organisations"
        return f"/maps/{principal.map_id}/{kind}/{principal.subject}/web"
    if principal.map_id:
        return url_for("pages_dashboard.dashboard", map_id=principal.map_id)
    return url_for("pages_maps.maps")


def _sign_in(secret: str):
    """``(principal, None)``, or ``(None, error response)`` for a wrong or throttled token."""
    principal = verify_secret(secret)
    if principal is None:
        return None, failed_attempt()
    return principal, None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        principal, throttled = _sign_in(form.token.data.strip())
        if throttled:
            return throttled
        if principal is not None:
            start_session(principal)
            return redirect(landing(principal))
        error, status = (
            gettext("That token is not valid (it may have expired or been revoked)."),
            401,
        )
    elif form.is_submitted():
        error, status = gettext("The form expired or was incomplete; please try again."), 400
    current = session_principal()
    return (
        render_template(
            "login.html",
            form=form,
            logout_form=LogoutForm(),
            error=error,
            principal=current,
            landing=landing(current) if current else None,
        ),
        status,
    )


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        end_session()
        return redirect(url_for("web_auth.login"))
    return error_response(400, gettext("the form expired; please sign out again from /login"))


@bp.route("/share", methods=["GET", "POST"])
@reads_query(ShareQuery)
def share_open():
    """The page a share link opens; its script posts the secret from the fragment.
    The link's ``lang`` (if any) sets the session's language first, so this page and
    everything after it are in that language."""
    _link_language()
    form = ShareForm()
    lang = supported_language(query_args().get("lang"))
    if not form.is_submitted():
        return render_template("share_open.html", lang=lang)
    if not form.validate():
        return render_template("share_open.html", error=_FORM_EXPIRED, lang=lang), 400
    return _share(form.token.data.strip())


_FORM_EXPIRED = lazy_gettext("The page expired or was incomplete; please open the link again.")


@bp.get("/share/<token>")
@reads_query(ShareQuery)
def share(token):
    _link_language()
    return _share(token)


def _share(token: str):
    principal, throttled = _sign_in(token)
    if throttled:
        return throttled
    if principal is None:
        return error_response(401, gettext("this share link is not valid (expired or revoked?)"))
    start_session(principal)
    return redirect(landing(principal))
