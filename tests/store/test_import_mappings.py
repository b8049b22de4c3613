"""Saved import mappings (migration 7), one contract on both stores: kept per map and
file shape, replaced, not a write of the map's data, gone with the map."""

from __future__ import annotations

import pytest

from graph_models.errors import NotFound
from graph_models.model import Map


def test_mappings_are_kept_per_map_and_shape(store):
    store.create_map(Map("m1", "One"))
    store.create_map(Map("m2", "Two"))
    a = {"nodes": {"columns": {"Label": "name"}, "silo": {"default": "Health"}}}
    b = {"nodes": {"columns": {"Label": "name"}, "silo": {"default": "Housing"}}}
    assert store.get_import_mapping("m1", "table:abc") is None
    store.put_import_mapping("m1", "table:abc", a)
    store.put_import_mapping("m2", "table:abc", b)
    assert store.get_import_mapping("m1", "table:abc") == a
    assert store.get_import_mapping("m2", "table:abc") == b
    assert store.get_import_mapping("m1", "graph:abc") is None
    store.put_import_mapping("m1", "table:abc", b)  # replaced, not added
    assert store.get_import_mapping("m1", "table:abc") == b
    assert store.get_map("m1").version == 0  # how to read a file is not the map's data


def test_mappings_go_with_their_map(store):
    store.create_map(Map("m1", "One"))
    store.put_import_mapping("m1", "table:abc", {"nodes": {}})
    store.delete_map("m1")
    store.create_map(Map("m1", "One again"))
    assert store.get_import_mapping("m1", "table:abc") is None
    with pytest.raises(NotFound):
        store.put_import_mapping("nope", "table:abc", {"nodes": {}})
    with pytest.raises(NotFound):
        store.get_import_mapping("nope", "table:abc")
