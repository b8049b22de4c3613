"""The service's own files (secret key, instance folder) are private to its user."""

from __future__ import annotations

import os

from service import config as settings
from tests.conftest import file_mode


def test_a_generated_secret_key_is_private_in_a_private_folder(tmp_path, open_umask):
    path = tmp_path / "instance" / "secret_key"
    key = settings.secret_key({"SECRET_KEY": "", "SECRET_KEY_FILE": str(path)})
    assert len(key) == 64
    assert (file_mode(path.parent), file_mode(path)) == (0o700, 0o600)
    assert settings.secret_key({"SECRET_KEY": "", "SECRET_KEY_FILE": str(path)}) == key


def test_a_readable_secret_key_file_is_tightened(tmp_path, open_umask):
    path = tmp_path / "secret_key"
    path.write_text("k" * 64)
    path.chmod(0o644)
    assert settings.secret_key({"SECRET_KEY": "", "SECRET_KEY_FILE": str(path)}) == "k" * 64
    assert file_mode(path) == 0o600


def test_the_default_data_files_live_in_instance(tmp_path):
    """One folder to protect and back up: the database, the key and pending uploads."""
    defaults = settings.DEFAULTS
    for key in ("DATABASE", "SECRET_KEY_FILE", "IMPORT_FOLDER"):
        assert defaults[key].startswith("instance" + os.sep), key
