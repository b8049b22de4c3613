"""One query-string parser for every route: the API, the pages and the graph views.

Every route declares the query parameters it reads as a marshmallow schema: API
routes with flask-smorest's ``@blp.arguments(Schema, location="query")``, pages and
graph views with :func:`reads_query`. A route that declares nothing takes no query
parameters at all. :func:`query_args` parses the request's query string with the
declared schema once per request, and both the access policy (e.g. a community link's
``hops``) and the handler read that one result — so the value that is checked is the
value that is used.

Rules, the same everywhere:

* a parameter given twice (``?hops=1&hops=3``) is refused (422) unless the schema
  declares it as a list (``fields.List``), which then takes every value;
* unknown parameters are refused (422), as unknown body fields are;
* values are validated by the schema (422 naming the parameter).
"""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma
from flask import current_app, g, request
from marshmallow import fields
from werkzeug.datastructures import MultiDict

from graph_models.errors import InvalidInput
from service.i18n import gettext

#: Field types that take every value of a repeated parameter.
LIST_FIELDS = (fields.List, fields.Tuple)


class NoQuery(ma.Schema):
    """The schema of a route that reads no query parameters."""

    class Meta:
        unknown = ma.RAISE


def list_keys(schema: ma.Schema) -> set[str]:
    """The query keys of ``schema`` that may be repeated (its list fields)."""
    return {
        field.data_key or name
        for name, field in schema.fields.items()
        if isinstance(field, LIST_FIELDS)
    }


def plain_values(schema: ma.Schema, args: MultiDict) -> dict:
    """``args`` as the dict ``schema`` loads: a list for each list field, one value
    for every other key. Raises :class:`marshmallow.ValidationError` naming each
    scalar parameter that was given more than once."""
    multiple = list_keys(schema)
    values: dict = {}
    repeated: dict = {}
    for key, given in args.lists():
        if key in multiple:
            values[key] = given
        elif len(given) > 1:
            repeated[key] = [gettext("give this parameter once")]
        else:
            values[key] = given[0]
    if repeated:
        raise ma.ValidationError(repeated)
    return values


def reads_query(schema: type[ma.Schema]) -> Callable:
    """Declare the query schema of a plain Flask view (pages, graph views).

    The view reads its parameters with :func:`query_args`; the policy reads the same.
    """

    def declare(view):
        view.query_schema = schema
        return view

    return declare


def declared_schema(endpoint: str | None, method: str) -> type[ma.Schema] | ma.Schema:
    """The query schema declared by the view of ``endpoint`` for ``method``.

    Looks at :func:`reads_query`'s mark, then at flask-smorest's argument docs (a
    method of a ``MethodView`` class or a plain function); :class:`NoQuery` if none.
    """
    view = current_app.view_functions.get(endpoint or "")
    if view is None:
        return NoQuery
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None) or getattr(view_class, "get", view)
    marked = getattr(view, "query_schema", None)
    if marked is not None:
        return marked
    for param in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
        if not isinstance(param, dict):
            continue
        # flask-smorest writes "location" at decoration and "in" once registered
        if (param.get("location") or param.get("in")) in ("query", "querystring"):
            return param["schema"]
    return NoQuery


def _instance(schema: type[ma.Schema] | ma.Schema) -> ma.Schema:
    return schema() if isinstance(schema, type) else schema


def load_query(schema: type[ma.Schema] | ma.Schema, args: MultiDict) -> dict:
    """Parse ``args`` with ``schema``; :class:`InvalidInput` (422) naming each bad key."""
    instance = _instance(schema)
    try:
        return instance.load(plain_values(instance, args), unknown=ma.RAISE)
    except ma.ValidationError as exc:
        raise InvalidInput(
            gettext("some query parameters are not valid"), {"query": exc.normalized_messages()}
        ) from None


def query_args() -> dict:
    """This request's query parameters, parsed once with the route's declared schema."""
    parsed = g.get("query_args")
    if parsed is None:
        schema = declared_schema(request.endpoint, request.method)
        parsed = load_query(schema, request.args)
        g.query_args = parsed
    return parsed
