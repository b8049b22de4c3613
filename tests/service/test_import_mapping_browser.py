"""The mapping step in real headless Chromium (issue #13): each file people already have —
networkx's GEXF and GraphML of karate club, Florentine families, Davis southern women
and Les Misérables, a Gephi-style GEXF with viz: colours, a Kumu workbook and Kumu's two
CSV files chosen at once — is uploaded, mapped through the form as a person would (the
stated mapping of tests/mapping_files.py, set choice by choice), checked, confirmed,
and lands as exactly the people, organisations and ties networkx (or the rows written)
give. The same file again uses the saved mapping and changes nothing. Screenshots go
to test-artifacts/ (ui-mapping-*.png) and are checked not blank."""

from __future__ import annotations

import pytest

from graph_models.model import Map
from service.auth import issue_token
from tests import mapping_files as mf
from tests.browser import artifact_path
from tests.conftest import make_app
from tests.live import LiveServer
from tests.visualisations.pagetools import external, open_page, png_stats

pytestmark = pytest.mark.browser

PSEUDO = {
    "@id": "(the file's node id)",
    "@colour": "(node colour)",
    "@source": "(edge source)",
    "@target": "(edge target)",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from graph_models.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("mapping-browser") / "db.sqlite3")
    app = make_app(store, SECRET_KEY="mapping-browser-test")
    with LiveServer(app) as live:
        live.store = store
        yield live
    store.close()


def shot(browser, page, name: str) -> None:
    png = page.screenshot(path=str(artifact_path(f"ui-mapping-{name}.png")), full_page=True)
    stats = png_stats(browser, png)
    assert stats["ink"] > 0.02 and stats["colours"] > 4, (name, stats)


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the next page (a check, a form, or errors)."""
    page.click(selector)
    page.wait_for_load_state("load")
    page.wait_for_selector("#dry-run, #mapping-step, #import-errors, #figure-ties, main h1")


def _columns(page, part: str, wanted: dict) -> None:
    """Every column's choice: the stated target, or ignore for columns it leaves out."""
    rows = page.locator(f"#{part} tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        label = row.locator("label").inner_text()
        column = next((c for c, shown in PSEUDO.items() if shown == label), label)
        row.locator("select").select_option(wanted.get(column, "ignore"))


def _values(page, box: str, values: dict) -> None:
    if not page.locator(box).count():
        return
    for key, chosen in values.items():
        field = page.locator(box).get_by_label(key, exact=True)
        if field.count():
            tag = field.evaluate("e => e.tagName")
            if tag == "SELECT":
                field.select_option(chosen)
            else:
                field.fill(chosen)


def fill_mapping(page, mapping: dict) -> None:
    """Set the mapping step's form to ``mapping``, as a person would."""
    nodes, ties = mapping.get("nodes") or {}, mapping.get("relationships") or {}
    if page.locator("#nodes-part").count():
        _columns(page, "nodes-part", nodes.get("columns", {}))
        page.select_option("#n-type-default", (nodes.get("type") or {}).get("default", ""))
        page.fill("#n-silo-default", (nodes.get("silo") or {}).get("default", ""))
        if nodes.get("tag_separator"):
            page.select_option("#n-tag-separator", nodes["tag_separator"])
    if page.locator("#ties-part").count():
        _columns(page, "ties-part", ties.get("columns", {}))
        page.select_option("#t-kind-default", (ties.get("kind") or {}).get("default", ""))
        page.select_option("#t-strength", ties.get("strength", "linear"))
    # value lists are listed for the columns chosen when the page was made: the first
    # check lists any that are new, the form comes back, and they are filled in again
    for _ in range(2):
        _values(page, "#type-values", (nodes.get("type") or {}).get("values", {}))
        _values(page, "#silo-values", (nodes.get("silo") or {}).get("values", {}))
        _values(page, "#kind-values", (ties.get("kind") or {}).get("values", {}))
        submit(page, "#check-mapping")
        if not page.locator("#mapping-step").count():
            return
        _columns(page, "nodes-part", nodes.get("columns", {}))
        if page.locator("#ties-part").count():
            _columns(page, "ties-part", ties.get("columns", {}))


def counts(store, map_id):
    g = store.graph(map_id)
    return len(g.people), len(g.organisations), len(g.relationships)


def _case(name, files, mapping, expected):
    return pytest.param(files, mapping, expected, id=name)


CASES = [
    *[
        _case(
            f"{n}.{f}",
            lambda n=n, f=f: [(f"{n}.{f}", mf.networkx_file(n, f))],
            lambda n=n, f=f: mf.networkx_mapping(n, f),
            lambda n=n: mf.expected(n),
        )
        for n in mf.DATASETS
        for f in ("gexf", "graphml")
    ],
    _case(
        "gephi.gexf",
        lambda: [("gephi.gexf", mf.gephi_gexf())],
        mf.gephi_mapping,
        lambda: (len(mf.GEPHI_NODES), 0, len(mf.GEPHI_EDGES)),
    ),
    _case(
        "kumu.xlsx",
        lambda: [("kumu.xlsx", mf.kumu_workbook())],
        mf.kumu_mapping,
        lambda: mf.KUMU_EXPECTED,
    ),
    _case(
        "kumu-csv-pair",
        lambda: list(mf.kumu_csv_pair().items()),
        mf.kumu_mapping,
        lambda: mf.KUMU_EXPECTED,
    ),
]


@pytest.mark.parametrize(("files", "mapping", "expected"), CASES)
def test_each_file_imports_through_the_mapping_step(
    browser_session, server, request, files, mapping, expected
):
    name = request.node.callspec.id
    map_id = "m-" + "".join(ch for ch in name.lower() if ch.isalnum())
    server.store.create_map(Map(map_id, name))
    secret = issue_token(server.store, map_id, "coordinator")[0]
    session = open_page(
        browser_session, f"{server.url}/share/{secret}", allowed_origin=server.url, wait_for=None
    )
    uploads = [{"name": n, "mimeType": "application/octet-stream", "buffer": b} for n, b in files()]
    try:
        page = session.page
        page.goto(f"{server.url}/maps/{map_id}/import")
        page.set_input_files("#f-file", files=uploads)
        submit(page, "button:has-text('Check the file')")
        assert page.locator("#mapping-step").count() == 1, page.content()[:2000]
        if name in ("kumu.xlsx", "gephi.gexf", "lesmis.gexf"):
            shot(browser_session, page, f"step-{name}")
        fill_mapping(page, mapping())
        assert page.locator("#dry-run").count() == 1, page.locator("main").inner_text()[:3000]
        assert counts(server.store, map_id) == (0, 0, 0)  # nothing before the confirmation
        if name in ("kumu.xlsx", "davis.graphml"):
            shot(browser_session, page, f"check-{name}")
        with page.expect_download() as download:
            page.click("#mapping-json")
        assert download.value.suggested_filename == "bridgemap-mapping.json"
        submit(page, "button:has-text('Import these rows')")
        assert page.url.endswith(f"/maps/{map_id}")
        assert counts(server.store, map_id) == expected()
        version = server.store.get_map(map_id).version

        page.goto(f"{server.url}/maps/{map_id}/import")  # the same file again
        page.set_input_files("#f-file", files=uploads)
        submit(page, "button:has-text('Check the file')")
        assert page.locator("#saved-mapping").count() == 1
        new = page.locator("#dry-run tbody tr td.num:nth-child(2)").all_inner_texts()
        changed = page.locator("#dry-run tbody tr td.num:nth-child(3)").all_inner_texts()
        assert set(new) == set(changed) == {"0"}
        submit(page, "button:has-text('Import these rows')")
        assert server.store.get_map(map_id).version == version
        assert external(session, server.url) == []
    finally:
        session.close()


def test_a_refused_file_shows_the_cause_first_and_offers_every_error(browser_session, server):
    """Kumu's two CSV files where two elements have no type and no default is chosen:
    the cause first, counted; the ties to those rows in one knock-on line; the page
    short; every error as CSV; nothing written."""
    server.store.create_map(Map("m-refused", "refused"))
    secret = issue_token(server.store, "m-refused", "coordinator")[0]
    session = open_page(
        browser_session, f"{server.url}/share/{secret}", allowed_origin=server.url, wait_for=None
    )
    elements = [list(r) for r in mf.KUMU_ELEMENTS]
    elements[4][1] = elements[7][1] = ""  # Tom Price and Youth Forum: no type
    files = [("elements.csv", mf._csv(elements)), ("connections.csv", mf._csv(mf.KUMU_CONNECTIONS))]
    try:
        page = session.page
        page.goto(f"{server.url}/maps/m-refused/import")
        page.set_input_files(
            "#f-file", files=[{"name": n, "mimeType": "text/csv", "buffer": b} for n, b in files]
        )
        submit(page, "button:has-text('Check the file')")
        fill_mapping(
            page, {**mf.kumu_mapping(), "nodes": {**mf.kumu_mapping()["nodes"], "type": {}}}
        )
        causes = page.locator("#error-causes li").all_inner_texts()
        assert causes[0] == "2 rows: Type: no type: set a default type", causes
        assert causes[-1] == "3 ties refer to rows that failed: fixing those rows fixes these"
        assert page.locator("#import-errors tbody tr").count() <= 20 * len(causes)
        shot(browser_session, page, "refused-kumu")
        with page.expect_download() as download:
            page.click("#errors-csv")
        assert download.value.suggested_filename == "import-errors.csv"
        assert counts(server.store, "m-refused") == (0, 0, 0)
    finally:
        session.close()
