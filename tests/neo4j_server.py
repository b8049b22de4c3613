"""A real Neo4j 5.26 Community server for tests, started from Maven jars.

No docker and no Neo4j tarball are available here, so scripts/neo4j/ resolves
the server jars from Maven Central and starts them with a tiny Java launcher;
this module drives that from Python. Plain module (no pytest imports) so both
fixtures and ad-hoc scripts can use it::

    from tests.neo4j_server import LocalNeo4j, free_port

    server = LocalNeo4j(tmp_path / "neo4j", free_port())
    server.start()
    driver = neo4j.GraphDatabase.driver(server.uri, auth=None)  # auth is off
    ...
    server.restart()   # same data dir and port: data must survive
    server.stop()

The first start resolves ~150 MB of jars into .cache/neo4j/m2 (15-35 s);
later starts take 5-6 s on an idle machine, 10-20 s when both cores are busy.
Each server uses ~350-650 MB RSS (heap capped at 768m by neo4j.sh, page cache
128 MiB), so keep the number of concurrent servers small.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import neo4j

REPO_ROOT = Path(__file__).resolve().parent.parent
NEO4J_SH = REPO_ROOT / "scripts" / "neo4j" / "neo4j.sh"

# Generous: a cold Maven resolve on a slow mirror can take minutes, and it
# happens outside the start timeout.
FETCH_TIMEOUT = 900


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago.

    Racy by nature (someone may take it before Neo4j binds it), which is fine
    for tests; start() reports the bind error from the log if it happens.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch() -> Path:
    """Resolve the Neo4j jars (idempotent, cached) and return the classpath file."""
    out = subprocess.run(
        ["bash", str(NEO4J_SH), "fetch"],
        capture_output=True,
        text=True,
        timeout=FETCH_TIMEOUT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"neo4j.sh fetch failed:\n{out.stderr[-4000:]}")
    return Path(out.stdout.strip().splitlines()[-1])


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path})"


class LocalNeo4j:
    """One Neo4j server process on 127.0.0.1:<port> with its home in data_dir."""

    def __init__(self, data_dir: os.PathLike | str, port: int | None = None):
        self.data_dir = Path(data_dir).resolve()
        self.port = port if port is not None else free_port()
        # The launcher's stdout (READY line, Neo4j's user log); Neo4j's own
        # debug.log goes to data_dir/logs/.
        self.log_path = self.data_dir / "launcher.log"
        self._proc: subprocess.Popen | None = None
        self._atexit_registered = False

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running else None

    def start(self, timeout: float = 180) -> LocalNeo4j:
        if self.running:
            return self
        fetch()  # outside the timeout: a cold fetch is slow but not a failure
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Append so a restart keeps the previous run's log for diagnosis; only
        # what this run writes (past log_offset) counts as its READY line.
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            # `neo4j.sh run` execs java, so this pid is the JVM itself. A new
            # session (= own process group) keeps a Ctrl-C aimed at pytest
            # from killing the server before stop() can shut it down cleanly.
            # The launcher stops itself once this process is gone (killed runs
            # skip atexit): BRIDGEMAP_NEO4J_PARENT_PID.
            env = {**os.environ, "BRIDGEMAP_NEO4J_PARENT_PID": str(os.getpid())}
            self._proc = subprocess.Popen(
                ["bash", str(NEO4J_SH), "run", str(self.data_dir), str(self.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not self._atexit_registered:
            # Never leave a JVM behind if the test run forgets to stop us.
            atexit.register(self.stop)
            self._atexit_registered = True

        deadline = time.monotonic() + timeout
        try:
            self._wait_ready(deadline, log_offset)
        except Exception as exc:
            self.stop()
            raise RuntimeError(
                f"Neo4j did not start on {self.uri} ({exc})\n"
                f"----- {self.log_path} (tail) -----\n{_tail(self.log_path, 40)}\n"
                f"----- debug.log (tail) -----\n"
                f"{_tail(self.data_dir / 'logs' / 'debug.log', 20)}"
            ) from exc
        return self

    def _wait_ready(self, deadline: float, log_offset: int) -> None:
        # The READY line means build() returned (databases up, Bolt bound);
        # verify_connectivity then proves a real Bolt handshake works.
        ready_line = f"NEO4J READY {self.uri}"
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"server exited with code {self._proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("timed out waiting for Bolt")
            with open(self.log_path, "rb") as f:
                f.seek(log_offset)
                output = f.read().decode(errors="replace")
            if ready_line in output:
                try:
                    with neo4j.GraphDatabase.driver(self.uri, auth=None) as driver:
                        driver.verify_connectivity()
                    return
                except Exception:  # noqa: BLE001 - retry until the deadline
                    pass
            time.sleep(0.25)

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM (clean shutdown + checkpoint), SIGKILL only after timeout."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def restart(self, timeout: float = 180) -> LocalNeo4j:
        """Stop, then start again on the same data dir and port."""
        self.stop()
        return self.start(timeout)

    def __enter__(self) -> LocalNeo4j:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
