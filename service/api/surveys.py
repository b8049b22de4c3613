"""Relationship surveys: the coordinator's routes and the respondent's routes.

Coordinators (and the operator) set a survey up, open it (the response to the first
opening is the only time the respondents' links are shown), pause and close it, resend
a link, review and accept responses, and read the results. A respondent link reads its
survey and roster and writes only its own response (``/respond``). Thin adapters over
:mod:`service.usecases.surveys` and :mod:`service.usecases.respond`.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from marshmallow import fields, validate

from graph_models.errors import InvalidInput
from graph_models.surveys.model import SurveyStatus
from graph_models.surveys.schemas import SurveyInSchema, SurveyPatchSchema, _id, _Strict
from service.api.blueprint import Blueprint
from service.i18n import gettext
from service.usecases import respond, surveys

blp = Blueprint(
    "surveys",
    __name__,
    url_prefix="/api/v1/maps/<map_id>/surveys",
    description="Relationship surveys: people map their own connections",
)


class SurveySchema(ma.Schema):
    id = fields.String()
    title = fields.String()
    intro = fields.String()
    roster = fields.Dict()
    modules = fields.Dict()
    closes_on = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "draft, open, paused or closed"})
    created_at = fields.String()
    opened_at = fields.String()
    closed_at = fields.String()
    respondents = fields.List(fields.String())
    responses = fields.Dict(metadata={"description": "how many responses in each status"})


class LinkSchema(ma.Schema):
    person_id = fields.String()
    name = fields.String()
    token = fields.String(metadata={"description": "the secret: shown this once only"})
    url = fields.String()


class SurveyOpenedSchema(SurveySchema):
    links = fields.List(
        fields.Nested(LinkSchema),
        metadata={"description": "every respondent's link, on the first opening only"},
    )


class SurveyListSchema(ma.Schema):
    items = fields.List(fields.Nested(SurveySchema))


class AcceptSchema(_Strict):
    respondents = fields.List(
        fields.String(**_id),
        load_default=None,
        allow_none=True,
        metadata={"description": "whose responses to accept; all submitted ones if absent"},
    )
    names = fields.Dict(
        keys=fields.String(validate=validate.Length(max=300)),
        values=fields.String(validate=validate.Length(max=128)),
        load_default=dict,
        metadata={"description": "new names: '<respondent>:<index>' -> a person id or 'new'"},
    )


class RosterArgs(_Strict):
    q = fields.String(load_default="", validate=validate.Length(max=200))


class TieAnswer(_Strict):
    target = fields.String()
    name = fields.String()
    silo = fields.String()
    organisation = fields.String()
    kind = fields.String(required=True)
    frequency = fields.String(
        required=True, metadata={"description": "daily, weekly, monthly, few_times_a_year, rarely"}
    )
    trust = fields.List(fields.Integer())
    value = fields.List(fields.Integer())


class AnswersDoc(ma.Schema):
    """The answers (checked in full by graph_models.surveys.answers)."""

    ties = fields.List(fields.Nested(TieAnswer))
    details = fields.Dict(metadata={"description": "silo and role corrections"})
    consent = fields.String(metadata={"description": "named, anonymised or hidden"})


def _answers(blp_method):
    """The body is passed through as JSON and checked by the domain (fields named)."""
    return blp.doc(requestBody={"content": {"application/json": {"schema": AnswersDoc}}})(
        blp_method
    )


@blp.route("")
class Surveys(MethodView):
    @blp.response(200, SurveyListSchema)
    def get(self, map_id):
        """The map's surveys."""
        return {"items": surveys.list_surveys(map_id)}

    @blp.arguments(SurveyInSchema)
    @blp.response(201, SurveySchema)
    def post(self, values, map_id):
        """Set up a survey (a draft): title, introduction, roster, modules, respondents."""
        return surveys.create_survey(map_id, values)


@blp.route("/<survey_id>")
class SurveyItem(MethodView):
    @blp.response(200, SurveySchema)
    def get(self, map_id, survey_id):
        """One survey."""
        return surveys.get_survey(map_id, survey_id)

    @blp.arguments(SurveyPatchSchema(partial=True))
    @blp.response(200, SurveySchema)
    def patch(self, values, map_id, survey_id):
        """Edit a survey; who is asked can change only while it is a draft."""
        return surveys.edit_survey(map_id, survey_id, values)


@blp.route("/<survey_id>/open", methods=["POST"])
@blp.response(200, SurveyOpenedSchema)
def open_survey(map_id, survey_id):
    """Open (or reopen) the survey; the first opening returns every link, once."""
    return surveys.set_status(map_id, survey_id, SurveyStatus.OPEN)


@blp.route("/<survey_id>/pause", methods=["POST"])
@blp.response(200, SurveyOpenedSchema)
def pause_survey(map_id, survey_id):
    """Pause: answers are kept, nobody can change them until it reopens."""
    return surveys.set_status(map_id, survey_id, SurveyStatus.PAUSED)


@blp.route("/<survey_id>/close", methods=["POST"])
@blp.response(200, SurveyOpenedSchema)
def close_survey(map_id, survey_id):
    """Close for good: answers can no longer change."""
    return surveys.set_status(map_id, survey_id, SurveyStatus.CLOSED)


@blp.route("/<survey_id>/respondents/<person_id>/link", methods=["POST"])
@blp.response(201, LinkSchema)
def reissue_link(map_id, survey_id, person_id):
    """A new link for one respondent ("resend"); the old one stops working."""
    return surveys.reissue(map_id, survey_id, person_id)


@blp.route("/<survey_id>/responses", methods=["GET"])
@blp.response(200)
def responses(map_id, survey_id):
    """Every response, as the respondents gave them (coordinators only)."""
    return surveys.responses(map_id, survey_id)


@blp.route("/<survey_id>/review", methods=["GET"])
@blp.response(200)
def review(map_id, survey_id):
    """Response rates, who has not answered, each response, matches for new names."""
    return surveys.review(map_id, survey_id)


@blp.route("/<survey_id>/accept", methods=["POST"])
@blp.arguments(AcceptSchema)
@blp.response(200)
def accept(values, map_id, survey_id):
    """Accept submitted responses into the map, all or nothing."""
    return surveys.accept(map_id, survey_id, values["respondents"], values["names"])


@blp.route("/<survey_id>/results", methods=["GET"])
@blp.response(200)
def results(map_id, survey_id):
    """Response rates, confirmation and trust/value (>= 5 ratings) per silo pair."""
    return surveys.results(map_id, survey_id)


# -- the respondent's routes ----------------------------------------------------------------


@blp.route("/<survey_id>/respond")
class Respond(MethodView):
    @blp.response(200)
    def get(self, map_id, survey_id):
        """The survey, the respondent's own record and own response."""
        return respond.view(map_id, survey_id)

    @_answers
    @blp.response(200)
    def put(self, map_id, survey_id):
        """Save answers as a draft (or as a change to a sent response)."""
        return respond.save(map_id, survey_id, _body(), submit=False)


@blp.route("/<survey_id>/respond/submit", methods=["POST"])
@_answers
@blp.response(200)
def submit(map_id, survey_id):
    """Send the answers for review; sending again changes the one response."""
    return respond.save(map_id, survey_id, _body(), submit=True)


@blp.route("/<survey_id>/respond/roster", methods=["GET"])
@blp.arguments(RosterArgs, location="query")
@blp.response(200)
def roster(args, map_id, survey_id):
    """Who can be named: named people and organisations, searched by folded name."""
    return respond.roster(map_id, survey_id, args["q"])


def _body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(
            gettext("a JSON object body is required"), {"json": [gettext("not an object")]}
        )
    return data
