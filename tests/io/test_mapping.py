"""The mapping step in the domain (issue #13): files people already have — networkx's
GEXF and GraphML of four datasets, a Gephi-style GEXF, a Kumu workbook and CSV pair —
import with a stated mapping into exactly the numbers networkx (or the rows written)
give, on both stores; re-importing writes nothing; the importer's rules still hold."""

from __future__ import annotations

import io
import math

import pytest

from graph_models.errors import InvalidInput
from graph_models.io import import_file
from graph_models.io import mapping as mp
from graph_models.io.importer import ImportRejected
from graph_models.io.inspect import inspect_file
from graph_models.model import EntityType, Map, Person, Visibility
from tests import mapping_files as mf
from tests.io.conftest import version


def _map(store, map_id="x"):
    store.create_map(Map(map_id, map_id))
    return map_id


def _counts(store, map_id):
    g = store.graph(map_id)
    return len(g.people), len(g.organisations), len(g.relationships)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
@pytest.mark.parametrize("name", mf.DATASETS)
def test_networkx_files_import_with_a_stated_mapping(store, name, fmt):
    data = mf.networkx_file(name, fmt)
    map_id = _map(store)
    mapping = mf.networkx_mapping(name, fmt)
    report = import_file(store, map_id, io.BytesIO(data), filename=f"{name}.{fmt}", mapping=mapping)
    assert report.written
    assert _counts(store, map_id) == mf.expected(name)
    before = version(store, map_id)
    again = import_file(store, map_id, io.BytesIO(data), filename=f"{name}.{fmt}", mapping=mapping)
    assert not again.written and again.total.created == again.total.updated == 0
    assert version(store, map_id) == before


def test_the_guessed_mapping_imports_each_networkx_file(store):
    """What the mapping step proposes is already right for these four datasets."""
    for name in mf.DATASETS:
        for fmt in ("gexf", "graphml"):
            data = mf.networkx_file(name, fmt)
            guess = inspect_file(io.BytesIO(data), filename=f"f.{fmt}").guess
            map_id = _map(store, f"{name}-{fmt}")
            import_file(store, map_id, io.BytesIO(data), filename=f"f.{fmt}", mapping=guess)
            assert _counts(store, map_id) == mf.expected(name), (name, fmt)


def test_karate_club_silos_come_from_its_club_attribute(store):
    map_id = _map(store)
    data = mf.networkx_file("karate", "gexf")
    import_file(store, map_id, io.BytesIO(data), mapping=mf.networkx_mapping("karate", "gexf"))
    G = mf.dataset("karate")
    assert {p.id: p.silo for p in store.graph(map_id).people} == {
        str(n): club for n, club in G.nodes(data="club")
    }


def test_gephi_file_silos_colours_tags_and_strengths(store):
    map_id = _map(store)
    import_file(store, map_id, io.BytesIO(mf.gephi_gexf()), mapping=mf.gephi_mapping())
    g = store.graph(map_id)
    assert _counts(store, map_id) == (len(mf.GEPHI_NODES), 0, len(mf.GEPHI_EDGES))
    m = store.get_map(map_id)
    assert m.silo_colours() == mf.GEPHI_COLOURS  # viz:color -> the silo's colour
    people = {p.id: p for p in g.people}
    for node_id, label, klass, _, land in mf.GEPHI_NODES:
        assert people[node_id].name == label
        assert people[node_id].silo == mf.GEPHI_SILOS[str(klass)]
        assert people[node_id].tags == [f"Country:{land}"]
    weights = [w for *_, w in mf.GEPHI_EDGES]
    low, high = min(weights), max(weights)
    by_ends = {frozenset((r.source, r.target)): r.strength for r in g.relationships}
    for s, t, w in mf.GEPHI_EDGES:  # the linear rule, worked out here independently
        assert by_ends[frozenset((s, t))] == 1 + math.floor(4 * (w - low) / (high - low) + 0.5)


@pytest.mark.parametrize("layout", ["workbook", "csv pair"])
def test_kumu_files_import_as_they_are(store, layout):
    map_id = _map(store)
    data, filename = (
        (mf.kumu_workbook(), "kumu.xlsx") if layout == "workbook" else (mf.kumu_zip(), "kumu.zip")
    )
    report = import_file(
        store, map_id, io.BytesIO(data), filename=filename, mapping=mf.kumu_mapping()
    )
    assert _counts(store, map_id) == mf.KUMU_EXPECTED
    assert report.silos_added == ["Partners"]
    g = store.graph(map_id)
    people = {p.name: p for p in g.people}
    orgs = {o.name: o for o in g.organisations}
    assert people["Siân Evans"].role == "GP at Ty Hapus"  # Description kept
    assert people["Mari Jones"].tags == ["youth", "north", "volunteer", "Country:Wales"]
    assert "Description:Housing association" in orgs["Cartrefi Cymru"].tags
    kinds = {(r.source, r.target): (r.kind, r.strength, r.notes) for r in g.relationships}
    owen, cartrefi = people["Owen Hughes"].id, orgs["Cartrefi Cymru"].id
    # written organisation -> person in the file: turned round, person -> organisation
    assert kinds[(owen, cartrefi)] == ("member_of", 5, "listed other way round")
    assert sorted(k for k, _, _ in kinds.values()) == sorted(
        ["works_with"] * 3 + ["member_of"] * 3 + ["partners_with", "funds"]
    )
    before = version(store, map_id)
    again = import_file(
        store, map_id, io.BytesIO(data), filename=filename, mapping=mf.kumu_mapping()
    )
    assert not again.written and version(store, map_id) == before


def test_a_mapping_naming_a_missing_column_is_a_clear_error(store):
    map_id = _map(store)
    mapping = mf.kumu_mapping()
    mapping["nodes"]["columns"]["Colour"] = "tag"
    with pytest.raises(InvalidInput) as caught:
        import_file(
            store, map_id, io.BytesIO(mf.kumu_workbook()), filename="k.xlsx", mapping=mapping
        )
    assert list(caught.value.errors) == ["nodes.columns.Colour"]
    assert "no column 'Colour'" in str(caught.value.errors)
    assert version(store, map_id) == 0


def test_unmapped_values_are_listed(store):
    map_id = _map(store)
    mapping = mf.kumu_mapping()
    del mapping["relationships"]["kind"]["values"]["collaborates|undirected"]
    del mapping["relationships"]["kind"]["values"]["member|directed"]
    del mapping["relationships"]["kind"]["values"]["funds|directed"]  # a kind's own name
    with pytest.raises(InvalidInput) as caught:
        import_file(store, map_id, io.BytesIO(mf.kumu_zip()), filename="k.zip", mapping=mapping)
    message = str(caught.value.errors["relationships.kind.values"][0])
    assert "2 values of column 'Type' are not mapped" in message
    assert "'collaborates|undirected'" in message and "'member|directed'" in message
    assert version(store, map_id) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda m: m["relationships"]["kind"].update(default="likes it"),
            "relationships.kind.default",
        ),
        (lambda m: m["nodes"]["columns"].update(Label="full_name"), "nodes.columns.Label"),
        (lambda m: m["nodes"].update(tag_separator="/"), "nodes.tag_separator"),
        (lambda m: m["nodes"]["columns"].update(Description="name"), "nodes.columns.Description"),
        (lambda m: m["relationships"]["columns"].pop("From"), "relationships.columns"),
        (lambda m: m["nodes"]["silo"].update(colours={"A": "red"}), "nodes.silo.colours.A"),
        (lambda m: m.update(surprise=1), "surprise"),
    ],
)
def test_a_bad_mapping_names_the_field(change, field):
    mapping = mf.kumu_mapping()
    change(mapping)
    with pytest.raises(InvalidInput) as caught:
        mp.load(mapping)
    assert field in caught.value.errors, caught.value.errors


def test_a_blank_type_without_default_is_a_row_error(store):
    map_id = _map(store)
    mapping = mf.kumu_mapping()
    rows = [list(r) for r in mf.KUMU_ELEMENTS]
    rows[4][1] = ""  # Tom Price has no type
    data = mf._csv(rows)
    with pytest.raises(ImportRejected) as caught:
        import_file(
            store,
            map_id,
            io.BytesIO(data),
            filename="elements.csv",
            mapping={"nodes": mapping["nodes"]},
        )
    assert caught.value.errors["elements.csv"]["5"]["Type"] == ["no type: set a default type"]


def test_inspection_shows_columns_samples_and_guesses():
    kumu = inspect_file(io.BytesIO(mf.kumu_workbook()), filename="k.xlsx")
    assert not kumu.own_shape
    elements, connections = kumu.tables
    assert (elements.name, elements.role, connections.role) == (
        "Elements",
        "nodes",
        "relationships",
    )
    guesses = {c.name: c.guess for c in elements.columns}
    assert guesses == {
        "Label": "name",
        "Type": "type",
        "Description": "role",
        "Tags": "tags",
        "Country": "tag",
    }
    assert elements.columns[0].samples[:2] == ["Siân Evans", "Owen Hughes"]
    assert kumu.guess["nodes"]["type"]["values"]["Org"] == "organisation"
    assert kumu.guess["nodes"]["tag_separator"] == "|"
    assert kumu.kind_keys["collaborates|undirected"] == 3
    gephi = inspect_file(io.BytesIO(mf.gephi_gexf()), filename="g.gexf")
    columns = {c.name: c.guess for c in gephi.tables[0].columns}
    assert columns["@colour"] == "colour" and columns["Modularity Class"] == "silo"
    assert not {"x", "y", "size", "viz"} & set(columns)  # positions and sizes are dropped


def test_the_signature_follows_headers_not_rows():
    a = inspect_file(io.BytesIO(mf.kumu_workbook()), filename="k.xlsx").signature
    b = inspect_file(io.BytesIO(mf.kumu_zip()), filename="k.zip").signature
    rows = [list(r) for r in mf.KUMU_ELEMENTS[:3]]
    c = inspect_file(io.BytesIO(mf._csv(rows)), filename="e.csv").signature
    assert a == b != c


def test_bridgemap_own_template_is_own_shape(store):
    from graph_models.io import template_xlsx

    assert inspect_file(io.BytesIO(template_xlsx()), filename="t.xlsx").own_shape


def test_a_mapped_file_keeps_consent_it_does_not_give(store):
    map_id = _map(store)
    mapping = mf.networkx_mapping("florentine", "graphml")
    data = mf.networkx_file("florentine", "graphml")
    import_file(store, map_id, io.BytesIO(data), mapping=mapping)
    medici = store.get(map_id, EntityType.PERSON, "Medici")
    store.update(map_id, Person(**{**medici.__dict__, "visibility": Visibility.HIDDEN}))
    import_file(store, map_id, io.BytesIO(data), mapping=mapping)
    assert store.get(map_id, EntityType.PERSON, "Medici").visibility is Visibility.HIDDEN


def test_a_mapped_file_cannot_bring_back_an_erased_person(store):
    map_id = _map(store)
    mapping = mf.networkx_mapping("florentine", "graphml")
    data = mf.networkx_file("florentine", "graphml")
    import_file(store, map_id, io.BytesIO(data), mapping=mapping)
    store.delete(map_id, EntityType.PERSON, "Medici")
    before = version(store, map_id)
    with pytest.raises(ImportRejected) as caught:
        import_file(store, map_id, io.BytesIO(data), mapping=mapping)
    assert "'Medici'" in str(caught.value.errors) and "erased" in str(caught.value.errors)
    assert version(store, map_id) == before


def test_an_edge_list_makes_its_ends_people(store):
    map_id = _map(store)
    data = b"From,To\nAnn,Ben\nBen,Cai\n"
    mapping = {
        "nodes": {"columns": {}, "type": {"default": "person"}, "silo": {"default": "All"}},
        "relationships": {
            "columns": {"From": "source", "To": "target"},
            "kind": {"default": "knows"},
        },
    }
    import_file(store, map_id, io.BytesIO(data), filename="ties.csv", mapping=mapping)
    assert _counts(store, map_id) == (3, 0, 2)


def test_skipped_types_leave_their_ties_out(store):
    map_id = _map(store)
    mapping = mf.kumu_mapping()
    mapping["nodes"]["type"]["values"] = {"Org": "skip"}
    report = import_file(
        store, map_id, io.BytesIO(mf.kumu_zip()), filename="k.zip", mapping=mapping
    )
    assert _counts(store, map_id) == (4, 2, 6)  # Youth Forum and its two ties left out
    assert report.counts["relationships"].skipped == 2


def test_tie_ends_are_matched_by_folded_names(store):
    """A connection naming "sian evans" finds the element "Siân Evans" (text.fold)."""
    map_id = _map(store)
    connections = [list(r) for r in mf.KUMU_CONNECTIONS]
    connections[1][0] = "sian evans"
    connections[4][0] = "SIAN EVANS"
    data = {"elements.csv": mf._csv(mf.KUMU_ELEMENTS), "connections.csv": mf._csv(connections)}
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as z:
        for name, body in data.items():
            z.writestr(name, body)
    import_file(
        store, map_id, io.BytesIO(out.getvalue()), filename="k.zip", mapping=mf.kumu_mapping()
    )
    assert _counts(store, map_id) == mf.KUMU_EXPECTED
    sian = next(p for p in store.graph(map_id).people if p.name == "Siân Evans")
    assert sum(1 for r in store.graph(map_id).relationships if sian.id in (r.source, r.target)) == 2
