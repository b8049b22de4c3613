"""What every use case needs from the running app: the store, the analysis cache, the
secret key, and who is asking (set by :mod:`service.policy` for each request)."""

from __future__ import annotations

from flask import current_app, g

from graph_models.store.base import GraphStore
from service.cache import AnalysisCache


def store() -> GraphStore:
    """The store kept in ``app.extensions`` by the app factory (never a module global)."""
    return current_app.extensions["bridgemap.store"]


def cache() -> AnalysisCache:
    """The analysis cache of this process (results keyed by map version)."""
    return current_app.extensions["bridgemap.cache"]


def page_cache() -> AnalysisCache:
    """Encoded report pages of this process, keyed like :func:`cache` plus the page."""
    return current_app.extensions["bridgemap.pages"]


def report_processes() -> int:
    """Processes a cold report may share its sections among (``REPORT_PROCESSES``)."""
    return int(current_app.config.get("REPORT_PROCESSES", 2))


def actor() -> str:
    """Who is writing, for the audit log: ``role:token-id`` (set by service.policy)."""
    return getattr(g, "actor", "") or "anonymous"


def principal():
    """Who is asking (a :class:`service.auth.Principal`), or None on a public route."""
    return getattr(g, "principal", None)


def full_access() -> bool:
    """True for coordinators and the operator; everyone else reads under the viewer rules
    of :mod:`graph_models.visibility`. No principal (a public route) means no access."""
    principal = getattr(g, "principal", None)
    return bool(principal and principal.full_access)


def secret() -> bytes:
    """The service's secret key as bytes: it keys pseudonyms (and signs sessions).

    The app factory always sets ``SECRET_KEY`` (service.config.secret_key), so this is
    the one way anything reads it.
    """
    key = current_app.config["SECRET_KEY"]
    return key if isinstance(key, bytes) else key.encode()


def forget_cached(map_id: str) -> None:
    """Drop every cached analysis of a map, its encoded pages and the pseudonyms known to
    stand for its records (after an erasure)."""
    cache().forget(map_id)
    page_cache().forget(map_id)
    unmasked = current_app.extensions.get("bridgemap.unmasked")  # service.usecases.pseudonyms
    if unmasked is not None:
        unmasked.forget(map_id)
