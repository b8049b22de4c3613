"""Whole-map operations: batches, the graph as JSON, a node's neighbourhood."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from graph_models import schemas
from graph_models.errors import InvalidInput
from graph_models.model import EntityType, to_dict
from service.api.blueprint import Blueprint
from service.api.context import actor, store
from service.api.entities import build_entity

blp = Blueprint(
    "graph", __name__, url_prefix="/api/v1/maps/<map_id>", description="Batches and graphs"
)


class BulkResultSchema(ma.Schema):
    created = fields.Integer()
    updated = fields.Integer()


class AsOfArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    as_of = fields.Date(metadata={"description": "only ties active on this day (YYYY-MM-DD)"})


class HopsArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    hops = fields.Integer(load_default=1, validate=validate.Range(min=1, max=3))


@blp.route("/bulk", methods=["POST"])
@blp.arguments(schemas.BulkSchema)
@blp.response(200, BulkResultSchema)
def bulk(batch, map_id):
    """Create or replace a whole batch of people, organisations and ties: all or nothing.

    Any invalid row rejects the whole batch (422), and ``errors`` names each bad row by
    section and index, e.g. ``{"relationships": {"17": {"target": [...]}}}``.
    """
    sections = (
        ("people", EntityType.PERSON),
        ("organisations", EntityType.ORGANISATION),
        ("relationships", EntityType.RELATIONSHIP),
    )
    built: dict[str, list] = {}
    errors: dict[str, dict] = {}
    for section, etype in sections:
        built[section] = []
        for i, row in enumerate(batch[section]):
            try:
                built[section].append(build_entity(etype, row, map_id))
            except InvalidInput as exc:
                errors.setdefault(section, {})[str(i)] = exc.errors
    if errors:
        raise InvalidInput("some rows are not valid; nothing was written", errors)
    result = store().bulk_upsert(
        map_id,
        built["people"] + built["organisations"],
        built["relationships"],
        actor=actor(),
    )
    return result.as_dict()


def _graph_json(records) -> dict:
    return {
        "map": {"id": records.map.id, "name": records.map.name, "version": records.map.version},
        "nodes": [{"type": n.type.value, **to_dict(n)} for n in records.nodes],
        "edges": [to_dict(r) for r in records.relationships],
    }


@blp.route("/graph", methods=["GET"])
@blp.arguments(AsOfArgs, location="query")
def graph(args, map_id):
    """The whole map as nodes and edges (ties active on ``as_of`` only, if given)."""
    return _graph_json(store().graph(map_id, as_of=args.get("as_of")))


@blp.route("/nodes/<node_id>/neighbourhood", methods=["GET"])
@blp.arguments(HopsArgs, location="query")
def neighbourhood(args, map_id, node_id):
    """A person's or organisation's web: everyone within ``hops`` ties, and their ties."""
    return _graph_json(store().neighbourhood(map_id, node_id, hops=args["hops"]))
