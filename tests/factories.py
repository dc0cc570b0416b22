"""Typed builders for register models, with keyword overrides.

``make_register()`` is a small but complete register of an invented company
(RFC 2606 domains only) that passes every compliance rule: tests change one
thing and assert exactly what the lint says about it. Every builder validates
through pydantic, so a test cannot build a register the loader would refuse.
"""

from __future__ import annotations

from typing import Any

from skydd.domain.cookies import CookieCategory, Tracker, TrackerKind
from skydd.domain.organisation import (
    Address,
    ContactPoint,
    ContactRole,
    DataProtectionOfficer,
    Organisation,
    SupervisoryAuthority,
)
from skydd.domain.policy_text import PolicyText
from skydd.domain.processors import (
    DataProcessingAgreement,
    Hosting,
    ProcessorService,
    System,
    SystemKind,
    Transfer,
    TransferSafeguard,
    Vendor,
)
from skydd.domain.purposes import Art9Condition, BasisClaim, Channel, LegalBasis, Purpose
from skydd.domain.register import Register
from skydd.domain.retention import RetentionRule, RetentionTrigger, StatutoryHold
from skydd.domain.schema import LocalizedText
from skydd.domain.taxonomy import (
    Art9Exposure,
    Art9Flag,
    DataCategory,
    DataSubjectCategory,
    SpecialCategory,
)

LANGUAGES = ("sv", "en")


def text(label: str) -> LocalizedText:
    """The same label in every language of the example register."""
    return {language: f"{label} ({language})" for language in LANGUAGES}


def make_contact_point(key: str = "privacy", **overrides: Any) -> ContactPoint:
    fields: dict[str, Any] = {
        "key": key,
        "email": f"{key}@example.com",
        "roles": [ContactRole.PRIVACY_REQUESTS],
    }
    return ContactPoint.model_validate(fields | overrides)


def make_organisation(**overrides: Any) -> Organisation:
    fields: dict[str, Any] = {
        "key": "exempel",
        "name": "Exempel",
        "legal_name": "Exempel AB",
        "org_number": "556000-0000",
        "country": "SE",
        "address": Address(
            street="Exempelgatan 1", postal_code="111 11", city="Stockholm", country="SE"
        ),
        "website": "https://www.example.com",
        "languages": list(LANGUAGES),
        "default_language": "sv",
        "dpo": DataProtectionOfficer(name="Example Officer", contact_point="dpo"),
        "contact_points": [
            make_contact_point("dpo", roles=[ContactRole.DPO]),
            make_contact_point("privacy"),
        ],
        "intake_contact": "privacy",
        "supervisory_authority": SupervisoryAuthority(
            name=text("Integritetsskyddsmyndigheten"), website="https://www.imy.se", country="SE"
        ),
    }
    return Organisation.model_validate(fields | overrides)


def make_subject(key: str = "customer", **overrides: Any) -> DataSubjectCategory:
    fields: dict[str, Any] = {"key": key, "name": text(key), "taxonomy": "customer"}
    return DataSubjectCategory.model_validate(fields | overrides)


def make_category(key: str = "name", taxonomy: str = "user.name", **overrides: Any) -> DataCategory:
    fields: dict[str, Any] = {"key": key, "name": text(key), "taxonomy": taxonomy}
    return DataCategory.model_validate(fields | overrides)


def make_claim(basis: LegalBasis = LegalBasis.CONTRACT, **overrides: Any) -> BasisClaim:
    fields: dict[str, Any] = {"basis": basis}
    if basis is LegalBasis.LEGITIMATE_INTERESTS:
        fields |= {"applies_to": text("interest"), "balancing_test": "LIA-2024-01"}
    if basis is LegalBasis.LEGAL_OBLIGATION:
        fields |= {"law": "Bokföringslagen (1999:1078) 7 kap. 2 §"}
    return BasisClaim.model_validate(fields | overrides)


def make_purpose(key: str = "newsletter", **overrides: Any) -> Purpose:
    fields: dict[str, Any] = {
        "key": key,
        "name": text(key),
        "description": text(f"{key} description"),
        "legal_bases": [make_claim(LegalBasis.CONSENT)],
        "data_subjects": ["customer"],
        "data_categories": ["email"],
        "channels": [Channel.WEB_FORM],
        "withdrawal_channels": [Channel.UNSUBSCRIBE_LINK],
        "data_use": "marketing.communications.email",
    }
    return Purpose.model_validate(fields | overrides)


def make_system(key: str = "crm", **overrides: Any) -> System:
    fields: dict[str, Any] = {
        "key": key,
        "name": key.capitalize(),
        "kind": SystemKind.PROCESSOR,
        "vendor": Vendor(legal_name=f"{key.capitalize()} AB", country="SE"),
        "services": [ProcessorService.CRM],
        "purposes": ["customer_relations"],
        "data_categories": ["name"],
        "hosting": Hosting(country="SE"),
        "dpa": DataProcessingAgreement(reference=f"DPA-{key}"),
    }
    return System.model_validate(fields | overrides)


def make_transfer(country: str = "US", **overrides: Any) -> Transfer:
    fields: dict[str, Any] = {
        "country": country,
        "safeguards": [TransferSafeguard.SCC],
        "reference": "SCC 2021/914 module 3",
    }
    return Transfer.model_validate(fields | overrides)


def make_retention(
    key: str, purpose: str, categories: list[str], period: str | None, **overrides: Any
) -> RetentionRule:
    fields: dict[str, Any] = {
        "key": key,
        "purpose": purpose,
        "data_categories": categories,
        "period": period,
        "trigger": RetentionTrigger.LAST_ACTIVITY,
    }
    return RetentionRule.model_validate(fields | overrides)


def make_tracker(key: str = "session", **overrides: Any) -> Tracker:
    fields: dict[str, Any] = {
        "key": key,
        "name": key,
        "kind": TrackerKind.COOKIE,
        "category": CookieCategory.STRICTLY_NECESSARY,
        "provider": "example.com",
        "duration": "session",
        "consent_gated": False,
    }
    return Tracker.model_validate(fields | overrides)


def make_policy_text(language: str = "sv", **overrides: Any) -> PolicyText:
    fields: dict[str, Any] = {
        "title": f"Privacy policy ({language})",
        "named_processors": ["Crm", "Mailer Inc."],
    }
    return PolicyText.model_validate(fields | overrides)


def _purposes() -> list[Purpose]:
    return [
        make_purpose(
            "customer_relations",
            legal_bases=[make_claim(LegalBasis.CONTRACT), make_claim(LegalBasis.LEGAL_OBLIGATION)],
            data_categories=["name", "email", "invoice"],
            withdrawal_channels=[],
            data_use="essential.service",
            statutory_or_contractual_requirement=text("required to fulfil the contract"),
        ),
        make_purpose("newsletter"),
        make_purpose(
            "events",
            data_categories=["name", "food_preferences"],
            art9_condition=Art9Condition.EXPLICIT_CONSENT,
            withdrawal_channels=[Channel.PRIVACY_CENTER],
            data_use="marketing.communications",
        ),
        make_purpose(
            "inquiries",
            legal_bases=[make_claim(LegalBasis.LEGITIMATE_INTERESTS)],
            data_subjects=["prospect"],
            data_categories=["name", "email"],
            withdrawal_channels=[],
            data_use="essential.service.operations.support",
        ),
    ]


def _retention() -> list[RetentionRule]:
    return [
        make_retention(
            "customer_contact",
            "customer_relations",
            ["name", "email"],
            "P2Y",
            trigger=RetentionTrigger.CONTRACT_END,
        ),
        make_retention(
            "invoices",
            "customer_relations",
            ["invoice"],
            None,
            trigger=RetentionTrigger.FISCAL_YEAR_END,
            statutory_hold=StatutoryHold.BOOKKEEPING_ACT,
        ),
        make_retention(
            "newsletter", "newsletter", ["email"], "P0D", trigger=RetentionTrigger.UNSUBSCRIBED
        ),
        make_retention(
            "event_consent",
            "events",
            ["name", "food_preferences"],
            "P0D",
            trigger=RetentionTrigger.CONSENT_WITHDRAWN,
        ),
        make_retention(
            "event_after",
            "events",
            ["food_preferences"],
            "P1M",
            trigger=RetentionTrigger.EVENT_DATE,
        ),
        make_retention("inquiries", "inquiries", ["name", "email"], "P1Y"),
    ]


def _systems() -> list[System]:
    return [
        make_system(
            "crm",
            purposes=["customer_relations", "events", "inquiries"],
            data_categories=["name", "email", "invoice", "food_preferences"],
        ),
        make_system(
            "mailer",
            name="Mailer",
            aliases=["Mailer Inc."],
            vendor=Vendor(legal_name="Mailer Inc.", country="US"),
            services=[ProcessorService.EMAIL_SENDING],
            purposes=["newsletter"],
            data_categories=["email"],
            hosting=Hosting(country="IE"),
            transfers=[make_transfer("US")],
        ),
        make_system(
            "intranet",
            kind=SystemKind.INTERNAL,
            vendor=None,
            services=[],
            purposes=["customer_relations"],
            data_categories=["name"],
            dpa=None,
        ),
    ]


def make_register(**overrides: Any) -> Register:
    """A complete register that every compliance rule passes; override any section."""
    food = Art9Flag(
        exposure=Art9Exposure.MAY_REVEAL,
        reveals=[SpecialCategory.HEALTH, SpecialCategory.RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS],
    )
    fields: dict[str, Any] = {
        "organisation": make_organisation(),
        "data_subjects": [make_subject("customer"), make_subject("prospect", taxonomy="prospect")],
        "data_categories": [
            make_category("name", "user.name"),
            make_category("email", "user.contact.email"),
            make_category("invoice", "user.financial", bookkeeping_record=True),
            make_category("food_preferences", "user.health_and_medical", art9=food),
        ],
        "purposes": _purposes(),
        "systems": _systems(),
        "retention": _retention(),
        "cookies": [
            make_tracker("session"),
            make_tracker(
                "open_pixel",
                kind=TrackerKind.PIXEL,
                category=CookieCategory.MARKETING,
                system="mailer",
                purpose="newsletter",
                consent_gated=True,
            ),
        ],
        "policy": {language: make_policy_text(language) for language in LANGUAGES},
    }
    return Register.model_validate(fields | overrides)


def replace_item(register: Register, section: str, key: str, **changes: Any) -> Register:
    """The register with item ``key`` of list ``section`` rebuilt with ``changes``, validated."""
    items = getattr(register, section)
    if key not in {item.key for item in items}:
        msg = f"no {section} item has key {key!r}"
        raise KeyError(msg)
    rebuilt = [
        type(item).model_validate(item.model_dump() | changes) if item.key == key else item
        for item in items
    ]
    return register.model_copy(update={section: rebuilt})


def replace_organisation(register: Register, **changes: Any) -> Register:
    """The register with its organisation rebuilt with ``changes``, validated."""
    organisation = Organisation.model_validate(register.organisation.model_dump() | changes)
    return register.model_copy(update={"organisation": organisation})
