"""Server-side node positions, so the browser draws each page once with physics off.

* :func:`group_layout` (map view): each silo laid out on its own by Fruchterman-Reingold
  (igraph), the silos placed around a ring; nodes with ties to other silos pulled to
  the side of their silo that faces them.
* :func:`ego_layout` (ego view): the centre at the origin, each hop on its own ring.

Same input and seed, same positions: igraph's random numbers come from our seeded
generator (under a lock, since igraph's generator is process-wide).
"""

from __future__ import annotations

import math
import random
import threading

import igraph as ig
import networkx as nx
import numpy as np

from visualisations.labels import display_label, is_org, silo_of

_IGRAPH_RNG_LOCK = threading.Lock()


def _fr_unit(n: int, edges: list[tuple[int, int]], rng: np.random.Generator) -> np.ndarray:
    """Fruchterman-Reingold positions of a small graph, centred, scaled to ~unit disc.

    Exact FR (O(n²) per iteration) with an iteration count that keeps the cost bounded;
    igraph's grid variant beyond 600 nodes.
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    init = rng.uniform(-0.5, 0.5, (n, 2)) * math.sqrt(n)
    g = ig.Graph(n=n, edges=edges)
    exact = n <= 600
    niter = int(min(200, max(40, 6e6 / (n * n)))) if exact else 150
    # igraph's FR draws random numbers as it goes: give it our seeded generator so the
    # same graph always gets the same picture.
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(int(rng.integers(2**31))))
        try:
            coords = g.layout_fruchterman_reingold(seed=init.tolist(), niter=niter, grid=not exact)
        finally:
            ig.set_random_number_generator(random)
    return _normalise(np.asarray(coords.coords, dtype=float))


def _normalise(pos: np.ndarray, clip: float = 1.08) -> np.ndarray:
    pos = pos - np.median(pos, axis=0)
    r = np.hypot(pos[:, 0], pos[:, 1])
    scale = float(np.percentile(r, 97)) if len(r) > 2 else float(r.max())
    if scale <= 0:
        return pos
    pos /= scale
    r /= scale
    over = r > clip
    pos[over] *= (clip / r[over])[:, None]
    return pos


def group_layout(
    n: int, edges: list[tuple[int, int]], group: list[int], k: int, seed: int
) -> np.ndarray:
    """Each group laid out on its own (FR), groups placed around a ring in legend order.

    Nodes with ties to other groups are then pulled towards the side of their group
    facing those groups, so cross-silo ties stay short and boundary spanners sit on
    the rim where they can be seen. Cost: per-group FR, ~0.2 s for 2,000 nodes.
    """
    rng = np.random.default_rng(seed)
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    grp = np.asarray(group)
    members = [np.flatnonzero(grp == g) for g in range(k)]
    local_id = np.zeros(n, dtype=int)
    for m in members:
        local_id[m] = np.arange(len(m))
    inner: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    cross = []
    for a, b in edges:
        if group[a] == group[b]:
            inner[group[a]].append((local_id[a], local_id[b]))
        else:
            cross.append((a, b))
    spacing = 32.0 * min(2.5, max(1.0, (200 / n) ** 0.3))  # roomier when there are few
    radius = np.array([spacing * math.sqrt(max(len(m), 1)) for m in members])
    local = np.zeros((n, 2))
    for g, m in enumerate(members):
        if len(m):
            local[m] = _fr_unit(len(m), inner[g], rng)

    centres = _ring(radius, gap=spacing * 3)
    if cross:
        ca = np.asarray(cross)
        a, b = ca[:, 0], ca[:, 1]
        d = centres[grp[b]] - centres[grp[a]]
        d /= np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)[:, None]
        pull = np.zeros((n, 2))
        count = np.zeros(n)
        np.add.at(pull, a, d)
        np.add.at(pull, b, -d)
        np.add.at(count, a, 1)
        np.add.at(count, b, 1)
        degree = np.bincount(np.asarray(edges).ravel(), minlength=n).astype(float)
        has = count > 0
        frac = np.zeros(n)
        frac[has] = count[has] / degree[has]
        pull[has] /= count[has][:, None]
        local += 0.45 * (frac[:, None] ** 0.5) * pull
        r = np.hypot(local[:, 0], local[:, 1])
        over = r > 1.12
        local[over] *= (1.12 / r[over])[:, None]
    pos = centres[grp] + local * radius[grp][:, None]
    return pos


def _ring(radius: np.ndarray, gap: float) -> np.ndarray:
    """Centres for discs of the given radii placed around a circle without overlap."""
    k = len(radius)
    if k == 1:
        return np.zeros((1, 2))
    span = 2 * radius + gap
    big_r = max(span.sum() / (2 * math.pi), (radius.max() + gap) / math.sin(math.pi / k) / 2)
    big_r = max(big_r, float(radius.max()) + gap / 2)
    angles = (np.cumsum(span) - span / 2) / span.sum() * 2 * math.pi - math.pi / 2
    return np.column_stack([big_r * np.cos(angles), big_r * np.sin(angles)])


def ego_layout(E: nx.Graph, keep: list, distance: dict, silo_rank: dict[str, int]) -> np.ndarray:
    """Radial layout: the centre (``keep[0]``) at the origin, hop h on ring h.

    The first ring is ordered by silo (then organisations after people, then label),
    so each silo is one arc; each further node sits near the mean angle of its
    neighbours on the ring inside, so branches fan out. Crowded rings are staggered
    over three radii.
    """
    n = len(keep)
    pos = np.zeros((n, 2))
    if n <= 1:
        return pos
    index = {node: i for i, node in enumerate(keep)}
    angle = np.zeros(n)
    rings: dict[int, list[int]] = {}
    for node in keep[1:]:
        rings.setdefault(distance[node], []).append(index[node])
    gap = 58.0  # arc length per node on a ring
    radius = 0.0
    for hop in sorted(rings):
        ring = rings[hop]
        if hop == 1:
            attrs = [E.nodes[keep[i]] for i in ring]
            order = sorted(
                range(len(ring)),
                key=lambda j: (
                    silo_rank[silo_of(attrs[j])],
                    is_org(attrs[j]),
                    display_label(attrs[j]),
                ),
            )
            ring = [ring[j] for j in order]
            targets = None
        else:
            targets = {}
            for i in ring:
                inner = [angle[index[m]] for m in E[keep[i]] if distance.get(m) == hop - 1]
                targets[i] = math.atan2(
                    sum(math.sin(a) for a in inner), sum(math.cos(a) for a in inner)
                )
            ring = sorted(ring, key=lambda i: targets[i])
        count = len(ring)
        stagger = 3 if count > 60 else 1
        radius = max(radius + 170.0, count * gap / stagger / (2 * math.pi))
        start = -math.pi / 2 if targets is None else targets[ring[0]]
        for j, i in enumerate(ring):
            angle[i] = start + 2 * math.pi * j / count
            r = radius + (j % stagger) * 55.0
            pos[i] = (r * math.cos(angle[i]), r * math.sin(angle[i]))
    return pos
