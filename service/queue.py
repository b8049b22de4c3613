"""Exact betweenness and closeness on a shared task queue (RQ over Redis), for several
processes or hosts serving one store.

With ``REDIS_URL`` set, the background computations of :mod:`service.background` run
on an RQ queue instead of a thread of each process: any process may schedule a job, a
separate worker process (``bridgemap worker``, or ``rq worker bridgemap-paths``) runs
it, and every process serves the result the job keeps in the store. Two guards keep
one computation per map content:

* a job is enqueued once: its id names the map, the day and the map version, and only
  the process that wins a Redis ``SET NX`` on that id enqueues it;
* the job itself runs :func:`graph_models.reporting.run_paths_job`, which holds the
  store lease and reuses a result kept for the same content, so even two jobs of one
  map (two versions with the same graph) compute once.

:class:`QueuedPaths` has the methods the report and pages call on
:class:`service.background.PathsWorker`, so nothing else knows which one runs. The
embedded default needs no Redis: without ``REDIS_URL`` this module is not used.
"""

from __future__ import annotations

import os
import socket
import time
from contextlib import nullcontext
from datetime import date

from graph_models import reporting
from graph_models.analysis import paths as exact_paths
from graph_models.store.base import GraphStore
from service.background import helper_processes

#: The RQ queue's name (``rq worker bridgemap-paths`` runs it too).
QUEUE = "bridgemap-paths"
#: How long a job's enqueue guard and its result in Redis live, in seconds.
KEEP = 3600


def connect(url: str):
    """A Redis connection to ``url`` (``redis://host:port/db``)."""
    import redis

    return redis.Redis.from_url(url)


class QueuedPaths:
    """Schedules exact path jobs on the shared queue (see the module's docstring)."""

    def __init__(self, store: GraphStore, url: str, *, inline_seconds: float):
        from rq import Queue

        self.store = store
        self.inline_seconds = inline_seconds
        self.redis = connect(url)
        self.queue = Queue(QUEUE, connection=self.redis, default_timeout=3600)
        self._large: set[str] = set()

    # -- what the report calls (as PathsWorker) ---------------------------------------

    def reporting(self):
        """Jobs run in another process: nothing to yield to."""
        return nullcontext()

    def on_pending(self, map_id: str, version: int, as_of: date, n: int, m: int) -> dict:
        """Enqueue the job (once across processes); the report's "being computed"."""
        self._large.add(map_id)
        job = self.schedule(map_id, as_of, version)
        started = None
        if job is not None and job.started_at is not None:
            started = time.monotonic() - max(0.0, time.time() - job.started_at.timestamp())
        return exact_paths.pending(
            n, m, started=started, now=time.monotonic(), processes=helper_processes()
        )

    def computing(self, map_id: str) -> bool:
        """Whether a job of the map is queued or running (in any process)."""
        return bool(self.redis.exists(_active_key(map_id)))

    def after_write(self, map_id: str, today: date) -> None:
        """A map this process has seen too large for a request was written: enqueue."""
        if map_id in self._large:
            self.schedule(map_id, today, self.store.get_map(map_id).version)

    # -- scheduling -------------------------------------------------------------------

    def schedule(self, map_id: str, as_of: date, version: int):
        """The job of the map at ``version`` as of a day: enqueued by the first process
        to ask (Redis ``SET NX`` on its id), fetched by the others."""
        from rq.job import Job

        job_id = f"paths-{map_id}-{as_of.isoformat()}-v{version}".replace(":", "_")
        if self.redis.set(f"bridgemap:enqueued:{job_id}", 1, nx=True, ex=KEEP):
            self.redis.set(_active_key(map_id), job_id, ex=KEEP)
            return self.queue.enqueue(
                run_job,
                map_id,
                as_of.isoformat(),
                self.inline_seconds,
                job_id=job_id,
                result_ttl=KEEP,
                failure_ttl=KEEP,
            )
        try:
            return Job.fetch(job_id, connection=self.redis)
        except Exception:  # noqa: BLE001 - expired or being written: nothing to show
            return None

    def shutdown(self, *, wait: bool = False) -> None:
        self.redis.close()


def _active_key(map_id: str) -> str:
    return f"bridgemap:computing:{map_id}"


_STORE: GraphStore | None = None


def _worker_store() -> GraphStore:
    """The store of a worker process, opened once from its ``BRIDGEMAP_*`` settings."""
    global _STORE  # noqa: PLW0603 - one store per worker process
    if _STORE is None:
        from service.config import from_environment
        from service.stores import open_store

        _STORE = open_store(from_environment())
    return _STORE


def run_job(map_id: str, as_of: str, inline_seconds: float) -> str:
    """The queued job: :func:`graph_models.reporting.run_paths_job` in a worker process
    (store lease, reuse of a result kept for the same content); ``inline_seconds`` is
    the requests' budget of the app that asked. Returns the job's outcome."""
    from rq import get_current_job

    store = _worker_store()
    holder = f"rq:{socket.gethostname()}:{os.getpid()}"
    job = get_current_job()
    try:
        return reporting.run_paths_job(
            store,
            map_id,
            date.fromisoformat(as_of),
            holder,
            inline_seconds=inline_seconds,
            processes=helper_processes(),
        )
    finally:
        if job is not None:
            job.connection.delete(_active_key(map_id))
