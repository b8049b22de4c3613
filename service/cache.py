"""An in-memory cache of analysis results, keyed by map version.

Every write bumps a map's version, so a result cached for version 7 is never served
for version 8: no invalidation messages are needed for correctness. Memory is another
matter: an old version's entries stay until that map is next asked for (then every
older entry of it is dropped) or until they fall off the LRU end. So on erasure and map
deletion the service calls :meth:`AnalysisCache.forget` at once, which drops every
entry of the map and also refuses the result of any computation that was already
running when it was called (it read the map before the erasure), so no cached result
that still contained an erased person survives the request that erased them.
This cache is per process: each gunicorn worker has its own and forgets only on the
erasures it serves itself. The other workers never serve an erased person's results
(the version has moved on) but hold them until the map is next read there. Known gap:
a map deleted and created again under the same id starts again at version 0, so
another worker could serve the old map's result for the new map's same version until
that entry ages out (keying on the map's ``created_at`` as well would close it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class AnalysisCache:
    """A thread-safe LRU of ``(map_id, version, *params) -> result``."""

    def __init__(self, maxsize: int = 64):
        self.maxsize = maxsize
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._latest: dict[str, int] = {}
        #: bumped by forget(): a computation started before it must not be cached
        self._generation: dict[str, int] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(
        self, map_id: str, version: int, params: tuple[Hashable, ...], compute: Callable
    ):
        """The cached result for these parameters, or ``compute()``'s, then cached."""
        key = (map_id, version, *params)
        with self._lock:
            generation = self._generation.get(map_id, 0)
            self._forget_older(map_id, version)
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        result = compute()  # outside the lock: other maps need not wait
        with self._lock:
            current = self._generation.get(map_id, 0) == generation
            if current and self._latest.get(map_id, -1) <= version:
                self._items[key] = result
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return result

    def forget(self, map_id: str) -> None:
        """Drop every result of ``map_id``, and do not cache any computation of it that
        is running now (used on erasure and map deletion: a map deleted and made again
        under the same id starts again at a low version, so none may be left over)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == map_id]:
                del self._items[key]
            self._latest.pop(map_id, None)
            self._generation[map_id] = self._generation.get(map_id, 0) + 1

    def _forget_older(self, map_id: str, version: int) -> None:
        if version > self._latest.get(map_id, -1):
            self._latest[map_id] = version
            for key in [k for k in self._items if k[0] == map_id and k[1] < version]:
                del self._items[key]
