"""The operator's own audit log: operator tokens made and revoked, maps made and deleted.

A map's audit log goes with the map when it is deleted (it names the map's people's
ids); this one outlives every map, so who deleted a map stays on record.
"""

from __future__ import annotations

from graph_models.store.base import OPERATOR_SCOPE
from service.api.args import PageArgs
from service.api.blueprint import Blueprint
from service.api.privacy import AuditPage
from service.usecases.context import store

blp = Blueprint(
    "operator",
    __name__,
    url_prefix="/api/v1/operator",
    description="The operator's audit log (operator token only)",
)


@blp.route("/audit", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, AuditPage)
def audit(args):
    """Operator actions, newest first: who (role and token id) made or deleted which
    map, and made or revoked which operator token."""
    return store().audit_log(OPERATOR_SCOPE, limit=args["limit"], offset=args["offset"])
