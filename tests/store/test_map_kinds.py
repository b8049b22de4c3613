"""A map's own relationship kinds and its vocabulary changes, on both stores (contract).

A map's own kind is stored as any built-in one is: written, read back, filtered by,
deleted; in Neo4j as a ``RELATES_TO`` tie whose ``kind`` property names it, so no
user text ever reaches the Cypher text. A vocabulary change that would strand ties or
people (a used kind or silo dropped, a used kind's ends changed) is refused whole.
"""

from __future__ import annotations

import neo4j
import pytest

from graph_models.errors import Conflict, InvalidInput
from graph_models.model import (
    EntityType,
    Map,
    MapKind,
    NodeType,
    Organisation,
    Person,
    Relationship,
    Silo,
)
from graph_models.store.base import ListFilter

P, O, R = EntityType.PERSON, EntityType.ORGANISATION, EntityType.RELATIONSHIP
PP, PO = (NodeType.PERSON, NodeType.PERSON), (NodeType.PERSON, NodeType.ORGANISATION)
#: A kind name made to break out of a relationship type if it were ever spliced in.
HOSTILE = "x`]->() DETACH DELETE n //'\""


def own(name, ends=PP, **kw) -> MapKind:
    return MapKind(name, name.replace("_", " "), *ends, **kw)


@pytest.fixture
def kinded(store):
    """health: ann, bea; housing: cai; clinic (health); kinds co_delivers (p-p, directed)
    and hosts (p-o, affiliation); ties r1 ann-co_delivers->bea, r2 ann-knows-cai."""
    m = Map("m1", "Kinds", silos=[Silo("health"), Silo("housing"), Silo("police")])
    m.kinds = [own("co_delivers", directed=True), own("hosts", PO, affiliation=True)]
    store.create_map(m)
    store.bulk_upsert(
        "m1",
        [
            Person("ann", "Ann", "health"),
            Person("bea", "Bea", "health"),
            Person("cai", "Cai", "housing"),
            Organisation("clinic", "Clinic", "health"),
        ],
        [
            Relationship("r1", "ann", "bea", "co_delivers", strength=4),
            Relationship("r2", "ann", "cai", "knows"),
        ],
    )
    return store


def test_own_kind_written_read_filtered_and_deleted(kinded):
    store = kinded
    assert [(k.name, k.directed) for k in store.get_map("m1").kinds] == [
        ("co_delivers", True),
        ("hosts", False),
    ]
    got = store.get("m1", R, "r1")
    assert (got.source, got.target, got.kind, got.strength) == ("ann", "bea", "co_delivers", 4)
    store.create("m1", Relationship("r3", "cai", "clinic", "hosts"))
    listed = store.list("m1", R, filters=ListFilter(kind="hosts")).items
    assert [r.id for r in listed] == ["r3"]
    assert [r.id for r in store.list("m1", R, filters=ListFilter(kind="knows")).items] == ["r2"]
    assert {r.id: r.kind for r in store.graph("m1").relationships} == {
        "r1": "co_delivers",
        "r2": "knows",
        "r3": "hosts",
    }
    # a tie changing from an own kind to a built-in one and back keeps one record
    store.update("m1", Relationship("r3", "cai", "clinic", "works_for"))
    assert store.get("m1", R, "r3").kind == "works_for"
    store.update("m1", Relationship("r3", "cai", "clinic", "hosts"))
    assert store.get("m1", R, "r3").kind == "hosts"
    store.delete("m1", R, "r3")
    store.delete("m1", R, "r1")
    assert [r.id for r in store.graph("m1").relationships] == ["r2"]


def test_unknown_kind_and_wrong_ends_are_refused(kinded):
    store = kinded
    with pytest.raises(InvalidInput) as bad:
        store.create("m1", Relationship("r9", "ann", "bea", "co_produces"))
    assert "kind" in bad.value.errors
    with pytest.raises(InvalidInput) as ends:
        store.create("m1", Relationship("r9", "ann", "bea", "hosts"))  # p-o kind, p-p ends
    assert "target" in ends.value.errors
    with pytest.raises(InvalidInput) as batch:
        store.bulk_upsert("m1", [], [Relationship("r9", "ann", "bea", "nope")])
    assert batch.value.errors["relationships"]["0"]["kind"]
    assert {r.id for r in store.graph("m1").relationships} == {"r1", "r2"}


def test_used_kind_cannot_be_dropped_or_change_ends(kinded):
    store = kinded
    before = store.get_map("m1")
    version = before.version
    changed = store.get_map("m1")
    changed.kinds = [own("hosts", PO, affiliation=True)]  # co_delivers dropped: used by r1
    changed.name = "Renamed too"
    with pytest.raises(Conflict) as used:
        store.update_map(changed)
    assert "1 tie" in str(used.value.errors["kinds"][0])
    moved = store.get_map("m1")
    moved.kinds = [own("co_delivers", PO), own("hosts", PO, affiliation=True)]
    with pytest.raises(Conflict) as ends:
        store.update_map(moved)
    assert "ends" in str(ends.value.errors["kinds"][0])
    after = store.get_map("m1")  # nothing was written: not the name, not the kinds
    assert (after.name, after.kinds, after.version) == (before.name, before.kinds, version)
    assert store.get("m1", R, "r1").kind == "co_delivers"
    # an unused kind goes; a used kind's labels and direction may change
    after.kinds = [own("co_delivers", directed=False, label_cy="cyd-gyflawni")]
    store.update_map(after)
    assert [(k.name, k.directed, k.label_cy) for k in store.get_map("m1").kinds] == [
        ("co_delivers", False, "cyd-gyflawni")
    ]
    store.delete("m1", R, "r1")
    emptied = store.get_map("m1")
    emptied.kinds = []
    store.update_map(emptied)
    assert store.get_map("m1").kinds == []


def test_silo_rename_is_followed_and_used_silo_cannot_go(kinded):
    store = kinded
    m = store.get_map("m1")
    m.silos = [Silo("health"), Silo("police")]  # housing holds cai
    with pytest.raises(Conflict) as used:
        store.update_map(m)
    assert "housing" in str(used.value.errors["silos"][0])
    assert store.get("m1", P, "cai").silo == "housing"
    m = store.get_map("m1")
    m.silos = [Silo("health", label_cy="iechyd"), Silo("homes", "#117733", "tai")]
    store.update_map(m, rename_silos={"housing": "homes"})  # police (unused) goes too
    got = store.get_map("m1")
    assert [(s.name, s.label_cy) for s in got.silos] == [("health", "iechyd"), ("homes", "tai")]
    assert store.get("m1", P, "cai").silo == "homes"
    assert [p.id for p in store.list("m1", P, filters=ListFilter(silo="homes")).items] == ["cai"]
    assert {n.id: n.silo for n in store.graph("m1").nodes}["cai"] == "homes"
    bad = store.get_map("m1")
    with pytest.raises(InvalidInput) as wrong:
        store.update_map(bad, rename_silos={"nowhere": "homes"})
    assert "rename_silos" in wrong.value.errors


def test_hostile_kind_name_stays_data(store, request, monkeypatch):
    """A kind name with backticks and quotes (the store is given it directly, past the
    API's name rule) is a property value: it never appears in a query's text, and the
    map's data all survive."""
    seen: list[str] = []
    if "neo4j" in request.node.callspec.id:
        original = neo4j.ManagedTransaction.run

        def recording(self, query, *args, **kwargs):
            seen.append(str(query))
            return original(self, query, *args, **kwargs)

        monkeypatch.setattr(neo4j.ManagedTransaction, "run", recording)
    m = Map("m1", "Hostile", silos=[Silo("health")])
    m.kinds = [MapKind(HOSTILE, "hostile", *PP)]
    store.create_map(m)
    store.bulk_upsert("m1", [Person("a", "A", "health"), Person("b", "B", "health")], [])
    store.create("m1", Relationship("t1", "a", "b", HOSTILE))
    assert store.get("m1", R, "t1").kind == HOSTILE
    assert [r.id for r in store.list("m1", R, filters=ListFilter(kind=HOSTILE)).items] == ["t1"]
    store.delete("m1", R, "t1")
    assert {n.id for n in store.graph("m1").nodes} == {"a", "b"}
    assert store.graph("m1").relationships == []
    if "neo4j" in request.node.callspec.id:
        assert seen and not any("DETACH DELETE n //" in q or HOSTILE in q for q in seen)
