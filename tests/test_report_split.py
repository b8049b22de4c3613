"""A report's sections in two processes (:mod:`graph_models.report_split`).

The split is forced here on a small map (``MIN_SIZE`` 0, two cores assumed), so every
test forks for real: the report must be the one a single process makes, byte for byte
as JSON (named, anonymised and hidden people; coordinator and viewer; grouped by silo
and by organisation), and a child that fails, is killed or hangs must cost time only,
never the report.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from datetime import date

import pytest

from graph_models import report_split, reporting
from graph_models.analysis import paths as exact_paths
from graph_models.analysis.report import SECTIONS
from graph_models.model import Visibility
from graph_models.projection import project
from tests.small_silo import demo_with_small_silo

SECRET = b"split-secret"
AS_OF = date(2026, 1, 1)
#: exact paths kept by a "background job" (real values, a fixed time: the reports
#: compared must not differ by how long a computation took)
EXACT = {"inline_seconds": 0.0, "as_of": AS_OF}
#: a day nothing is kept for: "being computed"
PENDING = {"inline_seconds": 0.0, "as_of": date(2026, 1, 2), "on_pending": lambda *a: _pending(*a)}


def _pending(map_id, version, as_of, n, m):
    from graph_models.analysis import paths

    return paths.pending(n, m)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The demo partnership (named, anonymised and hidden people, organisations) plus a
    small silo of one person of each consent, so viewers have a group to suppress."""
    s, map_id = demo_with_small_silo(tmp_path_factory.mktemp("split"))
    records = s.graph(map_id, as_of=AS_OF)
    demo = [n for n in records.nodes if n.type.value == "person" and not n.id.startswith("faith-")]
    assert {Visibility.ANONYMISED, Visibility.HIDDEN} <= {p.visibility for p in demo}
    G = project(records, as_of=AS_OF)
    kept = {**exact_paths.compute(G), "seconds": 1.0}
    key, version = reporting.paths_key(AS_OF), records.map.version
    s.save_analysis_result(map_id, key, version, exact_paths.to_payload(kept))
    yield s, map_id
    s.close()


def force_split(monkeypatch) -> None:
    """Split whatever the map's size, the machine's cores and its load."""
    monkeypatch.setattr(report_split, "MIN_SIZE", 0)
    monkeypatch.setattr(report_split, "cores", lambda: 2)
    monkeypatch.setattr(report_split, "spare_core", lambda: True)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture
def forced(monkeypatch):
    """Split whatever the map's size and the machine's cores."""
    force_split(monkeypatch)


def record_forks(monkeypatch) -> list[int]:
    """The pids of the children forked (by anything) from now to the test's end."""
    made: list[int] = []
    real = os.fork

    def fork():
        pid = real()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return made


@pytest.fixture
def forks(monkeypatch):
    """The pids of the children forked (by anything) during the test."""
    return record_forks(monkeypatch)


@pytest.fixture
def who(monkeypatch, tmp_path):
    """``(pid, sections)`` of every ``analyse`` call of a report, from whichever process
    made it (a file: the child's memory is its own); ``who.here`` is this test's pid."""
    record = tmp_path / "analyse-calls.txt"
    real = reporting.analyse

    def analyse(G, *, sections, **kw):
        with open(record, "a") as f:
            f.write(f"{os.getpid()} {','.join(sections)}\n")
        return real(G, sections=sections, **kw)

    monkeypatch.setattr(reporting, "analyse", analyse)

    class Who:
        here = os.getpid()

        def calls(self) -> list[tuple[int, tuple[str, ...]]]:
            if not record.exists():
                return []
            lines = record.read_text().split("\n")
            return [(int(p), tuple(s.split(","))) for p, s in (x.split() for x in lines if x)]

    return Who()


def _report(s, map_id, processes, **kw):
    return reporting.map_report(s, map_id, secret=SECRET, section_processes=processes, **kw)


def _in_child(here: int) -> bool:
    return os.getpid() != here


@pytest.mark.parametrize("viewer", [False, True], ids=["coordinator", "viewer"])
@pytest.mark.parametrize("group_by", ["silo", "organisation"])
@pytest.mark.parametrize("paths", [EXACT, PENDING], ids=["exact", "pending"])
def test_two_processes_make_the_same_report_byte_for_byte(
    store, forced, forks, who, viewer, group_by, paths
):
    s, map_id = store
    one = _report(s, map_id, 1, viewer=viewer, group_by=group_by, **paths)
    assert forks == [] and len(who.calls()) == 1
    two = _report(s, map_id, 2, viewer=viewer, group_by=group_by, **paths)
    assert len(forks) == 1
    here, child = report_split.plan(SECTIONS, 1, 1, paths={"betweenness": {}})
    calls = who.calls()[1:]
    assert calls == [(forks[0], child), (who.here, here)] or calls == [
        (who.here, here),
        (forks[0], child),
    ]  # each group once, the child's in the child
    assert json.dumps(one) == json.dumps(two)
    method = two["centrality"]["method"]["betweenness"]
    assert method == (
        {"method": "exact", "source": "background", "seconds": 1.0}
        if paths is EXACT
        else {"method": "pending", "expected_seconds": method["expected_seconds"]}
    )
    text = json.dumps(two)
    assert "Flo Hidden" not in text and "hidden-" not in text
    if viewer and group_by == "silo":
        assert "faith" in two["silos"]["suppressed_groups"]  # a small group was suppressed


def test_the_sections_come_in_the_report_s_order_whatever_was_asked(store, forced, forks):
    s, map_id = store
    asked = ("introductions", "silos", "bridging", "centrality")
    one = _report(s, map_id, 1, sections=asked, **EXACT)
    two = _report(s, map_id, 2, sections=asked, **EXACT)
    assert len(forks) == 1
    assert json.dumps(one) == json.dumps(two)
    assert [k for k in two if k in SECTIONS] == [k for k in SECTIONS if k in asked]


def test_below_the_size_threshold_or_turned_off_nothing_is_forked(store, forks, monkeypatch):
    s, map_id = store
    monkeypatch.setattr(report_split, "cores", lambda: 2)
    monkeypatch.setattr(report_split, "spare_core", lambda: True)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    graph = _report(s, map_id, 1, sections=("silos",))["graph"]
    size = graph["nodes"] + graph["ties"]
    monkeypatch.setattr(report_split, "MIN_SIZE", size + 1)
    _report(s, map_id, 2, **EXACT)
    assert forks == []
    monkeypatch.setattr(report_split, "MIN_SIZE", size)
    _report(s, map_id, 1, **EXACT)  # turned off
    assert forks == []
    _report(s, map_id, 2, **EXACT)
    assert len(forks) == 1


def _fallback(store, who, caplog, misbehave, **kw) -> tuple[dict, dict]:
    s, map_id = store
    one = _report(s, map_id, 1, **EXACT)
    real = reporting.analyse

    def analyse(G, **a):
        if _in_child(who.here):
            misbehave()
        return real(G, **a)

    reporting.analyse = analyse
    try:
        with caplog.at_level(logging.WARNING, logger="graph_models.report_split"):
            two = _report(s, map_id, 2, **EXACT)
    finally:
        reporting.analyse = real
    return one, two


def _child_raises():
    raise RuntimeError("the child's own failure")


def test_a_child_that_raises_costs_time_not_the_report(store, forced, forks, who, caplog):
    one, two = _fallback(store, who, caplog, _child_raises)
    assert json.dumps(one) == json.dumps(two)
    assert len(forks) == 1
    assert "failed in a child process" in caplog.text
    assert "the child's own failure" in caplog.text  # its traceback, told here
    _gone(forks[0])


def test_a_child_that_is_killed_costs_time_not_the_report(store, forced, forks, who, caplog):
    one, two = _fallback(store, who, caplog, lambda: os.kill(os.getpid(), signal.SIGKILL))
    assert json.dumps(one) == json.dumps(two)
    assert "ended without a result" in caplog.text
    assert f"exit code {-signal.SIGKILL}" in caplog.text  # killed by that signal
    _gone(forks[0])


def test_a_child_that_hangs_is_killed_and_its_sections_made_here(
    store, forced, forks, who, caplog, monkeypatch
):
    monkeypatch.setattr(report_split, "MIN_WAIT", 0.5)
    monkeypatch.setattr(report_split, "SLACK", 0.0)
    started = time.monotonic()
    one, two = _fallback(store, who, caplog, lambda: time.sleep(600))
    assert time.monotonic() - started < 60
    assert json.dumps(one) == json.dumps(two)
    assert "not done in a child process" in caplog.text
    _gone(forks[0])


def test_the_child_is_ended_when_this_process_fails(forced, forks):
    here = os.getpid()

    def work(group):
        if os.getpid() != here:
            time.sleep(600)
        raise ValueError("this process's own failure")

    with pytest.raises(ValueError, match="own failure"):
        report_split.run(work, SECTIONS, (("bridging",), ("silos",)))
    assert len(forks) == 1
    _gone(forks[0])


def test_a_result_that_cannot_be_pickled_is_made_here(forced, forks, caplog):
    here = os.getpid()

    def work(group):
        if os.getpid() != here:
            return {"silos": lambda: None}  # not picklable
        return {s: f"made here: {s}" for s in group}

    with caplog.at_level(logging.WARNING, logger="graph_models.report_split"):
        out = report_split.run(work, ("silos", "bridging"), (("bridging",), ("silos",)))
    assert out == {"bridging": "made here: bridging", "silos": "made here: silos"}
    assert "ended without a result" in caplog.text
    _gone(forks[0])


def _gone(pid: int) -> None:
    """The child has ended and been reaped (no zombie left)."""
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


# -- the plan ---------------------------------------------------------------------------

EXACT_PATHS = {"betweenness": {}, "closeness": {}}
BIG = (50_000, 250_000)


def test_the_plan_splits_a_large_map_with_bridging_here(monkeypatch):
    monkeypatch.setattr(report_split, "cores", lambda: 2)
    monkeypatch.setattr(report_split, "spare_core", lambda: True)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    here, child = report_split.plan(SECTIONS, *BIG, paths=EXACT_PATHS)
    assert "bridging" in here and child
    assert sorted(here + child) == sorted(SECTIONS)
    # no other split has a quicker slower side, by the table
    cost = report_split.COSTS
    slower = max(
        sum(cost[s] for s in here),
        sum(cost[s] + report_split.TRANSFER[s] for s in child),
    )
    assert slower < sum(cost.values())
    pending = {"status": "computing", "expected_seconds": 30}
    assert report_split.plan(SECTIONS, *BIG, paths=pending) == (here, child)


def test_without_given_paths_bridging_keeps_centrality_here(monkeypatch):
    monkeypatch.setattr(report_split, "cores", lambda: 2)
    monkeypatch.setattr(report_split, "spare_core", lambda: True)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    here, child = report_split.plan(SECTIONS, *BIG, paths=None)
    assert {"bridging", "centrality"} <= set(here)
    assert report_split.plan(("bridging", "centrality"), *BIG, paths=None) is None
    # without bridging, centrality may go (it computes its own betweenness there)
    assert report_split.plan(("centrality", "silos"), *BIG, paths=None) is not None


@pytest.mark.parametrize(
    ("why", "sections", "size", "processes", "cores", "omp"),
    [
        ("turned off", SECTIONS, BIG, 1, 2, "1"),
        ("one core", SECTIONS, BIG, 2, 1, "1"),
        ("small map", SECTIONS, (1000, 5000), 2, 2, "1"),
        ("OpenMP threads", SECTIONS, BIG, 2, 2, "4"),
        ("one section", ("communities",), BIG, 2, 2, "1"),
        ("only bridging and a repeat", ("bridging", "bridging"), BIG, 2, 2, "1"),
        ("unknown section", ("silos", "nope"), BIG, 2, 2, "1"),
    ],
)
def test_one_process_when_a_split_cannot_pay(
    monkeypatch, why, sections, size, processes, cores, omp
):
    monkeypatch.setattr(report_split, "cores", lambda: cores)
    monkeypatch.setattr(report_split, "spare_core", lambda: True)
    monkeypatch.setenv("OMP_NUM_THREADS", omp)
    assert report_split.plan(sections, *size, paths=EXACT_PATHS, processes=processes) is None


def test_patience_scales_with_this_process_s_time(monkeypatch):
    monkeypatch.setattr(report_split, "MIN_WAIT", 10.0)
    monkeypatch.setattr(report_split, "SLACK", 3.0)
    assert report_split.patience(("bridging",), ("silos",), 0.1) == 10.0
    here, child = ("bridging",), ("centrality", "communities")
    cost = report_split.COSTS
    expected = 20.0 * sum(cost[s] + report_split.TRANSFER[s] for s in child) / cost["bridging"]
    assert report_split.patience(here, child, 20.0) == pytest.approx(3.0 * expected)


def test_no_split_on_a_busy_machine(monkeypatch):
    monkeypatch.setattr(report_split, "cores", lambda: 2)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    for load, split in [(0.2, True), (1.4, True), (1.6, False), (7.0, False)]:
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, load, load))
        assert report_split.spare_core() is split
        assert (report_split.plan(SECTIONS, *BIG, paths=EXACT_PATHS) is not None) is split


def test_reports_split_at_once_in_several_threads(store, forced, forks):
    """A threaded server: reports forking from several threads at once (each child has
    only its own thread; each pipe reaches only its own child) all come out whole."""
    import threading

    s, map_id = store
    one = json.dumps(_report(s, map_id, 1, **EXACT))
    out: list[str] = []
    busy = threading.Event()

    def spin():  # another thread holding the interpreter while the others fork
        while not busy.is_set():
            sum(range(1000))

    def report():
        out.append(json.dumps(_report(s, map_id, 2, **EXACT)))

    spinner = threading.Thread(target=spin)
    spinner.start()
    threads = [threading.Thread(target=report) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    busy.set()
    spinner.join()
    assert len(forks) == 3 and out == [one] * 3
    for pid in forks:
        _gone(pid)


def test_when_no_child_can_be_forked_everything_is_made_here(forced, monkeypatch, caplog):
    def fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork)
    with caplog.at_level(logging.WARNING, logger="graph_models.report_split"):
        out = report_split.run(
            lambda g: {s: s for s in g}, ("silos", "bridging"), (("bridging",), ("silos",))
        )
    assert out == {"bridging": "bridging", "silos": "silos"}
    assert "no child process" in caplog.text
