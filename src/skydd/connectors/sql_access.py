"""Reading a planned traversal from a SQL database: batched, bound, in one transaction.

Each step is one ``SELECT … WHERE a IN (…) OR b IN (…)`` built once from the plan
with SQLAlchemy's lightweight ``table()``/``column()`` (identifiers quoted by the
dialect, no reflection) and expanding bind parameters (values never in the SQL
text). SQLAlchemy caches the compiled form, so a request costs one round trip per
collection; lists longer than the chunk size go in several round trips, never one
per row.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Select, bindparam, column, or_, select, table
from sqlalchemy.exc import DBAPIError, NoSuchTableError

from skydd.domain.dataset_graph import CollectionAddress, Identity
from skydd.domain.errors import InternalError
from skydd.domain.traversal import TraversalStep

CHUNK_SIZE = 500
"""Values per ``IN (…)`` list: far below every engine's parameter limit."""

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
Row = dict[str, object]
"""A row as the driver gives it, keyed by column name."""


class SqlConnectorError(InternalError):
    """A database or table the dataset names is not there, or the database failed.

    The message names the collection and field, never a value: the driver's own
    message repeats the bound values (personal data), so it is not kept.
    """

    code = "sql-connector-failed"

    def __init__(
        self, message: str, *, collection: CollectionAddress | None = None, field: str | None = None
    ) -> None:
        where = f"collection {collection}" if collection else "database"
        where += f", field {field!r}" if field else ""
        super().__init__(f"{where}: {message}")
        self.collection = collection
        self.field = field


@contextmanager
def failures_named(collection: CollectionAddress | None = None) -> Iterator[None]:
    """Turn a driver error into :class:`SqlConnectorError` naming what was being done.

    ``from None``: the chained driver error's text carries the bound parameters.
    """
    try:
        yield
    except NoSuchTableError:
        raise SqlConnectorError("the table does not exist", collection=collection) from None
    except DBAPIError as exc:
        kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        what = "the connection was lost" if exc.connection_invalidated else "the query failed"
        raise SqlConnectorError(f"{what} ({kind})", collection=collection) from None


@dataclass(frozen=True)
class ReadStatement:
    """The compiled-once query of one step, and which bind parameter feeds which field."""

    step: TraversalStep
    columns: tuple[str, ...]
    query: Select[tuple[object, ...]]
    parameters: Mapping[str, str]
    """Looked-up field → its expanding bind parameter."""


def read_statement(
    step: TraversalStep, columns: Sequence[str], *, for_update: bool = False
) -> ReadStatement:
    """``SELECT columns FROM collection WHERE field IN (…) OR …`` for ``step``."""
    node = step.collection
    fields = list(dict.fromkeys(lookup.field for lookup in step.lookups))
    names = list(dict.fromkeys([*columns, *fields]))
    source = table(node.address.collection, *(column(n) for n in names), schema=node.schema)
    parameters = {f: f"skydd_in_{i}" for i, f in enumerate(fields)}
    query = select(*(source.c[n] for n in columns)).where(
        or_(*(source.c[f].in_(bindparam(p, expanding=True)) for f, p in parameters.items()))
    )
    return ReadStatement(
        step, tuple(columns), query.with_for_update() if for_update else query, parameters
    )


def read_rows(
    conn: Connection,
    statements: Sequence[ReadStatement],
    identities: Mapping[str, Sequence[object]],
    *,
    chunk_size: int = CHUNK_SIZE,
) -> dict[CollectionAddress, list[Row]]:
    """Run the steps in plan order, each fed by identities and the rows found before."""
    found: dict[CollectionAddress, list[Row]] = {}
    for statement in statements:
        address = statement.step.collection.address
        values = _lookup_values(statement.step, identities, found)
        with failures_named(address):
            found[address] = _query(conn, statement, values, chunk_size)
    return found


def _lookup_values(
    step: TraversalStep,
    identities: Mapping[str, Sequence[object]],
    found: Mapping[CollectionAddress, list[Row]],
) -> dict[str, list[object]]:
    """Distinct non-null values per looked-up field (NULL never matches ``IN``)."""
    values: dict[str, dict[object, None]] = {}
    for lookup in step.lookups:
        if isinstance(lookup.source, Identity):
            source: Sequence[object] = identities.get(lookup.source.name, ())
        else:
            upstream = lookup.source.field
            source = [row[upstream] for row in found.get(lookup.source.collection, [])]
        into = values.setdefault(lookup.field, {})
        into.update((v, None) for v in source if v is not None)
    return {f: list(v) for f, v in values.items()}


def _query(
    conn: Connection, statement: ReadStatement, values: Mapping[str, list[object]], chunk: int
) -> list[Row]:
    longest = max((len(v) for v in values.values()), default=0)
    if longest == 0:
        return []
    rows: list[Row] = []
    seen: set[tuple[str, ...]] = set()
    for start in range(0, longest, chunk):
        params = {
            p: values.get(f, [])[start : start + chunk] for f, p in statement.parameters.items()
        }
        batch = [dict(m) for m in conn.execute(statement.query, params).mappings()]
        if longest <= chunk:
            return batch
        # A row may match one field in this chunk and another in a later one.
        keys = [tuple(repr(v) for v in r.values()) for r in batch]
        rows += [r for r, k in zip(batch, keys, strict=True) if k not in seen]
        seen.update(keys)
    return rows


def json_value(value: object) -> JsonValue:
    """A driver value as JSON can hold it, the same whichever engine stored it.

    Date-times are written ``2024-02-05 10:15:00`` (RFC 3339 allows the space), as
    SQLite stores them as text; decimals become numbers, as SQLite hands them back,
    unless a float would not hold them exactly, then exact text.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return _number(value)
    if isinstance(value, uuid.UUID | dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return str(value)


def _number(value: decimal.Decimal) -> JsonValue:
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if decimal.Decimal(repr(as_float)) == value else str(value)


def json_row(row: Row, columns: Sequence[str]) -> dict[str, JsonValue]:
    """The dataset's own columns of ``row``, JSON-friendly (extra key columns dropped)."""
    return {c: json_value(row[c]) for c in columns}
