"""Cookies, pixel tags and similar trackers by category (P9)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from skydd.domain.schema import Key, LocalizedText, RegisterModel


class TrackerKind(StrEnum):
    """The technique: a cookie, a pixel tag (web beacon) or browser storage."""

    COOKIE = "cookie"
    PIXEL = "pixel"
    LOCAL_STORAGE = "local_storage"
    SCRIPT = "script"


class CookieCategory(StrEnum):
    """Consent categories; only strictly necessary ones may run without consent."""

    STRICTLY_NECESSARY = "strictly_necessary"
    PREFERENCES = "preferences"
    STATISTICS = "statistics"
    MARKETING = "marketing"

    @property
    def needs_consent(self) -> bool:
        """EPrivacy Art. 5(3) (LEK 9 kap. 28 § in Sweden): all but strictly necessary."""
        return self is not CookieCategory.STRICTLY_NECESSARY


class Tracker(RegisterModel):
    """One cookie, pixel or script, what it is for and whether consent gates it."""

    key: Key
    name: str
    kind: TrackerKind
    category: CookieCategory
    provider: str
    system: Key | None = None
    purpose: Key | None = None
    description: LocalizedText = Field(default_factory=dict)
    duration: str
    consent_gated: bool
