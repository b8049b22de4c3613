"""A person's or organisation's profile, for coordinators: every field of the record,
their figures in plain words, their ties, and the ways on (Edit, their web, Delete).

Coordinators only (the policy gives the route the write permission): it shows what a
viewer may not see (contact, hidden people). What a community link sees of a person
is their own web page (:mod:`service.web.pages_community`), unchanged.
"""

from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from flask import Blueprint, render_template

from graph_models.model import ENTITY_TYPE_OF, ConsentSetBy, Person, to_dict
from service.i18n import format_date, gettext
from service.query import reads_query
from service.usecases import entities, node_panels, viewer_graphs
from service.usecases.context import store

bp = Blueprint("pages_profile", __name__)

KINDS = ("people", "organisations")


def _ties(map_id: str, entity_id: str) -> list[dict]:
    """The record's relationships, with the other end's name and silo."""
    records = store().neighbourhood(map_id, entity_id, hops=1)
    nodes = {n.id: n for n in records.nodes}
    out = []
    for r in records.relationships:
        if entity_id not in (r.source, r.target):
            continue
        other = nodes.get(r.target if r.source == entity_id else r.source)
        out.append(
            {
                "id": r.id,
                "kind": r.kind,
                "outgoing": r.source == entity_id,
                "other": other,
                "strength": r.strength,
                "since": r.since,
                "until": r.until,
            }
        )
    out.sort(key=lambda t: ((t["other"].silo if t["other"] else ""), t["other"].name.casefold()))
    return out


def consent_note(person: Person) -> str:
    """Who set the person's consent and when, in words ("Chosen by Siân themselves in a
    survey on 3 March 2026"; "Set by a coordinator on ..."; or that it was not recorded)."""
    try:
        day = format_date(datetime.fromisoformat(person.consent_set_at), "d MMMM y")
    except ValueError:
        day = ""
    if person.consent_set_by == ConsentSetBy.SELF.value:
        if day:
            return gettext(
                "Chosen by %(name)s themselves in a survey on %(day)s.", name=person.name, day=day
            )
        return gettext("Chosen by %(name)s themselves in a survey.", name=person.name)
    if person.consent_set_by == ConsentSetBy.COORDINATOR.value:
        if day:
            return gettext("Set by a coordinator on %(day)s.", day=day)
        return gettext("Set by a coordinator.")
    return gettext("Who set it was not recorded (set before this was kept, or by an import).")


class ProfileQuery(ma.Schema):
    """The profile takes no query parameters."""

    class Meta:
        unknown = ma.RAISE


@reads_query(ProfileQuery)
def profile(map_id, entity_id, kind):
    m = store().get_map(map_id)
    entity, _ = entities.get_revised(map_id, ENTITY_TYPE_OF[kind], entity_id)
    view = viewer_graphs.whole_map(map_id)
    panel = view.panels().get(entity_id)
    return render_template(
        "profile.html",
        current_map=m,
        kind=kind,
        entity=entity,
        record=to_dict(entity),
        consent_note=consent_note(entity) if isinstance(entity, Person) else "",
        panel=panel,
        panel_note=node_panels.visible_only_note(),
        ties=_ties(map_id, entity_id),
        colours=m.silo_colours(),
    )


for _kind in KINDS:
    bp.add_url_rule(
        f"/maps/<map_id>/{_kind}/<entity_id>",
        f"{_kind}_profile",
        profile,
        defaults={"kind": _kind},
    )
