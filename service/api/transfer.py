"""File import and export, and the blank templates (see :mod:`graph_models.io`).

``POST /api/v1/maps/<map>/import`` takes a multipart form: the ``file`` and, as form
fields, ``format`` (detected when omitted), ``entity`` (for a CSV or one-sheet XLSX),
``dry_run`` and ``add_silos``. It answers 200 with the import report; 422 when any row
is invalid (nothing is written; ``errors`` is keyed by sheet, row and column, e.g.
``{"people.csv": {"4": {"Sector": ["must be one of: ..."]}}}``); 413 above
``MAX_CONTENT_LENGTH``.

``GET /api/v1/maps/<map>/export?format=json|csv|xlsx|graphml|gexf`` answers the file
as an attachment. Only coordinators and the operator may export (:mod:`service.policy`);
``viewer=true`` is their way to take away what a viewer may see
(:func:`graph_models.visibility.public_records`: no hidden people, no anonymised people
of small silos, pseudonyms for the others, no contact details or tie notes).
"""

from __future__ import annotations

import io

import marshmallow as ma
from flask import send_file
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from graph_models import io as transfer
from graph_models.errors import NotFound
from service.api.blueprint import Blueprint, StrictParser
from service.i18n import gettext
from service.usecases import imports
from service.usecases.context import secret, store


class UploadParser(StrictParser):
    """The project's parser, plus ``form_and_files``: a multipart form's fields and files
    read by one schema, so the OpenAPI document shows one multipart request body."""

    __location_map__ = {**StrictParser.__location_map__, "form_and_files": "load_form_and_files"}
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **StrictParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "form_and_files": None,  # the schema's own rule: unknown fields are errors
    }

    def load_form_and_files(self, req, schema):
        data = req.form.copy()
        data.update(req.files)
        return self._makeproxy(data, schema)


class UploadBlueprint(Blueprint):
    ARGUMENTS_PARSER = UploadParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "form_and_files": "multipart/form-data",
    }


blp = UploadBlueprint(
    "transfer",
    __name__,
    url_prefix="/api/v1",
    description="Import and export files (CSV, XLSX, JSON, GraphML, GEXF) and templates",
)

_ENTITIES = ["people", "organisations", "relationships", "person", "organisation", "relationship"]


class ImportForm(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    file = Upload(required=True, metadata={"description": "the file to import"})
    format = fields.String(
        validate=validate.OneOf(transfer.FORMATS),
        metadata={"description": "detected from the file name and content when omitted"},
    )
    entity = fields.String(
        validate=validate.OneOf(_ENTITIES),
        metadata={"description": "what a CSV (or one-sheet XLSX) holds; detected if omitted"},
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "validate and report, write nothing"}
    )
    add_silos = fields.Boolean(
        load_default=False,
        metadata={"description": "add unknown silos to the map's vocabulary instead of refusing"},
    )
    mapping = fields.String(
        metadata={
            "description": "a mapping (JSON text, as /import/inspect's guess or the page's "
            "download) for a file not in Bridgemap's own shape: how its columns become "
            "people, organisations and ties. Kept for the map once the import is written; "
            "without one, a refused file is tried with the map's mapping for its shape"
        },
    )


class InspectForm(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    file = Upload(required=True, metadata={"description": "the file to look at"})
    format = fields.String(
        validate=validate.OneOf(transfer.FORMATS),
        metadata={"description": "detected from the file name and content when omitted"},
    )


class ColumnSchema(ma.Schema):
    name = fields.String(metadata={"description": "as written (graph files: @id, @colour...)"})
    samples = fields.List(fields.String())
    distinct = fields.Integer()
    numeric = fields.Boolean()
    guess = fields.String(metadata={"description": "the field Bridgemap guesses it holds"})


class TableSchema(ma.Schema):
    name = fields.String()
    role = fields.String(metadata={"description": "nodes or relationships"})
    rows = fields.Integer(metadata={"description": "rows looked at (at most 5,000)"})
    columns = fields.List(fields.Nested(ColumnSchema))


class InspectionSchema(ma.Schema):
    format = fields.String()
    signature = fields.String(metadata={"description": "the file's shape: its mapping's key"})
    own_shape = fields.Boolean(metadata={"description": "in Bridgemap's own shape: no mapping"})
    tables = fields.List(fields.Nested(TableSchema))
    guess = fields.Dict(allow_none=True, metadata={"description": "a mapping to start from"})
    kind_keys = fields.Dict(metadata={"description": "each tie type (|direction) and count"})
    saved = fields.Dict(
        allow_none=True, metadata={"description": "the map's mapping for this shape, if any"}
    )


class CountsSchema(ma.Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer()


class ImportReportSchema(CountsSchema):
    format = fields.String()
    dry_run = fields.Boolean()
    written = fields.Boolean()
    version = fields.Integer()
    people = fields.Nested(CountsSchema)
    organisations = fields.Nested(CountsSchema)
    relationships = fields.Nested(CountsSchema)
    silos_added = fields.List(fields.String())
    changes = fields.Dict()
    encoding = fields.String(allow_none=True)
    delimiter = fields.String(allow_none=True)
    ignored = fields.Dict()
    mapping = fields.Dict(allow_none=True, metadata={"description": "the mapping used"})
    mapping_source = fields.String(
        allow_none=True, metadata={"description": "given, saved (the map's) or null (none)"}
    )


class ExportArgs(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    format = fields.String(load_default="json", validate=validate.OneOf(transfer.FORMATS))
    viewer = fields.Boolean(
        load_default=False,
        metadata={"description": "apply consent as for a viewer (hidden left out, anonymised)"},
    )


@blp.route("/maps/<map_id>/import", methods=["POST"])
@blp.arguments(ImportForm, location="form_and_files")
@blp.response(200, ImportReportSchema)
def import_file(form, map_id):
    """Import people, organisations and ties from a file: all or nothing, idempotent.

    Rows with ids (or, without, a name: see the natural keys in the docs) update what
    the map holds; the report counts rows created, updated, unchanged and skipped.
    """
    upload = form["file"]
    report = imports.import_into(
        map_id,
        upload.stream,
        filename=upload.filename or "",
        fmt=form.get("format"),
        entity=form.get("entity"),
        dry_run=form["dry_run"],
        add_silos=form["add_silos"],
        mapping=form.get("mapping") or None,
    )
    return report.as_dict()


@blp.route("/maps/<map_id>/import/inspect", methods=["POST"])
@blp.arguments(InspectForm, location="form_and_files")
@blp.response(200, InspectionSchema)
def inspect_file(form, map_id):
    """The mapping step's first look: a file's tables and columns, sample values, what
    Bridgemap guesses each holds, a whole guessed mapping, and the map's saved mapping
    for a file of this shape. Nothing is written; send a mapping to ``/import``."""
    upload = form["file"]
    return imports.inspect(
        map_id, upload.stream, filename=upload.filename or "", fmt=form.get("format")
    )


@blp.route("/maps/<map_id>/export", methods=["GET"])
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="the file, as an attachment")
def export_file(args, map_id):
    """Export the whole map as JSON, CSV (zip), XLSX, GraphML or GEXF."""
    result = transfer.export_map(
        store(), map_id, args["format"], viewer=args["viewer"], secret=secret()
    )
    return _attachment(result.data, result.content_type, result.filename)


@blp.route("/templates/<name>", methods=["GET"])
@blp.response(200, description="a blank template with example rows")
def template(name):
    """Import templates: ``people.csv``, ``organisations.csv``, ``relationships.csv``
    or ``bridgemap-template.xlsx`` (all three sheets, and notes on every column); in
    Welsh (headings in Welsh, importing as the English ones do): ``pobl.csv``,
    ``sefydliadau.csv``, ``perthnasoedd.csv`` or ``templed-bridgemap.xlsx``."""
    xlsx = transfer.CONTENT_TYPES["xlsx"]
    if name == transfer.WORKBOOK_NAME:
        return _attachment(transfer.template_xlsx(), xlsx, name)
    if name == transfer.WELSH_WORKBOOK_NAME:
        return _attachment(transfer.template_xlsx("cy"), xlsx, name)
    language = "cy" if name in transfer.WELSH_TEMPLATE_NAMES else "en"
    etype = transfer.TEMPLATE_NAMES.get(name) or transfer.WELSH_TEMPLATE_NAMES.get(name)
    if etype is None:
        choices = ", ".join(
            [
                *transfer.TEMPLATE_NAMES,
                transfer.WORKBOOK_NAME,
                *transfer.WELSH_TEMPLATE_NAMES,
                transfer.WELSH_WORKBOOK_NAME,
            ]
        )
        raise NotFound(
            gettext(
                "no template %(name)s; there are: %(choices)s", name=repr(name), choices=choices
            )
        )
    return _attachment(transfer.template_csv(etype, language), "text/csv; charset=utf-8", name)


def _attachment(data: bytes, content_type: str, filename: str):
    response = send_file(
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
