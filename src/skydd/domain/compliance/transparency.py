"""Art. 13: what the policy must tell people, and whether the register can supply it.

The published policy is rendered from the register, so an Art. 13 item the
register cannot supply is an item the policy silently leaves out. There is one
rule per Art. 13 item that no other rule already checks; :data:`ART13_COVERAGE`
maps every item to the rules that guard it, so none is forgotten and none is
reported twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.processors import TransferSafeguard
from skydd.domain.purposes import LegalBasis
from skydd.domain.register import Register

REFERENCED_SAFEGUARDS = frozenset({TransferSafeguard.SCC, TransferSafeguard.BCR})
"""Safeguards that are documents a person may ask for a copy of (Art. 13(1)(f))."""

REQUIREMENT_BASES = frozenset({LegalBasis.CONTRACT, LegalBasis.LEGAL_OBLIGATION})
"""Bases under which providing the data is a statutory or contractual requirement."""

ART13_COVERAGE: dict[str, tuple[str, ...]] = {
    "Art. 13(1)(a) identity and contact details of the controller": ("SKY070", "SKY043"),
    "Art. 13(1)(b) contact details of the DPO": ("SKY071", "SKY042"),
    "Art. 13(1)(c) purposes and legal basis": ("SKY072", "SKY001"),
    "Art. 13(1)(d) legitimate interests pursued": ("SKY073", "SKY003"),
    "Art. 13(1)(e) recipients": ("SKY074", "SKY050", "SKY051"),
    "Art. 13(1)(f) transfers and safeguards": ("SKY021", "SKY022", "SKY075"),
    "Art. 13(2)(a) retention period": ("SKY030", "SKY031"),
    "Art. 13(2)(b) rights of the data subject": ("SKY076",),
    "Art. 13(2)(c) right to withdraw consent": ("SKY002",),
    "Art. 13(2)(d) right to lodge a complaint": ("SKY077",),
    "Art. 13(2)(e) statutory or contractual requirement": ("SKY078",),
    "Art. 13(2)(f) automated decision-making": ("SKY079",),
}
"""Every Art. 13 item and the rule ids that report what the register lacks for it."""


def _controller_contact(register: Register) -> Iterator[Hit]:
    if not register.organisation.contact_points:
        yield (
            ("organisation", "contact_points"),
            "the organisation has no contact points, so the policy cannot say how to reach it",
        )


def _dpo_contact(register: Register) -> Iterator[Hit]:
    org = register.organisation
    if org.dpo is not None and org.dpo_contact() is None:
        yield (
            ("organisation", "dpo", "contact_point"),
            f"the DPO's contact point '{org.dpo.contact_point}' is not a contact point",
        )


def _purposes(register: Register) -> Iterator[Hit]:
    if not register.purposes:
        yield ("purposes",), "the register has no purposes, so the policy states none"


def _legitimate_interests(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        for j, claim in enumerate(purpose.legal_bases):
            described = any(claim.applies_to.values()) or claim.balancing_test
            if claim.basis is LegalBasis.LEGITIMATE_INTERESTS and not described:
                yield (
                    ("purposes", i, "legal_bases", j, "applies_to"),
                    f"purpose '{purpose.key}' rests on legitimate interests "
                    "but does not say which interest",
                )


def _recipients(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        if system.is_processor and not system.services:
            yield (
                ("systems", i, "services"),
                f"processor '{system.key}' lists no services, so the policy cannot say "
                "what it does with the data",
            )


def _safeguard_copy(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        for j, transfer in enumerate(system.transfers):
            if REFERENCED_SAFEGUARDS & set(transfer.safeguards) and not transfer.reference:
                yield (
                    ("systems", i, "transfers", j, "reference"),
                    f"system '{system.key}' transfers to {transfer.country} under "
                    "SCC or BCR but gives no reference to obtain a copy",
                )


def _rights(register: Register) -> Iterator[Hit]:
    if not register.policy:
        yield ("policy",), "the register has no policy text, so no policy states the rights"


def _supervisory_authority(register: Register) -> Iterator[Hit]:
    if register.organisation.supervisory_authority is None:
        yield (
            ("organisation", "supervisory_authority"),
            "the organisation names no supervisory authority to complain to",
        )


def _statutory_requirement(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        required = REQUIREMENT_BASES & set(purpose.bases())
        if required and not any(purpose.statutory_or_contractual_requirement.values()):
            yield (
                ("purposes", i, "statutory_or_contractual_requirement"),
                f"purpose '{purpose.key}' rests on {', '.join(sorted(required))} but does not "
                "say whether people must provide the data, or what happens if they do not",
            )


def _automated_decisions(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if purpose.automated_decisions:
            yield (
                ("purposes", i, "automated_decisions"),
                f"purpose '{purpose.key}' makes automated decisions: check that its description "
                "explains the logic, significance and consequences",
            )


ART13_CONTROLLER_CONTACT = Rule(
    id="SKY070",
    name="art13-controller-contact",
    title="No contact details for the controller",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 13(1)(a)",
    description="The policy must give the controller's identity and contact details; the "
    "identity is required by the register schema, the contact points are not.",
    fix="Add at least one `organisation.contact_points` entry (e-mail, roles).",
    check=_controller_contact,
)

ART13_DPO_CONTACT = Rule(
    id="SKY071",
    name="art13-dpo-contact",
    title="DPO named without reachable contact details",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 13(1)(b), Art. 37(7)",
    description="When there is a DPO the policy must say how to reach them; the DPO's "
    "`contact_point` must be one of the organisation's contact points.",
    fix="Point `organisation.dpo.contact_point` at an existing contact point key (with role dpo).",
    check=_dpo_contact,
)

ART13_PURPOSES = Rule(
    id="SKY072",
    name="art13-purposes",
    title="No purposes of processing",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 13(1)(c), Art. 30(1)(b)",
    description="A register without purposes renders a policy that states none; each purpose's "
    "own legal basis is checked by SKY001.",
    fix="Add the organisation's purposes of processing under `purposes`.",
    check=_purposes,
)

ART13_LEGITIMATE_INTERESTS = Rule(
    id="SKY073",
    name="art13-legitimate-interests",
    title="Legitimate interest not described",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 13(1)(d)",
    description="Where processing rests on legitimate interests the policy must say which "
    "interests; each claim needs `applies_to` text or a `balancing_test` that states them.",
    fix="Write the interest pursued in the claim's `applies_to` (every published language).",
    check=_legitimate_interests,
)

ART13_RECIPIENTS = Rule(
    id="SKY074",
    name="art13-recipients",
    title="Processor without a described service",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 13(1)(e)",
    description="The policy describes recipients by what they do for the controller "
    "(fulfilment, analysis, storage, e-mail sending …); a processor with no `services` "
    "cannot be described (P13).",
    fix="List the processor's `services` (e.g. storage, email_sending, crm).",
    check=_recipients,
)

ART13_TRANSFER_SAFEGUARD_COPY = Rule(
    id="SKY075",
    name="art13-transfer-safeguard-copy",
    title="SCC or BCR transfer without a reference",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 13(1)(f)",
    description="For transfers under standard contractual clauses or binding corporate rules "
    "the policy must say where to get a copy; the transfer's `reference` supplies it.",
    fix="Set `reference` on the transfer to the clauses' document id or URL.",
    check=_safeguard_copy,
)

ART13_RIGHTS = Rule(
    id="SKY076",
    name="art13-rights",
    title="No policy text at all",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 13(2)(b), Art. 12(1)",
    description="The rendered policy always states the rights of Art. 15–22, but only for a "
    "language with a policy text; with none, no policy can be rendered.",
    fix="Add `policy.<language>` texts for the organisation's languages.",
    check=_rights,
)

ART13_SUPERVISORY_AUTHORITY = Rule(
    id="SKY077",
    name="art13-supervisory-authority",
    title="No supervisory authority named",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 13(2)(d), Art. 77",
    description="The policy must tell people they may complain to a supervisory authority, and "
    "which one (IMY in Sweden).",
    fix="Set `organisation.supervisory_authority` (name, website, country).",
    check=_supervisory_authority,
)

ART13_STATUTORY_REQUIREMENT = Rule(
    id="SKY078",
    name="art13-statutory-requirement",
    title="Contract or legal obligation without the requirement stated",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 13(2)(e)",
    description="For a purpose on contract or legal obligation the policy must say whether "
    "providing the data is required, and the consequences of not providing it.",
    fix="Write `statutory_or_contractual_requirement` on the purpose (every published language).",
    check=_statutory_requirement,
)

ART13_AUTOMATED_DECISIONS = Rule(
    id="SKY079",
    name="art13-automated-decisions",
    title="Automated decision-making to explain",
    severity=Severity.INFO,
    legal_ground="GDPR Art. 13(2)(f), Art. 22",
    description="The register has no field for the logic of automated decisions, so a human "
    "must check that the purpose's description gives the logic, significance and consequences.",
    fix="Explain the logic, significance and envisaged consequences in the purpose's "
    "`description`, then treat this note as reviewed.",
    check=_automated_decisions,
)

RULES: tuple[Rule, ...] = (
    ART13_CONTROLLER_CONTACT,
    ART13_DPO_CONTACT,
    ART13_PURPOSES,
    ART13_LEGITIMATE_INTERESTS,
    ART13_RECIPIENTS,
    ART13_TRANSFER_SAFEGUARD_COPY,
    ART13_RIGHTS,
    ART13_SUPERVISORY_AUTHORITY,
    ART13_STATUTORY_REQUIREMENT,
    ART13_AUTOMATED_DECISIONS,
)
