"""Benchmark: what authentication costs a request, and how long a login takes.

Two routes on the real app (SQLite file, migrated, Mestro's register stored): one
public, one guarded by ``require(Action.AUDIT_READ)``; both return the same small body.
The difference of their medians is the cost of the token check (parse, keyed hash,
token and owner, the newest register version and its roles, ``decide``, and the
thread hop of the guard dependency). The no-auth request is the reference measured in
the same run. Login is ``authenticate_password`` (argon2id, m=19 MiB, t=2, p=1).

The client is opened once (``with TestClient(app)``), so every request runs on one
event loop and its worker threads, as under uvicorn; without it each request starts
a loop and a thread, which costs more than the token check and varies as much. The
two routes are timed in alternating rounds and each gets the median of its round
medians, so a burst of load on the machine falls on both alike.

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
from pathlib import Path

from bench.timing import median_ms
from fastapi import Depends
from fastapi.testclient import TestClient

from skydd.api.auth import require
from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import SystemClock, build_container
from skydd.config import DatabaseSettings, Settings
from skydd.domain.access_vocabulary import Action, Scope
from skydd.services.accounts import add_user, authenticate_password, create_token
from skydd.services.register import store_register
from skydd.storage import migrator
from skydd.storage.register_files import load_register

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "auth.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- auth:begin -->", "<!-- auth:end -->"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark account


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()
    runs, rounds = arguments.runs, arguments.rounds
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp}/bench.db"))
        container = build_container(settings, clock=SystemClock())
        migrator.upgrade(container.engine)
        store_register(
            container.uow(), container.clock, load_register(ROOT / "examples/mestro"), "m"
        )
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
            public_rounds, protected_rounds = [], []
            for _ in range(rounds):
                public_rounds.append(
                    median_ms(lambda: client.get("/bench/public"), runs // rounds, warmups=3)
                )
                protected_rounds.append(
                    median_ms(
                        lambda: client.get("/bench/protected", headers=headers),
                        runs // rounds,
                        warmups=3,
                    )
                )
        public = statistics.median(public_rounds)
        protected = statistics.median(protected_rounds)
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
    payload = {
        "benchmark": "auth",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),  # noqa: TID251 - wall clock of the run
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "database": "SQLite file",
        "statistic": "median wall time, ms (requests: median of the round medians)",
        "runs": runs,
        "rounds": rounds,
        "client": "one TestClient session (one event loop, as under uvicorn)",
        "results_ms": {
            "reference: public request, no auth": round(public, 3),
            "token-authenticated request": round(protected, 3),
            "token check overhead": round(protected - public, 3),
            "login (argon2id verify + lockout bookkeeping + audit)": round(login, 3),
        },
        "targets_ms": {"token check overhead": 1.0, "login": 150.0},
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    rows = "\n".join(f"| {name} | {ms:.3f} |" for name, ms in payload["results_ms"].items())
    table = (
        f"{BEGIN}\n### auth ({payload['date']}, {payload['machine']}, SQLite, {runs} requests "
        f"per route in {rounds} alternating rounds, median of round medians; login median of "
        f"{max(10, runs // 20)})\n\n| step | ms |\n|---|---|\n"
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
