"""Pausing Python's cyclic garbage collector while a report is made.

A cold report of a 10,000-person map allocates about a million small objects (graph
dicts, rows, JSON-ready values) that stay alive until the report is done. Each time
the collector's thresholds are crossed it walks the young objects, and now and then
*every* tracked object of the process: measured at 10,000 nodes, the collector took
a third to a half of the report's CPU time, and more the larger the process's heap
(which is why a second cold report in a process that already held one was slower
than the first). Nothing of a report needs the cycle collector to run meanwhile
(reference counting frees what the report drops; the few cycles, such as a dropped
networkx graph, are collected once the collector is back on), so it is paused for
the report's duration.

A networkx graph is a reference cycle once its ``edges`` or ``degree`` view has been
used (the view is cached on the graph and refers back to it), so a dropped graph would
wait for the collector, and with it every dict and list of its nodes and ties: ~300,000
objects at 10,000 nodes, which the first collection after the report then has to
find. :func:`release_graph` breaks that cycle, so the graph is freed as soon as it is
dropped.

Threads: the collector is process-wide, so the pause is counted: it is switched back
on when the last of the overlapping reports ends, and never switched on if it was off
before the first began (a caller that turned it off keeps it off).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "release_graph"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (see the module's notes).

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def release_graph(G) -> None:
    """Drop the views cached on a networkx graph that refer back to it (``edges``,
    ``degree``, ...), so that it is freed by reference counting when the last reference
    to it goes (see the module's notes). The graph stays usable: a view is made again
    when next asked for.

    >>> import networkx as nx
    >>> G = nx.path_graph(3)
    >>> _ = G.edges, G.degree
    >>> release_graph(G)
    >>> sorted(k for k in vars(G) if getattr(vars(G)[k], "_graph", None) is G)
    []
    >>> list(G.edges)
    [(0, 1), (1, 2)]
    """
    cached = vars(G)
    for key in [k for k, view in cached.items() if getattr(view, "_graph", None) is G]:
        del cached[key]
