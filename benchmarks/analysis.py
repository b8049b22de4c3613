"""Cross-silo report speed: the whole report through the HTTP API, cold and cached.

Synthetic partnership networks: a stochastic block model (networkx, seeded) of 10 silos
of equal size, average degree ~10, 20% of ties across silos, with ``--weak-pairs``
silo pairs given no ties at all (so the introductions section has work to do, as on a
real map where, say, police and faith groups never meet). 15% of people are
anonymised and 2% hidden, so the consent relabelling and redaction do real work. Each
network is written into a fresh embedded store (``bulk_upsert``: people with their
silo, ties of kind ``knows`` with strength 1-5), then:

* **cold**: ``GET /api/v1/maps/<id>/analysis`` on a freshly created app (empty analysis
  cache), through Flask's test client with the operator's token (full access, as a
  coordinator sees the report): the figure the target applies to. Repeated on
  a fresh app 3, 2 or 1 times (1,000 / 10,000 / 50,000 nodes), median. One
  throwaway request on a tiny map first, so no size pays for first-request setup.
* **breakdown** of those same cold requests (the pipeline's functions are wrapped in
  timers while they run, nothing is computed twice): store read, projection, consent
  relabelling, each section of ``analyse``, redaction, labels, and the rest of the
  request (routing, cache, paging, JSON).
* **cached**: the same request again on the same app (median of ``--cached-repeat``).
* **baseline**, same graph, same run: plain networkx EXACT betweenness at 1,000 nodes;
  above that networkx SAMPLED betweenness with the pipeline's ``k`` and ``seed``
  (networkx exact takes ~11 min at 10,000 nodes: ``--exact-baseline`` to measure it).
  "ratio" = baseline seconds / cold report seconds: how many times faster the whole
  report is than networkx's betweenness alone.
* **correctness** of the pipeline's betweenness, read from the very request timed:
  at or below the exact threshold (5,000 nodes) the max abs difference from networkx
  exact (must be <= 1e-9); above it, the Spearman rank correlation, over the 100 nodes
  with the highest EXACT betweenness (python-igraph's exact ``betweenness()``,
  normalised as networkx does), of the sampled and exact values, with the overlap of
  the two top-100 sets; plus the max abs difference from networkx sampled with the
  same pivots (the pipeline draws networkx's own pivots, so it must be <= 1e-9).
  Exact igraph at 50,000 nodes (~5-8 min by extrapolation) only with ``--exact-large``.

Target (DESIGN section 7): the full report on 10,000 people / 50,000 ties within 10 s
cold and under 100 ms cached.

    .venv/bin/python benchmarks/analysis.py                 # 1,000 and 10,000 nodes
    .venv/bin/python benchmarks/analysis.py --large         # and 50,000 (adds ~5 min)
    .venv/bin/python benchmarks/analysis.py --sizes 1000 --cold-repeat 5
    .venv/bin/python benchmarks/analysis.py --exact-baseline   # nx exact at 10k: ~11 min
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from graph_models import reporting  # noqa: E402
from graph_models.analysis import report  # noqa: E402
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
DEFAULT_SIZES = (1_000, 10_000)
LARGE = 50_000
COLD_REPEAT = {1_000: 3, 10_000: 2}  # larger sizes: 1
TARGET_SIZE = 10_000
TARGET_COLD_S = 10.0
TARGET_CACHED_MS = 100.0
TOP = 100
TOLERANCE = 1e-9
SECRET = "bench"
#: The operator token of the benchmark apps: the report is asked for with full access
#: (as a coordinator sees it: no small-group suppression).
ADMIN_TOKEN = "bench-operator-token-" + "x" * 24  # noqa: S105 - a throwaway test token

#: (module or class, attribute, label): wrapped in timers during the cold requests.
#: ``map_report`` and ``analyse`` are totals; the rest are their parts.
PROBES = (
    (reporting, "map_report", "map_report"),
    (EmbeddedStore, "graph", "store read"),
    (reporting, "project", "projection"),
    (reporting, "public_graph", "relabel (consent)"),
    (reporting, "analyse", "analyse"),
    (report, "centrality_section", "centrality"),
    (report, "bridging_section", "bridging"),
    (report, "silo_report", "silos"),
    (report, "hidden_silos", "communities"),
    (report, "suggest_introductions", "introductions"),
    (reporting, "redact", "redact"),
)
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

    def reset(self) -> None:
        self.seconds.clear()
        self.results.clear()

    def _wrap(self, fn, label):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            self.seconds[label] += time.perf_counter() - start
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


def measure_requests(db_path: Path, map_id: str, cold_repeat: int, cached_repeat: int) -> dict:
    """Cold requests (fresh app each), their breakdown, then cached requests."""
    url = f"/api/v1/maps/{map_id}/analysis"
    probe = Probe()
    cold, parts = [], defaultdict(list)
    cached: list[float] = []
    inner = ("store read", "projection", "relabel (consent)", "analyse", "redact")
    for run in range(cold_repeat):
        app = fresh_app(db_path)
        try:
            client = app.test_client()
            probe.reset()
            with probe.installed():
                start = time.perf_counter()
                response = get_report(client, url)
                elapsed = time.perf_counter() - start
            cold.append(elapsed)
            seconds = dict(probe.seconds)
            seconds["labels, assembly"] = seconds["map_report"] - sum(seconds[x] for x in inner)
            seconds["HTTP, cache, paging, JSON"] = elapsed - seconds["map_report"]
            seconds["request"] = elapsed
            for label, secs in seconds.items():
                parts[label].append(secs)
            if run == cold_repeat - 1:
                cent, ours = probe.results["centrality"]
                method = cent["method"]["betweenness"]
                del cent
                probe.reset()
                data = response.data  # bytes: parsed after the cached requests
                del response
                for _ in range(cached_repeat):
                    start = time.perf_counter()
                    get_report(client, url)
                    cached.append(time.perf_counter() - start)
                stats = app.extensions["bridgemap.cache"]
                if stats.hits < cached_repeat:
                    raise RuntimeError("the repeated requests were not served from the cache")
        finally:
            app.extensions["bridgemap.store"].close()
    return {
        "cold": cold,
        "cached": cached,
        "parts": {label: statistics.median(v) for label, v in parts.items()},
        "betweenness": ours,
        "method": method,
        "body": json.loads(data),
        "bytes": len(data),
    }


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
    """Exact betweenness by python-igraph, normalised as networkx does."""
    g, nodes = to_igraph(G)
    n = len(nodes)
    scale = 2.0 / ((n - 1) * (n - 2))
    return {v: b * scale for v, b in zip(nodes, g.betweenness(directed=False), strict=True)}


def max_diff(a: dict, b: dict) -> float:
    return max(abs(a[v] - b[v]) for v in a)


def top_agreement(sampled: dict, exact: dict) -> tuple[float, int]:
    """Spearman rho over the top-``TOP`` exact nodes, and the overlap of both top sets."""
    top_exact = sorted(exact, key=lambda v: (-exact[v], v))[:TOP]
    top_sampled = sorted(sampled, key=lambda v: (-sampled[v], v))[:TOP]
    rho = spearmanr([exact[v] for v in top_exact], [sampled[v] for v in top_exact]).statistic
    return float(rho), len(set(top_exact) & set(top_sampled))


def check_api_matches(body: dict, ours: dict) -> None:
    """The first page of the API's centrality rows carries the captured betweenness."""
    rows = body["centrality"]["nodes"]
    if not rows:
        raise RuntimeError("the report has no centrality rows")
    for row in rows:
        if abs(row["betweenness"] - ours[row["node"]]) > TOLERANCE:
            raise RuntimeError(f"API betweenness of {row['node']} differs from the pipeline's")


# -- one size ----------------------------------------------------------------------------


def run_size(n: int, tmp: Path, args, log) -> dict:
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
    n_ties = len(ties)
    del people, ties  # a server holds no such lists: keep the heap as a server's
    log(f"{n:,} nodes: {n_ties:,} ties generated and stored in {time.perf_counter() - start:.1f} s")

    cold_repeat = args.cold_repeat or COLD_REPEAT.get(n, 1)
    res = measure_requests(db_path, map_id, cold_repeat, args.cached_repeat)
    ours, method = res["betweenness"], res["method"]
    check_api_matches(res["body"], ours)
    G = analysed_graph(db_path, map_id)
    if list(G) != list(ours):
        raise RuntimeError("the rebuilt graph is not the one the report analysed")
    cold = statistics.median(res["cold"])
    log(f"  cold {', '.join(f'{t:.2f}' for t in res['cold'])} s; method {method['method']}")

    row = {
        "n": n,
        "nodes": G.number_of_nodes(),
        "ties": G.number_of_edges(),
        "cold": cold,
        "cold_runs": len(res["cold"]),
        "cached_ms": 1000 * statistics.median(res["cached"]),
        "cached_p95_ms": 1000 * sorted(res["cached"])[round(0.95 * (len(res["cached"]) - 1))],
        "kb": res["bytes"] / 1000,
        "parts": res["parts"],
        "k": method.get("k", "exact"),
        "notes": [],
    }
    sampled = method["method"] == "sampled"
    k, seed = method.get("k"), method.get("seed")

    # baseline: networkx betweenness on the very graph the pipeline analysed
    if not sampled or args.exact_baseline:
        log("  baseline: networkx exact betweenness ...")
        secs, nx_values = timed(lambda: nx.betweenness_centrality(G))
        row["baseline"], row["baseline_s"] = "nx exact", secs
        nx_exact = nx_values
    else:
        log(f"  baseline: networkx sampled betweenness, k={k}, seed={seed} ...")
        secs, nx_values = timed(lambda: nx.betweenness_centrality(G, k=k, seed=seed))
        row["baseline"], row["baseline_s"] = f"nx k={k}", secs
        nx_exact = None
        diff = max_diff(ours, nx_values)
        row["notes"].append(
            f"sampled vs networkx sampled (same k={k}, seed={seed}): max |diff| {diff:.1e} "
            + ("ok" if diff <= TOLERANCE else "MISMATCH")
        )
    row["ratio"] = row["baseline_s"] / cold

    if not sampled:
        diff = max_diff(ours, nx_exact)
        row["ok"] = diff <= TOLERANCE
        row["error"] = f"max|d| {diff:.0e} vs nx exact" + ("" if row["ok"] else " FAIL")
        row["notes"].append(f"exact vs networkx exact: max |diff| {diff:.1e} (<= {TOLERANCE:g})")
        return row

    if nx_exact is not None:
        exact, source = nx_exact, "networkx exact"
    elif n <= TARGET_SIZE or args.exact_large:
        log("  exact betweenness by igraph for the rank check ...")
        secs, exact = timed(lambda: igraph_exact(G))
        source = f"igraph exact, {secs:.1f} s"
        row["igraph_exact_s"] = secs
    else:
        row["error"] = "rank check skipped"
        row["notes"].append("exact betweenness skipped (pass --exact-large)")
        return row
    rho, overlap = top_agreement(ours, exact)
    row["error"] = f"rho(top{TOP}) {rho:.2f}, overlap {overlap}/{TOP}"
    row["notes"].append(
        f"sampled (k={k}) vs exact ({source}): Spearman rho over the top {TOP} exact "
        f"nodes {rho:.4f}; top-{TOP} overlap {overlap}/{TOP}; max |diff| "
        f"{max_diff(ours, exact):.1e}"
    )
    return row


# -- printing -----------------------------------------------------------------------------


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def print_tables(rows: list[dict], args) -> None:
    print(
        f"\nFull report, GET /api/v1/maps/<id>/analysis (embedded store, test client); "
        f"SBM {len(SILOS)} silos, avg degree {args.avg_degree:g}, "
        f"{args.weak_pairs} silo pairs untied"
    )
    print(
        f"cold: median of fresh apps (runs shown); cached: median of {args.cached_repeat}; "
        f"target at {TARGET_SIZE:,} nodes: <= {TARGET_COLD_S:g} s cold, "
        f"< {TARGET_CACHED_MS:g} ms cached"
    )
    header = (
        f"{'size':<5} {'nodes':>7} {'ties':>8} {'cold s':>7} {'runs':>4} {'cached ms':>9} "
        f"{'p95 ms':>7} {'met?':>5} {'baseline':<10} {'base s':>7} {'ratio':>6} {'k':>5}  error"
    )
    print(header)
    print("-" * max(len(header), 100))
    for r in rows:
        if r["n"] == TARGET_SIZE:
            met = r["cold"] <= TARGET_COLD_S and r["cached_ms"] < TARGET_CACHED_MS
            met_s = "yes" if met else "NO"
        else:
            met_s = "-"
        print(
            f"{size_label(r['n']):<5} {r['nodes']:>7,} {r['ties']:>8,} {r['cold']:>7.2f} "
            f"{r['cold_runs']:>4} {r['cached_ms']:>9.1f} {r['cached_p95_ms']:>7.1f} {met_s:>5} "
            f"{r['baseline']:<10} "
            f"{r['baseline_s']:>7.2f} {r['ratio']:>5.1f}x {r['k']!s:>5}  {r['error']}"
        )
    print("met? compares the medians; ratio = baseline s / cold s")
    print()
    for r in rows:
        extra = (
            f"; igraph exact betweenness {r['igraph_exact_s']:.1f} s"
            if "igraph_exact_s" in r
            else ""
        )
        print(f"{size_label(r['n'])}: response {r['kb']:,.0f} kB (first page){extra}")
        for note in r["notes"]:
            print(f"    {note}")

    print("\nBreakdown of the cold request, seconds (median over the cold runs) and share")
    labels = [
        ("store read", "store read"),
        ("projection", "projection"),
        ("relabel (consent)", "relabel (consent)"),
        *((f"  {s}", s) for s in SECTION_LABELS),
        ("analyse, total", "analyse"),
        ("redact", "redact"),
        ("labels, assembly", "labels, assembly"),
        ("HTTP, cache, paging, JSON", "HTTP, cache, paging, JSON"),
        ("whole request", "request"),
    ]
    header = f"{'part':<27}" + "".join(f"{size_label(r['n']):>16}" for r in rows)
    print(header)
    print("-" * len(header))
    for text, key in labels:
        cells = []
        for r in rows:
            p = r["parts"]
            secs = p.get(key, float("nan"))
            cells.append(f"{secs:>9.3f} {100 * secs / p['request']:>4.0f}%")
        print(f"{text:<27}" + "".join(f"{c:>16}" for c in cells))
    print("(each part's median over the cold runs, so the parts need not add up exactly)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--large", action="store_true", help=f"also {LARGE:,} nodes")
    parser.add_argument("--cold-repeat", type=int, help="fresh-app cold runs (default 3/2/1)")
    parser.add_argument("--cached-repeat", type=int, default=30, help="cached requests (>= 20)")
    parser.add_argument(
        "--exact-baseline",
        action="store_true",
        help="networkx EXACT betweenness at every size (~11 min at 10,000 nodes)",
    )
    parser.add_argument(
        "--exact-large",
        action="store_true",
        help=f"exact igraph betweenness for the rank check above {TARGET_SIZE:,} nodes",
    )
    parser.add_argument("--avg-degree", type=float, default=10.0)
    parser.add_argument("--cross-share", type=float, default=0.2)
    parser.add_argument("--weak-pairs", type=int, default=3, help="silo pairs with no ties")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.cached_repeat < 1 or (args.cold_repeat is not None and args.cold_repeat < 1):
        parser.error("--cached-repeat and --cold-repeat must be positive")

    sizes = sorted(set(args.sizes) | ({LARGE} if args.large else set()))
    skipped = []
    if LARGE not in sizes:
        skipped.append(f"{LARGE:,} nodes (pass --large; adds several minutes)")
    if not args.exact_baseline and any(n > 5000 for n in sizes):
        skipped.append(
            "networkx EXACT betweenness above 5,000 nodes (~11 min at 10,000): networkx "
            "SAMPLED with the same k and seed is the baseline there (--exact-baseline)"
        )
    if not args.exact_large and any(n > TARGET_SIZE for n in sizes):
        skipped.append(f"exact betweenness rank check above {TARGET_SIZE:,} nodes (--exact-large)")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bridgemap-bench-") as tmp:
        tmp = Path(tmp)
        # one throwaway request, so the first size does not pay for first-request setup
        people, ties = partnership(200, avg_degree=6, cross_share=0.2, weak_pairs=3, seed=0)
        store = EmbeddedStore(tmp / "warmup.sqlite3")
        try:
            load(store, "warmup", people, ties)
        finally:
            store.close()
        measure_requests(tmp / "warmup.sqlite3", "warmup", 1, 1)
        for n in sizes:
            rows.append(run_size(n, tmp, args, log))

    print_tables(rows, args)
    load1, load5, _ = os.getloadavg()
    print(
        f"\nas of {date.today().isoformat()}; seed {args.seed}; {os.cpu_count()} CPUs, "
        f"load average {load1:.1f} (1 min) {load5:.1f} (5 min) at the end"
    )
    for item in skipped:
        print(f"skipped: {item}")


if __name__ == "__main__":
    main()
