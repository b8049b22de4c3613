"""Per-record revisions and field-wise changes, on both stores (issue #11, item 8).

Two writers changing different fields of one record at once must both be kept (the
change is read and written under the map's lock, in one transaction), a consent
withdrawal is never undone by a concurrent edit, and a change conditional on a
revision that is no longer current writes nothing.
"""

from __future__ import annotations

import dataclasses
import threading

import pytest

from graph_models.errors import PreconditionFailed
from graph_models.model import EntityType, Map, Person, Relationship, Silo, Visibility

P, R = EntityType.PERSON, EntityType.RELATIONSHIP
PAIRS = 20


@pytest.fixture
def m1(store):
    store.create_map(Map("m1", "Partnership", silos=[Silo("health"), Silo("housing")]))
    return store


def setting(**fields):
    """A ``change`` function that sets ``fields`` on the current record (no mutation)."""
    return lambda current, _map: dataclasses.replace(current, **fields)


def run_together(*jobs) -> None:
    """Run ``jobs`` in threads released at the same moment; re-raise their errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


def test_revision_starts_at_one_and_grows_with_each_write_of_the_record(m1):
    m1.create("m1", Person("ann", "Ann", "health"))
    m1.create("m1", Person("ben", "Ben", "health"))
    assert m1.get_revised("m1", P, "ann")[1] == 1
    _, revision = m1.patch("m1", P, "ann", setting(role="nurse"))
    assert revision == 2 and m1.get_revised("m1", P, "ann") == (m1.get("m1", P, "ann"), 2)
    m1.update("m1", dataclasses.replace(m1.get("m1", P, "ann"), area="north"))
    m1.bulk_upsert("m1", [dataclasses.replace(m1.get("m1", P, "ann"), tags=["x"])], [])
    assert m1.get_revised("m1", P, "ann")[1] == 4
    assert m1.get_revised("m1", P, "ben")[1] == 1  # per record, not per map

    m1.create("m1", Relationship("t1", "ann", "ben", "knows"))
    _, revision = m1.patch("m1", R, "t1", setting(kind="works_with"))  # a new type in Neo4j
    assert revision == 2 and m1.get("m1", R, "t1").kind == "works_with"


def test_concurrent_changes_of_different_fields_keep_both(m1):
    people = [Person(f"p{i}", f"Person {i}", "health") for i in range(PAIRS)]
    m1.bulk_upsert("m1", people, [])
    for i in range(PAIRS):
        run_together(
            lambda i=i: m1.patch("m1", P, f"p{i}", setting(role=f"role {i}")),
            lambda i=i: m1.patch("m1", P, f"p{i}", setting(area=f"area {i}")),
        )
    for i in range(PAIRS):
        stored, revision = m1.get_revised("m1", P, f"p{i}")
        assert (stored.role, stored.area, revision) == (f"role {i}", f"area {i}", 3)


def test_consent_withdrawal_is_never_undone_by_a_concurrent_edit(m1):
    people = [Person(f"p{i}", f"Person {i}", "health") for i in range(PAIRS)]
    m1.bulk_upsert("m1", people, [])
    for i in range(PAIRS):
        run_together(
            lambda i=i: m1.patch("m1", P, f"p{i}", setting(visibility=Visibility.HIDDEN)),
            lambda i=i: m1.patch("m1", P, f"p{i}", setting(role="edited")),
        )
    kept = [(p.visibility, p.role) for p in m1.graph("m1").people]
    assert kept == [(Visibility.HIDDEN, "edited")] * PAIRS


def test_a_change_on_a_stale_revision_writes_nothing(m1):
    m1.create("m1", Person("ann", "Ann", "health"))
    m1.patch("m1", P, "ann", setting(role="nurse"), if_revision=1)
    version = m1.get_map("m1").version
    with pytest.raises(PreconditionFailed) as caught:
        m1.patch("m1", P, "ann", setting(role="doctor"), if_revision=1)
    assert caught.value.status == 412 and "revision 2" in caught.value.message
    with pytest.raises(PreconditionFailed):
        m1.delete("m1", P, "ann", if_revision={1, 3})
    assert m1.get_revised("m1", P, "ann") == (m1.get("m1", P, "ann"), 2)
    assert m1.get("m1", P, "ann").role == "nurse" and m1.get_map("m1").version == version
    m1.delete("m1", P, "ann", if_revision=2)
    assert m1.list("m1", P).total == 0


def test_only_one_of_two_writers_on_the_same_revision_wins(m1):
    m1.create("m1", Person("ann", "Ann", "health"))
    outcomes: list[str] = []

    def attempt(role):
        try:
            m1.patch("m1", P, "ann", setting(role=role), if_revision=1)
            outcomes.append("saved")
        except PreconditionFailed:
            outcomes.append("refused")

    run_together(lambda: attempt("a"), lambda: attempt("b"))
    assert sorted(outcomes) == ["refused", "saved"]
    assert m1.get_revised("m1", P, "ann")[1] == 2
