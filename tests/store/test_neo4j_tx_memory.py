"""A write larger than Neo4j's transaction memory: refused whole, and said so plainly.

Neo4j caps the memory of its transactions (``db.memory.transaction.total.max``, 70% of
the heap by default; ``db.memory.transaction.max`` for one). A bulk write that needs
more fails at the server with a transient error, which the store used to report as
"the database is busy; try again": true when other transactions held the memory, but
for a write that alone is too large, retrying can never help. The store now says what
happened and what helps, and (as for any failed write) nothing of it is kept.
"""

from __future__ import annotations

import neo4j
import pytest

from graph_models.errors import StoreUnavailable
from graph_models.model import DEFAULT_SILOS, Map, Person, Relationship, Silo
from graph_models.store.embedded import EmbeddedStore
from graph_models.store.neo4j import (
    DRIVER_NOTIFICATIONS,
    TRANSACTION_MEMORY_MESSAGE,
    Neo4jStore,
)
from tests.conftest import make_app
from tests.neo4j_server import LocalNeo4j, free_port


@pytest.fixture
def small_transactions(tmp_path, monkeypatch):
    """A Neo4j server of its own whose transactions may hold 4 MiB each (Community
    has no procedure to change the cap of a running server); its Bolt URI."""
    monkeypatch.setenv("BRIDGEMAP_NEO4J_TX_MAX_MB", "4")
    server = LocalNeo4j(tmp_path / "neo4j", free_port()).start()
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_write_beyond_the_transaction_memory_is_refused_whole(small_transactions):
    # no retries: the driver would otherwise retry this transient error for 30 s
    driver = neo4j.GraphDatabase.driver(
        small_transactions, auth=None, max_transaction_retry_time=0, **DRIVER_NOTIFICATIONS
    )
    store = Neo4jStore(driver)
    try:
        store.create_map(Map("m1", "m1", silos=[Silo(s, c) for s, c in DEFAULT_SILOS]))
        store.bulk_upsert("m1", [Person("p0", "Already here", "health")], [])
        people = [Person(f"p{i}", f"Person {i}", "health") for i in range(1, 3001)]
        ties = [
            Relationship(f"t{i}", f"p{1 + i % 3000}", f"p{1 + (i * 7 + 1) % 3000}", "knows")
            for i in range(6000)
        ]
        with pytest.raises(StoreUnavailable) as refused:
            store.bulk_upsert("m1", people, ties)
        assert refused.value.message == TRANSACTION_MEMORY_MESSAGE
        assert "busy" not in refused.value.message
        graph = store.graph("m1")
        assert [n.id for n in graph.nodes] == ["p0"]
        assert graph.relationships == []
    finally:
        store.close()


def test_the_message_reads_in_welsh(tmp_path):
    """The service shows the store's message in the reader's language (a known
    message: graph_models.messages.MARSHMALLOW_MESSAGES)."""
    from service.i18n import translate

    app = make_app(EmbeddedStore(tmp_path / "db.sqlite3"))
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        welsh = translate(TRANSACTION_MEMORY_MESSAGE)
    assert welsh != TRANSACTION_MEMORY_MESSAGE
    assert "gof trafodion" in welsh and "db.memory.transaction.total.max" in welsh
