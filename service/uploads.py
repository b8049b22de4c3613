"""Import uploads kept between the check and the confirmation: private and short-lived.

The web import page checks a file (a dry run), shows what it would do, and keeps the
file until the coordinator confirms. Such a file holds personal data — of people who
may be erased in the meantime — so it is kept

* in a private folder (``IMPORT_FOLDER``, under ``instance/`` by default; made 0700,
  files 0600), never in a shared temporary folder another user could have made first;
* under a random name (the key held in the user's session), removed once confirmed;
* for ``IMPORT_UPLOAD_LIFETIME`` seconds at most: an older upload cannot be confirmed,
  and is deleted by the next sweep. A sweep runs whenever an upload is kept or taken,
  and at most once a minute on any request (``/healthz``, which load balancers call
  every few seconds, included), so an abandoned upload is gone soon after it expires.
"""

from __future__ import annotations

import contextlib
import secrets
import string
from datetime import timedelta
from pathlib import Path

from graph_models import clock
from graph_models.private_files import private_folder, write_private

#: How often, at most, a request sweeps the folder.
SWEEP_EVERY = timedelta(minutes=1)
KEY_BYTES = 16


class PendingUploads:
    """Uploads awaiting confirmation, one file each in ``folder``."""

    def __init__(self, folder: str | Path, lifetime: float):
        self.folder = Path(folder)
        self.lifetime = timedelta(seconds=lifetime)
        self._next_sweep = clock.now()

    def keep(self, data: bytes) -> str:
        """Store ``data``; return the key that takes it back."""
        self.sweep()
        key = secrets.token_hex(KEY_BYTES)
        write_private(private_folder(self.folder) / key, data)
        return key

    def take(self, key: str) -> bytes | None:
        """The upload under ``key``, removed; ``None`` if unknown, malformed or expired."""
        data = self.peek(key)
        if data is not None:
            (self.folder / key).unlink(missing_ok=True)
        return data

    def peek(self, key: str) -> bytes | None:
        """The upload under ``key``, kept (the mapping step reads a file several times
        before the confirmation takes it); ``None`` if unknown, malformed or expired."""
        self.sweep()
        if len(key) != 2 * KEY_BYTES or not set(key) <= set(string.hexdigits.lower()):
            return None
        try:
            return (self.folder / key).read_bytes()
        except FileNotFoundError:
            return None

    def sweep_now_and_then(self) -> None:
        """:meth:`sweep`, unless one ran less than :data:`SWEEP_EVERY` ago."""
        if clock.now() >= self._next_sweep:
            self.sweep()

    def sweep(self) -> int:
        """Delete every upload older than the lifetime; return how many went."""
        now = clock.now()
        self._next_sweep = now + SWEEP_EVERY
        oldest = (now - self.lifetime).timestamp()
        gone = 0
        if not self.folder.is_dir():
            return gone
        for path in self.folder.iterdir():
            with contextlib.suppress(FileNotFoundError):  # another worker took it first
                if path.stat().st_mtime <= oldest:
                    path.unlink()
                    gone += 1
        return gone
