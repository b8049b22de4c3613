#!/usr/bin/env bash
# Local Neo4j 5.26 Community server for Bridgemap development and tests,
# without docker or the Neo4j tarball (neither can be downloaded here): the
# jars come from Maven Central (pom.xml) and Neo4jLauncher.java starts them.
#
#   scripts/neo4j/neo4j.sh fetch                      resolve jars, print classpath file
#   scripts/neo4j/neo4j.sh start [--data DIR] [--port PORT]
#   scripts/neo4j/neo4j.sh stop
#   scripts/neo4j/neo4j.sh status
#   scripts/neo4j/neo4j.sh run DIR PORT               foreground (exec java); used by
#                                                     start and by tests/neo4j_server.py
#
# Auth is disabled and Bolt listens on 127.0.0.1 only: connect with
#   GraphDatabase.driver("bolt://127.0.0.1:7687", auth=None)
#
# Environment knobs:
#   BRIDGEMAP_NEO4J_HEAP           JVM max heap (default 768m)
#   BRIDGEMAP_NEO4J_PAGECACHE_MB   page cache size in MiB (default 128, read by the launcher)
#   BRIDGEMAP_NEO4J_TX_MEMORY_MB   memory of all transactions at once, MiB (default 70% of heap)
#   BRIDGEMAP_NEO4J_TX_MAX_MB      memory of one transaction, MiB (default: only the above)
#   BRIDGEMAP_NEO4J_START_TIMEOUT  seconds `start` waits for Bolt (default 120)
#   BRIDGEMAP_NEO4J_CACHE          cache dir (default <repo>/.cache/neo4j)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${BRIDGEMAP_NEO4J_CACHE:-$ROOT/.cache/neo4j}"
M2="$CACHE/m2"
CPFILE="$CACHE/classpath.txt"
PIDFILE="$CACHE/neo4j.pid"
PORTFILE="$CACHE/neo4j.port"
LOGFILE="$CACHE/neo4j.log"
PY="$ROOT/.venv/bin/python"

die() { echo "neo4j.sh: $*" >&2; exit 1; }

# The classpath file is only trusted if it was built from the current pom (a
# version bump must re-resolve) and every jar it names is still on disk.
pom_sum() { sha256sum "$HERE/pom.xml" | cut -d' ' -f1; }

classpath_ok() {
    [[ -s "$CPFILE" && -f "$CPFILE.pom-sha256" ]] || return 1
    [[ "$(cat "$CPFILE.pom-sha256")" == "$(pom_sum)" ]] || return 1
    local jar
    while IFS= read -r jar; do [[ -f "$jar" ]] || return 1; done < <(tr ':' '\n' < "$CPFILE")
}

cmd_fetch() {
    mkdir -p "$CACHE"
    # Tests may fetch from several processes at once (pytest-xdist); serialise
    # so only one Maven writes the local repo and the classpath file.
    exec 9>"$CACHE/fetch.lock"
    flock 9
    if ! classpath_ok; then
        command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
        echo "neo4j.sh: resolving Neo4j jars from Maven Central into $M2 ..." >&2
        # Maven's output goes to a file (it is noisy even with -q) and is
        # shown only when resolution fails.
        if ! mvn -B -f "$HERE/pom.xml" -Dmaven.repo.local="$M2" \
                dependency:build-classpath -Dmdep.outputFile="$CPFILE.tmp" \
                > "$CACHE/fetch.log" 2>&1; then
            tail -n 40 "$CACHE/fetch.log" >&2
            die "mvn dependency:build-classpath failed (full log: $CACHE/fetch.log)"
        fi
        mv "$CPFILE.tmp" "$CPFILE"
        pom_sum > "$CPFILE.pom-sha256"
    fi
    exec 9>&-
    echo "$CPFILE"
}

# Foreground server; exec so that the pid the caller holds *is* the JVM and
# SIGTERM reaches the launcher's shutdown hook directly.
cmd_run() {
    [[ $# -eq 2 ]] || die "usage: neo4j.sh run DIR PORT"
    local data="$1" port="$2"
    cmd_fetch >/dev/null
    # The store, transaction logs and logs hold personal data: private to this user
    # (files 0600, folders 0700), whatever umask the caller had.
    umask 077
    mkdir -p "$data"
    chmod 700 "$data"
    # The --add-opens flags are the ones Neo4j's own start script passes on
    # Java 17; without them the page cache and tx logs fall back to slower
    # paths and debug.log fills with "Incorrect file descriptor" warnings.
    exec java \
        -Xms128m -Xmx"${BRIDGEMAP_NEO4J_HEAP:-768m}" \
        -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow \
        --add-opens=java.base/java.nio=ALL-UNNAMED \
        --add-opens=java.base/java.io=ALL-UNNAMED \
        --add-opens=java.base/java.lang=ALL-UNNAMED \
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
        -Dio.netty.tryReflectionSetAccessible=true \
        -Dlog4j2.disable.jmx=true \
        -cp "$(cat "$CPFILE")" "$HERE/Neo4jLauncher.java" "$data" "$port"
}

running_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid; pid="$(cat "$PIDFILE")"
    # A stale pid file may name a recycled pid: make sure it is our JVM.
    grep -qa Neo4jLauncher "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

bolt_ok() {
    local port="$1"
    if [[ -x "$PY" ]] && "$PY" -c 'import neo4j' 2>/dev/null; then
        "$PY" - "$port" <<'EOF' >/dev/null 2>&1
import sys
from neo4j import GraphDatabase
with GraphDatabase.driver(f"bolt://127.0.0.1:{sys.argv[1]}", auth=None) as d:
    d.verify_connectivity()
EOF
    else
        port_in_use "$port"  # no driver available: a TCP connect must do
    fi
}

fail_with_logs() {
    echo "neo4j.sh: $1" >&2
    echo "----- $LOGFILE (tail) -----" >&2
    tail -n 40 "$LOGFILE" >&2 || true
    if [[ -n "${2:-}" && -f "$2/logs/debug.log" ]]; then
        echo "----- $2/logs/debug.log (tail) -----" >&2
        tail -n 20 "$2/logs/debug.log" >&2 || true
    fi
    exit 1
}

cmd_start() {
    local data="$CACHE/data" port=7687
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --data) data="$2"; shift 2 ;;
            --port) port="$2"; shift 2 ;;
            *) die "unknown option $1" ;;
        esac
    done
    data="$(mkdir -p "$data" && cd "$data" && pwd)"
    local pid
    if pid="$(running_pid)"; then
        echo "neo4j.sh: already running (pid $pid, port $(cat "$PORTFILE"))" >&2
        echo "export BRIDGEMAP_NEO4J_URI=bolt://127.0.0.1:$(cat "$PORTFILE")"
        return 0
    fi
    port_in_use "$port" && die "port $port is already in use"
    cmd_fetch >/dev/null

    # setsid: the server gets its own session, so Ctrl-C in this terminal or
    # the shell exiting does not take it down; only `stop` does.
    setsid bash "$HERE/neo4j.sh" run "$data" "$port" > "$LOGFILE" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$PIDFILE"
    echo "$port" > "$PORTFILE"

    local timeout="${BRIDGEMAP_NEO4J_START_TIMEOUT:-120}" start=$SECONDS
    until grep -q '^NEO4J READY' "$LOGFILE" && bolt_ok "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PIDFILE"
            fail_with_logs "server exited during startup" "$data"
        fi
        if (( SECONDS - start >= timeout )); then
            kill -TERM "$pid" 2>/dev/null || true
            rm -f "$PIDFILE"
            fail_with_logs "no Bolt connection after ${timeout}s" "$data"
        fi
        sleep 0.5
    done
    echo "neo4j.sh: Neo4j up in $((SECONDS - start))s (pid $pid, data $data, log $LOGFILE)" >&2
    echo "export BRIDGEMAP_NEO4J_URI=bolt://127.0.0.1:$port"
}

cmd_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        echo "neo4j.sh: not running" >&2
        rm -f "$PIDFILE"
        return 0
    fi
    kill -TERM "$pid"
    # Shutdown checkpoints the store; normally well under a second, but give a
    # big store time before resorting to SIGKILL (which forces recovery next start).
    local i
    for ((i = 0; i < 120; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "neo4j.sh: still alive after 60s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
    echo "neo4j.sh: stopped" >&2
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        echo "running (pid $pid) bolt://127.0.0.1:$(cat "$PORTFILE")"
    else
        echo "not running"
        return 3  # LSB "program is not running"
    fi
}

case "${1:-}" in
    fetch)  shift; cmd_fetch "$@" ;;
    start)  shift; cmd_start "$@" ;;
    stop)   shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    run)    shift; cmd_run "$@" ;;
    *) echo "usage: $0 {fetch|start [--data DIR] [--port PORT]|stop|status|run DIR PORT}" >&2; exit 2 ;;
esac
