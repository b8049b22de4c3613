"""axe-core (from npm) for the accessibility tests: found in a cache folder, injected
only into the test browser.

``bash scripts/test`` installs axe-core with npm into ``.cache/npm`` (see
:data:`AXE_VERSION`); ``BRIDGEMAP_AXE`` may point at another ``axe.min.js``. The pages'
CSP forbids injected scripts, so the test browser's context is opened with Playwright's
``bypass_csp``: axe never reaches a real user's browser. Missing axe skips the tests,
except with ``CI=true`` where it fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import in_ci

AXE_VERSION = "4.10.3"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA: the UK public sector's standard.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_path() -> Path:
    """The axe.min.js to inject; skips (or, in CI, fails) the test when it is missing."""
    path = Path(os.environ.get("BRIDGEMAP_AXE") or DEFAULT_AXE)
    if path.is_file():
        return path
    message = (
        f"axe-core not found at {path}: install it with "
        f"npm install --prefix .cache/npm axe-core@{AXE_VERSION} (bash scripts/test does)"
    )
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def run_axe(page, frames: list | None = None) -> list[dict]:
    """axe's WCAG 2.2 AA violations on ``page`` (and inside each frame of ``frames``,
    e.g. the graph's iframe), as ``{"id", "help", "targets"}``."""
    path = str(axe_path())
    for frame in frames or []:
        frame.add_script_tag(path=path)
    page.add_script_tag(path=path)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: true})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]][:8],
        }
        for v in result["violations"]
    ]
