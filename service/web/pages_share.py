"""Share a map: create, list and revoke viewer tokens and community links.

A new link's secret is shown once, on the page that created it, with a copy button;
the list shows everything else (who, when, status). Tokens are made and revoked with
the same store calls and rules as the token API.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from graph_models.errors import InvalidInput
from graph_models.model import Visibility
from service import auth
from service.i18n import gettext, lazy_gettext
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


def _render(map_id: str, *, errors=None, created=None, form=None, status=200):
    m = store().get_map(map_id)
    records = store().graph(map_id)
    subjects = sorted(
        (
            (n.id, n.name, n.silo)
            for n in records.nodes
            if getattr(n, "visibility", None) is not Visibility.HIDDEN
        ),
        key=lambda t: t[1].casefold(),
    )
    names = {n.id: n.name for n in records.nodes}
    listed = tokens.map_tokens(map_id)
    listed.sort(key=lambda t: (t["status"] != "active", t["created_at"] or ""))
    return render_template(
        "share.html",
        current_map=m,
        roles=ROLES,
        subjects=subjects,
        names=names,
        tokens=listed,
        errors=errors or {},
        created=created,
        form=form or {},
    ), status


@bp.route("/maps/<map_id>/share", methods=["GET", "POST"])
def share(map_id):
    if request.method == "GET":
        return _render(map_id)
    form = request.form
    role = form.get("role", "")
    subject = form.get("subject", "") if role == auth.COMMUNITY else ""
    label = (form.get("label") or "").strip()[:200]
    errors = {}
    if role not in auth.MAP_ROLES:
        errors["role"] = [gettext("Choose who the link is for.")]
    else:
        try:
            created = tokens.issue(map_id, role, label=label, subject=subject)
        except InvalidInput as exc:
            errors = {k: [m.capitalize() for m in v] for k, v in exc.errors.items()}
    if errors:
        return _render(map_id, errors=errors, form=form.to_dict(), status=422)
    return _render(map_id, created={"link": created["share_url"], "role": role, "label": label})


@bp.post("/maps/<map_id>/share/<token_id>/revoke")
def revoke(map_id, token_id):
    tokens.revoke(map_id, token_id)
    flash(gettext("The link was revoked: it no longer opens anything."))
    return redirect(url_for("pages_share.share", map_id=map_id))
