"""The rule catalogue itself: stable ids, complete metadata, deterministic output, exit codes."""

from __future__ import annotations

import re

import pytest

from skydd.domain.compliance import (
    RULES,
    Finding,
    Severity,
    exit_code_for,
    lint_register,
    rule_by_id,
)
from skydd.domain.compliance.findings import Rule
from skydd.domain.compliance.transparency import ART13_COVERAGE
from skydd.domain.register import Register, dotted_path
from tests.factories import make_register, replace_item, replace_organisation


def broken_register() -> Register:
    """A register breaking many rules at once, with personal data where the model allows it."""
    register = make_register()
    register = replace_organisation(register, dpo=None, supervisory_authority=None)
    register = replace_item(register, "purposes", "newsletter", withdrawal_channels=[])
    register = replace_item(register, "purposes", "events", art9_condition=None)
    register = replace_item(register, "systems", "crm", dpa=None, vendor=None)
    return replace_item(register, "retention", "inquiries", trigger=None)


def test_the_catalogue_has_46_rules_with_unique_ids_in_order() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == 46
    assert ids == sorted(set(ids))
    assert all(re.fullmatch(r"SKY\d{3}", rule_id) for rule_id in ids)


def test_rule_names_are_unique_slugs() -> None:
    names = [rule.name for rule in RULES]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_is_documented_in_full(rule: Rule) -> None:
    assert rule.title
    assert rule.description.endswith(".")
    assert rule.fix.endswith(".")
    assert rule.legal_ground
    assert rule_by_id(rule.id) is rule


def test_every_art13_item_is_guarded_by_existing_rules() -> None:
    assert len(ART13_COVERAGE) == 12
    for rule_ids in ART13_COVERAGE.values():
        assert rule_ids
        assert all(rule_by_id(rule_id) is not None for rule_id in rule_ids)


def test_findings_are_sorted_by_rule_then_path_and_identical_across_runs() -> None:
    findings = lint_register(broken_register())
    assert [f.rule_id for f in findings] == [
        "SKY002", "SKY010", "SKY020", "SKY024", "SKY031", "SKY042", "SKY077",
    ]  # fmt: skip
    assert findings == lint_register(broken_register())


def test_a_rule_run_twice_reports_each_finding_once() -> None:
    assert lint_register(broken_register(), rules=RULES + RULES) == lint_register(broken_register())


@pytest.mark.parametrize(
    ("severities", "code"),
    [
        ((), 0),
        ((Severity.INFO,), 0),
        ((Severity.INFO, Severity.WARNING), 1),
        ((Severity.ERROR,), 1),
    ],
)
def test_exit_code_fails_on_errors_and_warnings_but_not_on_info(
    severities: tuple[Severity, ...], code: int
) -> None:
    findings = [Finding("SKY000", severity, "m", ()) for severity in severities]
    assert exit_code_for(findings) == code


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "-"),
        (("organisation",), "organisation"),
        (("systems", 3, "dpa"), "systems[3].dpa"),
        (("policy", "sv", "named_processors", 0), "policy.sv.named_processors[0]"),
    ],
)
def test_field_paths_read_as_people_write_them(path: tuple[str | int, ...], text: str) -> None:
    assert dotted_path(path) == text
