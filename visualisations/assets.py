"""The static files our graph pages need, served from our own origin or inlined.

pyvis 0.3.2 ships vis-network 9.1.2 (``pyvis/templates/lib/vis-9.1.2``) but its own
template still loads it from a CDN. We take the files from the installed pyvis package
instead, so a page never asks another host for anything:

* the **served** page references every file below from one URL prefix
  (``asset_base``, by default :data:`DEFAULT_ASSET_BASE` = ``/static/vis``): the Flask
  app maps ``<asset_base>/<name>`` to :func:`asset_path` ``(name)``;
* the **standalone** download inlines the same files (:func:`inline_assets`,
  :func:`app_assets`), so it works from disk with no network.

============================  ==============================================
name (URL ``<asset_base>/…``)  what
============================  ==============================================
``vis-network.min.js``        vis-network 9.1.2, from the pyvis package
``vis-network.css``           its stylesheet (tooltips), from the pyvis package
``bridgemap-graph.js``        our page script (``visualisations/static``)
``bridgemap-graph.css``       our page styles (``visualisations/static``)
============================  ==============================================

This module imports neither Flask nor pyvis (only locates pyvis's files).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path

VIS_VERSION = "9.1.2"
DEFAULT_ASSET_BASE = "/static/vis"

VIS_JS = "vis-network.min.js"
VIS_CSS = "vis-network.css"
APP_JS = "bridgemap-graph.js"
APP_CSS = "bridgemap-graph.css"

#: Every file a served graph page loads, in the order the page loads them.
ASSET_NAMES: tuple[str, ...] = (VIS_CSS, APP_CSS, VIS_JS, APP_JS)

MIMETYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Text that would end an inline <script>/<style> element early, or switch the HTML
# tokenizer into its "escaped" script state.
_UNSAFE_INLINE = re.compile(r"</script|</style|<!--", re.IGNORECASE)


class AssetError(RuntimeError):
    """The vis-network files cannot be found (pyvis missing or a different version)."""


def pyvis_vis_dir() -> Path:
    """The folder holding the vis-network files shipped inside the installed pyvis."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise AssetError("pyvis is not installed: cannot locate vis-network")
    for location in spec.submodule_search_locations:
        folder = Path(location) / "templates" / "lib" / f"vis-{VIS_VERSION}"
        if (folder / VIS_JS).is_file() and (folder / VIS_CSS).is_file():
            return folder
    raise AssetError(f"pyvis does not ship vis-network {VIS_VERSION} (expected pyvis 0.3.2)")


@lru_cache(maxsize=1)
def static_files() -> dict[str, Path]:
    """Map each servable file name to its absolute path (for a Flask static route).

    Only these names may be served; anything else under ``asset_base`` is a 404.
    """
    vis_dir = pyvis_vis_dir()
    files = {
        VIS_JS: vis_dir / VIS_JS,
        VIS_CSS: vis_dir / VIS_CSS,
        APP_JS: STATIC_DIR / APP_JS,
        APP_CSS: STATIC_DIR / APP_CSS,
    }
    for name, path in files.items():
        if not path.is_file():
            raise AssetError(f"missing asset {name}: {path}")
    return files


def asset_path(name: str) -> Path | None:
    """The file to send for ``<asset_base>/<name>``, or None (send 404) if not ours."""
    return static_files().get(name)


def asset_mimetype(name: str) -> str:
    """Content type to serve ``name`` with."""
    return MIMETYPES.get(Path(name).suffix, "application/octet-stream")


@cache
def _read(name: str) -> str:
    return static_files()[name].read_text(encoding="utf-8")


@cache
def asset_version(name: str) -> str:
    """Short content hash of an asset, appended as ``?v=`` so browsers may cache forever."""
    return hashlib.sha256(static_files()[name].read_bytes()).hexdigest()[:12]


def asset_url(name: str, asset_base: str = DEFAULT_ASSET_BASE) -> str:
    """URL of an asset under ``asset_base`` with a cache-busting version query."""
    if name not in static_files():
        raise AssetError(f"unknown asset {name!r}")
    return f"{asset_base.rstrip('/')}/{name}?v={asset_version(name)}"


def _checked_inline(name: str) -> str:
    text = _read(name)
    if _UNSAFE_INLINE.search(text):
        raise AssetError(f"{name} contains text that cannot be inlined in HTML safely")
    return text


@lru_cache(maxsize=1)
def inline_assets() -> tuple[str, str]:
    """``(js_text, css_text)`` of vis-network, checked safe to inline in <script>/<style>."""
    return _checked_inline(VIS_JS), _checked_inline(VIS_CSS)


@lru_cache(maxsize=1)
def app_assets() -> tuple[str, str]:
    """``(js_text, css_text)`` of our own page script and styles, checked safe to inline."""
    return _checked_inline(APP_JS), _checked_inline(APP_CSS)
