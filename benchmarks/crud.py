"""CRUD API under concurrent load (DESIGN §7): p99 under 50 ms on the embedded store, and
no lost or duplicated writes.

Starts the service as it is deployed (gunicorn with ``service.gunicorn_conf``: 2 workers
x 4 threads) on a fresh embedded store seeded with 1,000 people and 3,000 ties, then
runs ``--clients`` concurrent clients (each its own keep-alive connection) for
``--seconds`` at ``--rate`` requests a second in all (100 by default: a busy partnership's
coordinators and pages at once; ``--rate 0`` sends back to back, which measures the
queue at saturation rather than a request's time), each doing a mix of what a
coordinator's pages and scripts do: read a person (40%), list a page of people (10%),
change a person (20%), add a person (20%), add a tie (10%). Prints each operation's
count and p50 / p95 / p99 latency (ms), beside a baseline measured in the same run under
the same load: ``GET /healthz``, which touches no store (the server's own floor).

Then it checks the writes: every person added (201) is there exactly once, the people
count is the seed plus those, and the map's version rose by exactly the number of
writes that answered 2xx (a lost or doubled write would show in one of these).

    .venv/bin/python benchmarks/crud.py
    .venv/bin/python benchmarks/crud.py --clients 32 --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.neo4j_server import free_port  # noqa: E402

TOKEN = "crud-bench-operator-token-" + "x" * 24  # noqa: S105 - a throwaway local token
MAP = "crud"
SILOS = ["health", "social care", "housing", "education", "police", "third sector"]
TARGET_P99_MS = 50.0


def request(conn: http.client.HTTPConnection, method: str, path: str, body=None):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _connection(port: int) -> http.client.HTTPConnection:
    """A new connection (gunicorn closes an idle keep-alive one after a few seconds)."""
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def start_server(tmp: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "BRIDGEMAP_DATABASE": str(tmp / "crud.sqlite3"),
        "BRIDGEMAP_SECRET_KEY": "k" * 48,
        "BRIDGEMAP_ADMIN_TOKEN": TOKEN,
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        "python:service.gunicorn_conf",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        "service.app:create_app()",
    ]
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((tmp / "server.log").read_text()[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if request(conn, "GET", "/healthz")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start")


def seed(port: int, people: int, ties: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    silos = [{"name": s} for s in SILOS]
    status, body = request(
        conn, "POST", "/api/v1/maps", {"id": MAP, "name": "CRUD", "silos": silos}
    )
    assert status == 201, body
    rng = random.Random(1)
    batch = {
        "people": [
            {"id": f"s{i}", "name": f"Seed {i}", "silo": rng.choice(SILOS)} for i in range(people)
        ],
        "relationships": [
            {"id": f"st{i}", "source": f"s{a}", "target": f"s{b}", "kind": "knows"}
            for i, (a, b) in enumerate(rng.sample(range(people), 2) for _ in range(ties))
        ],
    }
    status, body = request(conn, "POST", f"/api/v1/maps/{MAP}/bulk", batch)
    assert status == 200, body


def client(port, number, stop_at, seeded, gap, latencies, outcomes, made, lock):
    """One client: its own connection, a seeded mix of operations until ``stop_at``, one
    every ``gap`` seconds (0: back to back)."""
    rng = random.Random(number)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    base = f"/api/v1/maps/{MAP}"
    count = 0
    next_at = time.monotonic() + rng.random() * gap  # clients spread over the first gap
    while time.monotonic() < stop_at:
        if gap:
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += gap
        roll, count = rng.random(), count + 1
        someone = f"s{rng.randrange(seeded)}"
        if roll < 0.4:
            op, method, path, body = "read a person", "GET", f"{base}/people/{someone}", None
        elif roll < 0.5:
            offset = rng.randrange(0, seeded, 50)
            op, method, path, body = (
                "list a page",
                "GET",
                f"{base}/people?limit=50&offset={offset}",
                None,
            )
        elif roll < 0.7:
            op, method = "change a person", "PATCH"
            path, body = f"{base}/people/{someone}", {"role": f"role {number}-{count}"}
        elif roll < 0.9:
            new_id = f"c{number}-{count}"
            op, method, path = "add a person", "POST", f"{base}/people"
            body = {"id": new_id, "name": f"New {new_id}", "silo": rng.choice(SILOS)}
        else:
            other = f"s{rng.randrange(seeded)}"
            if other == someone:
                continue
            op, method, path = "add a tie", "POST", f"{base}/relationships"
            body = {"source": someone, "target": other, "kind": "works_with"}
        for probe in (False, True):
            if probe:  # the floor under the same load, interleaved
                op, method, path, body = "GET /healthz (baseline)", "GET", "/healthz", None
            start = time.perf_counter()
            status, _ = request(conn, method, path, body)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies[op].append(elapsed)
                outcomes[op, status] += 1
                if op == "add a person" and status == 201:
                    made.append(body["id"])
            if rng.random() > 0.1:
                break  # the baseline is sampled on about one request in ten


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--rate",
        type=float,
        default=100,
        help="requests per second from all clients together (0: as fast as they can)",
    )
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--ties", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        tmp, port = Path(folder), free_port()
        server = start_server(tmp, port, args.workers, args.threads)
        try:
            seed(port, args.people, args.ties)
            version_before = json.loads(
                request(_connection(port), "GET", f"/api/v1/maps/{MAP}")[1]
            )["version"]
            latencies, outcomes, made = defaultdict(list), defaultdict(int), []
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds
            gap = args.clients / args.rate if args.rate else 0.0
            threads = [
                threading.Thread(
                    target=client,
                    args=(port, n, stop_at, args.people, gap, latencies, outcomes, made, lock),
                )
                for n in range(args.clients)
            ]
            load = os.getloadavg()[0]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            version_after = json.loads(request(_connection(port), "GET", f"/api/v1/maps/{MAP}")[1])[
                "version"
            ]
            listed = json.loads(
                request(_connection(port), "GET", f"/api/v1/maps/{MAP}/people?limit=1")[1]
            )
        finally:
            server.terminate()
            server.wait(timeout=30)

    writes_ok = sum(
        n for (op, status), n in outcomes.items() if op in WRITES and 200 <= status < 300
    )
    failures = {key: n for key, n in outcomes.items() if not 200 <= key[1] < 300}
    print(
        f"\nCRUD under load: {args.clients} clients for {args.seconds:.0f} s "
        f"({f'{args.rate:.0f} requests/s asked' if args.rate else 'as fast as they can'}; "
        f"{sum(map(len, latencies.values())) / args.seconds:.0f}/s answered) against gunicorn "
        f"({args.workers} workers x {args.threads} threads), embedded store, "
        f"{args.people:,} people + {args.ties:,} ties; load average {load:.1f}"
    )
    header = f"{'operation':<26}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    header += f"{'target':>9}{'met':>6}{'p99 / baseline':>16}"
    print(header)
    print("-" * len(header))
    floor = percentile(latencies["GET /healthz (baseline)"], 99)
    everything = [v for op, values in latencies.items() if op in OPERATIONS for v in values]
    rows = [(op, latencies[op]) for op in OPERATIONS if op in latencies]
    rows.append(("all CRUD", everything))
    rows.append(("GET /healthz (baseline)", latencies["GET /healthz (baseline)"]))
    for op, values in rows:
        p99 = percentile(values, 99)
        crud = op != "GET /healthz (baseline)"
        target = f"{TARGET_P99_MS:.0f}" if crud else ""
        met = ("yes" if p99 < TARGET_P99_MS else "NO") if crud else ""
        print(
            f"{op:<26}{len(values):>7}{statistics.median(values):>9.1f}"
            f"{percentile(values, 95):>9.1f}{p99:>9.1f}{target:>9}{met:>6}"
            f"{p99 / floor:>15.1f}x"
        )
    expected = args.people + len(made)
    rose = version_after - version_before
    print(
        f"\nwrites answered 2xx: {writes_ok:,}; map version rose by {rose:,} "
        f"({'equal' if rose == writes_ok else 'NOT EQUAL'}); people listed "
        f"{listed['total']:,}, expected {expected:,} "
        f"({'equal' if listed['total'] == expected else 'NOT EQUAL'}); repeated ids among "
        f"the added: {len(made) - len(set(made))}"
    )
    if failures:
        print("non-2xx answers:", dict(failures))


OPERATIONS = ["read a person", "list a page", "change a person", "add a person", "add a tie"]
WRITES = {"change a person", "add a person", "add a tie"}


if __name__ == "__main__":
    main()
