"""Identifiers normalise to one canonical form, and errors never repeat the input."""

from __future__ import annotations

import datetime as dt

import pytest

from skydd.domain.errors import InvalidInput
from skydd.domain.identifiers import (
    Identifier,
    IdentifierKind,
    normalise_email,
    normalise_personnummer,
    normalise_phone,
)

pytestmark = pytest.mark.promise("P16")

TODAY = dt.date(2026, 6, 1)
PERSONNUMMER = "191212121212"  # Skatteverket's well-known test number
COORDINATION = "191212721235"  # the same date as a coordination number (day + 60)


# --- e-mail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anna@example.com", "anna@example.com"),
        ("  Anna@Example.COM \n", "anna@example.com"),
        ("Anna.Berg+news@Mail.Example.org", "anna.berg+news@mail.example.org"),
        ("o'brien@example.net", "o'brien@example.net"),
        ("anna@bücher.example", "anna@xn--bcher-kva.example"),
        ("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"),
        ("Åsa@example.se", "åsa@example.se"),
    ],
)
def test_email_normalises_case_space_and_idna(raw: str, expected: str) -> None:
    assert normalise_email(raw) == Identifier(IdentifierKind.EMAIL, expected)


def test_email_in_composed_and_decomposed_unicode_is_one_identity() -> None:
    composed, decomposed = "\u00e5sa@example.se", "a\u030asa@example.se"
    assert normalise_email(composed) == normalise_email(decomposed)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "anna",
        "anna@",
        "@example.com",
        "anna@example",
        "anna@@example.com",
        "an na@example.com",
        ".anna@example.com",
        "anna.@example.com",
        "an..na@example.com",
        '"anna"@example.com',
        "anna@-example.com",
        "anna@example..com",
        "anna@example.123",
        "anna@exa_mple.com",
        "a" * 65 + "@example.com",
        "anna@" + "a" * 64 + ".com",
    ],
)
def test_email_refuses_invalid_without_quoting_it(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_email(raw)
    assert caught.value.message == "not a valid e-mail address"


# --- phone ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["070-174 06 05", "0701740605", "+46 70 174 06 05", "+46701740605", "0046701740605"]
)
def test_phone_normalises_to_e164_in_the_default_region(raw: str) -> None:
    assert normalise_phone(raw, default_region="SE") == Identifier(
        IdentifierKind.PHONE, "+46701740605"
    )


def test_phone_region_only_reads_numbers_without_a_country_code() -> None:
    assert normalise_phone("+46 8 465 004 00", default_region="GB").value == "+46846500400"
    assert normalise_phone("020 7946 0018", default_region="gb").value == "+442079460018"


@pytest.mark.parametrize("raw", ["", "070", "070-174 06 05 99 99", "not a number", "+46 00 000"])
def test_phone_refuses_invalid_without_quoting_it(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_phone(raw, default_region="SE")
    assert caught.value.message == "not a valid phone number"


def test_phone_refuses_an_unknown_region() -> None:
    with pytest.raises(InvalidInput, match="'XX' is not a region"):
        normalise_phone("070-174 06 05", default_region="XX")


# --- personnummer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("191212121212", PERSONNUMMER),
        ("19121212-1212", PERSONNUMMER),
        (" 19121212-1212 ", PERSONNUMMER),
        ("121212+1212", PERSONNUMMER),
        ("121212-1212", "201212121212"),
        ("1212121212", "201212121212"),
        ("121272-1235", "201212721235"),
        ("19121272-1235", COORDINATION),
    ],
)
def test_personnummer_normalises_to_twelve_digits(raw: str, expected: str) -> None:
    assert normalise_personnummer(raw, today=TODAY) == Identifier(
        IdentifierKind.PERSONNUMMER, expected
    )


def test_short_form_century_follows_the_given_date_not_the_clock() -> None:
    """``-``: turns at most 99 this year; ``+``: at least 100 (Skatteverket)."""
    assert normalise_personnummer("121212-1212", today=dt.date(2011, 1, 1)).value == PERSONNUMMER
    assert normalise_personnummer("121212-1212", today=dt.date(2013, 1, 1)).value == "201212121212"
    assert normalise_personnummer("121212+1212", today=dt.date(2013, 1, 1)).value == PERSONNUMMER


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "19121212-1213",  # wrong check digit
        "19121312-1212",  # month 13
        "19121232-1212",  # day 32
        "19121212-0000",
        "1912121212",  # too short for either form
        "19121212 1212",
        "19121212-121",
        "2012121212123",
        "abcdefghijkl",
    ],
)
def test_personnummer_refuses_invalid_without_quoting_it(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_personnummer(raw, today=TODAY)
    assert caught.value.message == "not a valid personnummer"
    # the library's own exception quotes the input: it must not travel along in a traceback
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_personnummer_refuses_a_birth_date_after_today() -> None:
    with pytest.raises(InvalidInput, match="future"):
        normalise_personnummer("201212121212", today=dt.date(2012, 12, 11))


# --- no personal data in errors or repr -----------------------------------------------------


@pytest.mark.parametrize(
    ("normalise", "raw"),
    [
        (normalise_email, "anna.berg@example"),
        (lambda raw: normalise_phone(raw, default_region="SE"), "070-174 06"),
        (lambda raw: normalise_personnummer(raw, today=TODAY), "19121212-1213"),
        (lambda raw: normalise_personnummer(raw, today=TODAY), "19121212-121x"),
    ],
)
def test_errors_never_contain_the_input(normalise, raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise(raw)
    rendered = f"{caught.value} {caught.value!r} {caught.value.message}"
    for fragment in (raw, raw.split("@")[0], raw.replace("-", "").replace(" ", "")):
        assert fragment not in rendered


def test_identifier_repr_hides_the_value() -> None:
    identifier = normalise_email("anna@example.com")
    assert "anna" not in repr(identifier)
    assert "email" in repr(identifier)
