"""The messages about requests: in the person's language, from the register, nothing leaked."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

import pytest

from skydd.documents.request_messages import (
    Message,
    completion_notice,
    extension_notice,
    rejection_notice,
    staff_reminder,
    verification_code_message,
)
from skydd.domain.errors import InvalidInput
from skydd.domain.request_notices import DueRequest, KeptRecord
from skydd.domain.requests import RequestType
from skydd.domain.schema import text_in
from tests.conftest import MESTRO, SECOND_ORG
from tests.documents.policy_reading import html_text, register_at

ORGS = [pytest.param(MESTRO, id="mestro"), pytest.param(SECOND_ORG, id="second_org")]
LANGUAGES = ["sv", "en"]
INVOICES = KeptRecord(
    "Fakturor 2026", dt.date(2033, 12, 31), "Bokföringslagen (1999:1078) 7 kap. 2 §"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _all_messages(folder: Path, language: str) -> list[Message]:
    register = register_at(folder)
    return [
        verification_code_message(register, language, "042917", 15),
        extension_notice(
            register,
            language,
            RequestType.ERASURE,
            dt.date(2026, 11, 2),
            dt.date(2027, 2, 2),
            "Många system berörs.",
        ),
        completion_notice(
            register,
            language,
            RequestType.ACCESS,
            download_url="https://privacy.example.com/d/abc",
            link_expires_on=dt.date(2026, 12, 2),
            downloads_allowed=3,
        ),
        completion_notice(register, language, RequestType.ERASURE, kept=[INVOICES]),
        completion_notice(register, language, RequestType.RECTIFICATION),
        completion_notice(register, language, RequestType.RESTRICTION),
        completion_notice(register, language, RequestType.OBJECTION),
        completion_notice(register, language, RequestType.PORTABILITY),
        rejection_notice(register, language, RequestType.OBJECTION, "Rättsliga anspråk."),
    ]


@pytest.mark.promise("P17")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("folder", ORGS)
def test_every_message_to_a_person_says_who_sent_it_and_where_to_ask(
    folder: Path, language: str
) -> None:
    org = register_at(folder).organisation
    intake = org.intake()
    assert intake is not None
    for message in _all_messages(folder, language):
        assert "\n" not in message.subject
        assert org.legal_name in message.text
        assert intake.email in message.text
        assert message.html is not None
        assert f'<html lang="{language}">' in message.html
        assert f'href="mailto:{intake.email}"' in message.html


@pytest.mark.parametrize("folder", ORGS)
def test_no_swedish_message_keeps_an_english_sentence(folder: Path) -> None:
    for sv, en in zip(_all_messages(folder, "sv"), _all_messages(folder, "en"), strict=True):
        assert sv.subject != en.subject
        english = {line for line in en.text.splitlines() if " " in line.strip()}
        shared = english & set(sv.text.splitlines())
        assert {line for line in shared if not line.startswith(">")} == set()


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("sv", ["Din verifieringskod från Mestro", "Koden gäller i 15 minuter.", "per telefon"]),
        ("en", ["Your verification code from Mestro", "valid for 15 minutes.", "by phone"]),
    ],
)
def test_the_verification_code_warns_that_nobody_asks_for_it(
    language: str, phrases: list[str]
) -> None:
    message = verification_code_message(register_at(MESTRO), language, "042917", 15)
    assert "    042917\n" in message.text
    assert message.html is not None
    assert ">042917</p>" in message.html
    text = f"{message.subject} {message.text}"
    for phrase in phrases:
        assert phrase in text
    ignore = "bortse från meddelandet" if language == "sv" else "ignore this message"
    assert ignore in message.text


def test_a_code_is_six_digits_valid_for_some_minutes() -> None:
    register = register_at(MESTRO)
    for code in ("12345", "1234567", "12345a", " 123456"):
        with pytest.raises(InvalidInput):
            verification_code_message(register, "sv", code, 15)
    with pytest.raises(InvalidInput):
        verification_code_message(register, "sv", "123456", 0)
    one = verification_code_message(register, "sv", "123456", 1)
    assert "Koden gäller i 1 minut." in one.text


@pytest.mark.parametrize(
    ("language", "received", "due", "phrase"),
    [
        ("sv", "2 november 2026", "2 februari 2027", "din begäran om radering"),
        ("en", "2 November 2026", "2 February 2027", "your request for erasure"),
    ],
)
def test_the_extension_notice_gives_the_reason_and_the_new_date(
    language: str, received: str, due: str, phrase: str
) -> None:
    message = extension_notice(
        register_at(MESTRO),
        language,
        RequestType.ERASURE,
        dt.date(2026, 11, 2),
        dt.date(2027, 2, 2),
        "Many systems\nare involved.",
    )
    assert received in message.text
    assert due in message.text
    assert phrase in message.text
    assert "> Many systems\n> are involved.\n" in message.text
    assert "artikel 12.3" in message.text if language == "sv" else "Art. 12(3)" in message.text


def test_an_extension_needs_a_reason_and_a_later_date() -> None:
    register = register_at(MESTRO)
    received = dt.date(2026, 11, 2)
    with pytest.raises(InvalidInput):
        extension_notice(register, "sv", RequestType.ACCESS, received, dt.date(2027, 2, 2), "  ")
    with pytest.raises(InvalidInput):
        extension_notice(register, "sv", RequestType.ACCESS, received, received, "Skäl.")


@pytest.mark.promise("P10")
@pytest.mark.parametrize(
    ("language", "line"),
    [
        (
            "sv",
            "- Fakturor 2026: sparas till och med den 31 december 2033. "
            "Skäl: Bokföringslagen (1999:1078) 7 kap. 2 §",
        ),
        (
            "en",
            "- Fakturor 2026: kept until 31 December 2033. "
            "Why: Bokföringslagen (1999:1078) 7 kap. 2 §",
        ),
    ],
)
def test_the_erasure_answer_lists_what_was_kept_until_when_and_why(
    language: str, line: str
) -> None:
    message = completion_notice(register_at(MESTRO), language, RequestType.ERASURE, kept=[INVOICES])
    assert line in message.text.splitlines()
    assert message.html is not None
    assert "<li>Fakturor 2026:" in message.html


def test_an_erasure_without_kept_data_says_all_was_erased() -> None:
    message = completion_notice(register_at(SECOND_ORG), "en", RequestType.ERASURE)
    assert "We have erased all personal data about you in our systems." in message.text


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("sv", "Länken fungerar till och med den 2 december 2026 och kan användas 3 gånger."),
        ("en", "The link works until 2 December 2026 and can be used 3 times."),
    ],
)
def test_the_access_answer_gives_the_link_its_expiry_and_downloads(
    language: str, phrase: str
) -> None:
    url = "https://privacy.example.com/d/abc?x=1&y=2"
    message = completion_notice(
        register_at(MESTRO), language, RequestType.ACCESS, url, dt.date(2026, 12, 2), 3
    )
    assert phrase in message.text
    assert f"\n{url}\n" in message.text
    assert message.html is not None
    assert 'href="https://privacy.example.com/d/abc?x=1&amp;y=2"' in message.html


def test_an_access_answer_without_a_link_says_nothing_was_found() -> None:
    message = completion_notice(register_at(MESTRO), "sv", RequestType.ACCESS)
    assert "Vi hittade inga personuppgifter om dig i våra system." in message.text


def test_links_and_kept_data_only_where_they_belong() -> None:
    register = register_at(MESTRO)
    with pytest.raises(InvalidInput):
        completion_notice(register, "sv", RequestType.ACCESS, "javascript:alert(1)")
    with pytest.raises(InvalidInput):
        completion_notice(register, "sv", RequestType.ERASURE, "https://privacy.example.com/d/a")
    with pytest.raises(InvalidInput):
        completion_notice(register, "sv", RequestType.ACCESS, kept=[INVOICES])
    with pytest.raises(InvalidInput):
        completion_notice(
            register, "sv", RequestType.ACCESS, "https://privacy.example.com/d/a", None, 0
        )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("folder", ORGS)
def test_the_rejection_names_the_registers_authority_and_a_judicial_remedy(
    folder: Path, language: str
) -> None:
    register = register_at(folder)
    org = register.organisation
    message = rejection_notice(register, language, RequestType.ERASURE, "The data is needed.")
    assert "> The data is needed." in message.text
    assert org.supervisory_authority is not None
    authority = text_in(org.supervisory_authority.name, language, org.default_language)
    assert authority in message.text
    assert org.supervisory_authority.website in message.text
    remedy = "rättslig prövning i domstol" if language == "sv" else "judicial remedy"
    assert remedy in message.text
    if folder == SECOND_ORG:
        assert "IMY" not in message.text
        assert "Mestro" not in message.text


def test_text_from_staff_is_escaped_in_html_and_kept_in_text() -> None:
    reason = "<script>alert(1)</script> & more"
    message = rejection_notice(register_at(MESTRO), "sv", RequestType.ACCESS, reason)
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in message.html
    assert f"> {reason}" in message.text


def test_a_language_the_organisation_does_not_publish_in_falls_back_to_its_default() -> None:
    message = verification_code_message(register_at(SECOND_ORG), "fr", "123456", 15)
    assert message.subject == "Your verification code from Northwind Health"


def test_the_staff_reminder_takes_no_personal_data_and_shows_none() -> None:
    assert list(inspect.signature(staff_reminder).parameters) == ["language", "overdue", "due_soon"]
    overdue = [DueRequest("R-7K3F-9QXA", RequestType.ERASURE, dt.date(2026, 11, 20))]
    due_soon = [
        DueRequest("R-2B4D-6F8H", RequestType.ACCESS, dt.date(2026, 11, 27)),
        DueRequest("R-1A3C-5E7G", RequestType.PORTABILITY, dt.date(2026, 11, 30)),
    ]
    for language in LANGUAGES:
        message = staff_reminder(language, overdue, due_soon)
        assert message.html is not None
        for reference in ("R-7K3F-9QXA", "R-2B4D-6F8H", "R-1A3C-5E7G"):
            assert reference in message.text
            assert reference in message.html
        for part in (message.subject, message.text, message.html):
            assert EMAIL.search(part) is None
        assert html_text(message.html).count("R-") == 3
    sv = staff_reminder("sv", overdue, due_soon)
    assert sv.subject == "Begäranden från registrerade: 1 försenad, 2 förfaller snart"
    assert "- R-7K3F-9QXA · Radering · 20 november 2026" in sv.text
    en = staff_reminder("en", overdue, due_soon)
    assert en.subject == "Requests from data subjects: 1 overdue, 2 due soon"
    assert "- R-2B4D-6F8H · Access to personal data · 27 November 2026" in en.text


def test_a_reminder_with_nothing_due_says_so() -> None:
    message = staff_reminder("sv", [], [])
    assert "Ingen begäran är försenad eller förfaller snart." in message.text
