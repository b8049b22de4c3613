"""Import a file: upload, map its columns (when it is not in Bridgemap's own shape), see
the dry run (what would be created or updated; or the problems, summarised by cause),
then confirm. Also the blank templates and the exports (links to the API's file routes,
which the browser's session may read).

Steps (the form's ``step``):

* ``check`` — the upload. A file in Bridgemap's own shape, or one the map has a saved
  mapping for (:mod:`graph_models.io.saved`), goes straight to the dry run; any other
  file goes to the mapping step, prefilled with Bridgemap's guesses
  (:mod:`graph_models.io.inspect`).
* ``map`` — the mapping form sent: the mapping is built from it, validated, and the
  dry run shown (or the form again, with what is wrong and the values left unmapped).
* ``confirm`` — the import, with the mapping of the dry run; the map keeps it.

Between the steps the file (and the mapping, and the last errors) are kept in a private
folder under random names held in the user's session, removed once used and deleted
unused after a short time (:mod:`service.uploads`); nothing reaches the map before the
confirmation. The page offers the mapping of the dry run as JSON (for the API or
``bridgemap import --mapping``) and every error as CSV.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import PurePath

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from graph_models import io as transfer
from graph_models.errors import InvalidInput, NotFound
from graph_models.io import mapping as mp
from graph_models.io import raw
from graph_models.io.error_summary import errors_csv, summarise
from graph_models.io.inspect import inspect_raw, value_lists
from service.i18n import gettext, lazy_gettext, translate
from service.uploads import PendingUploads
from service.usecases import imports
from service.usecases.context import store
from service.web.labels import kind_with_ends

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
#: What a column may become, in the mapping step's words.
NODE_TARGETS = {
    "name": lazy_gettext("Name"),
    "id": lazy_gettext("Id (stable key)"),
    "type": lazy_gettext("Type: person or organisation"),
    "silo": lazy_gettext("Silo"),
    "role": lazy_gettext("Role (people)"),
    "area": lazy_gettext("Area"),
    "contact": lazy_gettext("Contact (people)"),
    "visibility": lazy_gettext("Consent: named, anonymised or hidden"),
    "org_kind": lazy_gettext("Kind of organisation"),
    "tags": lazy_gettext("Tags (split)"),
    "tag": lazy_gettext("Keep as a tag column:value"),
    "colour": lazy_gettext("Colour of the silo"),
    "ignore": lazy_gettext("Ignore"),
}
TIE_TARGETS = {
    "source": lazy_gettext("From (name or id)"),
    "target": lazy_gettext("To (name or id)"),
    "kind": lazy_gettext("Type of tie"),
    "direction": lazy_gettext("Direction"),
    "weight": lazy_gettext("Weight (rescaled to strength 1-5)"),
    "strength": lazy_gettext("Strength 1-5"),
    "since": lazy_gettext("Since (date)"),
    "until": lazy_gettext("Until (date)"),
    "notes": lazy_gettext("Notes"),
    "evidence": lazy_gettext("Evidence"),
    "note": lazy_gettext("Keep in the notes"),
    "id": lazy_gettext("Id (stable key)"),
    "ignore": lazy_gettext("Ignore"),
}
NODE_TYPES = {
    "person": lazy_gettext("Person"),
    "organisation": lazy_gettext("Organisation"),
    "skip": lazy_gettext("Leave out"),
}
STRENGTH_RULES = {
    "linear": lazy_gettext(
        "Rescale: the smallest weight becomes 1, the largest 5, in between in proportion"
    ),
    "as_is": lazy_gettext("Already 1 to 5: keep as it is"),
}
SEPARATORS = {";": "; ", "|": "| ", ",": ", "}
#: silo value lists longer than this are not offered for naming (names as they are)
NAMED_SILOS = 50
#: A mapping's fields, as the mapping step names them (its errors are keyed by these).
MAPPING_FIELDS = {
    "nodes.type.default": lazy_gettext("Type when the file does not say"),
    "nodes.type.values": lazy_gettext("What each type in the file is"),
    "nodes.silo.default": lazy_gettext("Silo when the file does not say"),
    "nodes.silo.values": lazy_gettext("Name each silo"),
    "nodes.columns": lazy_gettext("People and organisations"),
    "nodes.sheet": lazy_gettext("People and organisations"),
    "relationships.kind.default": lazy_gettext("Kind of tie when the file does not say"),
    "relationships.kind.values": lazy_gettext("What each type of tie in the file is"),
    "relationships.columns": lazy_gettext("Ties"),
    "relationships.sheet": lazy_gettext("Ties"),
}


def field_label(name: str) -> str:
    """A mapping's field (or a file's column) as the page names it."""
    if name in MAPPING_FIELDS:
        return str(MAPPING_FIELDS[name])
    for part in ("nodes.columns.", "relationships.columns."):
        if name.startswith(part):
            return gettext("column %(column)s", column=name[len(part) :])
    return name


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


def _context(m) -> dict:
    return dict(
        current_map=m,
        entities=ENTITIES,
        exports=EXPORTS,
        templates=[*transfer.TEMPLATE_NAMES, transfer.WORKBOOK_NAME],
        welsh_templates=[*transfer.WELSH_TEMPLATE_NAMES, transfer.WELSH_WORKBOOK_NAME],
    )


def _run(map_id: str, data: bytes, pending: dict, dry_run: bool, mapping=None):
    return imports.import_into(
        map_id,
        io.BytesIO(data),
        filename=pending["filename"],
        entity=pending.get("entity") or None,
        dry_run=dry_run,
        add_silos=pending.get("add_silos", False),
        mapping=mapping,
    )


def _keep_errors(exc: InvalidInput) -> None:
    """Every error, as CSV, for the download link (replacing the last ones)."""
    old = session.pop("import_errors", None)
    if old:
        uploads().take(old)
    session["import_errors"] = uploads().keep(errors_csv(exc.errors, translate))


def _refused(context: dict, exc: InvalidInput, **extra):
    """The page with what is wrong: causes with counts, 20 examples each, and the CSV."""
    _keep_errors(exc)
    causes = summarise(exc.errors, getattr(exc, "node_sheets", frozenset()), field_label)
    page = render_template("import.html", message=exc.message, causes=causes, **context, **extra)
    return page, 422


@bp.route("/maps/<map_id>/import", methods=["GET", "POST"])
def import_page(map_id):
    m = store().get_map(map_id)
    context = _context(m)
    if request.method == "GET":
        return render_template("import.html", **context)
    step = request.form.get("step")
    if step == "confirm":
        return _confirm(map_id, context)
    if step == "map":
        return _mapped(map_id, context)
    return _upload(map_id, context)


def _upload(map_id: str, context: dict):
    form = request.form
    entity = form.get("entity", "") if form.get("entity", "") in dict(ENTITIES) else ""
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        return render_template(
            "import.html", message=gettext("Choose a file to import."), **context
        ), 422
    filename, data = _one_file(files)
    pending = {
        "filename": filename,
        "entity": entity,
        "add_silos": form.get("add_silos") == "1",
    }
    try:
        report = _run(map_id, data, pending, dry_run=True)
    except InvalidInput as exc:
        inspection = _inspect(data, pending["filename"])
        if inspection is None or inspection.own_shape:
            return _refused(context, exc, filename=filename)
        _remember(pending, data)
        return _mapping_page(context, pending, data, inspection.guess, inspection)
    _remember(pending, data, report.mapping)
    return _check_page(context, pending, report)


def _one_file(files) -> tuple[str, bytes]:
    """The upload as one file: several CSV files (Kumu's elements and connections) are
    put in one zip, which the importer reads as one file of several sheets."""
    if len(files) == 1:
        return files[0].filename, files[0].read()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.writestr(PurePath(f.filename).name, f.read())
    return " + ".join(PurePath(f.filename).name for f in files), out.getvalue()


def _inspect(data: bytes, filename: str):
    try:
        with raw.read(io.BytesIO(data), filename=filename) as found:
            return None if found.own_json else inspect_raw(found)
    except InvalidInput:
        return None


def _remember(pending: dict, data: bytes, mapping: dict | None = None) -> None:
    """Keep the file (and the mapping) for the next step; forget earlier ones."""
    old = session.pop("pending_import", None) or {}
    for key in (old.get("key"), old.get("mapping_key")):
        if key:
            uploads().take(key)
    pending = {**pending, "key": uploads().keep(data), "mapping_key": None}
    if mapping is not None:
        pending["mapping_key"] = uploads().keep(mp.dumps(mapping).encode())
    session["pending_import"] = pending


def _pending_file():
    pending = session.get("pending_import") or {}
    key = request.form.get("upload", "")
    data = uploads().peek(key) if key and pending.get("key") == key else None
    return pending, data


def _expired(map_id: str):
    flash(gettext("That upload has expired; please choose the file again."), "error")
    return redirect(url_for("pages_import.import_page", map_id=map_id))


def _mapped(map_id: str, context: dict):
    pending, data = _pending_file()
    if data is None:
        return _expired(map_id)
    inspection = _inspect(data, pending["filename"])
    if inspection is None:
        return _expired(map_id)
    mapping = mapping_from_form(request.form, inspection)
    try:
        report = _run(map_id, data, pending, dry_run=True, mapping=mapping)
    except InvalidInput as exc:
        _keep_errors(exc)
        causes = summarise(exc.errors, getattr(exc, "node_sheets", frozenset()), field_label)
        return _mapping_page(
            context, pending, data, mapping, inspection, message=exc.message, causes=causes
        ), 422
    _remember(pending, data, report.mapping)
    return _check_page(context, pending, report)


def _check_page(context: dict, pending: dict, report):
    pending = session["pending_import"]
    return render_template(
        "import.html",
        report=report,
        upload_key=pending["key"],
        filename=pending["filename"],
        **context,
    )


def _confirm(map_id: str, context: dict):
    pending = session.pop("pending_import", None) or {}
    key = request.form.get("upload", "")
    data = uploads().take(key) if key and pending.get("key") == key else None
    mapping_key = pending.get("mapping_key")
    mapping = uploads().take(mapping_key) if mapping_key else None
    if data is None:
        return _expired(map_id)
    try:
        report = _run(map_id, data, pending, dry_run=False, mapping=mapping)
    except InvalidInput as exc:
        return _refused(context, exc, filename=pending.get("filename"))
    flash(
        gettext(
            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=report.total.created,
            updated=report.total.updated,
            unchanged=report.total.unchanged,
        )
    )
    return redirect(url_for("pages_dashboard.dashboard", map_id=map_id))


@bp.route("/maps/<map_id>/import/mapping.json", methods=["GET"])
def mapping_download(map_id):
    """The mapping of the dry run on the page, as JSON (for the API or the CLI)."""
    store().get_map(map_id)
    key = (session.get("pending_import") or {}).get("mapping_key")
    data = uploads().peek(key) if key else None
    if data is None:
        raise NotFound(gettext("no mapping to download: check a file first"))
    return _download(data, "application/json", "bridgemap-mapping.json")


@bp.route("/maps/<map_id>/import/errors.csv", methods=["GET"])
def errors_download(map_id):
    """Every error of the last refused file, as CSV (up to 10,000 rows with problems)."""
    store().get_map(map_id)
    key = session.get("import_errors")
    data = uploads().peek(key) if key else None
    if data is None:
        raise NotFound(gettext("no errors to download: check a file first"))
    return _download(data, "text/csv; charset=utf-8", "import-errors.csv")


def _download(data: bytes, content_type: str, filename: str) -> Response:
    response = Response(data, mimetype=content_type.split(";")[0])
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# -- the mapping form ----------------------------------------------------------------------


def _mapping_page(context, pending, data, mapping, inspection, **extra):
    """The mapping step: every column with samples and a choice, then the defaults and
    the value lists (type, silo, kind) for the columns chosen."""
    session_pending = session["pending_import"]
    with raw.read(io.BytesIO(data), filename=pending["filename"]) as found:
        try:
            values = value_lists(found, mapping)
        except InvalidInput:
            values = {"type": [], "silo": [], "kind": []}
    nodes = (mapping or {}).get("nodes") or {}
    ties = (mapping or {}).get("relationships") or {}
    tables = {t.role: t for t in inspection.tables}
    return render_template(
        "import.html",
        mapping_step=True,
        upload_key=session_pending["key"],
        filename=pending["filename"],
        nodes_table=_table_for(inspection, nodes, raw.NODES, tables),
        ties_table=_table_for(inspection, ties, raw.TIES, tables),
        nodes=nodes,
        ties=ties,
        values=values,
        named_silos=len(values["silo"]) <= NAMED_SILOS,
        node_targets=NODE_TARGETS,
        tie_targets=TIE_TARGETS,
        node_types=NODE_TYPES,
        kinds=[
            (k, kind_with_ends(k, context["current_map"]))
            for k in context["current_map"].kind_names()
        ],
        strength_rules=STRENGTH_RULES,
        separators=SEPARATORS,
        mapping_json=mp.dumps(mapping or {}),
        **context,
        **extra,
    )


def _table_for(inspection, section: dict, role: str, tables: dict):
    name = section.get("sheet")
    for t in inspection.tables:
        if name and t.name == name:
            return t
    return tables.get(role)


def mapping_from_form(form, inspection) -> dict:
    """The mapping the form describes (validated later by the importer).

    Columns are sent by position (``n_col_3``), as column names may hold any character;
    value lists as pairs (``n_type_k_0`` the file's value, ``n_type_v_0`` its meaning).
    """
    tables = {t.role: t for t in inspection.tables}
    out: dict = {"version": mp.VERSION, "add_silos": True, "format": inspection.format}
    for prefix, part, role in (("n", "nodes", raw.NODES), ("t", "relationships", raw.TIES)):
        sheet = form.get(f"{prefix}_sheet") or None
        table = next((t for t in inspection.tables if t.name == sheet), None) or tables.get(role)
        if table is None:
            continue
        columns = {}
        for i, column in enumerate(table.columns):
            target = form.get(f"{prefix}_col_{i}")
            if target:
                columns[column.name] = target
        out[part] = {"columns": columns}
        if sheet:
            out[part]["sheet"] = sheet
    nodes = out.get("nodes")
    if nodes is None and "relationships" in out:
        nodes = out["nodes"] = {"columns": {}}
    if nodes is not None:
        nodes["type"] = _values(form, "n_type")
        nodes["silo"] = _values(form, "n_silo")
        colours = form.get("n_silo_colours")
        if colours:
            with contextlib.suppress(ValueError):  # a tampered field: no colours
                nodes["silo"]["colours"] = json.loads(colours)
        nodes["tag_separator"] = form.get("n_tag_separator") or ";"
    ties = out.get("relationships")
    if ties is not None:
        ties["kind"] = _values(form, "t_kind")
        ties["strength"] = form.get("t_strength") or "linear"
    return out


def _values(form, prefix: str) -> dict:
    section: dict = {}
    default = (form.get(f"{prefix}_default") or "").strip()
    if default:
        section["default"] = default
    values = {}
    i = 0
    while f"{prefix}_k_{i}" in form:
        chosen = (form.get(f"{prefix}_v_{i}") or "").strip()
        if chosen:
            values[form[f"{prefix}_k_{i}"]] = chosen
        i += 1
    if values:
        section["values"] = values
    return section
