"""Maps: one partnership's network each."""

from __future__ import annotations

from flask.views import MethodView

from graph_models import schemas
from graph_models.model import Map, default_silos, new_id
from graph_models.store.base import Page
from service.api.args import PageArgs, page_schema
from service.api.blueprint import Blueprint
from service.auth import current_principal
from service.usecases.context import actor, forget_cached, store
from service.usecases.map_settings import change_map

blp = Blueprint("maps", __name__, url_prefix="/api/v1/maps", description="Maps (partnerships)")

MapPage = page_schema(schemas.MapSchema, "MapPage")


@blp.route("")
class Maps(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, MapPage)
    def get(self, args):
        """List maps: every map for the operator, a map token's own map otherwise."""
        limit, offset = args["limit"], args["offset"]
        principal = current_principal()
        if principal.is_admin:
            return store().list_maps(limit=limit, offset=offset)
        own = [store().get_map(principal.map_id)]
        return Page(own[offset : offset + limit], 1, limit, offset)

    @blp.arguments(schemas.MapSchema)
    @blp.response(201, schemas.MapSchema)
    def post(self, values):
        """Create a map; ``silos`` defaults to the nine sectors of DESIGN §3."""
        values.setdefault("id", new_id())
        values.setdefault("silos", default_silos())
        return store().create_map(Map(**values), actor=actor())


@blp.route("/<map_id>")
class MapItem(MethodView):
    @blp.response(200, schemas.MapSchema)
    def get(self, map_id):
        """Read a map, with its version counter."""
        return store().get_map(map_id)

    @blp.arguments(schemas.MapPatchSchema(partial=True))
    @blp.response(200, schemas.MapSchema)
    def patch(self, changes, map_id):
        """Change a map's name, description, default consent or vocabulary: its silos
        (colours, Welsh labels; ``rename_silos`` moves everyone to the new name) and its
        own relationship kinds. A silo or kind still in use cannot be removed, nor a used
        kind's ends changed: 409, saying how many use it, and nothing is written."""
        return change_map(map_id, changes)

    @blp.response(204)
    def delete(self, map_id):
        """Delete a map and everything in it (its tokens and audit log too); the
        operator's audit log (``/api/v1/operator/audit``) records who deleted it."""
        store().delete_map(map_id, actor=actor())
        forget_cached(map_id)
