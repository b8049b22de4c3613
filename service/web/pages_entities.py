"""People, organisations and relationships: searchable paged lists, and forms to add,
change and delete them (coordinators).

Forms are validated by the API's marshmallow schemas (field-level messages) and the
map's silo vocabulary. Viewers read what :func:`graph_models.visibility.public_records`
lets them (hidden people absent, anonymised people by pseudonym) and see no edit
buttons; posting a form directly is refused by the policy (403).
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import fields, validate

from graph_models import schemas
from graph_models.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from graph_models.model import (
    ENTITY_TYPE_OF,
    EntityType,
    OrganisationKind,
    to_dict,
)
from graph_models.store.base import ListFilter
from graph_models.text import fold
from service.i18n import gettext, lazy_gettext, org_kind_label, silo_label
from service.policy import PAGE_KINDS
from service.query import query_args, reads_query
from service.usecases import entities
from service.usecases.context import store
from service.web.forms import field_errors, optional, tags, text
from service.web.labels import kind_options

bp = Blueprint("pages_entities", __name__)

ETYPES = ENTITY_TYPE_OF
SINGULAR = {plural: etype.value for plural, etype in ETYPES.items()}
PAGE_SIZE = 25

VISIBILITY_LABELS = [
    ("named", lazy_gettext("Named: may be shown by name")),
    ("anonymised", lazy_gettext("Anonymised: shown only as “a person in <silo>”")),
    ("hidden", lazy_gettext("Hidden: counted, never shown or listed to viewers")),
]
_FRIENDLY = {
    "Missing data for required field.": lazy_gettext("This is required."),
    "Shorter than minimum length 1.": lazy_gettext("This is required."),
    "Field may not be null.": lazy_gettext("This is required."),
}


def _friendly(errors: dict) -> dict:
    return {k: [_FRIENDLY.get(m, m) for m in v] for k, v in errors.items()}


# -- reading ------------------------------------------------------------------------------


class ListQuery(ma.Schema):
    """The list pages' query: name text, silo and page number."""

    class Meta:
        unknown = ma.RAISE

    q = fields.String(load_default="", validate=validate.Length(max=200))
    silo = fields.String(load_default="", validate=validate.Length(max=60))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))


def _list_view(kind: str):
    @reads_query(ListQuery)
    def view(map_id):
        m = store().get_map(map_id)
        args = query_args()
        q, silo = args["q"].strip(), args["silo"].strip()
        filters = ListFilter(silo=silo or None, q=q or None)
        page = args["page"]
        rows, total, names = entities.shown_page(
            map_id, ETYPES[kind], filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:  # past the end: the last page, as before
            page = pages
            rows, total, names = entities.shown_page(
                map_id, ETYPES[kind], filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
        return render_template(
            "entity_list.html",
            current_map=m,
            colours=m.silo_colours(),
            kind=kind,
            singular=SINGULAR[kind],
            rows=rows,
            names=names,
            total=total,
            page=page,
            pages=pages,
            q=q,
            silo=silo,
        )

    return view


# -- forms --------------------------------------------------------------------------------


def _values(kind: str, form, map_id: str) -> dict:
    """The form's values as the schema expects them (errors from resolving names too)."""
    if kind == "people":
        values = {"tags": tags(form)}  # a blank name or silo: "This is required."
        optional(values, form, "name", "silo", "role", "area", "contact", "visibility")
        return values
    if kind == "organisations":
        values = {"tags": tags(form)}
        optional(values, form, "name", "silo", "kind", "area")
        return values
    values = {"kind": text(form, "kind")}
    optional(values, form, "notes", "evidence", "since", "until")
    strength = text(form, "strength") or "3"
    values["strength"] = int(strength) if strength.isdigit() else strength
    typed = {end: text(form, end) for end in ("source", "target")}
    values.update(entities.resolve_ends(map_id, values["kind"], typed))
    return values


def _load(etype: EntityType, kind: str, map_id: str) -> dict:
    """The form loaded by the entity's schema. A person's consent must be chosen on the
    form (the API's default of "named" is never taken silently from a page)."""
    values = _values(kind, request.form, map_id)
    missing = {}
    if kind == "people" and not values.get("visibility"):
        missing["visibility"] = [gettext("Choose what this person agreed may be shown.")]
    try:
        loaded = schemas.load(schemas.ENTITY_SCHEMAS[etype], values)
    except InvalidInput as exc:
        if not missing:
            raise
        raise InvalidInput(exc.message, {**(exc.errors or {}), **missing}) from exc
    if missing:
        raise InvalidInput(gettext("some fields are not valid"), missing)
    return loaded


def _form_values(kind: str, entity, names: dict) -> dict:
    """An entity as the form shows it."""
    row = to_dict(entity)
    if kind != "relationships":
        row["tags"] = ", ".join(row.get("tags") or [])
    else:
        row["source"] = names.get(row["source"], row["source"])
        row["target"] = names.get(row["target"], row["target"])
        for end in ("since", "until"):
            row[end] = row.get(end) or ""
    return row


def _render_form(
    kind: str, m, form: dict, errors: dict, entity_id: str | None, status: int | None = None
):
    node_options = []
    if kind == "relationships":
        records = store().graph(m.id)
        node_options = sorted(
            ((n.name, n.silo, n.type.value, fold(n.name)) for n in records.nodes),
            key=lambda t: t[0].casefold(),
        )
    return render_template(
        f"{SINGULAR[kind]}_form.html",
        current_map=m,
        kind=kind,
        singular=SINGULAR[kind],
        form=form,
        errors=_friendly(errors),
        entity_id=entity_id,
        silo_options=[(s.name, silo_label(s.name, m)) for s in m.silos],
        visibility_options=VISIBILITY_LABELS,
        org_kind_options=[(k.value, org_kind_label(k.value)) for k in OrganisationKind],
        kind_options=kind_options(m),
        strength_options=[(str(i), f"{i}") for i in range(1, 6)],
        node_options=node_options,
    ), status or (422 if errors else 200)


def _new_view(kind: str):
    etype = ETYPES[kind]

    def view(map_id):
        m = store().get_map(map_id)
        if request.method == "GET":
            # silo and consent are explicit choices: no default to get wrong unseen
            defaults = {"strength": "3", "kind": "works_with"}
            if kind == "organisations" and m.silos:
                defaults["silo"] = m.silos[0].name
            return _render_form(kind, m, defaults, {}, None)
        try:
            entity = entities.create(map_id, etype, _load(etype, kind, map_id))
        except (InvalidInput, Conflict) as exc:
            errors = (
                field_errors(exc) if isinstance(exc, InvalidInput) else {"_form": [exc.message]}
            )
            return _render_form(kind, m, request.form.to_dict(), errors, None)
        flash(_describe(kind, "added", entity))
        if request.form.get("then") == "another":
            return redirect(url_for(f"pages_entities.{kind}_new", map_id=map_id))
        return redirect(_saved_url(kind, map_id, entity))

    return view


def _saved_url(kind: str, map_id: str, entity) -> str:
    """Where the user lands after saving: the record they saved (a person's or an
    organisation's profile); a relationship's list, for a tie."""
    if kind == "relationships":
        return url_for("pages_entities.relationships_list", map_id=map_id)
    return url_for(f"pages_profile.{kind}_profile", map_id=map_id, entity_id=entity.id)


def _describe(kind: str, done: str, entity) -> str:
    """The flash message after ``done`` ("added", "saved", "deleted") to ``entity``."""
    if kind == "relationships":
        return {
            "added": gettext("Added the relationship."),
            "saved": gettext("Saved the relationship."),
            "deleted": gettext("Deleted the relationship."),
        }[done]
    return {
        "added": gettext("Added “%(name)s”.", name=entity.name),
        "saved": gettext("Saved “%(name)s”.", name=entity.name),
        "deleted": gettext("Deleted “%(name)s”.", name=entity.name),
    }[done]


def _edit_view(kind: str):
    """The edit form carries the record's revision (a hidden field): saving over a
    change someone else made meanwhile is refused, and the form shows the current
    version with a message (409), so nobody undoes a change they never saw."""
    etype = ETYPES[kind]

    def shown(map_id, current, revision) -> dict:
        names = (
            {n.id: n.name for n in store().graph(map_id).nodes} if kind == "relationships" else {}
        )
        return {**_form_values(kind, current, names), "revision": str(revision)}

    def view(map_id, entity_id):
        m = store().get_map(map_id)
        current, revision = entities.get_revised(map_id, etype, entity_id)
        if request.method == "GET":
            return _render_form(kind, m, shown(map_id, current, revision), {}, entity_id)
        sent = text(request.form, "revision")
        try:
            values = _load(etype, kind, map_id)
            values.pop("id", None)
            updated, _ = entities.patch(
                map_id,
                etype,
                entity_id,
                values,
                if_revision=int(sent) if sent.isdigit() and len(sent) < 19 else None,
            )
        except PreconditionFailed:
            message = gettext(
                "Someone else changed this while you were editing it. Below is the current "
                "version: make your change again on it and save."
            )
            form = shown(map_id, current, revision)
            return _render_form(kind, m, form, {"_form": [message]}, entity_id, 409)
        except (InvalidInput, Conflict) as exc:
            errors = (
                field_errors(exc) if isinstance(exc, InvalidInput) else {"_form": [exc.message]}
            )
            form = {**request.form.to_dict(), "revision": sent}
            return _render_form(kind, m, form, errors, entity_id)
        flash(_describe(kind, "saved", updated))
        return redirect(_saved_url(kind, map_id, updated))

    return view


def _delete_view(kind: str):
    etype = ETYPES[kind]

    def view(map_id, entity_id):
        m = store().get_map(map_id)
        entity = store().get(map_id, etype, entity_id)
        if request.method == "GET":
            ties = 0
            if kind != "relationships":
                ties = sum(
                    1
                    for r in store().graph(map_id).relationships
                    if entity_id in (r.source, r.target)
                )
            names = {n.id: n.name for n in store().graph(map_id).nodes}
            return render_template(
                "confirm_delete.html",
                current_map=m,
                kind=kind,
                singular=SINGULAR[kind],
                entity=entity,
                ties=ties,
                names=names,
            )
        try:
            entities.delete(map_id, etype, entity_id)
        except NotFound:
            abort(404)
        flash(_describe(kind, "deleted", entity))
        return redirect(url_for(f"pages_entities.{kind}_list", map_id=map_id))

    return view


for _kind in PAGE_KINDS:
    bp.add_url_rule(f"/maps/<map_id>/{_kind}", f"{_kind}_list", _list_view(_kind))
    bp.add_url_rule(
        f"/maps/<map_id>/{_kind}/new", f"{_kind}_new", _new_view(_kind), methods=["GET", "POST"]
    )
    bp.add_url_rule(
        f"/maps/<map_id>/{_kind}/<entity_id>/edit",
        f"{_kind}_edit",
        _edit_view(_kind),
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        f"/maps/<map_id>/{_kind}/<entity_id>/delete",
        f"{_kind}_delete",
        _delete_view(_kind),
        methods=["GET", "POST"],
    )
