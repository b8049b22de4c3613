"""Erasure on the embedded store leaves no copy on disk, and the data files are private.

The scans read the raw bytes of every file in the database's folder (``.sqlite3``,
``-wal``, ``-shm``) while the store is still open, as a copy of the folder taken at
that moment would hold them. Each scan first proves it can see live data (another
person's name is found), so a scan that finds nothing is not a scan that looked at
nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph_models.model import EntityType, Map, Person, Relationship, Silo
from graph_models.store.base import AccessToken
from graph_models.store.embedded import EmbeddedStore
from tests.conftest import file_mode

NAME = "Erin Zebedee-Quill"
CONTACT = "erin.zq@example.org"
OLD_CONTACT = "erin.before@example.org"
SECRETS = (NAME, CONTACT, OLD_CONTACT, "Zebedee")


def residue(folder: Path, *needles: str) -> dict[str, list[str]]:
    """For each file in ``folder``, the needles (UTF-8, any case) found in its bytes."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            data = path.read_bytes().lower()
            hits = [n for n in needles if n.lower().encode() in data]
            if hits:
                found[path.name] = hits
    return found


def populate(store: EmbeddedStore, map_id: str = "m1", people: int = 600) -> None:
    """A map of ``people`` plus Erin, who was edited, has ties with notes naming her and
    a community link about her: her name and contacts end up in several tables."""
    store.create_map(Map(map_id, "Partnership", silos=[Silo("health")]))
    crowd = [
        Person(f"p{i}", f"Person Number {i}", "health", contact=f"p{i}@example.org")
        for i in range(people)
    ]
    erin = Person("e-41", NAME, "health", role="nurse", contact=OLD_CONTACT)
    ties = [
        Relationship(f"t{i}", f"p{i}", "e-41", "knows", notes=f"met {NAME} at the clinic")
        for i in range(0, people, 5)
    ]
    store.bulk_upsert(map_id, [*crowd, erin], ties)
    erin.contact, erin.role = CONTACT, "doctor"
    store.update(map_id, erin)
    store.create_token(
        AccessToken(
            f"tok-{map_id}",
            map_id,
            "community",
            map_id.ljust(64, "0"),
            label=f"link for {NAME}",
            subject="e-41",
        )
    )


def test_erasing_a_person_leaves_no_copy_in_the_database_files(tmp_path):
    folder = tmp_path / "data"
    writer = EmbeddedStore(folder / "db.sqlite3")  # another worker wrote the data
    eraser = EmbeddedStore(folder / "db.sqlite3")
    try:
        populate(writer)
        writer.get("m1", EntityType.PERSON, "e-41")  # an idle reader connection stays open
        assert residue(folder, NAME, CONTACT)  # before: she is on disk

        eraser.delete("m1", EntityType.PERSON, "e-41")

        assert residue(folder, "Person Number 17", "p17@example.org") != {}  # the scan sees data
        assert residue(folder, *SECRETS) == {}
        assert (folder / "db.sqlite3-wal").stat().st_size == 0
    finally:
        writer.close()
        eraser.close()
    assert residue(folder, *SECRETS) == {}  # and after every connection is closed


def test_deleting_a_map_leaves_no_copy_in_the_database_files(tmp_path):
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    try:
        populate(store, "gone")
        store.create_map(Map("kept", "Another", silos=[Silo("health")]))
        store.create("kept", Person("p17", "Person Number 17", "health"))
        store.delete_map("gone")
        assert residue(tmp_path, "Person Number 17") != {}  # the scan sees the other map
        assert residue(tmp_path, *SECRETS) == {}
    finally:
        store.close()


def test_an_erasure_blocked_by_a_long_read_is_purged_after_the_next_write(tmp_path):
    """A reader holding an old snapshot keeps the WAL's frames alive; the erasure still
    succeeds at once, and the WAL is emptied as soon as the reader lets go."""
    store = EmbeddedStore(tmp_path / "db.sqlite3", busy_timeout=0.2)
    reader = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    try:
        populate(store, people=50)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM nodes").fetchone()  # a snapshot with Erin in it

        store.delete("m1", EntityType.PERSON, "e-41")
        with pytest.raises(Exception, match="no person"):
            store.get("m1", EntityType.PERSON, "e-41")  # erased, whatever the WAL holds
        assert store._purge_pending

        reader.execute("COMMIT")
        store.create("m1", Person("new", "Somebody Else", "health"))
        assert not store._purge_pending
        assert residue(tmp_path, *SECRETS) == {}
    finally:
        reader.close()
        store.close()


def test_every_connection_overwrites_deleted_content(tmp_path):
    """``secure_delete`` is on whatever SQLite's build default (Debian's is on, others'
    off): without it a deleted row stays readable in the page's free space."""
    store = EmbeddedStore(tmp_path / "db.sqlite3")
    try:
        assert store._conn().execute("PRAGMA secure_delete").fetchone() == (1,)
    finally:
        store.close()


def test_database_files_and_folder_are_created_private(tmp_path, open_umask):
    folder = tmp_path / "instance"
    store = EmbeddedStore(folder / "bridgemap.sqlite3")
    try:
        populate(store, people=5)
        files = sorted(folder.iterdir())
        assert [f.name for f in files] == [
            "bridgemap.sqlite3",
            "bridgemap.sqlite3-shm",
            "bridgemap.sqlite3-wal",
        ]
        assert {f.name: file_mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert file_mode(folder) == 0o700
    finally:
        store.close()


def test_files_left_readable_by_an_earlier_release_are_tightened(tmp_path, open_umask):
    first = EmbeddedStore(tmp_path / "db.sqlite3")
    populate(first, people=5)
    first.close()
    for f in tmp_path.iterdir():
        f.chmod(0o644)
    again = EmbeddedStore(tmp_path / "db.sqlite3")
    try:
        assert again.get("m1", EntityType.PERSON, "e-41").name == NAME
        assert {f.name: file_mode(f) for f in tmp_path.iterdir()} == {
            f.name: 0o600 for f in tmp_path.iterdir()
        }
    finally:
        again.close()
