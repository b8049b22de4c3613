"""Assemble a graph page: our Jinja template, the drawing's data island and the assets.

The template (``templates/graph.html``) is rendered with autoescape on. The drawing
goes in as JSON with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`json_for_html`).
A served page (``standalone=False``) references the files of
:mod:`visualisations.assets` under ``asset_base`` and has no inline script or style;
a standalone page inlines them, so it works from disk with no network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from visualisations import assets
from visualisations.i18n import (
    browser_strings,
    current_language,
    gettext,
    language_links,
    ngettext,
)
from visualisations.labels import clip

_TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Template variable -> asset file, for the four files every page needs.
_ASSET_FIELDS = {
    "vis_js": assets.VIS_JS,
    "vis_css": assets.VIS_CSS,
    "app_js": assets.APP_JS,
    "app_css": assets.APP_CSS,
}


def json_for_html(obj: object) -> Markup:
    """JSON safe inside a <script> element: no '<', '>', '&', U+2028 or U+2029 left."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(text)  # noqa: S704 - escaped above; never contains '<'


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _inline_assets() -> dict[str, Markup]:
    """The asset texts for a standalone page, keyed by template variable."""
    vis_js, vis_css = assets.inline_assets()
    app_js, app_css = assets.app_assets()
    texts = {"vis_js": vis_js, "vis_css": vis_css, "app_js": app_js, "app_css": app_css}
    # Checked by visualisations.assets: no "</script", "</style" or "<!--" inside.
    return {field: Markup(text) for field, text in texts.items()}  # noqa: S704


def render_page(
    *,
    title: str,
    summary: str,
    view: str,
    data: dict,
    standalone: bool,
    asset_base: str,
    key: list[dict],
    notes: list[str],
    silo_heading: str | None = None,
    silo_filter: bool = True,
    unconnected: list[tuple[str, str]] | None = None,
    unconnected_total: int = 0,
    notice: str | None = None,
    large_silos: list[dict] | None = None,
    empty_message: str | None = None,
    details_note: str | None = None,
) -> str:
    """The HTML page of one drawing.

    ``data`` is the drawing (:func:`visualisations.visdata.vis_data`); ``summary``,
    ``key`` (shape/line legend) and ``notes`` are shown above it; the silo view adds
    the ``unconnected`` pairs (of ``unconnected_total``) and, for a map too large to
    draw, a ``notice`` and the ``large_silos`` to choose from; ``empty_message``
    replaces a drawing with no nodes; ``details_note`` says what the side panels'
    figures cover. Every text is escaped by the template.
    """
    context = {
        "title": clip(title) or gettext("Map"),
        "_": gettext,
        "ngettext": ngettext,
        "lang": current_language(),
        "languages": [] if standalone else list(language_links()),
        "summary": summary,
        "view": view,
        "data_json": json_for_html(
            {**data, "strings": browser_strings(), "panel_note": details_note or ""}
        ),
        "has_panels": any("panel" in node for node in data["nodes"]),
        "standalone": bool(standalone),
        "key": key,
        "notes": notes,
        "silo_heading": silo_heading or gettext("Silos"),
        "silo_filter": silo_filter,
        "unconnected": unconnected,
        "unconnected_total": unconnected_total,
        "notice": notice,
        "large_silos": large_silos,
        "empty_message": empty_message,
        "has_graph": bool(data["nodes"]),
        "aria_label": gettext(
            "%(view)s graph: %(nodes)s nodes, %(ties)s ties",
            view={"map": gettext("map"), "ego": gettext("web"), "silos": gettext("silos")}.get(
                view, view
            ),
            nodes=f"{len(data['nodes']):,}",
            ties=f"{len(data['edges']):,}",
        ),
        "asset_urls": {},
        **dict.fromkeys(_ASSET_FIELDS, ""),
    }
    if standalone:
        context.update(_inline_assets())
    else:
        context["asset_urls"] = {
            field: assets.asset_url(name, asset_base) for field, name in _ASSET_FIELDS.items()
        }
    return _env().get_template("graph.html").render(**context)
