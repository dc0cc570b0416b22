"""docs/lint-rules.md documents every rule exactly as the code defines it.

The legal ground and the fix are the parts people act on, so they must match the
catalogue word for word; the example finding of each section must be what the
rule really reports for the register change its firing test makes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skydd.domain.compliance import RULES, lint_register
from skydd.domain.compliance.findings import Rule
from skydd.domain.compliance.transparency import ART13_COVERAGE
from tests.domain.compliance.test_compliance_rules import BASE, FIRING

DOC = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
HEADING = re.compile(r"^## (SKY\d{3}) ", re.MULTILINE)


def sections() -> dict[str, str]:
    """Each rule section's text, by rule id, from its heading to the next rule's anchor."""
    text = DOC.read_text(encoding="utf-8")
    starts = [(m.group(1), m.start()) for m in HEADING.finditer(text)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {rule_id: text[start:end] for (rule_id, start), end in zip(starts, ends, strict=True)}


def test_the_doc_has_one_section_per_rule_and_no_others() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = [m.group(1) for m in HEADING.finditer(text)]
    assert found == [rule.id for rule in RULES]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_section_states_the_rules_legal_ground_and_fix(rule: Rule) -> None:
    section = sections()[rule.id]
    assert section.startswith(f"## {rule.id} {rule.name}\n")
    assert f"- **Severity:** {rule.severity}\n" in section
    assert f"- **Legal ground:** {rule.legal_ground}\n" in section
    assert f"**What it checks.** {rule.description}\n" in section
    assert f"**Fix.** {rule.fix}\n" in section


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_section_has_an_anchor_for_help_links(rule: Rule) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f'<a id="{rule.id.lower()}"></a>\n\n## {rule.id} ' in text


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_example_shows_what_the_rule_really_reports(rule: Rule) -> None:
    mutate, _ = FIRING[rule.id]
    message = next(f.message for f in lint_register(mutate(BASE)) if f.rule_id == rule.id)
    expected = f"```text\n{rule.severity.upper()} {rule.id} {message}\n```"
    assert expected in sections()[rule.id]


def test_the_art13_table_lists_every_item_with_its_rules() -> None:
    text = DOC.read_text(encoding="utf-8")
    for item, rule_ids in ART13_COVERAGE.items():
        links = ", ".join(f"[{rule_id}](#{rule_id.lower()})" for rule_id in rule_ids)
        assert f"| {item} | {links} |" in text


def test_the_exit_code_choice_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "| `1` | at least one `error` or `warning` |" in text
    assert "| `0` | no findings, or only `info` findings |" in text
