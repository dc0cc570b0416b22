"""The three report formats of ``skydd register check``: text, JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skydd.documents.lint_reports import Locate, ReportFormat, render_findings, summary
from skydd.domain.compliance import RULES, Finding, lint_register, rule_by_id
from skydd.domain.register import FieldPath
from skydd.storage.register_files import read_register
from tests.factories import make_register, replace_item, replace_organisation

ROOT = Path(__file__).resolve().parents[2]


def locate(path: FieldPath) -> tuple[str, int | None]:
    """A stand-in for LoadedRegister.locate: one file per section, a line per item."""
    if path[:1] == ("organisation",):
        return "acme/organisation.yaml", 3
    if len(path) >= 2 and isinstance(path[1], int):
        return f"acme/{path[0]}.yaml", 10 + path[1]
    return "acme/register d.yaml", None


def findings() -> list[Finding]:
    """An error, a warning and an info finding, in lint order."""
    register = replace_organisation(make_register(), supervisory_authority=None)
    register = replace_item(register, "systems", "crm", dpa=None, vendor=None)
    register = replace_item(register, "purposes", "newsletter", automated_decisions=True)
    result = lint_register(register.model_copy(update={"policy": {}}))
    assert [f.rule_id for f in result] == ["SKY020", "SKY024", "SKY076", "SKY077", "SKY079"]
    return result


def test_text_is_one_line_per_finding_that_editors_can_jump_to() -> None:
    assert render_findings(findings(), locate, "text").splitlines() == [
        "acme/systems.yaml:10: ERROR SKY020 processor 'crm' has no data processing agreement",
        "acme/systems.yaml:10: WARNING SKY024 processor 'crm' names no vendor "
        "(the legal entity processing)",
        "acme/register d.yaml: ERROR SKY076 the register has no policy text, "
        "so no policy states the rights",
        "acme/organisation.yaml:3: ERROR SKY077 the organisation names no supervisory "
        "authority to complain to",
        "acme/purposes.yaml:11: INFO SKY079 purpose 'newsletter' makes automated decisions: "
        "check that its description explains the logic, significance and consequences",
    ]


def test_no_findings_render_as_empty_text_and_an_empty_json_list() -> None:
    assert render_findings([], locate, ReportFormat.TEXT) == ""
    assert json.loads(render_findings([], locate, ReportFormat.JSON)) == []


def test_json_gives_place_field_legal_ground_and_fix() -> None:
    items = json.loads(render_findings(findings(), locate, "json"))
    assert len(items) == 5
    assert items[0] == {
        "rule_id": "SKY020",
        "severity": "error",
        "message": "processor 'crm' has no data processing agreement",
        "file": "acme/systems.yaml",
        "line": 10,
        "field": "systems[0].dpa",
        "legal_ground": "GDPR Art. 28(3)",
        "fix": "Sign a data processing agreement and record it under the system's `dpa` "
        "(reference, signed_on, url).",
    }
    assert items[2]["line"] is None
    assert [item["severity"] for item in items] == ["error", "warning", "error", "error", "info"]


def sarif(found: list[Finding], where: Locate = locate) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render_findings(found, where, ReportFormat.SARIF))
    return log


def test_sarif_is_a_2_1_0_log_with_every_rule_in_the_driver() -> None:
    log = sarif(findings())
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "skydd"
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in RULES]


def test_sarif_rules_carry_descriptions_help_and_legal_ground() -> None:
    rules = {rule["id"]: rule for rule in sarif([])["runs"][0]["tool"]["driver"]["rules"]}
    sky032 = rules["SKY032"]
    catalogued = rule_by_id("SKY032")
    assert catalogued is not None
    assert sky032["name"] == "bookkeeping-retention-too-short"
    assert sky032["shortDescription"] == {"text": catalogued.title}
    assert sky032["fullDescription"] == {"text": catalogued.description}
    assert sky032["helpUri"] == "docs/lint-rules.md#sky032"
    assert sky032["help"] == {"text": catalogued.fix}
    assert sky032["defaultConfiguration"] == {"level": "error"}
    assert sky032["properties"]["legal_ground"] == catalogued.legal_ground
    assert rules["SKY079"]["defaultConfiguration"] == {"level": "note"}


def test_sarif_results_have_levels_messages_and_locations() -> None:
    run = sarif(findings())["runs"][0]
    results = run["results"]
    assert len(results) == 5
    assert [r["ruleId"] for r in results] == ["SKY020", "SKY024", "SKY076", "SKY077", "SKY079"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "error", "note"]
    first = results[0]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "SKY020"
    assert first["message"] == {"text": "processor 'crm' has no data processing agreement"}
    [location] = first["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "acme/systems.yaml"},
        "region": {"startLine": 10},
    }
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "systems[0].dpa", "kind": "member"}
    ]
    unlocated = results[2]["locations"][0]["physicalLocation"]
    assert unlocated == {"artifactLocation": {"uri": "acme/register%20d.yaml"}}
    fingerprints = {r["partialFingerprints"]["skyddFinding/v1"] for r in results}
    assert len(fingerprints) == 5


def test_a_docs_base_can_be_given_for_absolute_help_links() -> None:
    base = "https://skydd.example.com/lint-rules"
    log = json.loads(render_findings([], locate, "sarif", docs_uri=base))
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] == f"{base}#sky001"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"):
        render_findings([], locate, "xml")


def test_summary_counts_each_severity() -> None:
    assert summary(findings()) == "3 errors, 1 warning, 1 info"
    assert summary([]) == "0 errors, 0 warnings, 0 info"


@pytest.mark.promise("P2")
def test_mestros_register_reports_its_two_support_addresses_at_their_line() -> None:
    loaded = read_register(ROOT / "examples" / "mestro")
    found = [f for f in lint_register(loaded.register) if f.rule_id in {"SKY040", "SKY041"}]
    assert [f.rule_id for f in found] == ["SKY040", "SKY041"]
    results = sarif(found, loaded.locate)["runs"][0]["results"]
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "mestro/organisation.yaml"
        assert physical["region"]["startLine"] > 1
        assert "@" not in result["message"]["text"]
