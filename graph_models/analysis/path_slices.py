"""One slice of exact betweenness and closeness, run in a helper process.

:func:`graph_models.analysis.paths.compute` with ``processes > 1`` spreads the
shortest-path searches of a large map over helper processes (a search from every
node: the sources split, python-igraph's C core in each), so both cores of a machine
work on one map.

A helper is this file run as a script (``python -P path_slices.py``): it imports
python-igraph and numpy only, not the project nor the caller's main module (which
``multiprocessing``'s spawn would run again in every helper), so it starts in a
fraction of a second and needs no ``if __name__ == "__main__"`` guard anywhere else.
It reads pickles on its standard input and writes pickles on its standard output:
first ``(n, edges)``, the graph, which it builds once (:func:`start`); then one
``(lo, hi)`` per slice of sources, to each of which it answers :func:`run`'s result.
It ends at the end of its input. It runs at a lower priority (``nice`` 10): it is
background work, and a request served on the same cores should not wait behind it.
"""

from __future__ import annotations

import os
import pickle
import sys

import igraph as ig
import numpy as np

_GRAPH: ig.Graph | None = None


def start(n: int, edges: np.ndarray) -> None:
    """This process's copy of the graph (``edges``: an (m, 2) array of vertex
    indices, undirected)."""
    global _GRAPH
    _GRAPH = ig.Graph(n=n, edges=np.asarray(edges).tolist(), directed=False)


def run(lo: int, hi: int) -> tuple[int, np.ndarray | None, list[float]]:
    """Sources ``lo..hi-1``: ``(lo, betweenness share of every vertex (None under
    three vertices), igraph's normalised closeness of vertices lo..hi-1)``."""
    g = _GRAPH
    if g is None:
        raise RuntimeError("path_slices.start was not called in this process")
    chunk = list(range(lo, hi))
    share = None
    if g.vcount() >= 3:
        share = np.asarray(g.betweenness(directed=False, sources=chunk), dtype=float)
    return lo, share, g.closeness(vertices=chunk, normalized=True)


def serve(inp=None, out=None) -> None:
    """The helper's loop (see the module's notes)."""
    inp = inp or sys.stdin.buffer
    out = out or sys.stdout.buffer
    start(*pickle.load(inp))  # noqa: S301 - the parent that started this helper
    while True:
        try:
            lo, hi = pickle.load(inp)  # noqa: S301 - the parent that started this helper
        except EOFError:
            return
        pickle.dump(run(lo, hi), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


if __name__ == "__main__":
    os.nice(10)  # background work: requests on the same cores go first
    serve()
