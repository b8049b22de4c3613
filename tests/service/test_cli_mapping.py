"""``bridgemap import … --mapping mapping.json`` (issue #13): the same mapping as the API
and the page; kept for the map, so the next file of the same shape needs none."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from service.cli import main
from tests import mapping_files as mf


@pytest.fixture
def env(tmp_path):
    return {
        "BRIDGEMAP_DATABASE": str(tmp_path / "db.sqlite3"),
        "BRIDGEMAP_SECRET_KEY_FILE": str(tmp_path / "key"),
    }


def test_import_with_a_mapping_file_then_without(env, tmp_path):
    (tmp_path / "lesmis.gexf").write_bytes(mf.networkx_file("lesmis", "gexf"))
    (tmp_path / "mapping.json").write_text(json.dumps(mf.networkx_mapping("lesmis", "gexf")))
    gexf = str(tmp_path / "lesmis.gexf")
    runner = CliRunner()
    plain = runner.invoke(main, ["import", "lm", gexf, "--create"], env=env)
    assert plain.exit_code != 0
    assert "* 77 rows: type:" in plain.output  # the cause first, with its count
    assert "254 ties refer to rows that failed" in plain.output
    result = runner.invoke(
        main,
        ["import", "lm", gexf, "--create", "--mapping", str(tmp_path / "mapping.json"), "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    people, orgs, ties = mf.expected("lesmis")
    assert (report["people"]["created"], report["relationships"]["created"]) == (people, ties)
    again = runner.invoke(main, ["import", "lm", gexf], env=env)
    assert again.exit_code == 0, again.output
    assert "read with the mapping this map kept" in again.output
    assert "nothing changed" in again.output


def test_a_bad_mapping_file_is_a_message(env, tmp_path):
    (tmp_path / "k.xlsx").write_bytes(mf.kumu_workbook())
    mapping = {"columns": {"Nope": "name"}, "type": {"default": "person"}}
    mapping["silo"] = {"default": "All"}
    (tmp_path / "m.json").write_text(json.dumps({"nodes": mapping}))
    result = CliRunner().invoke(
        main,
        [
            "import",
            "k",
            str(tmp_path / "k.xlsx"),
            "--create",
            "--mapping",
            str(tmp_path / "m.json"),
        ],
        env=env,
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "no column 'Nope'" in result.output
