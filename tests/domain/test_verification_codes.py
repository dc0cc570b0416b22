"""E-mail verification codes: six digits, 15 minutes, 5 attempts, a resend a minute, 5 sends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.errors import ConflictError, InvalidInput, TooManyAttempts
from skydd.domain.identifiers import normalise_email, normalise_phone
from skydd.domain.requesters import new_requester
from skydd.domain.verification import (
    MAX_ATTEMPTS,
    MAX_SENDS,
    CodeOutcome,
    attempt,
    issue,
    looks_like_code,
    new_code,
)

pytestmark = pytest.mark.promise("P17")

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_codes_are_six_digits_with_leading_zeros_kept() -> None:
    codes = {new_code() for _ in range(2000)}
    assert all(looks_like_code(c) for c in codes)
    assert len(codes) > 1900  # random, not a counter
    assert any(c.startswith("0") for c in codes)
    assert not looks_like_code("12345") and not looks_like_code("１２３４５６")


def test_a_code_is_valid_for_fifteen_minutes() -> None:
    challenge = issue(None, "h", T0)
    _, outcome = attempt(challenge, True, T0 + dt.timedelta(minutes=14, seconds=59))
    assert outcome is CodeOutcome.VERIFIED
    _, outcome = attempt(challenge, True, T0 + dt.timedelta(minutes=15))
    assert outcome is CodeOutcome.EXPIRED


def test_five_attempts_then_even_the_right_code_is_refused() -> None:
    challenge = issue(None, "h", T0)
    for _ in range(MAX_ATTEMPTS):
        challenge, outcome = attempt(challenge, False, T0)
        assert outcome is CodeOutcome.WRONG
    _, outcome = attempt(challenge, True, T0)
    assert outcome is CodeOutcome.EXHAUSTED


def test_resends_wait_a_minute_and_stop_after_five() -> None:
    challenge = issue(None, "h", T0)
    with pytest.raises(TooManyAttempts) as caught:
        issue(challenge, "h2", T0 + dt.timedelta(seconds=20))
    assert caught.value.retry_after == 40
    at = T0
    for _ in range(MAX_SENDS - 1):
        at += dt.timedelta(minutes=1)
        challenge = issue(challenge, "h", at)
    assert challenge.sends == MAX_SENDS and challenge.attempts == 0
    with pytest.raises(ConflictError, match="no more codes"):
        issue(challenge, "h", at + dt.timedelta(hours=1))


@given(st.lists(st.booleans(), max_size=20), st.integers(min_value=0, max_value=30 * 60))
def test_never_more_than_five_guesses_per_code(guesses: list[bool], seconds: int) -> None:
    challenge = issue(None, "h", T0)
    verified = 0
    for matches in guesses:
        challenge, outcome = attempt(challenge, matches, T0 + dt.timedelta(seconds=seconds))
        verified += outcome is CodeOutcome.VERIFIED
        assert challenge.attempts <= MAX_ATTEMPTS
    if seconds >= 15 * 60:
        assert verified == 0


def test_a_requester_names_at_least_one_identifier_once_per_kind() -> None:
    email = normalise_email("Anna@Example.com")
    phone = normalise_phone("070-174 06 05", default_region="SE")
    requester = new_requester([phone, email], name=" Anna  Svensson ", details="  ")
    assert requester.identifiers == (email, phone)
    assert requester.email == email and requester.name == "Anna Svensson"
    assert requester.details is None
    assert "anna" not in repr(requester).lower()
    with pytest.raises(InvalidInput, match="needs an e-mail"):
        new_requester([])
    with pytest.raises(InvalidInput, match="two different values"):
        new_requester([email, normalise_email("other@example.com")])
