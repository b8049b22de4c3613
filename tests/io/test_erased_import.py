"""An old export does not bring back an erased person (issue #11, item 17), both stores,
every format: the import is refused whole, naming the erased id and its row."""

from __future__ import annotations

import io

import pytest

from graph_models.io import export_map, import_file
from graph_models.io.importer import ImportRejected
from graph_models.model import EntityType
from tests.io.conftest import MAP, version


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "graphml", "gexf"])
def test_importing_an_old_export_after_erasure_is_refused(store, loaded, fmt):
    old = export_map(store, MAP, fmt)
    store.delete(MAP, EntityType.PERSON, "cerys")
    before = version(store)
    with pytest.raises(ImportRejected) as caught:
        import_file(store, MAP, io.BytesIO(old.data), filename=old.filename)
    assert "'cerys'" in str(caught.value.errors) and "erased" in str(caught.value.errors)
    with pytest.raises(ImportRejected):
        import_file(store, MAP, io.BytesIO(old.data), filename=old.filename, dry_run=True)
    assert version(store) == before
    assert "cerys" not in {p.id for p in store.graph(MAP).people}
