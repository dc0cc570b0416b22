"""Benchmark: what authentication costs a request, and how long a login takes.

Two routes on the real app (SQLite file, migrated, Mestro's register stored): one
public, one guarded by ``require(Action.AUDIT_READ)``; both return the same small body.
The median of paired differences is the cost of the token check (parse, keyed hash,
token and owner, the newest register version and its roles, ``decide``, and the
thread hop of the guard dependency). The check alone, called without HTTP, is
reported too. The no-auth request is the reference measured in
the same run. Login is ``authenticate_password`` (argon2id, m=19 MiB, t=2, p=1).

The client is opened once (``with TestClient(app)``), so every request runs on one
event loop and its worker threads, as under uvicorn; without it each request starts
a loop and a thread, which costs more than the token check and varies as much. The
two routes are timed in pairs, back to back, alternating which goes first, so a
burst of load on the machine falls on both alike (``paired_samples``).

Run from the repository root: .venv/bin/python -m bench.auth [--runs N]
Writes bench/results/auth.json and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from bench.timing import median_ms
from fastapi import Depends
from fastapi.testclient import TestClient

from skydd.api.auth import require
from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container, SystemClock, build_container
from skydd.config import DatabaseSettings, Settings
from skydd.domain.access_vocabulary import Action, Scope
from skydd.services.accounts import (
    add_user,
    authenticate_password,
    authenticate_token,
    create_token,
)
from skydd.services.register import served_roles, store_register
from skydd.storage import migrator
from skydd.storage.register_files import load_register

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "auth.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- auth:begin -->", "<!-- auth:end -->"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark account


def paired_samples(
    public: Callable[[], object], protected: Callable[[], object], pairs: int
) -> tuple[list[float], list[float], list[float]]:
    """Time ``pairs`` public/protected request pairs, alternating which goes first.

    A pair's two requests run within a millisecond of each other, so a burst of load
    on the machine lands on both: the median of the pairs' differences is far steadier
    than a difference of two medians taken apart.
    """
    for _ in range(20):
        public()
        protected()
    public_ms, protected_ms, differences = [], [], []
    for index in range(pairs):
        first, second = (public, protected) if index % 2 == 0 else (protected, public)
        times = []
        for action in (first, second):
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        open_ms, guarded_ms = times if index % 2 == 0 else times[::-1]
        public_ms.append(open_ms)
        protected_ms.append(guarded_ms)
        differences.append(guarded_ms - open_ms)
    return public_ms, protected_ms, differences


def token_check(container: Container, token: str) -> None:
    """What the guard does before a protected route runs, called directly."""
    uow = container.uow()
    with uow:
        authenticate_token(uow, container.clock, container.token_hasher, token)
        served_roles(uow, container.role_cache, container.organisation_key)


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/skydd_bench"


def measure(url: str, runs: int) -> dict[str, float]:
    """Every row of the table, on the database at ``url`` (migrated here, Mestro stored)."""
    settings = Settings(database=DatabaseSettings(url=url))
    container = build_container(settings, clock=SystemClock())
    migrator.upgrade(container.engine)
    store_register(container.uow(), container.clock, load_register(ROOT / "examples/mestro"), "m")
    add_user(
        container.uow(),
        container.clock,
        container.password_hasher,
        "auditor",
        roles=["auditor"],
        password=PASSWORD,
        actor="bench",
        origin="bench",
    )
    token, _ = create_token(
        container.uow(),
        container.clock,
        container.token_hasher,
        name="bench",
        scopes=frozenset({Scope("audit:read")}),
        owner="auditor",
        actor="bench",
        origin="bench",
    )
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    app.get("/bench/public")(lambda: {"ok": 1})
    app.get("/bench/protected", dependencies=[Depends(require(Action.AUDIT_READ))])(
        lambda: {"ok": 1}
    )
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.get("/bench/protected", headers=headers).status_code == 200
        assert client.get("/bench/protected").status_code == 401
        public_samples, protected_samples, overheads = paired_samples(
            lambda: client.get("/bench/public"),
            lambda: client.get("/bench/protected", headers=headers),
            runs,
        )
    check_alone = median_ms(lambda: token_check(container, token), runs, warmups=10)
    login = median_ms(
        lambda: authenticate_password(
            container.uow(),
            container.clock,
            container.password_hasher,
            "auditor",
            PASSWORD,
            origin="bench",
        ),
        max(10, runs // 20),
        warmups=3,
    )
    container.close()
    return {
        "reference: public request, no auth": statistics.median(public_samples),
        "token-authenticated request": statistics.median(protected_samples),
        "token check overhead": statistics.median(overheads),
        "token check alone (service call, no HTTP)": check_alone,
        "login (argon2id verify + lockout bookkeeping + audit)": login,
    }


def fresh_postgres_database() -> None:
    """Drop and create the bench's own PostgreSQL database."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS skydd_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE skydd_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=600)
    arguments = parser.parse_args()
    runs = arguments.runs
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(f"sqlite:///{tmp}/bench.db", runs)
    fresh_postgres_database()
    postgres = measure(PG_BENCH, runs)
    payload = {
        "benchmark": "auth",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),  # noqa: TID251 - wall clock of the run
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "database": "SQLite file (the target); PostgreSQL 15 on localhost beside it",
        "statistic": "median wall time, ms; overhead: median of paired differences",
        "runs": runs,
        "client": "one TestClient session (one event loop, as under uvicorn)",
        "results_ms": {name: round(ms, 3) for name, ms in sqlite.items()},
        "results_ms_postgresql": {name: round(ms, 3) for name, ms in postgres.items()},
        "targets_ms": {"token check overhead": 1.0, "login": 150.0},
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    rows = "\n".join(f"| {name} | {ms:.3f} | {postgres[name]:.3f} |" for name, ms in sqlite.items())
    table = (
        f"{BEGIN}\n### auth ({payload['date']}, {payload['machine']}, {runs} request "
        f"pairs, each a public and a protected request in alternating order; overhead is the "
        f"median of the pairs' differences; login median of {max(10, runs // 20)})\n\n"
        f"| step | SQLite ms | PostgreSQL ms |\n|---|---|---|\n"
        f"{rows}\n{END}"
    )
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + table + text[text.index(END) + len(END) :]
    else:
        text = (
            text.rstrip()
            + "\n\n## auth\n\n`bench/auth.py`: "
            + ("the cost of a token check on a request, and of a login.\n\n")
            + table
            + "\n"
        )
    DOC.write_text(text, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
