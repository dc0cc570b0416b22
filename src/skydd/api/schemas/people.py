"""Who a body is about: the identifiers a person is known by, as every route takes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from skydd.domain.identifiers import IdentifierKind

_MAX_IDENTIFIER = 320
PLAIN = r"^[^\x00-\x1f\x7f\\]*$"
"""No control character and no backslash: no identifier, purpose or category holds one."""


class PersonIn(BaseModel):
    """Who a body is about: at least one identifier (the use case checks there is one)."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(
        None, max_length=_MAX_IDENTIFIER, pattern=PLAIN, description="E-mail address."
    )
    phone: str | None = Field(None, max_length=40, pattern=PLAIN, description="Phone number.")
    personnummer: str | None = Field(
        None, max_length=20, pattern=PLAIN, description="Swedish personnummer."
    )

    def identifiers(self) -> dict[IdentifierKind, str]:
        """The identifiers given, by kind."""
        given = {
            IdentifierKind.EMAIL: self.email,
            IdentifierKind.PHONE: self.phone,
            IdentifierKind.PERSONNUMMER: self.personnummer,
        }
        return {kind: value for kind, value in given.items() if value is not None}
