"""SKY040/SKY041 on contact points that disagree, as in Mestro's own policy (P2)."""

from __future__ import annotations

import pytest

from skydd.domain.compliance import Finding, Severity, lint_register
from skydd.domain.organisation import ContactRole, DataProtectionOfficer
from skydd.domain.register import Register
from tests.factories import make_contact_point, make_register, replace_organisation

pytestmark = pytest.mark.promise("P2")


def two_support_domains() -> Register:
    """Like Mestro: the DPO and requests at support@ on one domain, requests also on another."""
    contacts = [
        make_contact_point(
            "support_se",
            email="support@example.test",
            roles=[ContactRole.DPO, ContactRole.PRIVACY_REQUESTS],
        ),
        make_contact_point(
            "support_com",
            email="support@example.com",
            roles=[ContactRole.PRIVACY_REQUESTS, ContactRole.QUESTIONS],
        ),
    ]
    return replace_organisation(
        make_register(),
        contact_points=contacts,
        intake_contact="support_se",
        dpo=DataProtectionOfficer(name="Example Officer", contact_point="support_se"),
    )


def contact_findings(register: Register) -> list[Finding]:
    return [f for f in lint_register(register) if f.rule_id in {"SKY040", "SKY041"}]


def test_two_addresses_for_privacy_requests_on_two_domains_fire_both_rules() -> None:
    assert contact_findings(two_support_domains()) == [
        Finding(
            "SKY040",
            Severity.ERROR,
            "contact points 'support_se', 'support_com' serve privacy_requests "
            "with differing e-mail addresses",
            ("organisation", "contact_points", 1, "email"),
        ),
        Finding(
            "SKY041",
            Severity.WARNING,
            "contact points 'support_se', 'support_com' use the same mailbox name "
            "on different domains (example.test, example.com)",
            ("organisation", "contact_points", 1, "email"),
        ),
    ]


def test_one_finding_per_role_lists_every_contact_point_serving_it() -> None:
    register = two_support_domains()
    third = make_contact_point("requests", email="requests@example.com")
    contacts = [*register.organisation.contact_points, third]
    register = replace_organisation(register, contact_points=contacts)
    [conflict] = [f for f in lint_register(register) if f.rule_id == "SKY040"]
    assert conflict.message.startswith(
        "contact points 'support_se', 'support_com', 'requests' serve privacy_requests"
    )


def test_two_addresses_for_the_dpo_conflict_too() -> None:
    register = make_register()
    contacts = [
        *register.organisation.contact_points,
        make_contact_point("officer", email="officer@example.com", roles=[ContactRole.DPO]),
    ]
    register = replace_organisation(register, contact_points=contacts)
    [conflict] = [f for f in lint_register(register) if f.rule_id == "SKY040"]
    assert conflict.message == (
        "contact points 'dpo', 'officer' serve dpo with differing e-mail addresses"
    )


def test_messages_name_keys_and_domains_but_never_a_mailbox() -> None:
    for finding in contact_findings(two_support_domains()):
        assert "support@" not in finding.message
        assert "Example Officer" not in finding.message
