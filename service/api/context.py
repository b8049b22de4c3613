"""Helpers every API view uses: the store of the running app, and who is asking."""

from __future__ import annotations

from flask import current_app, g

from graph_models.store.base import GraphStore


def store() -> GraphStore:
    """The store kept in ``app.extensions`` by the app factory (never a module global)."""
    return current_app.extensions["bridgemap.store"]


def actor() -> str:
    """Who is writing, for the audit log: ``role:token-id`` (set by service.policy)."""
    return getattr(g, "actor", "") or "anonymous"


def full_access() -> bool:
    """True for coordinators and the operator; everyone else reads under the viewer rules
    of :mod:`graph_models.visibility`. No principal (a public route) means no access."""
    principal = getattr(g, "principal", None)
    return bool(principal and principal.full_access)


def secret() -> bytes:
    """The key of pseudonyms."""
    return current_app.config["SECRET_KEY"].encode()


def forget_cached(map_id: str) -> None:
    """Drop every cached analysis of a map (after an erasure)."""
    current_app.extensions["bridgemap.cache"].forget(map_id)
