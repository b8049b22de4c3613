"""Cross-silo report speed: the whole report through the HTTP API, cold and cached.

Synthetic partnership networks: a stochastic block model (networkx, seeded) of 10 silos
of equal size, average degree ~10, 20% of ties across silos, with ``--weak-pairs``
silo pairs given no ties at all (so the introductions section has work to do, as on a
real map where, say, police and faith groups never meet). 15% of people are
anonymised and 2% hidden, so the consent relabelling and redaction do real work. Each
network is written into a fresh embedded store (``bulk_upsert``: people with their
silo, ties of kind ``knows`` with strength 1-5), then, through Flask's test client with
the operator's token (a coordinator's full report):

* **cold**: ``GET /api/v1/maps/<id>/analysis`` on a freshly created app (empty caches),
  as a first reader meets it. Betweenness and closeness are exact at every size: in
  the request when nodes x ties fit the budget (1,000 and 2,000 nodes), else the
  report says "being computed" while the app's background worker computes them. So
  the cold runs of a large map are made with the stored result deleted first
  ("cold, computing"), and again once it is kept ("cold, exact": a new worker
  process or a restart reads it from the store). Medians of ``--cold-repeat`` runs.
* **background**: seconds from the first cold request until the exact result is kept
  (the worker yields to requests, so this includes the request's own time).
* **breakdown** of the cold requests (the pipeline's functions wrapped in timers).
* **cached**: the same request again on the same app (median and p95 of
  ``--cached-repeat``; pages are encoded once per map version).
* **peak memory**: what a server holds to make the report, measured in a new process
  that serves only the cold request (:mod:`memory`: the summed proportional set size
  of that process and the report's forked child, sampled every 20 ms): once while the
  exact paths are being computed, until the background worker has kept them, and
  once with them kept; the larger of the two. (This benchmark's own process holds
  far more: the generated network, networkx's baselines.)
* **baseline**, same graph, same run: what a user would otherwise run, plain networkx:
  exact betweenness and closeness, ``nx.local_bridges(with_span=True)``,
  ``nx.constraint``, ``nx.effective_size`` and Louvain. Measured at or below
  ``--baseline-max`` nodes (2,000 by default); above it the slow ones are
  extrapolated from the largest measured size by nodes x ties (effective size: n^2, its
  dense matrix) and marked ``~``. "ratio" = baseline seconds / cold seconds.
* **correctness**: the report's betweenness equals networkx exact (<= 2,000 nodes) or
  igraph's unsliced exact betweenness (larger), to 1e-9; and how a *sampled* ranking
  (k=256, networkx's estimator) would have compared with the exact one: Spearman rho
  over the exact top 100 and the overlap of the two top-100 sets.

Targets (DESIGN section 7, issue #16): cold <= 3 s at 10,000 people / 50,000 ties and
<= 10 s at 50,000 / 250,000; cached p95 < 50 ms (10k) and < 100 ms (50k); exact
betweenness ready within ~20 s of a write at 10k; peak memory at 50k < 1.5 GB.

    .venv/bin/python benchmarks/analysis.py                 # 1,000, 2,000 and 10,000
    .venv/bin/python benchmarks/analysis.py --large         # and 50,000
    .venv/bin/python benchmarks/analysis.py --sizes 1000 --cold-repeat 5
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
from machine import load_summary  # noqa: E402
from memory import PeakSampler  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from graph_models import report_split, reporting  # noqa: E402
from graph_models.analysis import report  # noqa: E402
from graph_models.analysis.centrality import centrality  # noqa: E402
from graph_models.analysis.fast import to_igraph  # noqa: E402
from graph_models.model import (  # noqa: E402
    DEFAULT_SILOS,
    Map,
    Person,
    Relationship,
    Silo,
    Visibility,
)
from graph_models.store.embedded import EmbeddedStore  # noqa: E402

SILOS = (*DEFAULT_SILOS, ("faith groups", "#808000"))  # 10 silos
DEFAULT_SIZES = (1_000, 2_000, 10_000)
LARGE = 50_000
TARGETS = {  # nodes -> (cold s, cached p95 ms, peak MB)
    10_000: (3.0, 50.0, None),
    50_000: (10.0, 100.0, 1536.0),
}
BASELINE_MAX = 2_000
TOP = 100
TOLERANCE = 1e-9
SECRET = "bench"
K = 256
#: The operator token of the benchmark apps: the report is asked for with full access
#: (as a coordinator sees it: no small-group suppression).
ADMIN_TOKEN = "bench-operator-token-" + "x" * 24  # noqa: S105 - a throwaway test token

#: (module or class, attribute, label): wrapped in timers during the cold requests.
#: ``map_report`` and ``analyse`` are totals; the rest are their parts.
PROBES = (
    (reporting, "map_report", "map_report"),
    (EmbeddedStore, "graph", "store read"),
    # the report's graph is built once on public ids (reporting.public_projection):
    # projection = gathering the ties + putting them on the relabelled nodes
    (reporting, "gather", "projection"),
    (reporting, "add_ties", "projection"),
    (reporting, "public_graph", "relabel (consent)"),
    # exact betweenness and closeness: read as kept, or computed in the request (small maps)
    (reporting, "resolve_paths", "exact paths"),
    (reporting, "analyse", "analyse"),
    (report, "centrality_section", "centrality"),
    (report, "bridging_section", "bridging"),
    (report, "silo_report", "silos"),
    (report, "hidden_silos", "communities"),
    (report, "suggest_introductions", "introductions"),
    (reporting, "redact", "redact"),
    # a large map's sections may be made in a forked child (graph_models.report_split):
    # this process's wait for it, once its own sections are done
    (report_split._Child, "result", "wait for the child"),
)
#: What a probe times in the forked child is sent back through a file and kept under
#: its label plus this (in parallel with this process: not part of the request's sum).
IN_CHILD = " (child)"
SECTION_LABELS = ("centrality", "bridging", "silos", "communities", "introductions")


# -- the synthetic network -------------------------------------------------------------


def partnership(n: int, *, avg_degree: float, cross_share: float, weak_pairs: int, seed: int):
    """People and ``knows`` ties of a 10-silo stochastic block model of ``n`` people."""
    blocks = len(SILOS)
    sizes = [n // blocks] * blocks
    sizes[-1] += n - sum(sizes)
    size = sizes[0]
    p_in = avg_degree * (1 - cross_share) / max(size - 1, 1)
    # cross ties spread over the silo pairs that have any, keeping the cross share
    pairs = [(i, j) for i in range(blocks) for j in range(i + 1, blocks)]
    silent = set(random.Random(seed).sample(pairs, weak_pairs)) if weak_pairs else set()
    links = (blocks - 1) - 2 * len(silent) / blocks  # tied silos per silo, on average
    p_out = avg_degree * cross_share / max(links * size, 1)
    probs = [
        [
            p_in if i == j else 0.0 if (min(i, j), max(i, j)) in silent else p_out
            for j in range(blocks)
        ]
        for i in range(blocks)
    ]
    B = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
    rng = random.Random(seed)
    people = []
    for v, attrs in B.nodes(data=True):
        draw = rng.random()
        visibility = (
            Visibility.HIDDEN
            if draw < 0.02
            else Visibility.ANONYMISED
            if draw < 0.17
            else Visibility.NAMED
        )
        silo = SILOS[attrs["block"]][0]
        people.append(Person(f"p{v}", f"Person {v}", silo, visibility=visibility))
    ties = [
        Relationship(f"t{i}", f"p{u}", f"p{v}", "knows", rng.randint(1, 5))
        for i, (u, v) in enumerate(B.edges())
    ]
    return people, ties


def load(store: EmbeddedStore, map_id: str, people, ties) -> None:
    store.create_map(Map(map_id, f"Benchmark {map_id}", silos=[Silo(s, c) for s, c in SILOS]))
    store.bulk_upsert(map_id, people, ties)


# -- timing the pipeline from inside the request -------------------------------------


class Probe:
    """Wraps named functions in timers; keeps the last result of those in ``keep``.

    Only small results are kept: anything held here during the cached requests would
    make the garbage collector's full passes slower than they are in a real server.
    """

    def __init__(self, keep=("centrality",)):
        self.keep = set(keep)
        self.seconds: dict[str, float] = defaultdict(float)
        self.results: dict[str, object] = {}
        self.pid = os.getpid()
        # the forked child's timings: a file, as its memory is its own
        fd, self.child_log = tempfile.mkstemp(prefix="bridgemap-probe-", suffix=".txt")
        os.close(fd)
        atexit.register(os.unlink, self.child_log)

    def reset(self) -> None:
        self.seconds.clear()
        self.results.clear()
        Path(self.child_log).write_text("")

    def collect(self) -> dict[str, float]:
        """The timings of this process and (under ``label + IN_CHILD``) of the child."""
        seconds = dict(self.seconds)
        for line in Path(self.child_log).read_text().splitlines():
            label, secs = line.rsplit("\t", 1)
            seconds[label + IN_CHILD] = seconds.get(label + IN_CHILD, 0.0) + float(secs)
        return seconds

    def _wrap(self, fn, label):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if threading.current_thread() is not threading.main_thread():
                return fn(*args, **kwargs)  # the background worker: not the request's time
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            elapsed = time.perf_counter() - start
            if os.getpid() != self.pid:  # the report's forked child
                with open(self.child_log, "a") as f:
                    f.write(f"{label}\t{elapsed}\n")
                return out
            self.seconds[label] += elapsed
            if label in self.keep:
                self.results[label] = out
            return out

        return timed

    @contextmanager
    def installed(self):
        originals = []
        try:
            for owner, name, label in PROBES:
                original = getattr(owner, name)  # AttributeError: the pipeline changed
                originals.append((owner, name, original))
                setattr(owner, name, self._wrap(original, label))
            yield self
        finally:
            for owner, name, original in reversed(originals):
                setattr(owner, name, original)


def fresh_app(db_path: Path):
    from service.app import create_app

    return create_app(
        {
            "DATABASE": str(db_path),
            "SECRET_KEY": SECRET,
            "TESTING": True,
            "ADMIN_TOKEN": ADMIN_TOKEN,
        }
    )


def get_report(client, url: str):
    response = client.get(url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.get_data(as_text=True)}")
    return response


def forget_results(db_path: Path) -> None:
    """Delete the stored exact results, as before the first request after a write."""
    db = sqlite3.connect(db_path)
    try:
        db.execute("DELETE FROM analysis_results")
        db.execute("DELETE FROM analysis_leases")
        db.commit()
    finally:
        db.close()


def cold_request(db_path: Path, url: str, probe: Probe, *, keep_app=False):
    """One request on a fresh app; ``(seconds, parts, body bytes, app or None)``."""
    app = fresh_app(db_path)
    client = app.test_client()
    probe.reset()
    with probe.installed():
        start = time.perf_counter()
        response = get_report(client, url)
        elapsed = time.perf_counter() - start
    seconds = probe.collect()
    inner = ("store read", "projection", "relabel (consent)", "exact paths", "analyse", "redact")
    inner += ("wait for the child",)
    seconds["labels, assembly"] = seconds["map_report"] - sum(seconds.get(x, 0) for x in inner)
    seconds["HTTP, cache, paging, JSON"] = elapsed - seconds["map_report"]
    seconds["request"] = elapsed
    data = response.data
    if keep_app:
        return elapsed, seconds, data, app, start
    close_app(app)
    return elapsed, seconds, data, None, start


def close_app(app) -> None:
    worker = app.extensions.get("bridgemap.background")
    if worker is not None:
        worker.shutdown(wait=True)
    app.extensions["bridgemap.store"].close()


def measure_requests(
    db_path: Path, map_id: str, cold_repeat: int, cached_repeat: int, log, wait_max=3600.0
):
    """Cold requests (computing, then exact), the background time, cached requests."""
    url = f"/api/v1/maps/{map_id}/analysis"
    probe = Probe(keep=())
    out: dict = {"computing": [], "exact": [], "parts": defaultdict(list)}
    # 1. cold while the exact paths are being computed (large maps), else cold exact
    first = None
    for run in range(cold_repeat):
        forget_results(db_path)
        last = run == cold_repeat - 1
        elapsed, parts, data, app, start = cold_request(db_path, url, probe, keep_app=last)
        body = json.loads(data)
        pending = "pending" in body["centrality"]
        (out["computing"] if pending else out["exact"]).append(elapsed)
        for label, secs in parts.items():
            out["parts"][label].append(secs)
        if last:
            first = (app, start, pending, body)
    app, start, pending, body = first
    worker = app.extensions["bridgemap.background"]
    if pending and not worker.wait(timeout=wait_max):
        log(f"  the background exact betweenness was not ready in {wait_max:g} s: stopped")
        out["background"] = ("not ready", wait_max)
        pending = False  # measure the cached report while being computed, below
        body = {"centrality": {}}
    if pending:
        ready_after = time.perf_counter() - start
        outcome = [f for f in worker.finished if f[2] == "saved"]
        out["background"] = (ready_after, outcome[-1][3] if outcome else float("nan"))
        close_app(app)
        # 2. cold once the exact result is kept (another worker, or after a restart)
        for _ in range(cold_repeat):
            elapsed, parts, data, app_, _ = cold_request(db_path, url, probe)
            out["exact"].append(elapsed)
        body = json.loads(data)
        app = fresh_app(db_path)
        get_report(app.test_client(), url)
    if "pending" in body["centrality"] and out.get("background") is None:
        raise RuntimeError("the exact result was not served once kept")
    # 3. cached: the same request again on the same app
    client = app.test_client()
    get_report(client, url)
    cached = []
    for _ in range(cached_repeat):
        t = time.perf_counter()
        get_report(client, url)
        cached.append(time.perf_counter() - t)
    rows, method, offset = [], None, 0
    while True:  # every centrality row, a page of 1,000 at a time
        page = json.loads(get_report(client, f"{url}/centrality?limit=1000&offset={offset}").data)
        rows += page["centrality"]["nodes"]
        method = page["centrality"]["method"]["betweenness"]
        offset += 1000
        if offset >= page["centrality"]["nodes_total"]:
            break
    out["bytes"] = len(get_report(client, url).data)
    close_app(app)
    out["cached"] = cached
    out["parts"] = {label: statistics.median(v) for label, v in out["parts"].items()}
    out["betweenness"] = {r["node"]: r["betweenness"] for r in rows}
    out["method"] = method
    return out


def analysed_graph(db_path: Path, map_id: str):
    """The graph the report analysed, rebuilt the same way (same nodes, same order)."""
    store = EmbeddedStore(db_path)
    try:
        return reporting.build_public_graph(
            store, map_id, as_of=date.today(), group_by="silo", secret=SECRET.encode()
        )
    finally:
        store.close()


# -- baselines and correctness ---------------------------------------------------------


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def igraph_exact(G: nx.Graph) -> dict:
    """Exact betweenness by python-igraph in one call, normalised as networkx does."""
    g, nodes = to_igraph(G)
    n = len(nodes)
    scale = 2.0 / ((n - 1) * (n - 2))
    return {v: b * scale for v, b in zip(nodes, g.betweenness(directed=False), strict=True)}


def top_agreement(sampled: dict, exact: dict) -> tuple[float, int]:
    """Spearman rho over the top-``TOP`` exact nodes, and the overlap of both top sets."""
    top_exact = sorted(exact, key=lambda v: (-exact[v], v))[:TOP]
    top_sampled = sorted(sampled, key=lambda v: (-sampled[v], v))[:TOP]
    rho = spearmanr([exact[v] for v in top_exact], [sampled[v] for v in top_exact]).statistic
    return float(rho), len(set(top_exact) & set(top_sampled))


#: networkx baseline parts: label -> (function, how it scales when extrapolated)
BASELINE = {
    "betweenness": (lambda G: nx.betweenness_centrality(G), "nm"),
    "closeness": (lambda G: nx.closeness_centrality(G), "nm"),
    "local bridges+span": (lambda G: list(nx.local_bridges(G, with_span=True)), "nm"),
    "constraint": (lambda G: nx.constraint(G, weight="strength"), "measure"),
    "effective size": (lambda G: nx.effective_size(G), "n2"),
    "Louvain": (lambda G: nx.community.louvain_communities(G, seed=0), "measure"),
}


def baseline(G: nx.Graph, measured: dict, max_n: int, log) -> dict:
    """Seconds of each networkx part; ``(seconds, True)`` when extrapolated."""
    n, m = len(G), G.number_of_edges()
    out = {}
    for label, (fn, scaling) in BASELINE.items():
        if n <= max_n or scaling == "measure":
            log(f"  baseline: networkx {label} ...")
            secs, _ = timed(lambda fn=fn: fn(G))
            out[label] = (secs, False)
            measured.setdefault(label, []).append((n, m, secs))
            continue
        ref = max(measured.get(label, []), default=None)
        if ref is None:
            out[label] = (float("nan"), True)
            continue
        n0, m0, s0 = ref
        factor = (n * m) / (n0 * m0) if scaling == "nm" else (n / n0) ** 2
        out[label] = (s0 * factor, True)
    return out


def memory_probe(db_path: Path, map_id: str, computing: bool, wait_max: float) -> None:
    """This process as a fresh server: one cold report (and, ``computing``, the
    background computation it starts, to its end). Run by :func:`report_peak_mb`."""
    if computing:
        forget_results(db_path)
    app = fresh_app(db_path)
    get_report(app.test_client(), f"/api/v1/maps/{map_id}/analysis")
    if computing and not app.extensions["bridgemap.background"].wait(timeout=wait_max):
        os._exit(0)  # measured as far as it went; do not wait for the worker
    close_app(app)


def report_peak_mb(db_path: Path, map_id: str, computing: bool, wait_max: float) -> float:
    """The peak summed Pss (MiB) of a new process serving one cold report."""
    command = [sys.executable, __file__, "--memory-probe", str(db_path), map_id]
    command += ["--wait-max", str(wait_max)] + (["--computing"] if computing else [])
    process = subprocess.Popen(command)
    with PeakSampler(process.pid) as sampler:
        if process.wait() != 0:
            raise RuntimeError(f"the memory probe failed: {' '.join(command)}")
    return sampler.peak_mb


# -- one size ----------------------------------------------------------------------------


def run_size(n: int, tmp: Path, args, log, measured: dict) -> dict:
    start = time.perf_counter()
    people, ties = partnership(
        n,
        avg_degree=args.avg_degree,
        cross_share=args.cross_share,
        weak_pairs=args.weak_pairs,
        seed=args.seed,
    )
    db_path = tmp / f"bench-{n}.sqlite3"
    map_id = f"sbm-{n}"
    store = EmbeddedStore(db_path)
    try:
        load(store, map_id, people, ties)
    finally:
        store.close()
    del people, ties  # a server holds no such lists: keep the heap as a server's
    log(f"{n:,} nodes: generated and stored in {time.perf_counter() - start:.1f} s")

    res = measure_requests(
        db_path, map_id, args.cold_repeat, args.cached_repeat, log, wait_max=args.wait_max
    )
    G = analysed_graph(db_path, map_id)
    ours = res["betweenness"]
    cached = sorted(res["cached"])
    row = {
        "n": n,
        "nodes": G.number_of_nodes(),
        "ties": G.number_of_edges(),
        "computing": statistics.median(res["computing"]) if res["computing"] else None,
        "exact": statistics.median(res["exact"]) if res["exact"] else None,
        "runs": len(res["exact"]),
        "background": res.get("background"),
        "cached_ms": 1000 * statistics.median(cached),
        "cached_p95_ms": 1000 * cached[min(len(cached) - 1, math.ceil(0.95 * len(cached)) - 1)],
        "kb": res["bytes"] / 1000,
        "parts": res["parts"],
        "source": res["method"].get("source", res["method"]["method"]),
        "peak_mb": None,
        "notes": [],
    }
    log(f"  cold {row['computing']} (computing) / {row['exact']} s (exact)")
    log("  peak memory of a new process serving the cold report ...")
    peaks = {"exact kept": report_peak_mb(db_path, map_id, False, args.wait_max)}
    if row["computing"] is not None:
        peaks["computing, to the end"] = report_peak_mb(db_path, map_id, True, args.wait_max)
    row["peak_mb"] = max(peaks.values())
    row["notes"].append(
        "peak memory (Pss of the serving process and its forked child): "
        + "; ".join(f"{label} {mb:,.0f} MB" for label, mb in peaks.items())
    )
    parts = baseline(G, measured, args.baseline_max, log)
    row["baseline"] = parts
    row["baseline_s"] = sum(s for s, _ in parts.values())
    row["baseline_est"] = any(est for _, est in parts.values())
    if row["exact"] is None or n > args.check_max:
        row["rank"] = "not checked"
        row["notes"].append(f"exact values not checked above {args.check_max:,} nodes")
        return row

    # correctness of the exact values: networkx at small sizes, igraph unsliced above
    if n <= args.baseline_max:
        reference, source = nx.betweenness_centrality(G), "networkx exact"
    else:
        log("  igraph exact betweenness (one call) for the check ...")
        seconds, reference = timed(lambda: igraph_exact(G))
        source = "igraph exact (one call)"
        bg = row["background"]
        if bg and bg[0] != "not ready":  # the background's baseline, in this run
            row["notes"].append(
                f"background: ready {bg[0]:.1f} s after the first request, against "
                f"{seconds:.1f} s for igraph's exact betweenness in one call on one core "
                f"here ({bg[0] / seconds:.2f}x; the issue's ~20 s target was set when "
                "that call took 11-13 s)"
            )
    public = [v for v in G if v in ours]
    diff = max(abs(ours[v] - reference[v]) for v in public)
    row["ok"] = diff <= TOLERANCE
    row["notes"].append(f"betweenness vs {source}: max |diff| {diff:.1e} (<= {TOLERANCE:g})")
    # what a sampled ranking would have shown
    sampled = centrality(G, exact_threshold=0, k=K, seed=0)["betweenness"]
    rho, overlap = top_agreement(sampled, reference)
    row["rank"] = f"rho {rho:.2f}, {overlap}/{TOP}"
    row["notes"].append(
        f"a sampled ranking (k={K}) against the exact one: Spearman rho over the exact "
        f"top {TOP} {rho:.3f}; top-{TOP} overlap {overlap}/{TOP}"
    )
    return row


# -- printing -----------------------------------------------------------------------------


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def met(r: dict) -> str:
    target = TARGETS.get(r["n"])
    if target is None:
        return "-"
    cold = r["computing"] if r["computing"] is not None else r["exact"]
    exact_ok = r["exact"] is None or r["exact"] <= target[0]
    ok = cold <= target[0] and exact_ok and r["cached_p95_ms"] < target[1]
    ok = ok and (target[2] is None or r["peak_mb"] < target[2])
    return "yes" if ok else "NO"


def print_tables(rows: list[dict], args, load_start) -> None:
    print(
        f"\nFull report, GET /api/v1/maps/<id>/analysis (embedded store, test client); "
        f"SBM {len(SILOS)} silos, avg degree {args.avg_degree:g}, "
        f"{args.weak_pairs} silo pairs untied; medians of {args.cold_repeat} cold runs, "
        f"cached of {args.cached_repeat}"
    )
    print(
        "targets: cold <= 3 s (10k) / 10 s (50k); cached p95 < 50 ms (10k) / 100 ms "
        "(50k); exact ready ~20 s after a write (10k); peak < 1.5 GB (50k)"
    )
    header = (
        f"{'size':<5} {'nodes':>7} {'ties':>8} {'cold(computing)':>15} {'cold(exact)':>11} "
        f"{'bg ready s':>10} {'cached ms':>9} {'p95 ms':>7} {'peak MB':>8} {'met?':>5} "
        f"{'nx baseline s':>14} {'ratio':>7}  sampled vs exact"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        computing = f"{r['computing']:.2f}" if r["computing"] is not None else "(inline)"
        bg = r["background"]
        bg = "-" if not bg else f">{bg[1]:g}" if bg[0] == "not ready" else f"{bg[0]:.1f}"
        exact = f"{r['exact']:.2f}" if r["exact"] is not None else "-"
        base = ("~" if r["baseline_est"] else "") + f"{r['baseline_s']:.1f}"
        cold = r["computing"] if r["computing"] is not None else r["exact"]
        print(
            f"{size_label(r['n']):<5} {r['nodes']:>7,} {r['ties']:>8,} {computing:>15} "
            f"{exact:>11} {bg:>10} {r['cached_ms']:>9.1f} {r['cached_p95_ms']:>7.1f} "
            f"{r['peak_mb']:>8.0f} {met(r):>5} {base:>14} {r['baseline_s'] / cold:>6.0f}x  "
            f"{r['rank']}"
        )
    print(
        "cold(computing): the first report of a large map (betweenness and closeness "
        "'being computed'); cold(exact): a new process once they are kept (or inline, "
        "small maps); bg ready: from the first request until kept; ratio: networkx "
        "baseline / first cold report; ~ = extrapolated; peak MB: a new process serving "
        "the cold report (and computing in the background), its forked child included"
    )
    print("\nnetworkx baseline parts, seconds (~ extrapolated by n x m, effective size by n^2)")
    labels = list(BASELINE)
    print(f"{'size':<5} " + "".join(f"{x:>20}" for x in labels))
    for r in rows:
        cells = [("~" if est else "") + f"{secs:.2f}" for secs, est in r["baseline"].values()]
        print(f"{size_label(r['n']):<5} " + "".join(f"{c:>20}" for c in cells))
    print()
    for r in rows:
        bg = r["background"]
        extra = f"; background computation {bg[1]:.1f} s" if bg and bg[0] != "not ready" else ""
        print(f"{size_label(r['n'])}: response {r['kb']:,.0f} kB (first page){extra}")
        for note in r["notes"]:
            print(f"    {note}")

    print("\nBreakdown of the cold requests, seconds (median over the cold runs) and share")
    labels = [
        ("store read", "store read"),
        ("projection", "projection"),
        ("relabel (consent)", "relabel (consent)"),
        ("exact paths (kept or inline)", "exact paths"),
        *((f"  {s}", s) for s in SECTION_LABELS),
        ("analyse, total", "analyse"),
        ("redact", "redact"),
        ("wait for the child", "wait for the child"),
        ("labels, assembly", "labels, assembly"),
        ("HTTP, cache, paging, JSON", "HTTP, cache, paging, JSON"),
        ("whole request", "request"),
    ]
    header = f"{'part':<29}" + "".join(f"{size_label(r['n']):>16}" for r in rows)
    print(header)
    print("-" * len(header))
    for text, key in labels:
        cells = []
        for r in rows:
            p = r["parts"]
            if key not in p and key + IN_CHILD in p:  # made in the child, in parallel
                cells.append(f"{p[key + IN_CHILD]:>9.3f} child")
                continue
            secs = p.get(key, 0.0 if key == "wait for the child" else float("nan"))
            cells.append(f"{secs:>9.3f} {100 * secs / p['request']:>4.0f}%")
        print(f"{text:<29}" + "".join(f"{c:>16}" for c in cells))
    print(
        "child: a section made in the report's forked child (graph_models.report_split), "
        "in parallel with this process's own (not part of the whole request's sum; its "
        "redaction and labels are in the child too)"
    )
    print(f"\nas of {date.today().isoformat()}; seed {args.seed}; {load_summary(load_start)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--large", action="store_true", help=f"also {LARGE:,} nodes")
    parser.add_argument("--cold-repeat", type=int, default=3, help="fresh-app cold runs")
    parser.add_argument("--cached-repeat", type=int, default=40, help="cached requests")
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=BASELINE_MAX,
        help="largest size at which networkx's slow parts are measured, not extrapolated",
    )
    parser.add_argument(
        "--wait-max",
        type=float,
        default=600.0,
        help="longest wait for the background exact result (then reported as not ready)",
    )
    parser.add_argument(
        "--check-max",
        type=int,
        default=10_000,
        help="largest size whose exact values are checked against a one-call igraph run",
    )
    parser.add_argument("--avg-degree", type=float, default=10.0)
    parser.add_argument("--cross-share", type=float, default=0.2)
    parser.add_argument("--weak-pairs", type=int, default=3, help="silo pairs with no ties")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory-probe", nargs=2, metavar=("DB", "MAP"), help=argparse.SUPPRESS)
    parser.add_argument("--computing", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        db_path, map_id = args.memory_probe
        memory_probe(Path(db_path), map_id, args.computing, args.wait_max)
        return
    if args.cached_repeat < 1 or args.cold_repeat < 1:
        parser.error("--cached-repeat and --cold-repeat must be positive")

    sizes = sorted(set(args.sizes) | ({LARGE} if args.large else set()))

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    load_start = os.getloadavg()
    rows = []
    measured: dict = {}
    with tempfile.TemporaryDirectory(prefix="bridgemap-bench-") as tmp:
        tmp = Path(tmp)
        # one throwaway request, so the first size does not pay for first-request setup
        people, ties = partnership(200, avg_degree=6, cross_share=0.2, weak_pairs=3, seed=0)
        store = EmbeddedStore(tmp / "warmup.sqlite3")
        try:
            load(store, "warmup", people, ties)
        finally:
            store.close()
        measure_requests(tmp / "warmup.sqlite3", "warmup", 1, 1, log)
        for n in sizes:
            rows.append(run_size(n, tmp, args, log, measured))

    print_tables(rows, args, load_start)


if __name__ == "__main__":
    main()
