"""A cold report's sections in one process or two (:mod:`graph_models.report_split`).

For each size (the 10-silo partnership of ``benchmarks/analysis.py``, average degree
10, written once into ``--db-dir``, with an exact betweenness/closeness result kept in
the store as a background job keeps one):

* ``costs``: each section's CPU seconds in one process (analysis, redaction and
  labels) and what its rows cost to send back from a child (pickle out and in): the
  figures of ``report_split.COSTS`` and ``TRANSFER``, to re-tune them;
* ``ab``: the whole cold ``map_report`` with ``section_processes=1`` (A) and ``2`` (B)
  alternately, ``--repeat`` runs each, medians: wall seconds of the report and of its
  sections, and the CPU seconds on the sections' critical path (A: all of them; B:
  the slower of this process's group and the child's, plus what follows): on a shared
  machine wall times move with the load, while the critical path says what two free
  cores would give (B splits whatever the load: ``report_split.spare_core`` is
  bypassed). ``--force`` splits below ``MIN_SIZE`` too (to find the break-even
  size); ``--memory`` samples the proportional set size (Pss: shared pages counted
  once) of the process and its child, and prints the peak of their sum.

    .venv/bin/python benchmarks/report_split.py costs --sizes 10000,50000
    .venv/bin/python benchmarks/report_split.py ab --sizes 1000,2000,5000 --force
    .venv/bin/python benchmarks/report_split.py ab --sizes 50000 --memory
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import random
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import analysis as bench  # noqa: E402
from memory import PeakSampler  # noqa: E402

from graph_models import report_split, reporting  # noqa: E402
from graph_models.analysis import paths as exact_paths  # noqa: E402
from graph_models.analysis.fast import compiled  # noqa: E402
from graph_models.analysis.report import SECTIONS, analyse  # noqa: E402
from graph_models.analysis.report_schema import ReportSchema  # noqa: E402
from graph_models.store.embedded import EmbeddedStore  # noqa: E402
from graph_models.visibility import redact  # noqa: E402

AS_OF = date.today()
SECRET = b"bench"


def open_map(db_dir: Path, n: int) -> tuple[EmbeddedStore, str]:
    """The map of ``n`` people, made once, with an exact result kept for today."""
    path = db_dir / f"bench-{n}.sqlite3"
    map_id = f"sbm-{n}"
    if not path.exists():
        people, ties = bench.partnership(n, avg_degree=10, cross_share=0.2, weak_pairs=3, seed=1)
        made = EmbeddedStore(path)
        bench.load(made, map_id, people, ties)
        made.close()
    store = EmbeddedStore(path)
    records = store.graph(map_id, as_of=AS_OF)
    key, version = reporting.paths_key(AS_OF), records.map.version
    if store.analysis_result(map_id, key, version) is None:
        G = reporting.project(records, as_of=AS_OF)
        rng = random.Random(0)  # the values do not matter here, only that they are kept
        kept = {"betweenness": {v: rng.random() for v in G}, "seconds": 1.0}
        kept["closeness"] = dict(kept["betweenness"])
        payload = {**exact_paths.to_payload(kept), "digest": reporting.content_digest(records)}
        store.save_analysis_result(map_id, key, version, payload)
    return store, map_id


def costs(store, map_id: str) -> None:
    G = reporting.build_public_graph(store, map_id, as_of=AS_OF, group_by="silo", secret=SECRET)
    rng = random.Random(0)
    paths = {"betweenness": {v: rng.random() for v in G}, "source": "background"}
    paths["closeness"] = dict(paths["betweenness"])
    labels = reporting._labels(G)
    t = time.process_time()
    compiled(G)  # made once, by whichever section asks first: not a section's cost
    print(f"  compiled copy of the graph: {time.process_time() - t:.2f} s (each process)")
    for section in SECTIONS:
        t0 = time.process_time()
        done = redact(analyse(G, sections=(section,), paths=paths), ReportSchema, hidden=set())
        done = reporting.attach_labels(done, labels)
        t1 = time.process_time()
        data = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)
        t3 = time.process_time()
        print(
            f"  {section:<14} cost {t1 - t0:6.2f} s   transfer {t3 - t1:5.2f} s"
            f"   ({len(data) / 1e6:.1f} MB)"
        )


class Trace:
    """Times of one report's split, from wrappers around report_split's parts."""

    def __init__(self):
        self.t: dict = {}
        real_fork, real_result = os.fork, report_split._Child.result
        trace = self

        def fork():
            pid = real_fork()
            if pid:
                trace.t.update(fork=time.perf_counter(), fork_cpu=time.process_time())
            return pid

        def result(child, timeout):
            trace.t["here_cpu"] = time.process_time() - trace.t["fork_cpu"]
            return real_result(child, timeout)

        def reap(child):
            if child.pid is None:
                return None
            _, status, usage = os.wait4(child.pid, 0)
            child.pid = None
            trace.t["child_cpu"] = usage.ru_utime + usage.ru_stime
            return os.waitstatus_to_exitcode(status)

        real_run = report_split.run

        def run(work, sections, split):
            t, c = time.perf_counter(), time.process_time()
            out = real_run(work, sections, split)
            trace.t["sections"] = time.perf_counter() - t
            cpu = time.process_time() - c
            if split is None:
                trace.t["critical_cpu"] = cpu
            else:
                after = cpu - trace.t["here_cpu"]  # this process's time after its group
                slower = max(trace.t["here_cpu"], trace.t.get("child_cpu", 0.0))
                trace.t["critical_cpu"] = slower + after
            return out

        os.fork = fork
        report_split._Child.result = result
        report_split._Child._reap = reap
        report_split.run = run


def ab(store, map_id: str, repeat: int, memory: bool, trace: Trace) -> None:
    rows: dict[int, list[dict]] = {1: [], 2: []}
    for i in range(repeat):
        for processes in (1, 2) if i % 2 == 0 else (2, 1):
            trace.t.clear()
            sampler = PeakSampler(os.getpid()) if memory else contextlib.nullcontext()
            with sampler:
                t = time.perf_counter()
                reporting.map_report(
                    store, map_id, secret=SECRET, as_of=AS_OF, section_processes=processes
                )
                row = {"wall": time.perf_counter() - t, **trace.t}
            if memory:
                row["peak_pss_mb"] = sampler.peak_mb
            rows[processes].append(row)
    keys = ["wall", "sections", "critical_cpu"] + (["peak_pss_mb"] if memory else [])
    for processes in (1, 2):
        medians = {k: statistics.median(r[k] for r in rows[processes]) for k in keys}
        shown = "  ".join(f"{k} {v:7.2f}" for k, v in medians.items())
        print(f"  processes={processes}: {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["costs", "ab"])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--force", action="store_true", help="split below MIN_SIZE too")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--db-dir", default=str(Path(os.environ.get("TMPDIR", "/tmp"))))
    args = parser.parse_args()
    if args.force:
        report_split.MIN_SIZE = 0
    if args.mode == "ab":  # B is the split, however busy this shared machine is
        report_split.spare_core = lambda: True
    trace = Trace() if args.mode == "ab" else None
    print(f"cores {report_split.cores()}, load {os.getloadavg()[0]:.1f}")
    for n in map(int, args.sizes.split(",")):
        store, map_id = open_map(Path(args.db_dir), n)
        print(f"{n} people, load {os.getloadavg()[0]:.1f}")
        if args.mode == "costs":
            costs(store, map_id)
        else:
            ab(store, map_id, args.repeat, args.memory, trace)
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident (this process) {peak:.0f} MB, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
