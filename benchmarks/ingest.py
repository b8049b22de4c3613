"""Bulk ingest speed: 20,000 nodes + 100,000 ties through the store API, into each store.

Prints a table of rows/s (median of ``--repeat`` runs, each into a fresh map), with two
baselines measured in the same run: one-row-at-a-time ``create()`` calls (what a naive
client would do) on a 1,000-row sample, and the full HTTP path (JSON + validation) on
the embedded store. Targets (DESIGN §7 / issue 2): Neo4j >= 10,000 rows/s, embedded
>= 50,000 rows/s.

    .venv/bin/python benchmarks/ingest.py                 # both stores (starts Neo4j)
    .venv/bin/python benchmarks/ingest.py --stores embedded --repeat 5
    BRIDGEMAP_NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/python benchmarks/ingest.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import load_summary  # noqa: E402

from graph_models.model import DEFAULT_SILOS, Map, Person, Relationship, Silo, to_dict  # noqa: E402
from graph_models.store.embedded import EmbeddedStore  # noqa: E402


def synthetic(n_nodes: int, n_ties: int, seed: int = 1):
    rng = random.Random(seed)
    silos = [s for s, _ in DEFAULT_SILOS]
    people = [Person(f"p{i}", f"Person {i}", rng.choice(silos)) for i in range(n_nodes)]
    ties = []
    for i in range(n_ties):
        a, b = rng.sample(range(n_nodes), 2)
        ties.append(Relationship(f"t{i}", f"p{a}", f"p{b}", "knows", rng.randint(1, 5)))
    return people, ties


def new_map(store, map_id):
    store.create_map(Map(map_id, map_id, silos=[Silo(s, c) for s, c in DEFAULT_SILOS]))


def time_bulk(store, people, ties, repeat, label):
    times = []
    for run in range(repeat):
        map_id = f"{label}-bulk-{run}-{time.time_ns()}"
        new_map(store, map_id)
        start = time.perf_counter()
        store.bulk_upsert(map_id, people, ties)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_one_by_one(store, people, ties, label):
    map_id = f"{label}-single-{time.time_ns()}"
    new_map(store, map_id)
    start = time.perf_counter()
    for p in people:
        store.create(map_id, p)
    for t in ties:
        store.create(map_id, t)
    return time.perf_counter() - start


def time_http(people, ties, repeat):
    from service.app import create_app

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        token = "bench-operator-token-" + "x" * 24  # noqa: S105 - a throwaway local token
        app = create_app(
            {"DATABASE": str(Path(tmp) / "http.sqlite3"), "TESTING": True, "ADMIN_TOKEN": token}
        )
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        body = {
            "people": [to_dict(p) for p in people],
            "relationships": [to_dict(t) for t in ties],
        }
        for run in range(repeat):
            client.post("/api/v1/maps", json={"id": f"h{run}", "name": "HTTP"})
            start = time.perf_counter()
            r = client.post(f"/api/v1/maps/h{run}/bulk", json=body)
            times.append(time.perf_counter() - start)
            assert r.status_code == 200, r.json
    return statistics.median(times)


def open_neo4j(tmp):
    import neo4j

    from graph_models.store.neo4j import DRIVER_NOTIFICATIONS, Neo4jStore

    server = None
    uri = os.environ.get("BRIDGEMAP_NEO4J_URI")
    if not uri:
        from tests.neo4j_server import LocalNeo4j, free_port

        # a production-like memory budget (the test default of 768m heap is for many
        # small transactions; one 120,000-row transaction wants more)
        os.environ.setdefault("BRIDGEMAP_NEO4J_HEAP", "2g")
        os.environ.setdefault("BRIDGEMAP_NEO4J_PAGECACHE_MB", "512")
        server = LocalNeo4j(Path(tmp) / "neo4j", free_port()).start()
        uri = server.uri
    return Neo4jStore(neo4j.GraphDatabase.driver(uri, auth=None, **DRIVER_NOTIFICATIONS)), server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="embedded,neo4j")
    args = parser.parse_args()

    load_start = os.getloadavg()
    people, ties = synthetic(args.nodes, args.ties)
    rows = len(people) + len(ties)
    sample_people, sample_ties = (
        people[:200],
        [t for t in ties if int(t.source[1:]) < 200 and int(t.target[1:]) < 200][:800],
    )
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.stores.split(","):
            server = None
            if kind == "embedded":
                store = EmbeddedStore(Path(tmp) / "bench.sqlite3")
                target = 50_000
            else:
                store, server = open_neo4j(tmp)
                target = 10_000
            try:
                bulk = time_bulk(store, people, ties, args.repeat, kind)
                n_single = len(sample_people) + len(sample_ties)
                single = time_one_by_one(store, sample_people, sample_ties, kind)
                table.append(
                    (kind, "bulk_upsert", rows, bulk, rows / bulk, target, n_single / single)
                )
            finally:
                store.close()
                if server:
                    server.stop()
        if "embedded" in args.stores:
            http = time_http(people, ties, args.repeat)
            table.append(("embedded", "HTTP POST /bulk", rows, http, rows / http, None, None))

    print(f"\nIngest: {args.nodes:,} nodes + {args.ties:,} ties; median of {args.repeat} runs")
    header = f"{'store':<10} {'path':<16} {'rows':>8} {'seconds':>8} {'rows/s':>9} "
    header += f"{'target':>8} {'met':>4} {'1-by-1 rows/s':>14} {'bulk/1-by-1':>12}"
    print(header)
    print("-" * len(header))
    for kind, path, n, secs, rate, target, single_rate in table:
        met = "" if target is None else ("yes" if rate >= target else "NO")
        single = f"{single_rate:>14,.0f}" if single_rate else f"{'':>14}"
        ratio = f"{rate / single_rate:>11.0f}x" if single_rate else f"{'':>12}"
        tgt = f"{target:>8,}" if target else f"{'':>8}"
        row = f"{kind:<10} {path:<16} {n:>8,} {secs:>8.2f} {rate:>9,.0f} {tgt} {met:>4}"
        print(f"{row} {single} {ratio}")
    print(f"\n{load_summary(load_start)}")


if __name__ == "__main__":
    main()
