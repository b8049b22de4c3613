"""What the machine was doing while a benchmark ran.

Machines here have 2 cores and are shared: a table of times means little without the
load it was measured under, so each benchmark prints the load average at its start
and end beside its table.
"""

from __future__ import annotations

import os


def load_summary(start: tuple[float, float, float]) -> str:
    """The CPU count and the 1- and 5-minute load averages at ``start`` (an earlier
    ``os.getloadavg()``) and now."""
    now = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs; load average (1 min / 5 min) {start[0]:.1f} / "
        f"{start[1]:.1f} at the start, {now[0]:.1f} / {now[1]:.1f} at the end"
    )
