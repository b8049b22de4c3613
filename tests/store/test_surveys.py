"""Survey storage, one contract on both stores: surveys, respondent links (digests only),
one response per respondent, all-or-nothing acceptance, provenance of ties, erasure."""

from __future__ import annotations

import dataclasses

import pytest

from graph_models.errors import Conflict, InvalidInput, NotFound
from graph_models.model import (
    EntityType,
    Map,
    NodeType,
    Organisation,
    Person,
    Relationship,
    Silo,
    Visibility,
)
from graph_models.store.base import AccessToken
from graph_models.surveys.accept import plan_acceptance
from graph_models.surveys.model import (
    Frequency,
    ReportedTie,
    Response,
    ResponseStatus,
    Roster,
    Survey,
    SurveyStatus,
)
from graph_models.surveys.roster import RosterNode, build_roster

P, R = EntityType.PERSON, EntityType.RELATIONSHIP


@pytest.fixture
def world(store):
    store.create_map(Map("m1", "Survey map", silos=[Silo("health"), Silo("housing")]))
    store.bulk_upsert(
        "m1",
        [
            Person("ann", "Ann Evans", "health"),
            Person("bea", "Bea Jones", "health"),
            Person("cai", "Cai Price", "housing"),
            Person("dan", "Dan Hidden", "housing", visibility=Visibility.HIDDEN),
            Organisation("clinic", "Valley Clinic", "health"),
        ],
        [Relationship("old", "ann", "cai", "knows", strength=2)],
    )
    store.create_survey("m1", Survey("s1", "Who do you work with?"), ["ann", "bea", "cai"])
    return store


def tokens_for(people) -> dict[str, AccessToken]:
    return {
        r.person_id: AccessToken(
            f"tok-{r.person_id}", "m1", "respondent", f"hash-{r.person_id}", subject=r.person_id
        )
        for r in people
    }


def answer(store, person, ties, *, submit=True, consent=""):
    def change(current, _survey):
        base = current or Response("s1", person)
        return dataclasses.replace(
            base,
            ties=ties,
            consent=consent,
            status=ResponseStatus.SUBMITTED if submit else ResponseStatus.DRAFT,
        )

    return store.save_response("m1", "s1", person, change, actor="respondent:x")


def tie(target="", kind="knows", freq=Frequency.WEEKLY, **extra):
    return ReportedTie(kind=kind, frequency=freq, target=target, **extra)


def accept(store, **options):
    def plan(m, survey, responses, nodes, rels):
        return plan_acceptance(m, survey, responses, nodes, rels, actor="coordinator:t", **options)

    return store.accept_responses("m1", "s1", plan, actor="coordinator:t")


def test_a_survey_from_draft_to_accepted_ties(world):
    store = world
    with pytest.raises(InvalidInput):  # an organisation cannot be asked; nothing written
        store.create_survey("m1", Survey("s2", "Bad"), ["ann", "clinic"])
    assert [s.id for s in store.list_surveys("m1")] == ["s1"]
    with pytest.raises(Conflict):
        answer(store, "ann", [tie("bea")])  # a draft survey takes no answers

    opened = store.set_survey_status("m1", "s1", SurveyStatus.OPEN, issue=tokens_for)
    assert opened.status is SurveyStatus.OPEN and opened.opened_at
    links = {r.person_id: r.token_id for r in store.survey_respondents("m1", "s1")}
    assert links == {"ann": "tok-ann", "bea": "tok-bea", "cai": "tok-cai"}
    assert store.find_token("hash-bea").role == "respondent"
    assert store.respondent_by_token("tok-bea")[0] == "m1"

    answer(store, "ann", [tie("bea")], submit=False)
    answer(  # saving again, or submitting twice, rewrites the one response
        store,
        "ann",
        [tie("bea"), tie("cai", freq=Frequency.MONTHLY), tie(name="Siân Hughes", silo="health")],
        consent="anonymised",
    )
    answer(store, "ann", store.get_response("m1", "s1", "ann").ties, consent="anonymised")
    assert len(store.list_responses("m1", "s1")) == 1
    store.set_survey_status("m1", "s1", SurveyStatus.PAUSED)
    with pytest.raises(Conflict):
        answer(store, "bea", [tie("ann")])
    assert store.get_response("m1", "s1", "bea") is None
    store.set_survey_status("m1", "s1", SurveyStatus.OPEN)
    assert store.survey_respondents("m1", "s1")[0].token_id == "tok-ann"  # no new links
    answer(store, "bea", [tie("ann", freq=Frequency.DAILY)])
    with pytest.raises(NotFound):
        answer(store, "dan", [tie("ann")])  # not asked

    summary = accept(store)
    assert summary["accepted"] == 2 and summary["ties_confirmed"] == 1
    assert len(summary["people_created"]) == 1
    ties = {(r.source, r.target): r for r in store.graph("m1").relationships}
    ann_bea = ties.get(("ann", "bea")) or ties[("bea", "ann")]
    assert ann_bea.confirmed and ann_bea.origin == "survey" and ann_bea.strength == 4
    assert ties[("ann", "cai")].reported_by == ["ann"] and ties[("ann", "cai")].origin == (
        "coordinator"
    )
    assert ties[("ann", "cai")].strength == 3 and not ties[("ann", "cai")].confirmed
    new = store.get("m1", P, summary["people_created"][0])
    assert new.name == "Siân Hughes" and new.visibility is Visibility.HIDDEN
    ann = store.get("m1", P, "ann")
    assert ann.visibility is Visibility.ANONYMISED and ann.consent_set_by == "self"
    assert ann.consent_set_at
    assert {r.status for r in store.list_responses("m1", "s1")} == {ResponseStatus.ACCEPTED}
    with pytest.raises(InvalidInput):  # nothing left to accept by name: nothing written
        accept(store, who=["ann"])


def test_acceptance_is_all_or_nothing(world):
    store = world
    store.set_survey_status("m1", "s1", SurveyStatus.OPEN, issue=tokens_for)
    answer(store, "ann", [tie("bea"), tie(name="New Person", silo="health")])
    version = store.get_map("m1").version
    with pytest.raises(InvalidInput):  # a decision naming nobody in the map
        accept(store, names={"ann:1": "nobody"})
    assert store.get_map("m1").version == version
    assert len(store.graph("m1").relationships) == 1
    assert store.get_response("m1", "s1", "ann").status is ResponseStatus.SUBMITTED
    accept(store, names={"ann:1": "cai"})  # the coordinator matched the name to Cai
    assert {(r.source, r.target) for r in store.graph("m1").relationships} >= {
        ("ann", "bea"),
        ("ann", "cai"),
    }
    assert store.get_response("m1", "s1", "ann").resolved == {"1": "cai"}


def test_erasing_a_person_removes_their_responses_and_mentions(world):
    store = world
    store.set_survey_status("m1", "s1", SurveyStatus.OPEN, issue=tokens_for)
    answer(store, "ann", [tie("bea"), tie("cai")])
    answer(store, "bea", [tie("ann"), tie("cai")])
    store.delete("m1", P, "bea")
    assert store.get_response("m1", "s1", "bea") is None
    assert [t.target for t in store.get_response("m1", "s1", "ann").ties] == ["cai"]
    assert "bea" not in {r.person_id for r in store.survey_respondents("m1", "s1")}
    assert store.find_token("hash-bea") is None and store.respondent_by_token("tok-bea") is None


def test_reissuing_a_link_revokes_the_old_one(world):
    store = world
    store.set_survey_status("m1", "s1", SurveyStatus.OPEN, issue=tokens_for)
    new = AccessToken("tok-ann-2", "m1", "respondent", "hash-ann-2", subject="ann")
    store.reissue_link("m1", "s1", "ann", new)
    assert store.get_token("tok-ann").revoked_at
    assert store.respondent_by_token("tok-ann-2")[1].person_id == "ann"
    store.set_survey_status("m1", "s1", SurveyStatus.CLOSED)
    with pytest.raises(Conflict):
        store.set_survey_status("m1", "s1", SurveyStatus.OPEN)


def test_provenance_is_kept_and_deleting_the_map_removes_surveys(world):
    store = world
    store.create(
        "m1",
        Relationship("r2", "bea", "cai", "knows", origin="import", reported_by=["bea", "cai"]),
    )
    r2 = store.get("m1", R, "r2")
    assert r2.origin == "import" and r2.reported_by == ["bea", "cai"] and r2.confirmed
    assert store.get("m1", R, "old").origin == "coordinator"
    store.delete_map("m1")
    store.create_map(Map("m1", "Again", silos=[Silo("health")]))
    assert store.list_surveys("m1") == []


def test_a_survey_reads_closed_once_its_closing_date_has_passed(world, monkeypatch):
    from datetime import date

    from graph_models import clock

    monkeypatch.setattr(clock, "today", lambda: date(2026, 3, 3))
    world.change_survey("m1", "s1", lambda s: dataclasses.replace(s, closes_on=date(2026, 3, 3)))
    world.set_survey_status("m1", "s1", SurveyStatus.OPEN, issue=tokens_for)
    answer(world, "ann", [tie("bea")])  # the closing day itself still takes answers
    monkeypatch.setattr(clock, "today", lambda: date(2026, 3, 4))
    assert world.get_survey("m1", "s1").status is SurveyStatus.CLOSED
    assert [s.status for s in world.list_surveys("m1")] == [SurveyStatus.CLOSED]
    with pytest.raises(Conflict):
        answer(world, "ann", [tie("cai")])
    with pytest.raises(Conflict):  # nor paused, nor a new link
        world.set_survey_status("m1", "s1", SurveyStatus.PAUSED)
    assert [t.target for t in world.get_response("m1", "s1", "ann").ties] == ["bea"]
    # moving the date on (the coordinator's edit) reopens it
    moved = world.change_survey(
        "m1", "s1", lambda s: dataclasses.replace(s, closes_on=date(2026, 4, 1))
    )
    assert moved.status is SurveyStatus.OPEN
    answer(world, "ann", [tie("cai")])


def test_a_tie_taken_back_after_acceptance_goes_only_if_nobody_else_stands_behind_it(world):
    store = world
    store.set_survey_status("m1", "s1", SurveyStatus.OPEN, issue=tokens_for)
    answer(store, "ann", [tie("bea"), tie("cai"), tie("clinic", kind="works_for")])
    answer(store, "bea", [tie("ann")])
    first = accept(store)
    assert first["ties_created"] == 2 and first["ties_removed"] == 0
    kept_before = {r.id for r in store.graph("m1").relationships}
    # ann changes her answers after acceptance (re-submitted): bea, cai, clinic go
    answer(store, "ann", [tie("cai", kind="works_with")])
    assert store.get_response("m1", "s1", "ann").status is ResponseStatus.SUBMITTED
    summary = accept(store)
    assert summary["ties_removed"] == 1
    ties = {(r.source, r.target, r.kind): r for r in store.graph("m1").relationships}
    assert not any(k[2] == "works_for" for k in ties)  # only ann had reported it
    ann_bea = ties.get(("ann", "bea", "knows")) or ties[("bea", "ann", "knows")]
    assert ann_bea.reported_by == ["bea"]  # the other end still says so: it stays
    old = ties[("ann", "cai", "knows")]  # the coordinator's tie stays too
    assert old.id == "old" and old.origin == "coordinator" and old.reported_by == []
    assert ties[("ann", "cai", "works_with")].reported_by == ["ann"]
    assert kept_before - {r.id for r in store.graph("m1").relationships} == {
        next(i for i in kept_before if i not in ("old", ann_bea.id))
    }
    # a tie made, taken back and named again is made again
    answer(store, "ann", [tie("clinic", kind="works_for")])
    assert accept(store)["ties_created"] == 1


def test_ties_rewritten_in_one_batch_keep_their_revisions(store):
    """A batch that rewrites ties of the same kind and ends (in place on Neo4j), of the
    same kind between new ends, and of another kind: each keeps its id, has what was
    written and one more revision; nothing else changes."""
    store.create_map(Map("m1", "Ties", silos=[Silo("health")]))
    people = [Person(p, p.title(), "health") for p in ("ann", "bea", "cai")]
    first = [
        Relationship("t1", "ann", "bea", "knows", strength=2),
        Relationship("t2", "ann", "cai", "knows", strength=2),
        Relationship("t3", "ann", "bea", "works_with", strength=1),
        Relationship("t4", "bea", "cai", "works_with", strength=1),
    ]
    store.bulk_upsert("m1", people, first)
    second = [
        Relationship("t1", "ann", "bea", "knows", 5, origin="survey", reported_by=["ann"]),
        Relationship("t2", "bea", "cai", "knows", 3),
        Relationship("t3", "ann", "bea", "mentors", 4, notes="since the pilot"),
    ]
    store.bulk_upsert("m1", [], second)

    def revision(rel_id: str) -> int:
        return store._read(lambda tx: tx.revision("m1", R, rel_id))  # noqa: SLF001

    for rel in second:
        assert store.get("m1", R, rel.id) == rel
        assert revision(rel.id) == 2
    assert store.get("m1", R, "t4") == first[3] and revision("t4") == 1
    assert store.list("m1", R).total == 4


def test_roster_records_read_what_a_roster_needs(world):
    """The light roster read agrees with the whole records, consent included, and the
    roster built from it is the roster built from the whole records."""
    world.update("m1", Person("bea", "Bea Jones", "health", visibility=Visibility.ANONYMISED))
    records = world.roster_records("m1", "s1", "ann")
    assert (records.map.id, records.survey.id, records.person.name) == ("m1", "s1", "Ann Evans")
    assert records.response is None
    nodes = {n.id: n for n in records.nodes}
    assert nodes["bea"] == RosterNode(
        "bea", NodeType.PERSON, "Bea Jones", "health", Visibility.ANONYMISED, "bea jones"
    )
    assert nodes["dan"].visibility is Visibility.HIDDEN
    assert nodes["clinic"] == RosterNode(
        "clinic", NodeType.ORGANISATION, "Valley Clinic", "health", None, "valley clinic"
    )
    whole = world.graph("m1").nodes
    survey = dataclasses.replace(records.survey, roster=Roster(organisations=True))
    light = build_roster(records.map, survey, records.nodes, "ann")
    assert light == build_roster(records.map, survey, whole, "ann")
    assert [e.id for e in light] == ["clinic", "cai"]  # named only: not bea, not dan
    with pytest.raises(NotFound):
        world.roster_records("m1", "s1", "ghost")
