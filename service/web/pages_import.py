"""Import a spreadsheet: upload, see the dry run (what would be created or updated, and
every row error by sheet, row and column), then confirm. Also the blank templates and
the exports (links to the API's file routes, which the browser's session may read).

Between the dry run and the confirmation the file is kept in a private folder under a
random name held in the user's session, removed once used and deleted unused after a
short time (:mod:`service.uploads`); nothing reaches the map before the confirmation.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from graph_models import io as transfer
from graph_models.errors import InvalidInput
from service.i18n import gettext, lazy_gettext
from service.uploads import PendingUploads
from service.usecases import imports
from service.usecases.context import store

bp = Blueprint("pages_import", __name__)

ENTITIES = [
    ("", lazy_gettext("Work it out from the file")),
    ("people", lazy_gettext("People")),
    ("organisations", lazy_gettext("Organisations")),
    ("relationships", lazy_gettext("Relationships")),
]
EXPORTS = [
    ("xlsx", lazy_gettext("Excel workbook")),
    ("csv", lazy_gettext("CSV files (zip)")),
    ("json", lazy_gettext("JSON")),
    ("graphml", lazy_gettext("GraphML (for Gephi, yEd)")),
    ("gexf", lazy_gettext("GEXF (for Gephi)")),
]


def uploads() -> PendingUploads:
    """This app's pending uploads (made on first use from the configuration)."""
    found = current_app.extensions.get("bridgemap.uploads")
    if found is None:
        config = current_app.config
        found = PendingUploads(config["IMPORT_FOLDER"], config["IMPORT_UPLOAD_LIFETIME"])
        current_app.extensions["bridgemap.uploads"] = found
    return found


@bp.before_app_request
def _sweep_uploads() -> None:
    """Abandoned uploads are deleted soon after they expire, whatever page is asked for."""
    uploads().sweep_now_and_then()


def _rows(errors) -> list[dict]:
    """The importer's ``{sheet: {row: {column: [messages]}}}`` as table rows."""
    out = []
    if not isinstance(errors, dict):
        return [{"sheet": "", "row": "", "column": "", "message": str(errors)}]
    for sheet, rows in errors.items():
        if not isinstance(rows, dict):
            for m in rows if isinstance(rows, list) else [rows]:
                out.append({"sheet": "", "row": "", "column": sheet, "message": str(m)})
            continue
        for row, columns in rows.items():
            if not isinstance(columns, dict):
                for m in columns if isinstance(columns, list) else [columns]:
                    out.append({"sheet": sheet, "row": "", "column": row, "message": str(m)})
                continue
            for column, messages in columns.items():
                for m in messages if isinstance(messages, list) else [messages]:
                    out.append({"sheet": sheet, "row": row, "column": column, "message": str(m)})
    return out


def _run(map_id: str, data: bytes, filename: str, entity: str, add_silos: bool, dry_run: bool):
    return imports.import_into(
        map_id,
        io.BytesIO(data),
        filename=filename,
        entity=entity or None,
        dry_run=dry_run,
        add_silos=add_silos,
    )


@bp.route("/maps/<map_id>/import", methods=["GET", "POST"])
def import_page(map_id):
    m = store().get_map(map_id)
    context = dict(
        current_map=m,
        entities=ENTITIES,
        exports=EXPORTS,
        templates=[*transfer.TEMPLATE_NAMES, transfer.WORKBOOK_NAME],
    )
    if request.method == "GET":
        return render_template("import.html", **context)
    form = request.form
    entity = form.get("entity", "") if form.get("entity", "") in dict(ENTITIES) else ""
    add_silos = form.get("add_silos") == "1"
    if form.get("step") == "confirm":
        pending = session.pop("pending_import", None) or {}
        key = form.get("upload", "")
        data = uploads().take(key) if pending.get("key") == key else None
        if data is None:
            flash(gettext("That upload has expired; please choose the file again."), "error")
            return redirect(url_for("pages_import.import_page", map_id=map_id))
        try:
            report = _run(
                map_id,
                data,
                pending["filename"],
                pending["entity"],
                pending["add_silos"],
                dry_run=False,
            )
        except InvalidInput as exc:
            return render_template(
                "import.html", message=exc.message, row_errors=_rows(exc.errors), **context
            ), 422
        flash(
            gettext(
                "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                created=report.total.created,
                updated=report.total.updated,
                unchanged=report.total.unchanged,
            )
        )
        return redirect(url_for("pages_dashboard.dashboard", map_id=map_id))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template(
            "import.html", message=gettext("Choose a file to import."), row_errors=[], **context
        ), 422
    data = upload.read()
    try:
        report = _run(map_id, data, upload.filename, entity, add_silos, dry_run=True)
    except InvalidInput as exc:
        return render_template(
            "import.html",
            message=exc.message,
            row_errors=_rows(exc.errors),
            filename=upload.filename,
            **context,
        ), 422
    key = uploads().keep(data)
    session["pending_import"] = {
        "key": key,
        "filename": upload.filename,
        "entity": entity,
        "add_silos": add_silos,
    }
    return render_template(
        "import.html", report=report, upload_key=key, filename=upload.filename, **context
    )
