"""Query-string schemas shared by the API's listings."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from graph_models.store.base import DEFAULT_PAGE, MAX_PAGE

#: Far past any real list, and within every store's integer range.
MAX_OFFSET = 10**9


class PageArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class ListArgs(PageArgs):
    silo = fields.String(validate=validate.Length(max=60))
    kind = fields.String(validate=validate.Length(max=60))
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "name contains"})


class CreateArgs(ma.Schema):
    """The query of a create: ``restore_erased`` re-adds a person erased from the map."""

    class Meta:
        unknown = ma.RAISE

    restore_erased = fields.Boolean(
        load_default=False,
        metadata={
            "description": "people only: re-add a person whose id was erased from the map "
            "(an explicit act; without it such an id is refused with 409)"
        },
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A response schema for one page of ``item_schema`` objects."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "limit": fields.Integer(),
            "offset": fields.Integer(),
        },
        name=name,
    )
