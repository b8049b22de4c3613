"""Survey speed: the respondent's roster page with 2,000 names, and accepting 500
responses of 15 ties each in one write, on each store.

Targets (DESIGN §7): roster page < 300 ms; acceptance < 3 s on the embedded store and on
Neo4j. Baselines measured in the same run: the roster as JSON from the API (no page),
and a plain ``bulk_upsert`` of the same 7,500 ties (the store's raw write, no survey
rules). Prints a table of medians of ``--repeat`` runs (each acceptance into a fresh map;
setting the responses up is not timed). Each store first holds another map of
``--beside`` people and five times as many ties, as a shared server does: a statement
that scans every map's nodes instead of seeking one shows here, not on an empty server.

    .venv/bin/python benchmarks/surveys.py                     # both stores (starts Neo4j)
    .venv/bin/python benchmarks/surveys.py --stores embedded --repeat 5
    .venv/bin/python benchmarks/surveys.py --beside 0          # an otherwise empty store
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

from graph_models.model import DEFAULT_SILOS, Map, Person, Relationship, Silo  # noqa: E402
from graph_models.store.base import AccessToken  # noqa: E402
from graph_models.store.embedded import EmbeddedStore  # noqa: E402
from graph_models.surveys.accept import plan_acceptance  # noqa: E402
from graph_models.surveys.model import (  # noqa: E402
    Frequency,
    ReportedTie,
    Response,
    ResponseStatus,
    Survey,
    SurveyStatus,
)

FIRST = ["Siân", "Llŷr", "Ann", "Rhys", "Gwen", "Dafydd", "Nia", "Owain", "Cerys", "Iwan"]
LAST = ["Evans", "Jones", "Davies", "Williams", "Thomas", "Roberts", "Hughes", "Lewis"]


def people(n: int, seed: int = 1) -> list[Person]:
    rng = random.Random(seed)
    silos = [s for s, _ in DEFAULT_SILOS]
    return [
        Person(f"p{i}", f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", rng.choice(silos))
        for i in range(n)
    ]


def new_map(store, map_id: str, nodes: list) -> None:
    store.create_map(Map(map_id, map_id, silos=[Silo(s, c) for s, c in DEFAULT_SILOS]))
    store.bulk_upsert(map_id, nodes, [])


def responses(nodes, n_respondents: int, n_ties: int, seed: int = 2) -> list[Response]:
    rng = random.Random(seed)
    ids = [n.id for n in nodes]
    out = []
    freqs = list(Frequency)
    for person in ids[:n_respondents]:
        targets = rng.sample([i for i in ids if i != person], n_ties)
        ties = [ReportedTie("works_with", rng.choice(freqs), target=t) for t in targets]
        out.append(Response("s", person, ResponseStatus.SUBMITTED, ties, submitted_at="t"))
    return out


def add_map_beside(store, n: int, seed: int = 3) -> None:
    """A map of ``n`` people and ``5 n`` ties that the benchmark does not touch."""
    if n <= 0:
        return
    rng = random.Random(seed)
    nodes = people(n, seed)
    ties = [
        Relationship(f"t{i}", f"p{a}", f"p{b}", "knows")
        for i, (a, b) in enumerate(rng.sample(range(n), 2) for _ in range(5 * n))
    ]
    new_map(store, "beside", nodes)
    store.bulk_upsert("beside", [], ties)


def time_accept(store, label: str, nodes, answers, repeat: int) -> tuple[float, float]:
    """Median seconds of accepting every response, and of the plain bulk baseline."""
    accept_times, bulk_times = [], []
    for run in range(repeat):
        map_id = f"{label}-accept-{run}-{time.time_ns()}"
        new_map(store, map_id, nodes)
        store.create_survey(map_id, Survey("s", "bench"), [r.person_id for r in answers])
        store.set_survey_status(map_id, "s", SurveyStatus.OPEN)
        # setup, not timed: every response stored at once (the store's own primitive)
        store._write(lambda tx, m=map_id: tx.put_responses(m, answers))  # noqa: SLF001
        start = time.perf_counter()
        summary = store.accept_responses(
            map_id, "s", lambda m, s, rs, ns, rels: plan_acceptance(m, s, rs, ns, rels)
        )
        accept_times.append(time.perf_counter() - start)
        assert summary["accepted"] == len(answers), summary
        ties = [
            Relationship(f"b{i}-{j}", r.person_id, t.target, t.kind, t.strength)
            for i, r in enumerate(answers)
            for j, t in enumerate(r.ties)
        ]
        bulk_map = f"{label}-bulk-{run}-{time.time_ns()}"
        new_map(store, bulk_map, nodes)
        start = time.perf_counter()
        store.bulk_upsert(bulk_map, [], ties)
        bulk_times.append(time.perf_counter() - start)
    return statistics.median(accept_times), statistics.median(bulk_times)


def time_roster(store, nodes, repeat: int) -> tuple[float, float, int]:
    """Median seconds of the respondent's page and of the roster JSON, and the page size."""
    from service import auth
    from tests.conftest import make_app

    new_map(store, "roster", nodes)
    store.create_survey("roster", Survey("s", "bench"), [nodes[0].id])
    issued = {}

    def issue(_asked):
        issued["secret"] = secret = auth.new_secret()
        token = AccessToken(
            auth.new_token_id(), "roster", auth.RESPONDENT, auth.digest(secret), subject=nodes[0].id
        )
        return {nodes[0].id: token}

    store.set_survey_status("roster", "s", SurveyStatus.OPEN, issue=issue)
    app = make_app(store)
    client = app.test_client()
    client.token = issued["secret"]
    page, api = [], []
    size = 0
    for _ in range(repeat + 1):  # the first one warms the template cache
        start = time.perf_counter()
        r = client.get("/maps/roster/surveys/s/respond")
        page.append(time.perf_counter() - start)
        assert r.status_code == 200, r.status_code
        size = len(r.data)
        start = time.perf_counter()
        assert client.get("/api/v1/maps/roster/surveys/s/respond/roster").status_code == 200
        api.append(time.perf_counter() - start)
    return statistics.median(page[1:]), statistics.median(api[1:]), size


def open_neo4j(tmp):
    import neo4j

    from graph_models.store.neo4j import DRIVER_NOTIFICATIONS, Neo4jStore

    server = None
    uri = os.environ.get("BRIDGEMAP_NEO4J_URI")
    if not uri:
        from tests.neo4j_server import LocalNeo4j, free_port

        server = LocalNeo4j(Path(tmp) / "neo4j", free_port()).start()
        uri = server.uri
    driver = neo4j.GraphDatabase.driver(uri, auth=None, **DRIVER_NOTIFICATIONS)
    return Neo4jStore(driver), server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=2000)
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--ties", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="embedded,neo4j")
    parser.add_argument("--beside", type=int, default=10_000, help="people in another map")
    args = parser.parse_args()

    nodes = people(args.names)
    answers = responses(nodes, args.respondents, args.ties)
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.stores.split(","):
            server = None
            if kind == "embedded":
                store = EmbeddedStore(Path(tmp) / "bench.sqlite3")
            else:
                store, server = open_neo4j(tmp)
            try:
                add_map_beside(store, args.beside)
                page, api, size = time_roster(store, nodes, args.repeat)
                rows.append((kind, f"roster page, {args.names:,} names", page, 0.3, f"{size:,} B"))
                rows.append((kind, "  baseline: roster JSON (API)", api, None, ""))
                accept, bulk = time_accept(store, kind, nodes, answers, args.repeat)
                n = args.respondents * args.ties
                rows.append(
                    (
                        kind,
                        f"accept {args.respondents} x {args.ties} ties",
                        accept,
                        3.0,
                        f"{n:,} ties",
                    )
                )
                rows.append((kind, "  baseline: bulk_upsert of them", bulk, None, ""))
            finally:
                store.close()
                if server:
                    server.stop()

    print(f"\nSurveys: medians of {args.repeat} runs, beside a map of {args.beside:,} people")
    # a shared machine's load moves absolute times; the ratio to the baseline measured
    # just after each target (same store, same run) moves much less
    loads = (
        " / ".join(f"{a:.1f}" for a in load_before),
        " / ".join(f"{a:.1f}" for a in os.getloadavg()),
    )
    print(f"load average (1/5/15 min): {loads[0]} at start, {loads[1]} at end")
    header = f"{'store':<9} {'what':<34} {'seconds':>8} {'target':>7} {'met':>4}  note"
    print(header)
    print("-" * len(header))
    for i, (kind, what, secs, target, note) in enumerate(rows):
        met = "" if target is None else ("yes" if secs < target else "NO")
        tgt = f"{target:>7.1f}" if target else f"{'':>7}"
        if target is not None and i + 1 < len(rows) and rows[i + 1][3] is None:
            note += f" ({secs / rows[i + 1][2]:.2f} x baseline)"
        print(f"{kind:<9} {what:<34} {secs:>8.3f} {tgt} {met:>4}  {note}")


if __name__ == "__main__":
    main()
