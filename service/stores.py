"""Opening the configured store: embedded SQLite unless a Neo4j URI is given.

The Neo4j driver is an optional dependency (``pip install 'bridgemap[neo4j]'``): it is
imported only here, and only when ``NEO4J_URI`` is set, so an embedded-only install
runs without it.
"""

from __future__ import annotations

from graph_models.errors import StoreUnavailable
from graph_models.store.base import GraphStore

MISSING_DRIVER = (
    "BRIDGEMAP_NEO4J_URI is set but the Neo4j driver is not installed: "
    "pip install 'bridgemap[neo4j]' (or unset BRIDGEMAP_NEO4J_URI for the embedded store)"
)


def open_store(config) -> GraphStore:
    """Build the store named by ``config`` (a mapping of settings)."""
    if config.get("NEO4J_URI"):
        try:
            import neo4j
        except ImportError as exc:
            raise StoreUnavailable(MISSING_DRIVER) from exc

        from graph_models.store.neo4j import DRIVER_NOTIFICATIONS, Neo4jStore

        password = config.get("NEO4J_PASSWORD")
        auth = (config.get("NEO4J_USER", "neo4j"), password) if password else None
        # every wait is bounded, and all of them together by NEO4J_TIMEOUT, which is
        # below gunicorn's worker timeout (30 s): a hung server gives 503s, not dead workers
        timeout = float(config.get("NEO4J_TIMEOUT") or 15)
        driver = neo4j.GraphDatabase.driver(
            config["NEO4J_URI"],
            auth=auth,
            connection_timeout=min(5, timeout),
            connection_acquisition_timeout=min(10, timeout),
            max_transaction_retry_time=min(10, timeout),
            **DRIVER_NOTIFICATIONS,
        )
        return Neo4jStore(driver, database=config.get("NEO4J_DATABASE", "neo4j"), timeout=timeout)
    from graph_models.store.embedded import EmbeddedStore

    return EmbeddedStore(config["DATABASE"])
