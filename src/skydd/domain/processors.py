"""Systems and processors: who receives personal data, where, and under what terms (P13–P15)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from skydd.domain.schema import CountryCode, Key, LocalizedText, RegisterModel

EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
"""EU member states plus Iceland, Liechtenstein and Norway: no Chapter V transfer inside."""


def is_in_eea(country: str) -> bool:
    """True when ``country`` (ISO 3166-1 alpha-2) is in the EU/EEA."""
    return country in EEA_COUNTRIES


class SystemKind(StrEnum):
    """Whether the organisation runs the system itself or a processor runs it."""

    INTERNAL = "internal"
    PROCESSOR = "processor"


class ProcessorService(StrEnum):
    """What a processor does for the controller, as the policy describes it (P13)."""

    FULFILMENT = "fulfilment"
    ANALYSIS = "analysis"
    STORAGE = "storage"
    EMAIL_SENDING = "email_sending"
    COMMUNICATION = "communication"
    COLLABORATION = "collaboration"
    CRM = "crm"
    BOOKKEEPING = "bookkeeping"
    BILLING = "billing"
    RECRUITMENT = "recruitment"
    AUTOMATION = "automation"
    HOSTING = "hosting"


class TransferSafeguard(StrEnum):
    """The Chapter V ground for a transfer outside the EU/EEA (P14)."""

    ADEQUACY = "adequacy"
    DPF = "dpf"
    SCC = "scc"
    BCR = "bcr"
    DEROGATION = "derogation"
    NONE = "none"


class Vendor(RegisterModel):
    """The legal entity behind a processor."""

    legal_name: str
    country: CountryCode
    website: str | None = None


class Hosting(RegisterModel):
    """Where the system keeps the data at rest."""

    country: CountryCode
    region: str | None = None


class Transfer(RegisterModel):
    """A transfer (or possible access) outside the EU/EEA and its safeguard."""

    country: CountryCode
    safeguards: list[TransferSafeguard] = Field(min_length=1)
    reference: str | None = None
    note: str | None = None


class DataProcessingAgreement(RegisterModel):
    """The Art. 28(3) agreement with a processor."""

    reference: str
    signed_on: dt.date | None = None
    url: str | None = None


class System(RegisterModel):
    """A system that holds personal data: internal, or run by a processor."""

    key: Key
    name: str
    kind: SystemKind
    vendor: Vendor | None = None
    aliases: list[str] = Field(default_factory=list)
    description: LocalizedText = Field(default_factory=dict)
    services: list[ProcessorService] = Field(default_factory=list)
    purposes: list[Key] = Field(default_factory=list)
    data_categories: list[Key] = Field(default_factory=list)
    hosting: Hosting
    transfers: list[Transfer] = Field(default_factory=list)
    dpa: DataProcessingAgreement | None = None
    datasets: list[str] = Field(default_factory=list)
    restriction_flag: str | None = None
    """A boolean column (``dataset.collection.field``) skydd sets while the person's
    processing is restricted (Art. 18), so the system itself can skip them."""
    assumptions: str | None = None

    @property
    def is_processor(self) -> bool:
        """True when a third party processes the data on the controller's behalf."""
        return self.kind is SystemKind.PROCESSOR

    def names(self) -> list[str]:
        """The name and every alias a policy text may use for this system."""
        return [self.name, *self.aliases]

    def third_countries(self) -> list[str]:
        """Countries outside the EU/EEA the data is stored in or transferred to."""
        countries = [] if is_in_eea(self.hosting.country) else [self.hosting.country]
        countries += [t.country for t in self.transfers if not is_in_eea(t.country)]
        return list(dict.fromkeys(countries))
