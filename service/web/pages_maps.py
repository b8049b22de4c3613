"""The maps a token may see, and a new map with its silo vocabulary (operator)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from graph_models import schemas
from graph_models.errors import Conflict, InvalidInput
from graph_models.model import DEFAULT_SILOS
from service.auth import current_principal
from service.i18n import gettext
from service.usecases.context import actor, store
from service.web.forms import field_errors, text
from service.web.pages_entities import VISIBILITY_LABELS

bp = Blueprint("pages_maps", __name__)

#: Spare silo rows on the new-map form (the default nine are filled in).
SPARE_SILO_ROWS = 3


@bp.get("/maps")
def maps():
    principal = current_principal()
    if principal.is_admin:
        items = store().list_maps(limit=500, offset=0).items
    else:
        items = [store().get_map(principal.map_id)]
    return render_template("maps.html", maps=items)


def _silo_rows(form) -> list[dict]:
    rows = []
    for i in range(len(DEFAULT_SILOS) + SPARE_SILO_ROWS + 20):
        name = form.get(f"silos-{i}-name")
        if name is None:
            break
        rows.append({"name": name.strip(), "colour": text(form, f"silos-{i}-colour") or "#888888"})
    return rows


@bp.route("/maps/new", methods=["GET", "POST"])
def new_map():
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        silos = [r for r in _silo_rows(form) if r["name"]]
        data = {
            "name": text(form, "name"),
            "description": text(form, "description"),
            "default_visibility": text(form, "default_visibility") or "named",
        }
        if text(form, "id"):
            data["id"] = text(form, "id")
        if silos:
            data["silos"] = silos
        try:
            m = store().create_map(schemas.build_map(data), actor=actor())
        except (InvalidInput, Conflict) as exc:
            errors = field_errors(exc) if isinstance(exc, InvalidInput) else {"id": [exc.message]}
        else:
            flash(
                gettext("Map “%(name)s” created. Add people next, or import a file.", name=m.name)
            )
            return redirect(url_for("pages_dashboard.dashboard", map_id=m.id))
        rows = _silo_rows(form)
    else:
        form = {}
        rows = [{"name": n, "colour": c} for n, c in DEFAULT_SILOS]
    rows += [{"name": "", "colour": "#888888"}] * SPARE_SILO_ROWS
    status = 422 if errors else 200
    return render_template(
        "map_new.html",
        form=form,
        rows=rows,
        errors=errors,
        visibility_options=VISIBILITY_LABELS,
    ), status
