"""Every Cypher statement of the Neo4j store is planned to touch one map, not the database.

The planner chooses between indexes from estimates, and a new index can silently win a
choice it should lose: after ``node_map`` (``:Node(map_id)``) was added, the statement
creating ties found each end by scanning that index and filtering by id, for every row,
and writing a 10,000-person map's ties took 550 s instead of 48 s. Nothing else failed.

So this module ``EXPLAIN``s every statement in :mod:`graph_models.store.cypher` on a
database shaped like the one that showed the problem (maps of one silo: every node of a
map shares its ``map_id``) and checks, from the plans:

* every node found by identity (``{map_id: $map_id, id: …}``) is a unique seek of the
  identity constraint's index, never a scan or a seek of ``map_id`` alone;
* no statement, apart from the migrations' one-off data steps, scans every node of a
  label that grows with the data, a whole index, or every relationship.
"""

from __future__ import annotations

import re

import pytest

from graph_models.model import Map, Organisation, OrganisationKind, Person, Relationship, Silo
from graph_models.store import cypher
from graph_models.store.neo4j import Neo4jStore
from tests.conftest import wipe

pytestmark = pytest.mark.neo4j

#: The migrations' data steps visit every node (or map) once, by design.
WHOLE_DATABASE = {
    "NODES_WITHOUT_NAME_KEY",
    "NODES_WITHOUT_REVISION",
    "RELS_WITHOUT_REVISION",
    "MAPS_WITHOUT_KEY",
    "MAP_DATA",
    "OLD_ERASED_REFS",
    "PEOPLE_WITHOUT_VISIBILITY",
    "NODES_WITHOUT_SHUFFLE",
    "RELS_WITHOUT_SHUFFLE",
    "LIST_MAPS",
}
#: Operators that read a whole label, index or relationship store.
SCANS = re.compile(
    r"^(AllNodesScan|NodeIndexScan|NodeByLabelScan|\w*AllRelationshipsScan"
    r"|\w*RelationshipTypeScan|\w*RelationshipIndexScan)"
)
#: Labels whose nodes grow with each map's data (people, organisations, and an audit
#: entry a write); the others hold a handful of nodes a map.
GROWING_LABELS = ("Node", "Person", "Organisation", "Audit")
#: A node pattern naming its identity: the variable and the id's expression.
BY_IDENTITY = re.compile(r"\((\w+):Node(?::\w+)*\s*\{map_id: \$map_id, id: ([\w.$]+)\}\)")


def statements():
    """Every complete statement of :mod:`cypher` (module constants, and the values of
    its per-label and per-type dicts), by name."""
    for name, value in vars(cypher).items():
        if name.startswith("_"):
            continue  # templates, completed elsewhere
        if isinstance(value, str) and re.search(r"\b(MATCH|MERGE)\b", value):
            yield name, value
        elif isinstance(value, dict):
            for key, text in value.items():
                if isinstance(text, str) and re.search(r"\b(MATCH|MERGE)\b", text):
                    yield f"{name}[{key}]", text


STATEMENTS = dict(statements())
#: The statements finding a node by identity.
BY_IDENTITY_NAMES = [name for name, text in STATEMENTS.items() if BY_IDENTITY.search(text)]
#: A ``MATCH`` by identity and the hint that must follow it.
HINTED = re.compile(
    r"MATCH \((\w+):Node(?::\w+)*\s*\{map_id: \$map_id, id: [\w.$]+\}\)"
    r"\s*USING INDEX SEEK \1:Node\(map_id, id\)"
)


def operators(plan: dict):
    """(operator, details) of every operator of a plan, depth first."""
    yield plan["operatorType"].split("@")[0], plan.get("args", {}).get("Details", "")
    for child in plan.get("children", []):
        yield from operators(child)


def _add_map(store, map_id: str, size: int) -> None:
    """A one-silo map of ``size`` people, a tenth as many organisations, and a tie each."""
    store.create_map(Map(map_id, map_id, silos=[Silo("health", "#fff")]))
    people = [Person(f"p{i}", f"P {i}", "health") for i in range(size)]
    orgs = [
        Organisation(f"o{i}", f"O {i}", "health", OrganisationKind.STATUTORY)
        for i in range(size // 10)
    ]
    ties = [Relationship(f"r{i}", f"p{i}", f"p{(i * 7 + 1) % size}", "knows") for i in range(size)]
    store.bulk_upsert(map_id, [*people, *orgs], ties)


def _explain(driver, names) -> dict[str, list]:
    """The statements' plans under the database's present statistics (not plans cached
    under earlier ones)."""
    driver.execute_query("CALL db.awaitIndexes(120)")
    driver.execute_query("CALL db.resampleOutdatedIndexes()")
    driver.execute_query("CALL db.clearQueryCaches()")
    with driver.session(notifications_min_severity="OFF") as session:
        return {
            name: list(operators(session.run("EXPLAIN " + text).consume().plan))
            for name, text in STATEMENTS.items()
            if name in names
        }


@pytest.fixture(scope="module")
def plans(neo4j_driver):
    """Each statement's plan on two databases, by statistics: ``"one map"``, a server
    holding one map (where the tie-writing statement went wrong), and ``"shared"``, the
    same with a dozen more small maps (where a scan of every map's nodes would cost
    most)."""
    wipe(neo4j_driver)
    store = Neo4jStore(neo4j_driver, owns_driver=False)
    _add_map(store, "large", 800)
    found = {"one map": _explain(neo4j_driver, BY_IDENTITY_NAMES)}
    for i in range(10):
        _add_map(store, f"small{i}", 80)
    found["shared"] = _explain(neo4j_driver, STATEMENTS)
    return found


def test_the_statements_are_found():
    """The walk finds the statements that matter (so the checks below check something)."""
    for name in ("CREATE_RELS[knows]", "UPDATE_RELS[None]", "NODES_BY_ID", "ALL_RELS"):
        assert name in STATEMENTS
    assert sum(bool(BY_IDENTITY.search(t)) for t in STATEMENTS.values()) >= 30


@pytest.mark.parametrize("name", BY_IDENTITY_NAMES)
def test_matches_by_identity_say_how_to_find_the_node(name):
    """Whatever the statistics of the day: every ``MATCH`` by identity carries
    ``USING INDEX SEEK`` (``MERGE`` cannot; it seeks by the constraint it locks)."""
    text = STATEMENTS[name]
    matches = len(re.findall(r"MATCH " + BY_IDENTITY.pattern, text))
    assert len(HINTED.findall(text)) == matches, text


@pytest.mark.parametrize("name", BY_IDENTITY_NAMES)
@pytest.mark.parametrize("database", ["one map", "shared"])
def test_nodes_found_by_identity_are_unique_seeks(plans, database, name):
    seeks = {
        m.group(1)
        for op, details in plans[database][name]
        if op.startswith("NodeUniqueIndexSeek")
        and (
            m := re.match(
                r"UNIQUE (\w+):Node\(map_id, id\) WHERE map_id = \$map_id AND id = ", details
            )
        )
    }
    wanted = {var for var, _ in BY_IDENTITY.findall(STATEMENTS[name])}
    assert wanted <= seeks, (name, plans[database][name])


@pytest.mark.parametrize("name", sorted(set(STATEMENTS) - WHOLE_DATABASE))
def test_no_statement_scans_the_database(plans, name):
    scans = [
        (op, details)
        for op, details in plans["shared"][name]
        if SCANS.match(op)
        and (op != "NodeByLabelScan" or details.split(":", 1)[-1] in GROWING_LABELS)
    ]
    assert scans == [], (name, scans)
