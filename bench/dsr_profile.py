"""Profile: where one data subject request spends its time, in one process, deterministically.

The end-to-end benchmark (``bench/dsr_end_to_end.py``) times requests through worker
processes on a shared, noisy machine. This script instead calls
:func:`skydd.services.request_execution.run_request` directly, N times per request
type, and reports what does not depend on the machine's load:

- **CPU ms per request by phase**: the calling thread's CPU clock
  (``time.thread_time``) around each function named in :func:`phases`, wrapped for
  the run, so waiting on PostgreSQL or on the SMTP server (a thread of this process)
  is not counted, nor is any other process. Phases nest (the report is part of the
  package, the package part of storing the answer); a phase re-entered is timed once.
- **statements per request** on skydd's own database (SQLAlchemy's
  ``before_cursor_execute``), the **round trips** behind them (every statement, the
  driver's implicit ``BEGIN``, ``COMMIT``/``ROLLBACK``, the pool's liveness ping and
  the fast reads that bypass SQLAlchemy), and which step of the request and which
  repository method issued each statement.
- **wall ms per phase**, from the same wrappers: this includes the waits, and so the
  machine's noise.
- the **top functions** by cumulative time, from a separate pass under cProfile
  (``perf_counter``; the profiler's own overhead inflates them, so read them
  relative to each other).

Setup: the 9-table shop of ``bench/dsr_schema.py`` (reused if loaded), a fresh skydd
database ``skydd_profile`` on PostgreSQL, a local aiosmtpd server. Requests are
registered and verified by the service functions, as the end-to-end benchmark does;
two of each type run first, unprofiled, so first-use costs (templates compiled,
connector plans built, connections opened) are left out.

Run from the repository root:
    .venv/bin/python bench/dsr_profile.py --requests 30 [--customers 1000] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import psycopg
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dsr_end_to_end import SYSTEM, shop_register, verified
from bench.dsr_schema import build_database, pick_emails

from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, KeySettings, MailSettings, Settings
from skydd.connectors.sql_systems import SqlSystems
from skydd.documents import access_package, request_mail
from skydd.domain.requests import RequestId, RequestStatus, RequestType
from skydd.mail.smtp import SmtpMailer
from skydd.services import request_execution, requests
from skydd.services.register import store_register
from skydd.storage import migrator
from skydd.storage.fast_reads import FastReads
from skydd.storage.keyring import Keyring
from skydd.storage.repositories.request_work import SqlRequestWorkRepository
from tests.smtp import running_smtp_server

APP_DB = "skydd_profile"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WARM_UP = 2
ATTRIBUTED = 10
"""Requests of the statement-attribution pass (walking the stack per statement is slow)."""

SRC = str(Path(__file__).resolve().parent.parent / "src" / "skydd")
EXECUTION = "services/request_execution.py"
PLUMBING = ("storage/fast_reads.py", "storage/unit_of_work.py")

Owner = ModuleType | type

ALWAYS_SHOWN = {
    RequestType.ACCESS: frozenset({"    build_access_report"}),
    RequestType.ERASURE: frozenset(),
}
"""Phases listed even when not called: the report is built only when not cached."""


def phases(container: Container) -> list[tuple[str, Owner, str]]:
    """Label, and the module or class attribute whose calls the phase is.

    Module functions are wrapped where their caller looks them up (the importing
    module's namespace), methods on their class. A name the code no longer has is
    skipped, so the script keeps running while request_execution is reshaped.
    """
    execution = request_execution
    return [
        ("_started (plan, mark in progress)", execution, "_started"),
        ("_run_step (connector, save step)", execution, "_run_step"),
        ("complete_if_done (answer, mail)", execution, "complete_if_done"),
        ("current_register", execution, "current_register"),
        ("plan_steps", execution, "plan_steps"),
        ("connector access", SqlSystems, "access"),
        ("connector erase", SqlSystems, "erase"),
        ("audit_request", execution, "audit_request"),
        ("  audit append (services.audit.record)", requests, "record"),
        ("_store_answer (package, encrypt, store)", execution, "_store_answer"),
        ("  build_access_package", request_mail, "build_access_package"),
        ("    build_access_report", access_package, "build_access_report"),
        ("    render_report", access_package, "render_report"),
        ("    data_json", access_package, "data_json"),
        ("    csv_entries", access_package, "csv_entries"),
        ("    zip_entries", access_package, "zip_entries"),
        ("  save_answer (encrypt, insert)", SqlRequestWorkRepository, "save_answer"),
        ("kept_records", execution, "kept_records"),
        ("_tell (write and send the notice)", execution, "_tell"),
        ("  mail: write (completion)", request_mail.RequestMailWriter, "completion"),
        ("  mail: send (SMTP)", SmtpMailer, "send"),
        # Names of the reshaped request_execution (skipped where absent):
        ("_run (a connector step)", execution, "_run"),
        ("  _carry_out (the connector)", execution, "_carry_out"),
        ("  _record (save the step)", execution, "_record"),
        ("_record_and_complete", execution, "_record_and_complete"),
        ("_complete (answer, mark completed)", execution, "_complete"),
        ("_announce (queue or send the notice)", execution, "_announce"),
        ("  notify_completion (write, send, mark)", execution, "notify_completion"),
        ("session commits", Session, "commit"),
        ("driver: execute statements", type(container.engine.dialect), "do_execute"),
    ]


@dataclass
class Timing:
    """Time spent in one phase: thread CPU and wall seconds, calls."""

    cpu: float = 0.0
    wall: float = 0.0
    calls: int = 0
    depth: int = 0


def _timed(timing: Timing, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        timing.calls += 1
        if timing.depth:
            return function(*args, **kwargs)
        timing.depth += 1
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timing.cpu += time.thread_time() - cpu
            timing.wall += time.perf_counter() - wall
            timing.depth -= 1

    return wrapper


@contextmanager
def timing_phases(container: Container) -> Iterator[dict[str, Timing]]:
    """Every phase of :func:`phases` wrapped in a timer while the block runs."""
    timings: dict[str, Timing] = {}
    restore: list[tuple[Owner, str, Any]] = []
    for label, owner, name in phases(container):
        if not hasattr(owner, name):
            continue  # renamed or gone: the phase is left out of the table
        original = owner.__dict__.get(name)
        function = getattr(owner, name)
        timings[label] = timing = Timing()
        setattr(owner, name, _timed(timing, function))
        restore.append((owner, name, original))
    try:
        yield timings
    finally:
        for owner, name, original in reversed(restore):
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


@dataclass
class Statements:
    """Counts on skydd's own database; ``attribute`` also records who issued each statement."""

    database: str
    statements: int = 0
    round_trips: Counter[str] = field(default_factory=Counter)
    by_origin: Counter[tuple[str, str]] = field(default_factory=Counter)
    attribute: bool = False

    def reset(self, *, attribute: bool = False) -> None:
        self.statements = 0
        self.round_trips.clear()
        self.by_origin.clear()
        self.attribute = attribute

    def statement(self) -> None:
        self.statements += 1
        if self.attribute:
            self.by_origin[_origin(sys._getframe(1))] += 1

    def trip(self, connection: Any, kind: str) -> None:
        if connection.info.dbname == self.database:
            self.round_trips[kind] += 1


def _origin(frame: FrameType | None) -> tuple[str, str]:
    """The request's step (a function of request_execution) and the innermost skydd caller."""
    step, inner = "run_request", "?"
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(SRC):
            if inner == "?" and not code.co_filename.endswith(PLUMBING):
                inner = code.co_qualname
            if code.co_filename.endswith(EXECUTION) and code.co_name != "run_request":
                step = code.co_name
        frame = frame.f_back
    return step, inner


@contextmanager
def counting(container: Container, database: str) -> Iterator[Statements]:
    """Count statements (SQLAlchemy) and round trips (psycopg) on ``database`` meanwhile."""
    counts = Statements(database)

    def on_statement(*_: Any) -> None:
        counts.statement()

    event.listen(container.engine, "before_cursor_execute", on_statement)
    originals = (
        psycopg.Cursor.execute,
        psycopg.Cursor.executemany,
        psycopg.Connection.commit,
        psycopg.Connection.rollback,
        FastReads.on,
    )
    execute, executemany, commit, rollback, fast_run = originals

    def _begins(connection: Any) -> None:
        idle = connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if idle and not connection.autocommit:
            counts.trip(connection, "BEGIN (implicit)")

    def patched_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        _begins(self.connection)
        counts.trip(self.connection, "statement")
        return execute(self, *args, **kwargs)

    def patched_executemany(self: Any, *args: Any, **kwargs: Any) -> Any:
        _begins(self.connection)
        counts.trip(self.connection, "statement")
        return executemany(self, *args, **kwargs)

    def patched_commit(self: Any) -> Any:
        if self.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            counts.trip(self, "COMMIT")
        return commit(self)

    def patched_rollback(self: Any) -> Any:
        if self.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            counts.trip(self, "ROLLBACK")
        return rollback(self)

    def patched_fast(connection: Any, prepared: Any, params: Any) -> Any:
        if counts.attribute:
            counts.by_origin[_origin(sys._getframe(1))[0], "FastReads (no SQLAlchemy)"] += 1
        return fast_run(connection, prepared, params)

    psycopg.Cursor.execute = patched_execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = patched_executemany  # type: ignore[method-assign]
    psycopg.Connection.commit = patched_commit  # type: ignore[method-assign]
    psycopg.Connection.rollback = patched_rollback  # type: ignore[method-assign]
    FastReads.on = staticmethod(patched_fast)  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        event.remove(container.engine, "before_cursor_execute", on_statement)
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
        psycopg.Connection.commit = commit  # type: ignore[method-assign]
        psycopg.Connection.rollback = rollback  # type: ignore[method-assign]
        FastReads.on = staticmethod(fast_run)  # type: ignore[method-assign]


def fresh_app_database() -> str:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{APP_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{APP_DB}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{APP_DB}"


def run_all(container: Container, ids: Sequence[RequestId]) -> None:
    execution = container.execution()
    for request_id in ids:
        done = run_request(container, request_id, execution)
        assert done.status is RequestStatus.COMPLETED, done.status


def run_request(
    container: Container, request_id: RequestId, execution: request_execution.Execution
) -> Any:
    return request_execution.run_request(
        container.uow(), container.clock, container.organisation_key, request_id, execution
    )


def timed_run(container: Container, ids: Sequence[RequestId]) -> tuple[Timing, dict[str, Timing]]:
    """Run ``ids`` with every phase timed; the whole of each ``run_request`` too."""
    total = Timing()
    execution = container.execution()
    with timing_phases(container) as timings:
        whole = _timed(total, run_request)
        for request_id in ids:
            done = whole(container, request_id, execution)
            assert done.status is RequestStatus.COMPLETED, done.status
    return total, timings


def profiled(container: Container, ids: Sequence[RequestId]) -> pstats.Stats:
    profile = cProfile.Profile()
    profile.enable()
    run_all(container, ids)
    profile.disable()
    return pstats.Stats(profile)


def top_functions(stats: pstats.Stats, requests: int, top: int) -> list[str]:
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(table.items(), key=lambda item: -item[1][3])[:top]
    lines = []
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in ranked:
        lines.append(
            f"  {cumulative * 1000 / requests:8.2f} {own * 1000 / requests:8.2f} "
            f"{calls / requests:8.1f}  {_short(path)}:{line}({name})"
        )
    return lines


def _short(path: str) -> str:
    for marker in ("/src/", "/site-packages/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def profile_type(
    container: Container,
    request_type: RequestType,
    emails: Sequence[str],
    requests: int,
    top: int,
) -> None:
    """Warm up, then the timed pass, the attribution pass and cProfile; print them."""
    chunks = [WARM_UP, requests, min(ATTRIBUTED, requests), requests]
    assert len(emails) >= sum(chunks), "not enough customers picked"
    batches: list[list[RequestId]] = []
    start = 0
    for size in chunks:
        batches.append([verified(container, request_type, e) for e in emails[start : start + size]])
        start += size
    warm, timed_ids, attributed_ids, profiled_ids = batches
    run_all(container, warm)
    with counting(container, APP_DB) as counts:
        total, timings = timed_run(container, timed_ids)
        statements = counts.statements / requests
        trips = {kind: n / requests for kind, n in sorted(counts.round_trips.items())}
        counts.reset(attribute=True)
        run_all(container, attributed_ids)
        origins = dict(counts.by_origin)
    stats = profiled(container, profiled_ids)

    print(f"\n=== {request_type.value}: {requests} requests ===")
    print(f"  {'phase (ms per request)':46} {'CPU':>8} {'wall':>8} {'calls':>6}")
    rows = [("run_request (total)", total), *timings.items()]
    shown = ALWAYS_SHOWN[request_type]
    for label, timing in rows:
        if timing.calls or label in shown:  # a phase skipped as absent has no row
            print(
                f"  {label:46} {timing.cpu * 1000 / requests:8.2f} "
                f"{timing.wall * 1000 / requests:8.2f} {timing.calls / requests:6.1f}"
            )
    print(f"\n  statements per request (SQLAlchemy, skydd's database): {statements:.1f}")
    detail = ", ".join(f"{kind} {n:.1f}" for kind, n in trips.items())
    print(f"  round trips per request (psycopg): {sum(trips.values()):.1f} ({detail})")
    print(f"\n  statements per request by step and caller ({len(attributed_ids)} requests):")
    for (step, inner), n in sorted(origins.items(), key=lambda item: (item[0][0], -item[1])):
        print(f"    {n / len(attributed_ids):5.1f}  {step:18} {inner}")
    print(f"\n  top {top} by cumulative time under cProfile (ms per request: cumulative, own;")
    print("  calls per request)")
    print("\n".join(top_functions(stats, requests, top)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests timed per type")
    parser.add_argument("--customers", type=int, default=1000, help="size of the shop")
    parser.add_argument("--top", type=int, default=25, help="functions listed per type")
    arguments = parser.parse_args()
    requests = arguments.requests
    per_type = WARM_UP + 2 * requests + min(ATTRIBUTED, requests)

    shop_url = build_database(arguments.customers)
    app_url = fresh_app_database()
    keyring = Keyring.fresh().export_json()
    with running_smtp_server() as (port, mailbox):
        settings = Settings(
            database=DatabaseSettings(url=app_url),
            keys=KeySettings(keyring=SecretStr(keyring)),
            mail=MailSettings(port=port),
            connections={SYSTEM: SecretStr(shop_url)},
        )
        container = build_container(settings)
        try:
            migrator.upgrade(container.engine)
            store_register(container.uow(), container.clock, shop_register(), "profile")
            emails = pick_emails(shop_url, 2 * per_type)
            profile_type(container, RequestType.ACCESS, emails[:per_type], requests, arguments.top)
            profile_type(container, RequestType.ERASURE, emails[per_type:], requests, arguments.top)
            print(f"\n{len(mailbox.messages)} mails received by the local SMTP server")
        finally:
            container.close()


if __name__ == "__main__":
    main()
