"""Exact betweenness and closeness of large maps, computed in the background in-process.

The embedded default needs no Redis or task queue: each process has one worker thread
(:class:`PathsWorker`, kept in ``app.extensions["bridgemap.background"]``). It runs
:func:`graph_models.reporting.run_paths_job`, which keeps the result in the store per
map version under a lease held in the store, so several processes (gunicorn workers,
on either store) never compute the same version twice and all of them, and a restart,
serve the one result.

A job is scheduled

* when a report finds neither a kept result nor a cheap enough map (the report then
  says "being computed", with the time expected), and
* after a write to a map this process has seen to be too large to compute in a request,
  so the result is usually ready before anyone asks.

Jobs of one map coalesce: while one is queued another is not added; one that finds the
map changed while it ran is followed by the job the write scheduled. The work is done
in slices (:data:`graph_models.analysis.paths.SLICE` sources) with a pause between
them, so request threads of the process keep being served; while a request of the
process is making a report (:meth:`PathsWorker.reporting`) the worker waits, so the
job never slows the very request that scheduled it. A large map's sources are shared
among helper processes (:data:`PROCESSES`, one a core, see
:func:`graph_models.analysis.paths.compute`): the slices are handed out with the same
pause before each, so a report still goes first.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date

from graph_models import reporting
from graph_models.analysis import paths as exact_paths
from graph_models.errors import NotFound
from graph_models.store.base import GraphStore

log = logging.getLogger(__name__)

#: Seconds a slice may hold the interpreter before the worker pauses for requests.
PAUSE = 0.002
#: Most helper processes one computation uses (see :class:`PathsWorker`).
PROCESSES = 2


def helper_processes() -> int:
    """Processes one exact computation shares its sources among: one a core, two at
    most (the rest of the machine serves requests meanwhile). The in-process worker,
    the shared queue's jobs and the command line all use this many."""
    return min(PROCESSES, os.cpu_count() or 1)


class PathsWorker:
    """One background thread computing exact path measures, one job per map at a time."""

    def __init__(
        self,
        store: GraphStore,
        *,
        inline_seconds: float = exact_paths.INLINE_SECONDS,
        processes: int | None = None,
    ):
        self.store = store
        self.inline_seconds = inline_seconds
        self.processes = processes or helper_processes()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridgemap-paths")
        self._lock = threading.Lock()
        self._queued: set[tuple[str, date]] = set()
        self._running: dict[tuple[str, date], float] = {}  # -> monotonic start
        self._large: set[str] = set()  # maps seen too large for a request
        self._reports = 0  # reports being made by request threads now
        self._stopping = False
        self.finished: list[tuple[str, date, str, float]] = []  # (map, day, outcome, s)

    # -- what the report calls ------------------------------------------------------------

    def on_pending(self, map_id: str, version: int, as_of: date, n: int, m: int) -> dict:
        """Schedule the job and return the report's "being computed" notice."""
        with self._lock:
            self._large.add(map_id)
            started = self._running.get((map_id, as_of))
        self.schedule(map_id, as_of)
        now = time.monotonic()
        return exact_paths.pending(n, m, started=started, now=now, processes=self.processes)

    @contextmanager
    def reporting(self) -> Iterator[None]:
        """Around a report made in a request: the worker yields to it meanwhile."""
        with self._lock:
            self._reports += 1
        try:
            yield
        finally:
            with self._lock:
                self._reports -= 1

    def _pause(self) -> None:
        time.sleep(PAUSE)
        while self._reports and not self._stopping:
            time.sleep(0.01)
        if self._stopping:
            raise _Stopped  # the job ends here; its lease is released

    def computing(self, map_id: str) -> bool:
        """Whether exact path measures of the map are queued or being computed here."""
        with self._lock:
            return any(key[0] == map_id for key in (*self._queued, *self._running))

    # -- scheduling -----------------------------------------------------------------------

    def after_write(self, map_id: str, today: date) -> None:
        """A map was written: recompute now if it is one too large for a request."""
        with self._lock:
            large = map_id in self._large
        if large:
            self.schedule(map_id, today)

    def schedule(self, map_id: str, as_of: date) -> bool:
        """Queue a job for the map as of a day, unless one is queued already."""
        key = (map_id, as_of)
        with self._lock:
            if key in self._queued:
                return False
            self._queued.add(key)
        try:
            self._pool.submit(self._run, map_id, as_of)
        except RuntimeError:  # shut down
            with self._lock:
                self._queued.discard(key)
            return False
        return True

    def _run(self, map_id: str, as_of: date) -> None:
        key = (map_id, as_of)
        begin = time.monotonic()
        with self._lock:
            self._queued.discard(key)  # a write from now on queues a fresh job
            self._running[key] = begin
        self._pause()  # the request that scheduled the job finishes first

        def started(n: int, m: int) -> None:
            with self._lock:
                self._running[key] = time.monotonic()

        try:
            outcome = reporting.run_paths_job(
                self.store,
                map_id,
                as_of,
                self.holder,
                pause=self._pause,
                started=started,
                inline_seconds=self.inline_seconds,
                processes=self.processes,
            )
        except _Stopped:
            outcome = "stopped"
        except NotFound:  # the map was deleted meanwhile
            outcome = "gone"
        except Exception:  # a map deleted meanwhile, the store down: the next ask retries
            log.warning("background analysis of map %s failed", map_id, exc_info=True)
            outcome = "failed"
        finally:
            with self._lock:
                self._running.pop(key, None)
        seconds = time.monotonic() - begin
        with self._lock:
            self.finished.append((map_id, as_of, outcome, seconds))
            del self.finished[:-100]
        log.info("background analysis of map %s: %s in %.1f s", map_id, outcome, seconds)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or running (tests, benchmarks); True if idle."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                idle = not self._queued and not self._running
            if idle and self._pool._work_queue.empty():  # noqa: SLF001 - idle check only
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop: queued jobs are dropped, a running one ends at its next pause."""
        self._stopping = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


class _Stopped(Exception):
    """Raised in a job's pause when the worker is shut down."""


_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def after_write(response):
    """Flask ``after_request``: after a successful write to a map, let the worker know."""
    from flask import current_app, request

    from graph_models import clock

    map_id = (request.view_args or {}).get("map_id")
    if request.method in _WRITES and response.status_code < 400 and isinstance(map_id, str):
        worker = current_app.extensions.get("bridgemap.background")
        if worker is not None:
            worker.after_write(map_id, clock.today())
    return response


def worker() -> PathsWorker | None:
    """This app's background worker (None when exact paths are computed inline)."""
    from flask import current_app

    return current_app.extensions.get("bridgemap.background")
