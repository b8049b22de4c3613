"""The survey rules in the domain, without a store: acceptance (strength rule, new names
matched or created hidden), results (rates, warnings, trust/value only from 5 ratings),
the roster (named people only, folded search)."""

from __future__ import annotations

from graph_models.model import Map, Organisation, Person, Relationship, Silo, Visibility
from graph_models.surveys.accept import plan_acceptance
from graph_models.surveys.model import (
    Frequency,
    ReportedTie,
    Respondent,
    Response,
    ResponseStatus,
    Roster,
    Survey,
)
from graph_models.surveys.results import confirmation, response_rates, trust_value
from graph_models.surveys.roster import build_roster, search

M = Map("m", "Map", silos=[Silo("health"), Silo("police")])
NODES = [
    Person("ann", "Ann", "health"),
    Person("bob", "Bob", "health"),
    Person("sian", "Siân Wyn", "police"),
    Person("anon", "Ann Onymous", "police", visibility=Visibility.ANONYMISED),
    Organisation("org", "Station", "police"),
]
SURVEY = Survey("s", "S")


def sent(person, *ties, status=ResponseStatus.SUBMITTED, **extra):
    return Response("s", person, status=status, ties=list(ties), **extra)


def tie(target="", freq=Frequency.WEEKLY, kind="knows", **extra):
    return ReportedTie(kind=kind, frequency=freq, target=target, **extra)


def plan(responses, rels=(), **options):
    return plan_acceptance(M, SURVEY, responses, NODES, list(rels), now="T", **options)


def test_both_ends_confirm_and_the_lower_answer_is_the_strength():
    done = plan(
        [sent("ann", tie("bob", Frequency.DAILY)), sent("bob", tie("ann", Frequency.RARELY))]
    )
    [rel] = done.relationships
    assert rel.confirmed and rel.strength == 1 and rel.origin == "survey"
    # one end, then the other in a later acceptance: still the lower one
    first = plan([sent("ann", tie("bob", Frequency.MONTHLY))]).relationships
    later = plan([sent("bob", tie("ann", Frequency.DAILY))], first).relationships
    assert later[0].strength == 3 and later[0].confirmed
    # a coordinator's tie reported by one end takes that end's answer
    old = Relationship("r", "bob", "ann", "knows", 5)
    [kept] = plan([sent("ann", tie("bob", Frequency.RARELY))], [old]).relationships
    assert (kept.id, kept.strength, kept.origin, kept.reported_by) == (
        "r",
        1,
        "coordinator",
        ["ann"],
    )


def test_new_names_match_one_person_or_become_one_hidden_person():
    done = plan(
        [
            sent("ann", tie(name="sian wyn", silo="police"), tie(name="Nia", silo="health")),
            sent("bob", tie(name="NIA", silo="health")),
        ]
    )
    assert len(done.summary["people_created"]) == 1
    [nia] = [n for n in done.nodes if n.name == "Nia"]
    assert nia.visibility is Visibility.HIDDEN and nia.consent_set_by == ""
    assert {(r.source, r.target) for r in done.relationships} == {
        ("ann", "sian"),
        ("ann", nia.id),
        ("bob", nia.id),
    }
    # the coordinator's decision wins over the exact match
    forced = plan([sent("ann", tie(name="Siân Wyn", silo="police"))], names={"ann:0": "new"})
    assert forced.summary["people_created"] and done.responses[0].resolved["0"] == "sian"


def test_own_consent_is_applied_with_who_and_when():
    done = plan([sent("ann", consent="hidden")])
    [ann] = [n for n in done.nodes if n.id == "ann"]
    assert (ann.visibility, ann.consent_set_by, ann.consent_set_at) == (
        Visibility.HIDDEN,
        "self",
        "T",
    )
    assert done.responses[0].status is ResponseStatus.ACCEPTED


def test_rates_warn_when_a_silo_answered_much_less():
    asked = [Respondent("s", p) for p in ("ann", "bob", "sian")]
    rates = response_rates(asked, [sent("ann"), sent("bob")], NODES)
    assert rates["silos"]["police"] == {"asked": 1, "answered": 0, "rate": 0.0}
    assert rates["not_answered"] == ["sian"]
    assert [str(w) for w in rates["warnings"]] == [
        "only 0 of 1 people in police answered: that row of the map is mostly what others reported"
    ]


def test_trust_and_value_need_five_ratings_per_silo_pair():
    rated = tie("sian", trust=[4, 4, 4], value=[2, 2, 2])
    four = [sent(p, rated, status=ResponseStatus.ACCEPTED) for p in ("ann", "bob", "ann", "bob")]
    assert trust_value(four, NODES) == {
        "health|police": {"trust": {"suppressed": True}, "value": {"suppressed": True}}
    }
    five = [*four, sent("ann", rated, status=ResponseStatus.ACCEPTED)]
    assert trust_value(five, NODES)["health|police"]["trust"] == {"average": 4.0, "ratings": 5}
    assert trust_value([sent("ann", rated)] * 5, NODES) == {}  # only accepted answers count


def test_confirmation_rate_per_silo_pair():
    rels = [
        Relationship("a", "ann", "sian", "knows", reported_by=["ann", "sian"]),
        Relationship("b", "bob", "sian", "knows", reported_by=["bob"]),
        Relationship("c", "ann", "bob", "knows"),  # not from a survey
    ]
    assert confirmation(rels, NODES) == {
        "health|police": {"reported": 2, "confirmed": 1, "rate": 0.5}
    }


def test_the_roster_lists_named_people_and_organisations_and_folds_search():
    entries = build_roster(M, SURVEY, NODES, "ann")
    assert [e.id for e in entries] == ["bob", "sian", "org"]  # silo order, then name
    assert [e.id for e in search(entries, "SIAN")] == ["sian"]
    only_people = Survey("s", "S", roster=Roster(organisations=False, silos=["police"]))
    assert [e.id for e in build_roster(M, only_people, NODES)] == ["sian"]


def test_a_map_s_own_kinds_are_offered_checked_and_accepted():
    """A map with its own kind (undirected ``co_delivers``, person to person): a survey
    may report it, both ends' answers are one tie, an existing tie of an own kind does
    not break the plan, and a kind the map does not have is refused naming ``kind``."""
    import pytest

    from graph_models.errors import InvalidInput
    from graph_models.model import MapKind, NodeType
    from graph_models.surveys.answers import check_answers
    from graph_models.surveys.roster import build_roster

    own = Map(
        "m",
        "Map",
        silos=M.silos,
        kinds=[MapKind("co_delivers", "co-delivers", NodeType.PERSON, NodeType.PERSON)],
    )
    roster = build_roster(own, SURVEY, NODES, "ann")
    answer = {"ties": [{"target": "bob", "kind": "co_delivers", "frequency": "weekly"}]}
    checked = check_answers(
        answer, m=own, survey=SURVEY, roster=roster, respondent="ann", current=None
    )
    assert checked.ties[0].kind == "co_delivers"
    with pytest.raises(InvalidInput) as refused:
        check_answers(
            {"ties": [{"target": "bob", "kind": "likes", "frequency": "weekly"}]},
            m=own,
            survey=SURVEY,
            roster=roster,
            respondent="ann",
            current=None,
        )
    assert "kind" in str(refused.value.errors)
    existing = Relationship("x", "sian", "bob", "co_delivers", 2)
    done = plan_acceptance(
        own,
        SURVEY,
        [sent("ann", tie("bob", kind="co_delivers")), sent("bob", tie("ann", kind="co_delivers"))],
        NODES,
        [existing],
        now="T",
    )
    [new] = [r for r in done.relationships if r.id != "x"]
    assert new.kind == "co_delivers" and new.confirmed  # one tie, named from both ends


def test_accepting_the_same_answers_again_writes_nothing_but_the_responses():
    """Only what changes is written: a respondent whose record the answers leave as it
    was, and ties accepted before exactly as they are now, are not written again (their
    revisions stay); the summary still counts the ties the responses name."""
    answers = [sent("ann", tie("bob"), tie("sian")), sent("bob", tie("ann"))]
    first = plan(answers)
    assert first.nodes == [] and len(first.relationships) == 2
    again = plan(answers, first.relationships)
    assert again.nodes == [] and again.relationships == [] and again.removed == []
    assert len(again.responses) == 2 and again.summary["ties_updated"] == 2
    # a changed answer writes that tie only; a consent choice writes that record only
    changed = [sent("ann", tie("bob"), tie("sian", Frequency.RARELY), consent="anonymised")]
    later = plan(changed, first.relationships)
    assert [(r.target, r.strength) for r in later.relationships] == [("sian", 1)]
    assert [(n.id, n.visibility) for n in later.nodes] == [("ann", Visibility.ANONYMISED)]
