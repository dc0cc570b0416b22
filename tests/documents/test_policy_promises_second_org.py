"""A second, invented organisation gets its own policy: nothing of Mestro is hard-coded.

Northwind Health (tests/data/second_org) is Irish, publishes in English first, treats
health data under Art. 9(2)(h), transfers to the US and New Zealand, and complains to
the Data Protection Commission. Each test reads its rendering in English and Swedish.
"""

from __future__ import annotations

import pytest

from skydd.domain.register import Register
from tests.conftest import SECOND_ORG
from tests.documents.policy_reading import (
    html_text,
    list_items,
    plain,
    register_at,
    rendered,
    section,
    section_text,
    table_rows,
)


@pytest.fixture(scope="module")
def register() -> Register:
    return register_at(SECOND_ORG)


@pytest.fixture(scope="module")
def en() -> str:
    return rendered(SECOND_ORG, "en", "markdown")


@pytest.fixture(scope="module")
def sv() -> str:
    return rendered(SECOND_ORG, "sv", "markdown")


def test_english_is_the_default_language(register: Register) -> None:
    assert register.organisation.default_language == "en"


@pytest.mark.promise("P1")
def test_p1_the_controller_is_northwind(en: str, sv: str, register: Register) -> None:
    org = register.organisation
    assert (
        f"{org.legal_name} is the controller for the processing of personal data whose "
        f"purposes and means {org.name} decides." in section_text(en, "controller")
    )
    assert f"Address: {org.address.street}, {org.address.postal_code} Dublin, Ireland" in (
        section_text(en, "controller")
    )
    assert f"{org.legal_name} är personuppgiftsansvarig" in section_text(sv, "controller")
    assert "Dublin, Irland" in section_text(sv, "controller")
    assert "Mestro" not in plain(en) + plain(sv)


@pytest.mark.promise("P2")
def test_p2_dpo_and_intake_address(en: str, sv: str) -> None:
    assert "Our data protection officer is Alex Example." in section_text(en, "dpo")
    assert "You can reach the data protection officer at dpo@northwind.example." in (
        section_text(en, "dpo")
    )
    assert "To exercise your rights, contact us at privacy@northwind.example." in (
        section_text(en, "exercise-rights")
    )
    assert "Vårt dataskyddsombud är Alex Example." in section_text(sv, "dpo")
    assert "Kontakta oss på privacy@northwind.example" in section_text(sv, "exercise-rights")


@pytest.mark.promise("P3")
@pytest.mark.promise("P4")
def test_purposes_with_their_bases(en: str, sv: str) -> None:
    care = section_text(en, "purpose-patient-care")
    assert care.startswith("Patient care ")
    assert (
        "Performance of a contract (Art. 6(1)(b)): The treatment agreement with the patient."
        in care
    )
    billing = section_text(en, "purpose-billing")
    assert "Legal obligation (Art. 6(1)(c)), Taxes Consolidation Act 1997, s. 886 (six years)" in (
        billing
    )
    reminders = section_text(en, "purpose-appointment-reminders")
    assert "Legitimate interests (Art. 6(1)(f)). We have weighed this interest" in reminders
    assert section_text(sv, "purpose-patient-care").startswith("Vård av patienter ")
    assert "Fullgörande av avtal (artikel 6.1 b): Behandlingsavtalet med patienten." in (
        section_text(sv, "purpose-patient-care")
    )


def test_a_source_besides_the_person_is_named_under_its_purpose(en: str, sv: str) -> None:
    """Art. 14(2)(f): referrals reach the clinic from other doctors, and the policy says so."""
    assert (
        "Other sources of the data: Referrals from your general practitioner or another clinic."
        in section_text(en, "purpose-patient-care")
    )
    assert "Andra källor till uppgifterna: Remisser från din husläkare" in (
        section_text(sv, "purpose-patient-care")
    )
    assert "Other sources" not in section_text(en, "purpose-billing")


@pytest.mark.promise("P8")
def test_p8_the_art9_condition_and_health_categories(en: str, sv: str) -> None:
    assert (
        "Special categories of personal data: processed on the basis of health or social care "
        "(Art. 9(2)(h))." in section_text(en, "purpose-patient-care")
    )
    items = list_items(section(en, "categories"))
    notes = next(item for item in items if item.startswith("Clinical notes:"))
    assert "Special category of personal data (Art. 9): health." in notes
    history = next(item for item in items if item.startswith("Appointment history:"))
    assert "May reveal special categories of personal data (Art. 9): health." in history
    assert "behandlas med stöd av hälso- och sjukvård eller social omsorg (artikel 9.2 h)." in (
        section_text(sv, "purpose-patient-care")
    )


@pytest.mark.promise("P6")
def test_p6_consent_purposes_say_how_to_withdraw(en: str) -> None:
    text = section_text(en, "purpose-site-statistics")
    assert (
        "Withdrawing consent: You can withdraw your consent at any time, wholly or partly, "
        "by telling us which data you want us to keep and which to erase. You can do so "
        "through the cookie settings, the privacy center." in text
    )


@pytest.mark.promise("P9")
def test_p9_cookie_table(en: str, register: Register) -> None:
    rows = table_rows(section(en, "cookies"))
    assert [row[0] for row in rows[1:]] == [t.name for t in register.cookies]
    pk_ses = next(row for row in rows if row[0] == "_pk_ses")
    assert pk_ses[1:] == [
        "Cookie",
        "InnoCraft Ltd (Matomo Cloud)",
        "Statistics",
        "Website statistics",
        "30 minutes",
        "Yes",
    ]


@pytest.mark.promise("P10")
def test_p10_retention_without_the_swedish_bookkeeping_act(en: str) -> None:
    rows = table_rows(section(en, "retention"))
    assert [
        "Patient care",
        "Full name, E-mail address, Mobile number, Date of birth, Clinical notes, "
        "Appointment history",
        "8 years after the last activity",
        "Archived, then erased",
        "Professional guidance on adult clinical records.",
    ] in rows
    assert [
        "Billing",
        "Payment card token",
        "1 month after the contract ends",
        "Erased",
        "",
    ] in rows
    assert "Bookkeeping Act" not in section_text(en, "retention")


@pytest.mark.promise("P14")
def test_p14_third_country_transfers_with_their_safeguards(en: str, sv: str) -> None:
    text = section_text(en, "transfers")
    assert (
        "Twilio, United States: binding corporate rules (Art. 47), EU standard contractual "
        "clauses (Art. 46(2)(c)) (NW-DPA-2024-03 (test data))" in text
    )
    assert (
        "Matomo Cloud, New Zealand: adequacy decision of the European Commission (Art. 45)" in text
    )
    assert "You can get a copy of the safeguards by writing to privacy@northwind.example." in text
    sv_text = section_text(sv, "transfers")
    assert "Twilio, USA: bindande företagsbestämmelser (artikel 47)" in sv_text
    assert "Matomo Cloud, Nya Zeeland: Europakommissionens beslut om adekvat skyddsnivå" in sv_text


@pytest.mark.promise("P13")
@pytest.mark.promise("P15")
def test_processors_and_recipients(en: str, sv: str, register: Register) -> None:
    rows = table_rows(section(en, "recipients"))
    assert [row[0].split(" (")[0] for row in rows[1:]] == [s.name for s in register.processors()]
    assert rows[2] == [
        "Stripe (Stripe Payments Europe Limited)",
        "invoicing",
        "Billing",
        "United States",
        "United States: EU–US Data Privacy Framework, EU standard contractual clauses",
    ]
    assert (
        "Office of the Revenue Commissioners (public authority). Personal data: Payment "
        "records. Purposes: Billing." in list_items(section(en, "recipients"))
    )
    assert (
        "Irlands skattemyndighet (myndighet). Personuppgifter: Betalningsuppgifter. "
        "Ändamål: Fakturering." in list_items(section(sv, "recipients"))
    )


def test_art13_complaint_to_its_own_supervisory_authority(en: str, sv: str) -> None:
    assert (
        "the right to lodge a complaint with the supervisory authority, Data Protection "
        "Commission (https://www.dataprotection.ie)." in section_text(en, "complaint")
    )
    assert "Data Protection Commission (Irlands dataskyddsmyndighet)" in (
        section_text(sv, "complaint")
    )
    assert "IMY" not in plain(en) + plain(sv)


@pytest.mark.promise("P20")
def test_p20_changes_with_its_own_words(en: str, sv: str) -> None:
    assert "We will tell patients by e-mail before this notice changes." in (
        section_text(en, "changes")
    )
    assert "Updated: 2024-09-15" in plain(en)
    assert "Uppdaterad: 2024-09-15" in plain(sv)
    assert plain(en).startswith("Privacy notice ")
    assert plain(sv).startswith("Integritetsmeddelande ")


def test_html_in_the_default_language() -> None:
    html = rendered(SECOND_ORG, "en", "html")
    assert html.startswith('<article class="policy" lang="en">\n')
    assert '<h3 id="purpose-patient-care">Patient care</h3>' in html
    assert "Our data protection officer is Alex Example." in html_text(html)
