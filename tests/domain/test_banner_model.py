"""The cookie banner's model: what it offers, what a choice allows, and its version (P9)."""

from __future__ import annotations

import pytest

from skydd.domain.banner import (
    ALWAYS_ALLOWED,
    TEXTS,
    Banner,
    BannerChanged,
    Wording,
    allowed_labels,
    banner_notice,
    banner_of,
    banner_version,
    check_version,
    checked_choices,
    shown_in,
)
from skydd.domain.cookies import CookieCategory
from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.policy_terms import NOT_STORED, SESSION_LIFETIME
from skydd.domain.register import Register
from skydd.domain.spans import Span
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.factories import make_register, make_tracker, replace_item

pytestmark = pytest.mark.promise("P9")

MESTRO_REGISTER = load_register(MESTRO)
SECOND_REGISTER = load_register(SECOND_ORG)


class Plain:
    """A wording that shows msgids as they are, marked by language, and spans as units."""

    def __init__(self, language: str, changed: dict[str, str] | None = None) -> None:
        self.language = language
        self.changed = changed or {}

    def gettext(self, message: str) -> str:
        return f"{self.language}:{self.changed.get(message, message)}"

    def span(self, value: Span) -> str:
        return " ".join(f"{n} {unit}" for unit, n in value)


def plain(language: str) -> Wording:
    return Plain(language)


def names(banner: Banner, key: str) -> list[str]:
    purpose = next(p for p in banner.purposes if p.key == key)
    return [t.name for t in purpose.trackers]


def test_mestro_offers_analytics_with_its_trackers_and_keeps_the_session_on() -> None:
    banner = banner_of(MESTRO_REGISTER)
    assert banner.purpose_keys == ("analytics",)
    assert names(banner, "analytics") == [
        "__hstc",
        "hubspotutk",
        "__hssc",
        "__hssrc",
        "_ga",
        "HubSpot e-mail open tracking pixel",
        "LinkedIn Insight Tag",
    ]
    assert [t.name for t in banner.necessary] == ["mestro_session"]
    assert dict(banner.categories) == {"statistics": ("analytics",), "marketing": ("analytics",)}
    assert banner.default_language == "sv"
    analytics = banner.purposes[0]
    assert analytics.explanation["en"] == (
        "Cookies, pixel tags and other measurement that is not strictly necessary."
    )


def test_the_second_organisation_offers_two_purposes_one_per_category() -> None:
    banner = banner_of(SECOND_REGISTER)
    assert banner.purpose_keys == ("newsletter", "site_statistics")
    assert names(banner, "site_statistics") == ["_pk_id", "_pk_ses"]
    assert names(banner, "newsletter") == ["Mailchimp open tracking pixel"]
    assert [t.name for t in banner.necessary] == ["nw_session", "__stripe_mid"]
    assert dict(banner.categories) == {
        "statistics": ("site_statistics",),
        "marketing": ("newsletter",),
    }
    assert banner.default_language == "en"


def test_consent_purposes_without_gated_trackers_are_not_offered() -> None:
    consent_purposes = {"newsletter", "events", "analytics"}
    offered = set(banner_of(MESTRO_REGISTER).purpose_keys)
    assert {p.key for p in MESTRO_REGISTER.purposes} >= consent_purposes
    assert offered == {"analytics"}


@pytest.mark.parametrize(
    ("consented", "allowed"),
    [
        ((), {ALWAYS_ALLOWED}),
        (("analytics",), {ALWAYS_ALLOWED, "analytics", "statistics", "marketing"}),
        (("newsletter", "nonsense"), {ALWAYS_ALLOWED}),
    ],
)
def test_mestro_labels_allowed_by_a_choice(consented: tuple[str, ...], allowed: set[str]) -> None:
    assert allowed_labels(banner_of(MESTRO_REGISTER), consented) == allowed


@pytest.mark.parametrize(
    ("consented", "allowed"),
    [
        (("site_statistics",), {ALWAYS_ALLOWED, "site_statistics", "statistics"}),
        (("newsletter",), {ALWAYS_ALLOWED, "newsletter", "marketing"}),
        (
            ("newsletter", "site_statistics"),
            {ALWAYS_ALLOWED, "newsletter", "site_statistics", "marketing", "statistics"},
        ),
    ],
)
def test_second_org_labels_allowed_by_a_choice(
    consented: tuple[str, ...], allowed: set[str]
) -> None:
    assert allowed_labels(banner_of(SECOND_REGISTER), consented) == allowed


def test_a_category_needs_every_purpose_with_gated_trackers_in_it() -> None:
    register = SECOND_REGISTER.model_copy(
        update={
            "cookies": [
                *SECOND_REGISTER.cookies,
                make_tracker(
                    "stats_pixel",
                    category=CookieCategory.STATISTICS,
                    purpose="newsletter",
                    consent_gated=True,
                ),
            ]
        }
    )
    banner = banner_of(register)
    assert banner.categories["statistics"] == ("newsletter", "site_statistics")
    assert "statistics" not in allowed_labels(banner, ["site_statistics"])
    assert "statistics" in allowed_labels(banner, ["site_statistics", "newsletter"])


def test_a_category_with_a_gated_tracker_nobody_can_consent_to_is_never_allowed() -> None:
    register = make_register(
        cookies=[
            make_tracker(
                "open_pixel",
                category=CookieCategory.MARKETING,
                purpose="newsletter",
                consent_gated=True,
            ),
            make_tracker("stray", category=CookieCategory.MARKETING, consent_gated=True),
        ]
    )
    banner = banner_of(register)
    assert banner.purpose_keys == ("newsletter",)
    assert "marketing" not in banner.categories
    assert allowed_labels(banner, ["newsletter"]) == {ALWAYS_ALLOWED, "newsletter"}
    # Preferences: the register lists no gated tracker in it, so no choice allows it.
    assert CookieCategory.PREFERENCES.value not in allowed_labels(banner, ["newsletter"])


def test_choices_must_answer_every_offered_purpose_and_nothing_else() -> None:
    banner = banner_of(SECOND_REGISTER)
    both = {"site_statistics": False, "newsletter": True}
    assert list(checked_choices(SECOND_REGISTER, banner, both).items()) == [
        ("newsletter", True),
        ("site_statistics", False),
    ]
    with pytest.raises(InvalidInput, match="missing: site_statistics"):
        checked_choices(SECOND_REGISTER, banner, {"newsletter": True})
    with pytest.raises(InvalidInput) as unknown:
        checked_choices(SECOND_REGISTER, banner, {**both, "anna@example.com": True})
    assert unknown.value.message.startswith("unknown purpose; those resting on consent")
    assert "anna" not in unknown.value.message
    with pytest.raises(InvalidInput, match="'billing' does not rest on consent"):
        checked_choices(SECOND_REGISTER, banner, {**both, "billing": True})
    mestro = banner_of(MESTRO_REGISTER)
    with pytest.raises(InvalidInput, match="does not offer 'newsletter'; it offers: analytics"):
        checked_choices(MESTRO_REGISTER, mestro, {"analytics": True, "newsletter": True})


def test_the_banner_shows_durations_as_the_policy_words_them() -> None:
    banner = banner_of(MESTRO_REGISTER)
    shown = shown_in(banner, "sv", Plain("sv"))
    purposes = shown["purposes"]
    assert isinstance(purposes, list)
    rows = {row[0]: row for row in purposes[0]["trackers"]}
    assert rows["__hstc"] == [
        "__hstc",
        "HubSpot",
        "sv:Statistics",
        "6 month",
        "Följer besök på webbplatsen över tid (första, senaste och antal besök).",
    ]
    assert rows["__hssc"][3] == "30 minute"
    assert rows["__hssrc"][3] == f"sv:{SESSION_LIFETIME}"
    assert rows["HubSpot e-mail open tracking pixel"][3] == f"sv:{NOT_STORED}"
    texts = shown["texts"]
    assert isinstance(texts, dict)
    assert set(texts) == set(TEXTS)
    assert texts["reject"] == "sv:Reject all"


def test_a_register_text_missing_in_a_language_falls_back_to_the_default_one() -> None:
    tracker = replace_item(
        SECOND_REGISTER, "cookies", "stripe_mid", description={"en": "Fraud prevention."}
    )
    shown = shown_in(banner_of(tracker), "sv", Plain("sv"))
    necessary = shown["necessary"]
    assert isinstance(necessary, list)
    assert necessary[1][4] == "Fraud prevention."


@pytest.mark.parametrize("register", [MESTRO_REGISTER, SECOND_REGISTER], ids=["mestro", "second"])
def test_the_version_is_stable_and_changes_with_what_is_shown(register: Register) -> None:
    version = banner_version(banner_of(register), plain)
    assert len(version) == 12
    assert banner_version(banner_of(register), plain) == version
    purpose = banner_of(register).purposes[0]
    tracker = register.cookies[-1]
    longer = replace_item(register, "cookies", tracker.key, duration="P3Y")
    assert banner_version(banner_of(longer), plain) != version
    renamed = replace_item(register, "cookies", tracker.key, provider="Another provider")
    assert banner_version(banner_of(renamed), plain) != version
    new_name = {"sv": "Nytt namn", "en": "New name"}
    retitled = replace_item(register, "purposes", purpose.key, name=new_name)
    assert banner_version(banner_of(retitled), plain) != version
    reworded = banner_version(
        banner_of(register), lambda lang: Plain(lang, {TEXTS["accept"]: "Yes to all"})
    )
    assert reworded != version
    ungated = replace_item(register, "cookies", tracker.key, consent_gated=False)
    assert banner_version(banner_of(ungated), plain) != version


def test_the_version_ignores_what_the_banner_does_not_show() -> None:
    version = banner_version(banner_of(MESTRO_REGISTER), plain)
    described = replace_item(
        MESTRO_REGISTER,
        "purposes",
        "newsletter",
        description={"sv": "Annan beskrivning.", "en": "Another description."},
    )
    assert banner_version(banner_of(described), plain) == version


def test_a_choice_on_another_version_is_a_conflict() -> None:
    check_version("0123456789ab", "0123456789ab")
    with pytest.raises(BannerChanged) as refused:
        check_version("0123456789ab", "ba9876543210")
    assert isinstance(refused.value, ConflictError)
    assert refused.value.code == "banner-changed"
    assert banner_notice("0123456789ab") == "banner:0123456789ab"
