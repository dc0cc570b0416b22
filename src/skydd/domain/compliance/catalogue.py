"""The catalogue of compliance rules and the one function that runs them all.

Rule ids are stable: they appear in CI logs, SARIF uploads and suppressions, so
a retired rule's id is never reused. Ids are grouped by concept in tens
(SKY00x legal bases, SKY01x Art. 9, SKY02x processors, SKY03x retention,
SKY04x contacts, SKY05x policy texts, SKY06x cookies and inventory, SKY07x
Art. 13), which is also the order of ``docs/lint-rules.md``.
"""

from __future__ import annotations

from skydd.domain.compliance import (
    bases,
    contacts,
    cookies,
    inventory,
    policy_text,
    processors,
    retention,
    special_categories,
    transparency,
)
from skydd.domain.compliance.findings import Finding, Rule, finding_sort_key
from skydd.domain.register import Register

RULES: tuple[Rule, ...] = (
    *bases.RULES,
    *special_categories.RULES,
    *processors.RULES,
    *retention.RULES,
    *contacts.RULES,
    *policy_text.RULES,
    *cookies.RULES,
    *inventory.RULES,
    *transparency.RULES,
)
"""Every rule, in id order."""


def rule_by_id(rule_id: str) -> Rule | None:
    """The rule with ``rule_id``, if there is one."""
    return next((rule for rule in RULES if rule.id == rule_id), None)


def lint_register(register: Register, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Run ``rules`` on ``register``: every finding once, ordered by rule, place and message.

    The order is total and independent of dict or set iteration, so two runs on the
    same register give byte-identical reports (diffable in CI).
    """
    findings = {finding for rule in rules for finding in rule.run(register)}
    return sorted(findings, key=finding_sort_key)
