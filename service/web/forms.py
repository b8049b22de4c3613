"""Web forms validated by the domain's marshmallow schemas (one rule, written once).

A page form's values are read from ``request.form``, cleaned (blank optional fields
left out, tags split), and loaded with the same schema the API uses; marshmallow's
messages come back per field, keyed as the inputs are named (``silos-0-colour``).
"""

from __future__ import annotations

from graph_models.errors import InvalidInput


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """``{"silos": {0: {"colour": [..]}}}`` -> ``{"silos-0-colour": [..]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}-{key}" if prefix else str(key)
            for k, v in flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(errors, list | tuple):
        for item in errors:
            for k, v in flatten(item, prefix).items():
                out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "_schema", []).append(str(errors))
    return out


def field_errors(exc: InvalidInput) -> dict[str, list[str]]:
    """Field-level messages of a failed validation (``_form`` for the whole form)."""
    errors = flatten(exc.errors or {})
    if not errors:
        errors = {"_form": [exc.message]}
    if "_schema" in errors:
        errors["_form"] = errors.pop("_schema")
    return errors


def text(form, name: str) -> str:
    return (form.get(name) or "").strip()


def optional(values: dict, form, *names: str) -> None:
    """Copy the non-blank ``names`` from the form into ``values``."""
    for name in names:
        value = text(form, name)
        if value:
            values[name] = value


def tags(form, name: str = "tags") -> list[str]:
    return [t.strip() for t in (form.get(name) or "").split(",") if t.strip()]
