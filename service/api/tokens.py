"""Tokens of a map: create (the only time the secret is shown), list, revoke.

Coordinators and the operator manage a map's tokens. A token is stored as a SHA-256
digest; listings show everything but the secret. A ``community`` link names the
person or organisation (``subject``) whose own web it may see.
"""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import fields, validate

from graph_models.errors import InvalidInput, NotFound
from graph_models.model import ID_PATTERN, ID_RULE, EntityType, Visibility
from graph_models.store.base import AccessToken
from service import auth
from service.api.blueprint import Blueprint
from service.api.context import actor, store
from service.i18n import gettext

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


def _status(token: AccessToken) -> str:
    if token.revoked_at:
        return "revoked"
    return "active" if auth.is_live(token) else "expired"


def token_summary(token: AccessToken) -> dict:
    return {
        "id": token.id,
        "map_id": token.map_id,
        "role": token.role,
        "label": token.label,
        "subject": token.subject,
        "created_at": token.created_at,
        "created_by": token.created_by,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "status": _status(token),
    }


def check_subject(map_id: str, values: dict) -> str:
    subject = values.get("subject") or ""
    if values["role"] != auth.COMMUNITY:
        if subject:
            raise InvalidInput(
                gettext("only a community link has a subject"),
                {"subject": [gettext("not for this role")]},
            )
        return ""
    if not subject:
        raise InvalidInput(
            gettext("a community link needs the person or organisation whose web it shows"),
            {"subject": [gettext("required for a community link")]},
        )
    for etype in (EntityType.PERSON, EntityType.ORGANISATION):
        try:
            node = store().get(map_id, etype, subject)
        except NotFound:
            continue
        if getattr(node, "visibility", None) is Visibility.HIDDEN:
            raise InvalidInput(
                gettext("this person is hidden: a link to their web would show nothing"),
                {"subject": [gettext("hidden")]},
            )
        return subject
    raise InvalidInput(
        gettext("no person or organisation with this id in the map"),
        {"subject": [gettext("not found")]},
    )


@blp.route("")
class Tokens(MethodView):
    @blp.response(200, TokenListSchema)
    def get(self, map_id):
        """The map's tokens, oldest first (never their secrets)."""
        return {"items": [token_summary(t) for t in store().list_tokens(map_id)]}

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, values, map_id):
        """Create a token; the response is the only time its secret is shown."""
        store().get_map(map_id)
        subject = check_subject(map_id, values)
        expires = values.get("expires_at")
        if expires is not None and expires <= datetime.now(UTC):
            raise InvalidInput(
                gettext("expires_at is in the past"), {"expires_at": [gettext("in the past")]}
            )
        secret = auth.new_secret()
        token = store().create_token(
            AccessToken(
                auth.new_token_id(),
                map_id,
                values["role"],
                auth.digest(secret),
                label=values["label"],
                subject=subject,
                expires_at=expires.astimezone(UTC).isoformat() if expires else None,
            ),
            actor=actor(),
        )
        return {
            **token_summary(token),
            "token": secret,
            "share_url": url_for("web_auth.share", token=secret, _external=True),
        }


@blp.route("/<token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    def delete(self, map_id, token_id):
        """Revoke a token now (its sessions end too); revoking twice changes nothing."""
        store().revoke_token(map_id, token_id, at=auth.now_iso(), actor=actor())
