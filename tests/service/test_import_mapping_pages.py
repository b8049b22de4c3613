"""The import page's mapping step (issue #13) through Flask's test client: a file not in
Bridgemap's shape goes to the mapping form (prefilled with guesses), the form's choices
become the mapping, the check shows what would change and offers the mapping as JSON,
the confirmation imports and keeps it; refused files show causes with counts and a CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from tests import mapping_files as mf
from tests.service.authworld import build_world

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class FormFields(HTMLParser):
    """The fields a browser would send from the form with ``form_id``."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "select":
            self._select = a["name"]
            self.fields.setdefault(self._select, None)
        elif (
            self.inside
            and tag == "option"
            and self._select
            and (self.fields[self._select] is None or "selected" in a)
        ):
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None


def form_fields(page: str, form_id: str) -> dict:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


def label_for(page: str, text: str) -> str:
    """The id of the control labelled ``text`` (as a person finds a field)."""
    return re.search(rf'<label for="([^"]+)">{re.escape(text)}</label>', page)[1]


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


@pytest.fixture
def page(world):
    c = world.app.test_client()
    assert c.get(f"/share/{world.secrets['coordinator']}").status_code == 302
    return c


def upload(c, data: bytes, filename: str):
    page = c.get("/maps/m1/import", headers=HTML).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    return c.post(
        "/maps/m1/import",
        data={"csrf_token": token, "step": "check", "file": (io.BytesIO(data), filename)},
        headers=HTML,
        content_type="multipart/form-data",
    )


def submit(c, page: str, form_id: str, **changes):
    fields = {**form_fields(page, form_id), **changes}
    return c.post("/maps/m1/import", data=fields, headers=HTML)


def counts(world):
    g = world.admin.get("/api/v1/maps/m1/graph").json
    kinds = [n["type"] for n in g["nodes"]]
    return kinds.count("person"), kinds.count("organisation"), len(g["edges"])


def test_kumu_workbook_through_the_mapping_step(world, page):
    before = counts(world)
    r = upload(page, mf.kumu_workbook(), "kumu.xlsx")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="mapping-step"' in html
    assert "Siân Evans, Owen Hughes" in html  # sample values beside each column
    # the person's choices: a silo for all, and each Kumu (type, direction) to a kind
    changes = {"n_silo_default": "Partners"}
    for value, kind in mf.kumu_mapping()["relationships"]["kind"]["values"].items():
        changes[label_for(html, value).replace("-", "_")] = kind
    r = submit(page, html, "mapping-form", **changes)
    check = r.get_data(as_text=True)
    assert r.status_code == 200, check[:3000]
    assert 'id="dry-run"' in check and 'id="mapping-json"' in check
    used = json.loads(page.get("/maps/m1/import/mapping.json").get_data(as_text=True))
    assert used["relationships"]["kind"]["values"]["member|directed"] == "member_of"
    assert counts(world) == before  # nothing written before the confirmation
    r = submit(page, check, "confirm-form")
    assert r.status_code == 302
    people, orgs, ties = (a - b for a, b in zip(counts(world), before, strict=True))
    assert (people, orgs, ties) == mf.KUMU_EXPECTED
    # the same workbook again: the saved mapping, straight to the check, nothing new
    r = upload(page, mf.kumu_workbook(), "kumu.xlsx")
    again = r.get_data(as_text=True)
    assert 'id="saved-mapping"' in again and 'id="mapping-step"' not in again
    table = re.search(r'id="dry-run".*?</table>', again, re.S)[0]
    assert re.findall(r'<td class="num">(\d+)</td>', table)[::3] == ["0", "0", "0"]


def test_unmapped_values_are_listed_on_the_form(page):
    r = upload(page, mf.kumu_zip(), "kumu.zip")
    html = r.get_data(as_text=True)
    choice = label_for(html, "collaborates|undirected").replace("-", "_")
    r = submit(page, html, "mapping-form", **{choice: ""})
    again = r.get_data(as_text=True)
    assert r.status_code == 422
    assert (
        "1 value of column &#39;Type&#39; is not mapped: &#39;collaborates|undirected&#39;" in again
    )
    assert 'id="mapping-step"' in again  # the form again, with the choices made


def test_a_refused_file_shows_causes_counts_and_a_csv(page):
    """Les Misérables as networkx writes it, in Bridgemap's graph shape but no types."""
    data = mf.networkx_file("lesmis", "graphml")
    r = upload(page, data, "lesmis.graphml")
    html = r.get_data(as_text=True)
    assert 'id="mapping-step"' in html  # not Bridgemap's shape: the mapping step
    fields = form_fields(html, "mapping-form")
    type_default = fields["n_type_default"]
    assert type_default == "person"
    r = submit(page, html, "mapping-form", n_type_default="", t_kind_default="")
    refused = r.get_data(as_text=True)
    assert r.status_code == 422
    causes = re.search(r'<ul id="error-causes">(.*?)</ul>', refused, re.S)[1]
    assert "set a default type" in causes and "set a default kind" in causes
    # a mapping's fields are named as the form names them, not by their JSON path
    assert "Type when the file does not say: set a default type" in causes
    assert "nodes.type.default" not in causes
    rows = list(
        csv.reader(io.StringIO(page.get("/maps/m1/import/errors.csv").data.decode("utf-8-sig")))
    )
    assert rows[0] == ["sheet", "row", "column", "problem"] and len(rows) > 1


def test_bridgemap_template_goes_straight_to_the_check(page):
    r = upload(page, b"name,silo,role\nNew Person,health,GP\n", "people.csv")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="dry-run"' in html
    assert 'id="mapping-step"' not in html and 'id="mapping-json"' not in html


def test_downloads_need_a_check_first_and_a_coordinator(world, page):
    assert page.get("/maps/m1/import/mapping.json", headers=HTML).status_code == 404
    assert page.get("/maps/m1/import/errors.csv", headers=HTML).status_code == 404
    viewer = world.app.test_client()
    viewer.get(f"/share/{world.secrets['viewer']}")
    assert viewer.get("/maps/m1/import/mapping.json").status_code in (403, 404)
