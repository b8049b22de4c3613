"""People, organisations and relationships: one blueprint each, built by one factory.

The three resources behave alike (create, read, patch, delete, paged filtered list,
scoped by map), so one factory builds them; only the schema and the entity type differ.
"""

from __future__ import annotations

from flask.views import MethodView

from graph_models import schemas
from graph_models.model import ENTITY_CLASSES, EntityType, new_id
from graph_models.store.base import ListFilter
from service.api.args import ListArgs, page_schema
from service.api.blueprint import Blueprint
from service.api.context import actor, store

PLURALS = {
    EntityType.PERSON: "people",
    EntityType.ORGANISATION: "organisations",
    EntityType.RELATIONSHIP: "relationships",
}


def build_entity(etype: EntityType, values: dict, map_id: str):
    """Turn schema-loaded ``values`` into an entity, fitting node silos to the map."""
    values = dict(values)
    values.setdefault("id", new_id())
    if etype is not EntityType.RELATIONSHIP:
        values["silo"] = schemas.check_silo(store().get_map(map_id), values["silo"])
    return ENTITY_CLASSES[etype](**values)


def entity_blueprint(etype: EntityType) -> Blueprint:
    plural = PLURALS[etype]
    schema = schemas.ENTITY_SCHEMAS[etype]
    blp = Blueprint(
        plural,
        __name__,
        url_prefix=f"/api/v1/maps/<map_id>/{plural}",
        description=f"{plural.capitalize()} in a map",
    )
    page = page_schema(schema, f"{etype.value.capitalize()}Page")

    @blp.route("")
    class Collection(MethodView):
        @blp.arguments(ListArgs, location="query")
        @blp.response(200, page)
        def get(self, args, map_id):
            """List, paged; filter by ``silo``, ``kind`` and name text ``q``."""
            filters = ListFilter(silo=args.get("silo"), kind=args.get("kind"), q=args.get("q"))
            return store().list(
                map_id, etype, filters=filters, limit=args["limit"], offset=args["offset"]
            )

        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, values, map_id):
            """Create one; the id may be supplied by the client (stable external id)."""
            return store().create(map_id, build_entity(etype, values, map_id), actor=actor())

    @blp.route("/<entity_id>")
    class Item(MethodView):
        @blp.response(200, schema)
        def get(self, map_id, entity_id):
            """Read one."""
            return store().get(map_id, etype, entity_id)

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        def patch(self, changes, map_id, entity_id):
            """Change some fields; the whole object is validated again."""
            current = store().get(map_id, etype, entity_id)
            updated = schemas.merge(current, changes)
            if etype is not EntityType.RELATIONSHIP and "silo" in changes:
                updated.silo = schemas.check_silo(store().get_map(map_id), updated.silo)
            return store().update(map_id, updated, actor=actor())

        @blp.response(204)
        def delete(self, map_id, entity_id):
            """Delete one; deleting a person or organisation deletes their ties too."""
            store().delete(map_id, etype, entity_id, actor=actor())

    Collection.__name__ = f"{plural.capitalize()}Collection"
    Item.__name__ = f"{plural.capitalize()}Item"
    return blp


BLUEPRINTS = [entity_blueprint(etype) for etype in PLURALS]
