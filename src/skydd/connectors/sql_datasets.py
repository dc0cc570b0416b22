"""The generic SQL connector: PostgreSQL, MariaDB/MySQL and SQLite, driven by fideslang datasets.

Plan once with :func:`skydd.domain.dataset_graph.plan_traversal`, then build one
:class:`SqlDatasetConnector` per database and plan and reuse it: its statements are
built at construction and primary keys reflected at most once, so a request costs one
round trip per collection and nothing else. Access runs in one read-only transaction
(a consistent snapshot that cannot write). Erasure, rectification and the restriction
flag each lock the person's rows, work out the new values and update them in one
transaction, so a failure leaves nothing half-written.

The engine's database holds every collection of the plan; a plan that spans
databases is run by one connector per database, on the datasets each holds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError, NoSuchTableError, SAWarning

from skydd.connectors.sql_access import (
    CHUNK_SIZE,
    JsonValue,
    ReadStatement,
    Row,
    SqlConnectorError,
    failures_named,
    json_row,
    json_value,
    read_rows,
    read_statement,
)
from skydd.connectors.sql_erasure import (
    ColumnTypes,
    column_lengths,
    erase_rows,
    maskable_fields,
    reflect_columns,
    reflect_primary_key,
    writable_fields,
)
from skydd.connectors.sql_rectification import correctable_fields, flag_rows, rectify_rows
from skydd.domain.dataset_graph import CollectionAddress, CollectionNode, FieldAddress
from skydd.domain.masking import ErasurePolicy, ErasureResult
from skydd.domain.rectification import Correction, RectificationResult
from skydd.domain.traversal import TraversalPlan

__all__ = [
    "AccessResult",
    "JsonValue",
    "SqlConnectorError",
    "SqlDatasetConnector",
    "json_value",
]

AccessResult = dict[CollectionAddress, list[dict[str, JsonValue]]]
"""Rows found per collection, each row the dataset's fields; collections without rows left out."""

Found = Mapping[CollectionAddress, Sequence[Row]]
_T = TypeVar("_T")


class SqlDatasetConnector:
    """Runs one traversal plan against one database."""

    def __init__(self, engine: Engine, plan: TraversalPlan, *, chunk_size: int = CHUNK_SIZE):
        self.engine = engine
        self.plan = plan
        self._chunk_size = chunk_size
        self._access = tuple(
            read_statement(step, [f.name for f in step.collection.fields]) for step in plan.steps
        )
        self._keys: dict[CollectionAddress, tuple[str, ...]] = {
            s.collection.address: s.collection.primary_key
            for s in plan.steps
            if s.collection.primary_key
        }
        self._locking: tuple[ReadStatement, ...] | None = None
        self._columns: dict[CollectionAddress, ColumnTypes] = {}
        self._lengths: dict[CollectionAddress, dict[str, int]] = {}

    def access(self, identities: Mapping[str, Sequence[str]]) -> AccessResult:
        """Every row the identities lead to, per collection, JSON-friendly."""
        try:
            with self._transaction(read_only=True) as conn:
                found = read_rows(conn, self._access, identities, chunk_size=self._chunk_size)
        except SqlConnectorError as exc:
            raise self._diagnosed(exc) from None
        columns = {s.step.collection.address: s.columns for s in self._access}
        return {
            address: [json_row(row, columns[address]) for row in rows]
            for address, rows in found.items()
            if rows
        }

    def erase(
        self, identities: Mapping[str, Sequence[str]], policy: ErasurePolicy
    ) -> ErasureResult:
        """Mask what the policy says in every row the identities lead to, in one transaction."""
        written = self._collections(lambda node: bool(maskable_fields(self.plan, node, policy)))
        return self._rewrite(
            identities,
            written,
            lambda conn, found: erase_rows(
                conn, self.plan, found, self._keys, policy, self._lengths
            ),
        )

    def rectify(
        self, identities: Mapping[str, Sequence[str]], corrections: Sequence[Correction]
    ) -> RectificationResult:
        """Write each correction to every field of exactly its category, in one transaction.

        Rows are read before any is written, so an identity field may be corrected too.
        """
        written = self._collections(
            lambda node: bool(correctable_fields(self.plan, node, corrections))
        )
        return self._rewrite(
            identities,
            written,
            lambda conn, found: rectify_rows(
                conn, self.plan, found, self._keys, corrections, self._columns
            ),
        )

    def flag(
        self, identities: Mapping[str, Sequence[str]], field: FieldAddress, value: bool
    ) -> int:
        """Set the boolean ``field`` to ``value`` on the rows the identities lead to.

        Returns the rows written: those whose flag differed, so a second run writes none.
        """
        node = self._flag_collection(field)

        def write(conn: Connection, found: Found) -> int:
            key = self._keys[node.address]
            return flag_rows(conn, node, found.get(node.address, ()), key, field.field, value)

        return self._rewrite(identities, [node.address], write)

    def _flag_collection(self, field: FieldAddress) -> CollectionNode:
        """The collection of the flag, which the plan must reach and may write."""
        try:
            node = self.plan.step(field.collection).collection
        except KeyError:
            msg = "the flag's collection is not reached from these kinds of identity"
            raise SqlConnectorError(msg, collection=field.collection) from None
        if field.field not in {f.name for f in writable_fields(self.plan, node)}:
            msg = "the flag is not a field skydd may write (a key, reference or read-only field)"
            raise SqlConnectorError(msg, collection=field.collection, field=field.field)
        return node

    def _collections(self, written: Callable[[CollectionNode], bool]) -> list[CollectionAddress]:
        """The planned collections an operation writes to, in plan order."""
        return [s.collection.address for s in self.plan.steps if written(s.collection)]

    def _rewrite(
        self,
        identities: Mapping[str, Sequence[str]],
        written: Iterable[CollectionAddress],
        change: Callable[[Connection, Found], _T],
    ) -> _T:
        """Lock the rows the identities lead to and ``change`` them, in one transaction."""
        try:
            with self._transaction(read_only=False) as conn:
                self._ensure_keys(conn, written)
                statements = self._locking_statements()
                found = read_rows(conn, statements, identities, chunk_size=self._chunk_size)
                return change(conn, found)
        except SqlConnectorError as exc:
            raise self._diagnosed(exc) from None

    def _diagnosed(self, error: SqlConnectorError) -> SqlConnectorError:
        """Name the missing table or column when that is why a collection failed.

        Runs after the failed transaction has rolled back, on a connection of its own;
        where the database cannot tell (or is gone), the first error stands.
        """
        if error.collection is None or error.field is not None:
            return error
        node = self.plan.step(error.collection).collection
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SAWarning)  # a type it cannot name is no matter
                found = inspect(self.engine).get_columns(node.address.collection, node.schema)
        except NoSuchTableError:
            return SqlConnectorError("the table does not exist", collection=node.address)
        except DBAPIError:
            return error
        columns = {c["name"] for c in found}
        missing = [f.name for f in node.fields if f.name not in columns]
        if not missing:
            return error
        return SqlConnectorError(
            "the column does not exist", collection=node.address, field=missing[0]
        )

    def _ensure_keys(self, conn: Connection, written: Iterable[CollectionAddress]) -> None:
        """Reflect, once, each written collection's columns, and its key if undeclared."""
        for address in written:
            node = self.plan.step(address).collection
            if address not in self._columns:
                self._columns[address] = reflect_columns(conn, node)
                self._lengths[address] = column_lengths(self._columns[address])
            if address in self._keys:
                continue
            key = reflect_primary_key(conn, node)
            if not key:
                raise SqlConnectorError("no primary key to update rows by", collection=address)
            self._keys[address] = key
            self._locking = None

    def _locking_statements(self) -> tuple[ReadStatement, ...]:
        """The access queries plus key columns, locking the rows they read."""
        if self._locking is None:
            self._locking = tuple(
                read_statement(
                    s.step,
                    list(
                        dict.fromkeys([*s.columns, *self._keys.get(s.step.collection.address, ())])
                    ),
                    for_update=True,
                )
                for s in self._access
            )
        return self._locking

    @contextmanager
    def _transaction(self, *, read_only: bool) -> Iterator[Connection]:
        try:
            conn = self.engine.connect()
        except DBAPIError as exc:
            kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
            raise SqlConnectorError(f"the database does not answer ({kind})") from None
        with conn:
            with failures_named():
                transaction = conn.begin()
                _start(conn, read_only=read_only)
            with failures_named(), transaction:
                yield conn


def _start(conn: Connection, *, read_only: bool) -> None:
    """Open the transaction the way each engine needs, read-only where it can be."""
    dialect = conn.dialect.name
    if dialect == "postgresql" and read_only:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif dialect in ("mysql", "mariadb") and read_only:
        conn.exec_driver_sql("START TRANSACTION READ ONLY")
    elif dialect == "sqlite" and not conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        # pysqlite begins only before a write; take the snapshot (or the write lock) now.
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
