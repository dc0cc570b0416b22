"""One SQLite writer at a time, queued in the kernel instead of in SQLite's busy loop.

SQLite lets one transaction write at a time. A second ``BEGIN IMMEDIATE`` that finds
the lock taken sleeps in SQLite's busy handler (1, 2, 5, 10, ... 100 ms) and tries
again; under load most writers are asleep while the lock is free, and the slowest
wait seconds (``bench/consent.py`` measured a p99 of 1.4 s at 32 clients, and more
CPU spent polling than writing). The gate puts writers in line before they ask
SQLite: a thread lock in the process, then an exclusive ``flock`` on a file beside
the database shared by every process (API workers, queue workers, the CLI). A
writer waiting on either is woken the moment the one before it ends, so SQLite's
own lock is nearly always free when ``BEGIN IMMEDIATE`` runs (a process that opens
the database without the gate still meets the busy timeout, as before).

A writer waits at most ``timeout`` seconds, SQLite's busy timeout, and then gets
SQLite's own "database is locked" error: the API answers it 503 with Retry-After.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy.exc import OperationalError

from skydd.storage.checkpoints import Checkpointer

_POLL_FIRST, _POLL_MOST = 0.000_05, 0.000_5
"""Seconds between tries of the file lock while another process holds it."""


class WriteGate:
    """The queue of writers of one SQLite database file, in and across processes.

    The thread that holds the gate may enter again (a batch that holds it across its
    transaction, whose ``BEGIN`` enters once more); it is let go at the last leave.
    """

    def __init__(self, database: Path, *, timeout: float) -> None:
        self._path = database.with_name(database.name + ".writer")
        self._timeout = timeout
        self._threads = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0

    def enter(self) -> None:
        """Wait for the turn to write; raise SQLite's "locked" error after the timeout."""
        if self._reentered():
            return
        deadline = time.monotonic() + self._timeout
        if not self._threads.acquire(timeout=self._timeout):
            raise locked_error()
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise
        self._held()

    def try_enter(self) -> bool:
        """Take the turn if it is free now; never waits (for an event loop to poll)."""
        if self._reentered():
            return True
        if not self._threads.acquire(blocking=False):
            return False
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._threads.release()
            return False
        except BaseException:
            self._threads.release()
            raise
        self._held()
        return True

    def leave(self) -> None:
        """Let the next writer in (at the holder's last leave)."""
        self._depth -= 1
        if self._depth > 0:
            return
        self._owner = None
        fd = self._fd
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _reentered(self) -> bool:
        if self._owner == threading.get_ident():
            self._depth += 1
            return True
        return False

    def _held(self) -> None:
        self._owner = threading.get_ident()
        self._depth = 1

    def _lock_file(self, deadline: float) -> None:
        fd = self._file()
        pause = _POLL_FIRST
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise locked_error() from None
                time.sleep(pause)
                pause = min(pause * 2, _POLL_MOST)
            else:
                return

    def _file(self) -> int:
        # A forked worker must not share its parent's open file: flock locks belong
        # to the open file, so parent and child would both "hold" it at once.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd


def locked_error() -> OperationalError:
    """SQLite's own "database is locked", as a writer that waited its whole turn gets it."""
    return OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked"))


def gated_connection_class(gate: WriteGate, checkpointer: Checkpointer) -> type[sqlite3.Connection]:
    """A ``sqlite3.Connection`` whose transactions pass ``gate`` (the driver's ``factory``).

    :meth:`enter_gate` waits at the gate (the caller then begins, or calls
    :meth:`leave_gate` if it cannot); the connection's own
    ``commit``, ``rollback`` and ``close`` let the next writer in once they are done,
    whoever calls them (SQLAlchemy, or the pool resetting a connection given back
    still in a transaction). A commit then tells ``checkpointer`` that the log grew.
    """

    class GatedConnection(sqlite3.Connection):
        holding = False

        def enter_gate(self) -> None:
            gate.enter()
            self.holding = True

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.leave_gate()
            checkpointer.wrote()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.leave_gate()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.leave_gate()

        def leave_gate(self) -> None:
            if self.holding:
                self.holding = False
                gate.leave()

    return GatedConnection
