"""People, organisations and relationships: one blueprint each, built by one factory.

The three resources behave alike (create, read, patch, delete, paged filtered list,
scoped by map), so one factory builds them; only the schema and the entity type differ.
"""

from __future__ import annotations

from flask.views import MethodView

from graph_models import schemas
from graph_models.errors import NotFound
from graph_models.model import ENTITY_CLASSES, EntityType, from_dict, new_id
from graph_models.store.base import ListFilter, Page
from graph_models.visibility import public_records
from service.api.args import ListArgs, page_schema
from service.api.blueprint import Blueprint
from service.api.context import actor, forget_cached, full_access, secret, store

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


def _visible_rows(map_id: str, etype: EntityType) -> list[dict]:
    """The objects of one type that a viewer may read (graph_models.visibility rules)."""
    return public_records(store().graph(map_id), secret=secret())[PLURALS[etype]]


def _matches(etype: EntityType, row: dict, filters: ListFilter) -> bool:
    """The store's list filters, applied to what a viewer sees (so a name search never
    matches an anonymised person's real name)."""
    if filters.silo and row.get("silo") != filters.silo:
        return False
    if filters.kind and row.get("kind") != filters.kind:
        return False
    if filters.q:
        q = filters.q.casefold()
        if etype is EntityType.RELATIONSHIP:
            return q in row["source"].casefold() or q in row["target"].casefold()
        return q in row["name"].casefold()
    return True


def _sort_key(etype: EntityType):
    if etype is EntityType.RELATIONSHIP:
        return lambda row: row["id"]
    return lambda row: (row["name"], row["id"])


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
            limit, offset = args["limit"], args["offset"]
            if full_access():
                return store().list(map_id, etype, filters=filters, limit=limit, offset=offset)
            rows = [r for r in _visible_rows(map_id, etype) if _matches(etype, r, filters)]
            rows.sort(key=_sort_key(etype))
            items = [from_dict(etype, r) for r in rows[offset : offset + limit]]
            return Page(items, len(rows), limit, offset)

        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, values, map_id):
            """Create one; the id may be supplied by the client (stable external id)."""
            return store().create(map_id, build_entity(etype, values, map_id), actor=actor())

    @blp.route("/<entity_id>")
    class Item(MethodView):
        @blp.response(200, schema)
        def get(self, map_id, entity_id):
            """Read one (viewers: anonymised people by their pseudonym only)."""
            if full_access():
                return store().get(map_id, etype, entity_id)
            for row in _visible_rows(map_id, etype):
                if row["id"] == entity_id:
                    return from_dict(etype, row)
            raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")

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
            """Delete one; deleting a person or organisation deletes their ties too, and
            every cached analysis of the map (erasure)."""
            store().delete(map_id, etype, entity_id, actor=actor())
            forget_cached(map_id)

    Collection.__name__ = f"{plural.capitalize()}Collection"
    Item.__name__ = f"{plural.capitalize()}Item"
    return blp


BLUEPRINTS = [entity_blueprint(etype) for etype in PLURALS]
