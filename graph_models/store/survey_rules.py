"""The store rules of relationship surveys, written once over each back-end's primitives.

:class:`SurveyRules` is mixed into :class:`~graph_models.store.rules.StoreRules`, so both
stores get the same survey methods and the same all-or-nothing writes: each starts by
bumping the map's version (taking its lock) and ends with an audit entry that names the
survey, never a person. The primitives each back-end adds (:class:`SurveyTransaction`)
read and write survey, respondent and response documents.

Erasure (:func:`erase_mentions`) is called by ``StoreRules.delete`` in the same
transaction as the deletion of a person or organisation: their respondent records and
responses go, and every other response naming them loses those answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from graph_models import clock, model
from graph_models.errors import Conflict, InvalidInput, NotFound
from graph_models.messages import Message
from graph_models.model import EntityType, NodeType, Relationship
from graph_models.store.base import AccessToken, AuditRecord
from graph_models.surveys.model import Respondent, Response, Survey, SurveyStatus
from graph_models.surveys.roster import RosterNode


class SurveyTransaction(Protocol):
    """The survey primitives a back-end's transaction adds (all scoped by map)."""

    def get_survey(self, map_id: str, survey_id: str) -> Survey | None: ...
    def list_surveys(self, map_id: str) -> list[Survey]: ...
    def put_survey(self, map_id: str, survey: Survey) -> None: ...
    def put_respondent(self, map_id: str, respondent: Respondent) -> None: ...
    def delete_respondent(self, map_id: str, survey_id: str, person_id: str) -> None: ...
    def respondents(self, map_id: str, survey_id: str) -> list[Respondent]: ...
    def respondent_by_token(self, token_id: str) -> tuple[str, Respondent] | None: ...
    def delete_respondents_of(self, map_id: str, person_id: str) -> None: ...
    def get_response(self, map_id: str, survey_id: str, person_id: str) -> Response | None: ...
    def list_responses(self, map_id: str, survey_id: str | None) -> list[Response]: ...
    def put_responses(self, map_id: str, responses: list[Response]) -> None: ...
    def delete_responses_of(self, map_id: str, person_id: str) -> None: ...
    def roster_nodes(self, map_id: str) -> list[RosterNode]: ...


@dataclass
class Acceptance:
    """What accepting responses writes, as planned by
    :func:`graph_models.surveys.accept.plan_acceptance` from the state read under the
    map's lock: nodes (new people, respondents' corrected records), ties, ties to
    remove, and the responses marked accepted; ``summary`` is returned to the caller."""

    nodes: list = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    #: ties to delete: ones only a respondent had reported, who no longer names them
    removed: list[Relationship] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


@dataclass
class RosterRecords:
    """What :meth:`SurveyRules.roster_records` reads for a respondent's page."""

    map: model.Map
    survey: Survey
    person: model.Person
    response: Response | None
    nodes: list[RosterNode]


#: plan(map, survey, responses, nodes, relationships) -> Acceptance
Planner = Callable[[model.Map, Survey, list[Response], list, list[Relationship]], Acceptance]


class SurveyRules:
    """Survey methods of every store (see the module docstring)."""

    # provided by StoreRules
    _read: Callable
    _write: Callable

    # -- surveys --------------------------------------------------------------------------

    def create_survey(
        self, map_id: str, survey: Survey, respondents: list[str], *, actor: str = ""
    ) -> Survey:
        """Keep a new survey (a draft) and who is asked; each respondent must be a
        person of the map."""
        survey.created_at = survey.created_at or model.utcnow()

        def work(tx) -> None:
            seq = _bump(tx, map_id)
            if tx.get_survey(map_id, survey.id) is not None:
                raise Conflict(
                    Message("survey.id_taken", id=repr(survey.id)),
                    {"id": [Message("survey.taken")]},
                )
            _check_respondents(tx, map_id, respondents)
            tx.put_survey(map_id, survey)
            for person_id in respondents:
                tx.put_respondent(map_id, Respondent(survey.id, person_id))
            _audit(tx, map_id, seq, actor, "create", survey.id)

        self._write(work)
        return survey

    def get_survey(self, map_id: str, survey_id: str) -> Survey:
        return self._read(lambda tx: _require_survey(tx, map_id, survey_id))

    def list_surveys(self, map_id: str) -> list[Survey]:
        def work(tx):
            _require_map(tx, map_id)
            today = clock.today()
            return [s.as_of(today) for s in tx.list_surveys(map_id)]

        return self._read(work)

    def survey_respondents(self, map_id: str, survey_id: str) -> list[Respondent]:
        def work(tx):
            _require_survey(tx, map_id, survey_id)
            return tx.respondents(map_id, survey_id)

        return self._read(work)

    def change_survey(
        self,
        map_id: str,
        survey_id: str,
        change: Callable[[Survey], Survey],
        *,
        respondents: list[str] | None = None,
        actor: str = "",
    ) -> Survey:
        """Edit a survey in place (``change`` returns the new one from the current one);
        ``respondents`` replaces who is asked, only while it is a draft. ``change`` gets
        the survey as stored, so moving a passed closing date on reopens it."""

        def work(tx) -> Survey:
            seq = _bump(tx, map_id)
            current = _require_survey(tx, map_id, survey_id, as_stored=True)
            updated = change(current)
            if respondents is not None:
                if current.status is not SurveyStatus.DRAFT:
                    raise Conflict(
                        Message("survey.respondents_fixed"),
                        {"respondents": [Message("survey.only_in_draft")]},
                    )
                _check_respondents(tx, map_id, respondents)
                for old in tx.respondents(map_id, survey_id):
                    if old.person_id not in respondents:
                        tx.delete_respondent(map_id, survey_id, old.person_id)
                for person_id in respondents:
                    tx.put_respondent(map_id, Respondent(survey_id, person_id))
            tx.put_survey(map_id, updated)
            _audit(tx, map_id, seq, actor, "update", survey_id)
            return updated.as_of(clock.today())

        return self._write(work)

    def set_survey_status(
        self,
        map_id: str,
        survey_id: str,
        status: SurveyStatus,
        *,
        issue: Callable[[list[Respondent]], dict[str, AccessToken]] | None = None,
        actor: str = "",
    ) -> Survey:
        """Move a survey to ``status``. On its first opening, ``issue(respondents)``
        gives a token per respondent (person id -> token) and they are kept in the same
        write, so a survey is never open without its links nor links without it."""

        def work(tx) -> Survey:
            seq = _bump(tx, map_id)
            current = _require_survey(tx, map_id, survey_id)
            updated = current.moved_to(status, model.utcnow())
            if status is SurveyStatus.OPEN and current.status is SurveyStatus.DRAFT:
                people = tx.respondents(map_id, survey_id)
                tokens = issue(people) if issue is not None else {}
                for respondent in people:
                    token = tokens.get(respondent.person_id)
                    if token is None:
                        continue
                    _insert_token(tx, map_id, seq, actor, token)
                    tx.put_respondent(map_id, Respondent(survey_id, respondent.person_id, token.id))
            tx.put_survey(map_id, updated)
            _audit(tx, map_id, seq, actor, status.value, survey_id)
            return updated

        return self._write(work)

    def reissue_link(
        self, map_id: str, survey_id: str, person_id: str, token: AccessToken, *, actor: str = ""
    ) -> None:
        """A respondent's new link: the old token is revoked and the new one kept, in
        one write ("resend" means a new link: the old secret was never stored)."""

        def work(tx) -> None:
            seq = _bump(tx, map_id)
            survey = _require_survey(tx, map_id, survey_id)
            if survey.status in (SurveyStatus.DRAFT, SurveyStatus.CLOSED):
                raise Conflict(
                    Message("survey.no_links_now", status=survey.status.word),
                    {"status": [Message("survey.bad_transition_short", old=survey.status.word)]},
                )
            found = {r.person_id: r for r in tx.respondents(map_id, survey_id)}
            if person_id not in found:
                raise NotFound(Message("survey.no_respondent", id=repr(person_id)))
            old = found[person_id].token_id
            if old:
                tx.set_token_revoked(old, model.utcnow())
            _insert_token(tx, map_id, seq, actor, token)
            tx.put_respondent(map_id, Respondent(survey_id, person_id, token.id))
            _audit(tx, map_id, seq, actor, "reissue", survey_id)

        self._write(work)

    def roster_records(self, map_id: str, survey_id: str, person_id: str) -> RosterRecords:
        """Everything a respondent's page reads, in one read: the map, the survey, the
        respondent's record and response, and the map's people and organisations as a
        roster needs them (:class:`~graph_models.surveys.roster.RosterNode`: no whole
        records, no ties)."""

        def work(tx) -> RosterRecords:
            survey = _require_survey(tx, map_id, survey_id)
            person = tx.get_entity(map_id, EntityType.PERSON, person_id)
            if person is None:
                raise NotFound(f"no person {person_id!r} in map {map_id!r}")
            return RosterRecords(
                tx.get_map(map_id),
                survey,
                person,
                tx.get_response(map_id, survey_id, person_id),
                tx.roster_nodes(map_id),
            )

        return self._read(work)

    def respondent_by_token(self, token_id: str) -> tuple[str, Respondent] | None:
        """``(map_id, respondent)`` for a respondent link's token id, or None."""
        return self._read(lambda tx: tx.respondent_by_token(token_id))

    # -- responses ------------------------------------------------------------------------

    def get_response(self, map_id: str, survey_id: str, person_id: str) -> Response | None:
        def work(tx):
            _require_survey(tx, map_id, survey_id)
            return tx.get_response(map_id, survey_id, person_id)

        return self._read(work)

    def list_responses(self, map_id: str, survey_id: str | None = None) -> list[Response]:
        def work(tx):
            if survey_id is None:
                _require_map(tx, map_id)
            else:
                _require_survey(tx, map_id, survey_id)
            return tx.list_responses(map_id, survey_id)

        return self._read(work)

    def save_response(
        self,
        map_id: str,
        survey_id: str,
        person_id: str,
        change: Callable[[Response | None, Survey], Response],
        *,
        actor: str = "",
    ) -> Response:
        """Write a respondent's one response (``change`` makes it from the stored one, or
        None). Refused (Conflict, nothing written) unless the survey is open and the
        person is one of its respondents. One row per respondent and survey: a double
        submit, two tabs or a retry rewrite it, never add a second."""

        def work(tx) -> Response:
            seq = _bump(tx, map_id)
            survey = _require_survey(tx, map_id, survey_id)
            if not survey.accepts_answers(clock.today()):
                raise Conflict(
                    Message("survey.not_open", status=survey.status.word),
                    {"survey": [Message("survey.not_open_short")]},
                )
            if person_id not in {r.person_id for r in tx.respondents(map_id, survey_id)}:
                raise NotFound(Message("survey.no_respondent", id=repr(person_id)))
            updated = change(tx.get_response(map_id, survey_id, person_id), survey)
            tx.put_responses(map_id, [updated])
            _audit(tx, map_id, seq, actor, "respond", survey_id)
            return updated

        return self._write(work)

    def accept_responses(
        self, map_id: str, survey_id: str, plan: Planner, *, actor: str = ""
    ) -> dict:
        """Take responses into the map in one write: ``plan`` decides, from the map as it
        is under the lock, which nodes and ties to write and which responses are now
        accepted; any error leaves everything as it was."""

        def work(tx) -> dict:
            seq = _bump(tx, map_id)
            m = _require_map(tx, map_id)
            survey = _require_survey(tx, map_id, survey_id)
            responses = tx.list_responses(map_id, survey_id)
            nodes = tx.all_nodes(map_id)
            rels = tx.all_relationships(map_id, None)
            result = plan(m, survey, responses, nodes, rels)
            if result.nodes:
                have = {n.id: n.type for n in nodes}
                for node in result.nodes:
                    if node.id in have and have[node.id] != node.type:
                        raise Conflict(f"{node.id!r} is already a {have[node.id].value}")
                tx.put_nodes(map_id, result.nodes, {n.id for n in result.nodes if n.id in have})
            if result.relationships:
                types = {n.id: n.type for n in [*nodes, *result.nodes]}
                for rel in result.relationships:
                    model.check_endpoints(rel.kind, types.get(rel.source), types.get(rel.target))
                # which of them exist, and their kinds: from the map's ties read above
                # under the same lock (no second read of them)
                kinds = {r.id: r.kind for r in rels}
                existing = {r.id: kinds[r.id] for r in result.relationships if r.id in kinds}
                tx.put_relationships(map_id, result.relationships, existing)
            for rel in result.removed:
                tx.delete_relationship(map_id, rel.id, rel.kind)
            if result.responses:
                tx.put_responses(map_id, result.responses)
            _audit(tx, map_id, seq, actor, "accept", survey_id)
            return result.summary

        return self._write(work)


# -- erasure ------------------------------------------------------------------------------


def erase_mentions(tx, map_id: str, node_id: str) -> None:
    """Inside a deletion: the node's respondent records and responses go, and other
    responses lose every answer naming it."""
    tx.delete_respondents_of(map_id, node_id)
    tx.delete_responses_of(map_id, node_id)
    changed = [r.without(node_id) for r in tx.list_responses(map_id, None) if r.mentions(node_id)]
    if changed:
        tx.put_responses(map_id, changed)


# -- helpers -------------------------------------------------------------------------------


def _bump(tx, map_id: str) -> int:
    seq = tx.bump(map_id, model.utcnow())
    if seq is None:
        raise NotFound(f"no map {map_id!r}")
    return seq


def _require_map(tx, map_id: str) -> model.Map:
    m = tx.get_map(map_id)
    if m is None:
        raise NotFound(f"no map {map_id!r}")
    return m


def _require_survey(tx, map_id: str, survey_id: str, *, as_stored: bool = False) -> Survey:
    """The survey as it reads today (closed once its closing date has passed: see
    :meth:`Survey.as_of`), or as stored."""
    _require_map(tx, map_id)
    survey = tx.get_survey(map_id, survey_id)
    if survey is None:
        raise NotFound(Message("survey.not_found", id=repr(survey_id)))
    return survey if as_stored else survey.as_of(clock.today())


def _check_respondents(tx, map_id: str, people: list[str]) -> None:
    types = tx.node_types(map_id, people)
    bad = [p for p in people if types.get(p) is not NodeType.PERSON]
    if bad:
        raise InvalidInput(
            Message("survey.respondents_not_people", ids=", ".join(repr(b) for b in bad)),
            {"respondents": [Message("survey.not_a_person", id=repr(b)) for b in bad]},
        )


def _insert_token(tx, map_id: str, seq: int, actor: str, token: AccessToken) -> None:
    token.created_at = token.created_at or model.utcnow()
    token.created_by = token.created_by or actor
    tx.insert_token(token)
    tx.add_audit(map_id, seq, AuditRecord(model.utcnow(), actor, "create", "token", token.id))


def _audit(tx, map_id: str, seq: int, actor: str, action: str, survey_id: str) -> None:
    tx.add_audit(map_id, seq, AuditRecord(model.utcnow(), actor, action, "survey", survey_id))
