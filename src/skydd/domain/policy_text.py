"""The organisation's own prose for its published policy, one set per language (P20, P21).

The published policy is built from the register; these fragments are what the
register cannot say by itself (the welcome, how the organisation shares data, its
own words on security). Every fragment is optional; the structure is not.
"""

from __future__ import annotations

from pydantic import Field

from skydd.domain.schema import RegisterModel


class PolicyText(RegisterModel):
    """Prose fragments of the policy in one language."""

    title: str
    intro: str | None = None
    categories: str | None = None
    cookies: str | None = None
    retention: str | None = None
    sharing: str | None = None
    transfers: str | None = None
    security: str | None = None
    rights: str | None = None
    contact: str | None = None
    changes: str | None = None
    named_processors: list[str] = Field(default_factory=list)

    def prose(self) -> list[tuple[str, str]]:
        """Every non-empty prose fragment as ``(field, text)``."""
        fields: tuple[str, ...] = ("intro", "categories", "cookies", "retention", "sharing")
        fields += ("transfers",)
        fields += ("security", "rights", "contact", "changes")
        return [(name, text) for name in fields if (text := getattr(self, name))]
