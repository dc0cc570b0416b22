"""Compliance findings as reports: a line per finding, JSON, or SARIF 2.1.0.

Findings know the register field they are about, not the file; the caller hands
in ``locate`` (``LoadedRegister.locate`` from the YAML loader) so every format
can point at file and line. Text is for people and editors (``file:line:``
jumps), JSON for scripts, SARIF for code-scanning tools that annotate pull
requests. All three keep the order of the findings given, which
:func:`skydd.domain.compliance.lint_register` makes deterministic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from skydd import __version__
from skydd.domain.compliance import RULES, Finding, Rule, Severity
from skydd.domain.register import FieldPath, dotted_path

Locate = Callable[[FieldPath], tuple[str, int | None]]
"""Maps a register field path to the file and (if known) line it was written on."""

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
DOCS_URI = "docs/lint-rules.md"
"""Where each rule is documented; the anchor is the lowercased rule id."""

_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


class ReportFormat(StrEnum):
    """The formats ``skydd register check --format`` offers."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def render_findings(
    findings: Sequence[Finding],
    locate: Locate,
    fmt: ReportFormat | str,
    *,
    rules: Sequence[Rule] = RULES,
    docs_uri: str = DOCS_URI,
) -> str:
    """Render ``findings`` in ``fmt``; ``rules`` supplies legal grounds and fixes."""
    report = ReportFormat(fmt)
    if report is ReportFormat.TEXT:
        return render_text(findings, locate)
    catalogue = {rule.id: rule for rule in rules}
    if report is ReportFormat.JSON:
        return render_json(findings, locate, catalogue)
    return render_sarif(findings, locate, catalogue, docs_uri=docs_uri)


def render_text(findings: Sequence[Finding], locate: Locate) -> str:
    """One line per finding: ``file:line: SEVERITY RULEID message``."""
    lines = []
    for finding in findings:
        file, line = locate(finding.path)
        where = f"{file}:{line}" if line is not None else file
        severity = finding.severity.upper()
        lines.append(f"{where}: {severity} {finding.rule_id} {finding.message}")
    return "".join(f"{line}\n" for line in lines)


def summary(findings: Sequence[Finding]) -> str:
    """A count per severity, e.g. ``2 errors, 1 warning, 0 info``."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, "
        f"{counts[Severity.INFO]} info"
    )


def render_json(findings: Sequence[Finding], locate: Locate, catalogue: dict[str, Rule]) -> str:
    """A JSON list of findings, each with its place, legal ground and documented fix."""
    items = []
    for finding in findings:
        file, line = locate(finding.path)
        rule = catalogue[finding.rule_id]
        items.append(
            {
                "rule_id": finding.rule_id,
                "severity": str(finding.severity),
                "message": finding.message,
                "file": file,
                "line": line,
                "field": dotted_path(finding.path),
                "legal_ground": rule.legal_ground,
                "fix": rule.fix,
            }
        )
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def render_sarif(
    findings: Sequence[Finding],
    locate: Locate,
    catalogue: dict[str, Rule],
    *,
    docs_uri: str = DOCS_URI,
) -> str:
    """A SARIF 2.1.0 log with one run: every catalogued rule, and a result per finding."""
    rules = list(catalogue.values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "skydd",
                "version": __version__,
                "informationUri": docs_uri,
                "rules": [_sarif_rule(rule, docs_uri) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(f, locate, index[f.rule_id]) for f in findings],
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _sarif_rule(rule: Rule, docs_uri: str) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "helpUri": f"{docs_uri}#{rule.id.lower()}",
        "help": {"text": rule.fix},
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        "properties": {"legal_ground": rule.legal_ground, "tags": ["compliance", "gdpr"]},
    }


def _sarif_result(finding: Finding, locate: Locate, rule_index: int) -> dict[str, Any]:
    file, line = locate(finding.path)
    field = dotted_path(finding.path)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if line is not None:
        physical["region"] = {"startLine": line}
    fingerprint = hashlib.sha256(f"{finding.rule_id}\0{field}\0{finding.message}".encode())
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": field, "kind": "member"}],
            }
        ],
        "partialFingerprints": {"skyddFinding/v1": fingerprint.hexdigest()},
    }


def _uri(file: str) -> str:
    """A relative file path as a URI reference: forward slashes, reserved bytes escaped."""
    return quote(PurePath(file).as_posix(), safe="/")
