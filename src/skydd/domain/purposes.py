"""Purposes of processing with their legal bases (P3–P7)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from skydd.domain.schema import Key, LocalizedText, RegisterModel
from skydd.domain.taxonomy import fideslang_data_uses


class LegalBasis(StrEnum):
    """The six lawful bases of GDPR Art. 6(1), points (a)–(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    @property
    def article(self) -> str:
        """The citation, e.g. ``Art. 6(1)(a)``."""
        point = "abcdef"[list(LegalBasis).index(self)]
        return f"Art. 6(1)({point})"


class Art9Condition(StrEnum):
    """The conditions of Art. 9(2), points (a)–(j), that lift the Art. 9(1) ban."""

    EXPLICIT_CONSENT = "explicit_consent"
    EMPLOYMENT_AND_SOCIAL_SECURITY = "employment_and_social_security"
    VITAL_INTERESTS = "vital_interests"
    NOT_FOR_PROFIT_BODY = "not_for_profit_body"
    MADE_PUBLIC = "made_public"
    LEGAL_CLAIMS = "legal_claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"
    HEALTH_OR_SOCIAL_CARE = "health_or_social_care"
    PUBLIC_HEALTH = "public_health"
    ARCHIVING_RESEARCH_STATISTICS = "archiving_research_statistics"

    @property
    def article(self) -> str:
        """The citation, e.g. ``Art. 9(2)(a)``."""
        point = "abcdefghij"[list(Art9Condition).index(self)]
        return f"Art. 9(2)({point})"


class Channel(StrEnum):
    """How data reaches the organisation, or how a person reaches it to withdraw."""

    PHONE = "phone"
    EMAIL = "email"
    SOCIAL_MEDIA = "social_media"
    WEBSITE = "website"
    WEB_FORM = "web_form"
    EVENT = "event"
    IN_PERSON = "in_person"
    POSTAL_MAIL = "postal_mail"
    PRODUCT = "product"
    PRIVACY_CENTER = "privacy_center"
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    COOKIE_BANNER = "cookie_banner"


class BasisClaim(RegisterModel):
    """One legal basis a purpose rests on, for what part of it, with its evidence."""

    basis: LegalBasis
    applies_to: LocalizedText = Field(default_factory=dict)
    balancing_test: str | None = None
    law: str | None = None


class DataSource(RegisterModel):
    """Where a purpose's data comes from when not from the person (Art. 14(2)(f), 15(1)(g))."""

    description: LocalizedText
    publicly_accessible: bool = False


class Purpose(RegisterModel):
    """A purpose of processing: why, on which basis, about whom, which data, how."""

    key: Key
    name: LocalizedText
    description: LocalizedText
    legal_bases: list[BasisClaim] = Field(default_factory=list)
    data_subjects: list[Key] = Field(default_factory=list)
    data_categories: list[Key] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    withdrawal_channels: list[Channel] = Field(default_factory=list)
    sources: list[DataSource] = Field(default_factory=list)
    art9_condition: Art9Condition | None = None
    data_use: str
    automated_decisions: bool = False
    statutory_or_contractual_requirement: LocalizedText = Field(default_factory=dict)

    @property
    def is_direct_marketing(self) -> bool:
        """True when its fideslang data use is ``marketing`` or below it (Art. 21(2)-(3))."""
        return self.data_use.split(".")[0] == "marketing"

    @field_validator("data_use")
    @classmethod
    def _on_taxonomy(cls, value: str) -> str:
        if value not in fideslang_data_uses():
            msg = f"{value!r} is not a fideslang data use"
            raise ValueError(msg)
        return value

    def bases(self) -> list[LegalBasis]:
        """The legal bases this purpose rests on, in register order."""
        return [claim.basis for claim in self.legal_bases]

    def rests_on(self, basis: LegalBasis) -> bool:
        """True when ``basis`` is one of this purpose's legal bases."""
        return basis in self.bases()
