"""Relationship surveys: the people of a map describe their own connections.

A :class:`Survey` belongs to a map. Its *roster* says who can be named (the map's named
people and/or organisations, optionally only some silos), its *respondents* are people
of the map, each with a personal link (a token of role ``respondent``; only its digest
is stored), and its *modules* say which questions are asked. It moves
``draft -> open <-> paused -> closed`` (:data:`TRANSITIONS`).

A :class:`Response` is one per respondent and survey: a draft while they work on it,
``submitted`` when they send it, ``accepted`` once a coordinator takes it into the map.
It holds the ties they named (:class:`ReportedTie`: a roster id, or a new name under
"Anyone else?", with how often they are in touch, the kind of tie and optional
trust/value answers), corrections of their own details and their own consent choice.

Documents are kept by the stores as JSON (:func:`survey_to_dict`, :func:`response_to_dict`
and back). No Flask, no database here.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from datetime import date

from graph_models.errors import Conflict
from graph_models.messages import Message


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"

    @property
    def word(self) -> Message:
        """The status as a word inside a sentence ("the survey is a draft"), in the
        reader's language once the service renders it."""
        return Message(f"survey.status.{self.value}")


#: status -> the statuses it may move to.
TRANSITIONS: dict[SurveyStatus, frozenset[SurveyStatus]] = {
    SurveyStatus.DRAFT: frozenset({SurveyStatus.OPEN, SurveyStatus.CLOSED}),
    SurveyStatus.OPEN: frozenset({SurveyStatus.PAUSED, SurveyStatus.CLOSED}),
    SurveyStatus.PAUSED: frozenset({SurveyStatus.OPEN, SurveyStatus.CLOSED}),
    SurveyStatus.CLOSED: frozenset(),
}


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"


class Frequency(enum.StrEnum):
    """How often the respondent is in touch with someone they named."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    FEW_TIMES_A_YEAR = "few_times_a_year"
    RARELY = "rarely"


#: How often -> tie strength (1-5).
FREQUENCY_STRENGTH: dict[Frequency, int] = {
    Frequency.DAILY: 5,
    Frequency.WEEKLY: 4,
    Frequency.MONTHLY: 3,
    Frequency.FEW_TIMES_A_YEAR: 2,
    Frequency.RARELY: 1,
}

#: The trust and value questions (our own wording), each answered on 1..SCALE_MAX.
TRUST_QUESTIONS = ("reliable", "open", "shared_aims")
VALUE_QUESTIONS = ("resources", "influence", "commitment")
SCALE_MIN, SCALE_MAX = 1, 4
#: Average trust/value of a silo pair is shown only with at least this many ratings.
MIN_RATINGS = 5
#: The most ties one response may name.
MAX_TIES = 200


@dataclass
class Roster:
    """Who can be named: named people and/or organisations, of ``silos`` (all if empty)."""

    people: bool = True
    organisations: bool = True
    silos: list[str] = field(default_factory=list)


@dataclass
class Modules:
    """Which questions are asked beyond "who, how often, what kind"."""

    trust_value: bool = False
    anyone_else: bool = True


@dataclass
class Survey:
    id: str
    title: str
    intro: str = ""
    roster: Roster = field(default_factory=Roster)
    modules: Modules = field(default_factory=Modules)
    closes_on: date | None = None
    status: SurveyStatus = SurveyStatus.DRAFT
    created_at: str = ""
    opened_at: str = ""
    closed_at: str = ""

    def accepts_answers(self, today: date | None = None) -> bool:
        """Respondents may save and submit only while the survey is open and its
        closing date (if any) has not passed."""
        if self.status is not SurveyStatus.OPEN:
            return False
        return self.closes_on is None or today is None or today <= self.closes_on

    def passed_closing(self, today: date) -> bool:
        """Whether the closing date (the last day answers are taken) is behind ``today``."""
        return self.closes_on is not None and today > self.closes_on

    def as_of(self, today: date) -> Survey:
        """The survey as it reads on ``today``: once its closing date has passed, an open
        or paused survey *is* closed (everywhere it is read: lists, API, the respondent's
        page), without anyone having to close it. A draft stays a draft."""
        if self.status in (SurveyStatus.OPEN, SurveyStatus.PAUSED) and self.passed_closing(today):
            return Survey(**{**self.__dict__, "status": SurveyStatus.CLOSED})
        return self

    def moved_to(self, status: SurveyStatus, now: str) -> Survey:
        """A copy in ``status``, or Conflict if the survey cannot move there."""
        if status not in TRANSITIONS[self.status]:
            raise Conflict(
                Message("survey.bad_transition", old=self.status.word, new=status.word),
                {"status": [Message("survey.bad_transition_short", old=self.status.word)]},
            )
        out = Survey(**{**self.__dict__, "status": status})
        if status is SurveyStatus.OPEN and not out.opened_at:
            out.opened_at = now
        if status is SurveyStatus.CLOSED:
            out.closed_at = now
        return out


@dataclass
class Respondent:
    """A person asked in a survey, and the id of their link's token ("" before opening)."""

    survey_id: str
    person_id: str
    token_id: str = ""


@dataclass
class ReportedTie:
    """One connection a respondent named.

    Either ``target`` (an id from the roster) or ``name`` (a new person under "Anyone
    else?", with their ``silo`` and ``organisation`` as the respondent knows them).
    ``trust`` and ``value`` are the answers to :data:`TRUST_QUESTIONS` and
    :data:`VALUE_QUESTIONS` (empty when the module is off or left unanswered).
    """

    kind: str
    frequency: Frequency
    target: str = ""
    name: str = ""
    silo: str = ""
    organisation: str = ""
    trust: list[int] = field(default_factory=list)
    value: list[int] = field(default_factory=list)

    @property
    def strength(self) -> int:
        return FREQUENCY_STRENGTH[self.frequency]


@dataclass
class Details:
    """The respondent's corrections of their own record ("" keeps what is there)."""

    silo: str = ""
    role: str = ""


@dataclass
class Response:
    survey_id: str
    person_id: str
    status: ResponseStatus = ResponseStatus.DRAFT
    ties: list[ReportedTie] = field(default_factory=list)
    details: Details = field(default_factory=Details)
    #: the respondent's own consent choice ("" leaves the recorded one)
    consent: str = ""
    updated_at: str = ""
    submitted_at: str = ""
    accepted_at: str = ""
    accepted_by: str = ""
    #: how new names were resolved on acceptance: tie index -> person id
    resolved: dict[str, str] = field(default_factory=dict)
    #: the ties the map took from this response when it was last accepted, as
    #: ``[kind, source, target]`` (see :func:`graph_models.surveys.accept.tie_key`): what a
    #: later acceptance compares with, to take out ties the respondent no longer names
    accepted_ties: list[list[str]] = field(default_factory=list)

    def mentions(self, node_id: str) -> bool:
        return (
            any(t.target == node_id for t in self.ties)
            or node_id in self.resolved.values()
            or any(node_id in key[1:] for key in self.accepted_ties)
        )

    def without(self, node_id: str) -> Response:
        """A copy with every mention of ``node_id`` removed (erasure)."""
        kept, resolved = [], {}
        for i, tie in enumerate(self.ties):
            if tie.target == node_id or self.resolved.get(str(i)) == node_id:
                continue
            if str(i) in self.resolved:
                resolved[str(len(kept))] = self.resolved[str(i)]
            kept.append(tie)
        accepted = [key for key in self.accepted_ties if node_id not in key[1:]]
        return Response(
            **{**self.__dict__, "ties": kept, "resolved": resolved, "accepted_ties": accepted}
        )


# -- JSON documents ---------------------------------------------------------------------


def survey_to_dict(s: Survey) -> dict:
    out = asdict(s)
    out["status"] = s.status.value
    out["closes_on"] = s.closes_on.isoformat() if s.closes_on else None
    return out


def survey_from_dict(d: dict) -> Survey:
    values = dict(d)
    values["roster"] = Roster(**values.get("roster", {}))
    values["modules"] = Modules(**values.get("modules", {}))
    values["status"] = SurveyStatus(values.get("status", "draft"))
    closes = values.get("closes_on")
    values["closes_on"] = date.fromisoformat(closes) if closes else None
    return Survey(**values)


_RESPONSE_FIELDS = tuple(f.name for f in fields(Response))
_DETAILS_FIELDS = tuple(f.name for f in fields(Details))
_TIE_FIELDS = tuple(f.name for f in fields(ReportedTie))


def response_to_dict(r: Response) -> dict:
    """The response as its JSON document (what ``asdict`` gives, with enums as their
    values), built field by field: ``asdict``'s deep copy of every tie was most of the
    time of writing 500 responses at once."""
    out = {name: getattr(r, name) for name in _RESPONSE_FIELDS}
    out["status"] = r.status.value
    out["ties"] = [_tie_to_dict(t) for t in r.ties]
    out["details"] = {name: getattr(r.details, name) for name in _DETAILS_FIELDS}
    out["resolved"] = dict(r.resolved)
    out["accepted_ties"] = [list(key) for key in r.accepted_ties]
    return out


def _tie_to_dict(t: ReportedTie) -> dict:
    out = {name: getattr(t, name) for name in _TIE_FIELDS}
    out["frequency"] = str(t.frequency)
    out["trust"], out["value"] = list(t.trust), list(t.value)
    return out


def response_from_dict(d: dict) -> Response:
    values = dict(d)
    values["status"] = ResponseStatus(values.get("status", "draft"))
    values["details"] = Details(**values.get("details", {}))
    values["ties"] = [
        ReportedTie(**{**t, "frequency": Frequency(t["frequency"])}) for t in values.get("ties", [])
    ]
    values["resolved"] = dict(values.get("resolved") or {})
    values["accepted_ties"] = [list(key) for key in values.get("accepted_ties") or []]
    return Response(**values)
