"""The controller, its data protection officer and its contact points (P1, P2)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from skydd.domain.schema import CountryCode, Email, Key, LanguageCode, LocalizedText, RegisterModel


class ContactRole(StrEnum):
    """What a contact point is for; a policy names one address per role."""

    DPO = "dpo"
    PRIVACY_REQUESTS = "privacy_requests"
    QUESTIONS = "questions"
    SUPPORT = "support"
    GENERAL = "general"


class Address(RegisterModel):
    """A postal address of the controller or its representative."""

    street: str
    postal_code: str
    city: str
    country: CountryCode


class ContactPoint(RegisterModel):
    """An address people are told to write to, with the roles it serves."""

    key: Key
    email: Email
    phone: str | None = None
    roles: list[ContactRole] = Field(min_length=1)
    description: LocalizedText = Field(default_factory=dict)


class DataProtectionOfficer(RegisterModel):
    """The DPO (Art. 37–39) and the contact point through which people reach them."""

    name: str
    contact_point: Key
    mandate: LocalizedText = Field(default_factory=dict)


class SupervisoryAuthority(RegisterModel):
    """The authority people may complain to (Art. 13(2)(d)), e.g. IMY in Sweden."""

    name: LocalizedText
    website: str
    country: CountryCode


class JointController(RegisterModel):
    """A controller deciding purposes and means together with us (Art. 26)."""

    name: str
    email: Email
    purposes: list[Key] = Field(min_length=1)
    arrangement: LocalizedText = Field(default_factory=dict)


class Representative(RegisterModel):
    """The representative in the Union of a controller established outside it (Art. 27)."""

    name: str
    email: Email
    address: Address


class MonthDay(RegisterModel):
    """A day of the year without a year, e.g. the last day of the fiscal year."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _day_exists(self) -> MonthDay:
        longest = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(self.month, 31)
        if self.day > longest:
            msg = f"month {self.month} has no day {self.day}"
            raise ValueError(msg)
        return self


class Organisation(RegisterModel):
    """The controller (Art. 4(7)): who decides purposes and means (P1)."""

    key: Key
    name: str
    legal_name: str
    org_number: str | None = None
    country: CountryCode
    address: Address
    website: str | None = None
    languages: list[LanguageCode] = Field(min_length=1)
    default_language: LanguageCode
    updated_on: dt.date | None = None
    dpo: DataProtectionOfficer | None = None
    contact_points: list[ContactPoint] = Field(default_factory=list)
    intake_contact: Key | None = None
    joint_controllers: list[JointController] = Field(default_factory=list)
    representative: Representative | None = None
    supervisory_authority: SupervisoryAuthority | None = None
    fiscal_year_end: MonthDay = MonthDay(month=12, day=31)
    security_measures: list[LocalizedText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_language_is_published(self) -> Organisation:
        if self.default_language not in self.languages:
            msg = f"default_language {self.default_language!r} is not among languages"
            raise ValueError(msg)
        return self

    def contact_point(self, key: str) -> ContactPoint | None:
        """The contact point with ``key``, if any."""
        return next((c for c in self.contact_points if c.key == key), None)

    def contacts_for(self, role: ContactRole) -> list[ContactPoint]:
        """Every contact point serving ``role``, in register order."""
        return [c for c in self.contact_points if role in c.roles]

    def intake(self) -> ContactPoint | None:
        """The one address that receives privacy requests (P2)."""
        if self.intake_contact:
            return self.contact_point(self.intake_contact)
        requests = self.contacts_for(ContactRole.PRIVACY_REQUESTS)
        return requests[0] if requests else None

    def dpo_contact(self) -> ContactPoint | None:
        """The contact point of the DPO, if a DPO is named."""
        return self.contact_point(self.dpo.contact_point) if self.dpo else None
