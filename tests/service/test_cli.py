"""The bridgemap command, run as a user would (click's runner, a temporary store)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from service.cli import main


@pytest.fixture
def env(tmp_path):
    return {
        "BRIDGEMAP_DATABASE": str(tmp_path / "db.sqlite3"),
        "BRIDGEMAP_SECRET_KEY_FILE": str(tmp_path / "key"),
    }


def test_demo_then_analyse(env):
    runner = CliRunner()
    result = runner.invoke(main, ["demo"], env=env)
    assert result.exit_code == 0, result.output
    assert "demo map 'demo'" in result.output
    again = runner.invoke(main, ["demo"], env=env)  # idempotent: updates, no duplicates
    assert again.output == result.output

    text = runner.invoke(main, ["analyse", "demo"], env=env)
    assert text.exit_code == 0, text.output
    # the demo is built so that one connector alone joins the business sector
    assert "If they left, these silos would lose their only link" in text.output
    assert "business & health" in text.output

    data = json.loads(runner.invoke(main, ["analyse", "demo", "--json"], env=env).output)
    assert data["silos"]["headline"]["isolated_group_pairs"] >= 2
    assert {"centrality", "bridging", "communities", "introductions"} <= set(data)


def test_analyse_errors_are_messages_not_tracebacks(env):
    runner = CliRunner()
    missing = runner.invoke(main, ["analyse", "nope"], env=env)
    assert missing.exit_code == 1 and "no map 'nope'" in missing.output
    runner.invoke(main, ["demo"], env=env)
    bad = runner.invoke(main, ["analyse", "demo", "--group-by", "colour"], env=env)
    assert bad.exit_code == 1 and "group_by" in bad.output
    assert "Traceback" not in missing.output + bad.output
