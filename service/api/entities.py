"""People, organisations and relationships: one blueprint each, built by one factory.

The three resources behave alike (create, read, patch, delete, paged filtered list,
scoped by map), so one factory builds them; only the schema and the entity type differ.
"""

from __future__ import annotations

from flask.views import MethodView

from graph_models import schemas
from graph_models.model import PLURALS, EntityType
from graph_models.store.base import ListFilter
from service.api.args import ListArgs, page_schema
from service.api.blueprint import Blueprint
from service.usecases import entities


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
            return entities.list_page(
                map_id, etype, filters, limit=args["limit"], offset=args["offset"]
            )

        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, values, map_id):
            """Create one; the id may be supplied by the client (stable external id)."""
            return entities.create(map_id, etype, values)

    @blp.route("/<entity_id>")
    class Item(MethodView):
        @blp.response(200, schema)
        def get(self, map_id, entity_id):
            """Read one (viewers: anonymised people by their pseudonym only)."""
            return entities.get_visible(map_id, etype, entity_id)

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        def patch(self, changes, map_id, entity_id):
            """Change some fields; the whole object is validated again."""
            return entities.update(map_id, etype, entity_id, changes)

        @blp.response(204)
        def delete(self, map_id, entity_id):
            """Delete one; deleting a person or organisation deletes their ties too, and
            every cached analysis of the map (erasure)."""
            entities.delete(map_id, etype, entity_id)

    Collection.__name__ = f"{plural.capitalize()}Collection"
    Item.__name__ = f"{plural.capitalize()}Item"
    return blp


BLUEPRINTS = [entity_blueprint(etype) for etype in PLURALS]
