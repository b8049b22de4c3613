"""A bulk write's ties: their ends found cheaply, and still checked (issue #16, §7 speed).

A bulk write knows the type of every node it writes, so it asks the store only about
the ends outside its batch (a first import: none). On Neo4j the ties are then created
between ends found by element id, as this transaction read or wrote them
(``cypher.CREATE_RELS_BETWEEN``), instead of one locking index seek per end; a tie
whose ends the transaction does not know still goes by ``(map_id, id)``.
"""

from __future__ import annotations

import re

import neo4j
import pytest

from graph_models.errors import InvalidInput
from graph_models.model import (
    DEFAULT_SILOS,
    Map,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Silo,
)
from graph_models.store import cypher
from graph_models.store.neo4j import Neo4jStore, Neo4jTransaction
from tests.conftest import wipe

STATUTORY = OrganisationKind.STATUTORY


def _map(store, map_id="m1"):
    store.create_map(Map(map_id, map_id, silos=[Silo(s, c) for s, c in DEFAULT_SILOS]))


def _ends(store, map_id="m1"):
    return {(r.id, r.source, r.target, r.kind) for r in store.graph(map_id).relationships}


def test_ties_to_batch_nodes_are_checked_by_their_written_type(store):
    """The batch's own nodes are not looked up, yet a tie's ends are checked against
    their types as written: a person "works for" an organisation of the same batch; a
    tie naming a person of the batch as the organisation is refused, all or nothing."""
    _map(store)
    store.bulk_upsert("m1", [Organisation("x", "Old org", "health", STATUTORY)], [])
    people = [Person("a", "A", "health"), Person("b", "B", "health")]
    org = Organisation("o", "New org", "health", STATUTORY)
    bad = [
        Relationship("t1", "a", "o", "works_for"),
        Relationship("t2", "a", "b", "works_for"),  # b is a person of this batch
    ]
    with pytest.raises(InvalidInput) as refused:
        store.bulk_upsert("m1", [*people, org], bad)
    assert "1" in refused.value.errors["relationships"]
    assert {n.id for n in store.graph("m1").nodes} == {"x"}  # nothing of the batch written

    good = [
        Relationship("t1", "a", "o", "works_for"),
        Relationship("t2", "b", "x", "works_for"),  # x: outside the batch, looked up
        Relationship("t3", "a", "b", "knows"),
    ]
    result = store.bulk_upsert("m1", [*people, org], good)
    assert (result.created, result.updated) == (6, 0)
    assert _ends(store) == {
        ("t1", "a", "o", "works_for"),
        ("t2", "b", "x", "works_for"),
        ("t3", "a", "b", "knows"),
    }


@pytest.fixture
def neo4j_store(neo4j_driver):
    wipe(neo4j_driver)
    return Neo4jStore(neo4j_driver, owns_driver=False)


@pytest.fixture
def statements(monkeypatch):
    """Every statement run in a managed transaction, with its parameters."""
    seen: list[tuple[str, dict]] = []
    original = neo4j.ManagedTransaction.run

    def recording(self, query, parameters=None, **kwargs):
        seen.append((str(query), {**(parameters or {}), **kwargs}))
        return original(self, query, parameters, **kwargs)

    monkeypatch.setattr(neo4j.ManagedTransaction, "run", recording)
    return seen


@pytest.mark.neo4j
def test_bulk_write_looks_up_only_outside_ends_and_ties_by_element_id(neo4j_store, statements):
    _map(neo4j_store)
    neo4j_store.bulk_upsert("m1", [Person("x", "X", "health")], [])
    statements.clear()
    people = [Person(f"p{i}", f"P {i}", "health") for i in range(3)]
    ties = [
        Relationship("t0", "p0", "p1", "knows", 4),
        Relationship("t1", "p1", "x", "knows"),  # x: written earlier, outside the batch
        Relationship("t2", "p2", "p0", "works_with"),
    ]
    neo4j_store.bulk_upsert("m1", people, ties)

    lookups = [sorted(p["ids"]) for q, p in statements if q == cypher.NODE_TYPES]
    assert lookups == [["p0", "p1", "p2"], ["x"]]  # the batch's ids, then the other end
    by_seek = [q for q, _ in statements if q in cypher.CREATE_RELS.values()]
    between = [p for q, p in statements if q in cypher.CREATE_RELS_BETWEEN.values()]
    assert by_seek == [] and sorted(r["id"] for p in between for r in p["rows"]) == [
        "t0",
        "t1",
        "t2",
    ]
    assert _ends(neo4j_store) == {
        ("t0", "p0", "p1", "knows"),
        ("t1", "p1", "x", "knows"),
        ("t2", "p2", "p0", "works_with"),
    }
    strengths = {r.id: r.strength for r in neo4j_store.graph("m1").relationships}
    assert strengths["t0"] == 4


@pytest.mark.neo4j
def test_element_ids_stay_within_their_map(neo4j_store, statements):
    """Two maps with the same node ids: each map's ties join that map's nodes."""
    for map_id in ("m1", "m2"):
        _map(neo4j_store, map_id)
        neo4j_store.bulk_upsert(map_id, [Person("a", "A", "health")], [])
    for map_id in ("m1", "m2"):
        neo4j_store.bulk_upsert(
            map_id, [Person("b", "B", "health")], [Relationship("t", "a", "b", "knows")]
        )
    with neo4j_store.driver.session() as session:
        rows = session.run(
            "MATCH (a:Node)-[r]->(b:Node) RETURN a.map_id AS am, r.map_id AS rm, b.map_id AS bm"
        ).data()
    assert sorted((r["am"], r["rm"], r["bm"]) for r in rows) == [
        ("m1", "m1", "m1"),
        ("m2", "m2", "m2"),
    ]


@pytest.mark.neo4j
def test_ties_between_ends_the_transaction_does_not_know_go_by_identity(
    neo4j_store, neo4j_driver, statements
):
    """The fallback: a transaction that neither read nor wrote an end finds it by
    ``(map_id, id)`` (``cypher.CREATE_RELS``), and the tie is made all the same."""
    _map(neo4j_store)
    neo4j_store.bulk_upsert("m1", [Person("a", "A", "health"), Person("b", "B", "health")], [])
    statements.clear()
    with neo4j_driver.session() as session:
        session.execute_write(
            lambda tx: Neo4jTransaction(tx).put_relationships(
                "m1", [Relationship("t", "a", "b", "knows")], {}
            )
        )
    assert [q for q, _ in statements] == [cypher.create_rels("knows")]
    assert _ends(neo4j_store) == {("t", "a", "b", "knows")}


@pytest.mark.neo4j
def test_written_records_carry_short_order_keys_and_no_empty_reporter_lists(
    neo4j_store, neo4j_driver
):
    """Every node and tie gets its own random order key of 16 hex digits (inline in
    Neo4j's property record, as a 36-character UUID is not), whichever way it is
    written; kept by an update. An empty ``reported_by`` is not stored, yet read as
    the empty list; a tie's reporters are kept."""
    _map(neo4j_store)
    neo4j_store.create("m1", Person("solo", "Solo", "health"))
    people = [Person(f"p{i}", f"P {i}", "health") for i in range(4)]
    ties = [
        Relationship("t0", "p0", "p1", "knows"),
        Relationship("t1", "p1", "p2", "knows", origin="survey", reported_by=["p1"]),
        Relationship("t2", "p2", "p3", "works_with"),
    ]
    neo4j_store.bulk_upsert("m1", people, ties)
    neo4j_store.create("m1", Relationship("t3", "solo", "p0", "knows"))

    def keys():
        with neo4j_driver.session() as session:
            nodes = session.run("MATCH (n:Node) RETURN n.id AS id, n.shuffle AS k").data()
            rels = session.run(
                "MATCH ()-[r]->() RETURN r.id AS id, r.shuffle AS k, r.reported_by AS rb"
            ).data()
        return sorted(nodes, key=str), sorted(rels, key=str)

    nodes, rels = keys()
    found = [r["k"] for r in nodes + rels]
    assert len(found) == 9 and len(set(found)) == 9
    assert all(re.fullmatch("[0-9a-f]{16}", k) for k in found)
    assert {r["id"]: r["rb"] for r in rels} == {"t0": None, "t1": ["p1"], "t2": None, "t3": None}
    read = {r.id: r.reported_by for r in neo4j_store.graph("m1").relationships}
    assert read == {"t0": [], "t1": ["p1"], "t2": [], "t3": []}

    neo4j_store.bulk_upsert("m1", [Person("p0", "P zero", "health")], [ties[0]])
    assert keys() == (nodes, rels)  # an update keeps each key
