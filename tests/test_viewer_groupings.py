"""Viewers' reports under every grouping (issue #11, items 2 and 3), on a hand-made map.

Police is a small silo (four people: two named, two anonymised); health is big (six
named, three anonymised). The anonymised people hold an area and tag values nobody else
holds, and one named person the only ``team:solo`` tag. For a viewer, under every
grouping: the small silo's anonymised members are absent, the health one is present
under a pseudonym but in the group ``(not shown)``, no area or tag of an anonymised
person and no rare group name appears, and the groups still cover the whole map.
"""

from __future__ import annotations

import json

import pytest

from graph_models.model import Map, Person, Relationship, Silo, Visibility
from graph_models.reporting import map_report
from graph_models.store.embedded import EmbeddedStore
from graph_models.visibility import NOT_SHOWN, pseudonym

SECRET = b"test-secret"
ANON = Visibility.ANONYMISED


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "groupings.sqlite3")
    s.create_map(Map("m", "M", silos=[Silo("health"), Silo("police")]))
    people = [
        Person(f"h{i}", f"Health {i}", "health", area="north", tags=["team:alpha"])
        for i in range(6)
    ]
    people[0].tags = ["team:solo"]
    people += [
        Person(f"a{i}", f"Anon {i}", "health", area="north", visibility=ANON) for i in range(2)
    ]
    people += [
        Person(
            "hanon", "Hana Anon", "health", area="anonvale", tags=["team:anonteam"], visibility=ANON
        ),
        Person("p1", "Pat Police", "police", area="north", tags=["team:alpha"]),
        Person("p2", "Pam Police", "police", area="north", tags=["team:alpha"]),
        Person(
            "panon", "Pip Anon", "police", area="copperfield", tags=["team:cops"], visibility=ANON
        ),
        Person("panon2", "Poe Anon", "police", area="north", tags=["team:alpha"], visibility=ANON),
    ]
    ties = [("h0", "hanon"), ("hanon", "p1"), ("p1", "panon"), ("panon", "h1"), ("panon2", "h2")]
    ties += [(f"h{i}", f"h{i + 1}") for i in range(5)]
    rels = [Relationship(f"t{i}", a, b, "knows") for i, (a, b) in enumerate(ties)]
    s.bulk_upsert("m", people, rels)
    return s


@pytest.mark.parametrize("group_by", ["silo", "organisation", "area", "tag:team"])
def test_a_viewer_learns_no_small_silo_member_and_no_anonymised_attribute(store, group_by):
    report = map_report(store, "m", secret=SECRET, group_by=group_by, viewer=True)
    text = json.dumps(report)
    for real in ("panon", "panon2", "hanon", "Pip Anon", "Poe Anon", "Hana Anon"):
        assert real not in text, real
    for small in ("panon", "panon2"):
        assert pseudonym(SECRET, "m", small) not in text
    assert "a person in police" not in text
    for attribute in ("anonvale", "copperfield", "anonteam", "cops", "solo"):
        assert attribute not in text, attribute
    # the health one is still there, as "a person in health"
    rows = {row["node"]: row for row in report["centrality"]["nodes"]}
    assert rows[pseudonym(SECRET, "m", "hanon")]["label"] == "a person in health"
    matrix = report["silos"]["tie_matrix"]
    if group_by == "silo":
        assert report["silos"]["suppressed_groups"] == ["police"]
    else:
        # every node in exactly one group shown: the sizes add up to the whole map
        assert NOT_SHOWN in matrix["groups"]
        assert sum(matrix["sizes"]) == report["graph"]["nodes"] == 13
        assert "suppressed_groups" not in report["silos"]  # (not shown) has five people


def test_coordinators_still_see_every_group_by_its_name(store):
    text = json.dumps(map_report(store, "m", secret=SECRET, group_by="area"))
    assert "copperfield" in text and "anonvale" in text
    assert pseudonym(SECRET, "m", "panon") in text
