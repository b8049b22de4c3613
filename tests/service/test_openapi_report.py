"""The OpenAPI document describes every analysis section and the graph responses, field
by field (so schemathesis checks them), from the schemas declared in the domain."""

from __future__ import annotations

import pytest

from graph_models.analysis.report import SECTIONS
from graph_models.store.embedded import EmbeddedStore
from tests.conftest import make_app

MAP = "/api/v1/maps/{map_id}"


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    app = make_app(EmbeddedStore(tmp_path_factory.mktemp("openapi") / "db.sqlite3"))
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _resolve(doc, schema: dict) -> dict:
    ref = schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _response(doc, path: str) -> dict:
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    return _resolve(doc, content["application/json"]["schema"])


def _untyped(doc, schema: dict, where: str, seen: set) -> list[str]:
    """Places under ``schema`` that are objects with no declared properties or values."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen.add(schema["$ref"])
        schema = _resolve(doc, schema)
    found = []
    if "anyOf" in schema:  # a nullable nested schema: null, or the schema
        for alternative in schema["anyOf"]:
            if alternative != {"type": "object", "nullable": True}:
                found += _untyped(doc, alternative, where, seen)
    elif schema.get("type") == "object":
        if not schema.get("properties") and not schema.get("additionalProperties"):
            found.append(where)
        for name, prop in schema.get("properties", {}).items():
            found += _untyped(doc, prop, f"{where}.{name}", seen)
        if isinstance(schema.get("additionalProperties"), dict):
            found += _untyped(doc, schema["additionalProperties"], f"{where}.*", seen)
    elif schema.get("type") == "array":
        found += _untyped(doc, schema.get("items", {}), f"{where}[]", seen)
    elif "type" not in schema:
        found.append(where)  # untyped (a Raw field)
    return found


def test_the_whole_report_describes_every_section(doc):
    report = _response(doc, f"{MAP}/analysis")
    assert report["additionalProperties"] is False
    for section in SECTIONS:
        body = _resolve(doc, report["properties"][section])
        assert body["properties"] and body["additionalProperties"] is False, section
    assert _untyped(doc, report, "report", set()) == []


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_endpoint_declares_its_own_section(doc, section):
    body = _response(doc, f"{MAP}/analysis/{section}")
    assert set(body["properties"]) == {"map", "page", "parameters", "graph", section}


def test_change_and_graph_responses_are_typed(doc):
    change = _response(doc, f"{MAP}/analysis/change")
    assert set(change["properties"]) == {"map", "parameters", "change"}
    gained = _resolve(
        doc, _resolve(doc, change["properties"]["change"])["properties"]["gained"]["items"]
    )
    assert {"nodes", "labels", "groups"} <= set(gained["properties"])
    for path in (f"{MAP}/graph", f"{MAP}/nodes/{{node_id}}/neighbourhood"):
        graph = _response(doc, path)
        node = _resolve(doc, graph["properties"]["nodes"]["items"])
        edge = _resolve(doc, graph["properties"]["edges"]["items"])
        assert {"id", "type", "name", "silo", "visibility", "kind"} <= set(node["properties"])
        assert {"source", "target", "kind", "strength", "since"} <= set(edge["properties"])
        assert _untyped(doc, graph, "graph", set()) == []
