"""Operator logs: the driver does not log "label/property does not exist" warnings.

On a fresh database, every query about something not yet written makes the server send
an UNRECOGNIZED notification, which the driver logs as a multi-line WARNING. The store's
driver settings (``DRIVER_NOTIFICATIONS``) stop them at the server; other warnings stay.
"""

from __future__ import annotations

import logging

import neo4j
import pytest

from graph_models.store.neo4j import DRIVER_NOTIFICATIONS
from service.stores import open_store

pytestmark = pytest.mark.neo4j

UNKNOWN = "MATCH (x:NoSuchLabelEver {no_such_property_ever: 1}) RETURN x"


def _warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("neo4j") and r.levelno >= logging.WARNING
    ]


def test_default_driver_warns_about_unknown_labels(neo4j_uri, caplog):
    """The problem is real: without the settings, the driver logs a WARNING."""
    caplog.set_level(logging.INFO, logger="neo4j")
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        driver.execute_query(UNKNOWN)
    assert any("does not exist" in w or "UnknownLabel" in w for w in _warnings(caplog))


def test_store_driver_is_quiet_about_unknown_labels(neo4j_uri, caplog):
    caplog.set_level(logging.INFO, logger="neo4j")
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None, **DRIVER_NOTIFICATIONS) as driver:
        driver.execute_query(UNKNOWN)
    assert _warnings(caplog) == []


def test_service_store_uses_the_quiet_settings(neo4j_uri, caplog):
    caplog.set_level(logging.INFO, logger="neo4j")
    store = open_store({"NEO4J_URI": neo4j_uri, "NEO4J_TIMEOUT": 15})
    try:
        store.ping()
        store.driver.execute_query(UNKNOWN)
    finally:
        store.close()
    assert _warnings(caplog) == []
