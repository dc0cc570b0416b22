"""Credential rules: password policy, lockout schedule, token format, TOTP."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.access_vocabulary import Scope
from skydd.domain.credentials import (
    LONGEST_LOCK,
    MAX_PASSWORD_LENGTH,
    TokenId,
    check_password,
    check_username,
    format_token,
    is_locked,
    is_valid_totp,
    lock_duration,
    locked_until,
    parse_scopes,
    parse_token,
    totp_code,
)
from skydd.domain.errors import InvalidInput

pytestmark = pytest.mark.promise("P12")

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_four_failures_do_not_lock() -> None:
    assert locked_until(4, T0) is None
    assert not is_locked(None, T0)


def test_fifth_failure_locks_for_fifteen_minutes_then_doubles_up_to_a_day() -> None:
    assert locked_until(5, T0) == T0 + dt.timedelta(minutes=15)
    assert locked_until(6, T0) == T0 + dt.timedelta(minutes=30)
    assert locked_until(7, T0) == T0 + dt.timedelta(hours=1)
    assert locked_until(12, T0) == T0 + dt.timedelta(hours=24)
    assert locked_until(10_000, T0) == T0 + LONGEST_LOCK


def test_lock_ends_exactly_at_locked_until() -> None:
    until = locked_until(5, T0)
    assert is_locked(until, T0 + dt.timedelta(minutes=14, seconds=59))
    assert not is_locked(until, T0 + dt.timedelta(minutes=15))


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=50))
def test_lock_never_shortens_as_failures_grow(failures: int, more: int) -> None:
    assert lock_duration(failures + more) >= lock_duration(failures)
    assert lock_duration(failures) <= LONGEST_LOCK


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "at most 1024"),
        ("Alice.Admin@ex.se", "differ from the user name"),
    ],
)
def test_password_policy_refuses_weak_passwords(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        check_password(password, "alice.admin@ex.se")
    assert password not in caught.value.message


def test_password_policy_accepts_a_long_passphrase() -> None:
    check_password("correct horse battery staple", "alice")


def test_username_refuses_spaces_and_control_characters() -> None:
    assert check_username("alice.admin@example.se") == "alice.admin@example.se"
    for bad in ("", "al ice", "-alice", "a\nb", "x" * 121):
        with pytest.raises(InvalidInput):
            check_username(bad)


def test_token_round_trips_through_its_text() -> None:
    secret = "A" * 43
    text = format_token(TokenId("0123456789abcdef"), secret)
    assert text == f"skydd_0123456789abcdef_{secret}"
    parsed = parse_token(text)
    assert parsed is not None
    assert parsed.token_id == "0123456789abcdef"
    assert parsed.secret == secret
    assert secret not in repr(parsed)


def test_token_secret_may_contain_underscores() -> None:
    parsed = parse_token("skydd_0123456789abcdef_ab_cd-" + "e" * 40)
    assert parsed is not None
    assert parsed.secret.startswith("ab_cd-")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "skydd",
        "skydd__",
        "other_0123456789abcdef_" + "a" * 43,
        "skydd_0123456789ABCDEF_" + "a" * 43,
        "skydd_0123_" + "a" * 43,
        "skydd_0123456789abcdef_short",
        "skydd_0123456789abcdef_" + "a" * 42 + "!",
    ],
)
def test_malformed_tokens_parse_to_none(text: str) -> None:
    assert parse_token(text) is None


def test_scopes_parse_and_refuse_unknown_ones() -> None:
    assert parse_scopes(["requests:read", "audit:read"]) == {
        Scope.REQUESTS_READ,
        Scope.AUDIT_READ,
    }
    with pytest.raises(InvalidInput, match="unknown scope 'root'"):
        parse_scopes(["root"])
    with pytest.raises(InvalidInput, match="at least one scope"):
        parse_scopes([])


def test_totp_matches_rfc_6238_test_vector() -> None:
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8 digits).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    at = dt.datetime.fromtimestamp(59, dt.UTC)
    assert totp_code(secret, at) == "287082"
    assert is_valid_totp(secret, "287082", at)
    assert is_valid_totp(secret, "287 082", at + dt.timedelta(seconds=30))
    assert not is_valid_totp(secret, "287082", at + dt.timedelta(seconds=90))
    assert not is_valid_totp(secret, "28708", at)
    assert not is_valid_totp(secret, "abcdef", at)
