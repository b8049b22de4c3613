"""The mapping step through the API (issue #13): inspect a file, import it with a stated
mapping into exactly the numbers networkx (or the rows written) give, and import the
next file of the same shape with the map's saved mapping, writing nothing."""

from __future__ import annotations

import io
import json

import pytest

from tests import mapping_files as mf

MAP = "/api/v1/maps/m1"


@pytest.fixture
def api(client):
    r = client.post("/api/v1/maps", json={"id": "m1", "name": "Partnership"})
    assert r.status_code == 201, r.json
    return client


def post(client, path: str, data: bytes, filename: str, **fields):
    form = {"file": (io.BytesIO(data), filename), **fields}
    return client.post(f"{MAP}/{path}", data=form, content_type="multipart/form-data")


def counts(client) -> tuple[int, int, int]:
    g = client.get(f"{MAP}/graph").json
    kinds = [n["type"] for n in g["nodes"]]
    return kinds.count("person"), kinds.count("organisation"), len(g["edges"])


def version(client) -> int:
    return client.get(MAP).json["version"]


FILES = [
    *[
        (
            f"{name}.{fmt}",
            lambda n=name, f=fmt: mf.networkx_file(n, f),
            lambda n=name, f=fmt: mf.networkx_mapping(n, f),
            lambda n=name: mf.expected(n),
        )
        for name in mf.DATASETS
        for fmt in ("gexf", "graphml")
    ],
    (
        "gephi.gexf",
        mf.gephi_gexf,
        mf.gephi_mapping,
        lambda: (len(mf.GEPHI_NODES), 0, len(mf.GEPHI_EDGES)),
    ),
    ("kumu.xlsx", mf.kumu_workbook, mf.kumu_mapping, lambda: mf.KUMU_EXPECTED),
    ("kumu.zip", mf.kumu_zip, mf.kumu_mapping, lambda: mf.KUMU_EXPECTED),
]


@pytest.mark.parametrize(
    ("filename", "data", "mapping", "expected"), FILES, ids=[f[0] for f in FILES]
)
def test_each_file_imports_with_a_stated_mapping(api, filename, data, mapping, expected):
    raw = data()
    plain = post(api, "import", raw, filename, dry_run="true")
    assert plain.status_code == 422  # as it is, the file cannot be imported
    looked = post(api, "import/inspect", raw, filename)
    assert looked.status_code == 200, looked.json
    assert looked.json["own_shape"] is False and looked.json["saved"] is None
    r = post(api, "import", raw, filename, mapping=json.dumps(mapping()))
    assert r.status_code == 200, r.json
    assert r.json["written"] and r.json["mapping_source"] == "given"
    assert counts(api) == expected()
    before = version(api)
    # the next file of this shape: no mapping sent, the map's saved one is used
    again = post(api, "import", raw, filename)
    assert again.status_code == 200, again.json
    assert again.json["mapping_source"] == "saved" and not again.json["written"]
    assert again.json["created"] == again.json["updated"] == 0
    assert version(api) == before
    assert post(api, "import/inspect", raw, filename).json["saved"] == r.json["mapping"]


@pytest.mark.both_stores
def test_kumu_workbook_through_the_api_on_both_stores(api):
    r = post(api, "import", mf.kumu_workbook(), "kumu.xlsx", mapping=json.dumps(mf.kumu_mapping()))
    assert r.status_code == 200, r.json
    assert counts(api) == mf.KUMU_EXPECTED
    again = post(api, "import", mf.kumu_workbook(), "kumu.xlsx")
    assert again.json["mapping_source"] == "saved" and not again.json["written"]


def test_a_mapping_naming_a_missing_column_is_a_422_naming_it(api):
    mapping = mf.kumu_mapping()
    mapping["relationships"]["columns"]["Weight"] = "weight"
    r = post(api, "import", mf.kumu_workbook(), "kumu.xlsx", mapping=json.dumps(mapping))
    assert r.status_code == 422
    assert set(r.json) == {"code", "status", "message", "errors"}
    assert "relationships.columns.Weight" in r.json["errors"]
    assert "no column 'Weight'" in r.json["errors"]["relationships.columns.Weight"][0]
    assert version(api) == 0


@pytest.mark.parametrize("bad", ["{", "[]", '{"nodes": {"columns": {"A": "nope"}}}'])
def test_bad_mapping_json_is_a_422(api, bad):
    r = post(api, "import", mf.kumu_workbook(), "kumu.xlsx", mapping=bad)
    assert r.status_code == 422, r.json
    assert r.json["errors"] and version(api) == 0


def test_a_file_in_bridgemap_template_imports_as_before(api):
    people = b"name,silo,role\nAnn Evans,Health,GP\n"
    r = post(api, "import", people, "people.csv", add_silos="true")
    assert r.status_code == 200, r.json
    assert r.json["mapping_source"] is None and r.json["mapping"] is None
    assert post(api, "import/inspect", people, "people.csv").json["own_shape"] is True


def test_the_openapi_document_shows_the_mapping_step(api):
    doc = api.get("/api/v1/openapi.json").json
    inspect = doc["paths"]["/api/v1/maps/{map_id}/import/inspect"]["post"]
    assert "multipart/form-data" in inspect["requestBody"]["content"]
    form = doc["paths"]["/api/v1/maps/{map_id}/import"]["post"]["requestBody"]["content"]
    assert form["multipart/form-data"]["schema"]["$ref"].endswith("/ImportForm")
    assert "mapping" in doc["components"]["schemas"]["ImportForm"]["properties"]
    assert "guess" in doc["components"]["schemas"]["Inspection"]["properties"]


def test_viewers_cannot_inspect(api, role_client):
    viewer = role_client("viewer")
    r = post(viewer, "import/inspect", mf.kumu_workbook(), "kumu.xlsx")
    assert r.status_code in (403, 404)


ODD_FILES = [
    b"a,b\x00,c\n1,2,3",
    b"PK\x03\x04garbage",
    b"<gexf><graph><nodes><node/></nodes></graph></gexf>",
    b'{"nodes":[{"x":1}],"links":[{"source":1}]}',
    b'{"nodes":[1,2],"links":[]}',
    b'{"nodes":[[1]],"links":[{"source":[1],"target":2}]}',
    b"\xff\xfe\x00",
    b"<graphml><graph><node id='a'><data key='zz'>1</data></node></graph></graphml>",
    b'"' * 10 + b"\n" + b"x" * 200_000,
    b'{"nodes": [], "links": []}',
    b"From,To\n,\n",
]


@pytest.mark.parametrize("data", ODD_FILES)
@pytest.mark.parametrize("name", ["f.csv", "f.gexf", "f.xlsx"])
def test_odd_files_give_a_clear_answer_never_a_500(api, data, name):
    mapping = {
        "nodes": {"columns": {}, "type": {"default": "person"}, "silo": {"default": "A"}},
        "relationships": {
            "columns": {"@source": "source", "@target": "target"},
            "kind": {"default": "knows"},
        },
    }
    r = post(api, "import/inspect", data, name)
    assert r.status_code in (200, 422), r.json
    r = post(api, "import", data, name, mapping=json.dumps(mapping))
    assert r.status_code in (200, 422), r.json
    assert r.status_code == 200 or version(api) == 0
