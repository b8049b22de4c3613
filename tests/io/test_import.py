"""Import on both stores: idempotence, all-or-nothing, row reports, and every bad input.

Each bad-input test also checks that nothing was written (the map's version is unchanged).
"""

from __future__ import annotations

import io
import zipfile

import pytest

from graph_models.errors import InvalidInput, NotFound
from graph_models.io import import_file
from graph_models.io.rows import natural_node_id
from graph_models.model import EntityType, Person, Visibility
from tests.io.conftest import HYPERLINK, MAP, csv_file, new_map, version, xlsx_file

PEOPLE = """id,name,silo,role,tags,visibility
ann,Ann Evans,health,GP,gp; north,named
ben,Ben Price,Housing,Warden,,anonymised
cai,Cai Jones,police,PC,,
"""


@pytest.fixture
def m(store):
    return new_map(store)


def rejected(store, data, *, filename="file.csv", **kwargs) -> dict:
    """Import that must fail with 422; returns ``errors`` and checks nothing was written."""
    before = version(store)
    with pytest.raises(InvalidInput) as info:
        import_file(store, MAP, data, filename=filename, **kwargs)
    assert info.value.status == 422 and info.value.message
    assert version(store) == before
    return info.value.errors


def test_csv_import_is_idempotent_and_updates_exactly_the_edited_rows(store, m):
    first = import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    assert first.written
    assert first.counts["people"].as_dict() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    v = version(store)
    assert store.get(MAP, EntityType.PERSON, "ben").silo == "housing"  # the map's spelling
    assert store.get(MAP, EntityType.PERSON, "ann").tags == ["gp", "north"]

    again = import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    assert (again.total.created, again.total.updated, again.total.unchanged) == (0, 0, 3)
    assert not again.written and version(store) == v  # nothing changed, nothing written

    edited = PEOPLE.replace("Cai Jones,police,PC", "Cai Jones,police,Sergeant")
    edited += "dee,Dee Lewis,education,,,\n"
    third = import_file(store, MAP, csv_file(edited), filename="people.csv")
    assert (third.total.created, third.total.updated, third.total.unchanged) == (1, 1, 2)
    assert third.changes["people"] == {"created": ["dee"], "updated": ["cai"]}
    assert version(store) == v + 1  # one write
    assert store.get(MAP, EntityType.PERSON, "cai").role == "Sergeant"
    assert store.get(MAP, EntityType.PERSON, "ben").visibility is Visibility.ANONYMISED


def test_rows_without_ids_get_natural_keys_and_match_by_name(store, m):
    data = "Name,Sector\nAnn Evans,Health\nCwm Clinic,health\n"
    report = import_file(store, MAP, csv_file(data), entity="people")
    ann = natural_node_id(EntityType.PERSON, "Ann Evans")
    assert report.changes["people"]["created"][0] == ann
    assert store.get(MAP, EntityType.PERSON, ann).name == "Ann Evans"
    # same file, different spacing and case: the same people, unchanged
    again = import_file(store, MAP, csv_file("name,silo\nANN  EVANS,health\n"), entity="people")
    assert again.total.unchanged == 0 and again.total.updated == 1  # name spelling changed
    assert store.get(MAP, EntityType.PERSON, ann).name == "ANN  EVANS"
    # a person made elsewhere with a random id is matched by name, not duplicated
    store.create(MAP, Person("zz1", "Bob", "police"))
    report = import_file(
        store, MAP, csv_file("name,silo,role\nBob,police,Inspector\n"), filename="people.csv"
    )
    assert report.changes["people"]["updated"] == ["zz1"]
    assert store.list(MAP, EntityType.PERSON).total == 3


def test_relationships_by_id_or_unique_name_and_ambiguous_names(store, m):
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    import_file(
        store, MAP, csv_file("id,name,silo,kind\nclinic,Ann Evans,health,statutory\n"),
        filename="organisations.csv",
    )  # fmt: skip
    ties = "source,target,kind,strength,since\nann,Ben Price,knows,4,01/03/2024\n"
    report = import_file(store, MAP, csv_file(ties), filename="ties.csv")
    assert report.total.created == 1
    (rel,) = store.list(MAP, EntityType.RELATIONSHIP).items
    assert (rel.source, rel.target, rel.strength, str(rel.since)) == ("ann", "ben", 4, "2024-03-01")
    # "Ann Evans" is a person and an organisation: the kind decides where it can
    report = import_file(
        store, MAP, csv_file("from,to,type\nAnn Evans,Ann Evans,works_for\n"), filename="t.csv"
    )
    rel = store.get(MAP, EntityType.RELATIONSHIP, report.changes["relationships"]["created"][0])
    assert (rel.source, rel.target) == ("ann", "clinic")
    report = import_file(
        store, MAP, csv_file("source,target,kind\nAnn Evans,cai,knows\n"), filename="t.csv"
    )
    rel = store.get(MAP, EntityType.RELATIONSHIP, report.changes["relationships"]["created"][0])
    assert (rel.source, rel.target) == ("ann", "cai")  # "knows" joins people: the person


def test_ambiguous_name_is_an_error(store, m):
    import_file(
        store,
        MAP,
        csv_file("id,name,silo,role\nj1,John Jones,health,\nj2,john jones,police,\n"),
        filename="people.csv",
    )
    errors = rejected(
        store, csv_file("source,target,kind\nJohn Jones,j2,knows\n"), filename="t.csv"
    )
    assert "2 people or organisations are named" in str(errors["t.csv"]["2"]["source"])
    errors = rejected(store, csv_file("name,silo,role\nJohn Jones,health,GP\n"), filename="p.csv")
    assert "add an id" in str(errors["p.csv"]["2"]["name"])


def test_every_problem_is_reported_by_sheet_row_and_column(store, m):
    data = (
        "ID,Name,Sector,Visibility\n"
        "ok,Fine Person,health,named\n"
        "bad id!,Someone,health,named\n"
        "x2,,Nowhere,public\n"
        "ok,Again,health,\n"
    )
    errors = rejected(store, csv_file(data), filename="people.csv")["people.csv"]
    assert set(errors) == {"3", "4", "5"}  # header is row 1
    assert "ID" in errors["3"]
    assert set(errors["4"]) == {"Name", "Sector", "Visibility"}  # columns as written
    assert "also on people.csv row 2" in errors["5"]["ID"][0]


def test_relationship_to_a_row_that_failed(store, m):
    book = xlsx_file(
        {
            "People": [
                ["id", "name", "silo", "role"],
                ["ann", "Ann", "health", ""],
                ["bob", "Bob", "atlantis", ""],
            ],
            "Relationships": [
                ["source", "target", "kind"],
                ["ann", "bob", "knows"],
                ["ann", "Bob", "works_with"],
            ],
        }  # fmt: skip
    )
    errors = rejected(store, book, filename="book.xlsx")
    assert "silo" in errors["People"]["3"]
    assert errors["Relationships"]["2"]["target"] == ["refers to People row 3, which has problems"]
    assert "People row 3" in errors["Relationships"]["3"]["target"][0]


def test_unknown_silos_refused_or_added_on_request(store, m):
    data = "name,silo,role\nYan,Youth Work,worker\nZoe,youth  work,lead\n"
    errors = rejected(store, csv_file(data), filename="people.csv")
    assert "must be one of" in str(errors["people.csv"]["2"]["silo"])
    dry = import_file(
        store, MAP, csv_file(data), filename="people.csv", add_silos=True, dry_run=True
    )
    assert dry.silos_added == ["Youth Work"] and not dry.written
    assert "Youth Work" not in store.get_map(MAP).silo_names()
    before = version(store)
    report = import_file(store, MAP, csv_file(data), filename="people.csv", add_silos=True)
    assert report.silos_added == ["Youth Work"] and report.total.created == 2
    assert version(store) == before + 1  # vocabulary and rows: one write
    assert store.get_map(MAP).silo_names()[-1] == "Youth Work"
    assert {p.silo for p in store.list(MAP, EntityType.PERSON).items} == {"Youth Work"}


def test_dry_run_reports_without_writing(store, m):
    before = version(store)
    report = import_file(store, MAP, csv_file(PEOPLE), filename="people.csv", dry_run=True)
    assert report.dry_run and not report.written and report.total.created == 3
    assert version(store) == before and store.list(MAP, EntityType.PERSON).total == 0


def test_blank_rows_are_skipped_and_counted(store, m):
    data = "name,silo,role\nA,health,\n,,\n\nB,health,\n\n\n"
    report = import_file(store, MAP, csv_file(data), filename="people.csv")
    assert report.counts["people"].created == 2
    assert report.counts["people"].skipped == 2  # between rows; trailing blanks not counted


def test_unknown_map_is_404(store, m):
    with pytest.raises(NotFound):
        import_file(store, "nope", csv_file(PEOPLE), filename="people.csv")


# -- bad files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"id,name,silo,role\n", "no rows"),
        (b"\xef\xbb\xbfid,name,silo,role\n\n", "no rows"),
        (b"foo,bar\n1,2\n", "no column Bridgemap knows"),
        (b"\x00\x01\x02name,silo\x00", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"name,silo,role\n\x81\x8d\x8f\x90\x9d,health,\n", "encoding"),
    ],
)
def test_unreadable_files_are_clear_errors(store, m, data, expected):
    errors = rejected(store, io.BytesIO(data), filename="people.csv")
    assert expected in str(errors), errors


def test_a_broken_line_midway_rejects_the_whole_file(store, m):
    data = "name,silo,role\nAnn,health,GP\n" + f'Bob,police,"{"x" * 200_000}"\n' + "Cai,police,\n"
    errors = rejected(store, csv_file(data), filename="people.csv")
    assert "field larger than field limit" in str(errors["people.csv"]["3"])


def test_same_name_twice_without_ids(store, m):
    data = "name,silo,role\nJohn Jones,health,GP\njohn  jones,police,PC\n"
    errors = rejected(store, csv_file(data), filename="people.csv")
    assert "give each row an id" in errors["people.csv"]["3"]["name"][0]


def test_semicolons_bom_and_windows_1252(store, m):
    data = "\ufeffName;Sector;Role\nSiân Ŵyn;health;Nyrs\n"
    report = import_file(store, MAP, csv_file(data), filename="people.csv")
    assert report.delimiter == ";" and report.encoding == "utf-8-sig"
    assert store.list(MAP, EntityType.PERSON).items[0].name == "Siân Ŵyn"
    # Excel's "CSV (Comma delimited)" in a UK locale: Windows-1252
    report = import_file(
        store, MAP, csv_file("name,silo,role\nRené Côté,police,Swyddog\n", "cp1252"),
        filename="people.csv",
    )  # fmt: skip
    assert report.encoding == "cp1252"
    assert {p.name for p in store.list(MAP, EntityType.PERSON).items} >= {"René Côté"}
    # UTF-16 with a BOM (Excel's "Unicode Text"), tab separated
    report = import_file(
        store, MAP, csv_file("name\tsilo\trole\nGwen\thealth\t\n", "utf-16"), filename="p.txt"
    )
    assert report.encoding == "utf-16" and report.delimiter == "\t"


def test_title_rows_above_the_header(store, m):
    data = "Cwm partnership people,,\nexported 2024,,\nName,Sector,Role\nAnn,health,GP\n"
    report = import_file(store, MAP, csv_file(data), filename="people.csv")
    assert report.total.created == 1
    errors = rejected(store, csv_file(data + "Bob,nowhere,\n"), filename="people.csv")
    assert "5" in errors["people.csv"]  # rows counted as a spreadsheet shows them


def test_formulas_in_csv_are_text_never_run(store, m):
    data = f'id,name,silo,role\nx,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",health,=1+1\n'
    import_file(store, MAP, csv_file(data), filename="people.csv")
    person = store.get(MAP, EntityType.PERSON, "x")
    assert person.name == HYPERLINK and person.role == "=1+1"  # kept as the text it is


def test_duplicate_ids_and_repeated_ties_in_one_file(store, m):
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    data = "id,source,target,kind\nt1,ann,ben,knows\nt1,ann,cai,knows\n"
    data += ",ann,cai,knows\n,cai,ann,knows\n"
    errors = rejected(store, csv_file(data), filename="ties.csv")["ties.csv"]
    assert "also on ties.csv row 2" in errors["3"]["id"][0]
    assert "the same tie" in errors["5"]["source"][0]  # knows has no direction
    assert set(errors) == {"3", "5"}


def test_a_tie_id_repeated_in_another_file_names_where_it_was_first(store, m):
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("ties.csv", "id,source,target,kind\nt1,ann,ben,knows\nt2,ben,cai,knows\n")
        more = "id,source,target,kind\nt3,ann,cai,knows\nt2,cai,ann,mentors\n"
        z.writestr("relationships.csv", more)
    errors = rejected(store, io.BytesIO(out.getvalue()), filename="ties.zip")
    assert list(errors) == ["relationships.csv"] and list(errors["relationships.csv"]) == ["3"]
    assert "also on ties.csv row 3" in errors["relationships.csv"]["3"]["id"][0]


def test_node_id_that_is_another_type_in_the_map(store, m):
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    errors = rejected(
        store, csv_file("id,name,silo,kind\nann,Ann Ltd,business,business\n"), filename="o.csv"
    )
    assert "already a person" in str(errors)


def test_xlsx_several_sheets_merged_cells_and_title_rows(store, m):
    def setup(wb):
        wb["Sector people"].merge_cells("B3:B5")  # "health" typed once for three people
        wb["Sector people"].merge_cells("A1:C1")  # a title over the header

    book = xlsx_file(
        {
            "notes": [["read me"], ["this sheet is ignored"]],
            "Sector people": [
                ["Partnership people"],
                ["Name", "Sector", "Role"],
                ["Ann", "health", "GP"],
                ["Bea", None, "Nurse"],
                ["Cai", None, "Porter"],
                [],
                ["Dai", "police", "PC"],
            ],
            "Ties": [
                ["From", "To", "Kind", "Strength", "Start date"],
                ["Ann", "Bea", "works with", 4, None],
                ["Cai", "Dai", "knows", 2.0, None],
            ],
            "Organisations": [["Name", "Sector", "Type"], ["Clinic", "health", "statutory"]],
        },  # fmt: skip
        setup,
    )
    report = import_file(store, MAP, book, filename="book.xlsx")
    assert report.format == "xlsx" and report.ignored_sheets == ["notes"]
    assert (report.counts["people"].created, report.counts["people"].skipped) == (4, 1)
    assert report.counts["organisations"].created == 1
    assert report.counts["relationships"].created == 2
    silos = {p.name: p.silo for p in store.list(MAP, EntityType.PERSON).items}
    assert silos == {"Ann": "health", "Bea": "health", "Cai": "health", "Dai": "police"}


def test_xlsx_formula_cells_are_errors(store, m):
    def setup(wb):
        wb["people"]["A3"] = HYPERLINK
        wb["people"]["C2"] = '=CONCAT("G","P")'

    book = xlsx_file({"people": [["name", "silo", "role"], ["Ann", "health", None],
                                 [None, "police", ""]]}, setup)  # fmt: skip
    errors = rejected(store, book, filename="book.xlsx")["people"]
    assert "C2 holds a formula" in errors["2"]["role"][0]
    assert "A3 holds a formula" in errors["3"]["name"][0] and "HYPERLINK" in errors["3"]["name"][0]


def test_xlsx_dates_numbers_and_one_sheet_with_entity(store, m):
    from datetime import datetime

    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    book = xlsx_file(
        {"Sheet1": [["id", "source", "target", "kind", "strength", "since"],
                    [101, "ann", "ben", "knows", 5.0, datetime(2023, 4, 1)]]}
    )  # fmt: skip
    import_file(store, MAP, book, filename="x.xlsx", entity="relationships")
    rel = store.get(MAP, EntityType.RELATIONSHIP, "101")
    assert (rel.strength, rel.since.isoformat()) == (5, "2023-04-01")


def test_not_an_xlsx_and_entity_billion_laughs_in_a_workbook(store, m):
    rejected(store, io.BytesIO(b"PK\x03\x04 not really a zip"), filename="x.xlsx")
    good = xlsx_file({"people": [["name", "silo", "role"], ["Ann", "health", "GP"]]}).getvalue()
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = bomb
            dst.writestr(info, data)
    out.seek(0)
    errors = rejected(store, out, filename="bomb.xlsx")
    assert "EntitiesForbidden" in str(errors)


def test_csv_zip_import(store, m):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("export/relationships.csv", "source,target,kind\nann,ben,knows\n")
        z.writestr("export/people.csv", PEOPLE)
    out.seek(0)
    report = import_file(store, MAP, out, filename="export.zip")
    assert report.counts["people"].created == 3 and report.counts["relationships"].created == 1


# -- JSON, GraphML, GEXF -------------------------------------------------------------------


def test_json_import_is_strict(store, m):
    bad = (
        b'{"people": [{"id": "a", "name": "A", "silo": "health", "colour": "red"}, 5],'
        b' "relationships": [{"source": "a", "target": "zz", "kind": "knows"}], "extra": 1}'
    )
    errors = rejected(store, io.BytesIO(bad), filename="map.json")
    assert "colour" in errors["people"]["0"] and errors["people"]["1"]
    assert errors["relationships"]["0"]["target"] and "extra" in str(errors)
    rejected(store, io.BytesIO(b'{"people": [1, '), filename="map.json")
    rejected(store, io.BytesIO(b"[]"), filename="map.json")
    with pytest.raises(InvalidInput, match="entity"):
        import_file(store, MAP, io.BytesIO(b"{}"), filename="x.json", entity="people")


GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="t" for="node" attr.name="type" attr.type="string"/>
  <key id="l" for="node" attr.name="label" attr.type="string"/>
  <key id="s" for="node" attr.name="Sector" attr.type="string"/>
  <key id="x" for="node" attr.name="x" attr.type="double"/>
  <key id="mc" for="node" attr.name="Modularity Class" attr.type="int"/>
  <key id="k" for="edge" attr.name="kind" attr.type="string"/>
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="t">person</data><data key="l">Ann</data><data key="s">health</data>
      <data key="x">1.5</data><data key="mc">3</data></node>
    <node id="b"><data key="t">person</data><data key="l">Ben</data>
      <data key="s">police</data></node>
    <edge source="a" target="b"><data key="k">knows</data><data key="w">4.0</data></edge>
  </graph>
</graphml>
"""


def test_graphml_from_gephi_with_unknown_attributes(store, m):
    report = import_file(store, MAP, io.BytesIO(GRAPHML.encode()), filename="g.graphml")
    assert report.total.created == 3
    assert sorted(report.ignored_columns["nodes"]) == ["Modularity Class", "x"]
    (rel,) = store.list(MAP, EntityType.RELATIONSHIP).items
    assert (rel.source, rel.target, rel.strength) == ("a", "b", 4)
    assert store.get(MAP, EntityType.PERSON, "a").name == "Ann"
    again = import_file(store, MAP, io.BytesIO(GRAPHML.encode()), filename="g.graphml")
    assert again.total.unchanged == 3 and not again.written
    # a misspelt known attribute is not ignored
    misspelt = GRAPHML.replace('attr.name="Sector"', 'attr.name="Sectr"')
    errors = rejected(store, io.BytesIO(misspelt.encode()), filename="g.graphml")
    assert "did you mean" in str(errors)
    no_type = GRAPHML.replace('<data key="t">person</data><data key="l">Ben', '<data key="l">Ben')
    errors = rejected(store, io.BytesIO(no_type.encode()), filename="g.graphml")
    assert "type" in errors["nodes"]["b"]


@pytest.mark.parametrize(
    "payload",
    [
        b"<graphml><graph><node id='a'></graph></graphml>",  # malformed
        b"<?xml version='1.0'?><nothing/>",  # no graph
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph>'
        b'<node id="&lol9;"/></graph></graphml>',
        # external entity (XXE)
        b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph>'
        b'<node id="&x;"/></graph></graphml>',
    ],
    ids=["malformed", "no-graph", "billion-laughs", "xxe"],
)
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_hostile_or_broken_xml_is_refused_safely(store, m, payload, fmt):
    # refused before any expansion: how fast is measured in benchmarks/bounds.py
    errors = rejected(store, io.BytesIO(payload), filename=f"g.{fmt}", fmt=fmt)
    assert "file" in errors
    if b"ENTITY" in payload:
        assert "DTD" in str(errors) or "entities" in str(errors)


def test_progress_is_reported(store, m):
    rows = "".join(f"p{i},Person {i},health,\n" for i in range(5000))
    seen = []
    import_file(
        store, MAP, csv_file("id,name,silo,role\n" + rows), filename="people.csv",
        progress=seen.append,
    )  # fmt: skip
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_re_import_asks_the_store_by_id_and_never_reads_the_whole_graph(store, m, monkeypatch):
    """A re-import compares each row with its own stored record, found by id (or by
    name for a row without one): the map's ties are never read back in bulk."""
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    ties = "id,source,target,kind,strength\nt1,ann,ben,knows,4\nt2,ben,cai,knows,2\n"
    import_file(store, MAP, csv_file(ties), filename="ties.csv")
    store.create(MAP, Person("zz1", "Bob", "police"))  # not in the files: never compared

    def whole_graph(*args, **kwargs):
        raise AssertionError("the import read the whole graph")

    monkeypatch.setattr(store, "graph", whole_graph)
    seen: list[list[str]] = []
    by_id = store.relationships_by_id
    monkeypatch.setattr(
        store,
        "relationships_by_id",
        lambda map_id, ids, **kw: seen.append(sorted(ids)) or by_id(map_id, ids, **kw),
    )
    v = version(store)
    again = import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    assert (again.total.unchanged, again.written) == (3, False)
    assert import_file(store, MAP, csv_file(ties), filename="ties.csv").total.unchanged == 2
    assert seen == [["t1", "t2"]] and version(store) == v
    changed = import_file(
        store, MAP, csv_file(ties.replace("knows,2", "knows,5")), filename="t.csv"
    )
    assert changed.changes["relationships"]["updated"] == ["t2"]
    byname = import_file(store, MAP, csv_file("name,silo,role\nBob,police,Inspector\n"))
    assert byname.changes["people"]["updated"] == ["zz1"]  # matched by name, not duplicated


def _three_kinds(n: int) -> str:
    """A ties CSV of ``n`` rows among ann, ben and cai, of three kinds (three types)."""
    kinds = ("knows", "works_with", "mentors")
    ends = (("ann", "ben"), ("ben", "cai"), ("cai", "ann"))
    rows = "".join(
        f"r{i},{ends[i % 3][0]},{ends[i % 3][1]},{kinds[i % 3]},{i % 5 + 1}\n" for i in range(n)
    )
    return "id,source,target,kind,strength\n" + rows


def test_unchanged_re_import_finds_each_tie_by_the_kind_its_row_gives(store, m, monkeypatch):
    """The import tells the store the kind each row gives its tie: on Neo4j each tie is
    then found by one seek of that kind's own relationship type, and no pass over the
    map's ties (their types, ``_tie_types``) is made for a re-import. A tie whose kind
    the file changes (another type) is still found, updated, not created twice."""
    from graph_models.store.neo4j import Neo4jTransaction

    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    ties = _three_kinds(300)
    assert import_file(store, MAP, csv_file(ties), filename="ties.csv").total.created == 300

    def no_pass(*args, **kwargs):
        raise AssertionError("the map's tie types were read")

    monkeypatch.setattr(Neo4jTransaction, "_tie_types", no_pass)
    v = version(store)
    again = import_file(store, MAP, csv_file(ties), filename="ties.csv")
    assert (again.total.unchanged, again.written, version(store)) == (300, False, v)
    edited = ties.replace("r8,cai,ann,mentors,4", "r8,cai,ann,knows,4")
    changed = import_file(store, MAP, csv_file(edited), filename="ties.csv")
    assert changed.changes["relationships"] == {"created": [], "updated": ["r8"]}
    assert store.get(MAP, EntityType.RELATIONSHIP, "r8").kind == "knows"
    assert store.list(MAP, EntityType.RELATIONSHIP, limit=1).total == 300


def test_ties_are_compared_in_groups_and_their_problems_named_by_row(store, m, monkeypatch):
    """Ties are looked up in the store one group of rows at a time (``_LOOKUP``, asked
    ahead on Neo4j by a thread that ends with the import), checked by the schema in
    smaller chunks (``_CHUNK``): a bad row in a chunk, or an id repeated across groups,
    is named by its own row, and the rest compared as usual."""
    import threading

    from graph_models.io import importer

    monkeypatch.setattr(importer, "_LOOKUP", 100)
    monkeypatch.setattr(importer, "_CHUNK", 30)
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    ties = _three_kinds(250)
    assert import_file(store, MAP, csv_file(ties), filename="ties.csv").total.created == 250
    asked: list[int] = []
    by_id = store.relationships_by_id
    monkeypatch.setattr(
        store,
        "relationships_by_id",
        lambda map_id, ids, **kw: asked.append(len(ids)) or by_id(map_id, ids, **kw),
    )
    again = import_file(store, MAP, csv_file(ties), filename="ties.csv")
    assert (again.total.unchanged, again.written) == (250, False)
    assert asked == [100, 100, 50]  # one lookup per group, not per chunk
    lines = ties.splitlines()
    lines[45] = lines[45].replace(",5", ",9")  # file row 46: strength out of range
    lines[220] = lines[220].replace("r219,", "r19,")  # file row 221 repeats row 21's id
    errors = rejected(store, csv_file("\n".join(lines) + "\n"), filename="ties.csv")
    assert set(errors["ties.csv"]) == {"46", "221"}
    assert "ties.csv row 21;" in str(errors["ties.csv"]["221"])
    assert not [t for t in threading.enumerate() if t.name.startswith("import-lookup")]


def test_re_import_of_many_ties_finds_them_by_id_by_their_own_type(store, m):
    """A re-import naming more ties than the store looks up one by one (Neo4j: each by
    its own type, from the map's tie types read once) compares each with exactly its
    stored record, of
    several kinds (relationship types), with dates and notes; ids not stored are not
    found; nothing unchanged is written, a changed tie is found changed."""
    import_file(store, MAP, csv_file(PEOPLE), filename="people.csv")
    kinds = ("knows", "works_with", "mentors")
    ends = (("ann", "ben"), ("ben", "cai"), ("cai", "ann"))
    rows = "".join(
        f"r{i},{ends[i % 3][0]},{ends[i % 3][1]},{kinds[i % 3]},{i % 5 + 1},2024-01-0{i % 9 + 1},"
        f"note {i}\n"
        for i in range(300)
    )
    ties = "id,source,target,kind,strength,since,notes\n" + rows
    assert import_file(store, MAP, csv_file(ties), filename="ties.csv").total.created == 300
    v = version(store)
    again = import_file(store, MAP, csv_file(ties), filename="ties.csv")
    assert (again.total.unchanged, again.written, version(store)) == (300, False, v)
    asked = [f"r{i}" for i in range(300)] + [f"missing{i}" for i in range(50)]
    found = {r.id: r for r in store.relationships_by_id(MAP, asked)}
    assert set(found) == {f"r{i}" for i in range(300)}
    assert found["r7"] == store.get(MAP, EntityType.RELATIONSHIP, "r7")
    r7 = found["r7"]
    assert (r7.kind, r7.strength, r7.notes) == ("works_with", 3, "note 7")
    changed = import_file(
        store, MAP, csv_file(ties.replace("r8,cai,ann,mentors,4", "r8,cai,ann,mentors,1")),
        filename="ties.csv",
    )  # fmt: skip
    assert changed.changes["relationships"]["updated"] == ["r8"]
