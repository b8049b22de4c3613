"""The audit log, read-only, for coordinators: who changed what, and when.

The entries hold no personal data (:class:`graph_models.store.base.AuditRecord`: when,
which token, which action, which kind of record and its id); the page names the
record where it still exists, and links to its profile. Same permission as the API's
``/audit`` (``manage``).
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, render_template
from marshmallow import fields, validate

from service.auth import CONFIG_ADMIN_ID
from service.query import query_args, reads_query
from service.usecases.context import store

bp = Blueprint("pages_audit", __name__)

PAGE_SIZE = 50


class AuditQuery(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))


@bp.get("/maps/<map_id>/audit")
@reads_query(AuditQuery)
def audit(map_id):
    m = store().get_map(map_id)
    page = query_args()["page"]
    log = store().audit_log(map_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    kinds = {"person": "people", "organisation": "organisations"}
    names = {n.id: (n.name, kinds.get(n.type.value)) for n in store().graph(map_id).nodes}
    tokens = {t.id: t for t in store().list_tokens(map_id)}
    return render_template(
        "audit.html",
        current_map=m,
        entries=log.items,
        total=log.total,
        page=page,
        pages=max(1, -(-log.total // PAGE_SIZE)),
        names=names,
        tokens=tokens,
        actors={e.actor: _actor(e.actor, tokens) for e in log.items},
    )


def _actor(actor: str, tokens: dict) -> tuple[str, str]:
    """``(role, note)`` of an audit entry's ``role:token-id``: the token's label, if any."""
    role, _, token_id = actor.partition(":")
    if token_id.startswith(CONFIG_ADMIN_ID):  # the configured operator token: its role says it
        return role, ""
    token = tokens.get(token_id)
    return role, (token.label if token is not None and token.label else token_id)
