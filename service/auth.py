"""Who is asking: bearer tokens, roles per map, the browser session and the operator token.

Tokens are random (``secrets.token_urlsafe``, 256 bits) and kept only as SHA-256 digests
(a fast hash is enough for secrets of that entropy; there is nothing to brute-force).
A request names its token in ``Authorization: Bearer <token>`` (parsed by
Flask-HTTPAuth); a browser that opened a share link or signed in at ``/login`` carries a
signed session cookie with a random session id. The store keeps the session (its id's
digest, the token, its end), looked up on every request with the token itself, so
signing out, revoking or expiring a token, or the session's own lifetime ending each
end it — even for a copy of the cookie. The cookie is accepted
for reading (GET/HEAD), and for writes only on the web pages' forms, whose policy rule
says so (``Rule(form=True)``) and which then need a valid CSRF token (checked by
:func:`service.policy.authorise`); every API write needs the header.

Roles (see :mod:`service.policy` for what each may do):

``admin``
    the operator: every map, creates and deletes maps. From ``BRIDGEMAP_ADMIN_TOKEN``
    (its digest is kept in memory, the text is dropped from the config) or, when that
    is unset, one created on the first run, printed once and stored as a digest.
``coordinator``
    reads and writes everything in one map, manages its tokens.
``viewer``
    a commissioner: reads one map's analysis and views under the viewer rules of
    :mod:`graph_models.visibility`; writes nothing.
``community``
    a share link for one person's or organisation's own web in one map, read-only.
``respondent``
    a survey link (issued when a survey opens, never through the token API): reads its
    survey's roster and writes only its holder's own response; sees its holder's web
    like a community link (``subject`` is the respondent).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app, g, request, session
from flask_httpauth import HTTPTokenAuth

from graph_models import clock
from graph_models.errors import NotFound, StoreUnavailable
from graph_models.store.base import OPERATOR_SCOPE, AccessToken, SessionRecord

log = logging.getLogger(__name__)

ADMIN, COORDINATOR, VIEWER, COMMUNITY = "admin", "coordinator", "viewer", "community"
RESPONDENT = "respondent"
MAP_ROLES = (COORDINATOR, VIEWER, COMMUNITY)
#: The id under which a configured (BRIDGEMAP_ADMIN_TOKEN) operator token acts, followed
#: by a short digest of that token: a session made with it names this id, so a new
#: BRIDGEMAP_ADMIN_TOKEN (rotation) ends every session of the old one.
CONFIG_ADMIN_ID = "admin-config"
#: The label of the operator token made on the first run (when none is configured).
FIRST_RUN_LABEL = "first run"
SECRET_PREFIX = "bm_"  # noqa: S105 - a prefix that marks Bridgemap tokens

http_auth = HTTPTokenAuth(scheme="Bearer", realm="bridgemap")


@dataclass(frozen=True)
class Principal:
    """The holder of a live token."""

    token_id: str
    role: str
    map_id: str = OPERATOR_SCOPE
    subject: str = ""

    @property
    def actor(self) -> str:
        """How the audit log names who wrote: role and token id, never a person."""
        return f"{self.role}:{self.token_id}"

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def full_access(self) -> bool:
        """True for coordinators and the operator: whole records, no viewer rules."""
        return self.role in (ADMIN, COORDINATOR)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_token_id() -> str:
    return "tok_" + secrets.token_hex(8)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def now_iso() -> str:
    """Now, as stored (UTC, :func:`graph_models.clock.timestamp`)."""
    return clock.timestamp()


def is_live(token: AccessToken, *, now: datetime | None = None) -> bool:
    """Not revoked and not expired."""
    if token.revoked_at:
        return False
    if token.expires_at:
        expires = datetime.fromisoformat(token.expires_at)
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return (now or clock.now()) < expires
    return True


def config_admin_id(admin_digest: str) -> str:
    """The id of the configured operator token: it changes when the token does."""
    return f"{CONFIG_ADMIN_ID}-{admin_digest[:12]}"


def _store():
    return current_app.extensions["bridgemap.store"]


def _principal(token: AccessToken) -> Principal:
    return Principal(token.id, token.role, token.map_id, token.subject)


def verify_secret(secret: str) -> Principal | None:
    """The principal holding ``secret``, or None for an unknown, revoked or expired one."""
    if not secret or len(secret) > 200:
        return None
    wanted = digest(secret)
    admin_digest = current_app.extensions.get("bridgemap.admin_digest")
    if admin_digest and hmac.compare_digest(admin_digest, wanted):
        return Principal(config_admin_id(admin_digest), ADMIN)
    token = _store().find_token(wanted)
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    return _principal(token) if is_live(token) else None


def principal_by_id(token_id: str) -> Principal | None:
    """The principal of a session (which names a token by id), if the token is live."""
    if token_id.startswith(CONFIG_ADMIN_ID):
        admin_digest = current_app.extensions.get("bridgemap.admin_digest")
        if admin_digest and hmac.compare_digest(token_id, config_admin_id(admin_digest)):
            return Principal(token_id, ADMIN)
        return None
    try:
        token = _store().get_token(token_id)
    except NotFound:
        return None
    return _principal(token) if is_live(token) else None


@http_auth.verify_token
def _verify_token(token: str):
    return verify_secret(token)


def authenticate(*, session_writes: bool = False) -> tuple[Principal | None, bool]:
    """``(principal, failed)`` for this request.

    ``failed`` is True when credentials were offered but are not valid (a wrong,
    revoked or expired token): the caller answers 401 and counts it against the rate
    limit. A session cookie is used only for GET/HEAD requests without a header, and,
    with ``session_writes`` (a web form whose CSRF token the caller checks), for POST.
    """
    found: dict = {}

    def capture():
        found["user"] = http_auth.current_user()

    http_auth.login_required(optional=True)(capture)()
    offered = "Authorization" in request.headers
    principal = found.get("user") or None
    if offered:
        return principal, principal is None
    methods = ("GET", "HEAD", "POST") if session_writes else ("GET", "HEAD")
    if "sid" in session and request.method in methods:
        principal = session_principal()
        if principal is None:
            clear_session()
        return principal, False
    return None, False


#: What outlives signing in and out in a browser's session: its chosen language.
KEPT_IN_SESSION = ("lang",)


def clear_session() -> None:
    """Forget the browser's sign-in (and everything else in its cookie) but its chosen
    language: the Cymraeg / English switch holds across signing in and out."""
    kept = {key: session[key] for key in KEPT_IN_SESSION if key in session}
    session.clear()
    session.update(kept)


def start_session(principal: Principal) -> None:
    """Sign the browser in as ``principal`` until the absolute session lifetime ends
    (``PERMANENT_SESSION_LIFETIME``, counted from now: using the session does not
    extend it).

    The cookie carries only a random session id; the store keeps its digest, the
    token, and the end of its lifetime. So signing out (:func:`end_session`) ends the
    session wherever its cookie was copied, and revoking the token ends its sessions.
    """
    clear_session()
    session_id = secrets.token_urlsafe(32)
    started = clock.now()
    ends = started + current_app.permanent_session_lifetime
    _store().start_session(
        SessionRecord(digest(session_id), principal.token_id, started.isoformat(), ends.isoformat())
    )
    session["sid"] = session_id
    session.permanent = True


def session_principal() -> Principal | None:
    """The principal of this browser's session: its record must be in the store and
    within its lifetime, and its token still live. None otherwise (signed out,
    expired, revoked, or a cookie from before sessions were kept server-side)."""
    session_id = session.get("sid")
    if not isinstance(session_id, str) or not session_id or len(session_id) > 100:
        return None
    record = _store().find_session(digest(session_id), now=clock.timestamp())
    return principal_by_id(record.token_id) if record else None


def end_session() -> None:
    """Sign this browser out, here and wherever its cookie was copied."""
    session_id = session.get("sid")
    if isinstance(session_id, str) and session_id and len(session_id) <= 100:
        _store().end_session(digest(session_id))
    clear_session()


def current_principal() -> Principal | None:
    return getattr(g, "principal", None)


def issue_token(
    store,
    map_id: str,
    role: str,
    *,
    label: str = "",
    subject: str = "",
    expires_at: str | None = None,
    actor: str = "",
) -> tuple[str, AccessToken]:
    """Create a token; returns ``(secret, record)``. The secret is not kept anywhere."""
    secret = new_secret()
    token = store.create_token(
        AccessToken(
            new_token_id(),
            map_id,
            role,
            digest(secret),
            label=label,
            subject=subject,
            expires_at=expires_at,
        ),
        actor=actor,
    )
    return secret, token


DEMO_LINK_LABEL = "bridgemap serve --demo"


def demo_coordinator_link(store, map_id: str) -> str:
    """A fresh coordinator token for the demo map (earlier demo links are revoked)."""
    for old in store.list_tokens(map_id):
        if old.label == DEMO_LINK_LABEL and not old.revoked_at:
            store.revoke_token(map_id, old.id, at=now_iso(), actor="bridgemap")
    secret, _ = issue_token(store, map_id, COORDINATOR, label=DEMO_LINK_LABEL, actor="bridgemap")
    return secret


# -- operator tokens ---------------------------------------------------------------------


def operator_tokens(store) -> list[AccessToken]:
    """Every operator token the store holds (live, expired and revoked), oldest first."""
    return store.list_tokens(OPERATOR_SCOPE)


def create_operator_token(
    store, *, label: str = "", expires_at: str | None = None, actor: str = "cli"
) -> tuple[str, AccessToken]:
    """A new operator token; returns ``(secret, record)`` — the secret is shown once."""
    return issue_token(
        store, OPERATOR_SCOPE, ADMIN, label=label, expires_at=expires_at, actor=actor
    )


def revoke_operator_token(store, token_id: str, *, actor: str = "cli") -> AccessToken:
    """End an operator token now, and every browser session made with it."""
    return store.revoke_token(OPERATOR_SCOPE, token_id, at=now_iso(), actor=actor)


def _retire_first_run_tokens(store) -> None:
    """With BRIDGEMAP_ADMIN_TOKEN configured, the token printed on the first run has done
    its job: it is revoked, so an operator who sets a token knows it is the only one
    (besides any made on purpose with ``bridgemap operator-token create``)."""
    try:
        for token in operator_tokens(store):
            if token.label == FIRST_RUN_LABEL and not token.revoked_at:
                revoke_operator_token(store, token.id, actor="bridgemap")
    except StoreUnavailable as exc:
        log.warning("could not retire the first-run operator token: %s", exc.message)


# -- the operator token -----------------------------------------------------------------


def setup_admin_token(app: Flask, *, announce=None) -> str | None:
    """Make sure an operator token exists; returns its secret if one was just created.

    With ``ADMIN_TOKEN`` configured, its digest is kept in ``app.extensions`` and the
    text is removed from the config. Otherwise, when the store holds no live operator
    token and ``ADMIN_TOKEN_BOOTSTRAP`` is on, one is created, its digest stored, and
    its secret printed once (to stderr, or through ``announce``).
    """
    configured = app.config.pop("ADMIN_TOKEN", "") or ""
    if configured:
        if len(configured) < 32:
            raise RuntimeError("BRIDGEMAP_ADMIN_TOKEN must be at least 32 characters")
        app.extensions["bridgemap.admin_digest"] = digest(configured)
        _retire_first_run_tokens(app.extensions["bridgemap.store"])
        return None
    if not app.config.get("ADMIN_TOKEN_BOOTSTRAP"):
        return None
    store = app.extensions["bridgemap.store"]
    try:
        if any(is_live(t) for t in store.list_tokens(OPERATOR_SCOPE)):
            return None
        secret = new_secret()
        store.create_token(
            AccessToken(
                new_token_id(),
                OPERATOR_SCOPE,
                ADMIN,
                digest(secret),
                label=FIRST_RUN_LABEL,
                created_by="bridgemap",
            )
        )
    except StoreUnavailable as exc:
        log.warning("could not check for an operator token: %s", exc.message)
        return None
    message = (
        "An operator (admin) token was created. It is shown only this once; keep it safe:\n"
        f"  {secret}\n"
        "Use it as 'Authorization: Bearer <token>' or sign in at /login."
    )
    (announce or (lambda text: print(text, file=sys.stderr, flush=True)))(message)
    return secret
