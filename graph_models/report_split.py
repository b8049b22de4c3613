"""One cold report's sections in two processes: this one and a forked child.

A large map's report spends most of its time in five independent sections
(:data:`graph_models.analysis.report.SECTIONS`) and in the redaction and labels of
their rows; in one process that is one core's work while the other core of the
machine idles. Here the sections are split in two groups (:func:`plan`): a child made
by ``os.fork`` computes one group *finished* (analysed, redacted, suppressed for
viewers and labelled) and sends it back pickled (in a file in memory), while this
process computes the other group; the two are then merged in the report's section order
(:func:`run`). The graph reaches the child without being copied or pickled: a forked
child shares the parent's memory page by page until one of them writes a page (copy
on write), so only the finished rows of the child's group travel (a few MB at 50,000
people).

Which sections go where is decided from :data:`COSTS` (one small table: re-measure
and re-tune it when a section's speed changes), with ``bridging`` always here
(:data:`HERE_ONLY`), and only for maps of at least :data:`MIN_SIZE` nodes + ties
(below that the fork and the rows' trip cost more than the split saves).

Safety in a threaded server (Flask's threads, the Neo4j driver's, the background
worker's): a forked child has only the thread that forked, and any lock another thread
held at that moment stays locked in it for ever. So the child only computes: it does
not touch the store, the Neo4j driver, the cache or logging; it writes its result (or
its error's text) and leaves with ``os._exit`` (no ``atexit``, no
flushing of buffers it shares with the parent, no finalizers). It never calls
networkit (``bridging``'s spans stay here): OpenMP's runtime may hang in a child forked
after it has started threads, which is also why nothing is split unless OpenMP runs
one thread (``OMP_NUM_THREADS=1``, the project's default: :mod:`graph_models`).

The report is never lost: if the child fails (an error, killed, an unreadable
result) or is not done within :func:`patience` of this process's own group, it is
killed and its sections are computed here; the same report, later.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import struct
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from itertools import combinations

from graph_models.analysis.report import SECTIONS

__all__ = ["COSTS", "MIN_SIZE", "plan", "run"]

log = logging.getLogger(__name__)

#: CPU seconds each section takes at 50,000 people / 250,000 ties: its analysis,
#: redaction and labels (``benchmarks/report_split.py costs``, 2026-12-01; at 10,000
#: people the ratios are alike: bridging 2.3 s, the other four 1.2 s together). Only
#: the ratios matter: they decide the split. Re-measure when a section gets faster.
COSTS = {
    "centrality": 1.5,
    "bridging": 10.9,
    "silos": 0.8,
    "communities": 4.0,
    "introductions": 0.9,
}
#: Extra seconds of a section computed in the child: its finished rows pickled there
#: and read back here (measured as above).
TRANSFER = {
    "centrality": 0.4,
    "bridging": 2.3,
    "silos": 0.1,
    "communities": 0.05,
    "introductions": 0.0,
}
#: Sections never computed in the child: ``bridging`` uses networkit (OpenMP).
HERE_ONLY = frozenset({"bridging"})
#: Smallest map, as nodes + ties, whose sections are split. Measured (CPU seconds on
#: the sections' critical path, one process / two, medians of 5): 1,000 people and
#: 5,000 ties 0.25 / 0.13, 2,000 / 10,000 0.40 / 0.33, 5,000 / 25,000 1.33 / 0.82,
#: 10,000 / 50,000 2.7 / 2.1 (50,000 / 250,000: 19.3 / 12.7). Below ~10,000 the gain
#: is a few hundredths of a second, no more than a fork of a large server process
#: and its copied pages may cost.
MIN_SIZE = 10_000
#: Part of a core that must be idle (by the load average) for a split: see
#: :func:`spare_core`.
SPARE = 0.5
#: Processes a report uses at most (this one and one child).
PROCESSES = 2
#: How long to wait for the child once this process's group is done: at least
#: ``MIN_WAIT`` seconds, else ``SLACK`` times what the child's group was expected to
#: take (this process's own time, scaled by :data:`COSTS`): see :func:`patience`.
MIN_WAIT = 10.0
SLACK = 3.0

_HEADER = struct.Struct("<Q")  # the length of the pickle that follows
_fork_lock = threading.Lock()  # one fork at a time: see _Child.start


def spare_core() -> bool:
    """Whether a core is free for the child: the load average of the last minute
    (which counts this process) leaves at least :data:`SPARE` of a core idle. On a
    busy machine a child only takes CPU time from this process and the others (the
    split costs about a sixth more CPU than one process: the child's own compiled copy
    of the graph, the rows' trip, copied pages), so it is not made."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average: assume none
        load = 0.0
    return load <= cores() - 1 + (1 - SPARE)


def cores() -> int:
    """The cores this process may run on (its affinity, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def plan(
    sections: Iterable[str], n: int, m: int, *, paths: dict | None, processes: int = PROCESSES
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """``(here, child)``: the sections this process and the child compute, or None
    when the report is made in one process.

    One process when: ``processes`` or the cores are fewer than 2, no core is spare
    (:func:`spare_core`), the map (``n`` nodes, ``m`` ties) is smaller than
    :data:`MIN_SIZE`, OpenMP may run threads, a
    section is unknown (:func:`graph_models.analysis.report.analyse` says so), or no
    split leaves both processes something. ``paths`` is what ``analyse`` is given:
    without it bridging needs the centrality section's betweenness, so both stay here.
    Of the splits left, the one whose slower side is expected quickest (by
    :data:`COSTS` and :data:`TRANSFER`) is chosen.
    """
    sections = tuple(dict.fromkeys(sections))
    if processes < 2 or n + m < MIN_SIZE or len(sections) < 2:
        return None
    if any(s not in COSTS for s in sections) or os.environ.get("OMP_NUM_THREADS") != "1":
        return None
    if cores() < 2 or not spare_core():
        return None
    pinned = set(HERE_ONLY)
    if paths is None and "bridging" in sections:
        pinned.add("centrality")
    movable = [s for s in sections if s not in pinned]
    best, best_time = None, sum(COSTS[s] for s in sections)
    for size in range(1, len(movable) + 1):
        for child in combinations(movable, size):
            here = tuple(s for s in sections if s not in child)
            if not here:
                continue
            slower = max(_cost(here), _cost(child) + sum(TRANSFER[s] for s in child))
            if slower < best_time:
                best, best_time = (here, child), slower
    return best


def _cost(group) -> float:
    return sum(COSTS[s] for s in group)


def patience(here: tuple[str, ...], child: tuple[str, ...], seconds_here: float) -> float:
    """Seconds to wait for the child after this process's group took ``seconds_here``:
    the child's group should take about ``seconds_here`` scaled by :data:`COSTS`
    (the machine's load slows both alike); :data:`SLACK` times that, at least
    :data:`MIN_WAIT`."""
    expected = seconds_here * (_cost(child) + sum(TRANSFER[s] for s in child)) / _cost(here)
    return max(MIN_WAIT, SLACK * expected)


def run(
    work: Callable[[tuple[str, ...]], dict],
    sections: Iterable[str],
    split: tuple[tuple[str, ...], tuple[str, ...]] | None,
) -> dict:
    """``{section: finished result}`` of every section, in the report's order.

    ``work(group)`` returns the finished results of a group of sections; with
    ``split`` (:func:`plan`) the child's group is computed by ``work`` in a forked
    child while this process computes its own, else all here. If the child fails or
    is late (:func:`patience`), its group is computed here after all.
    """
    if split is None:
        return work(tuple(sections))
    here, theirs = split
    child = _Child(work, theirs)
    try:
        child.start()
    except OSError:  # no fork (memory, process limits): all here
        log.warning("report sections %s: no child process: computed here", ", ".join(theirs))
        child.stop()
        return work(tuple(sections))
    try:
        started = time.perf_counter()
        mine = work(here)
        elapsed = time.perf_counter() - started
        got = child.result(patience(here, theirs, elapsed))
    finally:
        child.stop()
    if got is None:
        got = work(theirs)
    merged = {**mine, **got}
    return {s: merged[s] for s in SECTIONS if s in merged}


class _Child:
    """A forked child computing ``work(group)``, seen from here.

    The child writes its pickled result into a file in memory (``memfd``, made before
    the fork, so both hold it) and then its length into a pipe; this process polls the
    pipe once its own group is done, with a timeout, and reads the file in one call.
    No thread of this process reads while it computes: a reader thread woken for each
    64 KB of a pipe would take the interpreter's lock from the computing thread each
    time, and on a loaded machine wait for a core while holding it.
    """

    def __init__(self, work: Callable[[tuple[str, ...]], dict], group: tuple[str, ...]):
        self.work, self.group = work, group
        self.pid: int | None = None
        self.done: int | None = None  # the pipe's read end: the result's length, or EOF
        self.box: int | None = None  # the file in memory holding the result's pickle

    def start(self) -> None:
        """Fork. Under a lock, so that a report forking in another thread meanwhile
        does not give its child this pipe's write end (an ended child would then not
        be seen ending until that one ends too)."""
        with _fork_lock:
            self.box = _memory_file()
            self.done, w = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(w)
                raise
            if pid == 0:  # the child: never returns
                _child_main(self.work, self.group, self.done, w, self.box)
            os.close(w)
        self.pid = pid

    def result(self, timeout: float) -> dict | None:
        """The child's finished sections, or None (logged) if it failed or is not done
        within ``timeout`` seconds."""
        group = ", ".join(self.group)
        poll = select.poll()
        poll.register(self.done, select.POLLIN | select.POLLHUP)
        if not poll.poll(max(0, int(timeout * 1000))):
            log.warning(
                "report sections %s not done in a child process after %.1f s more: computed here",
                group,
                timeout,
            )
            return None
        header = os.read(self.done, _HEADER.size)
        if len(header) != _HEADER.size:
            code = self._reap()
            log.warning(
                "report sections %s: the child process ended without a result "
                "(exit code %s): computed here",
                group,
                code,
            )
            return None
        (size,) = _HEADER.unpack(header)
        try:
            data = _read_at(self.box, size)
            kind, value = pickle.loads(data)  # noqa: S301 - our own child's pickle
        except Exception:  # noqa: BLE001 - whatever it is, the sections are made here
            log.exception("report sections %s: unreadable result", group)
            return None
        if kind != "ok":
            log.warning(
                "report sections %s failed in a child process: computed here\n%s", group, value
            )
            return None
        return value

    def stop(self) -> None:
        """End the child if it still runs, reap it (no zombie is left), close the
        pipe and the file."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):  # ended already: reaped below
                os.kill(self.pid, signal.SIGKILL)
            self._reap()
        for fd in (self.done, self.box):
            if fd is not None:
                os.close(fd)
        self.done = self.box = None

    def _reap(self) -> int | None:
        """The child's exit code once it has ended (waits for it; minus the signal's
        number if a signal ended it), or None if it was already reaped."""
        if self.pid is None:
            return None
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        finally:
            self.pid = None
        return os.waitstatus_to_exitcode(status)


def _memory_file() -> int:
    """A file descriptor of an anonymous file in memory (deleted when closed)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("bridgemap-report-child", os.MFD_CLOEXEC)
    with tempfile.TemporaryFile() as f:  # pragma: no cover - not Linux
        return os.dup(f.fileno())


def _read_at(fd: int, size: int) -> bytes:
    """``size`` bytes of ``fd`` from its start."""
    chunks, done = [], 0
    while done < size:
        chunk = os.pread(fd, size - done, done)
        if not chunk:
            raise EOFError(f"the result ends at {done} of {size} bytes")
        chunks.append(chunk)
        done += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _child_main(work, group: tuple[str, ...], unused: int, done: int, box: int) -> None:
    """The forked child: compute, write the result's pickle (or the error's text) to
    ``box`` and its length to ``done``, and leave with ``os._exit`` whatever happens
    (see the module's notes); ``unused``: the pipe's read end, closed."""
    code = 1
    try:
        os.close(unused)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
            if callable(signal.getsignal(sig)):  # the server's handlers are not ours
                signal.signal(sig, signal.SIG_DFL)
        try:
            message = ("ok", work(group))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            message = ("error", "".join(traceback.format_exception(exc)))
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view, written = memoryview(data), 0
        while written < len(data):
            written += os.pwrite(box, view[written:], written)
        os.write(done, _HEADER.pack(len(data)))  # 8 bytes: one atomic write
        code = 0 if message[0] == "ok" else 1
    finally:
        os._exit(code)
