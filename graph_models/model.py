"""The Bridgemap domain: maps, people, organisations and the relationships between them.

A **map** is one partnership's network. Every person, organisation and relationship
belongs to exactly one map, and ids are unique within a map (people and organisations
share one id space, so a relationship endpoint is named by id alone).

Relationship kinds are the eleven built-in ones (:data:`RELATIONSHIP_KINDS`) plus any
the map adds of its own (:class:`MapKind`, kept in :attr:`Map.kinds` beside its silos).
Each kind says which endpoint types it joins and whether it has a direction ("Ana
mentors Ben" is directed; "Ana knows Ben" is not); :meth:`Map.kind_rules` is the one
table of a map's kinds. Stores turn kinds into database relationship types only
through the built-in table (a map's own kinds all share :data:`GENERIC_NEO4J_TYPE`),
never by formatting user text into a query.

This module imports neither Flask nor a database driver: it is the vocabulary that the
stores, the analysis and the service share.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import date

from graph_models import clock
from graph_models.errors import InvalidInput
from graph_models.messages import Message

#: Ids are chosen by clients (so a re-import updates rather than duplicates) and so are
#: restricted to characters that are safe in URLs, file names and spreadsheet cells.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
ID_RULE = "1-128 characters: letters, digits and . _ : - (starting with a letter or digit)"

MAX_NAME = 200
MAX_TEXT = 2000
MAX_TAGS = 50
MAX_SILOS = 50
MAX_KINDS = 50
#: A map's own kind name: lower-case letters, digits and ``_`` (it is a key in files,
#: URLs and query strings, like the built-in ``works_with``).
KIND_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

#: The silo vocabulary a new map starts with (DESIGN §3); maps may replace it.
DEFAULT_SILOS: tuple[tuple[str, str], ...] = (
    # Paul Tol's "muted" scheme, made to stay apart for colour-blind readers (tested
    # under simulated protanopia, deuteranopia and tritanopia: tests/visualisations/
    # test_palette_cvd.py); silo names are always shown beside the colours too
    ("health", "#cc6677"),
    ("social care", "#ddcc77"),
    ("housing", "#117733"),
    ("education", "#88ccee"),
    ("police", "#332288"),
    ("local authority", "#aa4499"),
    ("third sector", "#44aa99"),
    ("community", "#999933"),
    ("business", "#882255"),
)
#: The default silos' Welsh labels (standard Welsh public-service terms; see
#: docs/welsh-glossary.md): a new map's vocabulary starts bilingual.
DEFAULT_SILOS_CY: dict[str, str] = {
    "health": "iechyd",
    "social care": "gofal cymdeithasol",
    "housing": "tai",
    "education": "addysg",
    "police": "heddlu",
    "local authority": "awdurdod lleol",
    "third sector": "trydydd sector",
    "community": "cymuned",
    "business": "busnes",
}


class EntityType(enum.StrEnum):
    """The three kinds of object a map holds."""

    PERSON = "person"
    ORGANISATION = "organisation"
    RELATIONSHIP = "relationship"


#: The word each type is listed under: URLs, batches, files, exports and reports.
PLURALS = {
    EntityType.PERSON: "people",
    EntityType.ORGANISATION: "organisations",
    EntityType.RELATIONSHIP: "relationships",
}
#: The entity type listed under each plural (``"people"`` -> ``EntityType.PERSON``).
ENTITY_TYPE_OF = {plural: etype for etype, plural in PLURALS.items()}


class NodeType(enum.StrEnum):
    """Types of graph node; relationships join two of these."""

    PERSON = "person"
    ORGANISATION = "organisation"


class Visibility(enum.StrEnum):
    """What a person agreed may be shown about them (consent).

    ``named``: shown by name. ``anonymised``: shown only as "a person in <silo>".
    ``hidden``: counted in the structure of the network, never drawn or listed.
    """

    NAMED = "named"
    ANONYMISED = "anonymised"
    HIDDEN = "hidden"


class OrganisationKind(enum.StrEnum):
    STATUTORY = "statutory"
    THIRD_SECTOR = "third sector"
    COMMUNITY_GROUP = "community group"
    BUSINESS = "business"
    OTHER = "other"


#: The Neo4j relationship type of every tie of a map's own kind (its ``kind`` property
#: says which): user text never becomes a relationship type.
GENERIC_NEO4J_TYPE = "RELATES_TO"


@dataclass(frozen=True)
class KindRule:
    """Which endpoint types a relationship kind joins, and whether it is directed."""

    source: NodeType
    target: NodeType
    directed: bool
    #: The Neo4j relationship type; the only route from a kind to a query.
    neo4j_type: str
    #: a person–organisation kind that makes the person part of the organisation
    #: (``group_by=organisation`` follows these ties)
    affiliation: bool = False


_P, _O = NodeType.PERSON, NodeType.ORGANISATION

#: The relationship vocabulary (DESIGN §3). A directed kind reads "source KIND target".
RELATIONSHIP_KINDS: dict[str, KindRule] = {
    "knows": KindRule(_P, _P, False, "KNOWS"),
    "works_with": KindRule(_P, _P, False, "WORKS_WITH"),
    "mentors": KindRule(_P, _P, True, "MENTORS"),
    "member_of": KindRule(_P, _O, True, "MEMBER_OF", affiliation=True),
    "works_for": KindRule(_P, _O, True, "WORKS_FOR", affiliation=True),
    "volunteers_at": KindRule(_P, _O, True, "VOLUNTEERS_AT", affiliation=True),
    "leads": KindRule(_P, _O, True, "LEADS", affiliation=True),
    "partners_with": KindRule(_O, _O, False, "PARTNERS_WITH"),
    "funds": KindRule(_O, _O, True, "FUNDS"),
    "commissions": KindRule(_O, _O, True, "COMMISSIONS"),
    "refers_to": KindRule(_O, _O, True, "REFERS_TO"),
}

#: Kinds that tie a person to an organisation; used to group people by organisation.
AFFILIATION_KINDS = frozenset(k for k, rule in RELATIONSHIP_KINDS.items() if rule.affiliation)


class Origin(enum.StrEnum):
    """Where a tie came from (its provenance). ``""`` (:data:`UNRECORDED`) is a tie
    made before provenance was kept (migration 6)."""

    COORDINATOR = "coordinator"
    IMPORT = "import"
    SURVEY = "survey"


#: The origin of ties made before provenance was recorded.
UNRECORDED = ""
ORIGINS = (UNRECORDED, *(o.value for o in Origin))


class ConsentSetBy(enum.StrEnum):
    """Who set a person's consent: the person themselves (in a survey), or a
    coordinator (``""``: not recorded, e.g. a person added before surveys)."""

    SELF = "self"
    COORDINATOR = "coordinator"


def new_id() -> str:
    """A fresh random id for objects whose client did not supply one."""
    return uuid.uuid4().hex[:16]


def utcnow() -> str:
    """Now, as an ISO-8601 UTC timestamp string (how stores keep times): the one clock,
    :func:`graph_models.clock.timestamp`."""
    return clock.timestamp()


@dataclass
class Silo:
    """One silo of a map's vocabulary: ``name`` is the key people and organisations
    carry (and the English label); ``label_cy`` its Welsh label, for display only."""

    name: str
    colour: str = "#888888"
    label_cy: str = ""

    @property
    def label(self) -> str:
        return self.name


def default_silos() -> list[Silo]:
    """A new map's silos: :data:`DEFAULT_SILOS` with their Welsh labels."""
    return [Silo(name, colour, DEFAULT_SILOS_CY.get(name, "")) for name, colour in DEFAULT_SILOS]


@dataclass
class MapKind:
    """A relationship kind a map adds to the built-in ones: ``name`` is the key ties
    carry; ``label`` / ``label_cy`` are its English and Welsh labels (display only)."""

    name: str
    label: str
    source: NodeType
    target: NodeType
    directed: bool = False
    #: person–organisation kinds only: the person belongs to the organisation
    affiliation: bool = False
    label_cy: str = ""

    @property
    def rule(self) -> KindRule:
        return KindRule(
            self.source, self.target, self.directed, GENERIC_NEO4J_TYPE, self.affiliation
        )

    @property
    def ends(self) -> str:
        """``person-organisation`` etc.: the ends as one value (forms, files)."""
        return f"{self.source.value}-{self.target.value}"


@dataclass
class Map:
    """One partnership's network and the silo vocabulary it uses."""

    id: str
    name: str
    description: str = ""
    silos: list[Silo] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""
    #: Bumped by every write to the map or anything in it; caches key on it.
    version: int = 0
    #: The consent a new person gets when what adds them says none (a file without a
    #: consent column, an API call without ``visibility``): chosen by the coordinator.
    default_visibility: Visibility = Visibility.NAMED
    #: the map's own relationship kinds, beside the built-in ones
    kinds: list[MapKind] = field(default_factory=list)

    def silo_names(self) -> list[str]:
        return [s.name for s in self.silos]

    def kind_rules(self) -> dict[str, KindRule]:
        """Every kind a tie of this map may have: the built-in ones, then the map's own."""
        if not self.kinds:
            return RELATIONSHIP_KINDS
        return {**RELATIONSHIP_KINDS, **{k.name: k.rule for k in self.kinds}}

    def kind_names(self) -> list[str]:
        return [*RELATIONSHIP_KINDS, *(k.name for k in self.kinds)]

    def own_kind(self, name: str) -> MapKind | None:
        return next((k for k in self.kinds if k.name == name), None)

    def silo_colours(self) -> dict[str, str]:
        """Silo name -> colour, in the vocabulary's order (the legends' order)."""
        return {s.name: s.colour for s in self.silos}


@dataclass
class Person:
    id: str
    name: str
    silo: str
    role: str = ""
    area: str = ""
    tags: list[str] = field(default_factory=list)
    contact: str = ""
    #: ``None`` only on the way in, when the input said no consent: the store settles
    #: it in the write (the stored one, or the map's ``default_visibility`` if new).
    visibility: Visibility | None = Visibility.NAMED
    #: who set ``visibility`` (:class:`ConsentSetBy` value, or "" if not recorded), when
    consent_set_by: str = ""
    consent_set_at: str = ""

    type = NodeType.PERSON


@dataclass
class Organisation:
    id: str
    name: str
    silo: str
    kind: OrganisationKind = OrganisationKind.OTHER
    area: str = ""
    tags: list[str] = field(default_factory=list)

    type = NodeType.ORGANISATION


@dataclass
class Relationship:
    id: str
    source: str
    target: str
    kind: str
    strength: int = 3
    since: date | None = None
    until: date | None = None
    notes: str = ""
    evidence: str = ""
    #: provenance: an :class:`Origin` value ("" for ties made before it was recorded)
    origin: str = Origin.COORDINATOR.value
    #: ids of the tie's ends who named it in a survey: both ends means *confirmed*,
    #: one end *reported* (only ends are ever listed, so erasing a person, which
    #: deletes their ties, leaves no mention of them here)
    reported_by: list[str] = field(default_factory=list)

    @property
    def rule(self) -> KindRule:
        """The rule of a built-in kind (a map's own kind: :meth:`Map.kind_rules`)."""
        return RELATIONSHIP_KINDS[self.kind]

    @property
    def confirmed(self) -> bool:
        """Named in a survey by both of its ends."""
        return {self.source, self.target} <= set(self.reported_by)

    def active_on(self, day: date) -> bool:
        """True when the tie existed on ``day`` (open-ended at either side)."""
        return (self.since is None or self.since <= day) and (
            self.until is None or self.until >= day
        )


Node = Person | Organisation
Entity = Person | Organisation | Relationship

ENTITY_CLASSES: dict[EntityType, type] = {
    EntityType.PERSON: Person,
    EntityType.ORGANISATION: Organisation,
    EntityType.RELATIONSHIP: Relationship,
}


def entity_type_of(entity: Entity) -> EntityType:
    for etype, cls in ENTITY_CLASSES.items():
        if isinstance(entity, cls):
            return etype
    raise TypeError(f"not a Bridgemap entity: {entity!r}")


def to_dict(obj) -> dict:
    """A JSON-ready dict of a dataclass: enums as values, dates as ISO strings.

    On the hot path of every bulk write and read, so field names are cached per class
    and plain values are passed through without further inspection.
    """
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value if value is None or type(value) in _PLAIN else _plain(value)
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_PLAIN = frozenset({str, int, float, bool})


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return to_dict(value)
    return value


def check_endpoints(
    kind: str,
    source_type: NodeType | None,
    target_type: NodeType | None,
    rules: dict[str, KindRule] | None = None,
):
    """Raise :class:`InvalidInput` unless ``kind`` may join these endpoint types.

    ``None`` for a type means the endpoint does not exist in the map. ``rules`` is the
    map's table of kinds (:meth:`Map.kind_rules`; the built-in ones if not given): a
    kind outside it is refused, naming the ``kind`` field.
    """
    errors: dict[str, list[str]] = {}
    rule = (rules or RELATIONSHIP_KINDS).get(kind)
    if rule is None:
        raise InvalidInput(
            Message("model.unknown_kind", kind=repr(kind)),
            {
                "kind": [
                    Message("model.kind_choices", choices=", ".join(rules or RELATIONSHIP_KINDS))
                ]
            },
        )
    if source_type is None:
        errors["source"] = [Message("model.no_such_end")]
    elif source_type != rule.source:
        errors["source"] = [Message(f"model.must_start_at_{rule.source.value}", kind=kind)]
    if target_type is None:
        errors["target"] = [Message("model.no_such_end")]
    elif target_type != rule.target:
        errors["target"] = [Message(f"model.must_end_at_{rule.target.value}", kind=kind)]
    if errors:
        raise InvalidInput(Message("model.ends_do_not_fit"), errors)


def from_dict(etype: EntityType, data: dict) -> Entity:
    """Rebuild an entity from :func:`to_dict` output that a store kept.

    Trusted input only (already validated when written): this is the fast path used to
    read whole maps back for analysis, so it skips schema validation.
    """
    values = dict(data)
    if etype is EntityType.PERSON:
        visibility = values.get("visibility", "named")
        values["visibility"] = _VISIBILITIES.get(visibility) or Visibility(visibility)
        values["tags"] = list(values.get("tags") or [])
        return Person(**values)
    if etype is EntityType.ORGANISATION:
        kind = values.get("kind", "other")
        values["kind"] = _ORGANISATION_KINDS.get(kind) or OrganisationKind(kind)
        values["tags"] = list(values.get("tags") or [])
        return Organisation(**values)
    for key in ("since", "until"):
        if values.get(key):
            values[key] = date.fromisoformat(values[key])
    values["reported_by"] = list(values.get("reported_by") or [])
    return Relationship(**values)


#: Each consent and organisation kind by its value, for :func:`from_dict`: a dict
#: lookup, where calling the enum costs as much as the rest of rebuilding a person
#: (50,000 of them per large map read).
_VISIBILITIES = {member.value: member for member in Visibility}
_ORGANISATION_KINDS = {member.value: member for member in OrganisationKind}


def node_type_of(etype: EntityType) -> NodeType | None:
    """The graph node type stored for an entity type (``None`` for relationships)."""
    return {EntityType.PERSON: NodeType.PERSON, EntityType.ORGANISATION: NodeType.ORGANISATION}.get(
        etype
    )
