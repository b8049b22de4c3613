"""Import uploads kept between "check" and "import" are private and expire.

The web import page keeps the checked file until the coordinator confirms; it holds
personal data, so it lives in the configured private folder (0700, file 0600), is
removed once used, and an abandoned one is deleted after IMPORT_UPLOAD_LIFETIME by the
next request of any kind.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from graph_models import clock
from service.uploads import PendingUploads
from tests.conftest import file_mode
from tests.service.authworld import build_world
from tests.service.test_pages import HTML, browser, csrf

CSV = b"name,silo,role,contact\nDee Morgan,health,nurse,dee.morgan@example.org\n"
LIFETIME = 600


@pytest.fixture
def later(monkeypatch):
    """Move the one clock forward by a number of seconds."""
    start = clock.now()

    def move(seconds: float) -> None:
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=seconds))

    return move


def check(client, token):
    return client.post(
        "/maps/m1/import",
        data={
            "csrf_token": token,
            "step": "check",
            "entity": "people",
            "file": (io.BytesIO(CSV), "people.csv"),
        },
        headers=HTML,
        content_type="multipart/form-data",
    )


def test_a_checked_upload_is_private_and_used_once(tmp_path, open_umask):
    folder = tmp_path / "uploads"
    world = build_world(tmp_path, IMPORT_FOLDER=str(folder), IMPORT_UPLOAD_LIFETIME=LIFETIME)
    c = browser(world)
    token = csrf(c, "/maps/m1/import")
    r = check(c, token)
    assert r.status_code == 200
    [kept] = list(folder.iterdir())
    assert (file_mode(folder), file_mode(kept)) == (0o700, 0o600)
    assert kept.read_bytes() == CSV
    r = c.post(
        "/maps/m1/import", data={"csrf_token": token, "step": "confirm", "upload": kept.name}
    )
    assert r.status_code == 302
    assert list(folder.iterdir()) == []
    assert world.admin.get("/api/v1/maps/m1/people?q=Dee").get_json()["total"] == 1


def test_an_abandoned_upload_is_deleted_after_its_lifetime_by_any_request(tmp_path, later):
    folder = tmp_path / "uploads"
    world = build_world(tmp_path, IMPORT_FOLDER=str(folder), IMPORT_UPLOAD_LIFETIME=LIFETIME)
    c = browser(world)
    token = csrf(c, "/maps/m1/import")
    assert check(c, token).status_code == 200
    [kept] = list(folder.iterdir())

    later(LIFETIME - 5)
    assert world.app.test_client().get("/healthz").status_code == 200
    assert kept.exists()  # not yet expired

    later(LIFETIME + 61)  # expired, and the last sweep was more than a minute ago
    assert world.app.test_client().get("/healthz").status_code == 200
    assert not kept.exists()  # a load balancer's health check was enough

    r = c.post(
        "/maps/m1/import", data={"csrf_token": token, "step": "confirm", "upload": kept.name}
    )
    assert r.status_code == 302  # back to the form: "that upload has expired"
    assert world.admin.get("/api/v1/maps/m1/people?q=Dee").get_json()["total"] == 0


def test_an_expired_upload_cannot_be_confirmed_even_before_a_sweep(tmp_path, later):
    uploads = PendingUploads(tmp_path / "uploads", lifetime=LIFETIME)
    key = uploads.keep(b"data")
    later(LIFETIME + 1)
    assert uploads.take(key) is None
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.mark.parametrize("key", ["", "../secret_key", "A" * 32, "0" * 31, "0" * 33])
def test_only_well_formed_keys_are_read(tmp_path, key):
    uploads = PendingUploads(tmp_path / "uploads", lifetime=LIFETIME)
    (tmp_path / "secret_key").write_text("s")
    assert uploads.take(key) is None
