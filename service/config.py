"""Configuration from the environment.

Every setting can be given as an environment variable ``BRIDGEMAP_<NAME>``; tests pass a
``test_config`` mapping to :func:`service.app.create_app` instead. Secrets (the Neo4j
password, the secret key) come only from the environment, never from the repository.
"""

from __future__ import annotations

import os
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
