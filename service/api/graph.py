"""Whole-map operations: batches, the graph as JSON, a node's neighbourhood."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from graph_models import schemas
from graph_models.graph_schema import GraphSchema
from graph_models.io.rows import build_batch
from service.api.blueprint import Blueprint
from service.usecases import viewer_graphs
from service.usecases.context import actor, store

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
    built = build_batch(store().get_map(map_id), batch)
    result = store().bulk_upsert(
        map_id,
        built["people"] + built["organisations"],
        built["relationships"],
        actor=actor(),
    )
    return result.as_dict()


@blp.route("/graph", methods=["GET"])
@blp.arguments(AsOfArgs, location="query")
@blp.response(200, GraphSchema)
def graph(args, map_id):
    """The whole map as nodes and edges (ties active on ``as_of`` only, if given)."""
    return viewer_graphs.graph_data(store().graph(map_id, as_of=args.get("as_of")))


@blp.route("/nodes/<node_id>/neighbourhood", methods=["GET"])
@blp.arguments(HopsArgs, location="query")
@blp.response(200, GraphSchema)
def neighbourhood(args, map_id, node_id):
    """A person's or organisation's web: everyone within ``hops`` ties, and their ties."""
    records = store().neighbourhood(map_id, node_id, hops=args["hops"])
    return viewer_graphs.graph_data(records, centre=node_id, hops=args["hops"])
