"""Tie lists paged in the store (counted by first end, then only the page's groups read)
list exactly what the consent rules allow, on both stores: the total and the set of ties
are those computed here from the records, every page is the matching slice of the whole
list, and the order is the first end's shown text (ties of named ends by id within it),
whatever the filter, the reader, and where the page falls (inside a group, across
groups, past the end)."""

from __future__ import annotations

import random

import pytest

from graph_models.model import (
    EntityType,
    Map,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Silo,
    Visibility,
)
from graph_models.store.base import Consent, ListFilter
from graph_models.text import fold

R = EntityType.RELATIONSHIP
SILOS = ("health", "housing", "police")
KINDS = ("knows", "works_with", "mentors")


def _label(silo):
    return f"A person in {silo}"


VIEWER = Consent(min_group=5, label=_label)


def build(store, seed=7):
    """People in three silos (police too small to hide in), every consent, two named
    people sharing a name, one named like an anonymised person's label; organisations;
    ties of three kinds, several from the same first end."""
    rng = random.Random(seed)
    store.create_map(Map("m1", "Lists", silos=[Silo(s) for s in SILOS]))
    nodes = []
    for i in range(40):
        silo = "police" if i % 13 == 0 else SILOS[i % 2]
        vis = rng.choice([Visibility.NAMED, Visibility.NAMED, Visibility.ANONYMISED])
        if i % 9 == 0:
            vis = Visibility.HIDDEN
        name = "Siân Owen" if i in (4, 5) else f"Person {rng.randint(0, 99):02}"
        nodes.append(Person(f"p{i:02}", name, silo, visibility=vis))
    nodes.append(Person("twin", "a person in health", "housing"))  # a named person
    for j in range(3):
        nodes.append(Organisation(f"o{j}", f"Org {j}", SILOS[j % 2], OrganisationKind.THIRD_SECTOR))
    ties = []
    people = [n.id for n in nodes if n.type.value == "person"]
    for k in range(160):
        a, b = rng.sample(people, 2)
        kind = rng.choice(KINDS)
        if k % 8 == 0:  # a person working for an organisation
            b, kind = f"o{k % 3}", "works_for"
        ties.append(Relationship(f"t{k:03}", a, b, kind, rng.randint(1, 5)))
    store.bulk_upsert("m1", nodes, ties)
    return {n.id: n for n in nodes}, ties


def expected(nodes, ties, consent, kind=None, q=None):
    """The listed ties, computed from the records: ``{id: first end's shown text}``."""
    people = {}
    for n in nodes.values():
        if n.type.value == "person":
            people[n.silo] = people.get(n.silo, 0) + 1

    def shown(n):
        if consent is None or n.type.value == "organisation":
            return True
        if n.visibility is Visibility.NAMED:
            return True
        return n.visibility is Visibility.ANONYMISED and people[n.silo] >= consent.min_group

    def display(n):
        anonymous = (
            consent is not None
            and n.type.value == "person"
            and n.visibility is not Visibility.NAMED
        )
        return fold(str(consent.label(n.silo))) if anonymous else fold(n.name)

    key = fold(q) if q else None
    out = {}
    for t in ties:
        a, b = nodes[t.source], nodes[t.target]
        if not (shown(a) and shown(b)) or (kind and t.kind != kind):
            continue
        if key and not (key in display(a) or key in display(b) or key in t.kind.lower()):
            continue
        out[t.id] = display(a)
    return out


@pytest.fixture
def tie_map(store):
    nodes, ties = build(store)
    return store, nodes, ties


@pytest.mark.parametrize(
    "consent,kind,q",
    [
        (None, None, None),
        (VIEWER, None, None),
        (None, "knows", None),
        (VIEWER, "works_with", None),
        (VIEWER, None, "A PERSON"),
        (VIEWER, None, "sian"),
        (None, None, "person 1"),
        (VIEWER, None, "ment"),
        (VIEWER, "knows", "org"),
        (VIEWER, None, "org"),
    ],
)
def test_tie_pages_are_slices_of_exactly_the_listed_ties(tie_map, consent, kind, q):
    store, nodes, ties = tie_map
    want = expected(nodes, ties, consent, kind, q)
    f = ListFilter(kind=kind, q=q)
    whole = store.list_shown("m1", R, filters=f, consent=consent, limit=1000)
    items = whole.page.items
    assert whole.page.total == len(items) == len(want)
    assert {t.id for t in items} == set(want)
    # in the first end's shown text; ties whose ends are both named by id within it
    shown = [want[t.id] for t in items]
    assert shown == sorted(shown)
    for text in set(shown):
        named = [
            t.id
            for t in items
            if want[t.id] == text
            and all(
                consent is None
                or nodes[e].type.value == "organisation"
                or nodes[e].visibility is Visibility.NAMED
                for e in (t.source, t.target)
            )
        ]
        assert named == sorted(named)
    # every page (7 rows: inside groups and across them) is the slice of the whole list
    for size in (1, 7):
        paged = []
        for offset in range(0, len(items) + size, size):
            page = store.list_shown(
                "m1", R, filters=f, consent=consent, limit=size, offset=offset
            ).page
            assert page.total == len(items)
            paged += [t.id for t in page.items]
        assert paged == [t.id for t in items]
    past = store.list_shown("m1", R, filters=f, consent=consent, limit=5, offset=len(items) + 3)
    assert past.page.items == [] and past.page.total == len(items)


def test_tie_list_of_a_map_with_no_ties(store):
    store.create_map(Map("m1", "Empty", silos=[Silo("health")]))
    store.create("m1", Person("ann", "Ann", "health"))
    for consent in (None, VIEWER):
        page = store.list_shown("m1", R, consent=consent).page
        assert (page.items, page.total) == ([], 0)


def test_kept_figures_follow_every_write_and_a_map_made_again(tie_map):
    """The figures a list keeps for a map version (the tie total and groups, people by
    silo and consent) are never read for another state of the map: after a tie is
    added, a person's consent changes, or the map is deleted and made again under the
    same id (its version counting from the start again), every list is as computed from
    the records."""
    store, nodes, ties = tie_map
    P = EntityType.PERSON

    def check():
        for consent in (None, VIEWER):
            want = expected(nodes, ties, consent)
            page = store.list_shown("m1", R, consent=consent, limit=1000).page
            assert page.total == len(want) and {t.id for t in page.items} == set(want)
            people = store.list_shown("m1", P, consent=consent, limit=1000).page
            assert people.total == len(people.items)
            if consent is None:
                assert people.total == sum(n.type.value == "person" for n in nodes.values())

    check()
    named = next(n for n in nodes.values() if getattr(n, "visibility", None) is Visibility.NAMED)
    other = next(n for n in nodes.values() if n.id != named.id and n.type.value == "person")
    tie = Relationship("t-new", named.id, other.id, "knows", 3)
    store.create("m1", tie)
    ties = [*ties, tie]
    check()
    hidden = Person(named.id, named.name, named.silo, visibility=Visibility.HIDDEN)
    store.update("m1", hidden)
    nodes = {**nodes, named.id: hidden}
    check()
    store.delete_map("m1")
    nodes, ties = build(store, seed=11)  # the same id again, other records
    check()
