"""Session rules: idle and absolute expiry, revocation, disabled users, changed passwords."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.credentials import StaffUser, UserId
from skydd.domain.errors import InvalidInput
from skydd.domain.password_change import (
    PasswordChangeRefused,
    PasswordRule,
    check_password_change,
)
from skydd.domain.sessions import (
    TOUCH_RESOLUTION,
    SessionEnd,
    SessionId,
    SessionPolicy,
    StaffSession,
    credential_stamp,
    is_secret_shaped,
    revoked,
    session_end,
    start_session,
    touched,
)

pytestmark = pytest.mark.promise("P12")

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
POLICY = SessionPolicy(idle_timeout=dt.timedelta(minutes=30), lifetime=dt.timedelta(hours=12))
USER = StaffUser(
    id=UserId(uuid.UUID(int=1)),
    username="anna",
    password_hash="$argon2id$v=19$m=19456,t=2,p=1$salt$hash",
    roles=("dpo",),
    created_at=T0,
)


def session(at: dt.datetime = T0, user: StaffUser = USER) -> StaffSession:
    return start_session(SessionId(uuid.UUID(int=2)), "h" * 64, user, at, POLICY)


def test_a_new_session_lives_for_the_lifetime_and_has_been_seen_now() -> None:
    started = session()
    assert started.expires_at == T0 + dt.timedelta(hours=12)
    assert started.last_seen_at == T0
    assert started.revoked_at is None
    assert started.target == f"session:{uuid.UUID(int=2)}"
    assert session_end(started, USER, T0, POLICY) is None


def test_idle_timeout_ends_a_session_exactly_at_its_end() -> None:
    started = session()
    assert started.ended(T0 + dt.timedelta(minutes=29, seconds=59), POLICY) is None
    assert started.ended(T0 + dt.timedelta(minutes=30), POLICY) is SessionEnd.IDLE


def test_use_keeps_a_session_alive_but_not_past_its_lifetime() -> None:
    current = session()
    now = T0
    ends: list[SessionEnd | None] = []
    while now < T0 + dt.timedelta(hours=13):  # used every 29 minutes
        now += dt.timedelta(minutes=29)
        ends.append(current.ended(now, POLICY))
        if ends[-1] is not None:
            break
        seen = touched(current, now)
        assert seen is not None
        current = seen
    assert ends[-1] is SessionEnd.EXPIRED
    assert ends[:-1] == [None] * 24  # 24 x 29 min = 11 h 36 min; the 25th use is too late
    assert now == T0 + dt.timedelta(minutes=29 * 25)


def test_idle_until_never_passes_the_absolute_end() -> None:
    late = replace(session(), last_seen_at=T0 + dt.timedelta(hours=11, minutes=50))
    assert late.idle_until(POLICY) == T0 + dt.timedelta(hours=12)
    assert session().idle_until(POLICY) == T0 + dt.timedelta(minutes=30)


def test_last_seen_is_written_at_most_once_per_resolution() -> None:
    started = session()
    assert touched(started, T0 + TOUCH_RESOLUTION - dt.timedelta(seconds=1)) is None
    seen = touched(started, T0 + TOUCH_RESOLUTION)
    assert seen is not None
    assert seen.last_seen_at == T0 + TOUCH_RESOLUTION


def test_revocation_ends_a_session_and_keeps_its_first_time() -> None:
    ended = revoked(session(), T0 + dt.timedelta(minutes=1))
    assert ended.ended(T0 + dt.timedelta(minutes=1), POLICY) is SessionEnd.REVOKED
    assert revoked(ended, T0 + dt.timedelta(minutes=5)).revoked_at == T0 + dt.timedelta(minutes=1)


def test_a_disabled_or_deleted_user_ends_the_session() -> None:
    started = session()
    assert session_end(started, replace(USER, disabled=True), T0, POLICY) is (
        SessionEnd.USER_DISABLED
    )
    assert session_end(started, None, T0, POLICY) is SessionEnd.USER_GONE


def test_a_changed_password_ends_the_session_other_changes_do_not() -> None:
    started = session()
    new_hash = replace(USER, password_hash="$argon2id$v=19$m=19456,t=2,p=1$salt$other")
    assert session_end(started, new_hash, T0, POLICY) is SessionEnd.CREDENTIALS_CHANGED
    other_roles = replace(USER, roles=("admin",), last_login_at=T0, failed_attempts=2)
    assert session_end(started, other_roles, T0, POLICY) is None
    assert credential_stamp(USER) != USER.password_hash
    assert len(credential_stamp(USER)) == 64


def test_the_policy_refuses_timeouts_that_never_end_or_contradict() -> None:
    with pytest.raises(InvalidInput):
        SessionPolicy(idle_timeout=dt.timedelta(0), lifetime=dt.timedelta(hours=1))
    with pytest.raises(InvalidInput):
        SessionPolicy(idle_timeout=dt.timedelta(hours=2), lifetime=dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("A" * 43, True),
        ("abc-_" + "x" * 38, True),
        ("A" * 42, False),
        ("A" * 44, False),
        ("A" * 42 + "=", False),
        ("A" * 42 + "é", False),
        ("", False),
        (None, False),
    ],
)
def test_only_secret_shaped_values_are_looked_up(text: str | None, shaped: bool) -> None:
    assert is_secret_shaped(text) is shaped


@given(
    idle=st.integers(min_value=1, max_value=24 * 60),
    extra=st.integers(min_value=0, max_value=6 * 24 * 60),
    gap=st.integers(min_value=0, max_value=8 * 24 * 60),
)
def test_a_session_never_outlives_either_limit(idle: int, extra: int, gap: int) -> None:
    policy = SessionPolicy(dt.timedelta(minutes=idle), dt.timedelta(minutes=idle + extra))
    started = start_session(SessionId(uuid.UUID(int=3)), "h" * 64, USER, T0, policy)
    now = T0 + dt.timedelta(minutes=gap)
    alive = session_end(started, USER, now, policy) is None
    assert alive == (gap < idle)
    assert not alive or now < started.expires_at


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "rule"),
    [
        ("old password 1", "new password 1", "new password 2", PasswordRule.MISMATCH),
        ("old password 1", "short", "short", PasswordRule.TOO_SHORT),
        ("old password 1", "x" * 1025, "x" * 1025, PasswordRule.TOO_LONG),
        ("old password 1", "Anna.Example1", "Anna.Example1", PasswordRule.IS_USERNAME),
        ("same password 1", "same password 1", "same password 1", PasswordRule.UNCHANGED),
    ],
)
def test_a_password_change_names_the_rule_it_breaks(
    current: str, new: str, confirmation: str, rule: PasswordRule
) -> None:
    with pytest.raises(PasswordChangeRefused) as refused:
        check_password_change("anna.example1", current, new, confirmation)
    assert refused.value.rule is rule
    assert new not in refused.value.message


def test_a_good_password_change_passes() -> None:
    check_password_change("anna", "old password 1", "a much longer phrase", "a much longer phrase")
