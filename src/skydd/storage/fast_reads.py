"""Prebuilt SELECTs run straight on a pooled DBAPI connection: the hot path of every request.

Each authenticated API request reads its token (with the owner) and the served
organisation's newest register version. Through an ORM session each read costs a
session, a transaction (``BEGIN IMMEDIATE`` on SQLite: the write lock, for a read)
and SQLAlchemy's result machinery, about ten times the query itself (see
docs/benchmarks.md). Here a statement is compiled once per dialect, executed on a
raw pooled connection in the driver's own mode (autocommit on SQLite, an implicit
transaction the pool rolls back on PostgreSQL), and each column is converted with
the type's own result processor, so values come back exactly as the ORM gives them.

Use it only for single-statement reads that need no isolation from a write in the
same unit of work: :class:`~skydd.storage.unit_of_work.SqlUnitOfWork` routes a read
here only while its session has not begun a transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ClauseElement, Dialect, Engine, Select, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any] | None


class Record(dict[str, Any]):
    """One result row, by column name, readable as attributes too (as ORM rows are)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class _Prepared:
    sql: str
    positional: tuple[str, ...] | None
    defaults: Mapping[str, Any]
    """The statement's own bound values (a ``LIMIT 1`` in a subquery, say)."""
    names: tuple[str, ...]
    processors: tuple[Processor, ...]
    binds: Mapping[str, Callable[[Any], Any]]
    """How the driver wants each value that needs converting (a UUID as text on SQLite)."""

    def parameters(self, params: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        merged = {**self.defaults, **params}
        for name, convert in self.binds.items():
            if name in merged:
                merged[name] = convert(merged[name])
        if self.positional is None:
            return merged
        return tuple(merged[name] for name in self.positional)

    def record(self, raw: Sequence[Any]) -> Record:
        return Record(
            (name, value if process is None else process(value))
            for name, value, process in zip(self.names, raw, self.processors, strict=True)
        )


class FastReads:
    """Runs prebuilt statements on ``engine`` without an ORM session or transaction.

    On SQLite each thread reads on a connection of its own, taken out of the pool
    once and kept: a read then never waits for a pooled connection, and in WAL mode
    never for a writer, so the API may run it on the event loop (``never_waits``).
    Elsewhere a read borrows a pooled connection, which can wait: run it in a thread.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._own = threading.local()
        self._kept: list[Any] = []
        self.never_waits = engine.dialect.name == "sqlite"

    def all(self, statement: Select[Any], params: Mapping[str, Any]) -> list[Record]:
        """Every row of ``statement`` with ``params`` (plain string and number values)."""
        prepared = self._prepare(statement)
        if self.never_waits:
            return self.on(self._thread_connection(), prepared, params)
        connection = self._engine.raw_connection()
        try:
            return self.on(connection, prepared, params)
        finally:
            connection.close()  # back to the pool, which ends the implicit transaction

    def borrowing(self) -> BorrowedReads:
        """Fast reads for one unit of work: at most one pooled connection, in autocommit."""
        return BorrowedReads(self)

    def close(self) -> None:
        """Close the connections kept per thread (when the engine is disposed)."""
        with self._lock:
            kept, self._kept = self._kept, []
        for connection in kept:
            connection.close()

    def _thread_connection(self) -> Any:
        connection = getattr(self._own, "connection", None)
        if connection is None:
            fairy = self._engine.raw_connection()  # runs the engine's connect hooks
            fairy.detach()
            connection = self._own.connection = fairy.dbapi_connection
            with self._lock:
                self._kept.append(connection)
        return connection

    @property
    def engine(self) -> Engine:
        """The engine the reads run on."""
        return self._engine

    def run(
        self, connection: Any, statement: Select[Any], params: Mapping[str, Any]
    ) -> list[Record]:
        """``statement`` on a connection the caller holds."""
        return self.on(connection, self._prepare(statement), params)

    @staticmethod
    def on(connection: Any, prepared: _Prepared, params: Mapping[str, Any]) -> list[Record]:
        """A prepared statement on a driver connection the caller holds."""
        cursor = connection.cursor()
        try:
            cursor.execute(prepared.sql, prepared.parameters(params))
            rows = cursor.fetchall() if prepared.names else []  # a write without RETURNING
        finally:
            cursor.close()
        return [prepared.record(row) for row in rows]

    def _prepare(self, statement: Select[Any]) -> _Prepared:
        return prepare(self._engine.dialect, statement, ())


_PREPARED: dict[tuple[str, int, tuple[str, ...]], _Prepared] = {}
_PREPARING = threading.Lock()


def prepare(dialect: Dialect, statement: ClauseElement, keys: Sequence[str]) -> _Prepared:
    """``statement`` compiled once for ``dialect`` (an insert for the value ``keys`` given).

    Keyed by identity: callers pass module-level statements built once.
    """
    dml = isinstance(statement, UpdateBase)
    key = (dialect.name, id(statement), tuple(keys) if dml else ())
    prepared = _PREPARED.get(key)
    if prepared is not None:
        return prepared
    compiled = cast(
        "SQLCompiler",
        statement.compile(dialect=dialect, column_keys=list(keys) if dml else None),
    )
    columns = list(getattr(statement, "exported_columns", ()))
    binds = {}
    for name, bind in compiled.binds.items():
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            binds[name] = convert
    prepared = _Prepared(
        sql=compiled.string,
        positional=tuple(compiled.positiontup or ()) if compiled.positional else None,
        defaults={
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if bind.effective_value is not None
        },
        names=tuple(str(column.key) for column in columns),
        processors=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ),
        binds=binds,
    )
    with _PREPARING:
        _PREPARED[key] = prepared
    return prepared


def execute(session: Session, statement: ClauseElement, params: Mapping[str, Any]) -> list[Record]:
    """``statement`` in the session's transaction (begun if need be), on its driver connection.

    For the statements of the consent hot path (ADR 0027): SQLAlchemy's execution of
    a built statement cost twice as much as SQLite running it. The transaction is the
    session's own, so what runs here commits and rolls back with the rest of the unit
    of work. A driver error is raised as SQLAlchemy raises it, parameters hidden.
    """
    connection = session.connection()
    dialect = connection.dialect
    prepared = prepare(dialect, statement, tuple(params))
    error = dialect.loaded_dbapi.Error
    try:
        return FastReads.on(connection.connection.dbapi_connection, prepared, params)
    except error as exc:
        raise DBAPIError.instance(
            prepared.sql, None, exc, error, hide_parameters=True, dialect=dialect
        ) from exc


class BorrowedReads:
    """The fast reads of one unit of work, on one connection borrowed for its length.

    Away from SQLite each borrowed connection costs the pool's liveness ping, and a
    read in the driver's own transaction a ``BEGIN`` and the pool's ``ROLLBACK``: one
    connection per unit of work, in autocommit, makes two reads three round trips
    instead of ten. On SQLite the thread's own connection is used, as by
    :class:`FastReads`. :meth:`release` gives the connection back.

    A unit of work never holds two pooled connections at once: once its session
    begins a transaction (:meth:`follow`), the borrowed connection goes back to the
    pool before the session takes one, and later reads run on the session's own.
    Holding one while waiting for a second would let a full pool's threads each wait
    on the others until the pool's timeout.
    """

    def __init__(self, reads: FastReads) -> None:
        self._reads = reads
        self._fairy: Any = None
        self._session: Session | None = None

    def follow(self, session: Session) -> None:
        """Read on ``session``'s connection once it is in a transaction; give ours back first."""
        if self._reads.never_waits:
            return
        self._session = session

        def before_checkout(_session: Session, transaction: SessionTransaction) -> None:
            if transaction.parent is None:
                self.release()

        event.listen(session, "after_transaction_create", before_checkout)

    def all(self, statement: Select[Any], params: Mapping[str, Any]) -> list[Record]:
        """Every row of ``statement`` with ``params``."""
        if self._reads.never_waits:
            return self._reads.all(statement, params)
        session = self._session
        if session is not None and session.in_transaction():
            dbapi = session.connection().connection.dbapi_connection
            return self._reads.run(dbapi, statement, params)
        if self._fairy is None:
            fairy = self._reads.engine.raw_connection()
            connection: Any = fairy.dbapi_connection
            connection.autocommit = True
            self._fairy = fairy
        return self._reads.run(self._fairy, statement, params)

    def first(self, statement: Select[Any], params: Mapping[str, Any]) -> Record | None:
        """The first row of ``statement``, if any."""
        rows = self.all(statement, params)
        return rows[0] if rows else None

    def release(self) -> None:
        """Give the borrowed connection back to the pool, out of autocommit."""
        fairy, self._fairy = self._fairy, None
        if fairy is not None:
            try:
                fairy.dbapi_connection.autocommit = False
            finally:
                fairy.close()
