"""What an access or portability answer is made of: the request and the data found (P17, P19).

Connectors hand back rows per system and per collection, each field tagged with data
categories: fideslang keys, as datasets carry them, or the register's own keys. These
frozen values are all :mod:`skydd.documents.access_package` needs besides the register;
they hold no I/O and no clock, so the same answer always gives the same bytes.

A tag is read the way the register reads it (:func:`categories_of_tag`): a register
key names its category; a fideslang key names the register categories placed on it,
looked for first among those the register says the system holds, so ``user.content``
in the recruitment system means the CV rather than a support case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register
from skydd.domain.requests import RequestId, RequestType
from skydd.domain.taxonomy import DataCategory

RowValue: TypeAlias = (
    "bool | int | float | str | dt.date | list[RowValue] | dict[str, RowValue] | None"
)
"""A value as JSON holds it, or a date (written as ISO 8601)."""

Row: TypeAlias = Mapping[str, RowValue]
"""One record of a collection: field name to value."""

ANSWERED_TYPES = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})
"""The rights answered with a package of the person's data."""


@dataclass(frozen=True)
class AnsweredRequest:
    """The request a package answers: which right, received and answered when."""

    id: RequestId
    type: RequestType
    received_on: dt.date
    answered_on: dt.date
    reference: str = ""
    """What the person knows the request by (``R-7K3F-9QXA``); the id is shown without one."""

    def __post_init__(self) -> None:
        if self.type not in ANSWERED_TYPES:
            msg = f"a {self.type.value} request is not answered with a data package"
            raise InvalidInput(msg)
        if self.answered_on < self.received_on:
            msg = "a request cannot be answered before it was received"
            raise InvalidInput(msg)


@dataclass(frozen=True)
class FoundCollection:
    """The rows one collection (table) holds about the person, with each field's categories."""

    name: str
    rows: tuple[Row, ...]
    field_categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every field of the rows, in the order first seen: a table's header."""
        return tuple(dict.fromkeys(name for row in self.rows for name in row))


@dataclass(frozen=True)
class FoundSystem:
    """Everything found in one system, by the register's system key."""

    key: str
    collections: tuple[FoundCollection, ...]


def ordered(systems: Iterable[FoundSystem]) -> tuple[FoundSystem, ...]:
    """Systems by key and their collections by name, so output never depends on arrival order.

    Connectors may finish in any order; two systems or collections with one name would
    overwrite each other in ``data.json``, so they are refused.
    """
    result = []
    for system in sorted(systems, key=lambda s: s.key):
        names = [c.name for c in system.collections]
        if len(set(names)) != len(names):
            msg = f"system {system.key!r} lists a collection twice"
            raise InvalidInput(msg)
        collections = tuple(sorted(system.collections, key=lambda c: c.name))
        result.append(FoundSystem(system.key, collections))
    keys = [s.key for s in result]
    if len(set(keys)) != len(keys):
        msg = "a system is listed twice"
        raise InvalidInput(msg)
    return tuple(result)


def categories_of_tag(register: Register, system_key: str, tag: str) -> tuple[DataCategory, ...]:
    """The register categories a field tag names, in register order (empty: none).

    A register key names its category. A fideslang key names the categories placed on
    it; failing that, the nearest more general one (``user.name.first`` → ``user.name``);
    failing that, the more specific ones (``user.contact`` → e-mail, phone …). The
    categories the register says the system holds are tried first, then all.
    """
    own = register.data_category(tag)
    if own is not None:
        return (own,)
    system = register.system(system_key)
    held = [c for c in register.data_categories if system and c.key in system.data_categories]
    return _on_taxonomy(held, tag) or _on_taxonomy(register.data_categories, tag)


def _on_taxonomy(categories: Sequence[DataCategory], tag: str) -> tuple[DataCategory, ...]:
    exact = tuple(c for c in categories if c.taxonomy == tag)
    if exact:
        return exact
    ancestors = [c for c in categories if tag.startswith(c.taxonomy + ".")]
    if ancestors:
        nearest = max(len(c.taxonomy) for c in ancestors)
        return tuple(c for c in ancestors if len(c.taxonomy) == nearest)
    return tuple(c for c in categories if c.taxonomy.startswith(tag + "."))


def field_categories(
    register: Register, system_key: str, collection: FoundCollection
) -> dict[str, tuple[DataCategory, ...]]:
    """Each tagged field of ``collection`` with the register categories its tags name."""
    result = {}
    for name, tags in collection.field_categories.items():
        named = {c.key: c for tag in tags for c in categories_of_tag(register, system_key, tag)}
        result[name] = tuple(named.values())
    return result


def has_value(value: RowValue) -> bool:
    """False for a field left empty: null, an empty string, list or object (0 is a value)."""
    return value is not None and value != "" and value != [] and value != {}


def filled_fields(
    register: Register, system_key: str, collection: FoundCollection
) -> dict[str, tuple[DataCategory, ...]]:
    """The tagged fields that hold a value in some row, with the register categories they name."""
    filled = {name for row in collection.rows for name, value in row.items() if has_value(value)}
    tagged = field_categories(register, system_key, collection)
    return {name: categories for name, categories in tagged.items() if name in filled}


def categories_found(register: Register, system: FoundSystem) -> frozenset[str]:
    """The register keys of the categories of fields that hold a value in ``system``."""
    return frozenset(
        category.key
        for collection in system.collections
        for categories in filled_fields(register, system.key, collection).values()
        for category in categories
    )
