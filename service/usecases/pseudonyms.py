"""Pseudonyms already turned back to real ids, so a viewer's read of one record by its
pseudonym (``anon-…``, ``tie-…``) does not hash every candidate of the map again.

A pseudonym is a keyed hash of the map and the real id (:func:`graph_models.visibility.pseudonym`),
so which real id it stands for never changes: what is remembered here stays true across
map versions. It is only a hint: the record is still read from the store and the viewer
rules still decide, on the record as it is now, whether it is shown under that pseudonym
(a record since deleted, or whose ends are no longer anonymised, is answered as missing,
as before). Filled from every row a viewer's list shows and from every candidate hashed
when a pseudonym was not known. Per process, bounded per map and in the number of maps;
dropped with a map's cached analyses (:func:`service.usecases.context.forget_cached`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app

from graph_models.model import EntityType

#: maps remembered (least recently used dropped), and pseudonyms per map and kind
MAPS = 64
PER_MAP = 200_000


class Unmasked:
    """``(map_id, kind) -> {pseudonym: real id}``, thread-safe and bounded."""

    def __init__(self, maps: int = MAPS, per_map: int = PER_MAP):
        self.maps, self.per_map = maps, per_map
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, map_id: str, etype: EntityType, public: str) -> str | None:
        with self._lock:
            known = self._items.get((map_id, etype))
            if known is None:
                return None
            self._items.move_to_end((map_id, etype))
            return known.get(public)

    def learn(self, map_id: str, etype: EntityType, pairs: dict[str, str]) -> None:
        """Remember ``{pseudonym: real id}`` (a map's pseudonyms past the bound start
        again from these)."""
        if not pairs:
            return
        with self._lock:
            known = self._items.setdefault((map_id, etype), {})
            if len(known) + len(pairs) > self.per_map:
                known.clear()
            known.update(pairs)
            self._items.move_to_end((map_id, etype))
            while len(self._items) > self.maps * 2:
                self._items.popitem(last=False)

    def forget(self, map_id: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == map_id]:
                del self._items[key]


def unmasked() -> Unmasked:
    """This app's :class:`Unmasked` (in ``app.extensions``, made on first use)."""
    extensions = current_app.extensions
    found = extensions.get("bridgemap.unmasked")
    if found is None:
        found = extensions.setdefault("bridgemap.unmasked", Unmasked())
    return found
