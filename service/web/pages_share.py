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
from service.api.context import actor, store
from service.api.tokens import check_subject, token_summary
from service.i18n import gettext, lazy_gettext

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
    tokens = [token_summary(t) for t in store().list_tokens(map_id)]
    tokens.sort(key=lambda t: (t["status"] != "active", t["created_at"] or ""), reverse=False)
    return render_template(
        "share.html",
        current_map=m,
        roles=ROLES,
        subjects=subjects,
        names=names,
        tokens=tokens,
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
    values = {"role": role, "subject": form.get("subject", "") if role == auth.COMMUNITY else ""}
    errors = {}
    if role not in auth.MAP_ROLES:
        errors["role"] = [gettext("Choose who the link is for.")]
    else:
        try:
            values["subject"] = check_subject(map_id, values)
        except InvalidInput as exc:
            errors = {k: [m.capitalize() for m in v] for k, v in exc.errors.items()}
    if errors:
        return _render(map_id, errors=errors, form=form.to_dict(), status=422)
    label = (form.get("label") or "").strip()[:200]
    secret, token = auth.issue_token(
        store(), map_id, role, label=label, subject=values["subject"], actor=actor()
    )
    link = url_for("web_auth.share", token=secret, _external=True)
    return _render(map_id, created={"link": link, "role": role, "label": label})


@bp.post("/maps/<map_id>/share/<token_id>/revoke")
def revoke(map_id, token_id):
    store().revoke_token(map_id, token_id, at=auth.now_iso(), actor=actor())
    flash(gettext("The link was revoked: it no longer opens anything."))
    return redirect(url_for("pages_share.share", map_id=map_id))
