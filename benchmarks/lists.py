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


# The tie list's statements before issue 16's second pass (one statement joining both
# ends of every tie and sorting them all, and a count doing the same), kept here as the
# "previous store query" column: the same page made by them, in the same run.
_SQL_SHOWN = """
WITH small AS MATERIALIZED (SELECT value AS silo FROM json_each(:small)),
lab AS MATERIALIZED (SELECT key AS silo, value AS label FROM json_each(:labels))
SELECT count(*) OVER () AS total, id FROM (
  SELECT r.id AS id, r.shuffle AS shuffle, {anon} AS anon,
         CASE WHEN (:viewer AND a.visibility <> 'named')
              THEN (SELECT label FROM lab WHERE lab.silo = a.silo) ELSE a.name_key END AS a_display
  FROM relationships r
  JOIN nodes a ON a.map_id = r.map_id AND a.id = r.source
  JOIN nodes b ON b.map_id = r.map_id AND b.id = r.target
  WHERE r.map_id = :map_id AND {shown_a} AND {shown_b})
ORDER BY a_display, CASE WHEN anon THEN shuffle ELSE id END LIMIT :limit OFFSET :offset
"""


def _sql_shown(n):
    return (
        f"(NOT :viewer OR {n}.visibility = 'named' OR ({n}.visibility = 'anonymised' "
        f"AND {n}.silo NOT IN (SELECT silo FROM small)))"
    )


PREVIOUS_SQL = _SQL_SHOWN.format(
    anon="(:viewer AND a.visibility <> 'named') OR (:viewer AND b.visibility <> 'named')",
    shown_a=_sql_shown("a"),
    shown_b=_sql_shown("b"),
)


def _cy_vis(n):
    return f"coalesce({n}.visibility, 'named')"


def _cy_shown(n):
    return (
        f"(NOT $viewer OR {_cy_vis(n)} = 'named' OR "
        f"({_cy_vis(n)} = 'anonymised' AND NOT {n}.silo IN $small))"
    )


_CY_SHOWN = f"""
MATCH (a:Node {{map_id: $map_id}})-[r]->(b:Node)
WHERE r.map_id = $map_id AND {_cy_shown("a")} AND {_cy_shown("b")}
WITH a, r, b,
     CASE WHEN $viewer AND {_cy_vis("a")} <> 'named' THEN $labels[a.silo]
          ELSE a.name_key END AS a_display,
     CASE WHEN $viewer AND ({_cy_vis("a")} <> 'named' OR {_cy_vis("b")} <> 'named')
          THEN r.shuffle ELSE r.id END AS tiebreak
"""
PREVIOUS_CYPHER = (
    _CY_SHOWN + "RETURN count(r) AS total",
    _CY_SHOWN + "RETURN r.id AS id ORDER BY a_display, tiebreak SKIP $offset LIMIT $limit",
)


def previous_store_query(store, viewer: bool, small: list, labels: dict):
    """The page of ties (and total) by the previous statements."""
    args = {"map_id": "m", "viewer": viewer, "limit": PAGE, "offset": PAGE}
    if hasattr(store, "_conn"):
        import json

        args.update(small=json.dumps(small), labels=json.dumps(labels))
        rows = store._conn().execute(PREVIOUS_SQL, args).fetchall()
        return [r[1] for r in rows], rows[0][0]
    args.update(small=small, labels=labels)
    with store.driver.session(database=store.database) as session:
        total = session.run(PREVIOUS_CYPHER[0], **args).single()["total"]
        ids = session.run(PREVIOUS_CYPHER[1], **args).value("id")
    return ids, total


def timed(work, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, max(times) * 1000


def measure(store, label: str, repeat: int) -> list[dict]:
    from service import policy
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
            (EntityType.RELATIONSHIP, "person 12"),
        ):
            previous = None
            with app.test_request_context("/api/v1/maps/m/people", headers=headers):
                policy.authorise()  # the request's reader, as a real request has it

                def new(etype=etype, q=q):
                    return entities.shown_page("m", etype, ListFilter(q=q), limit=PAGE, offset=PAGE)

                ms, worst = timed(new, repeat)
                base, _ = timed(
                    lambda etype=etype, q=q, who=who: old_way(
                        store, etype, q, who == "viewer", secret
                    ),
                    max(1, repeat // 2),
                )
                if etype is EntityType.RELATIONSHIP and q is None:
                    viewer = who == "viewer"
                    consent = entities.consent(store.get_map("m"))
                    people = store.list_shown("m", EntityType.PERSON, limit=1).silo_people
                    small = sorted(s for s, n in people.items() if n < consent.min_group)
                    labels = {s: fold(str(consent.label(s))) for s in people} if viewer else {}
                    previous, _ = timed(
                        lambda v=viewer, s=small, la=labels: previous_store_query(store, v, s, la),
                        repeat,
                    )
                    # the same page and total as the statements they replace
                    rows_now, total_now, _ = new()
                    ids, total = previous_store_query(store, viewer, small, labels)
                    assert total == total_now and len(ids) == len(rows_now)
                    if not viewer:
                        assert ids == [r["id"] for r in rows_now]
            what = f"{etype.value}s" + (f" q={q!r}" if q else "")
            rows.append(
                {
                    "store": label,
                    "who": who,
                    "list": what,
                    "ms": ms,
                    "worst": worst,
                    "base": base,
                    "previous": previous,
                }
            )
    rows.append(one_record(app, store, label, viewer_token["token"], secret, repeat))
    rows.append(one_tie(app, store, label, viewer_token["token"], secret, repeat))
    for who, token in (("coordinator", ADMIN_SECRET), ("viewer", viewer_token["token"])):
        rows.append(after_a_write(app, store, label, who, token, repeat))
    return rows


def after_a_write(app, store, label: str, who: str, token: str, repeat: int) -> dict:
    """The first tie list after each write (a coordinator adding a tie, then looking):
    the map-wide figures kept per map version are made again; the statements' plans are
    already cached, as on a running server. Baseline: the same list, nothing written."""
    from service import policy
    from service.usecases import entities

    headers = {"Authorization": f"Bearer {token}"}
    R = EntityType.RELATIONSHIP
    times = []
    with app.test_request_context("/api/v1/maps/m/relationships", headers=headers):
        policy.authorise()

        def page():
            return entities.shown_page("m", R, ListFilter(), limit=PAGE, offset=PAGE)

        page()
        for i in range(repeat):
            store.bulk_upsert("m", [], [Relationship(f"w-{who}-{i}", "p1", f"p{i + 2}", "knows")])
            start = time.perf_counter()
            page()
            times.append(time.perf_counter() - start)
        base, _ = timed(page, repeat)
    return {
        "store": label,
        "who": who,
        "list": "ties, after a write",
        "ms": statistics.median(times) * 1000,
        "worst": max(times) * 1000,
        "base": base,
        "previous": None,
    }


def one_record(app, store, label: str, token: str, secret: bytes, repeat: int) -> dict:
    """A viewer reading one anonymised person by their pseudonym (the API's GET of one
    record), against the old way: the whole map read and consent applied to it."""
    from service import policy
    from service.usecases import entities

    headers = {"Authorization": f"Bearer {token}"}
    with app.test_request_context("/api/v1/maps/m/people", headers=headers):
        policy.authorise()
        public = entities.shown_page(
            "m", EntityType.PERSON, ListFilter(q="a person"), limit=1, offset=PAGE
        )[0][0]["id"]
        ms, worst = timed(lambda: entities.get_visible("m", EntityType.PERSON, public), repeat)

        def old():
            rows = public_records(store.graph("m"), secret=secret)["people"]
            return next(r for r in rows if r["id"] == public)

        base, _ = timed(old, max(1, repeat // 2))
        assert old()["name"] == entities.get_visible("m", EntityType.PERSON, public).name
    return {
        "store": label,
        "who": "viewer",
        "list": "one person (anon-)",
        "ms": ms,
        "worst": worst,
        "base": base,
        "previous": None,
    }


def one_tie(app, store, label: str, token: str, secret: bytes, repeat: int) -> dict:
    """A viewer reading one tie with an anonymised end by its ``tie-`` pseudonym, against
    the old way: the whole map read and consent applied to it."""
    from service import policy
    from service.usecases import entities

    headers = {"Authorization": f"Bearer {token}"}
    R = EntityType.RELATIONSHIP
    with app.test_request_context("/api/v1/maps/m/relationships", headers=headers):
        policy.authorise()
        rows = entities.shown_page("m", R, ListFilter(), limit=PAGE, offset=PAGE)[0]
        public = next(r["id"] for r in rows if r["id"].startswith("tie-"))
        ms, worst = timed(lambda: entities.get_visible("m", R, public), repeat)

        def old():
            ties = public_records(store.graph("m"), secret=secret)["relationships"]
            return next(r for r in ties if r["id"] == public)

        base, _ = timed(old, max(1, repeat // 2))
        assert old()["source"] == entities.get_visible("m", R, public).source
    return {
        "store": label,
        "who": "viewer",
        "list": "one tie (tie-)",
        "ms": ms,
        "worst": worst,
        "base": base,
        "previous": None,
    }


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
        f"{'baseline ms':>11} {'x faster':>8} {'previous ms':>11} {'< 100 ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in table:
        met = "yes" if r["ms"] < TARGET_MS else "NO"
        previous = f"{r['previous']:.1f}" if r["previous"] is not None else "-"
        print(
            f"{r['store']:<9} {r['who']:<12} {r['list']:<22} {r['ms']:>9.1f} {r['worst']:>8.1f} "
            f"{r['base']:>11.1f} {r['base'] / r['ms']:>8.1f} {previous:>11} {met:>8}"
        )
    print(
        "\nbaseline: the same page made the old way in the same run (whole map read, consent "
        "applied to every record in Python, filtered, sorted, sliced). previous: the tie "
        "list's store statements before this change (both ends of every tie joined and all "
        "sorted; on Neo4j a count and a list), same page, same run. 'one person' / 'one tie': a "
        "viewer's read of one anonymised person / one tie with an anonymised end by "
        "pseudonym; its baseline reads the whole map. 'after a write': the first tie list "
        "after each one-tie write; its baseline is the same list with nothing written."
    )


if __name__ == "__main__":
    main()
