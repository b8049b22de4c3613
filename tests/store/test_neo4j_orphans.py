"""A test run that is killed (SIGTERM, SIGKILL: no atexit hook runs) must not leave its
Neo4j server behind: the launcher watches the process that started it and shuts down
cleanly when it is gone (BRIDGEMAP_NEO4J_PARENT_PID, set by tests/neo4j_server.py).
An orphaned server kept using a third of a core and ~750 MB until someone noticed,
skewing every benchmark run after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.neo4j_server import REPO_ROOT

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

STARTER = """
import sys, time
from tests.neo4j_server import LocalNeo4j, free_port
server = LocalNeo4j(sys.argv[1], free_port()).start()
print(server.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone too: its parent (now init) reaps it
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_a_killed_test_run_leaves_no_neo4j_server_behind(tmp_path):
    server_pid = None
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path / "neo4j")],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = starter.stdout.readline()
        assert line.strip().isdigit(), f"the server did not start: {line!r}"
        server_pid = int(line)
        assert _alive(server_pid)
        starter.send_signal(signal.SIGKILL)  # no atexit, no stop(): as a killed run
        starter.wait(timeout=10)
        deadline = time.monotonic() + 90
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _alive(server_pid), "the orphaned Neo4j server is still running"
    finally:
        if starter.poll() is None:
            starter.kill()
        if server_pid is not None and _alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)
    log = (tmp_path / "neo4j" / "launcher.log").read_text(errors="replace")
    assert "PARENT" in log and "GONE" in log and "NEO4J STOPPED" in log  # a clean stop
