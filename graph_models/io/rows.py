"""Turning validated rows into entities of a map: shared by file import and ``POST /bulk``.

The schemas (:mod:`graph_models.schemas`) hold the rules for single values; what
depends on the map is done here, once: the silo of a person or organisation must be
in the map's vocabulary (:func:`~graph_models.schemas.check_silo`), or is added to it
when the caller asked for that (:class:`SiloVocabulary`).

Natural keys
    A person or organisation row without an id gets a stable one derived from its
    name: ``<slug>-<hash>``, e.g. ``ann-evans-1c5f0e2b``. The slug is the name in
    lower-case ASCII (accents dropped, other characters turned into ``-``, at most 40
    characters; ``person``/``org`` when nothing is left); the hash is the first 8 hex
    digits of SHA-256 over the node type and the name folded for case, spacing and
    Unicode form, so ``"ANN  EVANS"`` and ``"Ann Evans"`` give the same id, and a
    person and an organisation with the same name do not collide. A relationship row
    without an id gets ``rel-<16 hex>`` from its source, kind and target (endpoints
    sorted for undirected kinds, so "Ann knows Ben" and "Ben knows Ann" are one tie).
    Importing the same file again therefore updates instead of duplicating; renaming
    someone in a file without ids creates a new person (give rows ids to rename).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from graph_models import model, schemas
from graph_models.errors import InvalidInput
from graph_models.messages import Message
from graph_models.model import EntityType, Map, Silo

#: Colours given to silos added by an import, in order (then grey).
PALETTE = (
    "#42d4f4",
    "#bfef45",
    "#fabed4",
    "#dcbeff",
    "#ffe119",
    "#aaffc3",
    "#808000",
    "#ffd8b1",
    "#800000",
    "#000000",
    "#a9a9a9",
    "#fffac8",
)


def fold_name(name: str) -> str:
    """A name folded for matching: Unicode NFC, case folded, spacing collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _slug(name: str, fallback: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or fallback


def map_id_key(secret: bytes, map_id: str) -> bytes:
    """A map's key for :func:`natural_node_id`, derived from the service's secret, so the
    API, the import page and the command line make the same ids for the same rows."""
    return hmac.new(secret, b"natural-ids\x1f" + map_id.encode(), hashlib.sha256).digest()


def natural_node_id(etype: EntityType, name: str, key: bytes = b"") -> str:
    """The stable id of a person or organisation row that has no id (module docstring).

    With ``key`` (the service gives each map its own, derived from its secret) the id is
    an HMAC of the name, so nobody without the key can compute a person's id from their
    name; the same file imported again into the same map gets the same ids.
    """
    text = f"{etype.value}\x1f{fold_name(name)}".encode()
    if key:
        digest = hmac.new(key, text, hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(text).hexdigest()
    fallback = "person" if etype is EntityType.PERSON else "org"
    return f"{_slug(name, fallback)}-{digest[:8]}"


def natural_relationship_id(source: str, kind: str, target: str, rules: dict | None = None) -> str:
    """The stable id of a relationship row that has no id (module docstring); ``rules``
    is the map's table of kinds (:meth:`~graph_models.model.Map.kind_rules`)."""
    rule = (rules or model.RELATIONSHIP_KINDS).get(kind)
    if rule is not None and not rule.directed and target < source:
        source, target = target, source
    digest = hashlib.sha256(f"{source}\x1f{kind}\x1f{target}".encode()).hexdigest()
    return f"rel-{digest[:16]}"


def resolve_endpoint(
    value, kind: str | None, end: str, *, types: dict, names: dict, rules: dict | None = None
) -> tuple[str | None, str | None]:
    """``(id, None)`` for a tie's end given by id or by unique name, else ``(None, why)``.

    ``types`` maps each known node id to its :class:`~graph_models.model.NodeType`;
    ``names`` maps each :func:`fold_name` of a name to the ids bearing it. Where a
    name is shared, the kind's rule picks the end of the right type (a person and an
    organisation may both be called "Ty Hapus"). The one rule of resolving names, for
    imports and for the relationship form alike.
    """
    text = value if isinstance(value, str) else str(value)
    if text in types:
        return text, None
    same = names.get(fold_name(text))
    if not same:
        return None, Message("import.no_such_node")
    rule = (rules or model.RELATIONSHIP_KINDS).get(kind) if kind else None
    if len(same) > 1 and rule is not None:
        wanted = rule.source if end == "source" else rule.target
        same = {i for i in same if types.get(i) is wanted} or same
    if len(same) == 1:
        return next(iter(same)), None
    ids = ", ".join(sorted(same)[:5]) + (", ..." if len(same) > 5 else "")
    return None, Message("import.name_ambiguous", num=len(same), name=repr(text), ids=ids)


def name_index(nodes) -> tuple[dict, dict]:
    """``(types, names)`` of :func:`resolve_endpoint` for a list of nodes."""
    types = {n.id: n.type for n in nodes}
    names: dict[str, set] = {}
    for n in nodes:
        names.setdefault(fold_name(n.name), set()).add(n.id)
    return types, names


class SiloVocabulary:
    """Fits silo values to a map's vocabulary; with ``add=True``, grows it instead of refusing.

    Added silos keep the spelling of their first row (spacing collapsed) and a colour
    from :data:`PALETTE` (or one given, e.g. by a JSON file's map section).
    """

    def __init__(self, m: Map, *, add: bool = False, colours: dict[str, str] | None = None):
        self.map = m
        self.add = add
        self.colours = {fold_name(k): v for k, v in (colours or {}).items()}
        self.added: list[Silo] = []
        #: Welsh labels of silos to add, by name (a JSON file's map section)
        self.labels_cy: dict[str, str] = {}
        self._cache: dict[str, str] = {}

    def fit(self, value: str, field_name: str = "silo") -> str:
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        try:
            fitted = schemas.check_silo(self.map, value, field_name=field_name)
        except InvalidInput:
            if not self.add:
                raise
            fitted = self._add(value, field_name)
        self._cache[value] = fitted
        return fitted

    def _add(self, value: str, field_name: str) -> str:
        name = " ".join(value.split())
        for silo in self.added:
            if silo.name.casefold() == name.casefold():
                return silo.name
        silo = schemas.load(
            schemas.SiloSchema,
            {
                "name": name,
                "colour": self.colours.get(fold_name(name), self._next_colour()),
                "label_cy": self.labels_cy.get(name, ""),
            },
            where="silo",
        )
        if len(self.map.silos) + len(self.added) >= model.MAX_SILOS:
            raise InvalidInput(
                Message("rows.too_many_silos"),
                {field_name: [Message("rows.silo_limit", max=model.MAX_SILOS, name=repr(name))]},
            )
        self.added.append(silo)
        return silo.name

    def _next_colour(self) -> str:
        used = {s.colour.lower() for s in self.map.silos} | {s.colour.lower() for s in self.added}
        for colour in PALETTE:
            if colour not in used:
                return colour
        return "#888888"


def build_entity(m: Map | SiloVocabulary, etype: EntityType, values: dict) -> model.Entity:
    """Schema-loaded ``values`` as an entity of map ``m``: an id, and a silo the map knows.
    A person whose ``values`` give no consent gets ``visibility=None`` ("not said"),
    which the store settles (:func:`graph_models.store.rules.settle_consent`).

    ``m`` may be a :class:`SiloVocabulary` (to grow the vocabulary, and to fit many rows
    without looking silos up again). A missing id is random here, as for single
    creates; importers derive natural ids before calling this.
    """
    vocabulary = m if isinstance(m, SiloVocabulary) else SiloVocabulary(m)
    values = dict(values)
    if "id" not in values:  # not setdefault: a random id per row costs 30 µs
        values["id"] = model.new_id()
    if etype is not EntityType.RELATIONSHIP:
        values["silo"] = vocabulary.fit(values["silo"])
    if etype is EntityType.PERSON:
        # consent not given: the store settles it in the write itself — the stored
        # consent for someone already there, the map's default for someone new
        values.setdefault("visibility", None)
    return model.ENTITY_CLASSES[etype](**values)


BULK_SECTIONS = tuple((plural, etype) for etype, plural in model.PLURALS.items())


def build_batch(m: Map, batch: dict) -> dict[str, list]:
    """Build every row of a schema-loaded batch (``people``, ``organisations``,
    ``relationships``); raise one :class:`InvalidInput` naming every bad row.

    Errors are keyed by section and row index: ``{"people": {"3": {"silo": [...]}}}``.
    """
    vocabulary = SiloVocabulary(m)
    built: dict[str, list] = {}
    errors: dict[str, dict] = {}
    for section, etype in BULK_SECTIONS:
        built[section] = []
        for i, row in enumerate(batch.get(section) or ()):
            try:
                built[section].append(build_entity(vocabulary, etype, row))
            except InvalidInput as exc:
                errors.setdefault(section, {})[str(i)] = exc.errors
    if errors:
        raise InvalidInput(Message("rows.some_rows_invalid"), errors)
    return built
