"""What every web page shares: the front door, the page assets, and the page context.

The pages are server-rendered (Jinja, autoescape on): no inline script or style, and
nothing from any other host. Every form posts a CSRF token (``csrf_token()`` in the
templates); :func:`service.policy.authorise` checks it before a form's view runs.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, redirect, send_from_directory, url_for
from flask_wtf.csrf import generate_csrf

from service.auth import (
    ADMIN,
    COMMUNITY,
    COORDINATOR,
    RESPONDENT,
    current_principal,
    session_principal,
)
from service.i18n import gettext
from service.policy import MANAGE, OPERATE, ROLES_FOR, WRITE
from service.web.auth_views import landing

bp = Blueprint("pages", __name__)

STATIC = Path(__file__).resolve().parent / "static"
#: The only files the asset route serves.
ASSETS = {
    "bridgemap.css": "text/css",
    "bridgemap.js": "text/javascript",
    "share.js": "text/javascript",
    "survey_roster.js": "text/javascript",
    "name_suggest.js": "text/javascript",
}


def may(permission: str) -> bool:
    """Whether the signed-in token's role holds ``permission`` (for buttons and links)."""
    principal = current_principal()
    return bool(principal and principal.role in ROLES_FOR[permission])


# a global (not a context value), so that imported form macros see it too
bp.add_app_template_global(generate_csrf, "csrf_token")


@bp.app_context_processor
def page_context() -> dict:
    principal = current_principal()
    return {
        "principal": principal,
        "can_write": may(WRITE),
        "can_manage": may(MANAGE),
        "can_operate": may(OPERATE),
        "role_names": {
            ADMIN: gettext("operator"),
            COORDINATOR: gettext("coordinator"),
            "viewer": gettext("viewer (commissioner)"),
            COMMUNITY: gettext("community link"),
            RESPONDENT: gettext("survey respondent"),
        },
    }


@bp.get("/")
def home():
    """Signed in: your maps (a community link: your own web). Otherwise: sign in."""
    principal = session_principal()
    if principal is None:
        return redirect(url_for("web_auth.login"))
    return redirect(landing(principal))


@bp.get("/static/ui/<name>")
def asset(name):
    """The pages' stylesheet and small script, served from our own host."""
    if name not in ASSETS:
        abort(404)
    return send_from_directory(STATIC, name, mimetype=ASSETS[name], max_age=3600)
