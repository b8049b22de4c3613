"""Validation of incoming values: marshmallow schemas that load plain dicts into the model.

One set of schemas serves the store API, the HTTP API (flask-smorest reads them to
generate the OpenAPI document) and file import, so a rule is written once. Unknown
fields are rejected, not ignored: a misspelt ``visiblity`` must not silently leave a
person visible.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from graph_models import fastload, model
from graph_models.errors import InvalidInput
from graph_models.messages import Message

_id = dict(validate=validate.Regexp(model.ID_PATTERN, error=f"an id is {model.ID_RULE}"))
_name = validate.Length(min=1, max=model.MAX_NAME)
_text = validate.Length(max=model.MAX_TEXT)
_short = validate.Length(max=model.MAX_NAME)


class _StrippedString(fields.String):
    """A string with surrounding whitespace removed *before* it is validated."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _stripped_name(**kwargs):
    """A name: surrounding whitespace stripped, then 1 to MAX_NAME characters (so "   "
    is no name, and " Ann " is stored as "Ann")."""
    return _StrippedString(validate=_name, **kwargs)


#: A lone UTF-16 surrogate (JSON's ``"\ud800"``) is not a character: no store can keep it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value) -> bool:
    if isinstance(value, str):
        return bool(_SURROGATE.search(value))
    if isinstance(value, list):
        return any(isinstance(v, str) and _SURROGATE.search(v) for v in value)
    return False


class _Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def refuse_unpaired_surrogates(self, data, **_):
        """Text with a lone surrogate is refused, naming the field (422, not a 500 from
        the store); nested rows are checked by their own schemas."""
        if isinstance(data, dict):
            bad = {key: ["not valid text (an unpaired surrogate)"] for key, v in data.items()}
            bad = {key: msg for key, msg in bad.items() if _has_surrogate(data[key])}
            if bad:
                raise ma.ValidationError(bad)
        return data


class SiloSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    colour = fields.String(
        load_default="#888888",
        validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="a colour is #rrggbb"),
    )
    label_cy = fields.String(
        load_default="",
        validate=validate.Length(max=60),
        metadata={"description": "the silo's Welsh label (display only; name stays the key)"},
    )

    @ma.post_load
    def make(self, data, **_):
        # a partial load (a map PATCH) reaches nested silos too: required fields and
        # defaults are not applied there, so check and fill them here
        if "name" not in data:
            raise ma.ValidationError(["Missing data for required field."], "name")
        return model.Silo(
            name=data["name"].strip(),
            colour=data.get("colour", "#888888"),
            label_cy=(data.get("label_cy") or "").strip(),
        )


_NODE_TYPES = [t.value for t in model.NodeType]
#: The ends a map's own kind may join (an organisation-to-person kind is written the
#: other way round, as the built-in ones are).
KIND_ENDS = ("person-person", "person-organisation", "organisation-organisation")


class MapKindSchema(_Strict):
    """A relationship kind of the map's own (issue 13): a name that is the key, labels
    in English and Welsh, the ends it joins, its direction, and for person–organisation
    kinds whether it is an affiliation."""

    name = fields.String(
        required=True,
        validate=validate.Regexp(
            model.KIND_NAME_PATTERN,
            error="a kind's name is 1-40 lower-case letters, digits or _, starting with a letter",
        ),
    )
    label = _StrippedString(required=True, validate=validate.Length(min=1, max=60))
    label_cy = _StrippedString(load_default="", validate=validate.Length(max=60))
    source = fields.String(required=True, validate=validate.OneOf(_NODE_TYPES))
    target = fields.String(required=True, validate=validate.OneOf(_NODE_TYPES))
    directed = fields.Boolean(load_default=False)
    affiliation = fields.Boolean(load_default=False)

    @validates_schema
    def sound(self, data, partial=False, **_):
        if data.get("name") in model.RELATIONSHIP_KINDS:
            raise ma.ValidationError("a built-in kind has this name", "name")
        source, target = data.get("source"), data.get("target")
        if source and target and f"{source}-{target}" not in KIND_ENDS:
            raise ma.ValidationError(
                "a kind joins person-person, person-organisation or organisation-organisation",
                "target",
            )
        if data.get("affiliation") and (source, target) != ("person", "organisation"):
            raise ma.ValidationError(
                "only a person-organisation kind can be an affiliation", "affiliation"
            )

    @ma.post_load
    def make(self, data, **_):
        missing = [k for k in ("name", "label", "source", "target") if k not in data]
        if missing:  # a partial load (a map PATCH) reaches nested kinds too
            raise ma.ValidationError({k: ["Missing data for required field."] for k in missing})
        return model.MapKind(
            name=data["name"],
            label=data["label"],
            label_cy=data.get("label_cy", ""),
            source=model.NodeType(data["source"]),
            target=model.NodeType(data["target"]),
            directed=data.get("directed", False),
            affiliation=data.get("affiliation", False),
        )


class MapSchema(_Strict):
    id = fields.String(**_id)
    name = _stripped_name(required=True)
    description = fields.String(load_default="", validate=_text)
    silos = fields.List(
        fields.Nested(SiloSchema),
        validate=validate.Length(min=1, max=model.MAX_SILOS),
        metadata={"description": "the silo vocabulary; defaults to DESIGN §3's nine sectors"},
    )
    kinds = fields.List(
        fields.Nested(MapKindSchema),
        validate=validate.Length(max=model.MAX_KINDS),
        metadata={"description": "the map's own relationship kinds, beside the built-in ones"},
    )
    default_visibility = fields.Enum(
        model.Visibility,
        by_value=True,
        metadata={
            "description": "the consent a new person gets when what adds them (a file, a "
            "survey, an API call) does not say; named unless the coordinator chooses"
        },
    )
    created_at = fields.String(dump_only=True)
    updated_at = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)

    @validates_schema
    def unique_silos(self, data, **_):
        names = [s.name.casefold() for s in data.get("silos") or []]
        if len(names) != len(set(names)):
            raise ma.ValidationError("silo names must be unique", "silos")
        kinds = [k.name for k in data.get("kinds") or []]
        if len(kinds) != len(set(kinds)):
            raise ma.ValidationError("kind names must be unique", "kinds")


class MapPatchSchema(MapSchema):
    """A change of a map (``PATCH``): any of its fields, and silos to rename, whose
    people and organisations follow the new name in the same write."""

    rename_silos = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=60)),
        values=fields.String(validate=validate.Length(min=1, max=60)),
        load_only=True,
        metadata={
            "description": "old silo name -> new name; the new name must be in silos and "
            "the old one not: everyone in the old silo moves to the new one"
        },
    )


class PersonSchema(_Strict):
    id = fields.String(**_id)
    name = _stripped_name(required=True)
    silo = fields.String(required=True, validate=validate.Length(min=1, max=60))
    role = fields.String(load_default="", validate=_short)
    area = fields.String(load_default="", validate=_short)
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=model.MAX_TAGS),
    )
    contact = fields.String(load_default="", validate=_short)
    visibility = fields.Enum(
        model.Visibility,
        by_value=True,
        metadata={
            "description": "consent: named, anonymised or hidden. When a new person's is "
            "not given, the map's default_visibility applies; when an existing person's "
            "is not given, their stored consent is kept."
        },
    )
    consent_set_by = fields.String(
        load_default="",
        validate=validate.OneOf(["", *(c.value for c in model.ConsentSetBy)]),
        metadata={"description": "who set the consent: self (in a survey), coordinator, or ''"},
    )
    consent_set_at = fields.String(load_default="", validate=validate.Length(max=40))


class OrganisationSchema(_Strict):
    id = fields.String(**_id)
    name = _stripped_name(required=True)
    silo = fields.String(required=True, validate=validate.Length(min=1, max=60))
    kind = fields.Enum(
        model.OrganisationKind, by_value=True, load_default=model.OrganisationKind.OTHER
    )
    area = fields.String(load_default="", validate=_short)
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=model.MAX_TAGS),
    )


class RelationshipSchema(_Strict):
    id = fields.String(**_id)
    source = fields.String(required=True, **_id)
    target = fields.String(required=True, **_id)
    kind = fields.String(
        required=True,
        validate=validate.Regexp(
            model.KIND_NAME_PATTERN,
            error="kind must be a built-in kind or one of the map's own kinds",
        ),
        metadata={
            "description": "a built-in kind (knows, works_with, ...) or one of the map's own "
            "kinds; checked against the map when written"
        },
    )
    strength = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=1, max=5))
    since = fields.Date(load_default=None, allow_none=True)
    until = fields.Date(load_default=None, allow_none=True)
    notes = fields.String(load_default="", validate=_text)
    evidence = fields.String(load_default="", validate=_text)
    origin = fields.String(
        load_default=model.Origin.COORDINATOR.value,
        validate=validate.OneOf(model.ORIGINS),
        metadata={"description": "where the tie came from: coordinator, import or survey"},
    )
    reported_by = fields.List(
        fields.String(**_id),
        load_default=list,
        validate=validate.Length(max=2),
        metadata={"description": "the tie's ends who named it in a survey (both: confirmed)"},
    )

    @validates_schema
    def consistent(self, data, partial=False, **_):
        if data.get("source") and data.get("source") == data.get("target"):
            raise ma.ValidationError("a relationship cannot join a node to itself", "target")
        ends = {data.get("source"), data.get("target")}
        if any(r not in ends for r in data.get("reported_by") or []):
            raise ma.ValidationError("only the tie's own ends can have reported it", "reported_by")
        since, until = data.get("since"), data.get("until")
        if isinstance(since, date) and isinstance(until, date) and until < since:
            raise ma.ValidationError("until must not be before since", "until")


_QUICK: dict[type, fastload.Loader | None] = {}


def quick_loader(cls: type[ma.Schema]) -> fastload.Loader | None:
    """The quick pass of schema ``cls`` (:mod:`graph_models.fastload`): what a full,
    non-partial ``load`` returns for a row it is sure of, else None."""
    if cls not in _QUICK:
        _QUICK[cls] = fastload.compile_schema(_schema(cls), stripped=(_StrippedString,))
    return _QUICK[cls]


def quick_load_many(cls: type[ma.Schema], rows: list) -> list[dict] | None:
    """Every row of ``rows`` loaded by the quick pass of ``cls``, or None if any row
    needs marshmallow itself (the caller then loads them all with it, for its errors)."""
    quick = quick_loader(cls)
    if quick is None:
        return None
    loaded = []
    for row in rows:
        values = quick(row)
        if values is None:
            return None
        loaded.append(values)
    return loaded


class _Rows(fields.List):
    """A list of rows of one schema (a bulk body's ``people``...), loaded by the quick
    pass when every row passes it, else by marshmallow as a plain list of nested rows
    (whose errors, by row and field, are the answer). Documented as that list."""

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is list and not kwargs.get("partial"):
            loaded = quick_load_many(type(self.inner.schema), value)
            if loaded is not None:
                return loaded
        return super()._deserialize(value, attr, data, **kwargs)


class BulkSchema(_Strict):
    """A batch written all-or-nothing: nodes first, then the relationships between them."""

    people = _Rows(fields.Nested(PersonSchema), load_default=list)
    organisations = _Rows(fields.Nested(OrganisationSchema), load_default=list)
    relationships = _Rows(fields.Nested(RelationshipSchema), load_default=list)


ENTITY_SCHEMAS: dict[model.EntityType, type[ma.Schema]] = {
    model.EntityType.PERSON: PersonSchema,
    model.EntityType.ORGANISATION: OrganisationSchema,
    model.EntityType.RELATIONSHIP: RelationshipSchema,
}

_SCHEMA_CACHE: dict[tuple[type, bool], ma.Schema] = {}


def _schema(cls: type[ma.Schema], partial: bool = False) -> ma.Schema:
    key = (cls, partial)
    if key not in _SCHEMA_CACHE:
        _SCHEMA_CACHE[key] = cls(partial=partial)
    return _SCHEMA_CACHE[key]


def load(cls: type[ma.Schema], data, *, partial: bool = False, where: str = "") -> dict:
    """Validate ``data`` with schema ``cls``; raise :class:`InvalidInput` with field errors."""
    if not isinstance(data, dict):
        message = (
            Message("schema.where_not_object", where=where)
            if where
            else Message("schema.body_not_object")
        )
        raise InvalidInput(message, {"_schema": [Message("import.not_an_object")]})
    quick = None if partial else quick_loader(cls)
    values = quick(data) if quick is not None else None
    if values is not None:
        return values
    try:
        return _schema(cls, partial).load(data)
    except ma.ValidationError as exc:
        message = (
            Message("schema.where_fields_invalid", where=where)
            if where
            else Message("schema.fields_invalid")
        )
        raise InvalidInput(message, exc.normalized_messages()) from None


def build_map(data: dict) -> model.Map:
    values = load(MapSchema, data)
    values.pop("rename_silos", None)
    values.setdefault("id", model.new_id())
    values.setdefault("silos", model.default_silos())
    return model.Map(**values)


def merge(current, changes: dict):
    """Apply already-loaded partial ``changes`` to ``current`` and re-check the whole.

    The id cannot change (it is the object's address). The merged object is
    validated again as a whole so that, e.g., a new ``until`` is compared with the
    stored ``since``.
    """
    if "id" in changes and changes["id"] != current.id:
        raise InvalidInput(Message("schema.id_fixed"), {"id": [Message("schema.read_only")]})
    merged = dataclasses.replace(current, **changes)
    if isinstance(merged, model.Map):
        build_map(
            {
                "id": merged.id,
                "name": merged.name,
                "description": merged.description,
                "silos": [model.to_dict(s) for s in merged.silos],
                "kinds": [kind_to_dict(k) for k in merged.kinds],
            }
        )
    else:
        # validated as a whole again; entities are built in one place (io.rows.build_entity)
        load(ENTITY_SCHEMAS[model.entity_type_of(merged)], model.to_dict(merged))
    return merged


def kind_to_dict(kind: model.MapKind) -> dict:
    """A map's own kind as plain data (what :class:`MapKindSchema` loads)."""
    return model.to_dict(kind)


def check_silo(m: model.Map, value: str, *, field_name: str = "silo") -> str:
    """Return the map's own spelling of silo ``value``, matched ignoring case and spaces.

    A silo outside the map's vocabulary is refused: a typo ("helth") would otherwise
    become a silo of its own and show up as a false gap in every analysis.
    """
    wanted = " ".join(value.split()).casefold()
    for name in m.silo_names():
        if name.casefold() == wanted:
            return name
    raise InvalidInput(
        Message("schema.not_a_silo", silo=repr(value)),
        {field_name: [Message("schema.silo_choices", choices=", ".join(m.silo_names()))]},
    )
