"""Tokens of a map: create (the only time the secret is shown), list, revoke.

Coordinators and the operator manage a map's tokens. A token is stored as a SHA-256
digest; listings show everything but the secret. A ``community`` link names the
person or organisation (``subject``) whose own web it may see.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from graph_models.model import ID_PATTERN, ID_RULE
from service import auth
from service.api.blueprint import Blueprint
from service.i18n import SUPPORTED_LOCALES
from service.usecases import tokens

blp = Blueprint(
    "tokens",
    __name__,
    url_prefix="/api/v1/maps/<map_id>/tokens",
    description="Access tokens and share links of a map (coordinators)",
)


class TokenCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    role = fields.String(
        required=True,
        validate=validate.OneOf(auth.MAP_ROLES),
        metadata={"description": "coordinator, viewer (commissioner) or community (a link)"},
    )
    label = fields.String(load_default="", validate=validate.Length(max=200))
    subject = fields.String(
        validate=validate.Regexp(ID_PATTERN, error=f"an id is {ID_RULE}"),
        metadata={"description": "community links: the person or organisation whose web"},
    )
    expires_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "ISO-8601 with a time zone; none: until revoked"},
    )
    language = fields.String(
        load_default="",
        validate=validate.OneOf(["", *SUPPORTED_LOCALES]),
        metadata={
            "description": "the language its share_url opens in (cy, en); empty: the browser's"
        },
    )


class TokenSchema(ma.Schema):
    id = fields.String()
    map_id = fields.String()
    role = fields.String()
    label = fields.String()
    subject = fields.String()
    created_at = fields.String()
    created_by = fields.String()
    expires_at = fields.String(allow_none=True)
    revoked_at = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "active, expired or revoked"})


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "the secret: shown this once only"})
    share_url = fields.String(metadata={"description": "opens the token's view in a browser"})


class TokenListSchema(ma.Schema):
    items = fields.List(fields.Nested(TokenSchema))


@blp.route("")
class Tokens(MethodView):
    @blp.response(200, TokenListSchema)
    def get(self, map_id):
        """The map's tokens, oldest first (never their secrets)."""
        return {"items": tokens.map_tokens(map_id)}

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, values, map_id):
        """Create a token; the response is the only time its secret is shown."""
        return tokens.issue(
            map_id,
            values["role"],
            label=values["label"],
            subject=values.get("subject") or "",
            expires_at=values.get("expires_at"),
            language=values["language"],
        )


@blp.route("/<token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    def delete(self, map_id, token_id):
        """Revoke a token now (its sessions end too); revoking twice changes nothing."""
        tokens.revoke(map_id, token_id)
