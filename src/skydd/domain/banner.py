"""The cookie banner as a value: what it offers, what a choice allows, and its version (P9).

Consent in the ledger is per purpose (Art. 6(1)(a)), so the banner offers one choice
per purpose of the register that rests on consent and has consent-gated trackers, and
lists under each its trackers. Trackers that need no consent are listed as always on.

A page marks a script it wants held back with ``data-category``: a purpose key
(``analytics``) or a cookie category (``statistics``). A purpose is allowed when
consented; a category when every purpose with gated trackers in it is consented, and
never when one of its gated trackers belongs to no purpose the banner can offer (nobody
could consent to it) or when the register lists no gated tracker in it at all.

The banner's version is a digest of everything it shows, in every language it speaks:
texts, purposes, trackers. A person's choice is recorded with it, and a new version
asks again. The domain does no translation: the texts are English msgids, and a
:class:`Wording` supplied by the adapter puts them into words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from skydd.domain.consent import consent_purpose
from skydd.domain.cookies import CookieCategory, Tracker
from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.policy_terms import COOKIE_CATEGORIES, N_, NOT_STORED, SESSION_LIFETIME
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.register import Register
from skydd.domain.schema import LocalizedText, text_in
from skydd.domain.spans import Span, duration_span

BANNER_LANGUAGES = ("sv", "en")
"""The languages the banner speaks; a page in any other gets the organisation's default."""

ALWAYS_ALLOWED = CookieCategory.STRICTLY_NECESSARY.value
"""The one label a page may use for scripts that need no consent."""

TEXTS: dict[str, str] = {
    "title": N_("We use cookies"),
    "intro": N_(
        "Strictly necessary cookies are always on. The others we use only if you consent, "
        "and you can change your choice at any time."
    ),
    "accept": N_("Accept all"),
    "reject": N_("Reject all"),
    "choose": N_("Choose"),
    "policy": N_("Privacy policy"),
    "settings": N_("Cookie settings"),
    "settings_intro": N_(
        "Choose what you consent to. Nothing is switched on until you turn it on yourself."
    ),
    "necessary": COOKIE_CATEGORIES[CookieCategory.STRICTLY_NECESSARY],
    "always_on": N_("Always on"),
    "save": N_("Save my choices"),
    "close": N_("Close"),
    "gpc": N_(
        "Your browser sent the Global Privacy Control signal, so we use only strictly "
        "necessary cookies. You can still choose otherwise."
    ),
    "ok": N_("OK"),
    "name": N_("Name"),
    "provider": N_("Provider"),
    "category": N_("Category"),
    "duration": N_("Duration"),
}
"""Every fixed text of the banner and its dialog, by the key the script reads it under."""


class BannerChanged(ConflictError):
    """A choice made on a banner that is no longer the current one: ask again (HTTP 409)."""

    code = "banner-changed"


class Wording(Protocol):
    """Puts the banner's msgids into words in one language (the adapter's catalog)."""

    def gettext(self, message: str) -> str:
        """``message`` (an English msgid) in this language."""
        ...

    def span(self, value: Span) -> str:
        """A length of time in words: "6 månader", "30 minutes"."""
        ...


Wordings = Callable[[str], Wording]
"""The wording of a language, by its code."""


@dataclass(frozen=True)
class BannerTracker:
    """A tracker as the banner lists it."""

    name: str
    provider: str
    category: CookieCategory
    duration: str
    """As the register writes it: an ISO 8601 duration, or ``session``."""
    description: LocalizedText


@dataclass(frozen=True)
class BannerPurpose:
    """One choice the banner offers: a purpose resting on consent, and its trackers."""

    key: str
    name: LocalizedText
    explanation: LocalizedText
    """What the consent covers: the purpose's consent basis, as the register states it."""
    trackers: tuple[BannerTracker, ...]


@dataclass(frozen=True)
class Banner:
    """What the banner shows and offers for one register."""

    purposes: tuple[BannerPurpose, ...]
    necessary: tuple[BannerTracker, ...]
    """Trackers that need no consent, listed as always on."""
    categories: Mapping[str, tuple[str, ...]]
    """Each cookie category a script may name, with the purposes whose consent it needs."""
    fallback_language: str
    """The organisation's default: used where a register text lacks the language shown."""
    languages: tuple[str, ...]
    """The languages the organisation publishes its policy in."""

    @property
    def default_language(self) -> str:
        """The language for a page in none the banner speaks: the organisation's, or English."""
        return self.fallback_language if self.fallback_language in BANNER_LANGUAGES else "en"

    @property
    def purpose_keys(self) -> tuple[str, ...]:
        """The purposes offered, in register order."""
        return tuple(p.key for p in self.purposes)


def banner_of(register: Register) -> Banner:
    """The banner of ``register``: its consent purposes with gated trackers, in register order."""
    gated = [t for t in register.cookies if t.consent_gated]
    offered = [p for p in register.purposes if p.rests_on(LegalBasis.CONSENT)]
    purposes = tuple(
        BannerPurpose(
            key=p.key,
            name=dict(p.name),
            explanation=_consent_claim(p),
            trackers=tuple(_listed(t) for t in gated if t.purpose == p.key),
        )
        for p in offered
        if any(t.purpose == p.key for t in gated)
    )
    return Banner(
        purposes=purposes,
        necessary=tuple(_listed(t) for t in register.cookies if not t.consent_gated),
        categories=_categories(gated, {p.key for p in purposes}),
        fallback_language=register.organisation.default_language,
        languages=tuple(register.organisation.languages),
    )


def allowed_labels(banner: Banner, consented: Iterable[str]) -> frozenset[str]:
    """The ``data-category`` labels a page may run with ``consented`` purposes."""
    given = set(consented) & set(banner.purpose_keys)
    categories = {c for c, needs in banner.categories.items() if set(needs) <= given}
    return frozenset(given | categories | {ALWAYS_ALLOWED})


def checked_choices(
    register: Register, banner: Banner, choices: Mapping[str, bool]
) -> dict[str, bool]:
    """``choices`` in banner order, when they answer every purpose offered and nothing else."""
    for key in choices:
        consent_purpose(register, key)  # unknown, or not resting on consent: says which are
        if key not in banner.purpose_keys:
            offered = ", ".join(banner.purpose_keys)
            msg = f"the banner does not offer {key!r}; it offers: {offered}"
            raise InvalidInput(msg)
    missing = [key for key in banner.purpose_keys if key not in choices]
    if missing:
        msg = f"a banner choice answers every purpose it offers; missing: {', '.join(missing)}"
        raise InvalidInput(msg)
    return {key: bool(choices[key]) for key in banner.purpose_keys}


def shown_in(banner: Banner, language: str, wording: Wording) -> dict[str, object]:
    """Everything the banner shows in ``language``, as JSON-ready text."""

    def pick(text: LocalizedText) -> str:
        return text_in(text, language, banner.fallback_language)

    def row(tracker: BannerTracker) -> list[str]:
        label = wording.gettext(COOKIE_CATEGORIES[tracker.category])
        duration = _duration_in(tracker.duration, wording)
        return [tracker.name, tracker.provider, label, duration, pick(tracker.description)]

    return {
        "texts": {key: wording.gettext(msgid) for key, msgid in TEXTS.items()},
        "purposes": [
            {
                "key": p.key,
                "name": pick(p.name),
                "text": pick(p.explanation),
                "trackers": [row(t) for t in p.trackers],
            }
            for p in banner.purposes
        ],
        "necessary": [row(t) for t in banner.necessary],
    }


def banner_version(banner: Banner, wordings: Wordings) -> str:
    """A short digest of everything the banner shows in every language, and what it allows."""
    shown = {
        "languages": {lang: shown_in(banner, lang, wordings(lang)) for lang in BANNER_LANGUAGES},
        "categories": {c: list(needs) for c, needs in sorted(banner.categories.items())},
    }
    canonical = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def check_version(current: str, shown: str) -> None:
    """Refuse a choice made on another banner than ``current``: the person saw other terms."""
    if shown != current:
        msg = "the banner has changed since it was shown: load it again and ask again"
        raise BannerChanged(msg)


def banner_notice(version: str) -> str:
    """The notice id a banner choice is recorded under: the banner version shown."""
    return f"banner:{version}"


def _consent_claim(purpose: Purpose) -> LocalizedText:
    claim = next(c for c in purpose.legal_bases if c.basis is LegalBasis.CONSENT)
    return dict(claim.applies_to)


def _listed(tracker: Tracker) -> BannerTracker:
    return BannerTracker(
        name=tracker.name,
        provider=tracker.provider,
        category=tracker.category,
        duration=tracker.duration,
        description=dict(tracker.description),
    )


def _categories(gated: list[Tracker], offered: set[str]) -> dict[str, tuple[str, ...]]:
    """Categories whose every gated tracker belongs to an offered purpose, with those purposes."""
    found: dict[str, tuple[str, ...]] = {}
    for category in CookieCategory:
        in_it = [t for t in gated if t.category is category]
        purposes = [t.purpose for t in in_it]
        if in_it and all(p in offered for p in purposes):
            found[category.value] = tuple(sorted({p for p in purposes if p is not None}))
    return found


def _duration_in(duration: str, wording: Wording) -> str:
    """How long a tracker stays, as the policy words it; the register's text if no ISO duration."""
    if duration.strip().lower() == "session":
        return wording.gettext(SESSION_LIFETIME)
    span = duration_span(duration)
    if span is None:
        return duration.strip()
    return wording.span(span) if span else wording.gettext(NOT_STORED)
