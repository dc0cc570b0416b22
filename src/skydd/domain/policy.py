"""Published policy versions and what changed between them (P20).

A published version is immutable: its renditions (language × format) are fixed and
their content hash proves it. What changed is told twice: in substance, computed
from the two registers (a processor added, a retention period changed), and in
text, as a unified diff of the rendered Markdown.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from skydd.domain.register import KEYED_SECTIONS, Register
from skydd.domain.schema import RegisterModel

RenditionKey = tuple[str, str]
"""``(language, format)`` of one rendition, e.g. ``("sv", "html")``."""

POLICY_FORMATS = ("html", "markdown")


@dataclass(frozen=True)
class PublishedPolicy:
    """One immutable, numbered version of the published policy."""

    number: int
    content_hash: str
    effective_on: dt.date
    published_at: dt.datetime
    register_hash: str
    renditions: Mapping[RenditionKey, str]

    def rendition(self, language: str, fmt: str) -> str | None:
        """The text of one language and format, if published."""
        return self.renditions.get((language, fmt))

    @property
    def languages(self) -> list[str]:
        """The languages this version was published in."""
        return sorted({lang for lang, _ in self.renditions})


def policy_content_hash(renditions: Mapping[RenditionKey, str]) -> str:
    """SHA-256 over every rendition in a canonical order: same text, same hash."""
    canonical = json.dumps(
        [[lang, fmt, text] for (lang, fmt), text in sorted(renditions.items())],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def register_content_hash(register: Register) -> str:
    """SHA-256 of the register's canonical JSON: the same register, the same hash."""
    return hashlib.sha256(register_json(register).encode("utf-8")).hexdigest()


def register_json(register: Register) -> str:
    """The canonical JSON form of a register (sorted keys, no insignificant space)."""
    data = register.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class ChangeKind(StrEnum):
    """Kinds of substantive change a person should be told about."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class PolicyChange:
    """One substantive change: which section, which key, what kind, which field."""

    section: str
    key: str
    kind: ChangeKind
    field: str | None = None
    before: str | None = None
    after: str | None = None

    def describe(self) -> str:
        """A one-line summary, e.g. ``systems 'zapier' added``."""
        text = f"{self.section} {self.key!r} {self.kind.value}"
        if self.field:
            text += f": {self.field} {self.before} → {self.after}"
        return text


_WATCHED_FIELDS: dict[str, tuple[str, ...]] = {
    "purposes": ("legal_bases", "data_categories", "data_subjects", "art9_condition"),
    "systems": ("hosting", "transfers", "purposes", "data_categories", "dpa"),
    "retention": ("period", "trigger", "action", "statutory_hold", "data_categories"),
    "cookies": ("category", "consent_gated", "duration"),
    "data_categories": ("art9", "taxonomy"),
    "recipients": ("purposes", "data_categories"),
    "data_subjects": ("taxonomy",),
}


def substantive_changes(old: Register, new: Register) -> list[PolicyChange]:
    """What changed in substance between two registers, section by section."""
    changes = list(_organisation_changes(old, new))
    for section in KEYED_SECTIONS:
        changes += _section_changes(section, getattr(old, section), getattr(new, section))
    return changes


def _organisation_changes(old: Register, new: Register) -> Iterator[PolicyChange]:
    for field in ("name", "legal_name", "org_number", "address", "dpo", "contact_points"):
        before, after = getattr(old.organisation, field), getattr(new.organisation, field)
        if before != after:
            yield PolicyChange(
                "organisation",
                old.organisation.key,
                ChangeKind.CHANGED,
                field,
                _short(before),
                _short(after),
            )


def _section_changes(
    section: str, old_items: list[RegisterModel], new_items: list[RegisterModel]
) -> Iterator[PolicyChange]:
    old_by_key = {getattr(i, "key", ""): i for i in old_items}
    new_by_key = {getattr(i, "key", ""): i for i in new_items}
    for key in sorted(new_by_key.keys() - old_by_key.keys()):
        yield PolicyChange(section, key, ChangeKind.ADDED)
    for key in sorted(old_by_key.keys() - new_by_key.keys()):
        yield PolicyChange(section, key, ChangeKind.REMOVED)
    for key in sorted(old_by_key.keys() & new_by_key.keys()):
        for field in _WATCHED_FIELDS.get(section, ()):
            before, after = getattr(old_by_key[key], field), getattr(new_by_key[key], field)
            if before != after:
                yield PolicyChange(
                    section, key, ChangeKind.CHANGED, field, _short(before), _short(after)
                )


def _short(value: object) -> str:
    if isinstance(value, RegisterModel):
        return json.dumps(value.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
    if isinstance(value, list):
        return json.dumps(
            [
                v.model_dump(mode="json", exclude_none=True)
                if isinstance(v, RegisterModel)
                else str(v)
                for v in value
            ],
            ensure_ascii=False,
        )
    return "—" if value is None else str(value)


def text_diff(old_text: str, new_text: str, old_label: str, new_label: str) -> str:
    """A unified diff of two renditions, line by line."""
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=old_label,
        tofile=new_label,
    )
    return "".join(lines)
