"""flask-smorest pieces tuned for Bridgemap: unknown or repeated query parameters are errors.

webargs ignores unknown query-string keys by default; we reject them (``?limt=5`` must
not silently mean the default page size), as we reject unknown body fields.
"""

from __future__ import annotations

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import missing
from webargs.flaskparser import FlaskParser

from service.i18n import gettext
from service.query import plain_values


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def load_querystring(self, req, schema):
        """The query string through the one parser's rules (service.query): a scalar
        parameter given twice is refused, list fields take every value."""
        return plain_values(schema, req.args)

    def _raw_load_json(self, req):
        """JSON nested deeper than the parser can follow is bad input (422), not a 500."""
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise ma.ValidationError({"json": [gettext("nested too deeply")]}) from None

    def load_json(self, req, schema):
        """A write without a JSON body is refused (422), not read as ``{}``: a PATCH
        or batch with no body (or a form body) must not pass as an empty change."""
        data = super().load_json(req, schema)
        if data is missing:
            raise ma.ValidationError([gettext("a JSON object body is required")])
        return data


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()


def schema_name(schema) -> str:
    """OpenAPI component names: ``Person``, and ``PersonPatch`` for partial updates."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    if getattr(schema, "partial", False):
        name += "Patch"
    return name


def marshmallow_plugin() -> MarshmallowPlugin:
    return MarshmallowPlugin(schema_name_resolver=schema_name)
