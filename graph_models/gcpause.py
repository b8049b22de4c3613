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

When the collector is switched back on, everything the report allocated is still in
the young generation (nothing was collected meanwhile), so the first allocation after
would make the collector walk it all: every row of the report just made, ~0.5 s at
50,000 people, inside the request. Instead the survivors are moved to the oldest
generation at once (:func:`gc.freeze` then :func:`gc.unfreeze`, two list splices),
where they are walked only by the next full collection, as they would be after
surviving the young ones; cycles among them are still collected then. This is skipped
when objects were frozen before (a server that freezes its heap before forking
workers keeps it frozen).

A report's graph is dropped by :func:`release_later`: freeing a 50,000-node graph
(half a million dicts) took ~0.6 s, which the request would otherwise wait for before
its answer is sent. A background thread frees it a node at a time instead, so it
never holds the interpreter's lock for more than a moment.

Threads: the collector is process-wide, so the pause is counted: it is switched back
on when the last of the overlapping reports ends, and never switched on if it was off
before the first began (a caller that turned it off keeps it off).
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "release_graph", "release_later", "released"]

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
                if gc.get_freeze_count() == 0:
                    gc.freeze()  # the young generation, unwalked, into the oldest
                    gc.unfreeze()
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


_dropped: queue.SimpleQueue = queue.SimpleQueue()
_releaser: threading.Thread | None = None
_releaser_lock = threading.Lock()
_pending = 0  # graphs handed over and not yet freed
_idle = threading.Condition(_releaser_lock)


def release_later(G) -> None:
    """Hand the graph ``G`` (the caller's last use of it) to a background thread that
    empties it a node at a time (see the module's notes), after releasing its views
    (:func:`release_graph`). The caller must not use the graph again; the empty
    graph object itself goes with the last reference to it.

    >>> import networkx as nx, weakref
    >>> G = nx.path_graph(3); alive = weakref.ref(G)
    >>> release_later(G); del G
    >>> released(timeout=5), alive()
    (True, None)
    """
    global _releaser, _pending
    release_graph(G)
    with _releaser_lock:
        _pending += 1
        if _releaser is None or not _releaser.is_alive():
            _releaser = threading.Thread(
                target=_release_loop, name="bridgemap-release", daemon=True
            )
            _releaser.start()
    _dropped.put(G)


def released(timeout: float | None = None) -> bool:
    """Wait until every graph handed to :func:`release_later` is freed (tests, and
    benchmarks that measure memory); False if ``timeout`` seconds passed first."""
    with _idle:
        return _idle.wait_for(lambda: _pending == 0, timeout)


def _release_loop() -> None:
    global _pending
    while True:
        G = _dropped.get()
        try:
            _empty(G)
        finally:
            del G
            with _idle:
                _pending -= 1
                _idle.notify_all()


def _empty(G) -> None:
    """Drop ``G``'s nodes and ties a node at a time: each step frees one node's dicts
    (and the ties it held the last reference to), a moment's work between which other
    threads take the interpreter's lock."""
    for name in ("_adj", "_pred", "_succ", "_node"):
        table = vars(G).get(name)
        if isinstance(table, dict):
            vars(G)[name] = {}  # the graph is now empty; the old table is freed below
            while table:
                table.popitem()
            del table
    G.graph.clear()
