"""Every Cypher statement the Neo4j store runs, as constants.

All values travel as parameters. The only text ever spliced into a statement is a
relationship type, and only from :data:`graph_models.model.RELATIONSHIP_KINDS` (the
whitelist) plus the one generic type :data:`graph_models.model.GENERIC_NEO4J_TYPE`
(``RELATES_TO``), when this module is imported: a kind typed by a user selects one of
these prepared statements by dictionary lookup (:func:`create_rels`,
:func:`delete_rels`) and never reaches the query text. A map's own kinds are all
``RELATES_TO`` ties whose ``kind`` property says which, so every read that filters by
kind filters on that property, for built-in and own kinds alike.

Graph shape: ``(:Map {id})`` holds a map's descriptive fields and its ``version``;
people and organisations are ``(:Node:Person)`` / ``(:Node:Organisation)`` with
``map_id`` and ``id`` (unique together); ties are typed relationships (``KNOWS``,
``FUNDS``...) carrying ``map_id`` and the tie's fields as properties (dates as ISO
strings); writes leave ``(:Audit)`` records. Each node also keeps the whole entity as
JSON in ``data`` (its tags are a list of free text), so reading a node back needs no
per-field mapping, and ``name_key``, its folded name (:func:`graph_models.text.fold`),
which name search matches. One ``(:BridgemapSchema {id: 'bridgemap', version})`` node
records the schema version (:mod:`graph_models.store.migrations`).

The schema is built by the numbered steps in ``MIGRATION_<n>``, never edited in place.
Neo4j runs schema statements (constraints, indexes) in transactions of their own, apart
from data writes.
"""

from __future__ import annotations

import re

from graph_models.model import GENERIC_NEO4J_TYPE, RELATIONSHIP_KINDS

NEO4J_TYPES: dict[str, str] = {kind: rule.neo4j_type for kind, rule in RELATIONSHIP_KINDS.items()}
#: Every relationship type a tie may have: the built-in kinds' and the generic one.
ALL_TYPES: tuple[str, ...] = (*NEO4J_TYPES.values(), GENERIC_NEO4J_TYPE)

# -- schema, by migration ------------------------------------------------------------------

#: Migration 1: the constraints and indexes of the releases before migrations.
MIGRATION_1 = tuple(
    [
        "CREATE CONSTRAINT map_id IF NOT EXISTS FOR (m:Map) REQUIRE m.id IS UNIQUE",
        "CREATE CONSTRAINT node_identity IF NOT EXISTS "
        "FOR (n:Node) REQUIRE (n.map_id, n.id) IS UNIQUE",
        "CREATE INDEX node_name IF NOT EXISTS FOR (n:Node) ON (n.map_id, n.name)",
        "CREATE INDEX audit_map IF NOT EXISTS FOR (a:Audit) ON (a.map_id, a.seq)",
        "CREATE CONSTRAINT token_id IF NOT EXISTS FOR (t:Token) REQUIRE t.id IS UNIQUE",
        "CREATE CONSTRAINT token_hash IF NOT EXISTS FOR (t:Token) REQUIRE t.token_hash IS UNIQUE",
        "CREATE INDEX token_map IF NOT EXISTS FOR (t:Token) ON (t.map_id)",
    ]
    + [
        f"CREATE INDEX rel_id_{t.lower()} IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.id)"
        for t in NEO4J_TYPES.values()
    ]
)
#: Migration 2: the folded name (search key) of people and organisations; a text index
#: answers ``CONTAINS``.
MIGRATION_2 = ("CREATE TEXT INDEX node_name_key IF NOT EXISTS FOR (n:Node) ON (n.name_key)",)
NODES_WITHOUT_NAME_KEY = """
MATCH (n:Node) WHERE n.name_key IS NULL
RETURN elementId(n) AS element, n.name AS name
"""
SET_NAME_KEYS = """
UNWIND $rows AS row
MATCH (n:Node) WHERE elementId(n) = row.element
SET n.name_key = row.key
"""

#: Migration 3: a per-record revision (1 when made, one more on every write of the
#: record), the ``ETag`` of one person, organisation or tie. No schema statement: the
#: data step gives existing nodes and ties revision 1.
MIGRATION_3: tuple[str, ...] = ()
NODES_WITHOUT_REVISION = "MATCH (n:Node) WHERE n.revision IS NULL SET n.revision = 1"
RELS_WITHOUT_REVISION = """
MATCH (:Node)-[r]->(:Node)
WHERE r.map_id IS NOT NULL AND r.revision IS NULL
SET r.revision = 1
"""

#: Migration 4: erasure tombstones. Each map gets a random ``erasure_key``; an erased
#: person's id is kept only as an HMAC under it, on an ``(:Erased {map_id, digest})``
#: node, so a write naming the id again can be refused. Old unkeyed ``sha256:`` audit
#: refs are replaced by random ones in the data step (they could confirm a guessed id).
MIGRATION_4 = (
    "CREATE CONSTRAINT erased_digest IF NOT EXISTS "
    "FOR (e:Erased) REQUIRE (e.map_id, e.digest) IS UNIQUE",
)
MAPS_WITHOUT_KEY = "MATCH (m:Map) WHERE m.erasure_key IS NULL RETURN m.id AS id"
SET_MAP_KEY = "MATCH (m:Map {id: $id}) SET m.erasure_key = $key"
#: Migration 5: browser sessions kept server-side, ``(:Session {id_hash, token_id,
#: created_at, expires_at})``; the operator's audit counter ``(:OperatorLog)``, whose
#: entries are ``(:Audit {map_id: ''})`` nodes that no map deletion touches; and each
#: map's stated default consent written into its data (data step).
MIGRATION_5 = (
    "CREATE CONSTRAINT session_id IF NOT EXISTS FOR (s:Session) REQUIRE s.id_hash IS UNIQUE",
    "CREATE INDEX session_token IF NOT EXISTS FOR (s:Session) ON (s.token_id)",
    "CREATE INDEX session_expiry IF NOT EXISTS FOR (s:Session) ON (s.expires_at)",
    "CREATE CONSTRAINT operator_log IF NOT EXISTS FOR (o:OperatorLog) REQUIRE o.id IS UNIQUE",
)
MAP_DATA = "MATCH (m:Map) RETURN m.id AS id, m.data AS data"
SET_MAP_DATA = "MATCH (m:Map {id: $id}) SET m.data = $data"
OLD_ERASED_REFS = """
MATCH (a:Audit) WHERE a.entity_ref STARTS WITH 'sha256:'
RETURN DISTINCT a.map_id AS map_id, a.entity_ref AS ref
"""
#: One map's audit entries, found by index (every entry has a ``seq``; without the hint,
#: the planner reads every map's entries while a map has few).
_MAP_AUDIT = """
MATCH (a:Audit {map_id: $map_id}) USING INDEX SEEK a:Audit(map_id, seq)
WHERE a.seq IS NOT NULL"""
SET_AUDIT_REF = f"""
{_MAP_AUDIT} AND a.entity_ref = $old
SET a.entity_ref = $new
"""

#: Migration 7: import mappings kept per map, one per file shape (``signature``), on
#: ``(:ImportMapping {map_id, signature})`` nodes; deleted with their map.
MIGRATION_7 = (
    "CREATE CONSTRAINT import_mapping_key IF NOT EXISTS "
    "FOR (x:ImportMapping) REQUIRE (x.map_id, x.signature) IS UNIQUE",
)
GET_IMPORT_MAPPING = """
MATCH (x:ImportMapping {map_id: $map_id, signature: $signature}) RETURN x.mapping AS mapping
"""
#: Written only while the map exists (MATCH first), so no mapping outlives its map.
PUT_IMPORT_MAPPING = """
MATCH (m:Map {id: $map_id})
MERGE (x:ImportMapping {map_id: $map_id, signature: $signature})
SET x.mapping = $mapping, x.updated_at = $now
"""

#: The schema node's uniqueness, made before any migration (so MERGE below is safe when
#: several processes start at once).
SCHEMA_NODE_CONSTRAINT = (
    "CREATE CONSTRAINT bridgemap_schema IF NOT EXISTS "
    "FOR (s:BridgemapSchema) REQUIRE s.id IS UNIQUE"
)
GET_SCHEMA_VERSION = "MATCH (s:BridgemapSchema {id: 'bridgemap'}) RETURN s.version AS version"
#: Take the schema node's write lock (making it if missing) and read the version under it:
#: processes migrating at once queue here, and each sees what the one before it did.
LOCK_SCHEMA_VERSION = """
MERGE (s:BridgemapSchema {id: 'bridgemap'})
ON CREATE SET s.version = 0
SET s.locked_at = $now
RETURN s.version AS version
"""
SET_SCHEMA_VERSION = """
MATCH (s:BridgemapSchema {id: 'bridgemap'})
SET s.version = $version, s.updated_at = $now
"""

#: Migration 6: relationship surveys. Ties gain ``origin`` and ``reported_by``
#: properties (read with a default, so existing ties need no data step); surveys,
#: respondents and responses are nodes keyed by map, survey and person, each keeping
#: its document as JSON in ``data``.
MIGRATION_6 = (
    "CREATE CONSTRAINT survey_identity IF NOT EXISTS "
    "FOR (s:Survey) REQUIRE (s.map_id, s.id) IS UNIQUE",
    "CREATE CONSTRAINT respondent_identity IF NOT EXISTS "
    "FOR (r:Respondent) REQUIRE (r.map_id, r.survey_id, r.person_id) IS UNIQUE",
    "CREATE INDEX respondent_token IF NOT EXISTS FOR (r:Respondent) ON (r.token_id)",
    "CREATE CONSTRAINT response_identity IF NOT EXISTS "
    "FOR (r:SurveyResponse) REQUIRE (r.map_id, r.survey_id, r.person_id) IS UNIQUE",
)

#: Migration 11: a map's people and organisations, survey responses and respondents
#: found by ``map_id`` alone (the whole-map reads: the roster, acceptance, the graph).
#: The composite identities above answer only lookups that give every key, so these
#: reads scanned every map's nodes.
MIGRATION_11 = (
    "CREATE INDEX node_map IF NOT EXISTS FOR (n:Node) ON (n.map_id)",
    "CREATE INDEX response_map IF NOT EXISTS FOR (r:SurveyResponse) ON (r.map_id)",
    "CREATE INDEX respondent_map IF NOT EXISTS FOR (r:Respondent) ON (r.map_id)",
)

# -- surveys ------------------------------------------------------------------------------

GET_SURVEY = "MATCH (s:Survey {map_id: $map_id, id: $id}) RETURN s.data AS data"
LIST_SURVEYS = "MATCH (s:Survey {map_id: $map_id}) RETURN s.data AS data ORDER BY s.id"
PUT_SURVEY = """
MERGE (s:Survey {map_id: $map_id, id: $id})
SET s.status = $status, s.data = $data
"""
PUT_RESPONDENT = """
MERGE (r:Respondent {map_id: $map_id, survey_id: $survey_id, person_id: $person_id})
SET r.token_id = $token_id
"""
DELETE_RESPONDENT = """
MATCH (r:Respondent {map_id: $map_id, survey_id: $survey_id, person_id: $person_id})
DELETE r
"""
RESPONDENTS = """
MATCH (r:Respondent {map_id: $map_id, survey_id: $survey_id})
RETURN r.survey_id AS survey_id, r.person_id AS person_id, r.token_id AS token_id
ORDER BY r.person_id
"""
RESPONDENT_OF_LINK = """
MATCH (r:Respondent {token_id: $token_id})
RETURN r.map_id AS map_id, r.survey_id AS survey_id, r.person_id AS person_id,
       r.token_id AS token_id
"""
DELETE_RESPONDENTS_OF = "MATCH (r:Respondent {map_id: $map_id, person_id: $person_id}) DELETE r"
GET_RESPONSE = """
MATCH (r:SurveyResponse {map_id: $map_id, survey_id: $survey_id, person_id: $person_id})
RETURN r.data AS data
"""
#: One record holding the list of documents (decoded far faster than one record each).
LIST_RESPONSES = """
MATCH (r:SurveyResponse {map_id: $map_id})
WHERE $survey_id IS NULL OR r.survey_id = $survey_id
WITH r ORDER BY r.survey_id, r.person_id
RETURN collect(r.data) AS documents
"""
PUT_RESPONSES = """
UNWIND $rows AS row
MERGE (r:SurveyResponse {map_id: $map_id, survey_id: row.survey_id, person_id: row.person_id})
SET r.status = row.status, r.data = row.data
"""
DELETE_RESPONSES_OF = "MATCH (r:SurveyResponse {map_id: $map_id, person_id: $person_id}) DELETE r"

# -- maps ---------------------------------------------------------------------------------

CREATE_MAP = """
CREATE (m:Map {id: $id, name: $name, data: $data, created_at: $now, updated_at: $now,
               version: 0, erasure_key: $key})
"""
GET_MAP = "MATCH (m:Map {id: $id}) RETURN m {.*} AS m"
COUNT_MAPS = "MATCH (m:Map) RETURN count(m) AS total"
LIST_MAPS = """
MATCH (m:Map) RETURN m {.*} AS m ORDER BY m.name, m.id SKIP $offset LIMIT $limit
"""
UPDATE_MAP = "MATCH (m:Map {id: $id}) SET m.name = $name, m.data = $data RETURN m {.*} AS m"
#: Bumping the version takes the map's write lock first, so writes to one map queue.
BUMP_VERSION = """
MATCH (m:Map {id: $map_id})
SET m.version = m.version + 1, m.updated_at = $now
RETURN m.version AS version
"""
#: A map's own nodes of each small label, one label at a time: a label alternative
#: (``:A|B``) is planned as a scan of every node in the database.
_DELETE_MAP_OWNED = "".join(
    f"WITH DISTINCT m\nOPTIONAL MATCH (x:{label} {{map_id: $id}})\nDELETE x\n"
    for label in (
        "Survey",
        "Respondent",
        "SurveyResponse",
        "ImportMapping",
        "AnalysisResult",
        "AnalysisLease",
    )
)
DELETE_MAP = f"""
MATCH (m:Map {{id: $id}})
OPTIONAL MATCH (n:Node {{map_id: $id}})
DETACH DELETE n
WITH DISTINCT m
OPTIONAL MATCH (a:Audit {{map_id: $id}}) USING INDEX SEEK a:Audit(map_id, seq)
WHERE a.seq IS NOT NULL
DELETE a
WITH DISTINCT m
OPTIONAL MATCH (t:Token {{map_id: $id}})
OPTIONAL MATCH (s:Session {{token_id: t.id}})
DELETE s, t
WITH DISTINCT m
OPTIONAL MATCH (e:Erased {{map_id: $id}})
DELETE e
{_DELETE_MAP_OWNED}WITH DISTINCT m
DELETE m
RETURN count(m) AS deleted
"""

#: Migration 8: background analysis results and their leases (see sql.MIGRATION_8).
MIGRATION_8 = (
    "CREATE CONSTRAINT analysis_result_key IF NOT EXISTS "
    "FOR (r:AnalysisResult) REQUIRE (r.map_id, r.key, r.version) IS UNIQUE",
    "CREATE CONSTRAINT analysis_lease_key IF NOT EXISTS "
    "FOR (l:AnalysisLease) REQUIRE (l.map_id, l.key) IS UNIQUE",
)

#: Migration 10 (data step only; see sql.MIGRATION_10): each person's consent as a
#: property (``visibility``, read by the lists' queries; Cypher cannot read the JSON
#: ``data``) and a random order key (``shuffle``) on every node and tie.
MIGRATION_10: tuple[str, ...] = ()
PEOPLE_WITHOUT_VISIBILITY = """
MATCH (n:Person) WHERE n.visibility IS NULL RETURN elementId(n) AS element, n.data AS data
"""
SET_VISIBILITY = """
UNWIND $rows AS row
MATCH (n) WHERE elementId(n) = row.element
SET n.visibility = row.visibility
"""
NODES_WITHOUT_SHUFFLE = "MATCH (n:Node) WHERE n.shuffle IS NULL SET n.shuffle = randomUUID()"
RELS_WITHOUT_SHUFFLE = """
MATCH (:Node)-[r]->(:Node) WHERE r.map_id IS NOT NULL AND r.shuffle IS NULL
SET r.shuffle = randomUUID()
"""

# -- background analysis results and leases ------------------------------------------------

GET_RESULT = """
MATCH (r:AnalysisResult {map_id: $map_id, key: $key, version: $version})
RETURN r.payload AS payload
"""
GET_LATEST_RESULT = """
MATCH (r:AnalysisResult {map_id: $map_id, key: $key})
RETURN r.payload AS payload ORDER BY r.version DESC LIMIT 1
"""
HAS_RESULT = """
OPTIONAL MATCH (r:AnalysisResult {map_id: $map_id, key: $key, version: $version})
RETURN r IS NOT NULL AS found
"""
PUT_RESULT = """
MERGE (r:AnalysisResult {map_id: $map_id, key: $key, version: $version})
SET r.payload = $payload, r.at = $at
"""
DELETE_OLD_RESULTS = """
MATCH (r:AnalysisResult {map_id: $map_id}) WHERE r.version < $version
DELETE r
"""
#: The lease node is made if missing and written at once, so its write lock is held
#: before its holder is read: two processes taking it queue here.
GET_LEASE = """
MERGE (l:AnalysisLease {map_id: $map_id, key: $key})
ON CREATE SET l.holder = '', l.started = '', l.expires = ''
SET l.seen = coalesce(l.seen, 0) + 1
RETURN l.holder AS holder, l.started AS started, l.expires AS expires
"""
PUT_LEASE = """
MATCH (l:AnalysisLease {map_id: $map_id, key: $key})
SET l.holder = $holder, l.started = $started, l.expires = $expires
"""
DELETE_LEASE = """
MATCH (l:AnalysisLease {map_id: $map_id, key: $key, holder: $holder})
DELETE l
"""

# -- erasure tombstones -------------------------------------------------------------------

GET_MAP_KEY = "MATCH (m:Map {id: $id}) RETURN m.erasure_key AS key"
ADD_ERASED = "MERGE (e:Erased {map_id: $map_id, digest: $digest}) ON CREATE SET e.at = $at"
FIND_ERASED = """
MATCH (e:Erased {map_id: $map_id}) WHERE e.digest IN $digests RETURN e.digest AS digest
"""
REMOVE_ERASED = "MATCH (e:Erased {map_id: $map_id, digest: $digest}) DELETE e"


def _by_id(var: str, value: str, labels: str = "") -> str:
    """``MATCH`` one person or organisation of ``$map_id`` by id, planned as a seek of the
    identity constraint's index.

    Why the hint: beside the ``(map_id, id)`` identity index there is ``node_map``
    (``map_id`` alone, migration 11, for whole-map reads). Planning a statement that
    looks nodes up by ids from ``UNWIND``, the planner's estimates, taken while a map
    holds one map's nodes, made it scan ``node_map`` and filter by id for *every row*:
    writing a 10,000-person map's ties took 550 s instead of 48 s. ``USING INDEX SEEK``
    forbids that plan; ``tests/store/test_neo4j_plans.py`` checks every statement.
    """
    return (
        f"MATCH ({var}:Node{labels} {{map_id: $map_id, id: {value}}})\n"
        f"USING INDEX SEEK {var}:Node(map_id, id)"
    )


# -- nodes --------------------------------------------------------------------------------

NODE_TYPES = f"""
UNWIND $ids AS id
{_by_id("n", "id")}
RETURN n.id AS id, CASE WHEN n:Person THEN 'person' ELSE 'organisation' END AS type,
       elementId(n) AS element
"""
_UPSERT_NODES = """
UNWIND $rows AS row
MERGE (n:Node {map_id: $map_id, id: row.id})
SET n:{label}, n.name = row.name, n.silo = row.silo, n.kind = row.kind, n.data = row.data,
    n.name_key = row.name_key, n.revision = coalesce(n.revision, 0) + 1,
    n.visibility = row.visibility, n.shuffle = coalesce(n.shuffle, row.shuffle)
RETURN collect([row.id, elementId(n)]) AS made
"""
UPSERT_NODES = {
    "person": _UPSERT_NODES.replace("{label}", "Person"),
    "organisation": _UPSERT_NODES.replace("{label}", "Organisation"),
}
#: For nodes known not to exist yet (checked under the map's lock): CREATE skips
#: MERGE's lookup-then-lock and is the bulk of a first import.
_CREATE_NODES = """
UNWIND $rows AS row
CREATE (n:Node:{label} {map_id: $map_id, id: row.id, name: row.name, silo: row.silo,
                        kind: row.kind, data: row.data, name_key: row.name_key,
                        revision: 1, visibility: row.visibility, shuffle: row.shuffle})
RETURN collect([row.id, elementId(n)]) AS made
"""
CREATE_NODES = {
    "person": _CREATE_NODES.replace("{label}", "Person"),
    "organisation": _CREATE_NODES.replace("{label}", "Organisation"),
}
# :Node as well: the identity index is on (:Node {map_id, id}); by :Person alone the
# lookup scanned every person of every map
GET_NODE = {
    label.lower(): f"{_by_id('n', '$id', ':' + label)} RETURN n.data AS data"
    for label in ("Person", "Organisation")
}
NODE_REVISION = {
    label.lower(): f"{_by_id('n', '$id', ':' + label)} RETURN coalesce(n.revision, 1) AS r"
    for label in ("Person", "Organisation")
}
DELETE_NODE = f"{_by_id('n', '$id')} DETACH DELETE n"
#: ``$q`` arrives folded (graph_models.text.fold) and is matched in the folded name.
_NODE_FILTER = """
WHERE ($silo IS NULL OR n.silo = $silo)
  AND ($kind IS NULL OR n.kind = $kind)
  AND ($q IS NULL OR n.name_key CONTAINS $q)
"""
COUNT_NODES = {
    label.lower(): f"MATCH (n:Node:{label} {{map_id: $map_id}}) {_NODE_FILTER} "
    "RETURN count(n) AS total"
    for label in ("Person", "Organisation")
}
#: In name order, walked on the index ``node_name`` (``Node(map_id, name)``) up to the
#: page's end (ordering by the constant ``map_id`` first lets the planner take its order).
LIST_NODES = {
    label.lower(): f"MATCH (n:Node:{label} {{map_id: $map_id}}) {_NODE_FILTER} "
    "AND n.name >= '' WITH n ORDER BY n.map_id, n.name, n.id SKIP $offset LIMIT $limit "
    "RETURN n.data AS data"
    for label in ("Person", "Organisation")
}
# -- lists as a reader sees them (see sql's section of the same name) ---------------------
#
# ``$viewer`` (consent applies), ``$small`` (silos too small to show an anonymised person
# in), ``$labels`` (silo -> folded "a person in <silo>"). ``display`` is the folded text
# the reader sees, ``anon`` that it is not the record's own name.


def _vis(n: str) -> str:
    return f"coalesce({n}.visibility, 'named')"


def _shown(n: str) -> str:
    return (
        f"(NOT $viewer OR {_vis(n)} = 'named' OR "
        f"({_vis(n)} = 'anonymised' AND NOT {n}.silo IN $small))"
    )


def _anon(n: str) -> str:
    return f"($viewer AND {_vis(n)} <> 'named')"


def _display(n: str) -> str:
    return f"CASE WHEN {_anon(n)} THEN $labels[{n}.silo] ELSE {n}.name_key END"


#: A list of people or organisations as a reader sees it, in the order of the text shown
#: (:data:`_SHOWN_ORDER`), from two streams each read no further than the page's end:
#: the records listed by their own name, walked in ``name_key`` order on the label's
#: ``(map_id, name_key)`` index (ordering by ``map_id`` first, constant, and ``name_key >=
#: ''`` rather than ``IS NOT NULL``, is what lets the planner take the index's order and
#: stop at the page), and, for a viewer's people list, the anonymised people of the
#: silos ``$blocks`` (shown, and whose label the search matches: picked in Python), each
#: shown as its silo's label and ordered within it by ``shuffle``. The union of the two
#: heads is sorted and sliced: at most twice the page's end in rows, never the map.
_NAMED_NODES = """
  MATCH (n:{label} {{map_id: $map_id}})
  WHERE {key} AND (NOT $viewer OR coalesce(n.visibility, 'named') = 'named')
    AND ($silo IS NULL OR n.silo = $silo) AND ($kind IS NULL OR n.kind = $kind)
    AND ($q IS NULL OR n.name_key CONTAINS $q)"""
_IN_ORDER = "n.name_key >= ''"
#: a text given: the matches found on the text index ``node_name_key`` (the lists' order
#: does not matter to a count)
_HOLDS_Q = "n.name_key CONTAINS $q"
_BLOCK_PEOPLE = """
  MATCH (n:Person {map_id: $map_id, visibility: 'anonymised'}) WHERE n.silo IN $blocks"""
LIST_SHOWN_NODES = {
    label.lower(): f"""
CALL () {{{_NAMED_NODES.format(label=label, key=_IN_ORDER)}
  WITH n ORDER BY n.map_id, n.name_key, n.id LIMIT $offset + $limit
  RETURN n, n.name_key AS display, n.id AS tiebreak
  UNION ALL{_BLOCK_PEOPLE}
  WITH n, $labels[n.silo] AS display ORDER BY display, n.shuffle LIMIT $offset + $limit
  RETURN n, display, n.shuffle AS tiebreak
}}
WITH n, display, tiebreak ORDER BY display, tiebreak SKIP $offset LIMIT $limit
RETURN collect(n.data) AS page
"""
    for label in ("Person", "Organisation")
}
#: How many records :data:`LIST_SHOWN_NODES` lists in all (when the silo and consent
#: counts cannot say: a search or a kind given, or organisations); by (label, text given).
COUNT_SHOWN_NODES = {
    (label.lower(), q): f"""
CALL () {{{_NAMED_NODES.format(label="Node:" + label, key=_HOLDS_Q if q else _IN_ORDER)}
  RETURN count(n) AS n
  UNION ALL{_BLOCK_PEOPLE}
  RETURN count(n) AS n
}}
RETURN sum(n) AS total
"""
    for label in ("Person", "Organisation")
    for q in (False, True)
}
#: How many people of each consent each silo of a map has, from the index
#: ``person_consent`` alone (no node is read; every person has both properties: the
#: write settles consent, and a silo is required).
SILO_CONSENT = """
MATCH (n:Person {map_id: $map_id}) WHERE n.silo IS NOT NULL AND n.visibility IS NOT NULL
RETURN n.silo AS silo, n.visibility AS visibility, count(*) AS people
"""
#: The ids of a map's people of one consent (index ``node_visibility``), as one record
#: holding one list (decoded far faster than a record each).
PEOPLE_OF_CONSENT = """
MATCH (n:Person {map_id: $map_id, visibility: $visibility}) RETURN collect(n.id) AS ids
"""
#: The ids of a map's ties with an end (a person) of one consent, found from those
#: people (index ``node_visibility``), as one record holding one list.
TIES_OF_CONSENT = """
MATCH (n:Person {map_id: $map_id, visibility: $visibility})-[r]-()
WHERE r.map_id = $map_id
RETURN collect(DISTINCT r.id) AS ids
"""

#: Every node's ``[id, type, name]`` (what an import resolves ids and names against), as
#: one record holding one list: a record per node costs a round of the protocol each
#: (10,000 nodes: 0.6 s as records, ~0.1 s as one list).
NODE_INDEX = """
MATCH (n:Node {map_id: $map_id})
RETURN collect([n.id, CASE WHEN n:Person THEN 'person' ELSE 'organisation' END, n.name])
       AS rows
"""
#: What a survey's roster is built from (graph_models.surveys.roster): no JSON to parse.
#: One record holding one list of ``[id, type, name, silo, visibility, name_key]`` rows:
#: the driver decodes one large message far faster than 2,000 small records.
ROSTER_NODES = """
MATCH (n:Node {map_id: $map_id})
RETURN collect([n.id, CASE WHEN n:Person THEN 'person' ELSE 'organisation' END, n.name,
                n.silo, coalesce(n.visibility, 'named'), n.name_key]) AS rows
"""
#: Every node of a map as one record holding one list: the driver decodes one large
#: message far faster than thousands of small records (a 10,000-node map: ~4x).
ALL_NODES = """
MATCH (n:Node {map_id: $map_id})
RETURN collect([n.data, CASE WHEN n:Person THEN 'person' ELSE 'organisation' END]) AS rows
"""
#: People and organisations by id, as one record holding one list of ``[data, type]``.
NODES_BY_ID = f"""
UNWIND $ids AS id
{_by_id("n", "id")}
RETURN collect([n.data, CASE WHEN n:Person THEN 'person' ELSE 'organisation' END]) AS rows
"""
NEIGHBOUR_IDS = f"""
UNWIND $ids AS id
{_by_id("m", "id")}
MATCH (m)--(n:Node)
RETURN DISTINCT n.id AS id
"""

# -- relationships ------------------------------------------------------------------------

#: How every query returns a tie: its own properties plus its endpoints' ids.
#: (``neo4j._rel_from_row`` reads them by position, in this order.)
_REL_VALUES = (
    ("r.id", "id"),
    ("a.id", "source"),
    ("b.id", "target"),
    ("r.kind", "kind"),
    ("r.strength", "strength"),
    ("r.since", "since"),
    ("r.until", "until"),
    ("r.notes", "notes"),
    ("r.evidence", "evidence"),
    ("coalesce(r.origin, '')", "origin"),
    ("coalesce(r.reported_by, [])", "reported_by"),
)
_REL_FIELDS = ", ".join(f"{value} AS {name}" for value, name in _REL_VALUES)
_REL_ROW = ", ".join(value for value, _ in _REL_VALUES)


def _rel_row_of(a: str, r: str, b: str) -> str:
    """:data:`_REL_VALUES` (a tie's row, in order) with its tie and ends named by other
    expressions than ``r``, ``a`` and ``b`` (e.g. items of a collected list)."""
    names = {"a": a, "r": r, "b": b}
    return ", ".join(
        re.sub(r"\b([arb])\.", lambda m: f"{names[m.group(1)]}.", value) for value, _ in _REL_VALUES
    )


#: Find ties by id, whatever their type: one indexed lookup per whitelisted type.
FIND_RELS = "\nUNION ALL\n".join(
    f"MATCH (a)-[r:{t}]->(b) WHERE r.id IN $ids AND r.map_id = $map_id RETURN {_REL_FIELDS}"
    for t in ALL_TYPES
)
#: Ties by id, their types known (``$by_type``: type -> ids, every type present): one
#: seek each in its type's ``rel_id_*`` index, in one round trip; a record per type
#: holding one list of rows (a record per tie costs a round of the protocol each).
FIND_RELS_BY_TYPE = "\nUNION ALL\n".join(
    f"MATCH (a)-[r:{t}]->(b) WHERE r.id IN $by_type.{t} AND r.map_id = $map_id "
    f"RETURN collect([{_REL_ROW}]) AS rows"
    for t in ALL_TYPES
)
#: Every tie of a map as ``[id, type]`` (one pass, one record): kept for the map's
#: version, so that ties asked for by id in many batches (a re-import) are each found
#: by one index seek of their own type (:data:`FIND_RELS_BY_TYPE`), not by 13 seeks
#: (:data:`FIND_RELS`) nor by a pass over the map's ties per batch.
TIE_TYPES = """
MATCH (:Node {map_id: $map_id})-[r]->()
WHERE r.map_id = $map_id
RETURN collect([r.id, type(r)]) AS pairs
"""
#: Ties' revisions by id, whatever their type (as FIND_RELS).
REL_REVISIONS = "\nUNION ALL\n".join(
    f"MATCH ()-[r:{t}]->() WHERE r.id IN $ids AND r.map_id = $map_id "
    "RETURN r.id AS id, coalesce(r.revision, 1) AS revision"
    for t in ALL_TYPES
)
#: Every tie of a map with its revision (one pass, for big batches).
ALL_REL_REVISIONS = """
MATCH (:Node {map_id: $map_id})-[r]->()
WHERE r.map_id = $map_id
RETURN r.id AS id, coalesce(r.revision, 1) AS revision
"""
#: Delete ties of one type by id.
DELETE_RELS = {
    kind: f"""
UNWIND $ids AS id
MATCH ()-[r:{t} {{id: id}}]->()
WHERE r.map_id = $map_id
DELETE r
"""
    for kind, t in (*NEO4J_TYPES.items(), (None, GENERIC_NEO4J_TYPE))
}
#: Every tie id of a map with its kind: one pass, cheaper than a lookup per id and type
#: when a whole batch is checked.
REL_IDS = """
MATCH (a:Node {map_id: $map_id})-[r]->()
WHERE r.map_id = $map_id
RETURN r.id AS id, r.kind AS kind
"""
#: A new tie's properties, from a row of :meth:`Neo4jTransaction.put_relationships`.
_NEW_TIE = """{map_id: $map_id, id: row.id, kind: row.kind, strength: row.strength,
 since: row.since, until: row.until, notes: row.notes, evidence: row.evidence,
 origin: row.origin, reported_by: row.reported_by, revision: row.revision,
 shuffle: row.shuffle}"""
CREATE_RELS = {
    kind: f"""
UNWIND $rows AS row
{_by_id("a", "row.source")}
{_by_id("b", "row.target")}
CREATE (a)-[:{t} {_NEW_TIE}]->(b)
"""
    for kind, t in (*NEO4J_TYPES.items(), (None, GENERIC_NEO4J_TYPE))
}
#: As :data:`CREATE_RELS`, between ends given by element id (``row.a``, ``row.b``), as
#: the same transaction read or wrote them (``NODE_TYPES``, ``CREATE_NODES`` and
#: ``UPSERT_NODES`` return them; an element id is only stable within a transaction).
#: Why: found by ``(map_id, id)``, each end is a locking seek of the identity index, in
#: a tree holding every map's nodes, merged with the transaction's own new nodes; by
#: element id it is one record read (``NodeByElementIdSeek``): the bulk of an import.
CREATE_RELS_BETWEEN = {
    kind: f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.a
MATCH (b) WHERE elementId(b) = row.b
CREATE (a)-[:{t} {_NEW_TIE}]->(b)
"""
    for kind, t in (*NEO4J_TYPES.items(), (None, GENERIC_NEO4J_TYPE))
}


#: Rewrite ties of one type in place, by id, where their ends are still ``row.source``
#: and ``row.target`` (a type or its ends cannot be changed in Neo4j); returns the ids it
#: rewrote (in one record), so the caller re-creates the others. Carries the revision on,
#: one more.
UPDATE_RELS = {
    kind: f"""
UNWIND $rows AS row
{_by_id("a", "row.source")}
{_by_id("b", "row.target")}
MATCH (a)-[r:{t} {{id: row.id}}]->(b)
WHERE r.map_id = $map_id
SET r.kind = row.kind, r.strength = row.strength, r.since = row.since, r.until = row.until,
    r.notes = row.notes, r.evidence = row.evidence, r.origin = row.origin,
    r.reported_by = row.reported_by, r.revision = coalesce(r.revision, 1) + 1
RETURN collect(r.id) AS ids
"""
    for kind, t in (*NEO4J_TYPES.items(), (None, GENERIC_NEO4J_TYPE))
}


def neo4j_type(kind: str) -> str:
    """The relationship type a tie of ``kind`` has: its own if built in, else the
    generic ``RELATES_TO``."""
    return NEO4J_TYPES.get(kind, GENERIC_NEO4J_TYPE)


def update_rels(kind: str) -> str:
    """The statement rewriting ties of ``kind`` in place (as :func:`create_rels`)."""
    return UPDATE_RELS.get(kind, UPDATE_RELS[None])


def create_rels(kind: str) -> str:
    """The statement creating ties of ``kind``: its own type if built in, else the
    generic ``RELATES_TO`` (the kind itself travels as the ``kind`` parameter)."""
    return CREATE_RELS.get(kind, CREATE_RELS[None])


def create_rels_between(kind: str) -> str:
    """As :func:`create_rels`, for :data:`CREATE_RELS_BETWEEN`."""
    return CREATE_RELS_BETWEEN.get(kind, CREATE_RELS_BETWEEN[None])


def delete_rels(kind: str) -> str:
    """The statement deleting ties of ``kind`` by id (as :func:`create_rels`)."""
    return DELETE_RELS.get(kind, DELETE_RELS[None])


#: How many ties of one kind a map has (a kind in use cannot be removed).
COUNT_KIND = """
MATCH (:Node {map_id: $map_id})-[r]->()
WHERE r.map_id = $map_id AND r.kind = $kind
RETURN count(r) AS total
"""
#: How many people and organisations of a map are in each of the given silos.
COUNT_SILOS = """
MATCH (n:Node {map_id: $map_id}) WHERE n.silo IN $silos
RETURN n.silo AS silo, count(n) AS total
"""
#: The nodes in a silo, to be moved to another (their JSON is rewritten in Python).
NODES_IN_SILO = """
MATCH (n:Node {map_id: $map_id}) WHERE n.silo = $silo
RETURN n.id AS id, n.data AS data
"""
MOVE_SILO = f"""
UNWIND $rows AS row
{_by_id("n", "row.id")}
SET n.silo = row.silo, n.data = row.data, n.revision = coalesce(n.revision, 1) + 1
"""

#: Migration 9: a map's own relationship kinds are ``RELATES_TO`` ties; their ids are
#: indexed as the built-in types' are. Maps' data gain ``kinds`` and silos' Welsh labels
#: in the data step.
MIGRATION_9 = (
    f"CREATE INDEX rel_id_{GENERIC_NEO4J_TYPE.lower()} IF NOT EXISTS "
    f"FOR ()-[r:{GENERIC_NEO4J_TYPE}]-() ON (r.id)",
)
_REL_FILTER = """
WHERE r.map_id = $map_id
  AND ($kind IS NULL OR r.kind = $kind)
  AND ($q IS NULL OR toLower(a.id) CONTAINS toLower($q) OR toLower(b.id) CONTAINS toLower($q))
"""
#: One page of ties in id order (rows in ``_REL_VALUES`` order: ``neo4j._rel_from_record``
#: reads them by position): each relationship type's ties walked in id order on its
#: ``rel_id_<type>`` index up to the page's end, the heads merged, sorted and sliced;
#: never every tie.
LIST_RELS = (
    "CALL () {\n"
    + "\nUNION ALL\n".join(
        f"MATCH (a)-[r:{t}]->(b) {_REL_FILTER} AND r.id >= ''\n"
        "WITH a, r, b ORDER BY r.id LIMIT $offset + $limit RETURN a, r, b"
        for t in ALL_TYPES
    )
    + f"\n}}\nWITH a, r, b ORDER BY r.id SKIP $offset LIMIT $limit\nRETURN {_REL_FIELDS}\n"
)
#: How many ties :data:`LIST_RELS` lists in all, a kind or endpoint given (every tie of
#: the map is read; without filters ``neo4j`` counts them by degree, kept per version).
COUNT_RELS = f"""
MATCH (a:Node {{map_id: $map_id}})-[r]->(b) {_REL_FILTER}
RETURN count(r) AS total
"""
#: How many ties a map has, from its nodes' degrees (no tie is read).
COUNT_ALL_RELS = """
MATCH (a:Node {map_id: $map_id}) RETURN sum(COUNT { (a)-->() }) AS total
"""
# Ties are listed as on the embedded store (see :data:`graph_models.store.sql.SHOWN_TIE_GROUPS`):
# first how many listed ties each text shown for a first end heads, then the page from
# the groups it falls in. Without filters the groups are placed from figures kept per
# map version (:data:`SHOWN_TIE_TOTALS`: ties counted by degree, no tie read; every
# relationship leaving a ``Node`` is a tie) and the first ends up to the page's end, in
# name order (:data:`SHOWN_TIE_HEADS`); with a text, from the ties of the records it
# matches (:data:`SHOWN_TIES_FOUND`).
_TIE_FILTER = f"""($kind IS NULL OR r.kind = $kind) AND {_shown("b")}
  AND ($q IS NULL OR display CONTAINS $q OR {_display("b")} CONTAINS $q
       OR toLower(r.kind) CONTAINS $q)"""
#: Where the page falls, worked out in the query (so that only it travels, not every
#: group): the groups in order, their running count folded from the first with O(1)
#: state per step; ``total``, the ``displays`` of the groups the page touches and the
#: rows of the first of them to ``skip`` (as :func:`~graph_models.store.common.groups_on_page`).
_PLACE_PAGE = """
ORDER BY display
WITH collect(display) AS ds, collect(n) AS ns
WITH ds, reduce(st = {start: 0, first: -1, last: -1, skip: 0}, i IN range(0, size(ns) - 1) |
  CASE WHEN st.start + ns[i] > $offset AND st.start < $offset + $limit
  THEN {start: st.start + ns[i], first: CASE WHEN st.first < 0 THEN i ELSE st.first END,
        last: i, skip: CASE WHEN st.first < 0 THEN $offset - st.start ELSE st.skip END}
  ELSE {start: st.start + ns[i], first: st.first, last: st.last, skip: st.skip} END) AS st
RETURN st.start AS total, st.skip AS skip,
       CASE WHEN st.first < 0 THEN [] ELSE ds[st.first..st.last + 1] END AS displays
"""
#: What places a page of ties when no kind or text is given, without reading every
#: tie, in two parts. First what does not depend on the page (``neo4j`` keeps it for the
#: map's version): ``total``, the map's ties counted from each node's degree, less those
#: from the people a viewer may not see (``$unshown``: the consents such people have,
#: none for a coordinator; found by index, few); ``cut``, the ties to such people by
#: the label of their first end when it is an anonymised person (null: a named one),
#: ``[label, ties]``; ``blocks``, the ties headed by the anonymised people of each silo
#: of ``$blocks``, ``[label, ties]``, one group each.
SHOWN_TIE_TOTALS = f"""
CALL () {{
  MATCH (a:Node {{map_id: $map_id}}) RETURN sum(COUNT {{ (a)-->() }}) AS ties
}}
CALL () {{
  MATCH (u:Person {{map_id: $map_id}}) WHERE u.visibility IN $unshown AND NOT {_shown("u")}
  RETURN sum(COUNT {{ (u)-->() }}) AS from_unshown, collect(u) AS unshown
}}
CALL (unshown) {{
  UNWIND unshown AS u
  MATCH (a:Node)-[r]->(u) WHERE r.map_id = $map_id AND {_shown("a")}
  WITH CASE WHEN {_anon("a")} THEN $labels[a.silo] END AS label, count(r) AS n
  RETURN collect([label, n]) AS cut
}}
CALL () {{
  MATCH (a:Person {{map_id: $map_id, visibility: 'anonymised'}}) WHERE a.silo IN $blocks
  WITH $labels[a.silo] AS label, sum(COUNT {{ (a)-->() }}) AS n
  RETURN collect([label, n]) AS blocks
}}
RETURN ties - from_unshown AS total, cut, blocks
"""
#: Then the first ends listed by their own name, walked in ``name_key`` order on the
#: index ``node_order`` and read no further than the page's end: ``[display, ties]``
#: each with a listed tie (so ``$offset + $limit`` of them head at least as many ties).
#: ``neo4j`` merges them with the blocks by display and finds the groups the page falls
#: in (``common.groups_on_page``).
SHOWN_TIE_HEADS = f"""
MATCH (a:Node {{map_id: $map_id}})
WHERE a.name_key >= '' AND (NOT $viewer OR {_vis("a")} = 'named')
WITH a, COUNT {{ (a)-->(b:Node) WHERE {_shown("b")} }} AS n
WHERE n > 0
WITH a, n ORDER BY a.map_id, a.name_key LIMIT $offset + $limit
RETURN collect([a.name_key, n]) AS heads
"""
#: A map's version (and its identity: its random erasure key, new if the map is made
#: again under the same id): what a figure kept for the version is kept under.
MAP_VERSION = "MATCH (m:Map {id: $id}) RETURN m.version AS version, m.erasure_key AS key"
#: The total and one page of the listed ties a text matches (and no kind's name holds
#: it: ``neo4j`` checks the map's kinds first), in one statement that reads only the ties
#: of the records whose shown text holds it (``$blocks``: the silos of the anonymised
#: people whose label holds it), not every tie: those ties are few, so they are ordered
#: and sliced here (in ``_REL_VALUES`` order, as every tie read).
SHOWN_TIES_FOUND = f"""
CALL () {{
  MATCH (f:Node {{map_id: $map_id}})
  WHERE f.name_key CONTAINS $q AND (NOT $viewer OR {_vis("f")} = 'named')
  RETURN f
  UNION
  MATCH (f:Person {{map_id: $map_id, visibility: 'anonymised'}}) WHERE f.silo IN $blocks
  RETURN f
}}
MATCH (f)-[r]-(:Node)
WITH DISTINCT r
MATCH (a:Node)-[r]->(b:Node)
WHERE r.map_id = $map_id AND ($kind IS NULL OR r.kind = $kind) AND {_shown("a")}
  AND {_shown("b")}
WITH a, r, b, {_display("a")} AS display,
     CASE WHEN {_anon("a")} OR {_anon("b")} THEN r.shuffle ELSE r.id END AS tiebreak
ORDER BY display, tiebreak
WITH collect([a, r, b]) AS rows
RETURN size(rows) AS total, [x IN rows[$offset..$offset + $limit] |
  [{_rel_row_of("x[0]", "x[1]", "x[2]")}]] AS page
"""
#: The groups of listed ties and where the page falls in them, with a kind to match, or
#: a text a kind's name holds (every tie is read).
SHOWN_TIE_GROUPS_FILTERED = f"""
MATCH (a:Node {{map_id: $map_id}}) WHERE a.id IS NOT NULL AND {_shown("a")}
WITH a, {_display("a")} AS display
MATCH (a)-[r]->(b:Node)
WHERE r.map_id = $map_id AND {_TIE_FILTER}
WITH display, count(r) AS n
{_PLACE_PAGE}"""
#: The ties of the groups ``$displays``, in order, ``$skip`` of them skipped.
SHOWN_TIE_PAGE = f"""
CALL () {{
  MATCH (a:Node {{map_id: $map_id}})
  WHERE a.name_key IN $displays AND (NOT $viewer OR {_vis("a")} = 'named')
  RETURN a, a.name_key AS display, false AS anon
  UNION ALL
  UNWIND [s IN keys($labels) WHERE $viewer AND $labels[s] IN $displays AND NOT s IN $small]
    AS silo
  MATCH (a:Person {{map_id: $map_id, visibility: 'anonymised'}}) WHERE a.silo = silo
  RETURN a, $labels[silo] AS display, true AS anon
}}
MATCH (a)-[r]->(b:Node)
WHERE r.map_id = $map_id AND {_TIE_FILTER}
WITH a, r, b, display, CASE WHEN anon OR {_anon("b")} THEN r.shuffle ELSE r.id END AS tiebreak
RETURN {_REL_FIELDS} ORDER BY display, tiebreak SKIP $skip LIMIT $limit
"""
#: Migration 12: (see :data:`graph_models.store.sql.MIGRATION_12`) the people a viewer
#: may not see, and the anonymised people of a silo, found by index.
MIGRATION_12 = (
    "CREATE INDEX node_visibility IF NOT EXISTS FOR (n:Person) ON (n.map_id, n.visibility)",
)
#: Migration 13 (numbered 14 on main, reserved for the lists; renumbered at merge): the
#: lists read no more than their page. ``person_order`` / ``organisation_order`` walk a
#: label's records in the order of their folded name (the lists), ``node_order`` every
#: node's (the first ends of ties); ``person_consent`` counts a map's people by silo and
#: consent from the index alone (what every reader's list is judged by).
MIGRATION_13 = (
    "CREATE INDEX person_order IF NOT EXISTS FOR (n:Person) ON (n.map_id, n.name_key)",
    "CREATE INDEX organisation_order IF NOT EXISTS FOR (n:Organisation) ON (n.map_id, n.name_key)",
    "CREATE INDEX node_order IF NOT EXISTS FOR (n:Node) ON (n.map_id, n.name_key)",
    "CREATE INDEX person_consent IF NOT EXISTS FOR (n:Person) ON (n.map_id, n.silo, n.visibility)",
)
#: Every tie of a map (as on a day), as one record holding one list of rows in
#: ``_REL_FIELDS`` order, for the same reason as ``ALL_NODES``.
ALL_RELS = f"""
MATCH (a:Node {{map_id: $map_id}})-[r]->(b)
WHERE r.map_id = $map_id
  AND ($as_of IS NULL OR ((r.since IS NULL OR r.since <= $as_of)
                          AND (r.until IS NULL OR r.until >= $as_of)))
RETURN collect([{_REL_ROW}]) AS rows
"""
RELS_AMONG = f"""
UNWIND $ids AS id
{_by_id("a", "id")}
MATCH (a)-[r]->(b:Node)
WHERE b.id IN $ids
RETURN {_REL_FIELDS}
"""

# -- audit --------------------------------------------------------------------------------

AUDIT = """
CREATE (:Audit {map_id: $map_id, seq: $seq, at: $now, actor: $actor, action: $action,
                entity_type: $entity_type, entity_ref: $entity_ref})
"""
ERASE_AUDIT_REFS = f"""
{_MAP_AUDIT} AND a.entity_type = $entity_type AND a.entity_ref = $old
SET a.entity_ref = $new
"""
_AUDIT_FILTER = "AND ($refs IS NULL OR a.entity_ref IN $refs)"
COUNT_AUDIT = f"{_MAP_AUDIT} {_AUDIT_FILTER} RETURN count(a) AS total"
LIST_AUDIT = f"""
{_MAP_AUDIT} {_AUDIT_FILTER}
RETURN a.at AS at, a.actor AS actor, a.action AS action, a.entity_type AS entity_type,
       a.entity_ref AS entity_ref
ORDER BY a.seq DESC SKIP $offset LIMIT $limit
"""

# -- access tokens (digests only) -----------------------------------------------------------

_ACCESS_FIELDS = (
    "t.id AS id, t.map_id AS map_id, t.role AS role, t.token_hash AS token_hash, "
    "t.label AS label, t.subject AS subject, t.created_at AS created_at, "
    "t.created_by AS created_by, t.expires_at AS expires_at, t.revoked_at AS revoked_at"
)
CREATE_ACCESS = """
CREATE (t:Token {id: $id, map_id: $map_id, role: $role, token_hash: $token_hash,
                 label: $label, subject: $subject, created_at: $created_at,
                 created_by: $created_by, expires_at: $expires_at, revoked_at: $revoked_at})
"""
GET_ACCESS = f"MATCH (t:Token {{id: $id}}) RETURN {_ACCESS_FIELDS}"
FIND_ACCESS = f"MATCH (t:Token {{token_hash: $token_hash}}) RETURN {_ACCESS_FIELDS}"
LIST_ACCESS = (
    f"MATCH (t:Token {{map_id: $map_id}}) RETURN {_ACCESS_FIELDS} ORDER BY t.created_at, t.id"
)
REVOKE_ACCESS = """
MATCH (t:Token {id: $id})
WHERE t.revoked_at IS NULL
SET t.revoked_at = $at
"""
#: The operator scope's counter: incrementing it takes its write lock, so operator
#: audit entries are numbered in order (as a map's version numbers its entries).
BUMP_OPERATOR = """
MATCH (o:OperatorLog {id: 'operator'})
SET o.seq = o.seq + 1
RETURN o.seq AS seq
"""
#: Made once, by migration 5 (under the schema lock), so that numbering an entry is a
#: plain node write and never a MERGE racing another one for the label's lock.
MAKE_OPERATOR_LOG = "MERGE (o:OperatorLog {id: 'operator'}) ON CREATE SET o.seq = 0"

# -- browser sessions (digests of their ids only) ------------------------------------------

CREATE_SESSION = """
CREATE (:Session {id_hash: $id_hash, token_id: $token_id, created_at: $created_at,
                  expires_at: $expires_at})
"""
GET_SESSION = """
MATCH (s:Session {id_hash: $id_hash})
RETURN s.id_hash AS id_hash, s.token_id AS token_id, s.created_at AS created_at,
       s.expires_at AS expires_at
"""
DELETE_SESSION = "MATCH (s:Session {id_hash: $id_hash}) DELETE s"
DELETE_TOKEN_SESSIONS = "MATCH (s:Session {token_id: $token_id}) DELETE s"  # noqa: S105 - a statement, not a secret
DELETE_EXPIRED_SESSIONS = "MATCH (s:Session) WHERE s.expires_at <= $now DELETE s"

DELETE_ACCESS_ABOUT = """
MATCH (t:Token {map_id: $map_id, subject: $subject})
OPTIONAL MATCH (s:Session {token_id: t.id})
DELETE s, t
"""

PING = "RETURN 1 AS ok"
