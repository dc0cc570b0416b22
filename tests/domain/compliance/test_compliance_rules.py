"""Every compliance rule fires on a register that breaks it and stays quiet on a near miss.

The two tables below are the contract: ``FIRING`` maps each rule id to a change of
the clean example register and the exact findings (rule id → count) it causes;
``QUIET`` maps each rule id to a change that comes close but must not trigger it.
A meta-test keeps both tables covering every rule in the catalogue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from pydantic import BaseModel

from skydd.domain.compliance import RULES, lint_register
from skydd.domain.cookies import CookieCategory, TrackerKind
from skydd.domain.organisation import ContactRole, DataProtectionOfficer
from skydd.domain.processors import Hosting, SystemKind, TransferSafeguard, Vendor
from skydd.domain.purposes import Art9Condition, Channel, LegalBasis
from skydd.domain.register import Register
from skydd.domain.retention import RetentionTrigger
from tests.factories import (
    make_category,
    make_claim,
    make_contact_point,
    make_policy_text,
    make_purpose,
    make_register,
    make_retention,
    make_tracker,
    make_transfer,
    replace_item,
    replace_organisation,
)

Mutation = Callable[[Register], Register]
BASE = make_register()
RULE_IDS = [rule.id for rule in RULES]


def purpose(reg: Register, key: str, **changes: object) -> Register:
    return replace_item(reg, "purposes", key, **changes)


def system(reg: Register, key: str, **changes: object) -> Register:
    return replace_item(reg, "systems", key, **changes)


def rule(reg: Register, key: str, **changes: object) -> Register:
    return replace_item(reg, "retention", key, **changes)


def tracker(reg: Register, key: str, **changes: object) -> Register:
    return replace_item(reg, "cookies", key, **changes)


def add(reg: Register, section: str, *items: object) -> Register:
    return reg.model_copy(update={section: [*getattr(reg, section), *items]})


def org(reg: Register, **changes: object) -> Register:
    return replace_organisation(reg, **changes)


def named(reg: Register, language: str, names: list[str]) -> Register:
    policy = reg.policy | {language: make_policy_text(language, named_processors=names)}
    return reg.model_copy(update={"policy": policy})


LI = LegalBasis.LEGITIMATE_INTERESTS
OBLIGATION = LegalBasis.LEGAL_OBLIGATION
CONTACTS = BASE.organisation.contact_points

FIRING: dict[str, tuple[Mutation, dict[str, int]]] = {
    "SKY001": (lambda r: purpose(r, "inquiries", legal_bases=[]), {"SKY001": 1}),
    "SKY002": (lambda r: purpose(r, "newsletter", withdrawal_channels=[]), {"SKY002": 1}),
    "SKY003": (
        lambda r: purpose(r, "inquiries", legal_bases=[make_claim(LI, balancing_test=None)]),
        {"SKY003": 1},
    ),
    "SKY004": (
        lambda r: purpose(
            r, "customer_relations", legal_bases=[make_claim(), make_claim(OBLIGATION, law=None)]
        ),
        {"SKY004": 1},
    ),
    "SKY005": (
        lambda r: purpose(r, "newsletter", data_categories=["email", "invoice"]),
        {"SKY005": 1, "SKY030": 1, "SKY034": 1},
    ),
    "SKY010": (lambda r: purpose(r, "events", art9_condition=None), {"SKY010": 1}),
    "SKY011": (lambda r: purpose(r, "events", legal_bases=[make_claim(LI)]), {"SKY011": 1}),
    "SKY012": (
        lambda r: purpose(r, "newsletter", art9_condition=Art9Condition.EXPLICIT_CONSENT),
        {"SKY012": 1},
    ),
    "SKY020": (lambda r: system(r, "crm", dpa=None), {"SKY020": 1}),
    "SKY021": (
        lambda r: system(
            r,
            "mailer",
            transfers=[make_transfer(safeguards=[TransferSafeguard.NONE], reference=None)],
        ),
        {"SKY021": 1},
    ),
    "SKY022": (lambda r: system(r, "mailer", transfers=[]), {"SKY022": 1}),
    "SKY023": (lambda r: system(r, "intranet", data_categories=[]), {"SKY023": 1}),
    "SKY024": (lambda r: system(r, "crm", vendor=None), {"SKY024": 1}),
    "SKY025": (
        lambda r: system(
            system(r, "mailer", purposes=[]),
            "crm",
            purposes=["customer_relations", "events", "inquiries", "newsletter"],
        ),
        {"SKY025": 1},
    ),
    "SKY030": (lambda r: rule(r, "inquiries", data_categories=["name"]), {"SKY030": 1}),
    "SKY031": (lambda r: rule(r, "inquiries", trigger=None), {"SKY031": 1}),
    "SKY032": (
        lambda r: rule(r, "invoices", statutory_hold=None, period="P5Y"),
        {"SKY032": 1},
    ),
    "SKY033": (lambda r: rule(r, "inquiries", period="P0D"), {"SKY033": 1}),
    "SKY034": (
        lambda r: rule(r, "newsletter", period="P1Y", trigger=RetentionTrigger.LAST_ACTIVITY),
        {"SKY034": 1},
    ),
    "SKY035": (
        lambda r: rule(r, "inquiries", data_categories=["name", "email", "invoice"]),
        {"SKY035": 1},
    ),
    "SKY040": (
        lambda r: org(r, contact_points=[*CONTACTS, make_contact_point("support")]),
        {"SKY040": 1},
    ),
    "SKY041": (
        lambda r: org(
            r,
            contact_points=[
                *CONTACTS,
                make_contact_point(
                    "questions", email="privacy@example.test", roles=[ContactRole.QUESTIONS]
                ),
            ],
        ),
        {"SKY041": 1},
    ),
    "SKY042": (lambda r: org(r, dpo=None), {"SKY042": 1}),
    "SKY043": (
        lambda r: org(
            r,
            intake_contact=None,
            contact_points=[CONTACTS[0], make_contact_point(roles=[ContactRole.QUESTIONS])],
        ),
        {"SKY043": 1},
    ),
    "SKY044": (lambda r: org(r, intake_contact="dpo"), {"SKY044": 1}),
    "SKY050": (lambda r: named(r, "sv", ["Crm", "Mailer Inc.", "Cloudy"]), {"SKY050": 1}),
    "SKY051": (lambda r: named(r, "en", ["Crm"]), {"SKY051": 1}),
    "SKY052": (
        lambda r: r.model_copy(update={"policy": {"sv": r.policy["sv"]}}),
        {"SKY052": 1},
    ),
    "SKY053": (lambda r: purpose(r, "newsletter", name={"sv": "Nyhetsbrev"}), {"SKY053": 1}),
    "SKY060": (lambda r: tracker(r, "open_pixel", consent_gated=False), {"SKY060": 1}),
    "SKY061": (
        lambda r: add(r, "cookies", make_tracker("status_pixel", kind=TrackerKind.PIXEL)),
        {"SKY061": 1},
    ),
    "SKY062": (lambda r: tracker(r, "open_pixel", purpose=None), {"SKY062": 1}),
    "SKY065": (
        lambda r: add(r, "data_categories", make_category("phone", "user.contact.phone_number")),
        {"SKY065": 1},
    ),
    "SKY066": (lambda r: purpose(r, "inquiries", data_subjects=[]), {"SKY066": 1}),
    "SKY067": (
        lambda r: system(r, "crm", purposes=["customer_relations", "events"]),
        {"SKY067": 1},
    ),
    "SKY068": (
        lambda r: purpose(r, "inquiries", name={"en": "TODO: name it", "sv": "Förfrågningar"}),
        {"SKY068": 1},
    ),
    "SKY070": (
        lambda r: org(r, contact_points=[], dpo=None, intake_contact=None),
        {"SKY070": 1, "SKY042": 1, "SKY043": 1},
    ),
    "SKY071": (
        lambda r: org(r, dpo=DataProtectionOfficer(name="Example Officer", contact_point="gone")),
        {"SKY071": 1},
    ),
    "SKY072": (
        lambda r: r.model_copy(update={"purposes": []}),
        {"SKY072": 1, "SKY065": 4, "SKY062": 1},
    ),
    "SKY073": (
        lambda r: purpose(
            r, "inquiries", legal_bases=[make_claim(LI, applies_to={}, balancing_test=None)]
        ),
        {"SKY073": 1, "SKY003": 1},
    ),
    "SKY074": (lambda r: system(r, "mailer", services=[]), {"SKY074": 1}),
    "SKY075": (
        lambda r: system(r, "mailer", transfers=[make_transfer(reference=None)]),
        {"SKY075": 1},
    ),
    "SKY076": (lambda r: r.model_copy(update={"policy": {}}), {"SKY076": 1}),
    "SKY077": (lambda r: org(r, supervisory_authority=None), {"SKY077": 1}),
    "SKY078": (
        lambda r: purpose(r, "customer_relations", statutory_or_contractual_requirement={}),
        {"SKY078": 1},
    ),
    "SKY079": (lambda r: purpose(r, "newsletter", automated_decisions=True), {"SKY079": 1}),
}

QUIET: dict[str, Mutation] = {
    "SKY001": lambda r: purpose(r, "inquiries", legal_bases=[make_claim(LegalBasis.PUBLIC_TASK)]),
    "SKY002": lambda r: purpose(r, "newsletter", withdrawal_channels=[Channel.EMAIL]),
    "SKY003": lambda r: purpose(r, "inquiries", legal_bases=[make_claim(LI, applies_to={})]),
    "SKY004": lambda r: purpose(
        r, "customer_relations", legal_bases=[make_claim(OBLIGATION, law="Skatteförfarandelagen")]
    ),
    "SKY005": lambda r: purpose(
        r,
        "newsletter",
        legal_bases=[make_claim(LegalBasis.CONSENT), make_claim(OBLIGATION)],
        data_categories=["email", "invoice"],
    ),
    "SKY010": lambda r: purpose(r, "events", art9_condition=Art9Condition.LEGAL_CLAIMS),
    "SKY011": lambda r: purpose(
        r, "events", legal_bases=[make_claim(LI), make_claim(LegalBasis.CONSENT)]
    ),
    "SKY012": lambda r: purpose(
        r,
        "newsletter",
        art9_condition=Art9Condition.EXPLICIT_CONSENT,
        data_categories=["email", "food_preferences"],
    ),
    "SKY020": lambda r: system(r, "crm", kind=SystemKind.INTERNAL, dpa=None),
    "SKY021": lambda r: system(
        r,
        "mailer",
        hosting=Hosting(country="US"),
        transfers=[make_transfer(safeguards=[TransferSafeguard.NONE, TransferSafeguard.DPF])],
    ),
    "SKY022": lambda r: system(
        r, "mailer", vendor=Vendor(legal_name="Mailer AS", country="NO"), transfers=[]
    ),
    "SKY023": lambda r: system(r, "intranet", purposes=[], data_categories=[]),
    "SKY024": lambda r: system(r, "intranet", vendor=None),
    "SKY025": lambda r: system(r, "intranet", purposes=[]),
    "SKY030": lambda r: add(
        rule(r, "inquiries", data_categories=["name"]),
        "retention",
        make_retention("inquiry_mail", "inquiries", ["email"], "P6M"),
    ),
    "SKY031": lambda r: rule(r, "invoices", period="P7Y"),
    "SKY032": lambda r: rule(
        org(r, fiscal_year_end={"month": 6, "day": 30}),
        "invoices",
        statutory_hold=None,
        period="P7Y6M1D",
    ),
    "SKY033": lambda r: rule(r, "inquiries", period="P0D", trigger=RetentionTrigger.REQUEST_CLOSED),
    "SKY034": lambda r: add(
        r, "retention", make_retention("newsletter_stats", "newsletter", ["email"], "P2Y")
    ),
    "SKY035": lambda r: rule(r, "inquiries", data_categories=["name", "name"]),
    "SKY040": lambda r: org(
        r,
        contact_points=[
            *CONTACTS,
            make_contact_point(
                "privacy_alias",
                email="Privacy@Example.com",
                roles=[ContactRole.PRIVACY_REQUESTS, ContactRole.QUESTIONS],
            ),
        ],
    ),
    "SKY041": lambda r: org(
        r,
        contact_points=[
            *CONTACTS,
            make_contact_point(
                "privacy_caps", email="PRIVACY@EXAMPLE.COM", roles=[ContactRole.QUESTIONS]
            ),
        ],
    ),
    "SKY042": lambda r: org(
        r, dpo=DataProtectionOfficer(name="Another Officer", contact_point="dpo")
    ),
    "SKY043": lambda r: org(r, intake_contact=None),
    "SKY044": lambda r: org(r, intake_contact=None),
    "SKY050": lambda r: named(r, "sv", ["crm", "  mailer   INC. "]),
    "SKY051": lambda r: named(r, "en", []),
    "SKY052": lambda r: org(r, languages=["sv"]).model_copy(
        update={"policy": {"sv": r.policy["sv"]}}
    ),
    "SKY053": lambda r: purpose(org(r, languages=["sv"]), "newsletter", name={"sv": "Nyhetsbrev"}),
    "SKY060": lambda r: tracker(r, "session", consent_gated=True),
    "SKY061": lambda r: tracker(r, "open_pixel", category=CookieCategory.STATISTICS),
    "SKY062": lambda r: tracker(r, "open_pixel", purpose="events"),
    "SKY065": lambda r: add(
        purpose(r, "inquiries", data_categories=["name", "email", "phone"]),
        "data_categories",
        make_category("phone", "user.contact.phone_number"),
    ),
    "SKY066": lambda r: purpose(r, "inquiries", data_subjects=["prospect", "customer"]),
    "SKY067": lambda r: system(
        system(r, "crm", purposes=["customer_relations", "events"]),
        "intranet",
        purposes=["customer_relations", "inquiries"],
    ),
    "SKY068": lambda r: purpose(r, "inquiries", name={"en": "TODO lists", "sv": "Att göra"}),
    "SKY070": lambda r: org(r, contact_points=CONTACTS[:1], intake_contact=None),
    "SKY071": lambda r: org(r, dpo=None),
    "SKY072": lambda r: add(
        r, "purposes", make_purpose("extra", legal_bases=[make_claim(LegalBasis.CONSENT)])
    ),
    "SKY073": lambda r: purpose(r, "inquiries", legal_bases=[make_claim(LI, balancing_test=None)]),
    "SKY074": lambda r: system(r, "intranet", services=[]),
    "SKY075": lambda r: system(
        r,
        "mailer",
        transfers=[make_transfer(safeguards=[TransferSafeguard.DPF], reference=None)],
    ),
    "SKY076": lambda r: org(r, languages=["sv"]).model_copy(
        update={"policy": {"sv": r.policy["sv"]}}
    ),
    "SKY077": lambda r: org(r, country="NO"),
    "SKY078": lambda r: purpose(r, "newsletter", statutory_or_contractual_requirement={}),
    "SKY079": lambda r: purpose(r, "newsletter", automated_decisions=False),
}


def rule_counts(register: Register) -> dict[str, int]:
    return dict(Counter(finding.rule_id for finding in lint_register(register)))


def test_the_example_register_is_clean() -> None:
    assert lint_register(BASE) == []


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    assert sorted(FIRING) == sorted(RULE_IDS)
    assert sorted(QUIET) == sorted(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fires(rule_id: str) -> None:
    mutate, expected = FIRING[rule_id]
    assert rule_counts(mutate(BASE)) == expected


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_stays_quiet_on_a_near_miss(rule_id: str) -> None:
    assert rule_id not in rule_counts(QUIET[rule_id](BASE))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_findings_carry_their_rules_severity(rule_id: str) -> None:
    severity = next(r.severity for r in RULES if r.id == rule_id)
    findings = [f for f in lint_register(FIRING[rule_id][0](BASE)) if f.rule_id == rule_id]
    assert {f.severity for f in findings} == {severity}


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_messages_name_register_keys_never_personal_data(rule_id: str) -> None:
    register = FIRING[rule_id][0](BASE)
    officer = BASE.organisation.dpo.name if BASE.organisation.dpo else "-"
    for finding in lint_register(register):
        assert "@" not in finding.message
        assert officer not in finding.message


def resolves(register: Register, path: tuple[str | int, ...]) -> bool:
    """True when every step of ``path`` names a field, key or index that exists."""
    node: object = register
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
            node = node[step]
        elif isinstance(node, dict):
            if step not in node:
                return False
            node = node[step]
        elif isinstance(node, BaseModel):
            if step not in type(node).model_fields:
                return False
            node = getattr(node, step)
        else:
            return False
    return True


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_finding_points_at_a_real_field(rule_id: str) -> None:
    register = FIRING[rule_id][0](BASE)
    for finding in lint_register(register):
        assert resolves(register, finding.path), finding


def test_a_purpose_on_consent_and_another_basis_needs_one_withdrawal_rule() -> None:
    mixed = purpose(
        BASE, "newsletter", legal_bases=[make_claim(LI), make_claim(LegalBasis.CONSENT)]
    )
    stats = make_retention("newsletter_stats", "newsletter", ["email"], "P2Y")
    no_withdrawal = rule(mixed, "newsletter", trigger=RetentionTrigger.LAST_ACTIVITY)
    [finding] = [f for f in lint_register(no_withdrawal) if f.rule_id == "SKY034"]
    assert finding.path == ("purposes", 1, "data_categories")
    assert rule_counts(add(mixed, "retention", stats)) == {}


def test_hosting_outside_the_eea_without_a_transfer_points_at_the_hosting() -> None:
    register = system(BASE, "mailer", hosting=Hosting(country="US"), transfers=[])
    findings = [f for f in lint_register(register) if f.rule_id == "SKY021"]
    assert [f.path for f in findings] == [("systems", 1, "hosting", "country")]
    assert rule_counts(register) == {"SKY021": 1}
