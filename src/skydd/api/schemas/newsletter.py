"""Request and response bodies of newsletter subscription."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from skydd.api.schemas.people import PLAIN
from skydd.domain.consent import MAX_TEXT
from skydd.services.newsletter import Subscription

ACCEPTED = (
    "If the address can be subscribed, a confirmation link is on its way to it; the "
    "subscription starts when the link is followed."
)
"""The one answer to every subscription, whoever the address belongs to."""

Category = Annotated[str, Field(max_length=200, pattern=PLAIN)]


class SubscriptionIn(BaseModel):
    """A subscription from the form: the address, optionally a name, language and categories."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, pattern=PLAIN, description="The e-mail address.")
    name: str | None = Field(
        None, max_length=300, pattern=PLAIN, description="The person's name (kept if new)."
    )
    language: str = Field(
        "", max_length=16, pattern=r"^[a-z]{0,3}$", description="sv or en; else the default."
    )
    categories: list[Category] = Field(
        default_factory=list,
        max_length=100,
        description="The purpose's categories consented to; none named: all of them.",
    )
    notice_id: str = Field(
        "", max_length=MAX_TEXT, pattern=PLAIN, description="The version of the notice shown."
    )

    def subscription(self, purpose: str) -> Subscription:
        """The use case's subscription of this body."""
        return Subscription(
            purpose=purpose,
            email=self.email,
            name=self.name,
            language=self.language,
            categories=tuple(self.categories),
            notice_id=self.notice_id,
        )


class SubscriptionOut(BaseModel):
    """The same for every address: known, unknown, subscribed or suppressed."""

    status: Literal["accepted"] = "accepted"
    detail: str = ACCEPTED
