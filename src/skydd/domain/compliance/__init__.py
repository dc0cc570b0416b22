"""The compliance lint: documented rules that read a register and report what it cannot prove.

Pure domain: a register in, findings out. Rendering findings (text, JSON, SARIF)
is the documents layer's job; reading files and exit codes the CLI's.
"""

from skydd.domain.compliance.catalogue import RULES, lint_register, rule_by_id
from skydd.domain.compliance.findings import Finding, Rule, Severity, exit_code_for

__all__ = ["RULES", "Finding", "Rule", "Severity", "exit_code_for", "lint_register", "rule_by_id"]
