"""The breach register's rules: the 72-hour deadline, Art. 34, the draft notices."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.breaches import (
    Breach,
    BreachChanges,
    BreachId,
    BreachRisk,
    BreachStatus,
    close,
    draft_notification,
    hours_left,
    is_notification_required,
    must_inform_subjects,
    notification_due_at,
    parse_risk,
    update,
)
from skydd.domain.errors import ConflictError, InvalidInput, UnknownLanguageError
from skydd.domain.organisation import Organisation
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AWARE = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def mestro() -> Organisation:
    return load_register(MESTRO).organisation


def a_breach(**overrides: object) -> Breach:
    fields: dict[str, object] = {
        "id": BreachId(uuid.UUID(int=1)),
        "reference": "BR-2026-001",
        "opened_at": AWARE + dt.timedelta(hours=1),
        "aware_at": AWARE,
        "description": "A laptop with an unencrypted customer export was stolen.",
        "data_categories": ("user.contact.email", "user.contact.phone_number"),
        "approx_subjects": 1200,
        "consequences": "Phishing aimed at the customers concerned.",
        "measures": "Passwords reset; customers warned.",
        "risk": BreachRisk.HIGH_RISK,
    }
    fields.update(overrides)
    return Breach(**fields)  # type: ignore[arg-type]


def test_deadline_is_72_real_hours_when_summer_time_ends_in_stockholm() -> None:
    # Sweden leaves summer time on 25 October 2026 at 03:00 local time.
    aware = dt.datetime(2026, 10, 24, 10, 0, tzinfo=STOCKHOLM)
    due = notification_due_at(aware)
    assert due - aware == dt.timedelta(hours=72)
    assert due == dt.datetime(2026, 10, 27, 8, 0, tzinfo=dt.UTC)
    # On the wall clock in Stockholm that is 09:00, not 10:00: the hour went back.
    assert due.astimezone(STOCKHOLM).hour == 9


def test_deadline_is_72_real_hours_when_summer_time_starts_in_stockholm() -> None:
    aware = dt.datetime(2026, 3, 28, 10, 0, tzinfo=STOCKHOLM)
    due = notification_due_at(aware)
    assert due.astimezone(STOCKHOLM) == dt.datetime(2026, 3, 31, 11, 0, tzinfo=STOCKHOLM)
    assert due.tzinfo is dt.UTC


def test_deadline_runs_across_the_year_end() -> None:
    due = notification_due_at(dt.datetime(2026, 12, 30, 22, 15, tzinfo=dt.UTC))
    assert due == dt.datetime(2027, 1, 2, 22, 15, tzinfo=dt.UTC)


def test_deadline_counts_weekends_and_holidays() -> None:
    # Midsummer Eve, a Friday: calendar hours, not working days.
    due = notification_due_at(dt.datetime(2026, 6, 19, 12, 0, tzinfo=dt.UTC))
    assert due == dt.datetime(2026, 6, 22, 12, 0, tzinfo=dt.UTC)


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        timezones=st.sampled_from([dt.UTC, STOCKHOLM, ZoneInfo("America/New_York")]),
    )
)
def test_due_is_always_exactly_72_hours_after_awareness(aware: dt.datetime) -> None:
    due = notification_due_at(aware)
    assert due.tzinfo is dt.UTC
    assert due - aware == dt.timedelta(hours=72)
    assert due == aware.astimezone(dt.UTC) + dt.timedelta(hours=72)


def test_a_naive_awareness_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        notification_due_at(dt.datetime(2026, 11, 25, 8, 30))  # noqa: DTZ001 - on purpose


@pytest.mark.parametrize(
    ("risk", "notify", "inform"),
    [
        (BreachRisk.UNLIKELY, False, False),
        (BreachRisk.RISK, True, False),
        (BreachRisk.HIGH_RISK, True, True),
    ],
)
def test_art_33_and_34_follow_the_risk(risk: BreachRisk, notify: bool, inform: bool) -> None:
    assert is_notification_required(risk) is notify
    assert must_inform_subjects(risk) is inform


def test_hours_left_counts_down_and_goes_negative() -> None:
    breach = a_breach()
    assert hours_left(breach, AWARE) == 72
    assert hours_left(breach, AWARE + dt.timedelta(hours=70, minutes=30)) == 1.5
    assert hours_left(breach, AWARE + dt.timedelta(hours=75)) == -3


def test_unknown_risk_level_is_invalid_input() -> None:
    assert parse_risk("high_risk") is BreachRisk.HIGH_RISK
    with pytest.raises(InvalidInput, match="unknown risk level 'severe'"):
        parse_risk("severe")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reference": "2026-1"}, "not a breach reference"),
        ({"description": "  "}, "needs a description"),
        ({"approx_subjects": -1}, "cannot be negative"),
        ({"data_categories": ("Anna Svensson",)}, "not a data category key"),
        ({"occurred_at": AWARE + dt.timedelta(hours=1)}, "occurred after"),
        ({"aware_at": dt.datetime(2026, 11, 25)}, "no time zone"),  # noqa: DTZ001 - on purpose
    ],
)
def test_a_breach_refuses_inconsistent_facts(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        a_breach(**overrides)


def test_notifying_the_authority_marks_the_breach_notified_and_allows_closing() -> None:
    breach = a_breach()
    with pytest.raises(ConflictError, match="must be notified"):
        close(breach, AWARE + dt.timedelta(days=1))
    notified = update(breach, BreachChanges(notified_authority_at=AWARE + dt.timedelta(hours=20)))
    assert notified.status is BreachStatus.NOTIFIED
    assert notified.description == breach.description
    closed = close(notified, AWARE + dt.timedelta(days=5))
    assert (closed.status, closed.closed_at) == (BreachStatus.CLOSED, AWARE + dt.timedelta(days=5))
    with pytest.raises(ConflictError, match="is closed"):
        update(closed, BreachChanges(measures="more"))
    with pytest.raises(ConflictError, match="already closed"):
        close(closed, AWARE + dt.timedelta(days=6))


def test_a_breach_unlikely_to_harm_closes_without_notification() -> None:
    closed = close(a_breach(risk=BreachRisk.UNLIKELY), AWARE + dt.timedelta(hours=2))
    assert closed.status is BreachStatus.CLOSED


@pytest.mark.parametrize(
    ("language", "authority", "phrases"),
    [
        (
            "sv",
            "Integritetsskyddsmyndigheten (IMY)",
            ["Anmälan av personuppgiftsincident", "Sista tid för anmälan", "krävs: risken är hög"],
        ),
        (
            "en",
            "Swedish Authority for Privacy Protection (IMY)",
            ["Personal data breach notification", "Deadline to notify", "required: the risk"],
        ),
    ],
)
def test_draft_holds_reference_deadline_categories_and_authority(
    mestro: Organisation, language: str, authority: str, phrases: list[str]
) -> None:
    text = draft_notification(a_breach(), mestro, language)
    assert "BR-2026-001" in text
    assert "2026-11-28 08:30 UTC" in text
    assert "user.contact.email, user.contact.phone_number" in text
    assert authority in text
    assert mestro.legal_name in text
    assert "1200" in text
    for phrase in phrases:
        assert phrase in text


def test_draft_without_a_named_authority_addresses_the_authority(mestro: Organisation) -> None:
    anonymous = mestro.model_copy(update={"supervisory_authority": None})
    assert "Till: tillsynsmyndigheten" in draft_notification(a_breach(), anonymous, "sv")


def test_draft_in_another_language_is_refused(mestro: Organisation) -> None:
    with pytest.raises(UnknownLanguageError, match="'de'"):
        draft_notification(a_breach(), mestro, "de")
