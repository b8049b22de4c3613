"""Configuration from the environment.

Every setting can be given as an environment variable ``BRIDGEMAP_<NAME>``; tests pass a
``test_config`` mapping to :func:`service.app.create_app` instead. Secrets (the Neo4j
password, the secret key) come only from the environment, never from the repository.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from graph_models.private_files import private_file, private_folder, write_private

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
    # import uploads awaiting confirmation on the web import page (a private folder),
    # and how many seconds an unconfirmed one is kept before it is deleted
    "IMPORT_FOLDER": str(Path("instance") / "imports"),
    "IMPORT_UPLOAD_LIFETIME": 30 * 60,
    # seconds /healthz waits for the store before answering 503 (keep it below the
    # load balancer's timeout); every Neo4j call also gives up after NEO4J_TIMEOUT,
    # which must stay below gunicorn's worker timeout (30 s)
    "HEALTH_TIMEOUT": 3,
    "NEO4J_TIMEOUT": 15,
    # analysis results kept in memory (per map version and parameters)
    "ANALYSIS_CACHE_SIZE": 64,
    # exact betweenness/closeness of maps too large to compute in a request: "thread"
    # (a background thread per process, results kept in the store) or "inline" (in
    # the request whatever the size: slow on large maps)
    "BACKGROUND_ANALYSIS": "thread",
    # expected seconds of exact betweenness/closeness up to which a request computes
    # them itself (expected from nodes x ties; above it: the background thread)
    "INLINE_ANALYSIS_SECONDS": 1.0,
    # processes a large map's cold report shares its sections among (a forked child
    # and the request's own: graph_models/report_split.py); 1: the request's only
    "REPORT_PROCESSES": 2,
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
    # where rate-limit counters live (Flask-Limiter storage URI; memory: per process;
    # with REDIS_URL set and this left at memory://, Redis: shared by every process)
    "RATELIMIT_STORAGE_URI": "memory://",
    # Redis (redis://host:6379/0) shared by several processes or hosts: the background
    # exact analysis runs on its RQ queue (`bridgemap worker`) and rate limits count
    # there. Empty: no Redis (a thread per process, limits per process)
    "REDIS_URL": "",
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
    (mode 0600, in a folder made 0700) and read back afterwards; production deployments
    set ``BRIDGEMAP_SECRET_KEY`` instead. When several workers start at once, one
    writes the key and the others read it.
    """
    if settings.get("SECRET_KEY"):
        return settings["SECRET_KEY"]
    path = Path(settings["SECRET_KEY_FILE"])
    if not path.exists():
        private_folder(path.parent)
        key = secrets.token_hex(32)
        try:
            write_private(path, key.encode())
            return key
        except FileExistsError:
            pass
    private_file(path)  # a key file left readable by an earlier release is tightened
    for _ in range(50):  # another worker may be writing it right now
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"the secret key file {path} is empty")
