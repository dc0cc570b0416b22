"""Building blocks every register model shares: strict base, keys, localized text.

The register is written by people in YAML, so every model refuses unknown keys
(a typo must not silently drop a promise) and is frozen (a loaded register is a
value, not a thing to mutate).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=120)]
"""A register key: lowercase slug, dots allowed (``newsletter``, ``food_preferences``)."""

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
"""An ISO 639-1 language code (``sv``, ``en``)."""

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166-1 alpha-2 country code (``SE``, ``US``)."""

Email = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", max_length=254)
]
"""An e-mail address of a contact point (not of a data subject)."""

LocalizedText = dict[LanguageCode, str]
"""The same text in several languages, keyed by language code."""


class RegisterModel(BaseModel):
    """Base of every register model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def text_in(text: LocalizedText, language: str, fallback: str) -> str:
    """Pick ``language`` from a localized text, else ``fallback``, else any."""
    if language in text:
        return text[language]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")
