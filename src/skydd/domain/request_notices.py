"""What the notices about a request carry besides the register: kept data and due dates.

The erasure answer tells the person what was kept and why (Art. 17(3)(b), P10): each
:class:`KeptRecord` names the data in words, the last day it is kept and the legal
ground. The daily reminder to staff lists :class:`DueRequest` lines, which by their
shape cannot hold personal data: a request's reference, its right and its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skydd.domain.requests import RequestType


@dataclass(frozen=True)
class KeptRecord:
    """Data an erasure left in place, until when and on which legal ground."""

    description: str
    """What was kept, as the person should read it ("Fakturor 2026")."""
    kept_until: dt.date
    """The last day it is kept, e.g. the end of a Bookkeeping Act hold."""
    legal_ground: str
    """Why, e.g. "Bokföringslagen (1999:1078) 7 kap. 2 §"."""


@dataclass(frozen=True)
class DueRequest:
    """One line of the staff reminder: which request, which right, due when."""

    reference: str
    type: RequestType
    due_on: dt.date
