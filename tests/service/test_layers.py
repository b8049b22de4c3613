"""The service's layers: API routes and web pages are adapters over the service layer
(service.usecases) and never import each other; the domain knows nothing of Flask."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def _offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for path in _modules(package):
        bad = sorted(m for m in _imports(path) if m.startswith(forbidden))
        if bad:
            out[str(path.relative_to(ROOT))] = bad
    return out


def test_web_pages_do_not_import_the_api():
    assert _offenders("service.web", ("service.api",)) == {}


def test_the_api_does_not_import_the_web_pages():
    assert _offenders("service.api", ("service.web",)) == {}


def test_the_service_layer_imports_neither_adapter():
    assert _offenders("service.usecases", ("service.api", "service.web")) == {}


def test_the_domain_and_the_views_know_nothing_of_flask():
    for package in ("graph_models", "visualisations"):
        assert _offenders(package, ("flask", "service", "werkzeug")) == {}


def test_the_checks_see_imports_at_all():
    """The walk finds real imports (a check that cannot fail proves nothing)."""
    assert "service.usecases.reports.cached_report" in _imports(
        ROOT / "service" / "web" / "pages_dashboard.py"
    )
