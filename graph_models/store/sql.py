"""Every SQL statement the embedded (SQLite) store runs, as constants.

All values travel as ``?`` parameters. The only text ever spliced into a statement is
a run of ``?`` marks sized to a chunk of ids (:func:`marks`), so no value reaches the
query text.

Tables: ``maps`` (descriptive fields as JSON, plus ``version``); ``nodes`` (people and
organisations share one table, as they share one id space in a map, so relationship
endpoints are real foreign keys; each row keeps the whole entity as JSON beside the
columns used for filtering, and ``name_key``, the folded name that search matches);
``relationships`` (column by column: they are the bulk of every map, and skipping JSON
speeds up bulk writes and whole-map reads); ``audit``; ``tokens`` (digests only).

The schema is built by the numbered steps in ``MIGRATION_<n>`` (run by
:mod:`graph_models.store.migrations`), never edited in place.
"""

from __future__ import annotations

#: Set on every connection (journal mode and cache are per file or per connection).
CONNECTION_PRAGMAS = (
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-65536",  # 64 MiB: bulk upserts touch many pages
    "PRAGMA secure_delete=ON",  # deleted rows and freed pages are zeroed, not left behind
)
#: Copy the WAL into the file and empty it (after an erasure: no old page stays in it).
CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"
FOREIGN_KEYS_OFF = "PRAGMA foreign_keys=OFF"
FOREIGN_KEYS_ON = "PRAGMA foreign_keys=ON"
#: WAL journal: readers never wait for the writer. Persistent in the file.
WAL = "PRAGMA journal_mode=WAL"
BUSY_TIMEOUT = "PRAGMA busy_timeout={ms:d}"
BEGIN_WRITE = "BEGIN IMMEDIATE"
BEGIN_READ = "BEGIN"
COMMIT = "COMMIT"
ROLLBACK = "ROLLBACK"
PING = "SELECT 1"

# -- schema, by migration ----------------------------------------------------------------

GET_USER_VERSION = "PRAGMA user_version"
SET_USER_VERSION = "PRAGMA user_version = {version:d}"
HAS_MAPS_TABLE = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'maps'"

#: Migration 1: the schema of the releases before migrations (user_version 2 and 3).
MIGRATION_1 = (
    """CREATE TABLE IF NOT EXISTS maps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
)""",
    """CREATE TABLE IF NOT EXISTS nodes (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    silo TEXT NOT NULL,
    kind TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (map_id, id)
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS nodes_by_type_name ON nodes(map_id, type, name)",
    """CREATE TABLE IF NOT EXISTS relationships (
    map_id TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    strength INTEGER NOT NULL,
    since TEXT,
    until TEXT,
    notes TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (map_id, id),
    FOREIGN KEY (map_id, source) REFERENCES nodes(map_id, id) ON DELETE CASCADE,
    FOREIGN KEY (map_id, target) REFERENCES nodes(map_id, id) ON DELETE CASCADE
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS rel_by_source ON relationships(map_id, source)",
    "CREATE INDEX IF NOT EXISTS rel_by_target ON relationships(map_id, target)",
    """CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    map_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_ref TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS audit_by_map ON audit(map_id, seq)",
    """CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
)""",
    "CREATE INDEX IF NOT EXISTS tokens_by_map ON tokens(map_id)",
)

#: Migration 2: the folded name (search key) of people and organisations, indexed so a
#: name search scans the index of one map's rows of one type, not the rows themselves.
MIGRATION_2 = (
    "ALTER TABLE nodes ADD COLUMN name_key TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX nodes_by_name_key ON nodes(map_id, type, name_key)",
)
NODE_NAMES = "SELECT map_id, id, name FROM nodes"

#: Migration 3: a per-record revision (1 when made, one more on every write of the
#: record), the ``ETag`` of one person, organisation or tie. Existing rows start at 1.
MIGRATION_3 = (
    "ALTER TABLE nodes ADD COLUMN revision INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE relationships ADD COLUMN revision INTEGER NOT NULL DEFAULT 1",
)
SET_NAME_KEY = "UPDATE nodes SET name_key = ? WHERE map_id = ? AND id = ?"

#: Migration 4: erasure tombstones. Each map gets a random key of its own
#: (``erasure_key``); an erased person's id is kept only as an HMAC under that key, so
#: an import or write naming the id again can be refused, while nobody reading the
#: table, the audit log or an export can test a guessed id without the map's key.
MIGRATION_4 = (
    "ALTER TABLE maps ADD COLUMN erasure_key TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE IF NOT EXISTS erased (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (map_id, digest)
) WITHOUT ROWID""",
)
MAPS_WITHOUT_KEY = "SELECT id FROM maps WHERE erasure_key = ''"
SET_MAP_KEY = "UPDATE maps SET erasure_key = ? WHERE id = ?"
#: Migration 5: browser sessions kept server-side (signing out ends a copied cookie),
#: and the maps' stated default consent written into each map's data (data step). The
#: operator's own audit entries (operator tokens, maps made and deleted) live in
#: ``audit`` under the operator scope (``map_id = ''``), which no map deletion touches.
MIGRATION_5 = (
    """CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS sessions_by_token ON sessions(token_id)",
    "CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions(expires_at)",
)
MAP_DATA = "SELECT id, data FROM maps"
SET_MAP_DATA = "UPDATE maps SET data = ? WHERE id = ?"
OLD_ERASED_REFS = "SELECT DISTINCT map_id, entity_ref FROM audit WHERE entity_ref LIKE 'sha256:%'"
SET_AUDIT_REF = "UPDATE audit SET entity_ref = ? WHERE map_id = ? AND entity_ref = ?"

#: Migration 6: relationship surveys. Each tie records its provenance (``origin``:
#: coordinator, import or survey; '' for ties made before) and which of its ends named it
#: in a survey (``reported_by``, a JSON array). Surveys, their respondents (the person
#: asked and the id of their link's token: the secret itself is kept only as a digest in
#: ``tokens``) and their responses are JSON documents keyed by map, survey and person.
MIGRATION_6 = (
    "ALTER TABLE relationships ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE relationships ADD COLUMN reported_by TEXT NOT NULL DEFAULT '[]'",
    """CREATE TABLE IF NOT EXISTS surveys (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (map_id, id)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS respondents (
    map_id TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    token_id TEXT NOT NULL,
    PRIMARY KEY (map_id, survey_id, person_id),
    FOREIGN KEY (map_id, survey_id) REFERENCES surveys(map_id, id) ON DELETE CASCADE
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS respondents_by_token ON respondents(token_id)",
    "CREATE INDEX IF NOT EXISTS respondents_by_person ON respondents(map_id, person_id)",
    """CREATE TABLE IF NOT EXISTS responses (
    map_id TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (map_id, survey_id, person_id),
    FOREIGN KEY (map_id, survey_id) REFERENCES surveys(map_id, id) ON DELETE CASCADE
) WITHOUT ROWID""",
)

# -- surveys -----------------------------------------------------------------------------

GET_SURVEY = "SELECT data FROM surveys WHERE map_id = ? AND id = ?"
LIST_SURVEYS = "SELECT data FROM surveys WHERE map_id = ? ORDER BY id"
PUT_SURVEY = """
INSERT INTO surveys (map_id, id, status, data) VALUES (?, ?, ?, ?)
ON CONFLICT (map_id, id) DO UPDATE SET status = excluded.status, data = excluded.data
"""
PUT_RESPONDENT = """
INSERT INTO respondents (map_id, survey_id, person_id, token_id) VALUES (?, ?, ?, ?)
ON CONFLICT (map_id, survey_id, person_id) DO UPDATE SET token_id = excluded.token_id
"""
DELETE_RESPONDENT = "DELETE FROM respondents WHERE map_id = ? AND survey_id = ? AND person_id = ?"
RESPONDENTS = (
    "SELECT survey_id, person_id, token_id FROM respondents WHERE map_id = ? AND survey_id = ? "
    "ORDER BY person_id"
)
RESPONDENT_OF_LINK = (
    "SELECT map_id, survey_id, person_id, token_id FROM respondents WHERE token_id = ?"
)
DELETE_RESPONDENTS_OF = "DELETE FROM respondents WHERE map_id = ? AND person_id = ?"
GET_RESPONSE = "SELECT data FROM responses WHERE map_id = ? AND survey_id = ? AND person_id = ?"
LIST_RESPONSES = "SELECT data FROM responses WHERE map_id = ? ORDER BY survey_id, person_id"
LIST_SURVEY_RESPONSES = (
    "SELECT data FROM responses WHERE map_id = ? AND survey_id = ? ORDER BY person_id"
)
PUT_RESPONSE = """
INSERT INTO responses (map_id, survey_id, person_id, status, data) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (map_id, survey_id, person_id) DO UPDATE SET
    status = excluded.status, data = excluded.data
"""
DELETE_RESPONSES_OF = "DELETE FROM responses WHERE map_id = ? AND person_id = ?"
#: Migration 11: erasing a person deletes their responses by map and person (as their
#: respondent records, ``respondents_by_person``), not by scanning the map's responses.
MIGRATION_11 = ("CREATE INDEX IF NOT EXISTS responses_by_person ON responses(map_id, person_id)",)
#: Migration 7: import mappings kept per map, one per file shape (``signature``: the
#: kind of file and its column names, :func:`graph_models.io.mapping.signature`), so the
#: next file with the same headers is read the same way. Gone with their map.
MIGRATION_7 = (
    """CREATE TABLE IF NOT EXISTS import_mappings (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    signature TEXT NOT NULL,
    mapping TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (map_id, signature)
) WITHOUT ROWID""",
)
GET_IMPORT_MAPPING = "SELECT mapping FROM import_mappings WHERE map_id = ? AND signature = ?"
PUT_IMPORT_MAPPING = """
INSERT INTO import_mappings (map_id, signature, mapping, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (map_id, signature) DO UPDATE SET
    mapping = excluded.mapping, updated_at = excluded.updated_at
"""
#: Migration 8: results of background analysis (exact betweenness and closeness per map
#: version, as JSON without node ids) and the leases that keep one computation of a
#: version at a time across processes. Both go with their map (ON DELETE CASCADE).
MIGRATION_8 = (
    """CREATE TABLE IF NOT EXISTS analysis_results (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (map_id, key, version)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS analysis_leases (
    map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    holder TEXT NOT NULL,
    started TEXT NOT NULL,
    expires TEXT NOT NULL,
    PRIMARY KEY (map_id, key)
) WITHOUT ROWID""",
)

#: Migration 10: a random order key (``shuffle``) on every node and tie. Lists that
#: viewers read are paged in the store in display order; among rows that show the same
#: text (the anonymised people of one silo, "a person in health") the order must say
#: nothing about the real records, so it follows this key, not an id or a name.
MIGRATION_10 = (
    "ALTER TABLE nodes ADD COLUMN shuffle TEXT NOT NULL DEFAULT ''",
    # each person's consent as a column (read by those lists' queries; not parsed from
    # the JSON ``data`` for every row); organisations are always shown by name
    "ALTER TABLE nodes ADD COLUMN visibility TEXT NOT NULL DEFAULT 'named'",
    "UPDATE nodes SET visibility = coalesce(json_extract(data, '$.visibility'), 'named') "
    "WHERE type = 'person'",
    "ALTER TABLE relationships ADD COLUMN shuffle TEXT NOT NULL DEFAULT ''",
    "UPDATE nodes SET shuffle = lower(hex(randomblob(8))) WHERE shuffle = ''",
    "UPDATE relationships SET shuffle = lower(hex(randomblob(8))) WHERE shuffle = ''",
)

#: Migration 12: indexes the tie lists read (``SHOWN_TIE_GROUPS``, ``SHOWN_TIE_PAGE``):
#: ``rel_list`` holds what counting a map's listed ties by first end needs (so the count
#: reads the index, never the table, in first-end order), and replaces ``rel_by_source``,
#: its prefix; ``nodes_by_visibility`` finds the people a viewer may not see, and the
#: anonymised people of a silo, without reading every node.
MIGRATION_12 = (
    "CREATE INDEX IF NOT EXISTS rel_list ON relationships(map_id, source, target, kind)",
    "DROP INDEX IF EXISTS rel_by_source",
    "CREATE INDEX IF NOT EXISTS nodes_by_visibility ON nodes(map_id, visibility, silo)",
)
#: Migration 13 (numbered 14 on main; see cypher.MIGRATION_13): a map's people counted
#: by silo (what every reader's list is judged by) from an index alone, not the table.
MIGRATION_13 = (
    "CREATE INDEX IF NOT EXISTS nodes_by_silo ON nodes(map_id, type, silo, visibility)",
)

# -- background analysis results and leases ------------------------------------------------

GET_RESULT = "SELECT payload FROM analysis_results WHERE map_id = ? AND key = ? AND version = ?"
GET_LATEST_RESULT = (
    "SELECT payload FROM analysis_results WHERE map_id = ? AND key = ? "
    "ORDER BY version DESC LIMIT 1"
)
HAS_RESULT = "SELECT 1 FROM analysis_results WHERE map_id = ? AND key = ? AND version = ?"
PUT_RESULT = (
    "INSERT OR REPLACE INTO analysis_results (map_id, key, version, payload, at) "
    "VALUES (?, ?, ?, ?, ?)"
)
DELETE_OLD_RESULTS = "DELETE FROM analysis_results WHERE map_id = ? AND version < ?"
GET_LEASE = "SELECT holder, started, expires FROM analysis_leases WHERE map_id = ? AND key = ?"
PUT_LEASE = (
    "INSERT OR REPLACE INTO analysis_leases (map_id, key, holder, started, expires) "
    "VALUES (?, ?, ?, ?, ?)"
)
DELETE_LEASE = "DELETE FROM analysis_leases WHERE map_id = ? AND key = ? AND holder = ?"

# -- erasure tombstones --------------------------------------------------------------------

GET_MAP_KEY = "SELECT erasure_key FROM maps WHERE id = ?"
ADD_ERASED = "INSERT OR IGNORE INTO erased (map_id, digest, at) VALUES (?, ?, ?)"
FIND_ERASED = "SELECT digest FROM erased WHERE map_id = ? AND digest IN ({marks})"
REMOVE_ERASED = "DELETE FROM erased WHERE map_id = ? AND digest = ?"

# -- maps --------------------------------------------------------------------------------

MAP_COLUMNS = "id, data, created_at, updated_at, version"
GET_MAP = f"SELECT {MAP_COLUMNS} FROM maps WHERE id = ?"  # noqa: S608
COUNT_MAPS = "SELECT count(*) FROM maps"
LIST_MAPS = f"SELECT {MAP_COLUMNS} FROM maps ORDER BY name, id LIMIT ? OFFSET ?"  # noqa: S608
INSERT_MAP = (
    "INSERT INTO maps (id, name, data, created_at, updated_at, version, erasure_key) "
    "VALUES (?, ?, ?, ?, ?, 0, ?)"
)
UPDATE_MAP = "UPDATE maps SET name = ?, data = ? WHERE id = ?"
#: The map's row is written first in every write transaction, so writes to it queue.
BUMP_VERSION = (
    "UPDATE maps SET version = version + 1, updated_at = ? WHERE id = ? RETURNING version"
)
#: Nodes and ties go by ON DELETE CASCADE; audit and tokens are not keyed to the map.
DELETE_MAP = "DELETE FROM maps WHERE id = ?"
DELETE_MAP_AUDIT = "DELETE FROM audit WHERE map_id = ?"
DELETE_MAP_TOKENS = "DELETE FROM tokens WHERE map_id = ?"
DELETE_MAP_SESSIONS = (
    "DELETE FROM sessions WHERE token_id IN (SELECT id FROM tokens WHERE map_id = ?)"
)

# -- nodes -------------------------------------------------------------------------------

UPSERT_NODE = """
INSERT INTO nodes (map_id, id, type, name, silo, kind, data, name_key, visibility, shuffle)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, lower(hex(randomblob(8))))
ON CONFLICT (map_id, id) DO UPDATE SET
    name = excluded.name, silo = excluded.silo, kind = excluded.kind, data = excluded.data,
    name_key = excluded.name_key, visibility = excluded.visibility,
    revision = nodes.revision + 1
"""
NODE_TYPES = "SELECT id, type FROM nodes WHERE map_id = ? AND id IN ({marks})"
GET_NODE = "SELECT data FROM nodes WHERE map_id = ? AND id = ? AND type = ?"
NODE_REVISION = "SELECT revision FROM nodes WHERE map_id = ? AND id = ? AND type = ?"
DELETE_NODE = "DELETE FROM nodes WHERE map_id = ? AND id = ?"
ALL_NODES = "SELECT type, data FROM nodes WHERE map_id = ?"
NODE_INDEX = "SELECT id, type, name FROM nodes WHERE map_id = ?"
#: What a survey's roster is built from (graph_models.surveys.roster): no JSON to parse.
ROSTER_NODES = "SELECT id, type, name, silo, visibility, name_key FROM nodes WHERE map_id = ?"
NODES_BY_ID = "SELECT type, data FROM nodes WHERE map_id = ? AND id IN ({marks})"
#: ``{where}`` is built only from the fixed clauses below.
COUNT_NODES = "SELECT count(*) FROM nodes WHERE map_id = ? AND type = ?{where}"
LIST_NODES = (
    "SELECT data FROM nodes WHERE map_id = ? AND type = ?{where} ORDER BY name, id LIMIT ? OFFSET ?"
)
NODE_SILO = " AND silo = ?"
NODE_KIND = " AND kind = ?"
NODE_NAME_KEY = " AND instr(name_key, ?) > 0"

# -- relationships -----------------------------------------------------------------------

REL_COLUMNS = (
    "id, source, target, kind, strength, since, until, notes, evidence, origin, reported_by"
)
UPSERT_REL = """
INSERT INTO relationships (map_id, id, source, target, kind, strength, since, until, notes,
                           evidence, origin, reported_by, shuffle)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, lower(hex(randomblob(8))))
ON CONFLICT (map_id, id) DO UPDATE SET
    source = excluded.source, target = excluded.target, kind = excluded.kind,
    strength = excluded.strength, since = excluded.since, until = excluded.until,
    notes = excluded.notes, evidence = excluded.evidence, origin = excluded.origin,
    reported_by = excluded.reported_by, revision = relationships.revision + 1
"""
REL_KINDS = "SELECT id, kind FROM relationships WHERE map_id = ? AND id IN ({marks})"
#: Any number of ids in one parameter (a JSON array), so no parameter limit applies.
RELS_BY_ID = (
    f"SELECT {REL_COLUMNS} FROM relationships "  # noqa: S608
    "WHERE map_id = ? AND id IN (SELECT value FROM json_each(?))"
)
REL_REVISION = "SELECT revision FROM relationships WHERE map_id = ? AND id = ?"
GET_REL = f"SELECT {REL_COLUMNS} FROM relationships WHERE map_id = ? AND id = ?"  # noqa: S608
DELETE_REL = "DELETE FROM relationships WHERE map_id = ? AND id = ?"
ALL_RELS = f"SELECT {REL_COLUMNS} FROM relationships WHERE map_id = ?"  # noqa: S608
ALL_RELS_AS_OF = ALL_RELS + " AND (since IS NULL OR since <= ?) AND (until IS NULL OR until >= ?)"
NEIGHBOURS = (
    "SELECT source, target FROM relationships WHERE map_id = ? "
    "AND (source IN ({marks}) OR target IN ({marks}))"
)
RELS_FROM = (
    f"SELECT {REL_COLUMNS} FROM relationships "  # noqa: S608
    "WHERE map_id = ? AND source IN ({marks})"
)
COUNT_RELS = "SELECT count(*) FROM relationships WHERE map_id = ?{where}"
LIST_RELS = (
    f"SELECT {REL_COLUMNS} FROM relationships WHERE map_id = ?{{where}} "  # noqa: S608
    "ORDER BY id LIMIT ? OFFSET ?"
)
REL_KIND = " AND kind = ?"

# -- the map's vocabulary (a kind or silo in use cannot go; a renamed silo is followed) --

COUNT_KIND = "SELECT count(*) FROM relationships WHERE map_id = ? AND kind = ?"
COUNT_SILOS = (
    "SELECT silo, count(*) FROM nodes WHERE map_id = ? AND silo IN ({marks}) GROUP BY silo"
)
MOVE_SILO = """
UPDATE nodes SET silo = ?, data = json_set(data, '$.silo', ?), revision = revision + 1
WHERE map_id = ? AND silo = ?
"""
#: Migration 9: a map's own relationship kinds and Welsh labels live in the map's JSON
#: (``kinds``, silos' ``label_cy``); no table changes, a data step fills them in.
MIGRATION_9: tuple[str, ...] = ()
# -- lists as a reader sees them (paged in the store, consent applied) ----------------------
#
# Named parameters: ``:viewer`` (1: consent applies; 0: a coordinator, every record by its
# name), ``:small`` (a JSON array of the silos too small to hide an anonymised person
# in), ``:labels`` (a JSON object: silo -> the folded "a person in <silo>" an anonymised
# person of that silo is shown as). A node's ``display`` is the folded text the reader
# sees; ``anon`` says it is not the record's own name; ``shown`` whether the reader may
# see the node at all (hidden people, and anonymised people of small silos, are not).


def _shown(n: str) -> str:
    small = "(SELECT silo FROM small)"
    return (
        f"(NOT :viewer OR {n}.visibility = 'named' OR ({n}.visibility = 'anonymised' "
        f"AND {n}.silo NOT IN {small}))"
    )


def _anon(n: str) -> str:
    return f"(:viewer AND {n}.visibility <> 'named')"


def _display(n: str) -> str:
    label = f"(SELECT label FROM lab WHERE lab.silo = {n}.silo)"  # noqa: S608
    return f"CASE WHEN {_anon(n)} THEN {label} ELSE {n}.name_key END"


#: the parameters' small tables, read once per query
_PARAMETERS = """
WITH small AS MATERIALIZED (SELECT value AS silo FROM json_each(:small)),
lab AS MATERIALIZED (SELECT key AS silo, value AS label FROM json_each(:labels))"""
_SHOWN_NODES = f"""{_PARAMETERS}
SELECT {{what}} FROM (
  SELECT n.data AS data, n.id AS id, n.shuffle AS shuffle, {_anon("n")} AS anon,
         {_display("n")} AS display
  FROM nodes n
  WHERE n.map_id = :map_id AND n.type = :type AND {_shown("n")}
    AND (:silo IS NULL OR n.silo = :silo) AND (:kind IS NULL OR n.kind = :kind)
)
WHERE :q IS NULL OR instr(display, :q) > 0
"""  # noqa: S608 - built from the fixed clauses above, never from input
COUNT_SHOWN_NODES = _SHOWN_NODES.format(what="count(*)")
#: the page and, on each row, the total (one pass: the order needs every row anyway)
LIST_SHOWN_NODES = _SHOWN_NODES.format(what="count(*) OVER () AS total, data") + (
    " ORDER BY display, CASE WHEN anon THEN shuffle ELSE id END LIMIT :limit OFFSET :offset"
)
# Ties are listed in two steps, so that no statement joins or sorts every tie (at 50,000
# ties that took a second). First the *groups*: how many listed ties each text shown for a
# first end heads (a named end's folded name, or an anonymised end's "a person in
# <silo>"), in order, counted from one pass over the covering index ``rel_list`` and one
# lookup per first end; the store finds from these counts which groups hold the page, and
# the total. Then the *page*: the ties of those groups only, found from their first ends
# by index, in order (the text shown, then a tie-break that says nothing about hidden
# records: a tie's random key if either end is anonymised, else its id) and sliced.
# The same filters in both: ``:kind``; the reader's consent (no end a viewer may not
# see: ``unshown``, looked up once, not joined per tie); ``:q`` in either end's shown text
# (``found``: the nodes whose shown text holds it) or in the kind.


def _unshown(viewer: bool) -> str:
    if not viewer:
        return ""
    return f""",
unshown AS MATERIALIZED (
  SELECT n.id FROM nodes n INDEXED BY nodes_by_visibility
  WHERE n.map_id = :map_id AND n.visibility IN ('anonymised', 'hidden') AND NOT {_shown("n")})"""  # noqa: S608


def _tie_where(viewer: bool, q: bool) -> str:
    where = "r.map_id = :map_id AND (:kind IS NULL OR r.kind = :kind)"
    if viewer:
        where += " AND r.source NOT IN unshown AND r.target NOT IN unshown"
    if q:
        where += " AND (r.source IN found OR r.target IN found OR instr(lower(r.kind), :q) > 0)"
    return where


def _found(q: bool) -> str:
    if not q:
        return ""
    return f""",
found AS MATERIALIZED (
  SELECT n.id FROM nodes n WHERE n.map_id = :map_id AND instr({_display("n")}, :q) > 0)"""  # noqa: S608


def _tie_groups(viewer: bool, q: bool) -> str:
    if viewer and not q:
        # every tie by first end, less those whose other end the viewer may not see (few:
        # found from those ends by index), rather than a look-up per tie
        return f"""{_PARAMETERS}{_unshown(viewer)},
heads AS MATERIALIZED (
  SELECT r.source AS id, count(*) AS n FROM relationships r INDEXED BY rel_list
  WHERE {_tie_where(False, False)} GROUP BY r.source),
cut AS MATERIALIZED (
  SELECT r.source AS id, count(*) AS n
  FROM unshown u CROSS JOIN relationships r INDEXED BY rel_by_target
  WHERE r.map_id = :map_id AND r.target = u.id AND (:kind IS NULL OR r.kind = :kind)
  GROUP BY r.source)
SELECT {_display("a")} AS display, sum(h.n - coalesce(cut.n, 0)) AS n
FROM heads h CROSS JOIN nodes a LEFT JOIN cut ON cut.id = h.id
WHERE a.map_id = :map_id AND a.id = h.id AND {_shown("a")}
GROUP BY display HAVING sum(h.n - coalesce(cut.n, 0)) > 0
"""  # noqa: S608 - built from the fixed clauses above, never from input
    return f"""{_PARAMETERS}{_unshown(viewer)}{_found(q)},
heads AS MATERIALIZED (
  SELECT r.source AS id, count(*) AS n FROM relationships r INDEXED BY rel_list
  WHERE {_tie_where(viewer, q)} GROUP BY r.source)
SELECT {_display("a")} AS display, sum(h.n) AS n
FROM heads h CROSS JOIN nodes a
WHERE a.map_id = :map_id AND a.id = h.id
GROUP BY display
"""  # noqa: S608 - built from the fixed clauses above, never from input


def _tie_groups_found(viewer: bool) -> str:
    """The groups of the ties a text matches when no kind's name holds it: the ties of
    the nodes whose shown text holds it (``found``), found from them by index (as first
    and as second end), not by reading every tie."""
    return f"""{_PARAMETERS}{_unshown(viewer)}{_found(True)},
matched AS MATERIALIZED (
  SELECT r.id AS id, r.source AS source
  FROM found f CROSS JOIN relationships r INDEXED BY rel_list
  WHERE r.source = f.id AND {_tie_where(viewer, False)}
  UNION
  SELECT r.id AS id, r.source AS source
  FROM found f CROSS JOIN relationships r INDEXED BY rel_by_target
  WHERE r.target = f.id AND {_tie_where(viewer, False)}),
heads AS MATERIALIZED (SELECT source AS id, count(*) AS n FROM matched GROUP BY source)
SELECT {_display("a")} AS display, sum(h.n) AS n
FROM heads h CROSS JOIN nodes a
WHERE a.map_id = :map_id AND a.id = h.id
GROUP BY display
"""  # noqa: S608 - built from the fixed clauses above, never from input


def _tie_page(viewer: bool, q: bool) -> str:
    anonymised = (
        """
  UNION ALL
  SELECT a.id AS id, 1 AS anon, w.display AS display
  FROM wanted w CROSS JOIN lab CROSS JOIN nodes a INDEXED BY nodes_by_visibility
  WHERE lab.label = w.display AND a.map_id = :map_id AND a.visibility = 'anonymised'
    AND a.silo = lab.silo AND a.silo NOT IN small"""
        if viewer
        else ""
    )
    named = "a.visibility = 'named'" if viewer else "1"
    columns = ", ".join("r." + c.strip() for c in REL_COLUMNS.split(","))
    return f"""{_PARAMETERS}{_unshown(viewer)}{_found(q)},
wanted AS MATERIALIZED (SELECT value AS display FROM json_each(:displays)),
heads AS MATERIALIZED (
  SELECT a.id AS id, 0 AS anon, a.name_key AS display
  FROM wanted w CROSS JOIN nodes a INDEXED BY nodes_by_name_key
  WHERE a.map_id = :map_id AND a.type IN ('person', 'organisation') AND a.name_key = w.display
    AND {named}{anonymised})
SELECT {columns}
FROM heads h CROSS JOIN relationships r INDEXED BY rel_list CROSS JOIN nodes b
WHERE r.source = h.id AND {_tie_where(viewer, q)} AND b.map_id = :map_id AND b.id = r.target
ORDER BY h.display, CASE WHEN h.anon OR {_anon("b")} THEN r.shuffle ELSE r.id END
LIMIT :limit OFFSET :skip
"""  # noqa: S608 - built from the fixed clauses above, never from input


#: ``(display, ties)`` of every group of listed ties (in no order: sorted by the caller,
#: which is cheaper than a second sort here); by (viewer, q given).
SHOWN_TIE_GROUPS = {(v, q): _tie_groups(v, q) for v in (False, True) for q in (False, True)}
#: As ``SHOWN_TIE_GROUPS[(viewer, True)]`` when no kind's name holds the text (the
#: caller checks the map's kinds): only the matching nodes' ties are read; by viewer.
SHOWN_TIE_GROUPS_FOUND = {v: _tie_groups_found(v) for v in (False, True)}
#: The ties of the groups ``:displays`` (a JSON array), in order, ``:skip`` of them
#: skipped and ``:limit`` kept; by (viewer, q given).
SHOWN_TIE_PAGE = {(v, q): _tie_page(v, q) for v in (False, True) for q in (False, True)}
SILO_PEOPLE = (
    "SELECT silo, count(*) FROM nodes INDEXED BY nodes_by_silo "
    "WHERE map_id = ? AND type = 'person' GROUP BY silo"
)
#: The ids of a map's people of one consent (by index: a viewer's read of one record
#: turns a pseudonym back into a person from these, not from the whole map).
PEOPLE_OF_CONSENT = (
    "SELECT id FROM nodes INDEXED BY nodes_by_visibility "
    "WHERE map_id = ? AND visibility = ? AND type = 'person'"
)

#: The ids of a map's ties with an end (a person) of one consent, found from those
#: people by index (a viewer's read of one tie turns a ``tie-`` pseudonym back from these).
TIES_OF_CONSENT = """
SELECT r.id FROM nodes n INDEXED BY nodes_by_visibility
JOIN relationships r ON r.map_id = n.map_id AND r.source = n.id
WHERE n.map_id = :map_id AND n.visibility = :visibility AND n.type = 'person'
UNION
SELECT r.id FROM nodes n INDEXED BY nodes_by_visibility
JOIN relationships r ON r.map_id = n.map_id AND r.target = n.id
WHERE n.map_id = :map_id AND n.visibility = :visibility AND n.type = 'person'
"""

REL_ENDPOINT = " AND (source LIKE ? ESCAPE '\\' OR target LIKE ? ESCAPE '\\')"

# -- audit -------------------------------------------------------------------------------

ADD_AUDIT = (
    "INSERT INTO audit (map_id, at, actor, action, entity_type, entity_ref) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
RENAME_AUDIT_REFS = (
    "UPDATE audit SET entity_ref = ? WHERE map_id = ? AND entity_type = ? AND entity_ref = ?"
)
COUNT_AUDIT = "SELECT count(*) FROM audit WHERE map_id = ?{where}"
LIST_AUDIT = (
    "SELECT at, actor, action, entity_type, entity_ref FROM audit WHERE map_id = ?{where} "
    "ORDER BY seq DESC LIMIT ? OFFSET ?"
)
#: Any number of refs in one parameter (a JSON array), so no parameter limit applies.
AUDIT_REFS = " AND entity_ref IN (SELECT value FROM json_each(?))"

# -- access tokens (digests only) --------------------------------------------------------

ACCESS_COLUMNS = (
    "id, map_id, role, token_hash, label, subject, created_at, created_by, expires_at, revoked_at"
)
INSERT_ACCESS = f"INSERT INTO tokens ({ACCESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
GET_ACCESS = f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE id = ?"  # noqa: S608
FIND_ACCESS = f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE token_hash = ?"  # noqa: S608
LIST_ACCESS = f"SELECT {ACCESS_COLUMNS} FROM tokens WHERE map_id = ? ORDER BY created_at, id"  # noqa: S608
REVOKE_ACCESS = "UPDATE tokens SET revoked_at = ? WHERE id = ?"
DELETE_ACCESS_ABOUT = "DELETE FROM tokens WHERE map_id = ? AND subject = ?"
DELETE_SESSIONS_ABOUT = (
    "DELETE FROM sessions WHERE token_id IN "
    "(SELECT id FROM tokens WHERE map_id = ? AND subject = ?)"
)

# -- browser sessions (digests of their ids only) -------------------------------------------

INSERT_SESSION = (
    "INSERT INTO sessions (id_hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)"
)
GET_SESSION = "SELECT id_hash, token_id, created_at, expires_at FROM sessions WHERE id_hash = ?"
DELETE_SESSION = "DELETE FROM sessions WHERE id_hash = ?"
DELETE_TOKEN_SESSIONS = "DELETE FROM sessions WHERE token_id = ?"  # noqa: S105 - a statement, not a secret
DELETE_EXPIRED_SESSIONS = "DELETE FROM sessions WHERE expires_at <= ?"


def marks(n: int) -> str:
    """``n`` comma-separated ``?`` placeholders, for ``IN (...)`` over a chunk of ids."""
    return ",".join("?" * n)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
