"""File import and export: CSV, XLSX, JSON, GraphML and GEXF (pure domain code, no Flask).

* :func:`import_file` — a file into a map: all or nothing, idempotent, with a report
  (:mod:`graph_models.io.importer`; reading and its decisions on encodings, delimiters,
  formulas and merged cells: :mod:`graph_models.io.readers`; columns and header
  matching: :mod:`graph_models.io.columns`; natural keys: :mod:`graph_models.io.rows`).
* :func:`export_map` — a map as a file, consent applied for viewers
  (:mod:`graph_models.io.exporter`).
* :func:`template_csv`, :func:`template_xlsx` — blank templates with example rows.
"""

from graph_models.io.exporter import CONTENT_TYPES, Export, export_map, export_records
from graph_models.io.importer import ImportRejected, ImportReport, import_file, parse_entity
from graph_models.io.readers import FORMATS
from graph_models.io.templates import (
    TEMPLATE_NAMES,
    WELSH_TEMPLATE_NAMES,
    WELSH_WORKBOOK_NAME,
    WORKBOOK_NAME,
    template_csv,
    template_xlsx,
)

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "TEMPLATE_NAMES",
    "WELSH_TEMPLATE_NAMES",
    "WELSH_WORKBOOK_NAME",
    "WORKBOOK_NAME",
    "Export",
    "ImportRejected",
    "ImportReport",
    "export_map",
    "export_records",
    "import_file",
    "parse_entity",
    "template_csv",
    "template_xlsx",
]
