"""The map settings page (issue 14, 12b; issues 13 and 15): a coordinator renames the
map, edits its description and default consent, its silos (name, colour, Welsh label;
a renamed silo takes its people and organisations with it; a silo in use cannot be
removed) and the map's own relationship kinds (labels in English and Welsh, the ends
they join, direction, affiliation; a kind in use cannot be removed or renamed).

The form is loaded with the API's schema (:class:`graph_models.schemas.MapPatchSchema`)
and written by :func:`service.usecases.map_settings.change_map`, all or nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from graph_models import schemas
from graph_models.errors import Conflict, InvalidInput
from graph_models.model import MAX_KINDS, MAX_SILOS
from service.i18n import gettext, lazy_gettext
from service.usecases.context import store
from service.usecases.map_settings import change_map
from service.web.forms import field_errors, text
from service.web.pages_entities import VISIBILITY_LABELS

bp = Blueprint("pages_settings", __name__)

#: Blank rows offered for new silos and new kinds.
SPARE_SILOS = 2
SPARE_KINDS = 2

ENDS = [
    ("person-person", lazy_gettext("person – person")),
    ("person-organisation", lazy_gettext("person – organisation")),
    ("organisation-organisation", lazy_gettext("organisation – organisation")),
]


def _silo_rows(form) -> list[dict]:
    rows = []
    for i in range(MAX_SILOS + SPARE_SILOS):
        if f"silos-{i}-name" not in form:
            break
        rows.append(
            {
                "name": text(form, f"silos-{i}-name"),
                "was": text(form, f"silos-{i}-was"),
                "colour": text(form, f"silos-{i}-colour") or "#888888",
                "label_cy": text(form, f"silos-{i}-label_cy"),
            }
        )
    return rows


def _kind_rows(form) -> list[dict]:
    rows = []
    for i in range(MAX_KINDS + SPARE_KINDS):
        if f"kinds-{i}-name" not in form:
            break
        rows.append(
            {
                "name": text(form, f"kinds-{i}-name"),
                "label": text(form, f"kinds-{i}-label"),
                "label_cy": text(form, f"kinds-{i}-label_cy"),
                "ends": text(form, f"kinds-{i}-ends") or "person-person",
                "directed": bool(form.get(f"kinds-{i}-directed")),
                "affiliation": bool(form.get(f"kinds-{i}-affiliation")),
            }
        )
    return rows


def _changes(form) -> dict:
    """The form as a map change (the API's body): kept rows in their order, renames
    from each silo row's original name."""
    silos = [r for r in _silo_rows(form) if r["name"]]
    kinds = []
    for row in _kind_rows(form):
        if not row["name"]:
            continue
        source, _, target = row["ends"].partition("-")
        kinds.append(
            {
                "name": row["name"],
                "label": row["label"],
                "label_cy": row["label_cy"],
                "source": source,
                "target": target,
                "directed": row["directed"],
                "affiliation": row["affiliation"],
            }
        )
    return {
        "name": text(form, "name"),
        "description": text(form, "description"),
        "default_visibility": text(form, "default_visibility") or "named",
        "silos": [{k: r[k] for k in ("name", "colour", "label_cy")} for r in silos],
        "kinds": kinds,
        "rename_silos": {r["was"]: r["name"] for r in silos if r["was"] and r["was"] != r["name"]},
    }


def _errors(exc: InvalidInput | Conflict) -> dict:
    errors = field_errors(exc)
    # a refused rename is about the silo rows
    if "rename_silos" in errors:
        errors.setdefault("silos", []).extend(errors.pop("rename_silos"))
    return errors


@bp.route("/maps/<map_id>/settings", methods=["GET", "POST"])
def settings(map_id):
    m = store().get_map(map_id)
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        try:
            loaded = schemas.load(schemas.MapPatchSchema, _changes(form))
            m = change_map(map_id, loaded)
        except (InvalidInput, Conflict) as exc:
            errors = _errors(exc)
            status = 409 if isinstance(exc, Conflict) else 422
        else:
            flash(gettext("Settings saved."))
            return redirect(url_for("pages_settings.settings", map_id=map_id))
        values = {k: text(form, k) for k in ("name", "description", "default_visibility")}
        silo_rows, kind_rows = _silo_rows(form), _kind_rows(form)
    else:
        values = {
            "name": m.name,
            "description": m.description,
            "default_visibility": m.default_visibility.value,
        }
        silo_rows = [
            {"name": s.name, "was": s.name, "colour": s.colour, "label_cy": s.label_cy}
            for s in m.silos
        ]
        kind_rows = [
            {
                "name": k.name,
                "label": k.label,
                "label_cy": k.label_cy,
                "ends": k.ends,
                "directed": k.directed,
                "affiliation": k.affiliation,
            }
            for k in m.kinds
        ]
    silo_rows += [{"name": "", "was": "", "colour": "#888888", "label_cy": ""}] * SPARE_SILOS
    kind_rows += [
        {
            "name": "",
            "label": "",
            "label_cy": "",
            "ends": "person-person",
            "directed": False,
            "affiliation": False,
        }
    ] * SPARE_KINDS
    page = render_template(
        "settings.html",
        current_map=store().get_map(map_id) if errors else m,
        values=values,
        silo_rows=silo_rows,
        kind_rows=kind_rows,
        ends=ENDS,
        errors=errors,
        visibility_options=VISIBILITY_LABELS,
    )
    return page, (status if errors else 200)
