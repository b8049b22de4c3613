"""People, organisations and relationships: one blueprint each, built by one factory.

The three resources behave alike (create, read, patch, delete, paged filtered list,
scoped by map), so one factory builds them; only the schema and the entity type differ.

Optimistic concurrency (per record, not the map-wide version): coordinators get an
``ETag`` (the record's revision, ``"3"``) on GET and PATCH of one record; PATCH and
DELETE honour ``If-Match`` (a mismatch is 412, nothing written). Without ``If-Match``
a PATCH still changes only its own fields, in one store transaction.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from graph_models import schemas
from graph_models.errors import PreconditionFailed
from graph_models.messages import Message
from graph_models.model import PLURALS, EntityType
from graph_models.store.base import ListFilter
from service.api.args import CreateArgs, ListArgs, page_schema
from service.api.blueprint import Blueprint
from service.usecases import entities
from service.usecases.context import full_access


def etag(revision: int) -> dict:
    """The response header naming a record's revision (a strong entity tag)."""
    return {"ETag": f'"{revision}"'}


def if_match() -> set[int] | None:
    """The revisions ``If-Match`` accepts: None when absent or ``*`` (any current record).

    Only strong tags naming a revision can match (RFC 9110 compares strongly); a header
    that names none (``W/"3"``, ``"x"``) matches nothing, so the write is refused (412).
    """
    if "If-Match" not in request.headers:
        return None
    tags = request.if_match
    if tags.star_tag:
        return None
    wanted = {int(t) for t in tags.as_set() if t.isdigit() and len(t) < 19}
    if not wanted:
        problem = Message("store.if_match_not_revision")
        raise PreconditionFailed(problem, {"If-Match": [problem]})
    return wanted


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

        @blp.arguments(CreateArgs, location="query")
        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, args, values, map_id):
            """Create one; the id may be supplied by the client (stable external id). A
            person whose id was erased from the map is refused (409) unless
            ``?restore_erased=true``: re-adding them is an explicit act."""
            return entities.create(map_id, etype, values, restore_erased=args["restore_erased"])

    @blp.route("/<entity_id>")
    class Item(MethodView):
        @blp.response(200, schema)
        def get(self, map_id, entity_id):
            """Read one (viewers: anonymised people by their pseudonym only); for
            coordinators the ``ETag`` header is the record's revision."""
            if full_access():
                entity, revision = entities.get_revised(map_id, etype, entity_id)
                return entity, etag(revision)
            return entities.get_visible(map_id, etype, entity_id)

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        @blp.alt_response(412, description="If-Match names another revision; nothing written")
        def patch(self, changes, map_id, entity_id):
            """Change some fields of the record as it is now (one transaction: another
            client's change of other fields is kept); the whole object is validated
            again. ``If-Match: "<revision>"`` makes it conditional (412 if changed)."""
            entity, revision = entities.patch(
                map_id, etype, entity_id, changes, if_revision=if_match()
            )
            return entity, etag(revision)

        @blp.response(204)
        @blp.alt_response(412, description="If-Match names another revision; nothing deleted")
        def delete(self, map_id, entity_id):
            """Delete one; deleting a person or organisation deletes their ties too, and
            every cached analysis of the map (erasure). ``If-Match`` as for PATCH."""
            entities.delete(map_id, etype, entity_id, if_revision=if_match())

    Collection.__name__ = f"{plural.capitalize()}Collection"
    Item.__name__ = f"{plural.capitalize()}Item"
    return blp


BLUEPRINTS = [entity_blueprint(etype) for etype in PLURALS]
