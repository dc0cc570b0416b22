"""The example registers load, keep the policy's promises, and the loader says where input is bad.

``examples/mestro`` is Mestro's whole register; ``tests/data/second_org`` is an
invented organisation that differs from Mestro in every dimension, which proves
nothing about Mestro is hard-coded.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from skydd.domain.organisation import ContactRole
from skydd.domain.periods import Period
from skydd.domain.processors import TransferSafeguard, is_in_eea
from skydd.domain.purposes import Art9Condition, Channel, LegalBasis
from skydd.domain.register import Register
from skydd.domain.retention import RetentionTrigger, StatutoryHold, bookkeeping_hold_ends_on
from skydd.domain.taxonomy import Art9Exposure, SpecialCategory
from skydd.storage.register_files import load_register

ROOT = Path(__file__).resolve().parents[2]
MESTRO = ROOT / "examples" / "mestro"
SECOND_ORG = ROOT / "tests" / "data" / "second_org"

P15_PROCESSORS = [
    "Google Workspace",
    "Microsoft Azure",
    "Slack",
    "Asana",
    "Miro",
    "Setly",
    "HubSpot",
    "Zapier",
    "Fortnox",
    "Younium",
    "Teamtailor",
]
"""The eleven processors of P15, by their register names."""

POLICY_NAMES = [
    "G Suite (Google)",
    "Microsoft Azure",
    "Slack",
    "Asana",
    "Miro",
    "Setly",
    "Hubspot",
    "Zapier",
    "Fortnox",
    "Younium",
    "Teamtailor",
]
"""The processor names exactly as the original policy text writes them."""


@pytest.fixture(scope="module")
def mestro() -> Register:
    return load_register(MESTRO)


@pytest.fixture(scope="module")
def second_org() -> Register:
    return load_register(SECOND_ORG)


def _missing_retention(register: Register) -> list[tuple[str, str]]:
    """Every purpose × category without a concrete retention rule."""
    return [
        (purpose.key, key)
        for purpose in register.purposes
        for key in purpose.data_categories
        if not any(rule.is_concrete for rule in register.retention_for(purpose.key, key))
    ]


def _art9_without_condition(register: Register) -> list[tuple[str, str]]:
    """Every purpose using an Art. 9 category without an Art. 9(2) condition."""
    return [
        (purpose.key, key)
        for purpose in register.purposes
        for key in purpose.data_categories
        if (category := register.data_category(key)) is not None
        and category.needs_art9_condition
        and purpose.art9_condition is None
    ]


def _unsafeguarded_third_countries(register: Register) -> list[tuple[str, str]]:
    """Every (system, country) outside the EEA with no real transfer safeguard."""
    problems = []
    for system in register.systems:
        for country in system.third_countries():
            safeguards = {s for t in system.transfers if t.country == country for s in t.safeguards}
            if not safeguards or TransferSafeguard.NONE in safeguards:
                problems.append((system.key, country))
    return problems


# --- both registers load ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "key"),
    [(MESTRO, "mestro"), (SECOND_ORG, "northwind_health")],
    ids=["mestro", "second_org"],
)
def test_example_register_loads(folder: Path, key: str) -> None:
    register = load_register(folder)
    assert register.organisation.key == key


@pytest.mark.promise("P1")
def test_mestro_is_the_controller_with_its_profile(mestro: Register) -> None:
    org = mestro.organisation
    assert org.legal_name == "Mestro AB"
    assert org.org_number == "556679-4649"
    assert org.country == "SE"
    assert org.address.city == "Stockholm"
    assert org.languages == ["sv", "en"]
    assert org.default_language == "sv"
    assert org.updated_on == dt.date(2023, 2, 1)
    assert org.fiscal_year_end.month == 12
    assert org.fiscal_year_end.day == 31
    assert org.supervisory_authority is not None
    assert org.supervisory_authority.website == "https://www.imy.se"
    assert org.supervisory_authority.name["sv"] == "Integritetsskyddsmyndigheten (IMY)"
    assert len(org.security_measures) == 5
    assert all(set(m) == {"sv", "en"} for m in org.security_measures)


@pytest.mark.promise("P2")
def test_mestro_keeps_both_privacy_addresses_the_policy_names(mestro: Register) -> None:
    org = mestro.organisation
    contacts = [(c.key, c.email, list(c.roles)) for c in org.contact_points]
    assert contacts == [
        ("support_se", "support@mestro.se", [ContactRole.DPO, ContactRole.PRIVACY_REQUESTS]),
        (
            "support_com",
            "support@mestro.com",
            [ContactRole.PRIVACY_REQUESTS, ContactRole.QUESTIONS],
        ),
    ]
    assert org.dpo is not None
    assert org.dpo.name == "Therese Enlund"
    dpo_contact = org.dpo_contact()
    assert dpo_contact is not None
    assert dpo_contact.email == "support@mestro.se"
    assert [c.email for c in org.contacts_for(ContactRole.PRIVACY_REQUESTS)] == [
        "support@mestro.se",
        "support@mestro.com",
    ]


# --- purposes (P3–P7) -----------------------------------------------------------------------


@pytest.mark.promise("P3")
def test_inquiries_rest_on_legitimate_interest_and_carry_applications(mestro: Register) -> None:
    inquiries = mestro.purpose("inquiries")
    assert inquiries is not None
    assert inquiries.bases() == [LegalBasis.LEGITIMATE_INTERESTS]
    assert inquiries.legal_bases[0].balancing_test == "LIA-2023-01 (examples/mestro assumption)"
    assert inquiries.channels == [
        Channel.PHONE,
        Channel.EMAIL,
        Channel.SOCIAL_MEDIA,
        Channel.WEBSITE,
    ]
    assert "cv" in inquiries.data_categories
    assert "cover_letter" in inquiries.data_categories
    assert "job_applicants" in inquiries.data_subjects


@pytest.mark.promise("P4")
def test_customer_relations_rest_on_the_contract_and_bookkeeping_law(mestro: Register) -> None:
    relations = mestro.purpose("customer_relations")
    assert relations is not None
    assert relations.bases() == [LegalBasis.CONTRACT, LegalBasis.LEGAL_OBLIGATION]
    assert relations.legal_bases[1].law == "Bokföringslagen (1999:1078) 7 kap. 2 §"
    invoices = mestro.data_category("invoice_data")
    assert invoices is not None
    assert invoices.bookkeeping_record is True
    assert "invoice_data" in relations.data_categories


@pytest.mark.promise("P5")
def test_marketing_on_legitimate_interest_newsletter_and_events_on_consent(
    mestro: Register,
) -> None:
    bases = {p.key: p.bases() for p in mestro.purposes}
    assert bases["marketing"] == [LegalBasis.LEGITIMATE_INTERESTS]
    assert bases["newsletter"] == [LegalBasis.CONSENT]
    assert bases["events"] == [LegalBasis.CONSENT]
    newsletter = mestro.purpose("newsletter")
    assert newsletter is not None
    assert Channel.UNSUBSCRIBE_LINK in newsletter.withdrawal_channels


@pytest.mark.promise("P6")
def test_every_consent_purpose_has_a_way_to_withdraw(mestro: Register) -> None:
    consent_purposes = [p for p in mestro.purposes if p.rests_on(LegalBasis.CONSENT)]
    assert [p.key for p in consent_purposes] == ["newsletter", "events", "analytics"]
    assert [
        p.key for p in consent_purposes if Channel.PRIVACY_CENTER not in p.withdrawal_channels
    ] == []


@pytest.mark.promise("P7")
def test_analytics_rests_on_legitimate_interest_and_consent(mestro: Register) -> None:
    analytics = mestro.purpose("analytics")
    assert analytics is not None
    assert analytics.bases() == [LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.CONSENT]
    assert analytics.data_use == "analytics"


# --- data categories (P8) -----------------------------------------------------------------


@pytest.mark.promise("P8")
def test_food_preferences_are_flagged_as_revealing_health_or_religion(mestro: Register) -> None:
    food = mestro.data_category("food_preferences")
    assert food is not None
    assert food.art9 is not None
    assert food.art9.exposure is Art9Exposure.MAY_REVEAL
    assert food.art9.reveals == [
        SpecialCategory.HEALTH,
        SpecialCategory.RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS,
    ]
    assert food.is_sensitive is True
    events = mestro.purpose("events")
    assert events is not None
    assert events.art9_condition is Art9Condition.EXPLICIT_CONSENT


@pytest.mark.promise("P8")
def test_mestro_names_the_policys_data_categories(mestro: Register) -> None:
    keys = {c.key for c in mestro.data_categories}
    policy_categories = {
        "name",
        "email",
        "phone",
        "cv",
        "cover_letter",
        "food_preferences",
        "home_town",
    }
    assert policy_categories - keys == set()
    assert [c.key for c in mestro.data_categories if c.art9 is not None] == ["food_preferences"]


@pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
def test_every_art9_category_is_used_under_an_art9_condition(folder: Path) -> None:
    assert _art9_without_condition(load_register(folder)) == []


# --- processors (P13–P15) -----------------------------------------------------------------


@pytest.mark.promise("P15")
def test_mestro_registers_exactly_the_eleven_processors(mestro: Register) -> None:
    assert [s.name for s in mestro.processors()] == P15_PROCESSORS


@pytest.mark.promise("P15")
def test_every_processor_name_in_the_policy_resolves_to_one_system(mestro: Register) -> None:
    for language in ("sv", "en"):
        assert mestro.policy[language].named_processors == POLICY_NAMES
    resolved = [[s.key for s in mestro.processors() if name in s.names()] for name in POLICY_NAMES]
    assert resolved == [
        ["google_workspace"],
        ["microsoft_azure"],
        ["slack"],
        ["asana"],
        ["miro"],
        ["setly"],
        ["hubspot"],
        ["zapier"],
        ["fortnox"],
        ["younium"],
        ["teamtailor"],
    ]
    google = mestro.system("google_workspace")
    assert google is not None
    assert google.aliases == ["G Suite", "G Suite (Google)", "Google"]


@pytest.mark.promise("P13")
def test_every_processor_has_vendor_agreement_purposes_and_assumptions(mestro: Register) -> None:
    incomplete = [
        s.key
        for s in mestro.processors()
        if s.vendor is None
        or s.dpa is None
        or not s.purposes
        or not s.data_categories
        or not s.services
        or not s.assumptions
    ]
    assert incomplete == []


@pytest.mark.promise("P14")
@pytest.mark.promise("P15")
def test_every_processor_has_hosting_and_safeguards_outside_the_eea(mestro: Register) -> None:
    hosting = {s.key: s.hosting.country for s in mestro.processors()}
    assert hosting == {
        "google_workspace": "IE",
        "microsoft_azure": "NL",
        "slack": "US",
        "asana": "US",
        "miro": "IE",
        "setly": "SE",
        "hubspot": "DE",
        "zapier": "US",
        "fortnox": "SE",
        "younium": "NL",
        "teamtailor": "IE",
    }
    assert _unsafeguarded_third_countries(mestro) == []
    with_transfers = sorted(s.key for s in mestro.processors() if s.transfers)
    assert with_transfers == [
        "asana",
        "google_workspace",
        "hubspot",
        "microsoft_azure",
        "miro",
        "slack",
        "zapier",
    ]
    for system in mestro.processors():
        for transfer in system.transfers:
            assert not is_in_eea(transfer.country)
            assert TransferSafeguard.SCC in transfer.safeguards
            assert transfer.reference


# --- retention (P10) --------------------------------------------------------------------


@pytest.mark.promise("P10")
@pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
def test_every_purpose_and_category_has_a_concrete_retention_rule(folder: Path) -> None:
    assert _missing_retention(load_register(folder)) == []


@pytest.mark.promise("P10")
def test_bookkeeping_records_are_held_until_the_end_of_year_seven(mestro: Register) -> None:
    rules = mestro.retention_for("customer_relations", "invoice_data")
    assert [r.key for r in rules] == ["bookkeeping_records"]
    rule = rules[0]
    assert rule.statutory_hold is StatutoryHold.BOOKKEEPING_ACT
    assert rule.trigger is RetentionTrigger.FISCAL_YEAR_END
    assert rule.period == Period(years=7)
    fiscal_year_ended_on = dt.date(2023, 12, 31)
    assert rule.period.added_to(fiscal_year_ended_on) == dt.date(2030, 12, 31)
    assert bookkeeping_hold_ends_on(fiscal_year_ended_on) == dt.date(2030, 12, 31)


def _periods(register: Register, purpose: str, category: str) -> list[tuple[str, str | None]]:
    """The (period, trigger) of every rule for a purpose × category, in register order."""
    return [
        (rule.period.iso() if rule.period else "-", rule.trigger.value if rule.trigger else None)
        for rule in register.retention_for(purpose, category)
    ]


@pytest.mark.promise("P10")
def test_the_vague_periods_are_made_concrete(mestro: Register) -> None:
    assert _periods(mestro, "inquiries", "cv") == [("P6M", "application_closed")]
    assert _periods(mestro, "inquiries", "email") == [("P12M", "last_activity")]
    assert _periods(mestro, "newsletter", "email") == [("P0D", "unsubscribed")]
    assert _periods(mestro, "events", "food_preferences") == [
        ("P30D", "event_date"),
        ("P0D", "consent_withdrawn"),
    ]


@pytest.mark.promise("P10")
def test_every_mestro_rule_says_why_and_is_marked_for_review(mestro: Register) -> None:
    assert [r.key for r in mestro.retention if set(r.legal_ground) != {"sv", "en"}] == []
    assert [r.key for r in mestro.retention if not r.review_note] == []


@pytest.mark.promise("P11")
def test_consent_purposes_erase_on_withdrawal(mestro: Register) -> None:
    on_withdrawal = {
        r.purpose: r.data_categories
        for r in mestro.retention
        if r.trigger in {RetentionTrigger.CONSENT_WITHDRAWN, RetentionTrigger.UNSUBSCRIBED}
    }
    assert on_withdrawal == {
        "newsletter": ["name", "email", "company"],
        "events": [
            "name",
            "email",
            "phone",
            "company",
            "job_title",
            "food_preferences",
            "home_town",
        ],
        "analytics": ["email", "email_engagement", "cookie_id", "browsing_behaviour"],
    }


# --- cookies and pixels (P9) --------------------------------------------------------------


@pytest.mark.promise("P9")
def test_only_strictly_necessary_trackers_run_without_consent(mestro: Register) -> None:
    ungated = [(t.key, t.category.value) for t in mestro.cookies if not t.consent_gated]
    assert ungated == [("session", "strictly_necessary")]
    assert [t.key for t in mestro.cookies if t.category.needs_consent and not t.consent_gated] == []


@pytest.mark.promise("P9")
def test_mestro_measures_email_reading_with_a_gated_pixel(mestro: Register) -> None:
    pixels = [
        (t.key, t.provider, t.consent_gated) for t in mestro.cookies if t.kind.value == "pixel"
    ]
    assert pixels == [
        ("hubspot_email_open_pixel", "HubSpot", True),
        ("linkedin_insight_tag", "LinkedIn Ireland Unlimited Company", True),
    ]


# --- the second organisation differs ------------------------------------------------------


def test_second_org_differs_from_mestro(mestro: Register, second_org: Register) -> None:
    ours, theirs = mestro.organisation, second_org.organisation
    assert (ours.default_language, theirs.default_language) == ("sv", "en")
    assert (ours.country, theirs.country) == ("SE", "IE")
    assert theirs.languages == ["en", "sv"]
    assert (theirs.fiscal_year_end.month, theirs.fiscal_year_end.day) == (6, 30)
    assert theirs.supervisory_authority is not None
    assert theirs.supervisory_authority.country == "IE"
    assert {p.key for p in mestro.purposes} & {p.key for p in second_org.purposes} == {"newsletter"}


@pytest.mark.promise("P8")
def test_second_org_processes_health_data_under_art9(second_org: Register) -> None:
    conditions = {p.key: p.art9_condition for p in second_org.purposes if p.art9_condition}
    assert conditions == {
        "patient_care": Art9Condition.HEALTH_OR_SOCIAL_CARE,
        "appointment_reminders": Art9Condition.HEALTH_OR_SOCIAL_CARE,
    }
    notes = second_org.data_category("clinical_notes")
    assert notes is not None
    assert notes.art9 is not None
    assert notes.art9.exposure is Art9Exposure.IS_SPECIAL
    assert notes.art9.reveals == [SpecialCategory.HEALTH]


@pytest.mark.promise("P14")
def test_second_org_transfers_to_third_countries_with_safeguards(second_org: Register) -> None:
    third = {s.key: s.third_countries() for s in second_org.processors() if s.third_countries()}
    assert third == {"stripe": ["US"], "twilio": ["US"], "mailchimp": ["US"], "matomo": ["NZ"]}
    assert _unsafeguarded_third_countries(second_org) == []


def test_second_org_shares_no_processor_with_mestro(mestro: Register, second_org: Register) -> None:
    ours = {n.casefold() for s in mestro.processors() for n in s.names()}
    theirs = {n.casefold() for s in second_org.processors() for n in s.names()}
    assert ours & theirs == set()
    assert second_org.policy["en"].named_processors == second_org.policy["sv"].named_processors
    assert [
        n
        for n in second_org.policy["en"].named_processors
        if not any(n in s.names() for s in second_org.processors())
    ] == []


def test_second_org_uses_only_reserved_domains_for_invented_addresses() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SECOND_ORG.rglob("*.yaml")))
    emails = re.findall(r"[\w.+-]+@([\w.-]+)", text)
    assert sorted(set(emails)) == ["northwind.example"]
    websites = set(re.findall(r"https?://([\w.-]+)", text))
    # The supervisory authority is real; everything invented is under .example.
    assert websites == {"northwind.example", "clinicdesk.example", "www.dataprotection.ie"}
