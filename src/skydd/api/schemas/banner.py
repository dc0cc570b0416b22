"""Request and response bodies of the cookie banner's recording endpoint."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from skydd.domain.consent import ConsentStatus
from skydd.services.banner import BannerChoice
from skydd.services.consent import Recorded

MAX_CHOICES = 100
"""More purposes than any register offers on a banner."""


class BannerChoiceIn(BaseModel):
    """What a visitor chose on the banner: yes or no to every purpose it offers."""

    model_config = ConfigDict(extra="forbid")

    visitor: uuid.UUID = Field(description="The browser's random visitor id; never stored.")
    banner_version: str = Field(
        pattern=r"^[0-9a-f]{6,64}$", description="The version of the banner the visitor saw."
    )
    language: Literal["sv", "en"] = Field(description="The language the banner was shown in.")
    choices: dict[str, StrictBool] = Field(
        max_length=MAX_CHOICES, description="Each purpose the banner offers: true or false."
    )
    explicit: StrictBool = Field(
        default=False,
        description="The visitor chose in the dialog (overrides Global Privacy Control).",
    )
    gpc: StrictBool = Field(
        default=False, description="The browser reports Global Privacy Control."
    )

    @field_validator("choices", mode="wrap")
    @classmethod
    def _no_key_echoed(cls, value: object, handler: ValidatorFunctionWrapHandler) -> object:
        """A bad choice is named by the field, never by its key: the key is the client's text."""
        try:
            return handler(value)
        except ValidationError:
            msg = "choices maps each purpose key to true or false"
            raise ValueError(msg) from None

    def choice(self, *, origin: str, gpc_header: bool) -> BannerChoice:
        """The use case's choice of this body, sent from ``origin``."""
        return BannerChoice(
            visitor=self.visitor,
            version=self.banner_version,
            language=self.language,
            choices=self.choices,
            explicit=self.explicit,
            gpc=self.gpc or gpc_header,
            origin=origin,
        )


class BannerConsentOut(BaseModel):
    """Where the visitor's consent to one purpose stands, with the receipt that proves it."""

    purpose: str
    status: ConsentStatus
    recorded: bool = Field(description="False when the choice changed nothing.")
    receipt: str = Field(description="A JWS of the ledger event that decided this state.")

    @classmethod
    def of(cls, recorded: Recorded) -> BannerConsentOut:
        """The answer for one purpose."""
        return cls(
            purpose=recorded.state.purpose,
            status=recorded.state.status,
            recorded=recorded.event is not None,
            receipt=recorded.receipt,
        )


class BannerRecordedOut(BaseModel):
    """The visitor's consents after the choice, one per purpose the banner offers."""

    banner_version: str
    consents: list[BannerConsentOut]
