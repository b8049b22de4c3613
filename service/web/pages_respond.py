"""The respondent's page: one short survey, opened from a personal link, no account.

Works without script and with the keyboard alone, at phone width: the roster is a list
of checkboxes grouped by silo (``survey_roster.js`` filters it as you type, folding
accents like the server: "sian" finds "Siân"; without script, ``?q=`` filters it on
the server); ticking names and saving adds them to "Your connections", where each one
gets how often and what kind (and, with the module on, trust and value). Save and come
back, send, change until the survey closes. The same use cases as the API
(:mod:`service.usecases.respond`).
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from marshmallow import fields, validate

from graph_models.errors import Conflict, InvalidInput
from graph_models.surveys.model import SCALE_MAX, SCALE_MIN
from graph_models.text import fold
from service.i18n import format_date, gettext, kind_label, lazy_gettext
from service.query import query_args, reads_query
from service.usecases import respond
from service.web.forms import field_errors
from service.web.reported import reported_picture

bp = Blueprint("pages_respond", __name__)

FREQUENCY_LABELS = {
    "daily": lazy_gettext("Every day or nearly"),
    "weekly": lazy_gettext("Every week"),
    "monthly": lazy_gettext("Every month"),
    "few_times_a_year": lazy_gettext("A few times a year"),
    "rarely": lazy_gettext("Rarely"),
}
QUESTION_LABELS = {
    "reliable": lazy_gettext("They do what they say they will do"),
    "open": lazy_gettext("They share information openly with me"),
    "shared_aims": lazy_gettext("We are working towards the same aims"),
    "resources": lazy_gettext("They bring time, money, skills or places we need"),
    "influence": lazy_gettext("They can make things happen where it matters"),
    "commitment": lazy_gettext("They stay involved when things get hard"),
}
SCALE_LABELS = {
    1: lazy_gettext("Not at all"),
    2: lazy_gettext("A little"),
    3: lazy_gettext("Mostly"),
    4: lazy_gettext("Completely"),
}
CONSENT_CHOICES = [
    ("named", lazy_gettext("Show my name: people looking at the map can see it is me.")),
    (
        "anonymised",
        lazy_gettext("Show me without my name: only as “a person in” my sector."),
    ),
    (
        "hidden",
        lazy_gettext("Do not show me: my connections are counted, but I am never drawn or listed."),
    ),
]


def long_day(iso: str | None) -> str:
    """A stored ISO day as people write it ("3 March 2026"), "" for none."""
    return format_date(date.fromisoformat(iso), "d MMMM y") if iso else ""


class RespondQuery(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    q = fields.String(load_default="", validate=validate.Length(max=200))


def _default_kind(entry_type: str) -> str:
    return "works_for" if entry_type == "organisation" else "works_with"


def _answers_from(form, view: dict) -> dict:
    """The form as the answers JSON the API takes (the same checks apply)."""
    ties = []
    count = form.get("tie-count", "")
    for i in range(min(int(count), 500) if count.isdigit() else 0):
        if form.get(f"tie-{i}-remove"):
            continue
        tie = {
            "kind": form.get(f"tie-{i}-kind", ""),
            "frequency": form.get(f"tie-{i}-frequency", ""),
        }
        for key in ("target", "name", "silo", "organisation"):
            if form.get(f"tie-{i}-{key}"):
                tie[key] = form.get(f"tie-{i}-{key}", "")
        for key in ("trust", "value"):
            answers = [form.get(f"tie-{i}-{key}-{q}", "") for q in range(3)]
            if all(a.isdigit() for a in answers):
                tie[key] = [int(a) for a in answers]
        ties.append(tie)
    known = {t.get("target") for t in ties}
    types = {e["id"]: e["type"] for e in view["roster"]}
    for picked in form.getlist("pick"):
        if picked not in known:
            kind = _default_kind(types.get(picked, "person"))
            ties.append({"target": picked, "kind": kind, "frequency": "monthly"})
    name = (form.get("new-name") or "").strip()
    if name:
        ties.append(
            {
                "name": name,
                "silo": form.get("new-silo", ""),
                "organisation": (form.get("new-organisation") or "").strip(),
                "kind": "works_with",
                "frequency": form.get("new-frequency") or "monthly",
            }
        )
    return {
        "ties": ties,
        "details": {
            "silo": form.get("silo", ""),
            "role": (form.get("role") or "").strip(),
        },
        "consent": form.get("consent", ""),
    }


def _view(map_id: str, survey_id: str, q: str = "") -> dict:
    view = respond.page_view(map_id, survey_id)
    wanted = fold(q.strip())
    view["shown"] = {e["id"] for e in view["roster"] if wanted in e["key"]} if wanted else None
    return view


def _render(map_id, survey_id, *, view=None, answers=None, errors=None, status=200):
    view = view or _view(map_id, survey_id, query_args().get("q", ""))
    response = view["response"] or {}
    answers = answers or {
        # before anything is saved: their organisations in the map, to confirm or correct
        "ties": response.get("ties", []) if response else view["affiliations"],
        "details": response.get("details", {}),
        "consent": response.get("consent", ""),
    }
    names = {e["id"]: e for e in view["roster"]}
    chosen = {t.get("target") for t in answers["ties"]}
    roster = [
        (silo, [e for e in entries if e["id"] not in chosen])
        for silo, entries in grouped_dicts(view["roster"])
    ]
    labels = view["choices"]["vocabulary"]  # the map's own kinds by their labels
    kinds = {
        "person": [(k, kind_label(k, labels)) for k in view["choices"]["kinds_person"]],
        "organisation": [(k, kind_label(k, labels)) for k in view["choices"]["kinds_organisation"]],
    }
    picture = None
    if response.get("status") in ("submitted", "accepted"):
        picture = reported_picture(
            "reported",
            (view["me"]["name"], view["me"]["silo"]),
            response["ties"],
            names,
            view["choices"]["colours"],
            FREQUENCY_LABELS,
            labels,
        )
    return render_template(
        "respond.html",
        picture=picture,
        view=view,
        survey=view["survey"],
        closes_on=long_day(view["survey"]["closes_on"]),
        me=view["me"],
        answers=answers,
        names=names,
        prefilled={t["target"] for t in view["affiliations"]},
        roster=roster_html(roster, view["shown"]),
        kinds=kinds,
        frequencies=list(FREQUENCY_LABELS.items()),
        questions=QUESTION_LABELS,
        scale=[(v, SCALE_LABELS[v]) for v in range(SCALE_MIN, SCALE_MAX + 1)],
        consent_choices=CONSENT_CHOICES,
        errors=errors or {},
        q=query_args().get("q", ""),
        current_map_id=map_id,
    ), status


def roster_html(roster: list[tuple[str, list[dict]]], shown: set | None) -> Markup:
    """The roster's checkboxes, grouped by silo: built here with escaping rather than
    in the template (2,000 rows through Jinja's attribute lookups took most of the
    page's time). Every value is escaped; nothing else reaches the markup."""
    out = []
    for silo, entries in roster:
        out.append('<fieldset class="roster__group" data-roster-group>')
        out.append(f"<legend>{escape(silo)}</legend>")
        for i, e in enumerate(entries):
            box = escape(f"pick-{i}-{e['id']}")
            hidden = " hidden" if shown is not None and e["id"] not in shown else ""
            out.append(
                f'<div class="choice roster__item" data-key="{escape(e["key"])}"{hidden}>'
                f'<input type="checkbox" id="{box}" name="pick" value="{escape(e["id"])}">'
                f'<label for="{box}">{escape(e["name"])}</label></div>'
            )
        out.append("</fieldset>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped


def grouped_dicts(entries: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        groups.setdefault(entry["silo"], []).append(entry)
    return list(groups.items())


@bp.route("/maps/<map_id>/surveys/<survey_id>/respond", methods=["GET", "POST"])
@reads_query(RespondQuery)
def respond_page(map_id, survey_id):
    if request.method == "GET":
        return _render(map_id, survey_id)
    view = _view(map_id, survey_id)
    answers = _answers_from(request.form, view)
    submit = request.form.get("action") == "submit"
    try:
        respond.save(map_id, survey_id, answers, submit=submit)
    except InvalidInput as exc:
        return _render(
            map_id, survey_id, view=view, answers=answers, errors=field_errors(exc), status=422
        )
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("pages_respond.respond_page", map_id=map_id, survey_id=survey_id))
    if submit:
        flash(gettext("Thank you: your answers were sent. They wait for a coordinator's review."))
    else:
        flash(gettext("Saved. You can come back to this page with your link at any time."))
    return redirect(url_for("pages_respond.respond_page", map_id=map_id, survey_id=survey_id))
