"""Rules on the DPO and contact points: one clear way in for privacy requests (P2).

Mestro's own policy tells people to write to support@mestro.se in one paragraph
and support@mestro.com in another; a person cannot know which one counts, and a
request sent to the wrong one can miss its Art. 12(3) deadline. Messages name
contact points by key and show only domains, never the mailbox name, which may
be a person's.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity, listed
from skydd.domain.organisation import ContactPoint, ContactRole
from skydd.domain.register import Register

SINGLE_ADDRESS_ROLES = (ContactRole.PRIVACY_REQUESTS, ContactRole.DPO)
"""Roles for which the policy must name exactly one e-mail address."""


def _mailbox(contact: ContactPoint) -> tuple[str, str]:
    local, _, domain = contact.email.casefold().rpartition("@")
    return local, domain


def _role_conflicts(register: Register) -> Iterator[Hit]:
    contacts = register.organisation.contact_points
    for role in SINGLE_ADDRESS_ROLES:
        serving = [(i, c) for i, c in enumerate(contacts) if role in c.roles]
        first_address = serving[0][1].email.casefold() if serving else ""
        differing = [(i, c) for i, c in serving if c.email.casefold() != first_address]
        if differing:
            keys = listed(c.key for _, c in serving)
            yield (
                ("organisation", "contact_points", differing[0][0], "email"),
                f"contact points {keys} serve {role} with differing e-mail addresses",
            )


def _domain_mismatches(register: Register) -> Iterator[Hit]:
    by_local: dict[str, list[tuple[int, ContactPoint]]] = {}
    for i, contact in enumerate(register.organisation.contact_points):
        by_local.setdefault(_mailbox(contact)[0], []).append((i, contact))
    for group in by_local.values():
        domains = list(dict.fromkeys(_mailbox(c)[1] for _, c in group))
        if len(domains) < 2:
            continue
        second = next(i for i, c in group if _mailbox(c)[1] != domains[0])
        yield (
            ("organisation", "contact_points", second, "email"),
            f"contact points {listed(c.key for _, c in group)} use the same mailbox name "
            f"on different domains ({', '.join(domains)})",
        )


def _no_dpo(register: Register) -> Iterator[Hit]:
    if register.organisation.dpo is None:
        yield ("organisation", "dpo"), "the organisation names no data protection officer"


def _no_intake(register: Register) -> Iterator[Hit]:
    if register.organisation.intake() is None:
        yield (
            ("organisation", "intake_contact"),
            "no contact point receives privacy requests "
            "(no intake_contact and none with role privacy_requests)",
        )


def _intake_lacks_role(register: Register) -> Iterator[Hit]:
    org = register.organisation
    intake = org.contact_point(org.intake_contact) if org.intake_contact else None
    if intake is not None and ContactRole.PRIVACY_REQUESTS not in intake.roles:
        yield (
            ("organisation", "intake_contact"),
            f"intake contact '{intake.key}' does not list the role privacy_requests",
        )


CONTACT_ROLE_CONFLICT = Rule(
    id="SKY040",
    name="contact-role-conflict",
    title="Several e-mail addresses for privacy requests or the DPO",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 12(2), Art. 13(1)(a)–(b), Art. 38(4)",
    description="People must be told one address for privacy requests and one for the DPO; "
    "contact points serving privacy_requests (or dpo) with different e-mail addresses make "
    "the policy contradict itself (P2).",
    fix="Keep the role on one contact point (the intake), or make every contact point with the "
    "role use the same address; list other addresses under other roles (support, questions).",
    check=_role_conflicts,
)

CONTACT_DOMAIN_MISMATCH = Rule(
    id="SKY041",
    name="contact-domain-mismatch",
    title="Same mailbox name on different domains",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 12(1), Art. 5(1)(a)",
    description="Addresses like support@ on two different domains are usually one mailbox "
    "written two ways; one of them may not be read, or may not even be the organisation's.",
    fix="Use one domain for the mailbox in every contact point, or rename the mailbox that is "
    "genuinely different.",
    check=_domain_mismatches,
)

NO_DPO = Rule(
    id="SKY042",
    name="no-dpo",
    title="No data protection officer",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 37, Art. 13(1)(b)",
    description="Many controllers must designate a DPO, and the policy must give the DPO's "
    "contact details when there is one.",
    fix="Add `organisation.dpo` with the DPO's name and contact point; if Art. 37 does not "
    "require one, record a DPO-equivalent privacy contact and accept this warning in review.",
    check=_no_dpo,
)

NO_PRIVACY_REQUEST_INTAKE = Rule(
    id="SKY043",
    name="no-privacy-request-intake",
    title="No intake contact for privacy requests",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 12(2), Art. 13(1)(a)",
    description="The controller must make exercising rights easy; skydd needs one address "
    "where requests arrive and their deadline starts (P2, P17).",
    fix="Set `organisation.intake_contact` to a contact point with role privacy_requests.",
    check=_no_intake,
)

INTAKE_CONTACT_LACKS_ROLE = Rule(
    id="SKY044",
    name="intake-contact-lacks-role",
    title="Intake contact does not serve privacy requests",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 12(2)",
    description="The intake is where requests arrive; if it does not carry the "
    "privacy_requests role the policy will point people to another address.",
    fix="Add role privacy_requests to the intake contact point, or point `intake_contact` at "
    "the contact point that has it.",
    check=_intake_lacks_role,
)

RULES: tuple[Rule, ...] = (
    CONTACT_ROLE_CONFLICT,
    CONTACT_DOMAIN_MISMATCH,
    NO_DPO,
    NO_PRIVACY_REQUEST_INTAKE,
    INTAKE_CONTACT_LACKS_ROLE,
)
