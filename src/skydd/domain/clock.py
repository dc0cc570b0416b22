"""The clock is injected: domain and services never read the time themselves."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """Tells the current moment; tests move a fake one across month and year ends."""

    def now(self) -> dt.datetime:
        """The current moment, timezone-aware UTC."""
        ...

    def today(self) -> dt.date:
        """The current calendar date (in UTC)."""
        ...
