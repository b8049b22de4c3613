"""People and relationship lists paged in the store, for coordinators and viewers.

A map of ``--people`` people (a fifth anonymised, one in twenty hidden) and ``--ties``
ties; each row of the table is the median (and slowest) of ``--repeat`` calls of the
service's list function (:func:`service.usecases.entities.shown_page`, what the API and
the list pages call) inside a request context, for one page of 25. The baseline is
measured in the same run: the way lists were made before they were paged in the store
(the whole map read, consent applied to every record, filtered and sorted in Python,
then sliced). Target (issue 16): < 100 ms at 10,000 people, for viewers too.

    .venv/bin/python benchmarks/lists.py                         # embedded store
    .venv/bin/python benchmarks/lists.py --stores embedded,neo4j  # starts Neo4j too
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_models.model import (  # noqa: E402
    DEFAULT_SILOS,
    EntityType,
    Map,
    Person,
    Relationship,
    Silo,
    Visibility,
    to_dict,
)
from graph_models.store.base import ListFilter  # noqa: E402
from graph_models.text import fold  # noqa: E402
from graph_models.visibility import public_records  # noqa: E402

TARGET_MS = 100
PAGE = 25


def build(store, n_people: int, n_ties: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    silos = [s for s, _ in DEFAULT_SILOS]
    store.create_map(Map("m", "m", silos=[Silo(s, c) for s, c in DEFAULT_SILOS]))
    people = []
    for i in range(n_people):
        vis = Visibility.NAMED
        if i % 20 == 0:
            vis = Visibility.HIDDEN
        elif i % 5 == 0:
            vis = Visibility.ANONYMISED
        people.append(Person(f"p{i}", f"Person {i}", rng.choice(silos), visibility=vis))
    ties = []
    for i in range(n_ties):
        a, b = rng.sample(range(n_people), 2)
        ties.append(Relationship(f"t{i}", f"p{a}", f"p{b}", "knows", rng.randint(1, 5)))
    store.bulk_upsert("m", people, ties)


def old_way(store, etype: EntityType, q: str | None, viewer: bool, secret: bytes):
    """The lists before this change: whole map, consent in Python, sort, slice."""
    records = store.graph("m")
    if viewer:
        rows = public_records(records, secret=secret)
    else:
        rows = {
            "people": [to_dict(p) for p in records.people],
            "relationships": [to_dict(r) for r in records.relationships],
        }
    names = {n["id"]: n["name"] for n in rows["people"]}
    plural = "people" if etype is EntityType.PERSON else "relationships"
    found = rows[plural]
    if q:
        key = fold(q)
        if etype is EntityType.PERSON:
            found = [r for r in found if key in fold(r["name"])]
        else:
            ends = ("source", "target")
            found = [r for r in found if any(key in fold(names.get(r[e], "")) for e in ends)]
    if etype is EntityType.PERSON:
        found.sort(key=lambda r: (r["name"].casefold(), r["id"]))
    else:
        found.sort(key=lambda r: (names.get(r["source"], "").casefold(), r["id"]))
    return found[PAGE : 2 * PAGE], len(found)


def timed(work, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, max(times) * 1000


def measure(store, label: str, repeat: int) -> list[dict]:
    from service.usecases import entities
    from tests.conftest import ADMIN_SECRET, make_app

    app = make_app(store)
    client = app.test_client()
    client.token = ADMIN_SECRET
    viewer_token = client.post("/api/v1/maps/m/tokens", json={"role": "viewer"}).get_json()
    secret = app.config["SECRET_KEY"].encode()
    rows = []
    for who, token in (("coordinator", ADMIN_SECRET), ("viewer", viewer_token["token"])):
        headers = {"Authorization": f"Bearer {token}"}
        for etype, q in (
            (EntityType.PERSON, None),
            (EntityType.PERSON, "person 12"),
            (EntityType.RELATIONSHIP, None),
        ):
            with app.test_request_context("/api/v1/maps/m/people", headers=headers):
                from service import policy

                policy.authorise()  # the request's reader, as a real request has it

                def new(etype=etype, q=q):
                    entities.shown_page("m", etype, ListFilter(q=q), limit=PAGE, offset=PAGE)

                ms, worst = timed(new, repeat)
                base, base_worst = timed(
                    lambda etype=etype, q=q, who=who: old_way(
                        store, etype, q, who == "viewer", secret
                    ),
                    max(1, repeat // 2),
                )
            what = f"{etype.value}s" + (f" q={q!r}" if q else "")
            rows.append(
                {
                    "store": label,
                    "who": who,
                    "list": what,
                    "ms": ms,
                    "worst": worst,
                    "base": base,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--stores", default="embedded")
    args = parser.parse_args()
    table: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.stores.split(","):
            server = None
            if kind == "embedded":
                from graph_models.store.embedded import EmbeddedStore

                store = EmbeddedStore(Path(tmp) / "lists.sqlite3")
            else:
                import neo4j

                from graph_models.store.neo4j import DRIVER_NOTIFICATIONS, Neo4jStore

                uri = os.environ.get("BRIDGEMAP_NEO4J_URI")
                if not uri:
                    from tests.neo4j_server import LocalNeo4j, free_port

                    server = LocalNeo4j(Path(tmp) / "neo4j", free_port()).start()
                    uri = server.uri
                driver = neo4j.GraphDatabase.driver(uri, auth=None, **DRIVER_NOTIFICATIONS)
                store = Neo4jStore(driver)
            try:
                print(f"building {args.people:,} people + {args.ties:,} ties on {kind} ...")
                build(store, args.people, args.ties)
                table += measure(store, kind, args.repeat)
            finally:
                store.close()
                if server:
                    server.stop()
    load = os.getloadavg()
    print(
        f"\nLists, page 2 of {PAGE}: {args.people:,} people + {args.ties:,} ties; median (and "
        f"slowest) of {args.repeat} calls; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    header = (
        f"{'store':<9} {'reader':<12} {'list':<22} {'median ms':>9} {'slowest':>8} "
        f"{'baseline ms':>11} {'x faster':>8} {'< 100 ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in table:
        met = "yes" if r["ms"] < TARGET_MS else "NO"
        print(
            f"{r['store']:<9} {r['who']:<12} {r['list']:<22} {r['ms']:>9.1f} {r['worst']:>8.1f} "
            f"{r['base']:>11.1f} {r['base'] / r['ms']:>8.1f} {met:>8}"
        )
    print(
        "\nbaseline: the same page made the old way in the same run (whole map read, consent "
        "applied to every record in Python, filtered, sorted, sliced)."
    )


if __name__ == "__main__":
    main()
