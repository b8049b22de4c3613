"""A quick pass for rows that a marshmallow schema would accept: the same rules, without
marshmallow's per-field machinery.

A 20,000-person, 100,000-tie batch spent four fifths of its write in marshmallow's
``load`` (about 100 µs a row: a call per field, per validator, per hook). Nearly every
row of a real batch is valid, so :func:`compile_schema` compiles a schema's declared
fields into one plain function that checks a row by the schema's own validators and
returns what ``schema.load`` would return, or ``None`` whenever it is not *certain*:
any value of an unexpected type, any rule broken, any field or hook it does not know.
A ``None`` sends the row to marshmallow itself, which stays the reference: it decides
every doubtful row and words every error. So the quick pass may only ever accept less
than marshmallow does, never more, and never answer differently (a property test holds
it to that: ``tests/test_fastload.py``).

What it compiles (anything else means no quick pass for that schema): ``String`` (and
the schemas' stripped string), strict ``Integer``, ISO ``Date``, ``Enum`` by value, a
``List`` of strings; the validators ``Length``, ``Regexp``, ``OneOf``, ``Range``; the
schema hooks ``refuse_unpaired_surrogates`` (pre-load; known by name and done here the
same way: a change to that hook must be made here too, and the property test, which
draws surrogates, would catch one that is not) and ``validates_schema`` methods, which it
calls itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import marshmallow as ma
from marshmallow import fields, validate

#: Hooks a compiled loader reproduces; a schema with any other cannot be compiled.
_KNOWN_PRE_LOAD = {"refuse_unpaired_surrogates"}

_Check = Callable[[object], bool]
Loader = Callable[[object], "dict | None"]


def _validator_check(v) -> _Check | None:
    """A plain test equal to marshmallow validator ``v`` passing, or None if unknown."""
    kind = type(v)
    if kind is validate.Length:
        low, high, equal = v.min, v.max, v.equal
        if equal is not None:
            return lambda x: len(x) == equal
        return lambda x: (low is None or len(x) >= low) and (high is None or len(x) <= high)
    if kind is validate.Regexp:
        match = v.regex.match
        return lambda x: match(x) is not None
    if kind is validate.OneOf:
        choices = list(v.choices)
        return lambda x: x in choices
    if kind is validate.Range:
        low, high, low_in, high_in = v.min, v.max, v.min_inclusive, v.max_inclusive

        def in_range(x) -> bool:
            if low is not None and (x < low if low_in else x <= low):
                return False
            return not (high is not None and (x > high if high_in else x >= high))

        return in_range
    return None


#: What a converter returns for a value it is not sure of (a row it leaves to marshmallow).
BAD = object()


def _all_of(checks: list[_Check]) -> _Check | None:
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda x: all(check(x) for check in checks)


def _value_converter(field: fields.Field, stripped: tuple[type, ...]):
    """``convert(value)``: what ``field`` loads a present, non-None value as, or
    :data:`BAD`; None when the field is of a kind this module does not compile."""
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):
        return None
    checks = [_validator_check(v) for v in field.validators]
    if any(c is None for c in checks):
        return None
    valid = _all_of(checks)
    kind = type(field)
    if kind is fields.String or kind in stripped:
        strip = kind in stripped

        def string(value):
            if type(value) is not str:
                return BAD
            if strip:
                value = value.strip()
            return value if valid is None or valid(value) else BAD

        return string
    if kind is fields.Integer and field.strict:

        def integer(value):
            return value if type(value) is int and (valid is None or valid(value)) else BAD

        return integer
    if kind is fields.Date and field.format in (None, "iso", "iso8601"):

        def day(value):
            if type(value) is not str:
                return BAD
            try:
                out = dt.date.fromisoformat(value)
            except ValueError:
                return BAD
            return out if valid is None or valid(out) else BAD

        return day
    if kind is fields.Enum and field.by_value:
        members = {m.value: m for m in field.enum}

        def member(value):
            out = members.get(value, BAD) if type(value) is str else BAD
            return out if out is BAD or valid is None or valid(out) else BAD

        return member
    if kind is fields.List:
        inner = _value_converter(field.inner, stripped)
        if inner is None or field.inner.allow_none:
            return None

        def items(value):
            if type(value) is not list:
                return BAD
            out = [BAD if each is None else inner(each) for each in value]
            if BAD in out:
                return BAD
            return out if valid is None or valid(out) else BAD

        return items
    return None


#: A lone UTF-16 surrogate (JSON's ``"\ud800"``): the schemas' pre-load hook refuses it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value) -> bool:
    """Whether ``value`` (a row's value: text, a list, anything) holds a lone surrogate
    anywhere (ASCII text, nearly all of it, is passed over at C speed)."""
    if type(value) is str:
        return not value.isascii() and _SURROGATE.search(value) is not None
    if type(value) is list:
        return any(_has_surrogate(v) for v in value)
    return False


def compile_schema(schema: ma.Schema, *, stripped: tuple[type, ...] = ()) -> Loader | None:
    """The quick pass of ``schema`` (an instance), or None if it cannot be compiled.

    ``stripped``: the String subclasses that strip surrounding whitespace before they
    validate (the schemas' own; named by the caller so this module stays generic).
    """
    if schema.many or schema.partial or schema.only or schema.exclude:
        return None
    if schema.unknown != ma.RAISE:
        return None
    for found in schema._hooks.values():
        for _, many, options in found:
            if many or options.get("pass_original"):
                return None
    # a defaultdict: marshmallow's own loads leave empty lists under the tags it asked for
    hooks = {tag: [name for name, *_ in found] for tag, found in schema._hooks.items() if found}
    if set(hooks) - {"pre_load", "validates_schema"}:
        return None
    if set(hooks.get("pre_load", [])) - _KNOWN_PRE_LOAD:
        return None
    surrogates = bool(hooks.get("pre_load"))
    schema_checks = [getattr(schema, name) for name in hooks.get("validates_schema", [])]

    plan = []  # (key, name, required, default, allow_none, convert)
    for name, field in schema.load_fields.items():
        convert = _value_converter(field, stripped)
        if convert is None:
            return None
        key = field.data_key if field.data_key is not None else name
        plan.append((key, name, field.required, field.load_default, field.allow_none, convert))
    known = frozenset(key for key, *_ in plan)

    def load(data) -> dict | None:
        if type(data) is not dict or not known.issuperset(data):
            return None
        if surrogates:
            for value in data.values():
                if type(value) is not str:
                    if _has_surrogate(value):
                        return None
                elif not value.isascii() and _SURROGATE.search(value):
                    return None
        out = {}
        for key, name, required, default, allow_none, convert in plan:
            value = data.get(key, BAD)
            if value is BAD:
                if required:
                    return None
                if default is not ma.missing:
                    out[name] = default() if callable(default) else default
            elif value is None:
                if not allow_none:
                    return None
                out[name] = None
            else:
                value = convert(value)
                if value is BAD:
                    return None
                out[name] = value
        try:
            for check in schema_checks:
                check(out, partial=None, many=False, unknown=ma.RAISE)
        except ma.ValidationError:
            return None
        return out

    return load
