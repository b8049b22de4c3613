"""The cross-silo report on Neo4j against the embedded store, same map, same run.

Issue #16 asks every report target to hold on both stores. ``benchmarks/analysis.py``
measures the pipeline on the embedded store in depth (baselines, correctness, rank
figures); this script measures what the Neo4j store adds, with the embedded store as
the in-run baseline: the same synthetic partnership (``analysis.partnership``) is
written into both, then, through the HTTP API on a freshly created app per cold run:

* **store read**: ``store.graph(map_id)`` alone (what the report reads), median;
* **cold (computing)**: the first report while exact betweenness and closeness are
  still to be computed in the background (stored results deleted first);
* **cold (exact)**: a fresh app once the exact result is kept in the store;
* **cached**: the same request again on the same app, median and p95.

"ratio" is Neo4j seconds / embedded seconds. Neo4j runs from the project's jars
(``tests/neo4j_server.py``) with a 2 GB heap (3 GB for maps over 20,000 people: the
map is written in one write), or at ``BRIDGEMAP_NEO4J_URI``.

    .venv/bin/python benchmarks/report_neo4j.py                    # 10,000 people
    .venv/bin/python benchmarks/report_neo4j.py --sizes 10000 50000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import analysis  # noqa: E402
from analysis import ADMIN_TOKEN, SECRET, Probe, close_app, get_report, partnership  # noqa: E402
from ingest import open_neo4j  # noqa: E402

from graph_models.store.embedded import EmbeddedStore  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def app_config(kind: str, where: str) -> dict:
    config = {"SECRET_KEY": SECRET, "TESTING": True, "ADMIN_TOKEN": ADMIN_TOKEN}
    if kind == "neo4j":
        config["NEO4J_URI"] = where
        config["NEO4J_TIMEOUT"] = 120  # measure the read, do not cut it off
    else:
        config["DATABASE"] = where
    return config


def forget_results(store, map_id: str) -> None:
    """Delete the kept exact results, as before the first request after a write."""
    if isinstance(store, EmbeddedStore):
        analysis.forget_results(Path(store.path))
        return

    def work(tx):
        tx.run(
            "MATCH (x:AnalysisResult|AnalysisLease {map_id: $id}) DETACH DELETE x",
            id=map_id,
        )

    with store.driver.session(database=store.database) as session:
        session.execute_write(work)


def cold(config: dict, url: str, probe: Probe, *, wait: bool):
    """One request on a fresh app: ``(seconds, pending, parts)``; waits for the
    background result when ``wait``, else stops the worker."""
    from service.app import create_app

    app = create_app(config)
    probe.reset()
    with probe.installed():
        start = time.perf_counter()
        body = get_report(app.test_client(), url).json
        elapsed = time.perf_counter() - start
    pending = "pending" in body["centrality"]
    worker = app.extensions.get("bridgemap.background")
    ready = None
    if pending and wait and worker is not None:
        worker.wait(timeout=1200)
        ready = time.perf_counter() - start
    close_app(app)
    return elapsed, pending, dict(probe.seconds), ready


def measure(kind: str, store, where: str, map_id: str, args, log) -> dict:
    config = app_config(kind, where)
    url = f"/api/v1/maps/{map_id}/analysis"
    probe = Probe(keep=())
    reads = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        store.graph(map_id)
        reads.append(time.perf_counter() - start)
    log(f"  {kind}: store read {statistics.median(reads):.2f} s")
    computing, parts = [], []
    for run in range(args.repeat):
        forget_results(store, map_id)
        last = run == args.repeat - 1
        secs, pending, seconds, ready = cold(config, url, probe, wait=last)
        (computing if pending else []).append(secs)
        parts.append(seconds)
        log(f"  {kind}: cold {secs:.2f} s ({'computing' if pending else 'exact'})")
    exact = []
    for _ in range(args.repeat):
        secs, pending, _, _ = cold(config, url, probe, wait=False)
        exact.append(secs)
    from service.app import create_app

    app = create_app(config)
    client = app.test_client()
    get_report(client, url)
    cached = []
    for _ in range(args.cached_repeat):
        start = time.perf_counter()
        get_report(client, url)
        cached.append(time.perf_counter() - start)
    close_app(app)
    read_in_request = statistics.median(p.get("store read", float("nan")) for p in parts)
    return {
        "read": statistics.median(reads),
        "read in request": read_in_request,
        "computing": statistics.median(computing) if computing else float("nan"),
        "exact": statistics.median(exact),
        "ready": ready,
        "cached": statistics.median(cached) * 1000,
        "p95": percentile(cached, 0.95) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cached-repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    from graph_models.store.neo4j import Neo4jStore

    # the probes time the Neo4j store's read where analysis.py times the embedded one
    embedded_probes = analysis.PROBES
    load_start = os.getloadavg()
    rows = []
    # the map is written in one write (all or nothing), which Neo4j holds in memory
    # until it commits: ~5.4 KiB a row (README, "Memory for large writes"); 50,000
    # people + 250,000 ties need ~1.6 GiB, more than a 2 GB heap's 70% allows
    if max(args.sizes) > 20_000:
        os.environ.setdefault("BRIDGEMAP_NEO4J_HEAP", "3g")
    with tempfile.TemporaryDirectory(prefix="bridgemap-report-neo4j-") as tmp:
        neo4j_store, server = open_neo4j(tmp)
        uri = server.uri if server else os.environ["BRIDGEMAP_NEO4J_URI"]
        try:
            for n in sizes_in_order(args.sizes):
                people, ties = partnership(
                    n, avg_degree=10.0, cross_share=0.2, weak_pairs=3, seed=args.seed
                )
                map_id = f"r{n}"
                log(f"{n:,} people, {len(ties):,} ties")
                for kind in ("embedded", "neo4j"):
                    if kind == "embedded":
                        store = EmbeddedStore(Path(tmp) / f"{map_id}.sqlite3")
                        where = str(Path(tmp) / f"{map_id}.sqlite3")
                        analysis.PROBES = embedded_probes
                    else:
                        store, where = neo4j_store, uri
                        analysis.PROBES = tuple(
                            (Neo4jStore if owner is EmbeddedStore else owner, name, label)
                            for owner, name, label in embedded_probes
                        )
                    start = time.perf_counter()
                    analysis.load(store, map_id, people, ties)
                    log(f"  {kind}: written in {time.perf_counter() - start:.1f} s")
                    result = measure(kind, store, where, map_id, args, log)
                    rows.append((n, len(ties), kind, result))
                    if kind == "embedded":
                        store.close()
        finally:
            neo4j_store.close()
            if server:
                server.stop()
    print_table(rows, load_start)


def sizes_in_order(sizes):
    return sorted(set(sizes))


def print_table(rows, load_start) -> None:
    print()
    print("Full report through the HTTP API, Neo4j 5.26 against the embedded store (same map)")
    print(
        f"{'people':>7} {'ties':>8} {'store':<9} {'read s':>7} {'in req':>7} "
        f"{'cold(comp)':>10} {'cold(exact)':>11} {'bg ready':>9} {'cached ms':>9} "
        f"{'p95 ms':>7} {'ratio':>6}"
    )
    print("-" * 100)
    baseline = {}
    for n, m, kind, r in rows:
        if kind == "embedded":
            baseline[n] = r
        base = baseline.get(n)
        ratio = r["exact"] / base["exact"] if base else float("nan")
        ready = f"{r['ready']:.1f}" if r["ready"] else "-"
        print(
            f"{n:>7,} {m:>8,} {kind:<9} {r['read']:>7.2f} {r['read in request']:>7.2f} "
            f"{r['computing']:>10.2f} {r['exact']:>11.2f} {ready:>9} {r['cached']:>9.1f} "
            f"{r['p95']:>7.1f} {ratio:>5.1f}x"
        )
    end = os.getloadavg()
    print(
        "read s: store.graph alone (median); in req: the same read inside the cold request; "
        "ratio: cold(exact) / the embedded store's"
    )
    print(
        f"2 CPUs; load average (1/5 min) {load_start[0]:.1f} / {load_start[1]:.1f} at the start, "
        f"{end[0]:.1f} / {end[1]:.1f} at the end"
    )


if __name__ == "__main__":
    main()
