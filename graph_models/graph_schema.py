"""The graph as JSON (``/graph``, ``/nodes/<id>/neighbourhood``), declared field by field.

Coordinators get whole records; everyone else gets what
:func:`graph_models.visibility.public_records` lets them read (no contact, anonymised
people under a pseudonym and with no role, area or tags, no free text on ties). Both
have this shape, so the OpenAPI document describes it and schemathesis checks it.
"""

from __future__ import annotations

from marshmallow import fields, validate

from graph_models.analysis.report_schema import Document, MapRefSchema, Part
from graph_models.model import NodeType, OrganisationKind, Visibility

__all__ = ["GraphEdgeSchema", "GraphNodeSchema", "GraphSchema"]


def _str(text: str, *, fmt: str | None = None, **kw) -> fields.String:
    metadata = {"description": text} | ({"format": fmt} if fmt else {})
    return fields.String(metadata=metadata, **kw)


class GraphNodeSchema(Part):
    """A person or an organisation (``type``); some fields belong to one type only."""

    type = _str("person or organisation", validate=validate.OneOf([t.value for t in NodeType]))
    id = _str("the node's id (a viewer sees an anonymised person's pseudonym)")
    name = _str("the name (a viewer sees 'a person in <silo>' for an anonymised person)")
    silo = _str("the silo (sector)")
    area = _str("the area")
    tags = fields.List(fields.String(), metadata={"description": "free tags"})
    role = _str("people: the role (blank for anonymised people shown to viewers)")
    contact = _str("people: contact details (coordinators only)")
    visibility = _str(
        "people: consent (named, anonymised, hidden)",
        validate=validate.OneOf([v.value for v in Visibility]),
    )
    kind = _str(
        "organisations: the kind", validate=validate.OneOf([k.value for k in OrganisationKind])
    )
    consent_set_by = _str("people: who set the consent (self, coordinator, or '')")
    consent_set_at = _str("people: when they set it (coordinators only)")


class GraphEdgeSchema(Part):
    """A relationship between two nodes of the graph."""

    id = _str("the relationship's id (a pseudonym for viewers when an end is anonymised)")
    source = _str("the id of the source node")
    target = _str("the id of the target node")
    kind = _str("the kind of relationship (knows, works_with, member_of...)")
    strength = fields.Integer(metadata={"description": "strength, 1 (weak) to 5 (strong)"})
    since = _str("first day of the tie (YYYY-MM-DD)", allow_none=True, fmt="date")
    until = _str("last day of the tie (YYYY-MM-DD)", allow_none=True, fmt="date")
    notes = _str("free notes (blank for viewers)")
    evidence = _str("where the tie is known from (blank for viewers)")
    origin = _str("where the tie came from: coordinator, import, survey ('' if unrecorded)")
    reported_by = fields.List(
        fields.String(),
        metadata={"description": "the ends that named it in a survey (both: confirmed)"},
    )


class GraphSchema(Document):
    """A map's graph, or a node's neighbourhood: nodes and the ties between them."""

    map = fields.Nested(MapRefSchema)
    nodes = fields.List(fields.Nested(GraphNodeSchema))
    edges = fields.List(fields.Nested(GraphEdgeSchema))
