"""Request and response bodies of the consent ledger's API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict

from skydd.api.schemas.people import PLAIN, PersonIn
from skydd.domain.consent import (
    MAX_TEXT,
    CollectionMethod,
    ConsentChange,
    ConsentState,
    ConsentStatus,
)
from skydd.domain.withdrawal import KeptBecause
from skydd.services.consent import MAX_BULK
from skydd.services.consent_withdrawal import ErasureDue


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
    erase: list[str] | None = Field(
        None,
        max_length=100,
        description=(
            "Withdrawn: which of the withdrawn categories to erase (none given: all that only"
            " this consent allowed; an empty list: erase nothing)."
        ),
    )

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


@with_config(ConfigDict(extra="forbid"))
class IdentityIn(TypedDict, total=False):
    """One person of a bulk check, by one identifier.

    A mapping, not a model: a check reads 100,000 of them, and a model each (with
    :data:`PLAIN` as a pattern) cost several times the parsing. An identity that cannot
    be read, a control character in it included, is answered "no" and listed invalid.
    """

    email: Annotated[str | None, Field(max_length=320, description="E-mail address.")]
    phone: Annotated[str | None, Field(max_length=40, description="Phone number.")]
    personnummer: Annotated[str | None, Field(max_length=20, description="Swedish personnummer.")]


class BulkCheckIn(BaseModel):
    """Up to 100,000 people to check for one purpose, each by one identifier."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(
        max_length=200, pattern=PLAIN, description="A register purpose resting on consent."
    )
    identities: list[IdentityIn] = Field(
        max_length=MAX_BULK, description="Each person by one of e-mail, phone or personnummer."
    )


class BulkCheckOut(BaseModel):
    """For each identity in the order given: consents now or not; malformed ones apart."""

    purpose: str
    consented: list[bool]
    invalid: list[int] = Field(description="Positions of identities that could not be read.")


class ErasureOut(BaseModel):
    """What a withdrawal erased: in skydd at once, in the systems by an erasure request."""

    categories: list[str] = Field(description="Erased from skydd's own records of the person.")
    systems: dict[str, list[str]] = Field(description="System → categories the request erases.")
    kept: dict[str, KeptBecause] = Field(
        description="Withdrawn category → why it is not erased now."
    )
    deferred: list[str] = Field(description="Categories a retention rule erases later.")
    request: str | None = Field(description="The erasure request's reference, if one was made.")

    @classmethod
    def of(cls, due: ErasureDue | None) -> ErasureOut | None:
        """The answer for what a withdrawal made due; ``None`` when nothing was withdrawn."""
        if due is None:
            return None
        plan = due.plan
        return cls(
            categories=list(plan.categories),
            systems={k: list(v) for k, v in plan.systems.items()},
            kept=dict(plan.kept),
            deferred=list(plan.deferred),
            request=None if due.request is None else due.request.reference,
        )


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
    erasure: ErasureOut | None = Field(
        None, description="For a withdrawal: what only that consent allowed, and its erasure."
    )


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
