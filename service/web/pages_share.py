"""Share a map: create, list and revoke viewer tokens and community links.

A new link's secret is shown once, on the page that created it, with a copy button;
the list shows everything else (who, when, status). Tokens are made and revoked with
the same store calls and rules as the token API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import marshmallow as ma
from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import fields, validate

from graph_models import clock
from graph_models.errors import InvalidInput
from graph_models.model import Visibility
from graph_models.text import fold
from service import auth
from service.i18n import gettext, lazy_gettext
from service.query import query_args, reads_query
from service.usecases import tokens
from service.usecases.context import store

bp = Blueprint("pages_share", __name__)

ROLES = [
    (
        "viewer",
        lazy_gettext("Viewer (commissioner): reads the map’s analysis, small groups hidden"),
    ),
    ("community", lazy_gettext("Community link: one person’s or organisation’s own web only")),
    ("coordinator", lazy_gettext("Coordinator: reads and changes everything in this map")),
]


#: At most this many people are offered for one search of whose web a link shows.
MATCHES = 30


class ShareQuery(ma.Schema):
    """``find``: a name (or part of one) to choose a community link's subject from."""

    class Meta:
        unknown = ma.RAISE

    find = fields.String(load_default="", validate=validate.Length(max=200))


def _expiry(raw: str) -> tuple[datetime | None, list | None]:
    """The chosen expiry date as the end of that day (UTC), or an error message."""
    if not raw:
        return None, None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, [gettext("Enter a date, for example 31/12/2026.")]
    if day <= clock.today():
        return None, [gettext("Choose a date after today.")]
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC), None


def _render(map_id: str, *, errors=None, created=None, form=None, status=200, find=""):
    m = store().get_map(map_id)
    records = store().graph(map_id)
    form = form or {}
    wanted = fold(find.strip())
    chosen = form.get("subject", "")
    subjects = sorted(
        (
            (n.id, n.name, n.silo)
            for n in records.nodes
            if getattr(n, "visibility", None) is not Visibility.HIDDEN
            and ((wanted and wanted in fold(n.name)) or n.id == chosen)
        ),
        key=lambda t: t[1].casefold(),
    )
    more = max(0, len(subjects) - MATCHES)
    subjects = subjects[:MATCHES]
    names = {n.id: n.name for n in records.nodes}
    listed = tokens.map_tokens(map_id)
    listed.sort(key=lambda t: (t["status"] != "active", t["created_at"] or ""))
    return render_template(
        "share.html",
        current_map=m,
        roles=ROLES,
        subjects=subjects,
        more_subjects=more,
        find=find,
        today=clock.today(),
        names=names,
        tokens=listed,
        errors=errors or {},
        created=created,
        form=form,
    ), status


@bp.route("/maps/<map_id>/share", methods=["GET", "POST"])
@reads_query(ShareQuery)
def share(map_id):
    if request.method == "GET":
        find = query_args()["find"]
        return _render(map_id, find=find, form={"role": "community"} if find else None)
    form = request.form
    role = form.get("role", "")
    subject = form.get("subject", "") if role == auth.COMMUNITY else ""
    label = (form.get("label") or "").strip()[:200]
    language = (form.get("language") or "").strip()[:20]
    errors = {}
    expires_at, problem = _expiry((form.get("expires_on") or "").strip())
    if problem:
        errors["expires_on"] = problem
    if role not in auth.MAP_ROLES:
        errors["role"] = [gettext("Choose who the link is for.")]
    elif not errors:
        try:
            created = tokens.issue(
                map_id,
                role,
                label=label,
                subject=subject,
                expires_at=expires_at,
                language=language,
            )
        except InvalidInput as exc:
            errors = {k: [m.capitalize() for m in v] for k, v in exc.errors.items()}
    if errors:
        return _render(map_id, errors=errors, form=form.to_dict(), status=422)
    return _render(
        map_id,
        created={
            "link": created["share_url"],
            "role": role,
            "label": label,
            "expires": expires_at.date() if expires_at else None,
        },
    )


@bp.post("/maps/<map_id>/share/<token_id>/revoke")
def revoke(map_id, token_id):
    tokens.revoke(map_id, token_id)
    flash(gettext("The link was revoked: it no longer opens anything."))
    return redirect(url_for("pages_share.share", map_id=map_id))
