"""The coordinator's survey pages: set up, open (every link shown once, printable or as
CSV), pause, close, review and accept responses, and the results panel.

Thin adapters over :mod:`service.usecases.surveys` (the API calls the same functions).
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from graph_models import schemas
from graph_models.errors import BridgemapError, InvalidInput
from graph_models.surveys.model import SurveyStatus
from graph_models.surveys.schemas import SurveyInSchema
from service.i18n import gettext, ngettext
from service.usecases import surveys
from service.usecases.context import store
from service.web.forms import field_errors, text
from service.web.pages_respond import FREQUENCY_LABELS, long_day
from service.web.reported import reported_picture

bp = Blueprint("pages_surveys", __name__)

ACTIONS = {
    "open": SurveyStatus.OPEN,
    "pause": SurveyStatus.PAUSED,
    "close": SurveyStatus.CLOSED,
}


def _survey_values(form, m) -> dict:
    people = form.getlist("respondents")
    if form.get("everyone"):
        people = [p.id for p in surveys.people_choices(m.id)]
    closes = text(form, "closes_on")
    values = {
        "title": text(form, "title"),
        "intro": text(form, "intro"),
        "roster": {
            "people": True,
            "organisations": bool(form.get("organisations")),
            "silos": form.getlist("silos"),
        },
        "modules": {
            "trust_value": bool(form.get("trust_value")),
            "anyone_else": bool(form.get("anyone_else")),
        },
        "respondents": people,
    }
    if closes:
        values["closes_on"] = closes
    return values


@bp.route("/maps/<map_id>/surveys", methods=["GET", "POST"])
def surveys_page(map_id):
    m = store().get_map(map_id)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        try:
            values = schemas.load(SurveyInSchema, _survey_values(form, m))
            created = surveys.create_survey(map_id, values)
        except InvalidInput as exc:
            errors = field_errors(exc)
        else:
            flash(gettext("The survey was set up. Check it, then open it to make the links."))
            return redirect(url_for("pages_surveys.survey", map_id=map_id, survey_id=created["id"]))
    return render_template(
        "surveys.html",
        current_map=m,
        items=surveys.list_surveys(map_id),
        long_day=long_day,
        words=_words(),
        people=surveys.people_choices(map_id),
        errors=errors,
        form=form,
    ), (422 if errors else 200)


@bp.get("/maps/<map_id>/surveys/<survey_id>")
def survey(map_id, survey_id):
    m = store().get_map(map_id)
    found = surveys.get_survey(map_id, survey_id)
    nodes = store().graph(map_id).nodes
    names = {n.id: n.name for n in nodes}
    entries = {n.id: {"name": n.name, "silo": n.silo, "type": n.type.value} for n in nodes}
    review = surveys.review(map_id, survey_id)
    colours = m.silo_colours()
    pictures = [
        reported_picture(
            f"reported-{i}",
            (r["name"] or r["person_id"], entries.get(r["person_id"], {}).get("silo", "")),
            r["ties"],
            entries,
            colours,
            FREQUENCY_LABELS,
            m,
        )
        for i, r in enumerate(review["responses"])
    ]
    return render_template(
        "survey.html",
        current_map=m,
        survey=found,
        review=review,
        pictures=pictures,
        long_day=long_day,
        names=names,
        respondents=sorted(
            ((p, names.get(p, p)) for p in found["respondents"]), key=lambda t: t[1].casefold()
        ),
        words=_words(),
    )


@bp.post("/maps/<map_id>/surveys/<survey_id>/status")
def status(map_id, survey_id):
    action = request.form.get("action", "")
    if action not in ACTIONS:
        raise InvalidInput(gettext("unknown action"), {"action": [gettext("open, pause or close")]})
    result = surveys.set_status(map_id, survey_id, ACTIONS[action])
    links = result["links"]
    if links and request.form.get("format") == "csv":
        return _links_csv(survey_id, links)
    if links:
        return render_template(
            "survey_links.html", current_map=store().get_map(map_id), survey=result, links=links
        )
    flash(gettext("The survey is now %(status)s.", status=_status_word(result["status"])))
    return redirect(url_for("pages_surveys.survey", map_id=map_id, survey_id=survey_id))


@bp.post("/maps/<map_id>/surveys/<survey_id>/resend")
def resend(map_id, survey_id):
    """A new link for one respondent ("resend"): the old one stops working, and the new
    one is shown once, as when the survey was opened."""
    person_id = request.form.get("person_id", "")
    try:
        link = surveys.reissue(map_id, survey_id, person_id)
    except BridgemapError as exc:
        flash(gettext("No new link was made: %(why)s", why=exc.message), "error")
        return redirect(url_for("pages_surveys.survey", map_id=map_id, survey_id=survey_id))
    return render_template(
        "survey_links.html",
        current_map=store().get_map(map_id),
        survey=surveys.get_survey(map_id, survey_id),
        links=[link],
        resent=True,
    )


def _status_word(status: str) -> str:
    return _words()["status"].get(status, status)


def _words() -> dict:
    """Translated words for the values the survey pages show."""
    return {
        "status": {
            "draft": gettext("a draft"),
            "open": gettext("open"),
            "paused": gettext("paused"),
            "closed": gettext("closed"),
            "submitted": gettext("sent, waiting for review"),
            "accepted": gettext("accepted"),
        },
        "consent": {
            "named": gettext("named"),
            "anonymised": gettext("anonymised"),
            "hidden": gettext("hidden"),
        },
        "frequency": {k: str(v) for k, v in FREQUENCY_LABELS.items()},
    }


def _links_csv(survey_id: str, links: list[dict]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("person id"), gettext("name"), gettext("link")])
    for link in links:
        name = link["name"]
        if name[:1] in ("=", "+", "-", "@"):  # no formulas in a spreadsheet
            name = "'" + name
        writer.writerow([link["person_id"], name, link["url"]])
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="survey-{survey_id}-links.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/maps/<map_id>/surveys/<survey_id>/accept")
def accept(map_id, survey_id):
    who = request.form.getlist("accept")
    names = {
        key.removeprefix("name:"): value
        for key, value in request.form.items()
        if key.startswith("name:") and value
    }
    if not who:
        flash(gettext("Tick the responses to accept."), "error")
    else:
        try:
            summary = surveys.accept(map_id, survey_id, who, names)
        except BridgemapError as exc:
            flash(gettext("Nothing was accepted: %(why)s", why=exc.message), "error")
        else:
            flash(
                gettext(
                    "Accepted %(responses)s responses: %(created)s new ties, %(confirmed)s "
                    "confirmed by both ends.",
                    responses=summary["accepted"],
                    created=summary["ties_created"],
                    confirmed=summary["ties_confirmed"],
                )
            )
            if summary.get("ties_removed"):
                flash(
                    ngettext(
                        "Removed %(num)s tie its reporter no longer names.",
                        "Removed %(num)s ties their reporters no longer name.",
                        summary["ties_removed"],
                    )
                )
    return redirect(url_for("pages_surveys.survey", map_id=map_id, survey_id=survey_id))


@bp.get("/maps/<map_id>/surveys/<survey_id>/results")
def results(map_id, survey_id):
    return render_template(
        "survey_results.html",
        current_map=store().get_map(map_id),
        results=surveys.results(map_id, survey_id),
    )
