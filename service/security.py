"""Secure defaults: production checks, response headers, session cookies.

Production mode (``ENV == "production"``) is what a plain ``create_app()`` runs in
(gunicorn, Docker). ``bridgemap serve`` (the local command) runs in development mode,
and so do tests (``TESTING``) and ``DEBUG``. ``BRIDGEMAP_ENV`` overrides either way.
In production the app refuses to start without a ``BRIDGEMAP_SECRET_KEY`` of at
least 32 characters (the key signs sessions and keys pseudonyms; a key generated into
a file would differ between containers), and cookies are always ``Secure``.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

MIN_SECRET_KEY = 32

#: For every response that does not set its own (the graph pages set a stricter one).
DEFAULT_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


def resolve_env(config) -> str:
    """``production`` or ``development`` (see the module's rules)."""
    configured = (config.get("ENV") or "").strip().lower()
    if configured:
        return configured
    if config.get("TESTING") or config.get("DEBUG"):
        return "development"
    return "production"


def check_production(config) -> None:
    """Raise RuntimeError when production mode lacks what it needs."""
    if config["ENV"] != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_KEY:
        raise RuntimeError(
            "refusing to start in production mode without a strong secret key: set "
            f"BRIDGEMAP_SECRET_KEY to at least {MIN_SECRET_KEY} random characters "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))'), or set "
            "BRIDGEMAP_ENV=development for local use"
        )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, ``Secure`` when served over HTTPS or in production
    (so plain http://127.0.0.1 works locally)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(
            app.config["ENV"] == "production"
            or app.config.get("SESSION_COOKIE_SECURE")
            or request.is_secure
        )


def security_headers(response):
    """The ``after_request`` hook: headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # share links carry a token in the path: never send a URL on to another site
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not request.path.startswith("/static/"):
        # personal data: no shared or browser caches
        headers.setdefault("Cache-Control", "no-store")
    return response


def configure(app: Flask) -> None:
    """Apply the checks, session settings and hooks to ``app``."""
    app.config["ENV"] = resolve_env(app.config)
    check_production(app.config)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_NAME"] = "bridgemap_session"
    app.session_interface = SessionInterface()
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.after_request(security_headers)
