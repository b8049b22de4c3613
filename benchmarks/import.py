"""File import speed and memory: 20,000 people + 100,000 ties as CSV and XLSX, into each store.

Each run is a fresh subprocess importing into a fresh map (``people.csv`` then
``relationships.csv``, or one workbook with both sheets), so its peak memory (VmHWM)
is its own. Prints the median rows/s and the largest peak over ``--repeat`` runs, with
baselines measured in the same run: the raw ``csv`` module reading the same files, and
openpyxl (read-only) reading the same workbook, with no validation and no store. A
re-import of the unchanged CSV files (validate and compare, nothing written) is timed
too (median of 3 in each process), beside its baseline in the same process, runs
alternating: the re-import as it was, comparing with the whole graph read back once per
file, before it asked the store only for the ids and names it needs.
Targets (issue 6): CSV into the embedded store >= 20,000 rows/s; peak < 500 MB.
The import is CPU-bound, so the process's CPU time is shown too: on a busy 2-core
machine wall-clock rows/s drop with the load, CPU seconds much less.

The mapping step (issue #13) is timed on its own: a Kumu-style pair of CSV files
(``elements.csv``: Label, Type, Description, Tags with ``|``, a custom field;
``connections.csv``: From, To by label, Type, Direction, Strength) of ``--mapping-rows``
rows in all (20,000: a fifth elements), zipped as the import page zips two files.
Timed, each the median of ``--repeat``: inspecting the file (columns, samples, the
guessed mapping), and checking it through a mapping (a dry run into an empty map on the
embedded store: mapped, validated, names resolved, compared); the baseline is the same
rows written in Bridgemap's own CSV layout, checked with no mapping.

    .venv/bin/python benchmarks/import.py                    # both stores (starts Neo4j)
    .venv/bin/python benchmarks/import.py --stores embedded --repeat 5
    .venv/bin/python benchmarks/import.py --only-mapping     # the mapping step alone
    BRIDGEMAP_NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/python benchmarks/import.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import load_summary  # noqa: E402

CSV_TARGET = 20_000
MEMORY_TARGET_MB = 500


def write_files(folder: Path, n_people: int, n_ties: int, seed: int = 1) -> dict[str, Path]:
    """people.csv, relationships.csv and book.xlsx (both sheets) with the same rows."""
    import openpyxl

    from graph_models.io.exporter import write_sheets
    from graph_models.model import DEFAULT_SILOS

    rng = random.Random(seed)
    silos = [s for s, _ in DEFAULT_SILOS]
    kinds = ["knows", "works_with", "mentors"]
    people = [["id", "name", "silo", "role", "area", "tags", "contact", "visibility"]]
    for i in range(n_people):
        people.append(
            [f"p{i}", f"Person {i}", rng.choice(silos), "officer", "north", "a; b", "", "named"]
        )
    ties = [["id", "source", "target", "kind", "strength", "since", "until", "notes", "evidence"]]
    for i in range(n_ties):
        a, b = rng.sample(range(n_people), 2)
        since = f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        ties.append(
            [f"t{i}", f"p{a}", f"p{b}", rng.choice(kinds), rng.randint(1, 5), since, "", "", ""]
        )
    paths = {"people": folder / "people.csv", "relationships": folder / "relationships.csv"}
    for key, rows in (("people", people), ("relationships", ties)):
        with open(paths[key], "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    wb = openpyxl.Workbook(write_only=True)  # as the XLSX export writes it
    write_sheets(wb, [("people", (people[0], people[1:])), ("relationships", (ties[0], ties[1:]))],
                 write_only=True)  # fmt: skip
    paths["xlsx"] = folder / "book.xlsx"
    wb.save(paths["xlsx"])
    return paths


# -- one run, in its own process ---------------------------------------------------------


def _memory_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process, in MB.

    Not ``ru_maxrss``: Linux keeps that high-water mark across ``exec``, so a child
    would report its parent's peak.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args) -> None:
    from graph_models.io import import_file
    from graph_models.model import DEFAULT_SILOS, Map, Silo

    store = open_store(args.store, args.db, args.uri)
    store.create_map(Map(args.map, args.map, silos=[Silo(n, c) for n, c in DEFAULT_SILOS]))
    files = [Path(p) for p in args.files]
    rss_before = _memory_mb("VmRSS")

    def run() -> tuple[float, float, int, bool]:
        start, cpu = time.perf_counter(), time.process_time()
        rows, written = 0, False
        for path in files:
            with open(path, "rb") as f:
                report = import_file(store, args.map, f, filename=path.name)
            total = report.total
            rows += total.created + total.updated + total.unchanged
            written = written or report.written
        return time.perf_counter() - start, time.process_time() - cpu, rows, written

    seconds, cpu, rows, written = run()
    assert written, "the first import must write"
    again = whole = None
    if args.twice:
        # the re-import as it is, and (baseline, alternating in the same process) as it
        # was: comparing with the whole graph read back once per file
        from graph_models.io import importer

        news, olds = [], []
        for _ in range(3):
            seconds_new, _, again_rows, rewritten = run()
            assert again_rows == rows and not rewritten, "a re-import must change nothing"
            news.append(seconds_new)
            asked = importer._Existing  # noqa: SLF001 - the baseline swaps it for a moment
            importer._Existing = _WholeGraph  # noqa: SLF001
            try:
                olds.append(run()[0])
            finally:
                importer._Existing = asked  # noqa: SLF001
        again, whole = statistics.median(news), statistics.median(olds)
    peak = _memory_mb("VmHWM")
    store.close()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "rows": rows,
                "again": again,
                "whole": whole,
                "peak_mb": peak,
                "base_mb": rss_before,
            }
        )
    )


class _WholeGraph:
    """The re-import's baseline: what it compared with before it asked the store by id
    (every node and tie of the map read back), behind the same three questions."""

    def __init__(self, store, map_id: str):
        records = store.graph(map_id)
        self.index = {n.id: (n.type, n.name) for n in records.nodes}
        self._nodes = {n.id: n for n in records.nodes}
        self._rels = {r.id: r for r in records.relationships}

    def nodes(self, ids) -> dict:
        return {i: self._nodes[i] for i in ids if i in self._nodes}

    def relationships(self, kinds) -> dict:
        return {i: self._rels[i] for i in kinds if i in self._rels}

    def relationships_soon(self, kinds):
        return lambda: self.relationships(kinds)

    def close(self) -> None:
        pass


def open_store(kind: str, db: str, uri: str | None):
    if kind == "embedded":
        from graph_models.store.embedded import EmbeddedStore

        return EmbeddedStore(db)
    import neo4j

    from graph_models.store.neo4j import DRIVER_NOTIFICATIONS, Neo4jStore

    return Neo4jStore(neo4j.GraphDatabase.driver(uri, auth=None, **DRIVER_NOTIFICATIONS))


def run_child(store: str, db: str, uri: str | None, files: list[Path], map_id: str, twice: bool):
    cmd = [sys.executable, __file__, "--child", "--store", store, "--db", db, "--map", map_id]
    cmd += ["--files", *map(str, files)]
    if uri:
        cmd += ["--uri", uri]
    if twice:
        cmd.append("--twice")
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"import run failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- baselines -----------------------------------------------------------------------------


def csv_baseline(paths: dict[str, Path]) -> float:
    start = time.perf_counter()
    for key in ("people", "relationships"):
        with open(paths[key], newline="", encoding="utf-8") as f:
            for _ in csv.reader(f):
                pass
    return time.perf_counter() - start


def xlsx_baseline(paths: dict[str, Path]) -> float:
    import openpyxl

    start = time.perf_counter()
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    wb.close()
    return time.perf_counter() - start


def start_neo4j(tmp: str):
    uri = os.environ.get("BRIDGEMAP_NEO4J_URI")
    if uri:
        return uri, None
    from tests.neo4j_server import LocalNeo4j, free_port

    # a production-like memory budget (see benchmarks/ingest.py)
    os.environ.setdefault("BRIDGEMAP_NEO4J_HEAP", "2g")
    os.environ.setdefault("BRIDGEMAP_NEO4J_PAGECACHE_MB", "512")
    server = LocalNeo4j(Path(tmp) / "neo4j", free_port()).start()
    return server.uri, server


# -- the mapping step ---------------------------------------------------------------------

KUMU_MAPPING = {
    "nodes": {
        "columns": {
            "Label": "name",
            "Type": "type",
            "Description": "role",
            "Tags": "tags",
            "Country": "tag",
        },  # fmt: skip
        "type": {},
        "silo": {"default": "Partners"},
        "tag_separator": "|",
    },
    "relationships": {
        "columns": {
            "From": "source",
            "To": "target",
            "Type": "kind",
            "Direction": "direction",
            "Strength": "strength",
        },  # fmt: skip
        "kind": {
            "values": {
                "collaborates|undirected": "works_with",
                "partnership|mutual": "partners_with",
            }
        },  # fmt: skip
        "strength": "as_is",
    },
}


def write_kumu(folder: Path, rows: int, seed: int = 2) -> tuple[bytes, bytes]:
    """(a Kumu-style zip of elements.csv and connections.csv, the same rows in
    Bridgemap's own layout as a zip of people/organisations/relationships.csv)."""
    import io
    import zipfile

    rng = random.Random(seed)
    n_nodes = rows // 5
    n_people = n_nodes * 4 // 5
    elements = [["Label", "Type", "Description", "Tags", "Country"]]
    people = [["name", "silo", "role", "tags"]]
    orgs = [["name", "silo", "tags"]]
    for i in range(n_nodes):
        person = i < n_people
        label = f"Person {i}" if person else f"Organisation {i}"
        elements.append([label, "Person" if person else "Organization", "officer",
                         "north|carer", rng.choice(["Wales", "England"])])  # fmt: skip
        (people if person else orgs).append(
            [label, "Partners", "officer", "north; carer"]
            if person
            else [label, "Partners", "north"]
        )
    connections = [["From", "To", "Type", "Direction", "Strength"]]
    ties = [["source", "target", "kind", "strength"]]
    seen = set()
    while len(connections) <= rows - n_nodes:
        if rng.random() < 0.8:
            a, b = sorted(rng.sample(range(n_people), 2))
            kind, key = "works_with", ("collaborates", "undirected")
        else:
            a, b = sorted(rng.sample(range(n_people, n_nodes), 2))
            kind, key = "partners_with", ("partnership", "mutual")
        if (a, b) in seen:
            continue
        seen.add((a, b))
        name = lambda i: f"Person {i}" if i < n_people else f"Organisation {i}"  # noqa: E731
        strength = rng.randint(1, 5)
        connections.append([name(a), name(b), *key, strength])
        ties.append([name(a), name(b), kind, strength])

    def zipped(files: dict) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for filename, table in files.items():
                text = io.StringIO()
                csv.writer(text).writerows(table)
                z.writestr(filename, text.getvalue())
        return out.getvalue()

    kumu = zipped({"elements.csv": elements, "connections.csv": connections})
    own = zipped({"people.csv": people, "organisations.csv": orgs, "relationships.csv": ties})
    return kumu, own


def mapping_step(rows: int, repeat: int, tmp: str) -> list[dict]:
    """Median seconds to inspect, to check through the mapping, and (baseline) to check
    the same rows in Bridgemap's own layout; the embedded store, empty maps, dry runs."""
    import io

    from graph_models.io import import_file
    from graph_models.io.inspect import inspect_file
    from graph_models.model import Map
    from graph_models.store.embedded import EmbeddedStore

    kumu, own = write_kumu(Path(tmp), rows)
    store = EmbeddedStore(Path(tmp) / "mapping.sqlite3")
    store.create_map(Map("bench", "bench"))
    timings: dict[str, list[tuple[float, float]]] = {"inspect": [], "mapped": [], "own": []}
    counts = None

    def timed(key, work):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        timings[key].append((time.perf_counter() - wall, time.process_time() - cpu))
        return result

    for _ in range(repeat):
        timed("inspect", lambda: inspect_file(io.BytesIO(kumu), filename="kumu.zip"))
        report = timed(
            "mapped",
            lambda: import_file(
                store,
                "bench",
                io.BytesIO(kumu),
                filename="kumu.zip",
                mapping=KUMU_MAPPING,
                dry_run=True,
            ),  # fmt: skip
        )
        counts = report.total.created
        timed(
            "own",
            lambda: import_file(
                store, "bench", io.BytesIO(own), filename="own.zip", dry_run=True, add_silos=True
            ),  # fmt: skip
        )
    store.close()
    assert counts == rows, (counts, rows)
    names = {
        "inspect": "inspect (columns, guesses)",
        "mapped": "check through the mapping",
        "own": "check, own layout (baseline)",
    }
    return [
        {
            "path": names[key],
            "seconds": statistics.median(w for w, _ in runs),
            "cpu": statistics.median(c for _, c in runs),
        }
        for key, runs in timings.items()
    ]


def print_mapping(rows: int, repeat: int, table: list[dict]) -> None:
    print(
        f"\nMapping step: a Kumu-style CSV pair of {rows:,} rows (a fifth elements), "
        f"embedded store, dry runs; median of {repeat}"
    )
    header = (
        f"{'path':<32} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'cpu s':>6} {'rows/cpu s':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in table:
        print(
            f"{r['path']:<32} {rows:>8,} {r['seconds']:>8.2f} {rows / r['seconds']:>9,.0f} "
            f"{r['cpu']:>6.2f} {rows / r['cpu']:>10,.0f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mapping-rows", type=int, default=20_000)
    parser.add_argument("--only-mapping", action="store_true", help="time the mapping step only")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="embedded,neo4j")
    parser.add_argument("--formats", default="csv,xlsx")
    # a single run (internal)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--map", help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--twice", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    if args.only_mapping:
        with tempfile.TemporaryDirectory() as tmp:
            print_mapping(
                args.mapping_rows, args.repeat, mapping_step(args.mapping_rows, args.repeat, tmp)
            )
        return
    load_start = os.getloadavg()
    formats = args.formats.split(",")
    table: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        mapped = mapping_step(args.mapping_rows, args.repeat, tmp)
        print(f"writing {args.people:,} people + {args.ties:,} ties ...", flush=True)
        paths = write_files(Path(tmp), args.people, args.ties)
        rows = args.people + args.ties
        sizes = {k: p.stat().st_size / 2**20 for k, p in paths.items()}
        csv_mb = sizes["people"] + sizes["relationships"]
        base_csv = statistics.median(csv_baseline(paths) for _ in range(args.repeat))
        table.append({"store": "-", "path": "csv module parse (baseline)", "seconds": base_csv})
        if "xlsx" in formats:
            base_xlsx = statistics.median(xlsx_baseline(paths) for _ in range(args.repeat))
            table.append({"store": "-", "path": "openpyxl read (baseline)", "seconds": base_xlsx})
        for kind in args.stores.split(","):
            server, uri = None, None
            if kind == "neo4j":
                uri, server = start_neo4j(tmp)
            db = str(Path(tmp) / f"{kind}.sqlite3")
            try:
                for fmt in formats:
                    files = [paths["xlsx"]]
                    if fmt == "csv":
                        files = [paths["people"], paths["relationships"]]
                    runs = [
                        run_child(kind, db, uri, files, f"{fmt}-{i}-{time.time_ns()}", fmt == "csv")
                        for i in range(args.repeat)
                    ]
                    row = {
                        "store": kind,
                        "path": f"{fmt} import",
                        "seconds": statistics.median(r["seconds"] for r in runs),
                        "cpu": statistics.median(r["cpu"] for r in runs),
                        "peak": max(r["peak_mb"] for r in runs),
                        "base": statistics.median(r["base_mb"] for r in runs),
                        "target": CSV_TARGET if (fmt, kind) == ("csv", "embedded") else None,
                    }
                    table.append(row)
                    if fmt == "csv":
                        again = statistics.median(r["again"] for r in runs)
                        table.append({"store": kind, "path": "csv re-import, unchanged",
                                      "seconds": again})  # fmt: skip
                        whole = statistics.median(r["whole"] for r in runs)
                        table.append({"store": kind, "path": "re-import, whole graph (old)",
                                      "seconds": whole})  # fmt: skip
                    rate = rows / row["seconds"]
                    print(f"  {kind} {fmt}: {rate:,.0f} rows/s, peak {row['peak']:,.0f} MB")
            finally:
                if server:
                    server.stop()

    print(
        f"\nImport: {args.people:,} people + {args.ties:,} ties "
        f"(CSV {csv_mb:.1f} MB, XLSX {sizes['xlsx']:.1f} MB); median of {args.repeat} runs, "
        "each in a fresh process and map"
    )
    header = (
        f"{'store':<9} {'path':<28} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'target':>8} "
        f"{'met':>4} {'cpu s':>6} {'peak MB':>8} {'at start':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in table:
        rate = rows / r["seconds"]
        target = r.get("target")
        met = "" if target is None else ("yes" if rate >= target else "NO")
        tgt = f"{target:>8,}" if target else f"{'':>8}"
        cpu = f"{r['cpu']:>6.2f}" if r.get("cpu") else f"{'':>6}"
        peak = r.get("peak")
        mem = f"{peak:>8,.0f}" if peak else f"{'':>8}"
        if peak and peak >= MEMORY_TARGET_MB:
            mem = mem[:-1] + "!"
        start = f"{r['base']:>8,.0f}" if r.get("base") else f"{'':>8}"
        print(
            f"{r['store']:<9} {r['path']:<28} {rows:>8,} {r['seconds']:>8.2f} {rate:>9,.0f} "
            f"{tgt} {met:>4} {cpu} {mem} {start}"
        )
    print_mapping(args.mapping_rows, args.repeat, mapped)
    print(
        "\ncpu s: the importing process's own CPU time (for Neo4j the server's work is not in"
        f" it); peak MB: its largest resident set (VmHWM; target < {MEMORY_TARGET_MB} MB, '!'"
        " marks a miss); at start: the process after imports and opening the store."
    )
    print(load_summary(load_start))


if __name__ == "__main__":
    main()
