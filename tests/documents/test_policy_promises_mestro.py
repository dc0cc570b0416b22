"""Mestro's published policy states every fact of its original policy (P1–P20), and Art. 13's rest.

Each test reads the Swedish rendering of ``examples/mestro`` the way a person would
(one section, its words without markup) and looks for what the original
"Integritetspolicy" (2023-02-01) promises: names, addresses and processors exactly as
the register holds them, fixed phrases exactly as the Swedish catalog words them.
P21 (the embeddable page) belongs to the web layer.
"""

from __future__ import annotations

import datetime as dt

import pytest

from skydd.domain.purposes import LegalBasis
from skydd.domain.register import Register
from tests.conftest import MESTRO
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
    return register_at(MESTRO)


@pytest.fixture(scope="module")
def sv() -> str:
    return rendered(MESTRO, "sv", "markdown")


@pytest.fixture(scope="module")
def en() -> str:
    return rendered(MESTRO, "en", "markdown")


@pytest.mark.promise("P1")
def test_p1_mestro_is_the_controller_with_its_identity(sv: str, register: Register) -> None:
    org = register.organisation
    text = section_text(sv, "controller")
    assert (
        "Mestro AB är personuppgiftsansvarig för de behandlingar av personuppgifter som "
        "Mestro bestämmer ändamål och medel för." in text
    )
    assert f"Organisationsnummer: {org.org_number}" in text
    assert org.org_number == "556679-4649"
    assert f"Adress: {org.address.street}, {org.address.postal_code} Stockholm, Sverige" in text
    assert "Webbplats: https://mestro.com" in text


@pytest.mark.promise("P2")
def test_p2_the_dpo_is_named_with_mandate_and_e_mail(sv: str, register: Register) -> None:
    text = section_text(sv, "dpo")
    assert "Vårt dataskyddsombud är Therese Enlund." in text
    assert "mandat att självständigt granska hur Mestro efterlever dataskyddslagstiftningen" in text
    assert "Kontakta dataskyddsombudet via support@mestro.se." in text
    assert "vill begära ett registerutdrag" in text
    dpo_contact = register.organisation.dpo_contact()
    assert dpo_contact is not None
    assert dpo_contact.email == "support@mestro.se"


@pytest.mark.promise("P2")
def test_p2_requests_go_to_one_intake_address(sv: str) -> None:
    text = section_text(sv, "exercise-rights")
    assert "Kontakta oss på support@mestro.se om du vill utöva dina rättigheter." in text
    assert "support@mestro.com" not in text


@pytest.mark.promise("P3")
def test_p3_inquiries_rest_on_legitimate_interest_and_carry_applications(sv: str) -> None:
    text = section_text(sv, "purpose-inquiries")
    assert text.startswith("Förfrågningar ")
    assert "ansökan om praktik, exjobb eller anställning" in text
    assert (
        "Rättslig grund: Berättigat intresse (artikel 6.1 f): "
        "Att besvara förfrågningar och hantera ansökningar." in text
    )
    assert "intresseavvägning" in text
    assert "Så får vi uppgifterna: telefon, e-post, sociala medier, vår webbplats" in text
    assert "CV, Personligt brev" in text


@pytest.mark.promise("P4")
def test_p4_customer_relations_rest_on_the_contract_with_bookkeeping(sv: str) -> None:
    text = section_text(sv, "purpose-customer-relations")
    assert "hantera fakturor och bokföring" in text
    assert "Fullgörande av avtal (artikel 6.1 b): Kommunikation, användarkonton" in text
    assert "Rättslig förpliktelse (artikel 6.1 c), Bokföringslagen (1999:1078) 7 kap. 2 §" in text
    assert "Faktura- och bokföringsuppgifter" in text
    assert "Måste du lämna uppgifterna? Uppgifterna behövs för att fullgöra avtalet" in text


@pytest.mark.promise("P5")
def test_p5_marketing_on_legitimate_interest_newsletter_and_events_on_consent(sv: str) -> None:
    marketing = section_text(sv, "purpose-marketing")
    newsletter = section_text(sv, "purpose-newsletter")
    events = section_text(sv, "purpose-events")
    assert "Berättigat intresse (artikel 6.1 f): Informationsmaterial, erbjudanden" in marketing
    assert "nyhetsbrev som du kan anmäla dig till och när som helst säga upp" in newsletter
    assert "Samtycke (artikel 6.1 a): Anmälan till och utskick av nyhetsbrev." in newsletter
    assert "Samtycke (artikel 6.1 a): Anmälan till och genomförande av event." in events
    assert "Det gör du via avregistreringslänken i varje utskick" in newsletter


@pytest.mark.promise("P5")
def test_p5_an_objection_to_direct_marketing_always_stops_it(sv: str) -> None:
    always = (
        "Du kan när som helst invända mot direktmarknadsföring, och då upphör vi alltid med "
        "den (artikel 21.3)."
    )
    for anchor in ("purpose-marketing", "purpose-newsletter", "purpose-events"):
        assert always in section_text(sv, anchor)
    assert "Mot direktmarknadsföring kan du alltid invända" in section_text(sv, "rights")


@pytest.mark.promise("P6")
def test_p6_consent_can_be_withdrawn_wholly_or_partly(sv: str) -> None:
    granular = (
        "Du kan när som helst dra tillbaka ditt samtycke, helt eller delvis genom att ange "
        "vilka uppgifter du vill att vi behåller respektive raderar."
    )
    for anchor in ("purpose-newsletter", "purpose-events", "purpose-analytics"):
        assert f"Återkalla samtycke: {granular}" in section_text(sv, anchor)
    assert f"Rätt att återkalla samtycke (artikel 7.3): {granular}" in section_text(sv, "rights")


@pytest.mark.promise("P7")
def test_p7_analytics_rests_on_legitimate_interest_and_consent(sv: str, register: Register) -> None:
    purpose = register.purpose("analytics")
    assert purpose is not None
    assert purpose.bases() == [LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.CONSENT]
    text = section_text(sv, "purpose-analytics")
    assert text.startswith("Analys- och produktutveckling ")
    assert "göra statistik och analysera" in text
    assert "Berättigat intresse (artikel 6.1 f): Statistik över hur produkterna" in text
    assert "Samtycke (artikel 6.1 a): Cookies, pixeltaggar" in text


@pytest.mark.promise("P8")
def test_p8_the_categories_of_the_policy_are_listed(sv: str) -> None:
    names = {item.split(":")[0] for item in list_items(section(sv, "categories"))}
    for name in ("Namn", "E-postadress", "Telefonnummer", "CV", "Personligt brev"):
        assert name in names
    assert {"Matpreferenser", "Bostadsort"} <= names


@pytest.mark.promise("P8")
def test_p8_food_preferences_are_flagged_as_revealing_health_or_religion(sv: str) -> None:
    items = list_items(section(sv, "categories"))
    food = next(item for item in items if item.startswith("Matpreferenser:"))
    assert (
        "Kan avslöja känsliga personuppgifter (artikel 9): hälsa, religiös eller filosofisk "
        "övertygelse." in food
    )
    assert "Uppgifterna behandlas bara med stöd av uttryckligt samtycke (artikel 9.2 a)." in food
    events = section_text(sv, "purpose-events")
    assert "Känsliga personuppgifter: behandlas med stöd av uttryckligt samtycke" in events


@pytest.mark.promise("P9")
def test_p9_every_cookie_and_pixel_tag_is_in_the_table(sv: str, register: Register) -> None:
    rows = table_rows(section(sv, "cookies"))
    assert rows[0] == [
        "Namn",
        "Typ",
        "Leverantör",
        "Kategori",
        "Ändamål",
        "Lagringstid",
        "Kräver samtycke",
    ]
    assert [row[0] for row in rows[1:]] == [t.name for t in register.cookies]
    assert rows[1][1:3] == ["Cookie", "Mestro AB"]
    assert rows[1][5:] == ["Session (tills webbläsaren stängs)", "Nej"]
    hstc = next(row for row in rows if row[0] == "__hstc")
    assert hstc[3:] == [
        "Statistik",
        "Följer besök på webbplatsen över tid (första, senaste och antal besök).",
        "6 månader",
        "Ja",
    ]
    pixel = next(row for row in rows if row[0] == "HubSpot e-mail open tracking pixel")
    assert pixel[1] == "Pixeltagg"
    assert pixel[5:] == ["Sparas inte på din enhet", "Ja"]
    assert "cookies och pixeltaggar" in section_text(sv, "cookies")


@pytest.mark.promise("P10")
def test_p10_retention_is_concrete_per_purpose_and_category(sv: str) -> None:
    rows = table_rows(section(sv, "retention"))
    assert rows[0] == ["Ändamål", "Personuppgifter", "Sparas", "Därefter", "Skäl"]
    assert rows[2][:4] == [
        "Förfrågningar",
        "CV, Personligt brev",
        "6 månader efter att ansökan avslutats",
        "Raderas",
    ]
    kept = {row[2] for row in rows[1:]}
    assert "12 månader efter den senaste aktiviteten" in kept
    assert "Så länge ändamålet kräver" not in kept
    invoices = next(row for row in rows if row[1] == "Faktura- och bokföringsuppgifter")
    assert invoices[:4] == [
        "Kundrelationer",
        "Faktura- och bokföringsuppgifter",
        "7 år efter räkenskapsårets slut",
        "Raderas",
    ]


@pytest.mark.promise("P10")
def test_p10_the_bookkeeping_act_hold_is_stated(sv: str) -> None:
    text = section_text(sv, "retention")
    assert (
        "Räkenskapsinformation (Faktura- och bokföringsuppgifter) sparas så länge som "
        "bokföringslagen (7 kap. 2 §) kräver: till och med utgången av det sjunde året efter "
        "utgången av det kalenderår då räkenskapsåret avslutades." in text
    )
    assert "Vårt räkenskapsår slutar den 31 december." in text
    assert "kan uppgifterna inte raderas på begäran (artikel 17.3 b)" in text


@pytest.mark.promise("P11")
def test_p11_consent_based_data_is_purged_on_withdrawal(sv: str) -> None:
    text = section_text(sv, "retention")
    assert (
        "Personuppgifter som behandlas med samtycke som rättslig grund gallras när samtycket "
        "dras tillbaka, om det sker innan tiden ovan har löpt ut." in text
    )
    withdrawn = [row for row in table_rows(section(sv, "retention")) if row[0] == "Event"]
    assert ["Tills samtycket återkallas", "Raderas"] in [row[2:4] for row in withdrawn]


@pytest.mark.promise("P12")
def test_p12_only_staff_who_need_the_data_see_it(sv: str) -> None:
    assert (
        "Bara anställda på Mestro som behöver uppgifterna för att kunna utföra sitt arbete "
        "kan ta del av dem." in section_text(sv, "recipients")
    )


@pytest.mark.promise("P13")
def test_p13_processors_work_under_agreements_for_the_purposes(sv: str) -> None:
    text = section_text(sv, "recipients")
    assert "enligt ett personuppgiftsbiträdesavtal (artikel 28)" in text
    services = text.split("i enlighet med ändamålen ovan: ")[1].split(".")[0].split(", ")
    assert {"analyser", "lagring av data", "utskick av e-post"} <= set(services)


@pytest.mark.promise("P14")
def test_p14_transfers_outside_the_eea_name_their_safeguards(sv: str, register: Register) -> None:
    text = section_text(sv, "transfers")
    assert text.startswith("Överföring till länder utanför EU/EES ")
    transferring = [s.name for s in register.systems if s.third_countries()]
    assert transferring
    for name in transferring:
        assert (
            f"{name}, USA: EU–US Data Privacy Framework (artikel 45), "
            "Europakommissionens standardavtalsklausuler (artikel 46.2 c)" in text
        )
    assert "Du kan få en kopia av skyddsåtgärderna genom att skriva till support@mestro.se." in text


@pytest.mark.promise("P15")
def test_p15_all_eleven_processors_are_named(sv: str, register: Register) -> None:
    eleven = [
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
    assert [s.name for s in register.processors()] == eleven
    rows = table_rows(section(sv, "recipients"))
    named = [row[0] for row in rows[1:]]
    expected = [
        f"{s.name} ({s.vendor.legal_name})" for s in register.processors() if s.vendor is not None
    ]
    assert named == expected
    assert "G Suite (Google)" in section_text(sv, "recipients")


@pytest.mark.promise("P16")
def test_p16_security_measures_protect_against_loss_and_unauthorised_access(
    sv: str, register: Register
) -> None:
    text = section_text(sv, "security")
    assert "obehörig åtkomst, behandling, förlust eller ändring" in text
    items = list_items(section(sv, "security"))
    assert items == [m["sv"] for m in register.organisation.security_measures]


@pytest.mark.promise("P17")
def test_p17_right_of_access_is_a_register_extract_answered_within_a_month(sv: str) -> None:
    text = section_text(sv, "rights")
    assert (
        "Rätt till tillgång (registerutdrag) (artikel 15): Du har rätt att få besked om vi "
        "behandlar personuppgifter som rör dig och att få en kopia av dem, ett så kallat "
        "registerutdrag." in text
    )
    assert "senast inom en månad från att vi fick din begäran (artikel 12.3)" in text
    assert "förlängas med ytterligare två månader" in text


@pytest.mark.promise("P18")
def test_p18_right_to_rectification_and_completion(sv: str) -> None:
    assert (
        "Rätt till rättelse (artikel 16): Om du anser att dina personuppgifter är felaktiga "
        "eller ofullständiga har du rätt att få dem rättade eller kompletterade."
        in section_text(sv, "rights")
    )


@pytest.mark.promise("P19")
def test_p19_objection_restriction_erasure_and_portability(sv: str) -> None:
    items = [item.split(":")[0] for item in list_items(section(sv, "rights"))]
    assert items == [
        "Rätt till tillgång (registerutdrag) (artikel 15)",
        "Rätt till rättelse (artikel 16)",
        "Rätt till radering (artikel 17)",
        "Rätt till begränsning av behandling (artikel 18)",
        "Rätt till dataportabilitet (artikel 20)",
        "Rätt att invända (artikel 21)",
        "Rätt att återkalla samtycke (artikel 7.3)",
        "Automatiserade beslut (artikel 22)",
    ]
    text = section_text(sv, "rights")
    assert "vi måste då upphöra med den om vi inte kan visa tvingande berättigade skäl" in text
    assert "Vi fattar inga beslut som enbart grundas på automatiserad behandling" in text


@pytest.mark.promise("P20")
def test_p20_the_policy_says_it_may_be_updated(sv: str, register: Register) -> None:
    text = section_text(sv, "changes")
    assert "Vi kan komma att uppdatera och ändra denna policy." in text
    assert "Vi förbehåller oss rätten att uppdatera och ändra denna policy." in text
    assert f"Uppdaterad: {register.organisation.updated_on}" in plain(sv)
    assert register.organisation.updated_on == dt.date(2023, 2, 1)


def test_art13_the_right_to_complain_to_imy(sv: str) -> None:
    assert (
        "du rätt att lämna in ett klagomål till tillsynsmyndigheten, "
        "Integritetsskyddsmyndigheten (IMY) (https://www.imy.se)." in section_text(sv, "complaint")
    )


@pytest.mark.parametrize(
    "fact",
    [
        "Mestro AB är personuppgiftsansvarig",
        "Vårt dataskyddsombud är Therese Enlund.",
        "Berättigat intresse (artikel 6.1 f): Att besvara förfrågningar",
        "Kan avslöja känsliga personuppgifter (artikel 9): hälsa, religiös eller filosofisk",
        "__hstc Cookie HubSpot Statistik",
        "Europakommissionens standardavtalsklausuler (artikel 46.2 c)",
        "gallras när samtycket dras tillbaka",
        "Teamtailor (Teamtailor AB)",
        "obehörig åtkomst, behandling, förlust eller ändring",
        "ett så kallat registerutdrag",
        "Integritetsskyddsmyndigheten (IMY)",
    ],
)
def test_the_html_rendering_states_the_same_facts(fact: str) -> None:
    html = rendered(MESTRO, "sv", "html")
    assert html.startswith('<article class="policy" lang="sv">\n')
    assert fact in html_text(html)


@pytest.mark.promise("P1")
@pytest.mark.promise("P8")
@pytest.mark.promise("P14")
@pytest.mark.promise("P17")
def test_the_english_rendering_states_the_english_equivalents(en: str) -> None:
    text = plain(en)
    for fact in (
        "Mestro AB is the controller for the processing of personal data whose purposes and "
        "means Mestro decides.",
        "Our data protection officer is Therese Enlund.",
        "Legitimate interests (Art. 6(1)(f)): Answering inquiries and handling applications.",
        "May reveal special categories of personal data (Art. 9): health, religious or "
        "philosophical beliefs.",
        "EU standard contractual clauses (Art. 46(2)(c))",
        "a so-called register extract",
        "within one month of receiving your request (Art. 12(3))",
        "Swedish Authority for Privacy Protection (IMY) (https://www.imy.se)",
        "Accounting records (Invoice and bookkeeping data) are kept as long as the Swedish "
        "Bookkeeping Act",
    ):
        assert fact in text
    assert "Integritetspolicy" not in text
