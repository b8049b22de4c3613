"""Headless Chromium for browser tests and benchmarks (Debian's chromium, via Playwright).

Playwright cannot download its own browsers here, so we launch the system chromium
(``apt-get install chromium``) with :data:`CHROMIUM_ARGS`.

* :func:`launch_chromium` starts it or raises :class:`BrowserUnavailable`: it never
  skips, so benchmarks and CI fail loudly.
* :func:`chromium_or_skip` is for tests: with ``CI=true`` in the environment a missing
  or broken browser is an error; locally the test is skipped with the reason.
* :func:`browser_session` is the session-scoped pytest fixture (one browser per run);
  import it into a ``conftest.py`` to use it as the ``browser`` fixture.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class BrowserUnavailable(RuntimeError):
    """Chromium is missing or could not start."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def chromium_path() -> str:
    """The chromium executable: $BRIDGEMAP_CHROMIUM, else Debian's, else on PATH."""
    configured = os.environ.get("BRIDGEMAP_CHROMIUM")
    candidates = [configured] if configured else list(CHROMIUM_CANDIDATES)
    for path in candidates:
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return path
    found = None if configured else (shutil.which("chromium") or shutil.which("chromium-browser"))
    if found:
        return found
    raise BrowserUnavailable(
        f"chromium not found (looked for {', '.join(c for c in candidates if c)}); "
        "install it with: apt-get update && apt-get install -y chromium"
    )


def launch_chromium(playwright, **kwargs):
    """Launch headless chromium with our flags; raise BrowserUnavailable if it cannot start."""
    path = chromium_path()
    try:
        return playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True, **kwargs
        )
    except Exception as exc:  # playwright raises its own Error types
        raise BrowserUnavailable(f"chromium at {path} failed to start: {exc}") from exc


def chromium_or_skip(playwright):
    """Like launch_chromium, but outside CI a missing browser skips the test instead."""
    try:
        return launch_chromium(playwright)
    except BrowserUnavailable as exc:
        if in_ci():
            raise
        pytest.skip(f"headless Chromium unavailable (set CI=true to make this an error): {exc}")


@pytest.fixture(scope="session")
def browser_session() -> Iterator:
    """One chromium for the whole test session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        if in_ci():
            raise
        pytest.skip(f"playwright is not installed: {exc}")
    with sync_playwright() as playwright:
        browser = chromium_or_skip(playwright)
        try:
            yield browser
        finally:
            browser.close()


def artifact_path(name: str) -> Path:
    """A path under test-artifacts/ (git-ignored), creating the folder."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
