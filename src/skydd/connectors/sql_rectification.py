"""Rectification (Art. 16) and the restriction flag (Art. 18) in a SQL database.

Both set known values on the rows a person's identities lead to, the way erasure
masks them (:mod:`skydd.connectors.sql_erasure`): rows are read with their key
columns and locked, the new values compared in Python, and only values that really
differ are written, one ``UPDATE … WHERE key`` per set of changed fields. A second
run writes nothing. Keys, references and read-only fields are never corrected.

A correction arrives as text. Before anything is written it is parsed into what its
column holds (an integer, a date, text no longer than the column), so a value a
column cannot take is refused alike on every engine (SQLite would store it), and
never cut to fit. The error names the collection and field, never the value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.types import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    Time,
    TypeEngine,
)

from skydd.connectors.sql_access import JsonValue, Row, SqlConnectorError, json_value
from skydd.connectors.sql_erasure import RowUpdates, column_lengths, writable_fields, write_changes
from skydd.domain.dataset_graph import CollectionAddress, CollectionNode
from skydd.domain.errors import InvalidInput
from skydd.domain.rectification import CorrectedField, Correction, RectificationResult
from skydd.domain.traversal import TraversalPlan


def correctable_fields(
    plan: TraversalPlan,
    node: CollectionNode,
    corrections: Sequence[Correction],
    key: Sequence[str] = (),
) -> dict[str, Correction]:
    """Fields of ``node`` carrying exactly a correction's category, and that correction.

    Only exact categories match: a city (``user.contact.address.city``) is not the
    address (``user.contact.address``). Keys, references and read-only fields are left
    out, as erasure leaves them. Two corrections that disagree on one field (it carries
    both categories) are refused rather than one of them silently winning.
    """
    by_category = {c.category: c for c in corrections}
    result: dict[str, Correction] = {}
    for f in writable_fields(plan, node, key):
        matching = [by_category[c] for c in f.data_categories if c in by_category]
        if len({c.value for c in matching}) > 1:
            categories = ", ".join(repr(c.category) for c in matching)
            msg = (
                f"collection {node.address}, field {f.name!r}: it carries {categories},"
                " whose corrections differ"
            )
            raise InvalidInput(msg)
        if matching:
            result[f.name] = matching[0]
    return result


def rectify_rows(
    conn: Connection,
    plan: TraversalPlan,
    found: Mapping[CollectionAddress, Sequence[Row]],
    keys: Mapping[CollectionAddress, Sequence[str]],
    corrections: Sequence[Correction],
    columns: Mapping[CollectionAddress, Mapping[str, TypeEngine[Any]]],
) -> RectificationResult:
    """Write each correction to its fields in every found row; what changed, old and new.

    Every collection's changes are worked out before the first is written, so a value
    that does not fit is refused before anything is sent to the database.
    """
    planned = [
        _correct_collection(plan, plan.step(address).collection, rows, keys, corrections, columns)
        for address in plan.erasure_order
        if (rows := found.get(address))
    ]
    for changes in planned:
        write_changes(conn, changes.node, changes.key, changes.updates)
    return RectificationResult(
        corrected=tuple(f for changes in planned for f in changes.corrected()),
        rows_updated={c.node.address: c.updates.rows for c in planned if c.updates.rows},
    )


def flag_rows(
    conn: Connection,
    node: CollectionNode,
    rows: Sequence[Row],
    key: Sequence[str],
    flag: str,
    value: bool,
) -> int:
    """Set the boolean column ``flag`` to ``value`` where it differs; the rows written.

    SQLite and MariaDB hand booleans back as 1 and 0, which Python holds equal to
    ``True`` and ``False``; ``NULL`` is neither, so it is always written.
    """
    updates = RowUpdates()
    for row in rows:
        if row[flag] != value:
            updates.add(row, key, {flag: value})
    write_changes(conn, node, key, updates)
    return updates.rows


@dataclass
class _CollectionChanges:
    """What correcting one collection's rows comes to, before anything is written."""

    node: CollectionNode
    key: tuple[str, ...]
    new: dict[str, tuple[Correction, JsonValue]]
    updates: RowUpdates = field(default_factory=RowUpdates)
    old: dict[str, list[JsonValue]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        """Correct ``row`` where its value differs from the correction's.

        Both sides are compared JSON-friendly, as the same value reads on every engine
        (a date SQLite keeps as text, a boolean MariaDB keeps as 1 equal True).
        """
        changed: dict[str, object] = {}
        for name, (_, value) in self.new.items():
            before = json_value(row[name])
            if before == value:
                continue
            changed[name] = value
            olds = self.old.setdefault(name, [])
            if before not in olds:
                olds.append(before)
            self.rows[name] = self.rows.get(name, 0) + 1
        if changed:
            self.updates.add(row, self.key, changed)

    def corrected(self) -> list[CorrectedField]:
        """One entry per field that changed, in field order; old values sorted as text."""
        return [
            CorrectedField(
                self.node.address,
                name,
                self.rows[name],
                old=tuple(sorted(self.old[name], key=str)),
                new=correction.value,
            )
            for name, (correction, _) in self.new.items()
            if name in self.rows
        ]


def _correct_collection(
    plan: TraversalPlan,
    node: CollectionNode,
    rows: Sequence[Row],
    keys: Mapping[CollectionAddress, Sequence[str]],
    corrections: Sequence[Correction],
    columns: Mapping[CollectionAddress, Mapping[str, TypeEngine[Any]]],
) -> _CollectionChanges:
    key = tuple(keys.get(node.address, ()))
    targets = correctable_fields(plan, node, corrections, key)
    if targets and not key:
        raise SqlConnectorError("no primary key to update rows by", collection=node.address)
    types = columns.get(node.address, {})
    lengths = column_lengths(types)
    new = {
        name: (c, _fitted(node, name, c.value, types.get(name), lengths.get(name)))
        for name, c in targets.items()
    }
    changes = _CollectionChanges(node, key, new)
    for row in rows:
        changes.add(row)
    return changes


def _fitted(
    node: CollectionNode,
    name: str,
    value: str,
    column_type: TypeEngine[Any] | None,
    reflected_length: int | None,
) -> JsonValue:
    """``value`` as its column holds it, or :class:`SqlConnectorError` saying why not.

    Parsed values go to the driver JSON-friendly (ISO dates, exact numbers): every
    engine takes those for its own types, and they compare with what was read.
    """
    try:
        for kind, parse in _PARSERS:
            if isinstance(column_type, kind):
                return json_value(parse(value, column_type))
        length = node.field(name).length or reflected_length
        if length is not None and len(value) > length:
            raise _Unfit(f"is longer than the column's {length} characters")
    except _Unfit as exc:
        msg = f"the corrected value {exc}"
        raise SqlConnectorError(msg, collection=node.address, field=name) from None
    return value


class _Unfit(Exception):
    """Why a corrected value does not fit its column; never the value itself."""


_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_TRUTH = {"true": True, "false": False, "1": True, "0": False}


def _integer(value: str, column_type: TypeEngine[Any]) -> int:
    if not _INTEGER.fullmatch(value):
        raise _Unfit("is not an integer")
    bits = 64 if isinstance(column_type, BigInteger) else 32
    bits = 16 if isinstance(column_type, SmallInteger) else bits
    number = int(value)
    if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        raise _Unfit(f"is out of range for a {bits}-bit integer column")
    return number


def _decimal(value: str, column_type: TypeEngine[Any]) -> decimal.Decimal:
    """An exact number within the column's precision and scale, when it declares them."""
    if not _NUMBER.fullmatch(value):
        raise _Unfit("is not a number")
    number = decimal.Decimal(value)
    precision = getattr(column_type, "precision", None)
    scale = getattr(column_type, "scale", None) or 0
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and precision and -exponent > scale:
        raise _Unfit(f"has more than the column's {scale} decimals")
    if precision and number and number.adjusted() + 1 > precision - scale:
        raise _Unfit(f"is too large for the column's {precision} digits")
    return number


def _float(value: str, _column_type: TypeEngine[Any]) -> float:
    number = float(value) if _NUMBER.fullmatch(value) else math.nan
    if not math.isfinite(number):
        raise _Unfit("is not a finite number")
    return number


def _boolean(value: str, _column_type: TypeEngine[Any]) -> bool:
    truth = _TRUTH.get(value.lower())
    if truth is None:
        raise _Unfit("is not true or false")
    return truth


def _iso(kind: Callable[[str], object], what: str) -> Callable[[str, TypeEngine[Any]], object]:
    def parse(value: str, _column_type: TypeEngine[Any]) -> object:
        try:
            return kind(value)
        except ValueError:  # its message repeats the value
            raise _Unfit(f"is not {what}") from None

    return parse


_PARSERS: tuple[tuple[type[TypeEngine[Any]], Callable[[str, TypeEngine[Any]], object]], ...] = (
    (Boolean, _boolean),
    (Integer, _integer),
    (Float, _float),  # before Numeric, its base class
    (Numeric, _decimal),
    (DateTime, _iso(dt.datetime.fromisoformat, "an ISO 8601 date and time")),
    (Date, _iso(dt.date.fromisoformat, "an ISO 8601 date (YYYY-MM-DD)")),
    (Time, _iso(dt.time.fromisoformat, "an ISO 8601 time")),
)
"""How a correction becomes each kind of column's value; text columns take it as it is."""
