"""What a coordinator sends to set a survey up, checked once for the API and the pages.

Unknown fields are refused; flags are JSON ``true``/``false`` only (not ``0`` or
``"yes"``); silos are checked against the map's vocabulary by the service.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from graph_models import model

_id = dict(validate=validate.Regexp(model.ID_PATTERN, error=f"an id is {model.ID_RULE}"))


class _Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class _JsonBool(fields.Boolean):
    """A JSON true or false, nothing else (not 0, "yes" or "1")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _flag(default: bool) -> fields.Boolean:
    return _JsonBool(load_default=default)


class RosterSchema(_Strict):
    people = _flag(True)
    organisations = _flag(True)
    silos = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=model.MAX_SILOS),
        metadata={"description": "only these silos can be named (all when empty)"},
    )


class ModulesSchema(_Strict):
    trust_value = _flag(False)
    anyone_else = _flag(True)


class SurveyInSchema(_Strict):
    id = fields.String(**_id)
    title = fields.String(required=True, validate=validate.Length(min=1, max=model.MAX_NAME))
    intro = fields.String(load_default="", validate=validate.Length(max=model.MAX_TEXT))
    roster = fields.Nested(RosterSchema, load_default=dict)
    modules = fields.Nested(ModulesSchema, load_default=dict)
    closes_on = fields.Date(load_default=None, allow_none=True)
    respondents = fields.List(
        fields.String(**_id),
        load_default=list,
        validate=validate.Length(max=10000),
        metadata={"description": "ids of the people asked (each gets a personal link)"},
    )


class SurveyPatchSchema(SurveyInSchema):
    class Meta:
        unknown = ma.RAISE
        exclude = ("id",)
