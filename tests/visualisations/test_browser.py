"""The rendered pages in real headless Chromium (Debian's chromium via Playwright).

One browser per session (tests/browser.py). Pages are written to a temp folder and
opened from file:// or from a localhost server that serves our assets under
/static/vis with a Content-Security-Policy, as the Flask app will. With CI=true a
missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import pytest

from tests.browser import artifact_path
from tests.visualisations.conftest import STRICT_CSP
from tests.visualisations.pagetools import (
    canvas_stats,
    external,
    hover_tooltip,
    open_page,
    png_stats,
)
from tests.visualisations.synthetic import (
    SILO_COLOURS,
    XSS_PAYLOADS,
    privacy_map,
    sbm_map,
    xss_map,
)
from visualisations.render import render_ego, render_map, render_silos, structural_highlight

pytestmark = pytest.mark.browser

INJECTED = """() => ({
  dangerous: document.querySelectorAll(
      'img, svg, iframe, object, embed, a[href], form[action]').length,
  handlers: [...document.querySelectorAll('*')].filter(
      el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
  scripts: document.scripts.length,
  pwned: window.__pwned === true,
  title: document.querySelector('h1').textContent,
  error: window.bridgemapError || null,
})"""


def _drawn(session) -> dict:
    stats = canvas_stats(session.page)
    assert stats is not None, "no canvas"
    assert stats["colours"] >= 5 and stats["ink"] > 0.01, stats
    return stats


@pytest.fixture(scope="module")
def xss_pages(tmp_path_factory):
    G, vocabulary = xss_map()
    folder = tmp_path_factory.mktemp("xss")
    pages = {
        "map": render_map(
            G,
            silo_colours=vocabulary,
            title=XSS_PAYLOADS[1],
            metric_name=XSS_PAYLOADS[0],
            standalone=True,
        ),
        "ego": render_ego(G, "p0", hops=2, silo_colours=vocabulary, standalone=True),
        "silos": render_silos(G, silo_colours=vocabulary, title=XSS_PAYLOADS[0], standalone=True),
    }
    paths = {}
    for name, html in pages.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(html, encoding="utf-8")
    return paths


@pytest.mark.parametrize("view", ["map", "ego", "silos"])
def test_xss_payloads_do_not_execute(browser, xss_pages, view):
    session = open_page(browser, xss_pages[view].as_uri())
    try:
        page = session.page
        found = page.evaluate(INJECTED)
        assert session.dialogs == []
        assert found["dangerous"] == 0 and found["handlers"] == 0 and not found["pwned"]
        assert found["scripts"] == 3
        assert found["error"] is None
        assert found["title"] in (XSS_PAYLOADS[1], XSS_PAYLOADS[0], "Map", "Silos") or (
            found["title"].endswith("ties within 2 hops")
        )
        assert not [e for e in session.errors if "alert" in e]
        _drawn(session)
        # the payload silo names are in the legend as text
        legend = page.locator("#bridgemap-silos").inner_text()
        assert XSS_PAYLOADS[0] in legend
        if view != "silos":
            data = page.evaluate("window.bridgemap.data.nodes.map(n => n.label)")
            target = data.index(XSS_PAYLOADS[0])
            tip = hover_tooltip(page, target)
            assert set(tip["tags"]) <= {"BR"}
            assert tip["text"].startswith(XSS_PAYLOADS[0])
            page.mouse.move(5, 5)
        assert session.dialogs == []
        assert page.evaluate(INJECTED)["dangerous"] == 0
    finally:
        session.close()


def test_served_page_offline_under_strict_csp(browser, page_server):
    """Served mode: assets from our origin only, no inline code needed, nothing external."""
    G = sbm_map(300)
    html = render_map(
        G, silo_colours=SILO_COLOURS, highlight=structural_highlight(G), asset_base="/static/vis"
    )
    page_server.publish("map.html", html)
    session = open_page(
        browser, f"{page_server.origin}/strict/map.html", allowed_origin=page_server.origin
    )
    try:
        page = session.page
        assert page.evaluate("window.bridgemapError || null") is None
        assert page.evaluate("window.__csp") == [], STRICT_CSP
        assert external(session, page_server.origin) == []
        assert session.blocked == []
        assert not [e for e in session.errors if "Refused" in e or "pageerror" in e]
        assert page.evaluate("window.bridgemap.visibleCounts()") == {
            "nodes": 300,
            "edges": G.number_of_edges(),
        }
        _drawn(session)
    finally:
        session.close()


def test_standalone_file_works_with_network_blocked(browser, tmp_path):
    G = sbm_map(400)
    path = tmp_path / "download.html"
    path.write_text(render_map(G, silo_colours=SILO_COLOURS, standalone=True), encoding="utf-8")
    session = open_page(browser, path.as_uri(), offline=True)
    try:
        assert session.page.evaluate("window.bridgemapError || null") is None
        assert external(session) == [] and session.blocked == []
        assert [u for u in session.requests if u != path.as_uri()] == []
        _drawn(session)
    finally:
        session.close()


def test_pyvis_default_page_would_have_gone_to_cdns(browser, tmp_path):
    """Control for the offline test: the blocker really catches external requests."""
    (tmp_path / "cdn.html").write_text(
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/vis-network/9.1.2/dist/'
        'vis-network.min.js"></script><script>window.bridgemapReady = true</script>'
    )
    session = open_page(browser, (tmp_path / "cdn.html").as_uri())
    try:
        assert session.blocked and "cdnjs" in session.blocked[0]
    finally:
        session.close()


def test_legend_and_filters(browser, tmp_path):
    G = sbm_map(300, silos=4)
    path = tmp_path / "filters.html"
    path.write_text(render_map(G, silo_colours=SILO_COLOURS, standalone=True), encoding="utf-8")
    session = open_page(browser, path.as_uri())
    try:
        page = session.page
        counts = lambda: page.evaluate("window.bridgemap.visibleCounts()")  # noqa: E731
        total = counts()
        assert total == {"nodes": 300, "edges": G.number_of_edges()}
        rows = page.locator("#bridgemap-silos .bm-row")
        assert rows.count() == 4
        assert rows.nth(2).inner_text().split() == ["housing", "75"]
        swatch = page.evaluate(
            "getComputedStyle(document.querySelectorAll('#bridgemap-silos .bm-swatch')[2])"
            ".backgroundColor"
        )
        assert swatch == "rgb(17, 119, 51)"  # housing's vocabulary colour (#117733)

        housing = sum(1 for _, a in G.nodes(data=True) if a["silo"] == "housing")
        housing_edges = sum(
            1 for u, v in G.edges() if "housing" in (G.nodes[u]["silo"], G.nodes[v]["silo"])
        )
        page.locator("#bridgemap-silos input[value='housing']").uncheck()
        assert counts() == {"nodes": 300 - housing, "edges": total["edges"] - housing_edges}
        assert "Showing 225 of 300" in page.locator("#bridgemap-visible").inner_text()
        page.locator("#bridgemap-silos [data-action=none]").click()
        assert counts() == {"nodes": 0, "edges": 0}
        page.locator("#bridgemap-silos [data-action=all]").click()
        assert counts() == total

        knows_only = sum(1 for *_, d in G.edges(data=True) if d["kinds"] == ["knows"])
        page.locator("#bridgemap-kinds input[value='knows']").uncheck()
        assert counts() == {"nodes": 300, "edges": total["edges"] - knows_only}
        page.locator("#bridgemap-kinds input[value='knows']").check()
        assert counts() == total
        assert session.dialogs == [] and not session.errors
    finally:
        session.close()


def test_hidden_and_anonymised_absent_from_live_page(browser, tmp_path):
    path = tmp_path / "privacy.html"
    path.write_text(render_map(privacy_map(), standalone=True), encoding="utf-8")
    session = open_page(browser, path.as_uri())
    try:
        page = session.page
        source = page.content()
        for secret in ("Harriet", "Informant", "Anna Anonymous", "Tenancy", "Amir", "Warden"):
            assert secret not in source
        labels = page.evaluate("window.bridgemap.nodes.get().map(n => n.label).sort()")
        assert labels == [
            "Nora Named",
            "Northside Homes",
            "Riverside Surgery",
            "a person in housing",
            "a person in housing",
        ]
        anna = labels.index("a person in housing")
        ids = page.evaluate(
            "window.bridgemap.nodes.get().filter(n => n.label === 'a person in housing')"
            ".map(n => n.id)"
        )
        tip = hover_tooltip(page, ids[0])
        assert set(tip["tags"]) <= {"BR"}
        assert tip["text"].startswith("a person in housing") and "role" not in tip["text"]
        assert anna >= 0
    finally:
        session.close()


@pytest.mark.slow
def test_whole_map_screenshot_is_not_blank(browser, tmp_path):
    G = sbm_map(2000)
    html = render_map(
        G,
        silo_colours=SILO_COLOURS,
        highlight=structural_highlight(G),
        metric_name="degree",
        title="Synthetic partnership (2,000)",
        standalone=True,
    )
    path = tmp_path / "map2000.html"
    path.write_text(html, encoding="utf-8")
    session = open_page(browser, path.as_uri(), viewport=(1400, 900), offline=True)
    try:
        _drawn(session)
        shot = artifact_path("map-2000.png")
        session.page.screenshot(path=str(shot))
        stats = png_stats(browser, shot.read_bytes())
        assert stats["width"] == 1400 and stats["colours"] >= 20 and stats["ink"] > 0.05, stats
        for name, other in (
            ("ego.png", render_ego(G, "p5", hops=2, silo_colours=SILO_COLOURS, standalone=True)),
            ("silos.png", render_silos(G, silo_colours=SILO_COLOURS, standalone=True)),
        ):
            p = tmp_path / name.replace(".png", ".html")
            p.write_text(other, encoding="utf-8")
            s2 = open_page(browser, p.as_uri(), viewport=(1400, 900), offline=True)
            try:
                _drawn(s2)
                s2.page.screenshot(path=str(artifact_path(name)))
            finally:
                s2.close()
    finally:
        session.close()
