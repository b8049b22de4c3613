"""The store contract: every test here runs unchanged on the embedded and Neo4j stores."""

from __future__ import annotations

from datetime import date

import pytest

from graph_models.errors import Conflict, InvalidInput, NotFound
from graph_models.model import (
    EntityType,
    Map,
    NodeType,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Silo,
    Visibility,
)
from graph_models.store.base import Consent, ListFilter

P, O, R = EntityType.PERSON, EntityType.ORGANISATION, EntityType.RELATIONSHIP


def new_map(store, map_id="m1"):
    return store.create_map(
        Map(map_id, "Test partnership", silos=[Silo("health"), Silo("housing")])
    )


@pytest.fixture
def filled(store):
    """health: ann, bea; housing: cai; organisation: clinic (health)."""
    new_map(store)
    store.create("m1", Person("ann", "Ann Evans", "health", role="GP"))
    store.create("m1", Person("bea", "Bea Jones", "health", visibility=Visibility.ANONYMISED))
    store.create("m1", Person("cai", "Cai Price", "housing"))
    store.create(
        "m1", Organisation("clinic", "Valley Clinic", "health", OrganisationKind.STATUTORY)
    )
    store.create("m1", Relationship("r1", "ann", "bea", "works_with", strength=4))
    store.create(
        "m1",
        Relationship("r2", "ann", "cai", "knows", since=date(2020, 1, 1), until=date(2022, 12, 31)),
    )
    store.create("m1", Relationship("r3", "bea", "clinic", "works_for"))
    return store


def test_maps_crud_and_version(store):
    m = new_map(store)
    assert m.version == 0
    got = store.get_map("m1")
    assert (got.name, got.silo_names()) == ("Test partnership", ["health", "housing"])
    got.name = "Renamed"
    store.update_map(got)
    again = store.get_map("m1")
    assert again.name == "Renamed" and again.version == 1
    assert [m.id for m in store.list_maps().items] == ["m1"]
    store.delete_map("m1")
    with pytest.raises(NotFound):
        store.get_map("m1")


def test_duplicate_map_conflicts(store):
    new_map(store)
    with pytest.raises(Conflict):
        new_map(store)


def test_entities_round_trip(filled):
    ann = filled.get("m1", P, "ann")
    assert ann == Person("ann", "Ann Evans", "health", role="GP")
    rel = filled.get("m1", R, "r2")
    assert (rel.since, rel.until, rel.kind) == (date(2020, 1, 1), date(2022, 12, 31), "knows")
    assert filled.get("m1", O, "clinic").kind is OrganisationKind.STATUTORY


def test_every_write_bumps_version(filled):
    assert filled.get_map("m1").version == 7
    filled.update("m1", Person("cai", "Cai Price", "housing", role="officer"))
    assert filled.get_map("m1").version == 8


def test_get_is_typed_and_scoped(filled):
    with pytest.raises(NotFound):
        filled.get("m1", O, "ann")  # a person is not an organisation
    new_map(filled, "m2")
    with pytest.raises(NotFound):
        filled.get("m2", P, "ann")  # map scoping
    with pytest.raises(NotFound):
        filled.get("nope", P, "ann")


def test_duplicate_create_conflicts_across_node_types(filled):
    with pytest.raises(Conflict):
        filled.create("m1", Person("ann", "Another Ann", "health"))
    with pytest.raises(Conflict):
        filled.create("m1", Organisation("ann", "Ann Ltd", "health"))
    with pytest.raises(Conflict):
        filled.create("m1", Relationship("r1", "ann", "cai", "knows"))


def test_relationship_endpoints_checked(filled):
    with pytest.raises(InvalidInput) as exc:
        filled.create("m1", Relationship("x", "ann", "ghost", "knows"))
    assert "target" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        filled.create("m1", Relationship("x", "ann", "cai", "member_of"))
    assert "target" in exc.value.errors
    with pytest.raises(InvalidInput):
        filled.create("m1", Relationship("x", "clinic", "ann", "works_for"))
    assert filled.list("m1", R).total == 3  # nothing half-written


def test_update_relationship_can_change_kind(filled):
    filled.update("m1", Relationship("r1", "ann", "bea", "mentors", strength=5))
    got = filled.get("m1", R, "r1")
    assert (got.kind, got.strength) == ("mentors", 5)
    assert filled.list("m1", R).total == 3


def test_update_missing_is_not_found(filled):
    with pytest.raises(NotFound):
        filled.update("m1", Person("zed", "Zed", "health"))


def test_delete_person_deletes_their_ties_and_audit_forgets_them(filled):
    filled.delete("m1", P, "ann", actor="coordinator")
    with pytest.raises(NotFound):
        filled.get("m1", P, "ann")
    assert sorted(r.id for r in filled.list("m1", R).items) == ["r3"]
    log = filled.audit_log("m1", limit=100).items
    assert log[0].action == "delete" and log[0].actor == "coordinator"
    assert all(entry.entity_ref != "ann" for entry in log)
    assert any(entry.entity_ref.startswith("erased:") for entry in log)


def test_delete_organisation_deletes_ties(filled):
    filled.delete("m1", O, "clinic")
    assert sorted(r.id for r in filled.list("m1", R).items) == ["r1", "r2"]


def test_delete_relationship(filled):
    filled.delete("m1", R, "r1")
    with pytest.raises(NotFound):
        filled.delete("m1", R, "r1")


def test_list_filters_and_paging(filled):
    people = filled.list("m1", P)
    assert [p.id for p in people.items] == ["ann", "bea", "cai"] and people.total == 3
    assert [p.id for p in filled.list("m1", P, filters=ListFilter(silo="health")).items] == [
        "ann",
        "bea",
    ]
    assert [p.id for p in filled.list("m1", P, filters=ListFilter(q="PRICE")).items] == ["cai"]
    page = filled.list("m1", P, limit=2, offset=2)
    assert ([p.id for p in page.items], page.total) == (["cai"], 3)
    kinds = filled.list("m1", R, filters=ListFilter(kind="knows"))
    assert [r.id for r in kinds.items] == ["r2"]
    orgs = filled.list("m1", O, filters=ListFilter(kind="statutory"))
    assert [o.id for o in orgs.items] == ["clinic"]
    assert filled.list("m1", P, filters=ListFilter(q="%")).total == 0  # wildcards are literal


def test_graph_and_as_of(filled):
    whole = filled.graph("m1")
    assert len(whole.nodes) == 4 and len(whole.relationships) == 3
    assert sorted(r.id for r in filled.graph("m1", as_of=date(2021, 6, 1)).relationships) == [
        "r1",
        "r2",
        "r3",
    ]
    assert sorted(r.id for r in filled.graph("m1", as_of=date(2023, 1, 1)).relationships) == [
        "r1",
        "r3",
    ]
    assert len(filled.graph("m1", as_of=date(2023, 1, 1)).nodes) == 4


def test_ties_by_id_take_kinds_as_a_hint_not_a_filter(filled):
    """``kinds`` says where each tie should be (Neo4j: its kind's relationship type);
    a tie of another kind, or one whose kind has changed, is found all the same, and
    an id not stored is not; with many ids as with few (Neo4j looks them up otherwise
    above 200)."""
    stored = {r.id: r for r in filled.graph("m1").relationships}
    ids = ["r1", "r2", "r3", "nope"]
    right = {"r1": "works_with", "r2": "knows", "r3": "works_for", "nope": "knows"}
    wrong = {"r1": "knows", "r2": "mentors", "nope": "works_for"}  # r3: no hint
    for kinds in (right, wrong, None):
        found = filled.relationships_by_id("m1", ids, kinds=kinds)
        assert sorted(found, key=lambda r: r.id) == [stored[i] for i in ("r1", "r2", "r3")]
    filled.update("m1", Relationship("r2", "ann", "cai", "mentors", strength=2))
    (r2,) = filled.relationships_by_id("m1", ["r2"], kinds={"r2": "knows"})
    assert (r2.kind, r2.strength) == ("mentors", 2)
    ties = [Relationship(f"t{i}", "ann", "cai", ("knows", "mentors")[i % 2]) for i in range(300)]
    filled.bulk_upsert("m1", [], ties)
    asked = [f"t{i}" for i in range(300)] + ["r1", "r2", "nope"]
    half_wrong = {f"t{i}": "knows" for i in range(300)}
    for kinds in (half_wrong, {**half_wrong, "r1": "works_with"}):
        found = {r.id: r for r in filled.relationships_by_id("m1", asked, kinds=kinds)}
        assert set(found) == {*asked} - {"nope"}
        assert found["t7"].kind == "mentors" and found["r2"].kind == "mentors"


def test_node_index_follows_every_write(filled):
    """Each node's type and name (Neo4j keeps it for the map's version: asked again
    after a write, it is the map's new state)."""
    assert filled.node_index("m1")["clinic"] == (NodeType.ORGANISATION, "Valley Clinic")
    filled.create("m1", Person("dai", "Dai Hughes", "housing"))
    filled.update("m1", Person("ann", "Ann Morgan", "health", role="GP"))
    filled.delete("m1", O, "clinic")
    index = filled.node_index("m1")
    assert index == {
        "ann": (NodeType.PERSON, "Ann Morgan"),
        "bea": (NodeType.PERSON, "Bea Jones"),
        "cai": (NodeType.PERSON, "Cai Price"),
        "dai": (NodeType.PERSON, "Dai Hughes"),
    }
    assert filled.node_index("m1") == index


def test_neighbourhood(filled):
    one = filled.neighbourhood("m1", "cai", hops=1)
    assert sorted(n.id for n in one.nodes) == ["ann", "cai"]
    assert [r.id for r in one.relationships] == ["r2"]
    two = filled.neighbourhood("m1", "cai", hops=2)
    assert sorted(n.id for n in two.nodes) == ["ann", "bea", "cai"]
    assert sorted(r.id for r in two.relationships) == ["r1", "r2"]
    with pytest.raises(NotFound):
        filled.neighbourhood("m1", "ghost")


def test_bulk_upsert_creates_then_updates(store):
    new_map(store)
    people = [Person(f"p{i}", f"Person {i}", "health") for i in range(10)]
    ties = [Relationship(f"t{i}", f"p{i}", f"p{i + 1}", "knows") for i in range(9)]
    first = store.bulk_upsert("m1", people, ties)
    assert (first.created, first.updated) == (19, 0)
    people[0] = Person("p0", "Person Zero", "housing")
    ties[0] = Relationship("t0", "p0", "p5", "mentors")
    second = store.bulk_upsert("m1", people, ties)
    assert (second.created, second.updated) == (0, 19)
    assert store.get("m1", P, "p0").name == "Person Zero"
    assert (store.get("m1", R, "t0").target, store.get("m1", R, "t0").kind) == ("p5", "mentors")
    assert store.list("m1", R).total == 9


def test_bulk_upsert_is_all_or_nothing(store):
    new_map(store)
    people = [Person("a", "A", "health"), Person("b", "B", "housing")]
    ties = [Relationship("t1", "a", "b", "knows"), Relationship("t2", "a", "ghost", "knows")]
    with pytest.raises(InvalidInput) as exc:
        store.bulk_upsert("m1", people, ties)
    assert "1" in exc.value.errors["relationships"]
    assert store.list("m1", P).total == 0 and store.list("m1", R).total == 0
    assert store.get_map("m1").version == 0


def test_bulk_rejects_repeated_ids_and_type_changes(store):
    new_map(store)
    with pytest.raises(InvalidInput):
        store.bulk_upsert("m1", [Person("a", "A", "health"), Person("a", "A2", "health")], [])
    store.create("m1", Organisation("org", "Org", "health"))
    with pytest.raises(Conflict):
        store.bulk_upsert("m1", [Person("org", "Now a person", "health")], [])
    assert store.get("m1", O, "org").name == "Org"


def test_unknown_map_everywhere(store):
    with pytest.raises(NotFound):
        store.create("nope", Person("a", "A", "health"))
    with pytest.raises(NotFound):
        store.list("nope", P)
    with pytest.raises(NotFound):
        store.bulk_upsert("nope", [Person("a", "A", "health")], [])
    with pytest.raises(NotFound):
        store.graph("nope")


def test_odd_but_valid_ids(store):
    new_map(store)
    for odd in ["a.b", "x:y-z_1", "9" * 128]:
        store.create("m1", Person(odd, "Odd", "health"))
        assert store.get("m1", P, odd).id == odd


# -- access tokens (hashes only) ---------------------------------------------------------


def token(tid="t1", map_id="m1", role="viewer", digest=None, **kw):
    from graph_models.store.base import AccessToken

    return AccessToken(tid, map_id, role, digest or ("h-" + tid), **kw)


def test_tokens_create_find_list_revoke(store):
    from graph_models.store.base import OPERATOR_SCOPE

    new_map(store)
    made = store.create_token(token("t1", label="commissioners"), actor="admin:root")
    assert made.created_at and made.created_by == "admin:root"
    store.create("m1", Person("ann", "Ann", "health"))  # a link's subject must exist
    store.create_token(token("t2", role="community", subject="ann"))
    store.create_token(token("op", map_id=OPERATOR_SCOPE, role="admin"))
    assert store.find_token("h-t1").label == "commissioners"
    assert store.find_token("nope") is None
    assert store.get_token("t2").subject == "ann"
    assert [t.id for t in store.list_tokens("m1")] == ["t1", "t2"]
    assert [t.id for t in store.list_tokens(OPERATOR_SCOPE)] == ["op"]
    revoked = store.revoke_token("m1", "t1", at="2030-01-01T00:00:00+00:00", actor="x")
    assert revoked.revoked_at == "2030-01-01T00:00:00+00:00"
    assert store.find_token("h-t1").revoked_at == "2030-01-01T00:00:00+00:00"
    again = store.revoke_token("m1", "t1", at="2031-01-01T00:00:00+00:00")
    assert again.revoked_at == "2030-01-01T00:00:00+00:00"  # the first revocation stands
    log = store.audit_log("m1", limit=10).items
    assert [(e.action, e.entity_type, e.entity_ref) for e in log[:2]] == [
        ("revoke", "token", "t1"),
        ("create", "token", "t2"),
    ]


def test_tokens_are_scoped_and_unique(store):
    new_map(store)
    new_map(store, "m2")
    store.create_token(token("t1"))
    with pytest.raises(Conflict):
        store.create_token(token("t1", digest="other"))
    with pytest.raises(Conflict):
        store.create_token(token("t9", digest="h-t1"))
    with pytest.raises(NotFound):
        store.revoke_token("m2", "t1", at="2030-01-01")  # another map's token
    with pytest.raises(NotFound):
        store.create_token(token("t3", map_id="nope"))
    with pytest.raises(NotFound):
        store.list_tokens("nope")
    with pytest.raises(NotFound):
        store.get_token("ghost")
    store.create("m1", Person("ann", "Ann", "health"))
    store.create_token(token("link", role="community", subject="ann"))
    store.delete("m1", P, "ann")  # erasure takes their share links with them
    assert store.find_token("h-link") is None and store.find_token("h-t1") is not None
    store.delete_map("m1")
    assert store.find_token("h-t1") is None


def test_audit_log_filtered_by_refs_and_map_updates_audited(filled):
    m = filled.get_map("m1")
    m.name = "Renamed"
    filled.update_map(m, actor="coordinator:t1")
    assert filled.audit_log("m1", limit=1).items[0].entity_type == "map"
    about = filled.audit_log("m1", refs=["ann", "r1"], limit=100)
    assert about.total == 2
    assert sorted(e.entity_ref for e in about.items) == ["ann", "r1"]
    assert filled.audit_log("m1", refs=[]).total == 0


# -- name search (folded: accents and case forgiven) ---------------------------------------


def names_found(store, q, etype=P, **page):
    found = store.list("m1", etype, filters=ListFilter(q=q), **page)
    return [x.id for x in found.items], found.total


def test_search_folds_accents_and_case(store):
    new_map(store)
    store.create("m1", Person("sian", "Siân Evans", "health"))
    store.create("m1", Person("llyr", "Llŷr Jones", "housing"))
    store.create("m1", Person("sion", "Siôn Llwyd", "housing"))
    store.create("m1", Organisation("ysgol", "Ysgol Gymraeg Llŷn", "health"))
    store.bulk_upsert("m1", [Person("jorg", "Jörg Straße", "health")], [])
    assert names_found(store, "sian") == (["sian"], 1)
    assert names_found(store, "SIAN") == (["sian"], 1)
    assert names_found(store, "Siân") == (["sian"], 1)
    assert names_found(store, "llyr") == (["llyr"], 1)
    assert names_found(store, "LLŶR") == (["llyr"], 1)
    assert names_found(store, "strasse") == (["jorg"], 1)  # ß folds to ss
    assert names_found(store, "ll") == (["llyr", "sion"], 2)  # Welsh digraphs kept
    assert names_found(store, "llyn", O) == (["ysgol"], 1)
    assert names_found(store, "llyn") == ([], 0)  # people only


def test_search_pages_in_the_store(store):
    new_map(store)
    store.bulk_upsert("m1", [Person(f"p{i:02}", f"Siân {i:02}", "health") for i in range(30)], [])
    store.create("m1", Person("zed", "Zed", "health"))
    ids, total = names_found(store, "sian", limit=10, offset=20)
    assert total == 30 and ids == [f"p{i:02}" for i in range(20, 30)]


def test_search_key_follows_name_changes(store):
    new_map(store)
    store.create("m1", Person("sian", "Siân Evans", "health"))
    store.update("m1", Person("sian", "Sioned Evans", "health"))
    assert names_found(store, "sian") == ([], 0)
    assert names_found(store, "sioned") == (["sian"], 1)
    store.bulk_upsert("m1", [Person("sian", "Siân Évans", "health")], [])
    assert names_found(store, "sian evans") == (["sian"], 1)
    assert names_found(store, "sioned") == ([], 0)


# -- new silos in a batch -------------------------------------------------------------------


def test_bulk_upsert_adds_new_silos_in_the_same_write(store):
    new_map(store)
    result = store.bulk_upsert(
        "m1",
        [Person("yan", "Yan", "Youth Work")],
        [],
        actor="importer",
        new_silos=[Silo("Youth Work", "#123456"), Silo("health")],  # health: already there
    )
    assert result.created == 1
    m = store.get_map("m1")
    assert m.silo_names() == ["health", "housing", "Youth Work"] and m.version == 1
    assert m.silo_colours()["Youth Work"] == "#123456"
    log = store.audit_log("m1").items
    assert {(e.action, e.entity_type) for e in log} == {
        ("update", "map"),
        ("bulk_upsert", "relationship"),
    }


def test_bulk_upsert_new_silos_are_all_or_nothing(store):
    new_map(store)
    with pytest.raises(InvalidInput):
        store.bulk_upsert(
            "m1",
            [Person("yan", "Yan", "Youth Work")],
            [Relationship("t", "yan", "ghost", "knows")],
            new_silos=[Silo("Youth Work")],
        )
    m = store.get_map("m1")
    assert m.silo_names() == ["health", "housing"] and m.version == 0
    assert store.list("m1", P).total == 0


# -- lists as a reader sees them (consent applied in the store query) ----------------------


def _label(silo):
    return f"a person in {silo}"


VIEWER = Consent(min_group=2, label=_label)


@pytest.fixture
def consented(store):
    """health (3 people): ann named, bea anonymised, dai hidden; housing (1): cai
    anonymised, in a silo too small to hide in; organisation clinic; ties among them."""
    new_map(store)
    store.create("m1", Person("ann", "Ann Evans", "health"))
    store.create("m1", Person("bea", "Bea Jones", "health", visibility=Visibility.ANONYMISED))
    store.create("m1", Person("dai", "Dai Hughes", "health", visibility=Visibility.HIDDEN))
    store.create("m1", Person("cai", "Cai Price", "housing", visibility=Visibility.ANONYMISED))
    store.create(
        "m1", Organisation("clinic", "Valley Clinic", "health", OrganisationKind.STATUTORY)
    )
    for rid, a, b, kind in (
        ("r1", "ann", "bea", "works_with"),
        ("r2", "ann", "dai", "works_with"),
        ("r3", "ann", "cai", "knows"),
        ("r4", "bea", "clinic", "works_for"),
        ("r5", "ann", "clinic", "works_for"),
    ):
        store.create("m1", Relationship(rid, a, b, kind))
    return store


def shown(store, etype, consent=VIEWER, limit=50, offset=0, **filters):
    found = store.list_shown(
        "m1", etype, filters=ListFilter(**filters), consent=consent, limit=limit, offset=offset
    )
    return [x.id for x in found.page.items], found.page.total


def test_shown_lists_count_and_page_only_what_a_viewer_may_see(consented):
    store = consented
    # coordinators: everyone, by name
    assert shown(store, P, consent=None) == (["ann", "bea", "cai", "dai"], 4)
    # viewers: dai hidden, cai's silo too small; bea shown as "a person in health"
    assert shown(store, P) == (["bea", "ann"], 2)  # "a person..." sorts before "ann..."
    assert shown(store, P, limit=1, offset=1) == (["ann"], 2)
    assert shown(store, P, q="PERSON") == (["bea"], 1)
    for name in ("bea", "jones", "dai", "cai"):  # never found by a name not shown
        assert shown(store, P, q=name) == ([], 0)
    assert shown(store, P, silo="housing") == ([], 0)
    assert shown(store, O) == (["clinic"], 1)
    # ties: only those whose both ends are shown, ordered by the first end's shown text
    assert shown(store, R, consent=None)[1] == 5
    ids, total = shown(store, R)
    assert total == 3 and set(ids) == {"r1", "r4", "r5"} and ids[0] == "r4"
    assert shown(store, R, q="valley")[1] == 2
    assert shown(store, R, q="dai") == ([], 0)
    assert shown(store, R, kind="knows") == ([], 0)
    page = store.list_shown("m1", R, consent=VIEWER, limit=1).page
    assert page.total == 3 and len(page.items) == 1


def test_shown_lists_search_and_order_by_the_label_in_the_reader_s_language(consented):
    """The label a reader sees an anonymised person by is the caller's (the service
    gives it in the reader's language, with the map's Welsh silo label): a Welsh reader
    finds "person yn y sector iechyd" by "iechyd" (case and accents folded) and not by
    the English words, and the list is ordered by it ("ann…" before "person…")."""
    store = consented
    welsh = Consent(
        min_group=2, label=lambda silo: f"Person yn y sector {silo}".replace("health", "Iechyd")
    )
    assert shown(store, P, consent=welsh) == (["ann", "bea"], 2)
    assert shown(store, P, consent=welsh, q="IÉCHYD") == (["bea"], 1)
    assert shown(store, P, consent=welsh, q="a person in health") == ([], 0)
    assert shown(store, P, consent=welsh, q="bea") == ([], 0)
    ids, total = shown(store, R, consent=welsh, q="iechyd")
    assert total == 2 and set(ids) == {"r1", "r4"}


def test_shown_order_among_anonymised_people_follows_no_record(consented):
    """Among people shown the same way, the order is a random key kept with each
    record: stable from page to page, and not the order of their ids or names."""
    store = consented
    for i in range(12):
        store.create("m1", Person(f"x{i:02}", f"X {i}", "health", visibility=Visibility.ANONYMISED))
    ids, total = shown(store, P, q="a person")
    assert total == 13 and ids == shown(store, P, q="a person")[0]
    pages = [shown(store, P, q="a person", limit=5, offset=o)[0] for o in (0, 5, 10)]
    assert sum(pages, []) == ids
    assert ids != sorted(ids)


def test_shown_silo_people_counts_every_consent(consented):
    found = consented.list_shown("m1", P, consent=VIEWER)
    assert found.silo_people == {"health": 3, "housing": 1}
