"""Whole-map operations: batches, the graph as JSON, a node's neighbourhood."""

from __future__ import annotations

from collections import Counter

import marshmallow as ma
import networkx as nx
from marshmallow import fields, validate

from graph_models import schemas
from graph_models.errors import NotFound
from graph_models.graph_schema import GraphSchema
from graph_models.io.rows import build_batch
from graph_models.model import to_dict
from graph_models.visibility import public_records
from service.api.blueprint import Blueprint
from service.api.context import actor, full_access, secret, store

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


def _graph_json(records, *, centre: str | None = None, hops: int = 1) -> dict:
    """Nodes and edges: whole records for coordinators; for everyone else the viewer
    rules of :func:`graph_models.visibility.public_records` (and, for a web, only who is
    still within ``hops`` of the centre once hidden people are left out)."""
    head = {"id": records.map.id, "name": records.map.name, "version": records.map.version}
    if full_access():
        return {
            "map": head,
            "nodes": [{"type": n.type.value, **to_dict(n)} for n in records.nodes],
            "edges": [to_dict(r) for r in records.relationships],
        }
    sizes = None
    if centre is not None:  # small silos are judged on the whole map, not the web
        sizes = Counter(p.silo for p in store().graph(records.map.id).people)
    public = public_records(records, secret=secret(), silo_people=sizes)
    nodes = [{"type": "person", **row} for row in public["people"]]
    nodes += [{"type": "organisation", **row} for row in public["organisations"]]
    edges = public["relationships"]
    if centre is not None:
        start = public["public_ids"].get(centre)
        if start is None:
            raise NotFound(f"no person or organisation {centre!r} in map {records.map.id!r}")
        G = nx.Graph()
        G.add_node(start)
        G.add_edges_from((e["source"], e["target"]) for e in edges)
        near = set(nx.single_source_shortest_path_length(G, start, cutoff=hops))
        nodes = [n for n in nodes if n["id"] in near]
        edges = [e for e in edges if e["source"] in near and e["target"] in near]
    return {"map": head, "nodes": nodes, "edges": edges}


@blp.route("/graph", methods=["GET"])
@blp.arguments(AsOfArgs, location="query")
@blp.response(200, GraphSchema)
def graph(args, map_id):
    """The whole map as nodes and edges (ties active on ``as_of`` only, if given)."""
    return _graph_json(store().graph(map_id, as_of=args.get("as_of")))


@blp.route("/nodes/<node_id>/neighbourhood", methods=["GET"])
@blp.arguments(HopsArgs, location="query")
@blp.response(200, GraphSchema)
def neighbourhood(args, map_id, node_id):
    """A person's or organisation's web: everyone within ``hops`` ties, and their ties."""
    records = store().neighbourhood(map_id, node_id, hops=args["hops"])
    return _graph_json(records, centre=node_id, hops=args["hops"])
