"""Rules on the legal bases of purposes (GDPR Art. 6, Art. 7).

A purpose without a basis is unlawful processing; a basis without its evidence
(a balancing test, the statute, a way to withdraw) cannot be proved to an
authority. These rules read only the purposes and the categories they use.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.purposes import LegalBasis
from skydd.domain.register import Register


def _without_basis(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if not purpose.legal_bases:
            yield ("purposes", i, "legal_bases"), f"purpose '{purpose.key}' names no legal basis"


def _consent_without_withdrawal(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if purpose.rests_on(LegalBasis.CONSENT) and not purpose.withdrawal_channels:
            yield (
                ("purposes", i, "withdrawal_channels"),
                f"purpose '{purpose.key}' rests on consent but names no withdrawal channel",
            )


def _interest_without_balancing(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        for j, claim in enumerate(purpose.legal_bases):
            if claim.basis is LegalBasis.LEGITIMATE_INTERESTS and not claim.balancing_test:
                yield (
                    ("purposes", i, "legal_bases", j, "balancing_test"),
                    f"purpose '{purpose.key}' rests on legitimate interests "
                    "but references no balancing test",
                )


def _obligation_without_law(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        for j, claim in enumerate(purpose.legal_bases):
            if claim.basis is LegalBasis.LEGAL_OBLIGATION and not claim.law:
                yield (
                    ("purposes", i, "legal_bases", j, "law"),
                    f"purpose '{purpose.key}' rests on a legal obligation but names no law",
                )


def _consent_for_bookkeeping(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if not purpose.rests_on(LegalBasis.CONSENT) or purpose.rests_on(
            LegalBasis.LEGAL_OBLIGATION
        ):
            continue
        for j, key in enumerate(purpose.data_categories):
            category = register.data_category(key)
            if category is not None and category.bookkeeping_record:
                yield (
                    ("purposes", i, "data_categories", j),
                    f"purpose '{purpose.key}' keeps bookkeeping record '{key}' on consent, "
                    "which cannot be withdrawn from a legal duty to keep it",
                )


PURPOSE_WITHOUT_LEGAL_BASIS = Rule(
    id="SKY001",
    name="purpose-without-legal-basis",
    title="Purpose without a legal basis",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 6(1), Art. 13(1)(c)",
    description="Every purpose must rest on at least one of the six lawful bases of Art. 6(1), "
    "and the policy must state it.",
    fix="Add a `legal_bases` entry to the purpose (consent, contract, legal_obligation, "
    "vital_interests, public_task or legitimate_interests), or stop the processing.",
    check=_without_basis,
)

CONSENT_WITHOUT_WITHDRAWAL_CHANNEL = Rule(
    id="SKY002",
    name="consent-without-withdrawal-channel",
    title="Consent without a way to withdraw it",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 7(3), Art. 13(2)(c)",
    description="A purpose resting on consent must say how a person withdraws it; "
    "withdrawing must be as easy as giving consent.",
    fix="List at least one `withdrawal_channels` entry on the purpose "
    "(e.g. privacy_center, unsubscribe_link, email).",
    check=_consent_without_withdrawal,
)

LEGITIMATE_INTEREST_WITHOUT_BALANCING_TEST = Rule(
    id="SKY003",
    name="legitimate-interest-without-balancing-test",
    title="Legitimate interest without a balancing test",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 6(1)(f), Art. 5(2)",
    description="Legitimate interests is a lawful basis only when the interest outweighs the "
    "person's rights; the controller must be able to show the assessment.",
    fix="Set `balancing_test` on the legitimate_interests claim to a reference to the documented "
    "legitimate interest assessment (e.g. its document id or URL).",
    check=_interest_without_balancing,
)

LEGAL_OBLIGATION_WITHOUT_LAW = Rule(
    id="SKY004",
    name="legal-obligation-without-law",
    title="Legal obligation without the law that imposes it",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 6(1)(c), Art. 6(3)",
    description="A legal obligation basis must be laid down by Union or Member State law; "
    "the register must name that law.",
    fix="Set `law` on the legal_obligation claim, e.g. `Bokföringslagen (1999:1078) 7 kap. 2 §`.",
    check=_obligation_without_law,
)

CONSENT_BASIS_FOR_BOOKKEEPING_DATA = Rule(
    id="SKY005",
    name="consent-basis-for-bookkeeping-data",
    title="Bookkeeping records kept on consent",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 6(1)(c), Art. 7(3), Art. 17(3)(b); Bokföringslagen 7 kap. 2 §",
    description="Bookkeeping records must be kept whatever the person wants, so consent "
    "(which can be withdrawn at any time) is the wrong basis for them.",
    fix="Move the bookkeeping category to a purpose resting on legal_obligation (naming the "
    "Bookkeeping Act), or add a legal_obligation claim to this purpose.",
    check=_consent_for_bookkeeping,
)

RULES: tuple[Rule, ...] = (
    PURPOSE_WITHOUT_LEGAL_BASIS,
    CONSENT_WITHOUT_WITHDRAWAL_CHANNEL,
    LEGITIMATE_INTEREST_WITHOUT_BALANCING_TEST,
    LEGAL_OBLIGATION_WITHOUT_LAW,
    CONSENT_BASIS_FOR_BOOKKEEPING_DATA,
)
