"""What the compliance lint reports: findings, their severity, and the rules that find them.

A rule is data plus a pure check. The data (id, legal ground, the documented fix)
is what people read in ``docs/lint-rules.md`` and what SARIF viewers show; the
check only says *where* and *what*, so a rule can never report under another
rule's id or severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from skydd.domain.register import FieldPath, Register

EXIT_CLEAN = 0
"""Exit code of ``skydd register check`` when nothing that blocks was found."""

EXIT_FINDINGS = 1
"""Exit code when at least one error or warning was found."""

EXIT_INVALID_INPUT = 2
"""Exit code when the register could not be read at all (set by the CLI, not here)."""


class Severity(StrEnum):
    """How much a finding matters; errors and warnings fail the check, info does not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def blocks(self) -> bool:
        """True when a finding of this severity makes the check fail.

        Warnings block too: each one is a promise the register cannot yet prove,
        and a lint that passes with open warnings teaches people to ignore it.
        Info findings are prompts for a human review and never block.
        """
        return self is not Severity.INFO


Hit = tuple[FieldPath, str]
"""What a check yields: the register field a finding is about, and its message."""

Check = Callable[[Register], Iterable[Hit]]
"""A pure function from a register to the places where one rule is broken."""


@dataclass(frozen=True)
class Finding:
    """One broken rule at one place in the register.

    The message names the place by register keys only, never by personal data,
    so findings may be logged, stored in CI artefacts and shown in pull requests.
    """

    rule_id: str
    severity: Severity
    message: str
    path: FieldPath


@dataclass(frozen=True)
class Rule:
    """A documented compliance rule: what it checks, why (the law) and how to fix it."""

    id: str
    name: str
    title: str
    severity: Severity
    legal_ground: str
    description: str
    fix: str
    check: Check = field(repr=False, compare=False)

    def run(self, register: Register) -> list[Finding]:
        """Every finding of this rule on ``register``, in the order the check found them."""
        return [
            Finding(self.id, self.severity, message, path) for path, message in self.check(register)
        ]


def exit_code_for(findings: Iterable[Finding]) -> int:
    """The process exit code for a check: 1 if anything blocks, else 0."""
    blocking = any(f.severity.blocks for f in findings)
    return EXIT_FINDINGS if blocking else EXIT_CLEAN


def path_sort_key(path: FieldPath) -> tuple[tuple[int, int, str], ...]:
    """An order over field paths that mixes ints and strs without comparing them."""
    return tuple((0, step, "") if isinstance(step, int) else (1, 0, step) for step in path)


def finding_sort_key(finding: Finding) -> tuple[object, ...]:
    """Findings are ordered by rule, then place, then message: stable across runs."""
    return (finding.rule_id, path_sort_key(finding.path), finding.message)


def listed(keys: Iterable[str]) -> str:
    """Keys quoted and joined for a message: ``'a', 'b'``."""
    return ", ".join(f"'{key}'" for key in keys)
