"""Exact betweenness and closeness, the costly path measures, computed once per map version.

Betweenness and closeness need a shortest-path search from every node: their cost grows
with nodes x ties (python-igraph, one core here: ~3.5 s at 5,000 nodes / 25,000 ties,
~12-15 s at 10,000 / 50,000). A report must not present a sampled broker ranking as if
it were true (at 10,000 nodes, 4 in 5 of the sampled top 100 are not in the exact top
100), so these two are exact at every size:

* when the expected cost fits the cold-report budget (:func:`fits_inline`), the report
  computes them inside the request;
* otherwise they are computed in the background (:func:`compute`, in slices so other
  threads keep running), kept in the store per map version
  (:func:`to_payload` / :func:`from_payload`), and until then the report says they
  are being computed, with the time expected (:func:`pending`).

The values are kept aligned to the *sorted* node ids of the map as projected, so no id
is written with them (nothing personal in the stored result) and any store, worker or
process that projects the same version lines them up again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import networkx as nx

from graph_models.analysis.centrality import _components, _wf
from graph_models.analysis.fast import compiled
from graph_models.messages import Message

__all__ = [
    "INLINE_SECONDS",
    "compute",
    "expected_seconds",
    "fits_inline",
    "from_payload",
    "pending",
    "to_payload",
]

#: Nodes x ties that python-igraph gets through per second for exact betweenness plus
#: closeness on one core of the development machine (10,000 nodes x 50,000 ties in
#: ~14 s; 5,000 x 25,000 in ~3.5 s).
OPS_PER_SECOND = 3.5e7
#: The longest exact computation a request does itself: the rest of a 10,000-node
#: report takes ~2 s of the 3 s cold target.
INLINE_SECONDS = 1.0
#: Most sources per igraph call; fewer on large maps, so that one call (which holds
#: the interpreter lock) lasts about SLICE_SECONDS before ``pause`` lets others run.
SLICE = 64
SLICE_SECONDS = 0.02
#: Maps expected to take longer than this (one core) are shared among helper
#: processes when :func:`compute` is given more than one (starting them costs ~1 s).
PARALLEL_SECONDS = 3.0
#: About how long one slice handed to a helper process lasts.
PARALLEL_SLICE_SECONDS = 0.25
KIND = "paths"


def expected_seconds(n: int, m: int) -> float:
    """The expected time of exact betweenness and closeness for ``n`` nodes, ``m`` ties."""
    return n * m / OPS_PER_SECOND


def fits_inline(n: int, m: int, *, budget: float = INLINE_SECONDS) -> bool:
    """Whether a request may compute exact paths itself (by cost, not node count).

    >>> fits_inline(2_000, 10_000), fits_inline(10_000, 50_000)
    (True, False)
    """
    return expected_seconds(n, m) <= budget


def compute(G: nx.Graph, *, pause: Callable[[], None] | None = None, processes: int = 1) -> dict:
    """Exact betweenness and closeness of every node of ``G``, as networkx defines them.

    Parameters
    ----------
    G : networkx.Graph
        Undirected; hop distances (as :func:`graph_models.analysis.centrality.centrality`
        with ``distance=None``).
    pause : callable, optional
        Called between slices of sources, each about ``SLICE_SECONDS`` long (e.g.
        ``time.sleep(0)`` so request threads run, or a check that raises to abandon
        the work).
    processes : int
        Helper processes to share the sources among (:mod:`graph_models.analysis.
        path_slices`), for maps expected to take over :data:`PARALLEL_SECONDS`; 1
        (default): all in this process. With helpers, ``pause`` is called before
        each slice is handed out (slices of about :data:`PARALLEL_SLICE_SECONDS`,
        at most ``processes`` out at a time), and the helpers are ended when it
        raises.

    Returns
    -------
    dict
        ``{"betweenness": {node: float}, "closeness": {node: float}, "seconds": float}``,
        equal to ``nx.betweenness_centrality(G)`` and ``nx.closeness_centrality(G)``
        (the tests prove it to 1e-9).

    Notes
    -----
    Betweenness is the sum over source slices of igraph's subset betweenness
    (``sources=``, all targets): on an undirected graph it counts each unordered pair
    once, as igraph's full betweenness does, and is then normalised as networkx does.
    Closeness is igraph's per-vertex closeness with the Wasserman-Faust correction.
    With helper processes the slices' shares are added in the order of their sources,
    as in one process, so the result does not depend on which helper finished first.

    Examples
    --------
    >>> r = compute(nx.path_graph(["a", "b", "c"]))
    >>> r["betweenness"], r["closeness"]["b"]
    ({'a': 0.0, 'b': 1.0, 'c': 0.0}, 1.0)
    """
    start = time.perf_counter()
    g, nodes = compiled(G)
    n = len(nodes)
    total = [0.0] * n
    closeness = [0.0] * n
    size = [0] * n
    for comp in _components(g.connected_components().membership):
        for i in comp:
            size[i] = len(comp)
    if processes > 1 and expected_seconds(n, g.ecount()) > PARALLEL_SECONDS:
        total = _in_processes(g, processes, closeness, pause)
    else:
        step = max(1, min(SLICE, int(SLICE_SECONDS * OPS_PER_SECOND / max(g.ecount(), 1))))
        for lo in range(0, n, step):
            chunk = list(range(lo, min(lo + step, n)))
            if n >= 3:
                part = g.betweenness(directed=False, sources=chunk)
                total = [a + b for a, b in zip(total, part, strict=True)]
            for i, c in zip(chunk, g.closeness(vertices=chunk, normalized=True), strict=True):
                closeness[i] = c
            if pause is not None:
                pause()
    closeness = [_wf(c, size[i], n) for i, c in enumerate(closeness)]
    scale = 2.0 / ((n - 1) * (n - 2)) if n >= 3 else 0.0
    return {
        "betweenness": {v: b * scale for v, b in zip(nodes, total, strict=True)},
        "closeness": dict(zip(nodes, closeness, strict=True)),
        "seconds": time.perf_counter() - start,
    }


def _in_processes(g, processes: int, closeness: list, pause) -> list[float]:
    """Betweenness sums of ``g`` from helper processes (see :func:`compute`); fills
    ``closeness`` with igraph's normalised closeness.

    Slice ``k`` goes to helper ``k mod processes``, one slice out per helper at a
    time, and the answers are read in the order of the slices, so the sums are added
    in the order of the sources whichever helper is faster. The helpers are ended
    whatever happens (``pause`` raising, a helper failing).
    """
    import pickle
    import subprocess
    import sys

    import numpy as np

    from graph_models.analysis import path_slices

    n, m = g.vcount(), g.ecount()
    step = max(1, int(PARALLEL_SLICE_SECONDS * OPS_PER_SECOND / max(m, 1)))
    slices = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    total = np.zeros(n)
    helpers = []
    try:
        for _ in range(min(processes, len(slices))):
            helper = subprocess.Popen(  # noqa: S603 - this interpreter, this project's file
                [sys.executable, "-P", path_slices.__file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            helpers.append(helper)
            pickle.dump((n, edges), helper.stdin, protocol=pickle.HIGHEST_PROTOCOL)

        def hand_out(k: int) -> None:
            if pause is not None:
                pause()
            helper = helpers[k % len(helpers)]
            pickle.dump(slices[k], helper.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            helper.stdin.flush()

        for k in range(len(helpers)):
            hand_out(k)
        for k in range(len(slices)):
            answer = helpers[k % len(helpers)].stdout
            lo, share, values = pickle.load(answer)  # noqa: S301 - our own helper
            if k + len(helpers) < len(slices):
                hand_out(k + len(helpers))
            if share is not None:
                total += share
            closeness[lo : lo + len(values)] = values
    except (EOFError, BrokenPipeError, pickle.UnpicklingError) as failed:
        raise RuntimeError("a helper process of exact paths ended early") from failed
    finally:
        for helper in helpers:
            helper.kill()
            helper.wait()
            for stream in (helper.stdin, helper.stdout):
                with contextlib.suppress(OSError):  # a slice still buffered: a dead pipe
                    stream.close()
    return total.tolist()


def to_payload(result: dict) -> dict:
    """``result`` of :func:`compute` as JSON with no node ids: values by sorted id."""
    order = sorted(result["betweenness"], key=str)
    return {
        "kind": KIND,
        "nodes": len(order),
        "betweenness": [result["betweenness"][v] for v in order],
        "closeness": [result["closeness"][v] for v in order],
        "seconds": round(result["seconds"], 3),
    }


def from_payload(payload: dict, G: nx.Graph) -> dict | None:
    """The stored values put back on the nodes of ``G`` (None if they do not fit it)."""
    order = sorted(G, key=str)
    if payload.get("kind") != KIND or payload.get("nodes") != len(order):
        return None
    return {
        "betweenness": dict(zip(order, payload["betweenness"], strict=True)),
        "closeness": dict(zip(order, payload["closeness"], strict=True)),
        "seconds": payload.get("seconds"),
    }


def pending(
    n: int,
    m: int,
    *,
    started: float | None = None,
    now: float | None = None,
    processes: int = 1,
) -> dict:
    """What the report says while exact paths are computed in the background.

    ``expected_seconds``: the time still expected (from ``started``, a timestamp, when
    the computation has begun), at least 1; shared among ``processes`` when the
    computation is (:func:`compute`).

    >>> p = pending(10_000, 50_000)
    >>> p["status"], p["expected_seconds"], str(p["message"])
    ('computing', 14, 'being computed: ready in about 14 seconds')
    """
    expected = expected_seconds(n, m)
    if processes > 1 and expected > PARALLEL_SECONDS:
        expected /= processes
    if started is not None and now is not None:
        expected -= max(now - started, 0.0)
    seconds = max(1, round(expected))
    return {
        "status": "computing",
        "expected_seconds": seconds,
        "message": Message("analysis.paths_pending", num=seconds),
    }
