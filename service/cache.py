"""An in-memory cache of analysis results, keyed by map version.

Every write bumps a map's version, so a result cached for version 7 is never served
for version 8: no invalidation messages are needed. When a newer version of a map is
seen, the older entries of that map are dropped at once: after a person is erased, no
cached result that still contained them survives.
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
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(
        self, map_id: str, version: int, params: tuple[Hashable, ...], compute: Callable
    ):
        """The cached result for these parameters, or ``compute()``'s, then cached."""
        key = (map_id, version, *params)
        with self._lock:
            self._forget_older(map_id, version)
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        result = compute()  # outside the lock: other maps need not wait
        with self._lock:
            if self._latest.get(map_id, -1) <= version:
                self._items[key] = result
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return result

    def forget(self, map_id: str) -> None:
        """Drop every result of ``map_id`` (used on erasure and map deletion)."""
        with self._lock:
            for key in [k for k in self._items if k[0] == map_id]:
                del self._items[key]
            self._latest.pop(map_id, None)

    def _forget_older(self, map_id: str, version: int) -> None:
        if version > self._latest.get(map_id, -1):
            self._latest[map_id] = version
            for key in [k for k in self._items if k[0] == map_id and k[1] < version]:
                del self._items[key]
