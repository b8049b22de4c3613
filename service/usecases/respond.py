"""Relationship surveys, the respondent's side: their survey, their roster, their one
response (save, submit, change until the survey closes).

A respondent link (role ``respondent``) reaches only the survey it was issued for and
only its holder's response: :func:`me` finds the link's respondent record and answers
any other survey exactly as a survey that does not exist (404). Writes go through
:meth:`~graph_models.store.survey_rules.SurveyRules.save_response`, which refuses them
once the survey is paused or closed, and keeps one response per respondent (a double
submit, two tabs or a retry rewrite it).
"""

from __future__ import annotations

import dataclasses

from flask import url_for

from graph_models import clock, model, vocabulary
from graph_models.errors import NotFound
from graph_models.messages import Message
from graph_models.model import NodeType
from graph_models.surveys.answers import check_answers
from graph_models.surveys.model import (
    FREQUENCY_STRENGTH,
    TRUST_QUESTIONS,
    VALUE_QUESTIONS,
    Respondent,
    Response,
    ResponseStatus,
    Survey,
    response_to_dict,
)
from graph_models.surveys.roster import affiliations, build_roster, search
from service import auth
from service.usecases.context import actor, principal, store


def me(map_id: str, survey_id: str) -> Respondent:
    """The respondent holding this request's link, for this survey (404 otherwise)."""
    who = principal()
    found = store().respondent_by_token(who.token_id) if who else None
    if found is None or found[0] != map_id or found[1].survey_id != survey_id:
        raise NotFound(Message("survey.not_found", id=repr(survey_id)))
    return found[1]


def landing_url(who: auth.Principal) -> str | None:
    """Where a respondent link's browser goes first: its survey page."""
    found = store().respondent_by_token(who.token_id)
    if found is None:
        return None
    map_id, respondent = found
    return url_for("pages_respond.respond_page", map_id=map_id, survey_id=respondent.survey_id)


def kinds_for(target: NodeType, m: model.Map) -> list[str]:
    """Kinds a person may report to a person or an organisation: the built-in ones and
    the map's own."""
    return [
        k
        for k, rule in m.kind_rules().items()
        if rule.source is NodeType.PERSON and rule.target is target
    ]


def view(map_id: str, survey_id: str) -> dict:
    """The survey as its respondent sees it: the map's name, the questions, their own
    record and their own response (never anyone else's)."""
    return _view_and_roster(map_id, survey_id)[0]


def page_view(map_id: str, survey_id: str) -> dict:
    """:func:`view` with the respondent's roster (``roster``, as :func:`roster` gives
    it), both from one read of the store: what the respondent's page shows."""
    found, entries = _view_and_roster(map_id, survey_id)
    return {**found, "roster": [e.as_dict() for e in entries]}


def _view_and_roster(map_id: str, survey_id: str):
    respondent = me(map_id, survey_id)
    records = store().roster_records(map_id, survey_id, respondent.person_id)
    m, survey, person, response = records.map, records.survey, records.person, records.response
    entries = build_roster(m, survey, records.nodes, respondent.person_id)
    found = {
        "survey": {
            "id": survey.id,
            "title": survey.title,
            "intro": survey.intro,
            "status": survey.status.value,
            "open": survey.accepts_answers(clock.today()),
            "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
            "modules": dataclasses.asdict(survey.modules),
            "map": m.name,
        },
        "me": {
            "id": person.id,
            "name": person.name,
            "silo": person.silo,
            "role": person.role,
            "visibility": person.visibility.value,
            "consent_set_by": person.consent_set_by,
        },
        "response": response_to_dict(response) if response else None,
        "affiliations": _affiliations(map_id, respondent, entries) if response is None else [],
        "choices": {
            "silos": m.silo_names(),
            "colours": m.silo_colours(),
            "frequencies": [f.value for f in FREQUENCY_STRENGTH],
            "kinds_person": kinds_for(NodeType.PERSON, m),
            "kinds_organisation": kinds_for(NodeType.ORGANISATION, m),
            # the labels of the map's own kinds and silos (graph_models.vocabulary)
            "vocabulary": vocabulary.labels_of(m),
            "trust": list(TRUST_QUESTIONS),
            "value": list(VALUE_QUESTIONS),
        },
    }
    return found, entries


def _affiliations(map_id: str, respondent: Respondent, entries: list) -> list[dict]:
    """Their organisations already in the map, as answers to start from (before they
    have saved anything): see :func:`graph_models.surveys.roster.affiliations`."""
    ties = store().neighbourhood(map_id, respondent.person_id, hops=1).relationships
    return affiliations(respondent.person_id, ties, entries)


def roster(map_id: str, survey_id: str, q: str = "") -> list[dict]:
    """Who this respondent can name (named people and organisations only), searched by
    folded name ("sian" finds "Siân"), in silo order."""
    respondent = me(map_id, survey_id)
    return [e.as_dict() for e in _roster(map_id, survey_id, respondent, q)]


def _roster(map_id: str, survey_id: str, respondent: Respondent, q: str = ""):
    records = store().roster_records(map_id, survey_id, respondent.person_id)
    return search(build_roster(records.map, records.survey, records.nodes, respondent.person_id), q)


def save(map_id: str, survey_id: str, answers, *, submit: bool) -> dict:
    """Save (or with ``submit``, send) the respondent's answers. Bad answers: 422 naming
    each field, nothing written. Once sent, a response stays sent: a later save is a
    change waiting for review (an accepted response becomes submitted again)."""
    respondent = me(map_id, survey_id)
    person = respondent.person_id
    records = store().roster_records(map_id, survey_id, person)
    m = records.map
    entries = build_roster(m, records.survey, records.nodes, person)
    now = model.utcnow()

    def change(current: Response | None, survey: Survey) -> Response:
        checked = check_answers(
            answers, m=m, survey=survey, roster=entries, respondent=person, current=current
        )
        sent = submit or (current is not None and current.status is not ResponseStatus.DRAFT)
        return dataclasses.replace(
            checked,
            status=ResponseStatus.SUBMITTED if sent else ResponseStatus.DRAFT,
            updated_at=now,
            submitted_at=(now if submit else checked.submitted_at),
        )

    saved = store().save_response(map_id, survey_id, person, change, actor=actor())
    return response_to_dict(saved)
