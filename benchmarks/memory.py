"""Peak memory of a process and its children, sampled from ``/proc``.

A cold report runs in a server process and, for large maps, a forked child
(:mod:`graph_models.report_split`) that shares most of its pages copy-on-write. The
figure that says whether the machine has room is the sum of their proportional set
sizes (Pss: each shared page counted once, split between the processes sharing it),
at its highest while the report is made. ``ru_maxrss`` cannot say it: it is one
process's own peak, with shared pages counted in full in each.
"""

from __future__ import annotations

import threading
from pathlib import Path


def pss_mb(pid: int) -> float:
    """The proportional set size of ``pid`` in MiB (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """``pid``'s children, their children, and so on (those alive now)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in task.read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


class PeakSampler:
    """Samples the summed Pss of ``pid`` and its descendants until stopped.

    Use as a context manager; ``peak_mb`` is the highest sum seen. ``interval`` is
    seconds between samples: a peak shorter than that can be missed, so the figure
    is a lower bound, close for a report whose peak lasts seconds.
    """

    def __init__(self, pid: int, interval: float = 0.02):
        self.pid, self.interval = pid, interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(pss_mb(p) for p in [self.pid, *descendants(self.pid)])
            self.peak_mb = max(self.peak_mb, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
