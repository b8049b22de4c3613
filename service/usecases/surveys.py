"""Relationship surveys, the coordinator's side: set up, open (links shown once), pause,
close, resend a link, review and accept responses, and the survey's results.

The API (``service.api.surveys``) and the pages (``service.web.pages_surveys``) call
these functions; the rules are in :mod:`graph_models.surveys` and the store's
:class:`~graph_models.store.survey_rules.SurveyRules`. Only coordinators (and the
operator) reach them (``service.policy``): viewers never see responses.
"""

from __future__ import annotations

import dataclasses
import difflib

from flask import url_for

from graph_models import model, schemas
from graph_models.errors import InvalidInput
from graph_models.model import Person
from graph_models.store.base import AccessToken
from graph_models.surveys import results as survey_results
from graph_models.surveys.accept import (
    existing_person,
    name_ref,
    people_by_name,
    plan_acceptance,
    tie_key,
    withdrawn,
)
from graph_models.surveys.model import (
    Modules,
    Respondent,
    ResponseStatus,
    Roster,
    Survey,
    SurveyStatus,
    response_to_dict,
    survey_to_dict,
)
from graph_models.text import fold
from service import auth
from service.i18n import translate
from service.usecases.context import actor, store

RESPONDENT = auth.RESPONDENT
#: How many near matches review suggests for a new name.
SUGGESTIONS = 3


def survey_summary(map_id: str, survey: Survey) -> dict:
    """A survey as the API shows it, with how many were asked and have answered."""
    people = store().survey_respondents(map_id, survey.id)
    responses = store().list_responses(map_id, survey.id)
    counts = {s.value: 0 for s in ResponseStatus}
    for r in responses:
        counts[r.status.value] += 1
    return {
        **survey_to_dict(survey),
        "respondents": [r.person_id for r in people],
        "responses": counts,
    }


def list_surveys(map_id: str) -> list[dict]:
    return [survey_summary(map_id, s) for s in store().list_surveys(map_id)]


def get_survey(map_id: str, survey_id: str) -> dict:
    return survey_summary(map_id, store().get_survey(map_id, survey_id))


def _checked(map_id: str, values: dict) -> dict:
    """Loaded survey fields with the roster's silos spelled as the map spells them."""
    m = store().get_map(map_id)
    roster = values.get("roster")
    if roster is not None:
        silos = []
        for i, silo in enumerate(roster.get("silos", [])):
            try:
                silos.append(schemas.check_silo(m, silo))
            except InvalidInput as exc:
                errors = {"roster": {"silos": {str(i): exc.errors["silo"]}}}
                raise InvalidInput(exc.message, errors) from None
        values["roster"] = Roster(**{**roster, "silos": silos})
    if values.get("modules") is not None:
        values["modules"] = Modules(**values["modules"])
    return values


def create_survey(map_id: str, values: dict) -> dict:
    """A new draft survey; ``respondents`` are person ids of the map."""
    values = _checked(map_id, dict(values))
    people = list(dict.fromkeys(values.pop("respondents", [])))
    values.setdefault("id", model.new_id())
    survey = Survey(**values)
    store().create_survey(map_id, survey, people, actor=actor())
    return get_survey(map_id, survey.id)


def edit_survey(map_id: str, survey_id: str, values: dict) -> dict:
    """Change title, introduction, roster, modules, closing date; who is asked only while
    it is a draft."""
    values = _checked(map_id, dict(values))
    people = values.pop("respondents", None)
    if people is not None:
        people = list(dict.fromkeys(people))
    store().change_survey(
        map_id,
        survey_id,
        lambda current: dataclasses.replace(current, **values),
        respondents=people,
        actor=actor(),
    )
    return get_survey(map_id, survey_id)


def _new_link(map_id: str, person_id: str, issued: dict) -> AccessToken:
    secret = auth.new_secret()
    token = AccessToken(
        auth.new_token_id(),
        map_id,
        RESPONDENT,
        auth.digest(secret),
        label="survey link",
        subject=person_id,
    )
    issued[person_id] = secret
    return token


def _links(map_id: str, issued: dict[str, str]) -> list[dict]:
    names = _names(map_id)
    return [
        {"person_id": p, "name": names.get(p, ""), "token": s, "url": share_url(s)}
        for p, s in sorted(issued.items(), key=lambda kv: (names.get(kv[0], ""), kv[0]))
    ]


def share_url(secret: str) -> str:
    """The respondent's link: the secret rides in the fragment, never sent to a server."""
    return url_for("web_auth.share_open", _external=True) + "#" + secret


def set_status(map_id: str, survey_id: str, status: SurveyStatus) -> dict:
    """Open, pause or close. The first opening issues every respondent's link, returned
    here once as ``links`` (only digests are stored: they cannot be shown again)."""
    issued: dict[str, str] = {}

    def issue(people: list[Respondent]) -> dict[str, AccessToken]:
        issued.clear()  # a retried write issues afresh; only the committed ones are shown
        return {r.person_id: _new_link(map_id, r.person_id, issued) for r in people}

    survey = store().set_survey_status(map_id, survey_id, status, issue=issue, actor=actor())
    return {**survey_summary(map_id, survey), "links": _links(map_id, issued)}


def reissue(map_id: str, survey_id: str, person_id: str) -> dict:
    """A new link for one respondent (the old one stops working)."""
    issued: dict[str, str] = {}
    token = _new_link(map_id, person_id, issued)
    store().reissue_link(map_id, survey_id, person_id, token, actor=actor())
    return _links(map_id, issued)[0]


def _names(map_id: str) -> dict[str, str]:
    return {n.id: n.name for n in store().graph(map_id).nodes}


def responses(map_id: str, survey_id: str) -> list[dict]:
    """Every response, raw (coordinators only)."""
    return [response_to_dict(r) for r in store().list_responses(map_id, survey_id)]


def review(map_id: str, survey_id: str) -> dict:
    """What a coordinator needs to accept: response rates, who has not answered, each
    respondent's answers, whose consent they set themselves, and for every new name the
    people it matches exactly (folded) or nearly."""
    survey = store().get_survey(map_id, survey_id)
    records = store().graph(map_id)
    people = {p.id: p for p in records.people}
    asked = store().survey_respondents(map_id, survey_id)
    found = store().list_responses(map_id, survey_id)
    rates = survey_results.response_rates(asked, found, records.nodes)
    keys = people_by_name(people.values())
    rules = records.map.kind_rules()
    index = {tie_key(t.kind, t.source, t.target, rules): t for t in records.relationships}
    rows = []
    for r in found:
        names = []
        for i, tie in enumerate(r.ties):
            if tie.target:
                continue
            key = fold(tie.name)
            near = difflib.get_close_matches(key, list(keys), n=SUGGESTIONS, cutoff=0.75)
            names.append(
                {
                    "ref": name_ref(r.person_id, i),
                    "name": tie.name,
                    "silo": tie.silo,
                    "organisation": tie.organisation,
                    "exact": keys.get(key, []),
                    "near": [pid for k in near if k != key for pid in keys[k]],
                }
            )
        me = people.get(r.person_id)
        rows.append(
            {
                **response_to_dict(r),
                "name": me.name if me else "",
                "consent_set_by": me.consent_set_by if me else "",
                "new_names": names,
                "withdrawn": _withdrawn(r, index, keys, rules)
                if r.status is ResponseStatus.SUBMITTED
                else [],
            }
        )
    not_answered = [
        {"person_id": p, "name": people[p].name if p in people else ""}
        for p in rates.pop("not_answered")
    ]
    return {
        "survey": survey_to_dict(survey),
        "rates": _rendered(rates),
        "not_answered": not_answered,
        "responses": rows,
        "consent_set_by": {p.id: p.consent_set_by for p in people.values()},
    }


def _withdrawn(response, index: dict, keys: dict[str, list[str]], rules: dict) -> list[dict]:
    """What accepting ``response`` would do to ties its last accepted answer gave and it
    no longer names (:func:`graph_models.surveys.accept.withdrawn`): ``remove`` true
    when the tie goes, false when it stays (reported by the other end too, or entered
    by a coordinator or an import). A new name names the person acceptance will match
    it to without a coordinator's decision (:func:`~graph_models.surveys.accept.
    existing_person`, the same rule), or nobody yet when it will make a new person."""
    me = response.person_id
    named = set()
    for tie in response.ties:
        target = tie.target or existing_person(None, tie.name, keys)
        if target and target != me:
            named.add(tie_key(tie.kind, me, target, rules))
    return [
        {
            "id": rel.id,
            "kind": rel.kind,
            "other": rel.target if rel.source == me else rel.source,
            "remove": remove,
        }
        for rel, remove in withdrawn(response, index, named)
    ]


def accept(map_id: str, survey_id: str, who: list[str] | None, names: dict[str, str]) -> dict:
    """Accept submitted responses (all, or ``who``'s) in one all-or-nothing write;
    ``names`` decides new names (``"<respondent>:<index>"`` -> a person id or ``new``)."""
    by = actor()

    def plan(m, survey, found, nodes, rels):
        return plan_acceptance(m, survey, found, nodes, rels, who=who, names=names, actor=by)

    return store().accept_responses(map_id, survey_id, plan, actor=by)


def results(map_id: str, survey_id: str) -> dict:
    """Response rates (with warnings), confirmation per silo pair, trust and value per
    silo pair where at least five ratings exist."""
    survey = store().get_survey(map_id, survey_id)
    records = store().graph(map_id)
    asked = store().survey_respondents(map_id, survey_id)
    found = store().list_responses(map_id, survey_id)
    rates = survey_results.response_rates(asked, found, records.nodes)
    rates.pop("not_answered")
    return {
        "survey": {"id": survey.id, "title": survey.title, "status": survey.status.value},
        "rates": _rendered(rates),
        "confirmation": survey_results.confirmation(records.relationships, records.nodes),
        "trust_value": survey_results.trust_value(found, records.nodes),
    }


def _rendered(rates: dict) -> dict:
    return {**rates, "warnings": [translate(w) for w in rates["warnings"]]}


def people_choices(map_id: str) -> list[Person]:
    """The map's people, for choosing respondents (by name)."""
    return sorted(store().graph(map_id).people, key=lambda p: (fold(p.name), p.id))
