"""Rectification (Art. 16): the corrected values a person asks for, and what writing them changed.

A person names what is wrong by data category (``name``, or fideslang's ``user.name``)
and gives the right value. The correction is written to every field carrying exactly
that category in every system skydd reaches; a field of a narrower or wider category
(a city under ``user.contact.address``, say) is a different thing and left alone. Key,
reference and read-only fields are never written, so rows stay joinable. Old and new
values are personal data: they are kept out of every ``repr`` and shown to staff
only, never logged or audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as attribute

from skydd.domain.dataset_graph import CollectionAddress
from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register
from skydd.domain.taxonomy import fideslang_data_categories

MAX_CORRECTIONS = 20
MAX_VALUE_LENGTH = 1000


@dataclass(frozen=True)
class Correction:
    """One category's right value, by its fideslang key (``user.contact.email``)."""

    category: str
    value: str = attribute(repr=False)


@dataclass(frozen=True)
class CorrectedField:
    """One field corrected in ``rows`` rows: the distinct old values, and the new one."""

    collection: CollectionAddress
    field: str
    rows: int
    old: tuple[object, ...] = attribute(repr=False)
    new: str = attribute(repr=False)


@dataclass(frozen=True)
class RectificationResult:
    """What a rectification changed in one system; empty when every value was right."""

    corrected: tuple[CorrectedField, ...] = ()
    rows_updated: Mapping[CollectionAddress, int] = attribute(default_factory=dict)

    @property
    def changed_nothing(self) -> bool:
        """True for a second run of the same rectification (and for an unknown person)."""
        return not self.corrected


def checked_corrections(register: Register, given: Mapping[str, str]) -> tuple[Correction, ...]:
    """``given`` (category → value) as corrections on fideslang keys, or why not.

    A category is named by the register's key or by a fideslang key; the message names
    the category but never the value, which is personal data.
    """
    if not given:
        msg = "a rectification request names at least one correction"
        raise InvalidInput(msg)
    if len(given) > MAX_CORRECTIONS:
        msg = f"at most {MAX_CORRECTIONS} corrections in one request"
        raise InvalidInput(msg)
    corrections: dict[str, Correction] = {}
    for name, value in given.items():
        category = _fideslang_key(register, name)
        cleaned = value.strip()
        if not cleaned or len(cleaned) > MAX_VALUE_LENGTH:
            msg = f"the corrected value for {name!r} must be 1-{MAX_VALUE_LENGTH} characters"
            raise InvalidInput(msg)
        if category in corrections:
            msg = f"two corrections for the data category {category!r}"
            raise InvalidInput(msg)
        corrections[category] = Correction(category, cleaned)
    return tuple(corrections[k] for k in sorted(corrections))


def _fideslang_key(register: Register, name: str) -> str:
    own = register.data_category(name)
    if own is not None:
        return own.taxonomy
    if name in fideslang_data_categories():
        return name
    msg = f"unknown data category {name[:100]!r}: name one of the register or fideslang's"
    raise InvalidInput(msg)
