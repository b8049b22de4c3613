"""GDPR: the audit log of a map and a person's subject access export.

Erasure is ``DELETE /api/v1/maps/<map>/people/<id>``: the person, their ties and every
cached result that held them go; the audit log keeps only a one-way digest of their id.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from service.api.args import PageArgs, page_schema
from service.api.blueprint import Blueprint
from service.usecases import privacy
from service.usecases.context import store

blp = Blueprint(
    "privacy",
    __name__,
    url_prefix="/api/v1/maps/<map_id>",
    description="The audit log and subject access exports (coordinators)",
)


class AuditRecordSchema(ma.Schema):
    at = fields.String()
    actor = fields.String(metadata={"description": "role:token-id that wrote"})
    action = fields.String()
    entity_type = fields.String()
    entity_ref = fields.String(
        metadata={"description": "an id; erased:... (a keyed digest) once erased"}
    )


AuditPage = page_schema(AuditRecordSchema, "AuditPage")


class SubjectExportSchema(ma.Schema):
    map = fields.Dict()
    generated_at = fields.String()
    person = fields.Dict()
    relationships = fields.List(fields.Dict())
    share_links = fields.List(fields.Dict())
    survey_responses = fields.List(fields.Dict())
    audit = fields.List(fields.Dict())


@blp.route("/audit", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, AuditPage)
def audit(args, map_id):
    """Every write to the map, newest first: when, who (role and token id), what."""
    return store().audit_log(map_id, limit=args["limit"], offset=args["offset"])


@blp.route("/people/<person_id>/export", methods=["GET"])
@blp.response(200, SubjectExportSchema)
def person_export(map_id, person_id):
    """Everything held about one person (a subject access request): their record, their
    ties (the other end as the subject may see it; no notes about others), the share
    links to their web, and the audit entries about them or their ties."""
    return privacy.subject_export(map_id, person_id)
