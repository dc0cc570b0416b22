"""`skydd register check`: exit 0 clean, 1 findings, 2 invalid; text, json and sarif."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skydd.cli.main import app
from tests.conftest import MESTRO, SECOND_ORG

runner = CliRunner()


@pytest.mark.promise("P2")
def test_contact_point_rule_fires_on_mestro_with_exit_1() -> None:
    result = runner.invoke(app, ["register", "check", str(MESTRO)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mestro/organisation.yaml:")
    assert "ERROR SKY040" in lines[0]
    assert "support_se" in lines[0]
    assert "support_com" in lines[0]


def test_second_org_is_clean_with_exit_0() -> None:
    result = runner.invoke(app, ["register", "check", str(SECOND_ORG)])
    assert result.exit_code == 0, result.stdout


def test_json_format_lists_findings_with_file_and_line() -> None:
    result = runner.invoke(app, ["register", "check", str(MESTRO), "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert [f["rule_id"] for f in findings] == ["SKY040", "SKY041"]
    assert {f["file"] for f in findings} == {"mestro/organisation.yaml"}
    assert all(isinstance(f["line"], int) for f in findings)


def test_sarif_format_is_sarif_2_1_0() -> None:
    result = runner.invoke(app, ["register", "check", str(MESTRO), "--format", "sarif"])
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["SKY040", "SKY041"]


def test_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["register", "check", str(MESTRO), "--format", "xml"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_invalid_yaml_exits_2_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    folder.mkdir()
    (folder / "organisation.yaml").write_text("organisation:\n  key: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["register", "check", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: reg/organisation.yaml:")
    assert "invalid YAML" in result.stderr
    assert result.stdout == ""
