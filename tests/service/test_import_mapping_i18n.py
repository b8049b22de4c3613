"""The mapping step speaks the reader's language: every word of ours on it goes through
the catalogue (pseudo-locale), and the file's own columns and values are shown as data."""

from __future__ import annotations

import io
import re

from graph_models.demo import DEMO_MAP_ID
from service.auth import issue_token
from tests import mapping_files as mf
from tests.service.test_i18n import HTML, _user_text, pseudo_app, untranslated  # noqa: F401


def _file_text() -> list[str]:
    rows = list(mf.KUMU_ELEMENTS) + list(mf.KUMU_CONNECTIONS)
    text = {cell for row in rows for cell in row if cell}
    keys = {f"{t}|{d}" for _, _, t, d, *_ in mf.KUMU_CONNECTIONS[1:]}
    return sorted(
        text | keys | {"kumu.zip", "Elements", "Connections", "elements.csv"} | {"connections.csv"},
        key=len,
        reverse=True,
    )


def test_the_mapping_step_is_translated(pseudo_app):  # noqa: F811
    app, store = pseudo_app
    secret, _ = issue_token(store, DEMO_MAP_ID, "coordinator")
    client = app.test_client()
    assert client.get(f"/share/{secret}").status_code == 302
    page = client.get(f"/maps/{DEMO_MAP_ID}/import", headers=HTML).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    r = client.post(
        f"/maps/{DEMO_MAP_ID}/import",
        data={
            "csrf_token": token,
            "step": "check",
            "file": (io.BytesIO(mf.kumu_zip()), "kumu.zip"),
        },
        headers=HTML,
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="mapping-step"' in html
    allowed = _file_text() + _user_text(store)
    assert untranslated(html, allowed) == []
