"""Rules on special categories of personal data (GDPR Art. 9).

Processing of Art. 9 data is forbidden unless one of the Art. 9(2) conditions
applies, in addition to an Art. 6 basis. A category that only *may reveal*
health or religion (food preferences at an event) counts: the register flags
it, and every purpose using it must name the condition it relies on.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.purposes import Art9Condition, LegalBasis, Purpose
from skydd.domain.register import Register


def _special_keys(register: Register, purpose: Purpose) -> list[tuple[int, str, str]]:
    """The purpose's Art. 9 categories as ``(index, key, what they reveal)``."""
    found = []
    for j, key in enumerate(purpose.data_categories):
        category = register.data_category(key)
        if category is not None and category.art9 is not None:
            reveals = ", ".join(str(s) for s in category.art9.reveals)
            found.append((j, key, f"{category.art9.exposure} {reveals}"))
    return found


def _art9_without_condition(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if purpose.art9_condition is not None:
            continue
        for j, key, reveals in _special_keys(register, purpose):
            yield (
                ("purposes", i, "data_categories", j),
                f"purpose '{purpose.key}' uses '{key}' ({reveals}) "
                "but names no Art. 9(2) condition",
            )


def _explicit_consent_without_consent(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        explicit = purpose.art9_condition is Art9Condition.EXPLICIT_CONSENT
        if explicit and not purpose.rests_on(LegalBasis.CONSENT):
            yield (
                ("purposes", i, "art9_condition"),
                f"purpose '{purpose.key}' relies on explicit consent for Art. 9 data "
                "but does not rest on consent",
            )


def _condition_without_special_data(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if purpose.art9_condition is not None and not _special_keys(register, purpose):
            yield (
                ("purposes", i, "art9_condition"),
                f"purpose '{purpose.key}' names an Art. 9(2) condition "
                "but uses no special category",
            )


ART9_WITHOUT_CONDITION = Rule(
    id="SKY010",
    name="art9-without-condition",
    title="Special category data without an Art. 9(2) condition",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 9(1), Art. 9(2)",
    description="A purpose that uses a data category flagged `art9` (it is, or may reveal, a "
    "special category) must name the Art. 9(2) condition that lifts the ban.",
    fix="Set `art9_condition` on the purpose (e.g. explicit_consent), or remove the special "
    "category from the purpose.",
    check=_art9_without_condition,
)

EXPLICIT_CONSENT_WITHOUT_CONSENT_BASIS = Rule(
    id="SKY011",
    name="explicit-consent-without-consent-basis",
    title="Explicit consent claimed but no consent collected",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 9(2)(a), Art. 7",
    description="Explicit consent as Art. 9(2) condition only exists when the purpose actually "
    "collects consent; otherwise there is nothing to record, prove or withdraw.",
    fix="Add a consent claim to the purpose's `legal_bases` (with withdrawal channels), or "
    "choose the Art. 9(2) condition that really applies.",
    check=_explicit_consent_without_consent,
)

ART9_CONDITION_WITHOUT_SPECIAL_DATA = Rule(
    id="SKY012",
    name="art9-condition-without-special-data",
    title="Art. 9(2) condition on a purpose without special category data",
    severity=Severity.INFO,
    legal_ground="GDPR Art. 5(1)(a), Art. 9(2)",
    description="A condition with nothing to apply to usually means a category lost its `art9` "
    "flag, or the policy will claim sensitive processing that does not happen.",
    fix="Flag the special category with `art9` on the data category, or remove `art9_condition` "
    "from the purpose.",
    check=_condition_without_special_data,
)

RULES: tuple[Rule, ...] = (
    ART9_WITHOUT_CONDITION,
    EXPLICIT_CONSENT_WITHOUT_CONSENT_BASIS,
    ART9_CONDITION_WITHOUT_SPECIAL_DATA,
)
