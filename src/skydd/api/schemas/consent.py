"""Request and response bodies of the consent ledger's API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from skydd.api.schemas.people import PLAIN, PersonIn
from skydd.domain.consent import (
    MAX_TEXT,
    CollectionMethod,
    ConsentChange,
    ConsentState,
    ConsentStatus,
)
from skydd.services.consent import MAX_BULK


class CheckQuery(PersonIn):
    """Whom to check, and for which purpose; an unknown parameter is refused (422)."""

    purpose: str = Field(
        max_length=200, pattern=PLAIN, description="A register purpose resting on consent."
    )


class ConsentIn(PersonIn):
    """A consent given, withdrawn (wholly or some categories) or refused."""

    purpose: str = Field(
        max_length=200, pattern=PLAIN, description="A register purpose resting on consent."
    )
    status: ConsentStatus = Field(description="given, withdrawn or refused.")
    categories: list[str] = Field(
        default_factory=list,
        max_length=100,
        description=(
            "Given: the categories consented to (none: all of the purpose's). Withdrawn: the"
            " categories withdrawn while the purpose stays (none: the whole purpose)."
        ),
    )
    method: CollectionMethod = Field(CollectionMethod.API, description="How it was collected.")
    notice_id: str = Field("", max_length=MAX_TEXT, description="The notice version shown.")
    language: str = Field("", max_length=16, description="The notice's language.")
    source: str = Field("", max_length=MAX_TEXT, description="What collected it.")

    def change(self) -> ConsentChange:
        """The use case's change of this body."""
        return ConsentChange(
            purpose=self.purpose,
            status=self.status,
            categories=tuple(self.categories),
            method=self.method,
            notice_id=self.notice_id,
            language=self.language,
            source=self.source,
        )


class BulkCheckIn(BaseModel):
    """Up to 100,000 people to check for one purpose, each by one identifier."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(
        max_length=200, pattern=PLAIN, description="A register purpose resting on consent."
    )
    identities: list[PersonIn] = Field(
        max_length=MAX_BULK, description="Each person by one of e-mail, phone or personnummer."
    )


class BulkCheckOut(BaseModel):
    """For each identity in the order given: consents now or not; malformed ones apart."""

    purpose: str
    consented: list[bool]
    invalid: list[int] = Field(description="Positions of identities that could not be read.")


class ConsentOut(BaseModel):
    """Where the person's consent to the purpose stands now, with the receipt to keep."""

    purpose: str
    status: ConsentStatus
    categories: list[str]
    since: dt.datetime
    policy_version: int | None
    recorded: bool = Field(description="False when the change changed nothing.")
    withdrawn: list[str] = Field(description="Categories no longer consented to.")
    receipt: str = Field(description="The signed receipt (compact JWS) of the deciding event.")


class CheckOut(BaseModel):
    """Whether the person consents to the purpose now: the same shape for someone unknown."""

    purpose: str
    consented: bool
    categories: list[str]

    @classmethod
    def of(cls, purpose: str, state: ConsentState | None) -> CheckOut:
        """The answer for ``state`` (``None``: nothing recorded, or nobody known)."""
        active = state is not None and state.active
        return cls(
            purpose=purpose,
            consented=active,
            categories=list(state.categories) if state is not None and active else [],
        )
