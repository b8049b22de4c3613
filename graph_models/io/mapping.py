"""A mapping: how the columns of someone's file become Bridgemap's people, organisations
and ties. Plain JSON, so the page, the API and the CLI share it and a map can keep it.

Shape (version 1; every part but ``nodes`` or ``relationships`` is optional)::

    {"version": 1,
     "nodes": {"sheet": "Elements",
               "columns": {"Label": "name", "Type": "type", "Description": "role",
                           "Tags": "tags", "Country": "tag", "Size": "ignore"},
               "type": {"default": "person", "values": {"Org": "organisation"}},
               "silo": {"default": "Community", "values": {"0": "Health"},
                        "colours": {"Health": "#e6194b"}},
               "tag_separator": "|"},
     "relationships": {"sheet": "Connections",
               "columns": {"From": "source", "To": "target", "Type": "kind",
                           "Direction": "direction", "Weight": "weight"},
               "kind": {"default": "knows", "values": {"funds|directed": "funds"}},
               "strength": "linear"},
     "add_silos": true}

Column targets (:data:`NODE_TARGETS`, :data:`TIE_TARGETS`): a field of Bridgemap's, or
``tag`` (nodes: kept as a tag ``column:value``), ``note`` (ties: kept in the notes as
``column: value``), or ``ignore``. A column of the file left out of ``columns`` is
ignored. Graph files name their pseudo-columns ``@id``, ``@colour``, ``@source`` and
``@target`` (:mod:`graph_models.io.raw`).

Values (``type.values``, ``kind.values``, ``silo.values``) rename what the file says;
the keys are the file's values as written. For a kind with a ``direction`` column the
key is ``"<type>|<direction>"`` (Kumu: each pair may be its own kind). Type values
Person/People/Individual and Organization/Organisation/Org, and kind values that are
Bridgemap's own kinds, are understood without being listed; any other value must be
listed (:func:`graph_models.io.mapped.check_values` lists what is left); a blank cell
takes the ``default``. A node type or kind of ``skip`` leaves those rows out (and the
ties of skipped nodes). Silo values not listed are silo names as they are.

Strength (:data:`STRENGTH_RULES`): ``linear`` (a ``weight`` column rescaled: the file's
smallest weight -> 1, its largest -> 5, linearly in between, rounded half up; all equal
-> 3), or ``as_is`` (already 1-5). A blank weight gives Bridgemap's default, 3.

:func:`load` validates a mapping and raises :class:`InvalidInput` naming the field
(``relationships.kind.default``...); :func:`check_columns` refuses a mapping that names
a column the file lacks.
"""

from __future__ import annotations

import hashlib
import json

import marshmallow as ma
from marshmallow import fields, validate

from graph_models import model
from graph_models.errors import InvalidInput
from graph_models.io import columns as cols
from graph_models.messages import Message

VERSION = 1

NODE_TARGETS = (
    "id",
    "name",
    "type",
    "silo",
    "role",
    "area",
    "contact",
    "visibility",
    "org_kind",
    "tags",
    "tag",
    "colour",
    "ignore",
)
TIE_TARGETS = (
    "id",
    "source",
    "target",
    "kind",
    "direction",
    "weight",
    "strength",
    "since",
    "until",
    "notes",
    "evidence",
    "note",
    "ignore",
)
#: targets a column may take once only
SINGLE = frozenset(
    {"id", "name", "type", "silo", "colour", "source", "target", "kind", "direction"}
) | frozenset({"weight", "strength", "role", "area", "contact", "visibility", "org_kind"})
NODE_TYPES = ("person", "organisation", "skip")
STRENGTH_RULES = ("linear", "as_is")
#: value lists longer than this are refused (a column of names is not a category)
MAX_VALUES = 500

_label = validate.Length(min=1, max=200)


class _Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class TypeSchema(_Strict):
    default = fields.String(validate=validate.OneOf(NODE_TYPES))
    values = fields.Dict(
        keys=fields.String(validate=validate.Length(max=200)),
        values=fields.String(validate=validate.OneOf(NODE_TYPES)),
        validate=validate.Length(max=MAX_VALUES),
    )


class SiloSchema(_Strict):
    default = fields.String(validate=validate.Length(min=1, max=60))
    values = fields.Dict(
        keys=fields.String(validate=validate.Length(max=200)),
        values=fields.String(validate=validate.Length(min=1, max=60)),
        validate=validate.Length(max=MAX_VALUES),
    )
    colours = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=60)),
        values=fields.String(
            validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="a colour is #rrggbb")
        ),
        validate=validate.Length(max=model.MAX_SILOS),
    )


#: A kind a file's values map onto: built-in, the map's own (checked against the map
#: when the rows are written), or ``skip``.
_KIND = validate.Regexp(
    model.KIND_NAME_PATTERN, error="a kind is a built-in kind, one of the map's own, or skip"
)


class KindSchema(_Strict):
    default = fields.String(validate=_KIND)
    values = fields.Dict(
        keys=fields.String(validate=validate.Length(max=200)),
        values=fields.String(validate=_KIND),
        validate=validate.Length(max=MAX_VALUES),
    )


class NodesSchema(_Strict):
    sheet = fields.String(allow_none=True, validate=_label)
    columns = fields.Dict(
        keys=fields.String(validate=_label),
        values=fields.String(validate=validate.OneOf(NODE_TARGETS)),
        load_default=dict,
    )
    type = fields.Nested(TypeSchema, load_default=dict)
    silo = fields.Nested(SiloSchema, load_default=dict)
    tag_separator = fields.String(
        load_default=cols.TAG_SEPARATOR, validate=validate.OneOf([";", "|", ","])
    )


class TiesSchema(_Strict):
    sheet = fields.String(allow_none=True, validate=_label)
    columns = fields.Dict(
        keys=fields.String(validate=_label),
        values=fields.String(validate=validate.OneOf(TIE_TARGETS)),
        load_default=dict,
    )
    kind = fields.Nested(KindSchema, load_default=dict)
    strength = fields.String(load_default="linear", validate=validate.OneOf(STRENGTH_RULES))


class MappingSchema(_Strict):
    version = fields.Integer(load_default=VERSION, validate=validate.Equal(VERSION))
    format = fields.String(validate=validate.Length(max=20))
    signature = fields.String(validate=validate.Length(max=80))
    nodes = fields.Nested(NodesSchema, allow_none=True)
    relationships = fields.Nested(TiesSchema, allow_none=True)
    add_silos = fields.Boolean(load_default=True)

    @ma.validates_schema
    def _one_part(self, data, **kwargs):
        if not data.get("nodes") and not data.get("relationships"):
            raise ma.ValidationError(Message("mapping.nodes_or_ties"), "nodes")


def _dotted(errors, prefix: str = "") -> dict[str, list]:
    """marshmallow's nested errors as ``{"relationships.kind.default": [...]}``."""
    out: dict[str, list] = {}
    for key, value in errors.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and not all(isinstance(k, int) for k in value):
            if set(value) <= {"key", "value"}:  # a Dict field's entry: name the entry
                out[name] = [m for part in value.values() for m in _messages(part)]
            else:
                out.update(_dotted(value, name))
        else:
            out[name] = _messages(value)
    return out


def _messages(value) -> list:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [value]


def load(data) -> dict:
    """A validated mapping (plain dict, defaults filled in); InvalidInput names each field."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidInput(
                Message("mapping.not_json"),
                {"mapping": [Message("mapping.json_detail", detail=exc)]},
            ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            Message("mapping.not_json"), {"mapping": [Message("import.not_an_object")]}
        )
    try:
        loaded = MappingSchema().load(data)
    except ma.ValidationError as exc:
        raise InvalidInput(Message("mapping.invalid"), _dotted(exc.messages)) from None
    errors: dict[str, list] = {}
    for part in ("nodes", "relationships"):
        section = loaded.get(part)
        if not section:
            continue
        used: dict[str, str] = {}
        for column, target in section["columns"].items():
            if target in SINGLE and target in used:
                errors.setdefault(f"{part}.columns.{column}", []).append(
                    Message("mapping.target_twice", target=target, other=repr(used[target]))
                )
            used.setdefault(target, column)
    ties = loaded.get("relationships")
    if ties:
        targets = set(ties["columns"].values())
        for end in ("source", "target"):
            if end not in targets:
                errors.setdefault("relationships.columns", []).append(
                    Message("mapping.end_missing", end=end)
                )
        if "direction" in targets and "kind" not in targets:
            errors.setdefault("relationships.columns", []).append(
                Message("mapping.direction_alone")
            )
        if "kind" not in targets and not ties["kind"].get("default"):
            errors.setdefault("relationships.kind.default", []).append(
                Message("mapping.kind_needed")
            )
    nodes = loaded.get("nodes")
    if nodes:
        targets = set(nodes["columns"].values())
        edge_list = not nodes["columns"] and not nodes.get("sheet")
        if "name" not in targets and "id" not in targets and not edge_list:
            errors.setdefault("nodes.columns", []).append(Message("mapping.name_needed"))
        if "type" not in targets and not nodes["type"].get("default"):
            errors.setdefault("nodes.type.default", []).append(Message("mapping.type_needed"))
        if "silo" not in targets and not nodes["silo"].get("default"):
            errors.setdefault("nodes.silo.default", []).append(Message("mapping.silo_needed"))
    if errors:
        raise InvalidInput(Message("mapping.invalid"), errors)
    return loaded


def column_of(section: dict, target: str) -> str | None:
    """The file's column mapped to ``target`` in a nodes or relationships section."""
    return targets(section).get(target)


_TARGETS: dict[int, tuple] = {}


def targets(section: dict) -> dict[str, str]:
    """Target -> the (first) column mapped to it. Remembered per columns dict (it is asked
    for once per cell of big files; the cache holds the dict, so its id is not reused),
    and rebuilt if that dict's size changes (mappings are not edited once loaded)."""
    columns = section.get("columns", {})
    key = len(columns)
    cached = _TARGETS.get(id(columns))
    if cached is not None and cached[0] is columns and cached[1] == key:
        return cached[2]
    found: dict[str, str] = {}
    for column, mapped in columns.items():
        found.setdefault(mapped, column)
    if len(_TARGETS) > 256:
        _TARGETS.clear()
    _TARGETS[id(columns)] = (columns, key, found)
    return found


def signature(fmt: str, tables) -> str:
    """What a mapping is kept under: the kind of file and its tables' column names
    (folded, sorted), so the next file with the same headers or attribute keys finds it."""
    family = "graph" if fmt in ("graphml", "gexf", "json") else "table"
    shape = sorted([t.role, sorted({cols.normalise(c) for c in t.columns})] for t in tables)
    digest = hashlib.sha256(json.dumps([family, shape]).encode()).hexdigest()
    return f"{family}:{digest[:32]}"


def dumps(mapping: dict) -> str:
    """A mapping as the JSON a person downloads (stable key order)."""
    return json.dumps(mapping, indent=2, sort_keys=True, ensure_ascii=False)


def is_kind(value: str, known=None) -> str | None:
    """A file's value as one of the kinds ``known`` (default: the built-in ones; pass
    the map's :meth:`~graph_models.model.Map.kind_names` to include its own):
    ``"works with"`` -> ``works_with``, ``"Co-delivers"`` -> ``co_delivers``."""
    text = " ".join(str(value).split()).casefold().replace(" ", "_").replace("-", "_")
    return text if text in (known or model.RELATIONSHIP_KINDS) else None


_PEOPLE = {"person", "people", "individual", "individuals", "persons"}
_ORGS = {"organisation", "organization", "organisations", "organizations", "org", "orgs"}


def is_type(value) -> str | None:
    """A file's node type as ``person`` or ``organisation`` (Kumu's words and ours)."""
    text = cols.normalise(value)
    if text in _PEOPLE:
        return "person"
    if text in _ORGS:
        return "organisation"
    return None


def check_kinds(mapping: dict, known) -> None:
    """Refuse a mapping naming a kind that is neither built-in nor one of the map's own
    (``known``: :meth:`~graph_models.model.Map.kind_names`), naming the field."""
    section = (mapping.get("relationships") or {}).get("kind") or {}
    allowed = {*known, "skip"}
    errors: dict[str, list] = {}
    choices = ", ".join(known)
    if section.get("default") is not None and section["default"] not in allowed:
        errors["relationships.kind.default"] = [Message("model.kind_choices", choices=choices)]
    for value, kind in (section.get("values") or {}).items():
        if kind not in allowed:
            errors[f"relationships.kind.values.{value}"] = [
                Message("model.kind_choices", choices=choices)
            ]
    if errors:
        raise InvalidInput(Message("mapping.does_not_fit"), errors)


def check_columns(mapping: dict, raw) -> None:
    """Refuse a mapping that names a sheet or column the file lacks (InvalidInput)."""
    from graph_models.io.raw import NODES, TIES

    errors: dict[str, list] = {}
    for part, role in (("nodes", NODES), ("relationships", TIES)):
        section = mapping.get(part)
        if not section:
            continue
        table = find_table(raw, section, role)
        if table is None and role == NODES and not section.get("sheet") and not section["columns"]:
            continue  # an edge list: the ties' ends become the nodes
        if table is None:
            errors[f"{part}.sheet"] = [
                Message(
                    "mapping.no_such_sheet",
                    sheet=repr(section.get("sheet") or ""),
                    sheets=", ".join(repr(t.name) for t in raw.tables) or "-",
                )
            ]
            continue
        for column in section["columns"]:
            if column not in table.columns:
                errors[f"{part}.columns.{column}"] = [
                    Message(
                        "mapping.no_such_column",
                        column=repr(column),
                        sheet=repr(table.name),
                        columns=", ".join(repr(c) for c in table.columns[:30]),
                    )
                ]
    if errors:
        raise InvalidInput(Message("mapping.does_not_fit"), errors)


def find_table(raw, section: dict, role: str):
    """The table a section reads: by its ``sheet`` name, else the file's one table of
    that role (graph files always have one nodes and one ties table)."""
    name = section.get("sheet")
    if name:
        for t in raw.tables:
            if t.name == name:
                return t
        return None
    found = [t for t in raw.tables if t.role == role]
    return found[0] if len(found) == 1 else None
