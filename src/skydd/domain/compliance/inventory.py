"""Rules on the data inventory: every category has a purpose, every purpose a place (P8, P15).

Data without a purpose breaks purpose limitation; a purpose without data or
without a system is one that subject requests can never reach.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.fides_manifest import placeholders
from skydd.domain.register import Register, dotted_path


def _unused_categories(register: Register) -> Iterator[Hit]:
    used = {key for purpose in register.purposes for key in purpose.data_categories}
    for i, category in enumerate(register.data_categories):
        if category.key not in used:
            yield (
                ("data_categories", i),
                f"data category '{category.key}' is used by no purpose",
            )


def _purpose_without_data(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if not purpose.data_subjects:
            yield (
                ("purposes", i, "data_subjects"),
                f"purpose '{purpose.key}' names no data subjects",
            )
        if not purpose.data_categories:
            yield (
                ("purposes", i, "data_categories"),
                f"purpose '{purpose.key}' names no data categories",
            )


def _purpose_without_system(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if not register.systems_for(purpose.key):
            yield ("purposes", i), f"purpose '{purpose.key}' is served by no registered system"


def _import_placeholders(register: Register) -> Iterator[Hit]:
    for path in placeholders(register):
        yield path, f"{dotted_path(path)} still holds an import placeholder (TODO or country ZZ)"


DATA_CATEGORY_UNUSED = Rule(
    id="SKY065",
    name="data-category-unused",
    title="Data category used by no purpose",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 5(1)(b), Art. 5(1)(c)",
    description="Data collected but used by no purpose has no lawful reason to exist, and no "
    "retention rule will ever erase it.",
    fix="Add the category to the purposes that use it, or remove the category (and stop "
    "collecting it).",
    check=_unused_categories,
)

PURPOSE_WITHOUT_SUBJECTS_OR_CATEGORIES = Rule(
    id="SKY066",
    name="purpose-without-subjects-or-categories",
    title="Purpose without data subjects or data categories",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 30(1)(c), Art. 14(1)(d)",
    description="The record of processing lists, per purpose, whose data and which data; a "
    "purpose missing either cannot be recorded, retained or searched.",
    fix="List the purpose's `data_subjects` and `data_categories`.",
    check=_purpose_without_data,
)

PURPOSE_WITHOUT_SYSTEM = Rule(
    id="SKY067",
    name="purpose-without-system",
    title="Purpose served by no system",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 15, Art. 17, Art. 30(1)",
    description="Access and erasure requests walk the systems of each purpose (P15, P17); a "
    "purpose with no system has data that no request reaches.",
    fix="Add the purpose to the `purposes` of each system (internal or processor) that "
    "processes its data.",
    check=_purpose_without_system,
)

IMPORT_PLACEHOLDER = Rule(
    id="SKY068",
    name="import-placeholder",
    title="Field still holds an import placeholder",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 5(2), Art. 30(1)",
    description="`skydd register import-fides` fills what a fideslang manifest cannot say "
    "(purpose texts, hosting countries) with `TODO:` texts and the unknown country `ZZ`; "
    "a register holding them would publish placeholders as facts.",
    fix="Replace each `TODO:` text with the organisation's own words and each `ZZ` with the "
    "real ISO 3166 country code.",
    check=_import_placeholders,
)

RULES: tuple[Rule, ...] = (
    DATA_CATEGORY_UNUSED,
    PURPOSE_WITHOUT_SUBJECTS_OR_CATEGORIES,
    PURPOSE_WITHOUT_SYSTEM,
    IMPORT_PLACEHOLDER,
)
