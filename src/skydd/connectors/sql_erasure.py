"""Erasure in a SQL database: read the person's rows, mask in Python, update by key.

Masked values are computed in Python from each field's categories, so one code path
serves every engine and strategy, and only fields whose value really changes are
written: the counts are true and a second run writes nothing. Key and reference
fields are never masked (rows must stay joinable and foreign keys valid), nor are
fields the dataset marks ``read_only``. Rows are updated by primary key, declared in
the dataset or else reflected once. Rectification writes the same way, with the same
helpers (:func:`writable_fields`, :class:`RowUpdates`, :func:`write_changes`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Update, and_, bindparam, column, inspect, table, update
from sqlalchemy.types import TypeEngine

from skydd.connectors.sql_access import Row, SqlConnectorError, failures_named, json_row
from skydd.domain.dataset_graph import CollectionAddress, CollectionNode, FieldAddress, FieldNode
from skydd.domain.masking import (
    ErasurePolicy,
    ErasureResult,
    KeptField,
    MaskedField,
    MaskingStrategy,
)
from skydd.domain.traversal import TraversalPlan


def writable_fields(
    plan: TraversalPlan, node: CollectionNode, key: Sequence[str] = ()
) -> Iterator[FieldNode]:
    """Fields of ``node`` a write may change: no key, reference or read-only field.

    Keys and references are what rows are joined and updated by, and foreign keys live
    in references; a dataset marks a field ``read_only`` when skydd must not write it.
    """
    for f in node.fields:
        if f.is_primary_key or f.read_only or f.name in key:
            continue
        if FieldAddress(node.address, f.name) not in plan.reference_fields:
            yield f


def maskable_fields(
    plan: TraversalPlan, node: CollectionNode, policy: ErasurePolicy, key: Sequence[str] = ()
) -> dict[str, MaskingStrategy]:
    """Fields of ``node`` the policy masks, less keys, references and read-only fields."""
    result: dict[str, MaskingStrategy] = {}
    for f in writable_fields(plan, node, key):
        strategy = policy.strategy_for(f.data_categories)
        if strategy is not None:
            result[f.name] = strategy
    return result


def reflect_primary_key(conn: Connection, node: CollectionNode) -> tuple[str, ...]:
    """The table's primary key as the database has it; the dataset declared none."""
    with failures_named(node.address):
        found = inspect(conn).get_pk_constraint(node.address.collection, schema=node.schema)
    return tuple(found.get("constrained_columns") or ())


ColumnTypes = dict[str, TypeEngine[Any]]
"""Each column's type as the database reports it, by column name."""


def reflect_columns(conn: Connection, node: CollectionNode) -> ColumnTypes:
    """The table's columns and their types, as the database has them."""
    with failures_named(node.address):
        found = inspect(conn).get_columns(node.address.collection, schema=node.schema)
    return {c["name"]: c["type"] for c in found}


def column_lengths(columns: Mapping[str, TypeEngine[Any]]) -> dict[str, int]:
    """The declared length of each bounded text column, for fields whose dataset gives none.

    A keyed hash is cut to fit its column: without the length a ``VARCHAR(40)`` phone
    column would refuse the 69-character hash on PostgreSQL and MariaDB.
    """
    lengths = {}
    for name, type_ in columns.items():
        length = getattr(type_, "length", None)
        if isinstance(length, int) and length > 0:
            lengths[name] = length
    return lengths


@dataclass
class RowUpdates:
    """New values of rows, grouped by which fields change, before anything is written.

    Each group is one ``UPDATE … WHERE key`` run as executemany, whatever the number
    of rows: see :func:`write_changes`.
    """

    groups: dict[tuple[str, ...], list[dict[str, object]]] = field(default_factory=dict)
    rows: int = 0

    def add(self, row: Row, key: Sequence[str], new: Mapping[str, object]) -> None:
        """Update ``row``, found by its ``key`` columns, to the ``new`` values."""
        fields = tuple(sorted(new))
        params = {_key_param(i): row[k] for i, k in enumerate(key)}
        params.update({_new_param(i): new[f] for i, f in enumerate(fields)})
        self.groups.setdefault(fields, []).append(params)
        self.rows += 1


@dataclass
class _Changes:
    """What masking one collection's rows comes to, before anything is written."""

    updates: RowUpdates = field(default_factory=RowUpdates)
    masked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kept: dict[tuple[str, str], list[dt.date]] = field(default_factory=lambda: defaultdict(list))


def mask_collection(
    node: CollectionNode,
    rows: Sequence[Row],
    key: Sequence[str],
    targets: Mapping[str, MaskingStrategy],
    policy: ErasurePolicy,
    lengths: Mapping[str, int],
) -> _Changes:
    """The new values of each row, grouped by which fields change; holds set aside."""
    changes = _Changes()
    columns = [f.name for f in node.fields]
    for row in rows:
        new: dict[str, object] = {}
        shown: dict[str, object] | None = None
        for name, strategy in targets.items():
            spec = node.field(name)
            masked = strategy.mask(row[name], max_length=spec.length or lengths.get(name))
            if masked == row[name]:
                continue
            shown = shown if shown is not None else dict(json_row(row, columns))
            hold = policy.hold_on(node.address, name, spec.data_categories, shown)
            if hold is not None:
                changes.kept[(name, hold.reason)].append(hold.until)
                continue
            new[name] = masked
            changes.masked[name] += 1
        if new:
            changes.updates.add(row, key, new)
    return changes


def write_changes(
    conn: Connection, node: CollectionNode, key: Sequence[str], updates: RowUpdates
) -> None:
    """One ``UPDATE … WHERE key = :key`` per set of changed fields, run as executemany."""
    for fields, params in updates.groups.items():
        statement = update_statement(node.address.collection, node.schema, tuple(key), fields)
        with failures_named(node.address):
            conn.execute(statement, params)


@lru_cache(maxsize=1024)
def update_statement(
    name: str, schema: str | None, key: tuple[str, ...], fields: tuple[str, ...]
) -> Update:
    """``UPDATE name SET fields WHERE key``, built once per table and set of fields.

    Statements are immutable, so one serves every erasure that changes the same fields.
    """
    target = table(name, *(column(c) for c in [*key, *fields]), schema=schema)
    return (
        update(target)
        .where(and_(*(target.c[k] == bindparam(_key_param(i)) for i, k in enumerate(key))))
        .values({f: bindparam(_new_param(i)) for i, f in enumerate(fields)})
    )


def _key_param(index: int) -> str:
    return f"skydd_key_{index}"


def _new_param(index: int) -> str:
    return f"skydd_new_{index}"


def erase_rows(
    conn: Connection,
    plan: TraversalPlan,
    found: Mapping[CollectionAddress, Sequence[Row]],
    keys: Mapping[CollectionAddress, Sequence[str]],
    policy: ErasurePolicy,
    lengths: Mapping[CollectionAddress, Mapping[str, int]],
) -> ErasureResult:
    """Mask every found row in the plan's erasure order; report what changed and was kept."""
    masked: list[MaskedField] = []
    kept: list[KeptField] = []
    rows_updated: dict[CollectionAddress, int] = {}
    for address in plan.erasure_order:
        node = plan.step(address).collection
        key = keys.get(address, ())
        targets = maskable_fields(plan, node, policy, key)
        if not targets or not found.get(address):
            continue
        if not key:
            raise SqlConnectorError("no primary key to update rows by", collection=address)
        changes = mask_collection(
            node, found[address], key, targets, policy, lengths.get(address, {})
        )
        write_changes(conn, node, key, changes.updates)
        masked += [
            MaskedField(address, f, n, targets[f].name) for f, n in sorted(changes.masked.items())
        ]
        kept += [
            KeptField(address, f, len(untils), max(untils), reason)
            for (f, reason), untils in sorted(changes.kept.items())
        ]
        if changes.updates.rows:
            rows_updated[address] = changes.updates.rows
    return ErasureResult(tuple(masked), tuple(kept), rows_updated)
