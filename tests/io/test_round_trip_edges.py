"""Edge cases of file round trips (issue: consent under attack, item 21): a value that
really begins with ``'`` and a formula character survives export and import; a graph
file that gives one id to two nodes is refused instead of merging them."""

from __future__ import annotations

import io

import pytest

from graph_models.errors import InvalidInput
from graph_models.io import export_map, import_file
from graph_models.model import Person
from tests.io.conftest import new_map

TRICKY = ["'=1+1", "''quoted", "'+44 1234", "=SUM(A1)", "'plain", "-5 next year"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_quote_and_formula_characters_survive_a_round_trip(store, fmt):
    new_map(store, "a")
    people = [Person(f"p{i}", f"Person {i}", "health", role=r) for i, r in enumerate(TRICKY)]
    store.bulk_upsert("a", people, [])
    data = export_map(store, "a", fmt).data
    new_map(store, "b")
    name = {"csv": "map.zip", "xlsx": "map.xlsx", "json": "map.json"}[fmt]
    import_file(store, "b", io.BytesIO(data), filename=name)
    roles = {p.id: p.role for p in store.graph("b").people}
    assert [roles[f"p{i}"] for i in range(len(TRICKY))] == TRICKY


GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="type" for="node" attr.name="type" attr.type="string"/>
  <key id="name" for="node" attr.name="name" attr.type="string"/>
  <key id="silo" for="node" attr.name="silo" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="ty"><data key="type">person</data><data key="name">Ty Evans</data>
      <data key="silo">housing</data></node>
    <node id="ty"><data key="type">organisation</data><data key="name">Ty Hapus</data>
      <data key="silo">housing</data></node>
  </graph>
</graphml>"""


def test_one_id_on_two_graph_nodes_is_refused(store):
    new_map(store, "g")
    before = store.get_map("g").version
    with pytest.raises(InvalidInput) as caught:
        import_file(store, "g", io.BytesIO(GRAPHML.encode()), filename="map.graphml")
    assert "'ty'" in caught.value.errors["file"][0]
    assert store.get_map("g").version == before
