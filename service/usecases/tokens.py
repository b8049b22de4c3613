"""Tokens and share links of a map: issue one (its secret shown once), describe, revoke.

The token API and the Share page do this through the same functions, so the rules
(only a community link has a subject; nobody makes a link to a hidden person's web —
checked by the store in the write itself; an expiry lies in the future) hold for both.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for

from graph_models import clock
from graph_models.errors import InvalidInput, NotFound
from graph_models.model import EntityType
from graph_models.store.base import AccessToken
from service import auth
from service.i18n import gettext, supported_language
from service.usecases.context import actor, store


def status(token: AccessToken) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at:
        return "revoked"
    return "active" if auth.is_live(token) else "expired"


def token_summary(token: AccessToken) -> dict:
    """Everything about a token except its secret (which is never stored)."""
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
        "status": status(token),
    }


def map_tokens(map_id: str) -> list[dict]:
    """The map's tokens, oldest first, as :func:`token_summary` describes them."""
    return [token_summary(t) for t in store().list_tokens(map_id)]


def check_subject(map_id: str, role: str, subject: str) -> str:
    """The subject of a new token: required for a community link (a person or
    organisation of the map who is not hidden), refused for every other role."""
    if role != auth.COMMUNITY:
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
    # that the subject is not hidden is checked by the store, in the write that makes
    # the link (under the map's lock, so a consent change cannot slip in between)
    for etype in (EntityType.PERSON, EntityType.ORGANISATION):
        try:
            store().get(map_id, etype, subject)
        except NotFound:
            continue
        return subject
    raise InvalidInput(
        gettext("no person or organisation with this id in the map"),
        {"subject": [gettext("not found")]},
    )


def issue(
    map_id: str,
    role: str,
    *,
    label: str = "",
    subject: str = "",
    expires_at: datetime | None = None,
    language: str = "",
) -> dict:
    """Make a token; returns its summary with ``token`` (the secret, shown this once)
    and ``share_url`` (the link that signs a browser in with it). ``language`` (``cy``,
    ``en``; empty: the reader's browser decides) is the language the link opens in."""
    store().get_map(map_id)
    if language and supported_language(language) is None:
        raise InvalidInput(
            gettext("this language is not offered"), {"language": [gettext("not offered here")]}
        )
    subject = check_subject(map_id, role, subject)
    if expires_at is not None and expires_at <= clock.now():
        raise InvalidInput(
            gettext("expires_at is in the past"), {"expires_at": [gettext("in the past")]}
        )
    secret, token = auth.issue_token(
        store(),
        map_id,
        role,
        label=label,
        subject=subject,
        expires_at=expires_at.astimezone(UTC).isoformat() if expires_at else None,
        actor=actor(),
    )
    return {
        **token_summary(token),
        "token": secret,
        "share_url": share_url(secret, language),
    }


def share_url(secret: str, language: str = "") -> str:
    """The link that signs a browser in with ``secret``: the secret rides in the URL
    fragment, which browsers never send, so it reaches no server or proxy log.

    A chosen ``language`` rides in the query (``/share?lang=cy#…``) and starts the
    session in it. It is a default for the reader, not a property of the token, so it
    is not stored: a link is shown once, and its reader may switch at any time."""
    params = {"lang": language} if language else {}
    return url_for("web_auth.share_open", _external=True, **params) + "#" + secret


def revoke(map_id: str, token_id: str) -> None:
    """End a token now (its browser sessions too); revoking twice changes nothing."""
    store().revoke_token(map_id, token_id, at=auth.now_iso(), actor=actor())
