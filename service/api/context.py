"""Helpers every API view uses: the store of the running app, and who is acting."""

from __future__ import annotations

from flask import current_app, g

from graph_models.store.base import GraphStore


def store() -> GraphStore:
    """The store kept in ``app.extensions`` by the app factory (never a module global)."""
    return current_app.extensions["bridgemap.store"]


def actor() -> str:
    """Who is writing, for the audit log (set by authentication when it is on)."""
    return getattr(g, "actor", "") or "anonymous"
