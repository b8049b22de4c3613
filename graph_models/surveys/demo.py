"""The demo partnership's closed survey, with a realistic response pattern.

"Who do you work with? (spring 2025)" asked 72 of the demo's people, eight per sector.
Response rates differ by sector as they do in practice: most health, community and
third-sector staff answered, while only two of the eight police officers and three of
the eight business people did, so the results page warns that those rows are mostly what
others reported. Each respondent named most of their current ties (with how often they
are in touch matching the tie's recorded strength, so the demo's figures stay as they
were), about a third answered the trust and value questions, and two named someone not
on the roster, who entered the map as hidden people. Many ties between two respondents
were named by both ends (confirmed). All responses were accepted and the survey closed.

Deterministic for a seed, like :func:`graph_models.demo.build_demo`.
"""

from __future__ import annotations

import dataclasses
import random

from graph_models import model
from graph_models.errors import NotFound
from graph_models.model import Person, Relationship, Visibility
from graph_models.surveys.accept import plan_acceptance
from graph_models.surveys.model import (
    FREQUENCY_STRENGTH,
    ReportedTie,
    Response,
    ResponseStatus,
    Survey,
    SurveyStatus,
)

DEMO_SURVEY_ID = "spring-2025"
#: sector -> how many of the eight asked answered
ANSWERED = {
    "health": 6,
    "social care": 5,
    "housing": 5,
    "education": 4,
    "police": 2,
    "local authority": 5,
    "third sector": 6,
    "community": 7,
    "business": 3,
}
NEW_NAMES = [("Mair Pritchard", "community"), ("Tomos Bevan", "third sector")]
STRENGTH_FREQUENCY = {strength: f for f, strength in FREQUENCY_STRENGTH.items()}


def demo_survey(nodes: list, ties: list[Relationship], seed: int = 11):
    """``(survey, respondents, responses)`` of the demo's survey (see module)."""
    rng = random.Random(seed)
    people = [n for n in nodes if isinstance(n, Person) and n.visibility is Visibility.NAMED]
    by_silo: dict[str, list[Person]] = {}
    for p in people:
        by_silo.setdefault(p.silo, []).append(p)
    asked = [p for silo in ANSWERED for p in rng.sample(by_silo[silo], 8)]
    answering = {
        p.id for silo, n in ANSWERED.items() for p in [q for q in asked if q.silo == silo][:n]
    }
    survey = Survey(
        DEMO_SURVEY_ID,
        "Who do you work with? (spring 2025)",
        "Five minutes: tell us who you work with, so the partnership board can see where "
        "services connect and where they do not.",
    )
    survey.modules.trust_value = True
    responses = []
    for person in asked:
        if person.id not in answering:
            continue
        named = []
        for rel in ties:
            if rel.until is not None or rel.source != person.id and rel.rule.directed:
                continue
            if person.id not in (rel.source, rel.target) or rng.random() > 0.75:
                continue
            other = rel.target if rel.source == person.id else rel.source
            tie = ReportedTie(rel.kind, STRENGTH_FREQUENCY[rel.strength], target=other)
            if rng.random() < 0.35:
                tie.trust = [rng.randint(2, 4) for _ in range(3)]
                tie.value = [rng.randint(1, 4) for _ in range(3)]
            named.append(tie)
        responses.append(
            Response(
                DEMO_SURVEY_ID, person.id, ResponseStatus.SUBMITTED, named, submitted_at="demo"
            )
        )
    for (name, silo), response in zip(NEW_NAMES, responses[::17], strict=False):
        response.ties.append(ReportedTie("works_with", STRENGTH_FREQUENCY[3], name=name, silo=silo))
    return survey, [p.id for p in asked], responses


def load_demo_survey(store, map_id: str, nodes: list, ties: list[Relationship]) -> bool:
    """Run the demo's survey on a freshly loaded demo map; True if it ran. On a
    refreshed demo (its ties written again) the accepted answers are applied again,
    each new name to the person it made the first time."""
    try:
        store.get_survey(map_id, DEMO_SURVEY_ID)
    except NotFound:
        pass
    else:
        store.accept_responses(map_id, DEMO_SURVEY_ID, _again, actor="demo")
        return False
    survey, asked, responses = demo_survey(nodes, ties)
    store.create_survey(map_id, survey, asked, actor="demo")
    store.set_survey_status(map_id, DEMO_SURVEY_ID, SurveyStatus.OPEN, actor="demo")
    by_person = {r.person_id: r for r in responses}
    for person_id, response in by_person.items():
        store.save_response(
            map_id, DEMO_SURVEY_ID, person_id, lambda _old, _s, r=response: r, actor="demo"
        )
    now = model.utcnow()
    store.accept_responses(
        map_id,
        DEMO_SURVEY_ID,
        lambda m, s, rs, ns, rels: plan_acceptance(m, s, rs, ns, rels, actor="demo", now=now),
        actor="demo",
    )
    store.set_survey_status(map_id, DEMO_SURVEY_ID, SurveyStatus.CLOSED, actor="demo")
    return True


def _again(m, survey, responses, nodes, rels):
    """The accepted responses planned once more (a refreshed demo), names as resolved."""
    resent = [dataclasses.replace(r, status=ResponseStatus.SUBMITTED) for r in responses]
    names = {f"{r.person_id}:{i}": pid for r in responses for i, pid in r.resolved.items()}
    done = plan_acceptance(m, survey, resent, nodes, rels, names=names, actor="demo")
    done.responses = []  # the responses themselves stay as they were
    return done
