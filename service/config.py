"""Configuration from the environment.

Every setting can be given as an environment variable ``BRIDGEMAP_<NAME>``; tests pass a
``test_config`` mapping to :func:`service.app.create_app` instead. Secrets (the Neo4j
password, the secret key) come only from the environment, never from the repository.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    # the embedded store's file; ignored when NEO4J_URI is set
    "DATABASE": str(Path("instance") / "bridgemap.sqlite3"),
    "NEO4J_URI": "",
    "NEO4J_USER": "neo4j",
    "NEO4J_PASSWORD": "",
    "NEO4J_DATABASE": "neo4j",
    # largest request body in bytes (a bulk batch of 100,000 ties is about 15 MB)
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    # keys pseudonyms and sessions; when unset, a random key is kept in SECRET_KEY_FILE
    "SECRET_KEY": "",
    "SECRET_KEY_FILE": str(Path("instance") / "secret_key"),
    # analysis results kept in memory (per map version and parameters)
    "ANALYSIS_CACHE_SIZE": 64,
    # "production" or "development"; empty: production, except under `bridgemap serve`,
    # tests and debug (see service/security.py)
    "ENV": "",
    # the operator (admin) token; empty: one is created on the first run and printed once
    "ADMIN_TOKEN": "",
    # how many reverse proxies set X-Forwarded-For/-Proto (for HTTPS detection, HSTS)
    "TRUSTED_PROXIES": 0,
    # rate limits (per client address for failed token checks, per token for exports)
    "AUTH_FAILURE_RATE_LIMIT": "10 per minute",
    "EXPORT_RATE_LIMIT": "30 per hour",
    # where rate-limit counters live (Flask-Limiter storage URI; memory: per process)
    "RATELIMIT_STORAGE_URI": "memory://",
    # how long a browser session (after /login or a share link) lasts, in seconds
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
}


def from_environment(environ=None) -> dict:
    """Settings from ``BRIDGEMAP_*`` variables, falling back to :data:`DEFAULTS`."""
    environ = os.environ if environ is None else environ
    settings = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(f"BRIDGEMAP_{key}")
        if raw is None:
            settings[key] = default
        elif isinstance(default, int):
            settings[key] = int(raw)
        else:
            settings[key] = raw
    return settings


def secret_key(settings: dict) -> str:
    """The configured secret key, or one kept in a private file for local use.

    Pseudonyms must stay the same across restarts, so a generated key is written once
    (mode 0600) and read back afterwards; production deployments set
    ``BRIDGEMAP_SECRET_KEY`` instead.
    """
    if settings.get("SECRET_KEY"):
        return settings["SECRET_KEY"]
    path = Path(settings["SECRET_KEY_FILE"])
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
