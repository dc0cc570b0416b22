"""Masking strategies: idempotent on every value, resolved by category hierarchy."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.dataset_graph import CollectionAddress
from skydd.domain.errors import InvalidInput
from skydd.domain.masking import (
    HASH_PREFIX,
    FieldHold,
    FixedMask,
    KeyedHashMask,
    MaskingPolicy,
    MaskingStrategy,
    NullMask,
    StrategyResolver,
    TruncateDateMask,
    is_hashed,
)

pytestmark = pytest.mark.promise("P19")

KEY = b"k" * 32
STRATEGIES: list[MaskingStrategy] = [
    NullMask(),
    FixedMask("erased"),
    FixedMask(0),
    KeyedHashMask(KEY),
    TruncateDateMask("year"),
    TruncateDateMask("month"),
]

iso_texts = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
)
values = st.one_of(
    st.none(),
    st.text(),
    iso_texts,
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.binary(),
)


@given(value=values, strategy=st.sampled_from(STRATEGIES), length=st.none() | st.integers(1, 90))
def test_masking_a_masked_value_changes_nothing(
    value: object, strategy: MaskingStrategy, length: int | None
) -> None:
    once = strategy.mask(value, max_length=length)
    assert strategy.mask(once, max_length=length) == once


@given(st.text(), st.text())
def test_a_keyed_hash_is_marked_deterministic_and_keyed(first: str, second: str) -> None:
    mask = KeyedHashMask(KEY)
    hashed = mask.mask(first)
    assert isinstance(hashed, str) and is_hashed(hashed) and hashed.startswith(HASH_PREFIX)
    assert hashed == mask.mask(first)
    assert (hashed == mask.mask(second)) == (first == second or is_hashed(second))
    assert hashed != KeyedHashMask(b"o" * 32).mask(first) or is_hashed(first)


def test_a_keyed_hash_fits_the_column_and_leaves_non_text_to_null() -> None:
    mask = KeyedHashMask(KEY)
    fitted = mask.mask("ada@example.com", max_length=40)
    assert isinstance(fitted, str) and len(fitted) == 40 and is_hashed(fitted)
    assert mask.mask("ada@example.com", max_length=40) == fitted
    assert mask.mask(46701111111) is None and mask.mask(dt.date(2020, 1, 1)) is None
    assert mask.mask(None) is None
    assert KEY.decode() not in repr(mask)
    with pytest.raises(InvalidInput, match="at least 16 bytes"):
        KeyedHashMask(b"short")


@given(st.datetimes(timezones=st.none() | st.timezones()))
def test_date_truncation_keeps_only_the_year_or_month(moment: dt.datetime) -> None:
    year, month = TruncateDateMask("year"), TruncateDateMask("month")
    assert year.mask(moment) == moment.replace(month=1, day=1, hour=0, minute=0, second=0,
                                               microsecond=0)  # fmt: skip
    assert month.mask(moment.date()) == moment.date().replace(day=1)
    text = moment.isoformat(sep=" ")
    truncated = year.mask(text)
    assert isinstance(truncated, str) and len(truncated) == len(text)
    # Text keeps the offset it was stored with (a fixed offset, not a zone's rules).
    parsed, masked = dt.datetime.fromisoformat(truncated), year.mask(moment)
    assert isinstance(masked, dt.datetime)
    assert parsed.replace(tzinfo=None) == masked.replace(tzinfo=None)
    assert parsed.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize(
    ("stored", "year", "month"),
    [
        ("2021-05-17", "2021-01-01", "2021-05-01"),
        ("2021-05-17 11:47:42", "2021-01-01 00:00:00", "2021-05-01 00:00:00"),
        ("2021-05-17T11:47:42.123+02:00", "2021-01-01T00:00:00.000+02:00",
         "2021-05-01T00:00:00.000+02:00"),
        ("not a date", None, None),
        (1990, None, None),
    ],
)  # fmt: skip
def test_dates_stored_as_text_are_truncated_in_their_own_layout(
    stored: object, year: str | None, month: str | None
) -> None:
    assert TruncateDateMask("year").mask(stored) == year
    assert TruncateDateMask("month").mask(stored) == month


def test_fixed_and_null_replace_values_but_leave_null_alone() -> None:
    assert FixedMask("erased").mask("Alex Example") == "erased"
    assert FixedMask("erased").mask(None) is None
    assert NullMask().mask("Alex Example") is None


def test_categories_fall_back_to_their_parents_and_the_strongest_strategy_wins() -> None:
    hashed, fixed, null = KeyedHashMask(KEY), FixedMask("erased"), NullMask()
    resolver = StrategyResolver({"user.contact": hashed, "user": fixed, "user.name": null})
    assert resolver.resolve(["user.contact.email"]) is hashed
    assert resolver.resolve(["user.contact"]) is hashed
    assert resolver.resolve(["user.financial.bank_account"]) is fixed
    assert resolver.resolve(["user.contact.email", "user.name.first"]) is null
    assert resolver.resolve(["user.contact.phone_number", "user.demographic"]) is fixed
    assert resolver.resolve(["system.operations"]) is None
    assert resolver.resolve([]) is None
    assert StrategyResolver({"user.contact.email": null}).resolve(["user.contact"]) is None


def test_a_policy_keeps_a_field_for_the_longest_hold() -> None:
    invoices = CollectionAddress("shop", "invoices")

    def seven_years(collection, field, categories, row):
        return (
            FieldHold(dt.date(2032, 12, 31), "bookkeeping_act") if collection == invoices else None
        )

    def dispute(collection, field, categories, row):
        return FieldHold(dt.date(2027, 6, 30), "legal_claim") if field == "amount" else None

    policy = MaskingPolicy(StrategyResolver({"user": NullMask()}), holds=(dispute, seven_years))
    assert policy.hold_on(invoices, "amount", ["user"], {}) == FieldHold(
        dt.date(2032, 12, 31), "bookkeeping_act"
    )
    assert policy.hold_on(CollectionAddress("shop", "orders"), "amount", ["user"], {}) == FieldHold(
        dt.date(2027, 6, 30), "legal_claim"
    )
    assert policy.hold_on(CollectionAddress("shop", "orders"), "note", ["user"], {}) is None
    assert isinstance(policy.strategy_for(["user.name"]), NullMask)
