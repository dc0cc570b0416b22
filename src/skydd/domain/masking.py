"""How erasure changes a value, chosen per data category, and what a hold keeps (Art. 17).

Every strategy is idempotent: masking a masked value gives the same value, so an
erasure that runs twice (a retry, a resumed job) changes nothing the second time and
says so. A keyed hash marks its output (``hmac:`` and hex digits) and leaves a marked
value alone; a date is truncated to the first day of its year or month, which a second
truncation keeps. A value a strategy cannot change keeping that promise (a number
under a keyed hash, text that is no date under truncation) is nulled: erasure errs
towards removing. ``None`` stays ``None``: there is nothing left to erase.

A field's categories resolve fideslang-style: ``user.contact.email`` falls back to
``user.contact``, then ``user``. Where a field has several categories, the strategy
that removes most wins (null, then fixed, keyed hash, date truncation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Protocol

from skydd.domain.dataset_graph import CollectionAddress
from skydd.domain.errors import InvalidInput

HASH_PREFIX = "hmac:"
"""Marks a keyed-hash output, so a second erasure recognises it and leaves it."""

_HASHED = re.compile(r"hmac:[0-9a-f]{16,64}")
_MIN_DIGITS = 16
_MIN_KEY_BYTES = 16


class MaskingStrategy(Protocol):
    """Turns a stored value into its erased form; ``mask(mask(v)) == mask(v)``."""

    name: ClassVar[str]
    removes: ClassVar[int]
    """Rank by how much it removes, 0 most: where categories disagree the lowest wins."""

    def mask(self, value: object, *, max_length: int | None = None) -> object:
        """The erased form of ``value``, at most ``max_length`` characters when text."""
        ...


@dataclass(frozen=True)
class NullMask:
    """Replace with NULL."""

    name: ClassVar[str] = "null"
    removes: ClassVar[int] = 0

    def mask(self, value: object, *, max_length: int | None = None) -> object:
        """Always ``None``."""
        del value, max_length
        return None


@dataclass(frozen=True)
class FixedMask:
    """Replace with one fixed value (``"erased"``, ``0``), the same for every row."""

    value: object
    name: ClassVar[str] = "fixed"
    removes: ClassVar[int] = 1

    def mask(self, value: object, *, max_length: int | None = None) -> object:
        """The fixed value; ``None`` stays ``None``."""
        del max_length
        return None if value is None else self.value


@dataclass(frozen=True)
class KeyedHashMask:
    """HMAC-SHA256 under a secret key: equal inputs stay linkable, nobody can reverse it.

    Text only: a number or a date column cannot hold the marker, so such values are
    nulled. Where the column is shorter than the full digest, the digest is cut to fit
    (at least 16 hex digits, 64 bits).
    """

    key: bytes = field(repr=False)
    name: ClassVar[str] = "keyed_hash"
    removes: ClassVar[int] = 2

    def __post_init__(self) -> None:
        if len(self.key) < _MIN_KEY_BYTES:
            raise InvalidInput(f"a keyed-hash key needs at least {_MIN_KEY_BYTES} bytes")

    def mask(self, value: object, *, max_length: int | None = None) -> object:
        """``hmac:`` and the hex digest; an already hashed value as it is."""
        if not isinstance(value, str):
            return None
        if is_hashed(value):
            return value
        digest = hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()
        if max_length is not None:
            digest = digest[: max(max_length - len(HASH_PREFIX), _MIN_DIGITS)]
        return HASH_PREFIX + digest


def is_hashed(value: object) -> bool:
    """True for a value a keyed hash wrote."""
    return isinstance(value, str) and _HASHED.fullmatch(value) is not None


@dataclass(frozen=True)
class TruncateDateMask:
    """Keep only the year (or year and month) of a date: the first day of it.

    SQLite hands dates back as ISO text, so text is truncated as text in its own
    layout (``2021-05-17 11:47:42`` becomes ``2021-01-01 00:00:00``).
    """

    to: Literal["year", "month"] = "year"
    name: ClassVar[str] = "truncate_date"
    removes: ClassVar[int] = 3

    def mask(self, value: object, *, max_length: int | None = None) -> object:
        """The first day of the year or month, midnight for a date-time."""
        del max_length
        if isinstance(value, dt.datetime):
            day = self._first_day(value.date())
            return value.replace(year=day.year, month=day.month, day=day.day, hour=0, minute=0,
                                 second=0, microsecond=0)  # fmt: skip
        if isinstance(value, dt.date):
            return self._first_day(value)
        if isinstance(value, str):
            return self._truncate_text(value)
        return None

    def _first_day(self, day: dt.date) -> dt.date:
        return day.replace(month=1 if self.to == "year" else day.month, day=1)

    def _truncate_text(self, value: str) -> str | None:
        """Truncate ISO text in place: the date's first day, the time's digits zeroed."""
        try:
            day = dt.date.fromisoformat(value[:10])
            if len(value) > len("2021-01-01"):
                dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        time, zone = _split_zone(value[11:])
        return self._first_day(day).isoformat() + value[10:11] + re.sub(r"\d", "0", time) + zone


def _split_zone(time: str) -> tuple[str, str]:
    """``11:47:42+02:00`` → (``11:47:42``, ``+02:00``): the offset is kept as it is."""
    match = re.search(r"[+\-Z]", time)
    return (time[: match.start()], time[match.start() :]) if match else (time, "")


@dataclass(frozen=True)
class StrategyResolver:
    """Strategy per data category, with fideslang's fallback to the parent category."""

    strategies: Mapping[str, MaskingStrategy]

    def resolve(self, categories: Sequence[str]) -> MaskingStrategy | None:
        """The strategy for a field with ``categories``; ``None`` leaves it untouched."""
        found = [s for c in categories if (s := self.for_category(c)) is not None]
        return min(found, key=lambda s: s.removes) if found else None

    def for_category(self, category: str) -> MaskingStrategy | None:
        """The most specific configured ancestor-or-self of ``category``."""
        key = category
        while key:
            if key in self.strategies:
                return self.strategies[key]
            key = key.rpartition(".")[0]
        return None


@dataclass(frozen=True)
class FieldHold:
    """A law keeps this value until ``until`` (inclusive); ``reason`` is a key (P10)."""

    until: dt.date
    reason: str


class ErasurePolicy(Protocol):
    """What erasure does to a field: which strategy, and whether a hold keeps it."""

    def strategy_for(self, categories: Sequence[str]) -> MaskingStrategy | None:
        """The strategy for a field with these categories; ``None`` leaves it."""
        ...

    def hold_on(
        self,
        collection: CollectionAddress,
        field: str,
        categories: Sequence[str],
        row: Mapping[str, object],
    ) -> FieldHold | None:
        """A hold keeping this field of this row (its JSON-friendly values), if any."""
        ...


HoldRule = Callable[[CollectionAddress, str, Sequence[str], Mapping[str, object]], FieldHold | None]
"""Decides a hold for one field of one row (as :meth:`ErasurePolicy.hold_on`), e.g. the
Bookkeeping Act on invoice rows until a date computed from the row's own date."""


@dataclass(frozen=True)
class MaskingPolicy:
    """An :class:`ErasurePolicy` from a category→strategy mapping and optional hold rules."""

    resolver: StrategyResolver
    holds: Sequence[HoldRule] = ()

    def strategy_for(self, categories: Sequence[str]) -> MaskingStrategy | None:
        """See :meth:`StrategyResolver.resolve`."""
        return self.resolver.resolve(categories)

    def hold_on(
        self,
        collection: CollectionAddress,
        field: str,
        categories: Sequence[str],
        row: Mapping[str, object],
    ) -> FieldHold | None:
        """The longest hold any rule puts on the field, if any."""
        found = [h for rule in self.holds if (h := rule(collection, field, categories, row))]
        return max(found, key=lambda h: h.until) if found else None


@dataclass(frozen=True)
class MaskedField:
    """One field masked in ``rows`` rows of a collection, and how."""

    collection: CollectionAddress
    field: str
    rows: int
    strategy: str


@dataclass(frozen=True)
class KeptField:
    """One field a hold kept in ``rows`` rows: until the latest ``until``, and why."""

    collection: CollectionAddress
    field: str
    rows: int
    until: dt.date
    reason: str


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure changed and what it kept; all empty when there was nothing to do."""

    masked: tuple[MaskedField, ...] = ()
    kept: tuple[KeptField, ...] = ()
    rows_updated: Mapping[CollectionAddress, int] = field(default_factory=dict)

    @property
    def changed_nothing(self) -> bool:
        """True for a second run of the same erasure (and for an unknown person)."""
        return not self.masked
