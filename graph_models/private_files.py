"""Files and folders only the service's own user may read: personal data lives in them.

The database file (and SQLite's ``-wal``/``-shm`` beside it, which take its mode), the
secret key and pending import uploads are created mode 0600 in folders made 0700,
whatever the process's umask. Files left readable by an earlier release are tightened
when opened. A folder that already exists keeps the mode its owner gave it (it may be a
mounted volume or a shared parent such as ``/var/lib``); the files in it are private
either way.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> f = private_file(root / "data" / "db")
>>> oct(f.stat().st_mode & 0o777), oct(f.parent.stat().st_mode & 0o777)
('0o600', '0o700')
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: str | os.PathLike) -> Path:
    """``path`` as a folder, created 0700 (with its parents) if missing."""
    folder = Path(path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return folder


def private_file(path: str | os.PathLike) -> Path:
    """``path`` as an existing file of mode 0600 (an empty one if it was missing), in
    a private folder. Siblings that share its data (``<name>-wal``, ``<name>-shm``,
    ``<name>-journal``) are tightened too when present."""
    path = Path(path)
    private_folder(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for each in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            if each.stat().st_mode & 0o077:
                os.chmod(each, FILE_MODE)
    return path


def write_private(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to a new file ``path`` of mode 0600 (fails if it exists)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
