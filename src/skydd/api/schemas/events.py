"""Request and response bodies of event sign-ups."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from skydd.api.schemas.people import PLAIN
from skydd.domain.consent import MAX_TEXT
from skydd.domain.events import MAX_DETAILS, SignupForm
from skydd.services.events import EventSignups

CategoryKey = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=120)
]
DetailValue = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=PLAIN)]


class SignupIn(BaseModel):
    """A sign-up: who, what they give by the register's category keys, and their consents."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=300, pattern=PLAIN, description="The name.")
    email: str = Field(max_length=320, pattern=PLAIN, description="E-mail address.")
    phone: str | None = Field(None, max_length=40, pattern=PLAIN, description="Phone number.")
    details: dict[CategoryKey, DetailValue] = Field(
        default_factory=dict,
        max_length=MAX_DETAILS,
        description=(
            "Values of the event purpose's other data categories, by the register's keys"
            ' (Mestro: `{"company": …, "job_title": …, "home_town": …, "food_preferences": …}`).'
        ),
    )
    language: str | None = Field(None, max_length=16, description="sv or en.")
    consent: bool = Field(
        description="Consent to the event's purpose for the data given; a sign-up needs it."
    )
    explicit_consent: bool = Field(
        False,
        description=(
            "The separate explicit consent (Art. 9(2)(a)) that sensitive categories such as"
            " food preferences need: its own unticked choice. Without it they are refused."
        ),
    )
    notice_id: str = Field("", max_length=MAX_TEXT, description="The notice version shown.")

    def form(self) -> SignupForm:
        """The use case's form of this body."""
        return SignupForm(
            email=self.email,
            name=self.name,
            phone=self.phone,
            details=dict(self.details),
            language=self.language,
            consent=self.consent,
            explicit_consent=self.explicit_consent,
            notice_id=self.notice_id,
        )


class SignupReceivedOut(BaseModel):
    """The answer to a sign-up: the same whether or not the person was known."""

    event: str
    status: Literal["received"] = "received"


class SignupFieldOut(BaseModel):
    """One category of a sign-up: its value, or ``withheld`` from the caller's roles."""

    category: str
    value: str | None
    withheld: bool


class SignupOut(BaseModel):
    """One person's sign-up, as the caller may see it."""

    subject_id: uuid.UUID = Field(description="The person's pseudonymous id.")
    signed_up_at: dt.datetime
    language: str
    fields: list[SignupFieldOut]


class EventSignupsOut(BaseModel):
    """An event and its sign-ups; ``visible`` names the categories the caller may read."""

    event: str
    name: str
    starts_on: dt.date
    purpose: str
    visible: list[str]
    signups: list[SignupOut]

    @classmethod
    def of(cls, found: EventSignups) -> EventSignupsOut:
        """The answer for what the use case found."""
        event = found.event
        return cls(
            event=event.key,
            name=event.name,
            starts_on=event.starts_on,
            purpose=event.purpose,
            visible=sorted(found.visible),
            signups=[
                SignupOut(
                    subject_id=s.subject_id,
                    signed_up_at=s.signed_up_at,
                    language=s.language,
                    fields=[
                        SignupFieldOut(category=f.category, value=f.value, withheld=f.withheld)
                        for f in s.fields
                    ],
                )
                for s in found.signups
            ],
        )
