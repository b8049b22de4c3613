"""A respondent's answers, checked: shape (marshmallow) then meaning (roster, kinds).

:func:`check_answers` turns the JSON a respondent sends into a :class:`Response` or
raises :class:`~graph_models.errors.InvalidInput` naming every bad field
(``{"ties": {"3": {"target": [...]}}}``), so nothing is written: an id that is not on
their roster, a tie to themselves, a kind that does not fit the two ends, a scale value
out of range, trust/value answers or new names when those modules are off, a silo the
map does not have, the same person named twice with the same kind.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from graph_models import model, schemas
from graph_models.errors import InvalidInput
from graph_models.messages import Message
from graph_models.model import NodeType
from graph_models.surveys.model import (
    MAX_TIES,
    SCALE_MAX,
    SCALE_MIN,
    TRUST_QUESTIONS,
    VALUE_QUESTIONS,
    Details,
    Frequency,
    ReportedTie,
    Response,
    Survey,
)
from graph_models.surveys.roster import RosterEntry
from graph_models.text import fold

_scale = fields.List(
    fields.Integer(strict=True, validate=validate.Range(min=SCALE_MIN, max=SCALE_MAX)),
    load_default=list,
    validate=validate.Length(max=3),
)


class TieAnswerSchema(schemas._Strict):
    target = fields.String(load_default="", validate=validate.Length(max=128))
    name = fields.String(load_default="", validate=validate.Length(max=model.MAX_NAME))
    silo = fields.String(load_default="", validate=validate.Length(max=60))
    organisation = fields.String(load_default="", validate=validate.Length(max=model.MAX_NAME))
    # a built-in kind or one of the map's own (checked against the map in _check_tie)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    frequency = fields.Enum(Frequency, by_value=True, required=True)
    trust = _scale
    value = _scale

    @validates_schema
    def one_end(self, data, **_):
        if bool(data.get("target")) == bool(data.get("name", "").strip()):
            raise ma.ValidationError("give either a roster id or a new name", "target")


class DetailsSchema(schemas._Strict):
    silo = fields.String(load_default="", validate=validate.Length(max=60))
    role = fields.String(load_default="", validate=validate.Length(max=model.MAX_NAME))


class AnswersSchema(schemas._Strict):
    ties = fields.List(
        fields.Nested(TieAnswerSchema), load_default=list, validate=validate.Length(max=MAX_TIES)
    )
    details = fields.Nested(DetailsSchema, load_default=dict)
    consent = fields.String(
        load_default="", validate=validate.OneOf(["", *(v.value for v in model.Visibility)])
    )


def check_answers(
    data,
    *,
    m: model.Map,
    survey: Survey,
    roster: list[RosterEntry],
    respondent: str,
    current: Response | None,
) -> Response:
    """The respondent's answers as a draft :class:`Response` (status and times are set by
    the caller), or InvalidInput naming every bad field."""
    values = schemas.load(AnswersSchema, data)
    on_roster = {e.id: e.type for e in roster}
    errors: dict = {}
    ties = []
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(values["ties"]):
        problems = _check_tie(raw, m, survey, on_roster, respondent)
        key = (raw["target"] or "name:" + fold(" ".join(raw["name"].split())), raw["kind"])
        if not problems and key in seen:
            problems = {"target": [Message("survey.named_twice", row=str(seen[key] + 1))]}
        seen.setdefault(key, i)
        if problems:
            errors[str(i)] = problems
            continue
        if raw["name"]:
            raw["name"] = " ".join(raw["name"].split())
            raw["silo"] = schemas.check_silo(m, raw["silo"])
        ties.append(ReportedTie(**raw))
    out: dict = {"ties": errors} if errors else {}
    details = values["details"]
    if details.get("silo"):
        try:
            details["silo"] = schemas.check_silo(m, details["silo"])
        except InvalidInput as exc:
            out["details"] = exc.errors
    if out:
        raise InvalidInput(Message("survey.answers_invalid"), out)
    base = current or Response(survey.id, respondent)
    return Response(
        **{
            **base.__dict__,
            "ties": ties,
            "details": Details(**details),
            "consent": values["consent"],
        }
    )


def _check_tie(raw: dict, m, survey: Survey, on_roster: dict, respondent: str) -> dict:
    problems: dict = {}
    if raw["target"]:
        if raw["target"] == respondent:
            return {"target": [Message("survey.tie_to_self")]}
        target_type = on_roster.get(raw["target"])
        if target_type is None:
            return {"target": [Message("survey.not_on_roster", id=repr(raw["target"]))]}
    else:
        if not survey.modules.anyone_else:
            return {"name": [Message("survey.module_off")]}
        target_type = NodeType.PERSON
        try:
            schemas.check_silo(m, raw["silo"] or "-")
        except InvalidInput as exc:
            problems["silo"] = exc.errors["silo"]
    rules = m.kind_rules()  # the built-in kinds and the map's own
    if raw["kind"] not in rules:
        problems["kind"] = [Message("model.kind_choices", choices=", ".join(rules))]
    else:
        try:
            model.check_endpoints(raw["kind"], NodeType.PERSON, target_type, rules)
        except InvalidInput:
            problems["kind"] = [Message("survey.kind_does_not_fit", kind=raw["kind"])]
    for key, questions in (("trust", TRUST_QUESTIONS), ("value", VALUE_QUESTIONS)):
        answers = raw[key]
        if answers and not survey.modules.trust_value:
            problems[key] = [Message("survey.module_off")]
        elif answers and len(answers) != len(questions):
            problems[key] = [Message("survey.answer_all", num=len(questions))]
    return problems
