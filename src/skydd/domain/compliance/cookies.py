"""Rules on cookies, pixel tags and scripts (P9).

Storing or reading anything on a person's device needs consent unless it is
strictly necessary for the service they asked for (ePrivacy Art. 5(3), in Sweden
LEK 9 kap. 28 §). Every tracker outside that category must be gated by the
cookie banner, and must serve a purpose that actually rests on consent.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.cookies import CookieCategory, TrackerKind
from skydd.domain.purposes import LegalBasis
from skydd.domain.register import Register


def _not_gated(register: Register) -> Iterator[Hit]:
    for i, tracker in enumerate(register.cookies):
        if tracker.category.needs_consent and not tracker.consent_gated:
            yield (
                ("cookies", i, "consent_gated"),
                f"{tracker.kind} '{tracker.key}' is in category {tracker.category} "
                "but runs without consent",
            )


def _pixel_strictly_necessary(register: Register) -> Iterator[Hit]:
    for i, tracker in enumerate(register.cookies):
        pixel = tracker.kind is TrackerKind.PIXEL
        if pixel and tracker.category is CookieCategory.STRICTLY_NECESSARY:
            yield (
                ("cookies", i, "category"),
                f"pixel '{tracker.key}' is classed as strictly necessary",
            )


def _without_consent_purpose(register: Register) -> Iterator[Hit]:
    for i, tracker in enumerate(register.cookies):
        if not tracker.category.needs_consent:
            continue
        purpose = register.purpose(tracker.purpose) if tracker.purpose else None
        if purpose is None:
            yield (
                ("cookies", i, "purpose"),
                f"{tracker.kind} '{tracker.key}' needs consent but serves no registered purpose",
            )
        elif not purpose.rests_on(LegalBasis.CONSENT):
            yield (
                ("cookies", i, "purpose"),
                f"{tracker.kind} '{tracker.key}' needs consent but its purpose "
                f"'{purpose.key}' does not rest on consent",
            )


TRACKER_NOT_CONSENT_GATED = Rule(
    id="SKY060",
    name="tracker-not-consent-gated",
    title="Non-essential tracker runs without consent",
    severity=Severity.ERROR,
    legal_ground="ePrivacy Directive Art. 5(3); LEK (2022:482) 9 kap. 28 §; GDPR Art. 6(1)(a)",
    description="Cookies, pixels and scripts in the preferences, statistics or marketing "
    "categories may only run after consent: the banner must block them until then (P9).",
    fix="Set `consent_gated: true` and load the tracker only through the consent banner, or "
    "remove it.",
    check=_not_gated,
)

PIXEL_MARKED_STRICTLY_NECESSARY = Rule(
    id="SKY061",
    name="pixel-marked-strictly-necessary",
    title="Pixel tag classed as strictly necessary",
    severity=Severity.WARNING,
    legal_ground="ePrivacy Directive Art. 5(3); LEK (2022:482) 9 kap. 28 §",
    description="A pixel tag measures the person (opens, views); it is hardly ever needed to "
    "deliver the service they asked for, so the strictly necessary exemption rarely fits.",
    fix="Class the pixel as statistics or marketing and gate it by consent; if it truly is "
    "necessary, document why in its description and accept this warning in review.",
    check=_pixel_strictly_necessary,
)

TRACKER_WITHOUT_CONSENT_PURPOSE = Rule(
    id="SKY062",
    name="tracker-without-consent-purpose",
    title="Consent tracker without a consent purpose",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 6(1)(a), Art. 13(1)(c); ePrivacy Directive Art. 5(3)",
    description="What a consent-gated tracker collects is processed for a purpose; that "
    "purpose must exist and rest on consent, or withdrawing the cookie consent erases nothing.",
    fix="Set the tracker's `purpose` to a purpose that rests on consent (adding a consent claim "
    "to it if needed).",
    check=_without_consent_purpose,
)

RULES: tuple[Rule, ...] = (
    TRACKER_NOT_CONSENT_GATED,
    PIXEL_MARKED_STRICTLY_NECESSARY,
    TRACKER_WITHOUT_CONSENT_PURPOSE,
)
