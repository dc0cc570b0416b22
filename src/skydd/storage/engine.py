"""Engine factory: SQLite tuned for one writer and many readers, PostgreSQL as is."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from skydd.storage.checkpoints import Checkpointer
from skydd.storage.write_gate import WriteGate, gated_connection_class

MAX_OVERFLOW = 10
"""PostgreSQL connections a process may open beyond its pool when busy, closed after."""

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for its turn before the database answers "locked"."""


def make_engine(url: str, *, echo: bool = False, pool_size: int = 20) -> Engine:
    """Create the engine for ``url``; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE.

    Statement parameters are kept out of error messages: they are personal data, and
    a database error's text ends up in logs.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=MAX_OVERFLOW,
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    connect_args: dict[str, Any] = {"check_same_thread": False}
    gated = database is not None and database not in ("", ":memory:")
    if database is not None and gated:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        gate = WriteGate(Path(database), timeout=BUSY_TIMEOUT_MS / 1000)
        connect_args["factory"] = gated_connection_class(gate, Checkpointer(Path(database)))
    # A file's pool hands out the connection used last: its page cache is the freshest.
    pooling = {"pool_use_lifo": True} if gated else {}
    engine = create_engine(
        url, echo=echo, hide_parameters=True, connect_args=connect_args, **pooling
    )
    if gated:
        _GATES[engine] = gate

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        if gated:  # the log is copied back by a thread of its own (storage/checkpoints.py)
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # One writer at a time: take the write lock up front instead of failing mid-way,
        # queued at the gate (storage/write_gate.py) rather than in SQLite's busy loop.
        if not gated:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.enter_gate()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.leave_gate()
            raise

    return engine


_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def write_gate(engine: Engine) -> WriteGate | None:
    """The gate of a SQLite file's writers (``storage/write_gate.py``); None elsewhere."""
    return _GATES.get(engine)


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded SQLite backend."""
    return engine.dialect.name == "sqlite"
