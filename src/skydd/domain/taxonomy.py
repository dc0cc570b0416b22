"""Data categories and data subjects on the fideslang taxonomy, with Art. 9 flags (P8).

An organisation names its own categories (``cv``, ``food_preferences``) and places
each on a fideslang category, so tools that speak fideslang understand them. A
category that is, or may reveal, a special category of Art. 9 (health, religion …)
says so, and then every purpose using it needs an Art. 9(2) condition.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from pydantic import Field, field_validator

from skydd.domain.schema import Key, LocalizedText, RegisterModel


class SpecialCategory(StrEnum):
    """The special categories of personal data of GDPR Art. 9(1)."""

    RACIAL_OR_ETHNIC_ORIGIN = "racial_or_ethnic_origin"
    POLITICAL_OPINIONS = "political_opinions"
    RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS = "religious_or_philosophical_beliefs"
    TRADE_UNION_MEMBERSHIP = "trade_union_membership"
    GENETIC = "genetic"
    BIOMETRIC = "biometric"
    HEALTH = "health"
    SEX_LIFE_OR_ORIENTATION = "sex_life_or_orientation"


class Art9Exposure(StrEnum):
    """Whether a category *is* special or only *may reveal* a special category."""

    IS_SPECIAL = "is_special"
    MAY_REVEAL = "may_reveal"


class Art9Flag(RegisterModel):
    """Marks a data category as special or special-adjacent under Art. 9."""

    exposure: Art9Exposure
    reveals: list[SpecialCategory] = Field(min_length=1)


@cache
def fideslang_data_categories() -> frozenset[str]:
    """Every data category key in the fideslang default taxonomy."""
    return frozenset(c.fides_key for c in DEFAULT_TAXONOMY.data_category)


@cache
def fideslang_data_uses() -> frozenset[str]:
    """Every data use key in the fideslang default taxonomy."""
    return frozenset(u.fides_key for u in DEFAULT_TAXONOMY.data_use)


@cache
def fideslang_data_subjects() -> frozenset[str]:
    """Every data subject key in the fideslang default taxonomy."""
    return frozenset(s.fides_key for s in DEFAULT_TAXONOMY.data_subject)


class DataSubjectCategory(RegisterModel):
    """A kind of person whose data is processed (customer, job applicant …)."""

    key: Key
    name: LocalizedText
    taxonomy: str

    @field_validator("taxonomy")
    @classmethod
    def _on_taxonomy(cls, value: str) -> str:
        if value not in fideslang_data_subjects():
            msg = f"{value!r} is not a fideslang data subject"
            raise ValueError(msg)
        return value


class DataCategory(RegisterModel):
    """A kind of personal data, placed on the fideslang taxonomy."""

    key: Key
    name: LocalizedText
    taxonomy: str
    description: LocalizedText = Field(default_factory=dict)
    art9: Art9Flag | None = None
    bookkeeping_record: bool = False
    sensitive: bool = False

    @field_validator("taxonomy")
    @classmethod
    def _on_taxonomy(cls, value: str) -> str:
        if value not in fideslang_data_categories():
            msg = f"{value!r} is not a fideslang data category"
            raise ValueError(msg)
        return value

    @property
    def needs_art9_condition(self) -> bool:
        """True when a purpose using this category needs an Art. 9(2) condition."""
        return self.art9 is not None

    @property
    def is_sensitive(self) -> bool:
        """Sensitive data is encrypted at rest and shown only to roles that need it."""
        return self.sensitive or self.art9 is not None
