"""The register of processing as code: one organisation's whole register (P1–P15).

A :class:`Register` is a value: loaded from YAML by an adapter, checked by the
compliance lint, rendered as the policy and the Art. 30 record. Structural
validity (types, unknown keys) is pydantic's job; :func:`dangling_references`
finds keys that point at nothing, with the field path of each, among them what the
SQL connector would refuse in the datasets (:mod:`skydd.domain.register_datasets`).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from fideslang.models import Dataset
from pydantic import Field

from skydd.domain.cookies import Tracker
from skydd.domain.organisation import Organisation
from skydd.domain.policy_text import PolicyText
from skydd.domain.processors import System
from skydd.domain.purposes import Purpose
from skydd.domain.register_datasets import dataset_problems
from skydd.domain.retention import RetentionRule
from skydd.domain.roles import RoleDefinition, dangling_role_references
from skydd.domain.schema import Key, LanguageCode, LocalizedText, RegisterModel
from skydd.domain.taxonomy import DataCategory, DataSubjectCategory

FieldPath = tuple[str | int, ...]


def dotted_path(path: FieldPath) -> str:
    """A field path as people write it: ``systems[3].dpa``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "-"


KEYED_SECTIONS: tuple[str, ...] = (
    "purposes",
    "data_categories",
    "data_subjects",
    "systems",
    "recipients",
    "retention",
    "cookies",
)
"""The register's list sections whose entries carry a ``key``."""


class RecipientKind(StrEnum):
    """Recipients other than processors (Art. 13(1)(e), Art. 30(1)(d))."""

    AUTHORITY = "authority"
    CONTROLLER = "controller"
    FINANCIAL_INSTITUTION = "financial_institution"


class Recipient(RegisterModel):
    """A recipient that is not a processor, e.g. the tax agency or a bank."""

    key: Key
    name: LocalizedText
    kind: RecipientKind
    purposes: list[Key] = Field(default_factory=list)
    data_categories: list[Key] = Field(default_factory=list)


class Register(RegisterModel):
    """One organisation's register of processing, complete."""

    organisation: Organisation
    data_subjects: list[DataSubjectCategory] = Field(default_factory=list)
    data_categories: list[DataCategory] = Field(default_factory=list)
    purposes: list[Purpose] = Field(default_factory=list)
    systems: list[System] = Field(default_factory=list)
    recipients: list[Recipient] = Field(default_factory=list)
    retention: list[RetentionRule] = Field(default_factory=list)
    cookies: list[Tracker] = Field(default_factory=list)
    policy: dict[LanguageCode, PolicyText] = Field(default_factory=dict)
    datasets: list[Dataset] = Field(default_factory=list)
    roles: list[RoleDefinition] = Field(default_factory=list)

    def purpose(self, key: str) -> Purpose | None:
        """The purpose with ``key``, if any."""
        return next((p for p in self.purposes if p.key == key), None)

    def data_category(self, key: str) -> DataCategory | None:
        """The data category with ``key``, if any."""
        return next((c for c in self.data_categories if c.key == key), None)

    def data_subject(self, key: str) -> DataSubjectCategory | None:
        """The data subject category with ``key``, if any."""
        return next((s for s in self.data_subjects if s.key == key), None)

    def system(self, key: str) -> System | None:
        """The system with ``key``, if any."""
        return next((s for s in self.systems if s.key == key), None)

    def processors(self) -> list[System]:
        """Systems run by processors, in register order."""
        return [s for s in self.systems if s.is_processor]

    def systems_for(self, purpose_key: str) -> list[System]:
        """Systems that process data for ``purpose_key``."""
        return [s for s in self.systems if purpose_key in s.purposes]

    def retention_for(self, purpose_key: str, category_key: str) -> list[RetentionRule]:
        """Retention rules covering ``category_key`` under ``purpose_key``."""
        return [
            r
            for r in self.retention
            if r.purpose == purpose_key and category_key in r.data_categories
        ]


def dangling_references(register: Register) -> list[tuple[FieldPath, str]]:
    """Every key that refers to nothing, as ``(field path, message)``."""
    return list(_dangling(register))


def _dangling(reg: Register) -> Iterator[tuple[FieldPath, str]]:
    purposes = {p.key for p in reg.purposes}
    categories = {c.key for c in reg.data_categories}
    subjects = {s.key for s in reg.data_subjects}
    systems = {s.key for s in reg.systems}
    datasets = {d.fides_key for d in reg.datasets}
    contacts = {c.key for c in reg.organisation.contact_points}
    languages = set(reg.organisation.languages)

    def check(
        path: FieldPath, keys: list[str], known: set[str], what: str
    ) -> Iterator[tuple[FieldPath, str]]:
        for i, key in enumerate(keys):
            if key not in known:
                yield (*path, i), f"unknown {what} {key!r}"

    org = reg.organisation
    if org.dpo and org.dpo.contact_point not in contacts:
        yield (
            ("organisation", "dpo", "contact_point"),
            f"unknown contact point {org.dpo.contact_point!r}",
        )
    if org.intake_contact and org.intake_contact not in contacts:
        yield ("organisation", "intake_contact"), f"unknown contact point {org.intake_contact!r}"
    for i, joint in enumerate(org.joint_controllers):
        path = ("organisation", "joint_controllers", i, "purposes")
        yield from check(path, joint.purposes, purposes, "purpose")
    for i, p in enumerate(reg.purposes):
        yield from check(
            ("purposes", i, "data_subjects"), p.data_subjects, subjects, "data subject"
        )
        yield from check(
            ("purposes", i, "data_categories"), p.data_categories, categories, "data category"
        )
    for i, s in enumerate(reg.systems):
        yield from check(("systems", i, "purposes"), s.purposes, purposes, "purpose")
        yield from check(
            ("systems", i, "data_categories"), s.data_categories, categories, "data category"
        )
        yield from check(("systems", i, "datasets"), s.datasets, datasets, "dataset")
    for i, r in enumerate(reg.recipients):
        yield from check(("recipients", i, "purposes"), r.purposes, purposes, "purpose")
        yield from check(
            ("recipients", i, "data_categories"), r.data_categories, categories, "data category"
        )
    for i, rule in enumerate(reg.retention):
        yield from check(("retention", i, "purpose"), [rule.purpose], purposes, "purpose")
        yield from check(
            ("retention", i, "data_categories"), rule.data_categories, categories, "data category"
        )
    for i, t in enumerate(reg.cookies):
        if t.purpose:
            yield from check(("cookies", i, "purpose"), [t.purpose], purposes, "purpose")
        if t.system:
            yield from check(("cookies", i, "system"), [t.system], systems, "system")
    for lang in reg.policy:
        if lang not in languages:
            yield ("policy", lang), f"language {lang!r} is not among the organisation's languages"
    yield from dangling_role_references(reg, reg.roles)
    yield from dataset_problems(reg.datasets, reg.systems)
    yield from _duplicate_keys(reg)


def _duplicate_keys(reg: Register) -> Iterator[tuple[FieldPath, str]]:
    sections: dict[str, list[str]] = {
        "data_subjects": [s.key for s in reg.data_subjects],
        "data_categories": [c.key for c in reg.data_categories],
        "purposes": [p.key for p in reg.purposes],
        "systems": [s.key for s in reg.systems],
        "recipients": [r.key for r in reg.recipients],
        "retention": [r.key for r in reg.retention],
        "cookies": [c.key for c in reg.cookies],
    }
    for section, keys in sections.items():
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key in seen:
                yield (section, i, "key"), f"duplicate key {key!r}"
            seen.add(key)
