"""Test doubles for ports skydd owns (never for third-party services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class FakeClock:
    """A clock tests set and move; starts at a fixed moment."""

    current: dt.datetime = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def today(self) -> dt.date:
        return self.current.date()

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)

    def set(self, moment: dt.datetime) -> None:
        self.current = moment
