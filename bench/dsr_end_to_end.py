"""Benchmark: data subject requests end to end, through real worker processes.

On the 9-table shop of ``bench/dsr_schema.py`` (PostgreSQL, one database per size),
skydd's own database on PostgreSQL and the queue on Redis (the scale-out topology of
ADR 0019), with ``skydd worker`` processes:

- **submit-to-complete**: a request already verified is dispatched and its status
  polled every 2 ms until it is completed; median and p95 for access (zip built,
  encrypted and stored behind a link) and for erasure (every personal field of a
  customer not erased before, hashed in one transaction). The completion notice is
  then mailed to a local SMTP server by a task of its own, outside the measured time.
- **throughput**: 200 verified access requests dispatched at once, the time until the
  last one completes (and until the last completion notice is sent), with 1 and with
  2 worker processes; each worker has run one request first, unmeasured.
- each size is measured ``--repeat`` times against a fresh skydd database; the median
  of the runs is reported, and every run is kept in the results.
- **reference**: the same reads written by hand in SQL (``bench.dsr.HandSql``),
  measured in the same run for the same customers.

Run from the repository root:
    .venv/bin/python bench/dsr_end_to_end.py [--sizes 1000,100000,1000000] [--picks 60]
        [--repeat 3]
Writes the ``end_to_end`` part of bench/results/dsr.json (the connector part is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import redis
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dsr import RESULTS, HandSql, p95
from bench.dsr_schema import DATASET_KEY, build_database, dataset, pick_emails

from skydd.bootstrap import Container, build_container
from skydd.config import (
    DatabaseSettings,
    KeySettings,
    MailSettings,
    QueueSettings,
    Settings,
)
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.register import Register
from skydd.domain.requests import RequestId, RequestType
from skydd.jobs.queue import work_queue
from skydd.services.register import store_register
from skydd.services.requests import (
    StaffDecision,
    Submission,
    receive_request,
    verify_manually,
)
from skydd.services.subjects import Who
from skydd.storage import migrator
from skydd.storage.keyring import Keyring
from skydd.storage.register_files import load_register
from tests.smtp import running_smtp_server

ROOT = Path(__file__).resolve().parent.parent
SKYDD = Path(sys.executable).parent / "skydd"
APP_DB = "skydd_bench_app"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
QUEUE = "redis://127.0.0.1:6379/15"
SYSTEM = "shop"
STAFF = Who("user:bench", "bench")
POLL = 0.002
BATCH = 200


def shop_register() -> Register:
    """The example register with one system, the benchmark shop, and its dataset."""
    mestro = load_register(ROOT / "examples" / "mestro")
    platform = next(s for s in mestro.systems if s.kind.value == "internal")
    shop = platform.model_copy(update={"key": SYSTEM, "name": "Shop", "datasets": [DATASET_KEY]})
    return mestro.model_copy(update={"systems": [shop], "datasets": [dataset()]})


def fresh_app_database() -> str:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{APP_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{APP_DB}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{APP_DB}"


@contextmanager
def workers(env: dict[str, str], count: int) -> Iterator[None]:
    """``count`` worker processes, stopped (SIGINT) when the block ends."""
    processes = [
        subprocess.Popen([str(SKYDD), "worker"], env=env, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    time.sleep(1.5)  # start-up: imports, the sweep, the first connection
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(timeout=60)


def verified(container: Container, request_type: RequestType, email: str) -> RequestId:
    request, _ = receive_request(
        container.uow(),
        container.clock,
        None,
        Submission(request_type, {IdentifierKind.EMAIL: email}),
        who=STAFF,
    )
    decision = StaffDecision(request.reference, "Benchmark: identity known.", STAFF)
    verify_manually(container.uow(), container.clock, None, decision)
    return request.id


class StatusPoll:
    """Reads request states with one plain query on a connection of its own.

    The benchmark polls every 2 ms on the same two cores the workers use, so the poll
    must cost next to nothing: no unit of work, no ORM, one round trip for all ids.
    """

    def __init__(self, url: str) -> None:
        self._conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        self._conn.autocommit = True

    def completed(self, ids: Sequence[RequestId]) -> set[RequestId]:
        found = self._conn.execute(
            "SELECT id FROM requests WHERE id = ANY(%s) AND status = 'completed'",
            ([str(i) for i in ids],),
        ).fetchall()
        return {RequestId(row[0]) for row in found}

    def unnotified(self) -> int:
        """Completed requests whose notice is not sent yet: work the queue still holds."""
        found = self._conn.execute(
            "SELECT count(*) FROM requests WHERE status = 'completed' AND notified_at IS NULL"
        ).fetchone()
        return int(found[0]) if found else 0

    def close(self) -> None:
        self._conn.close()


def drain(poll: StatusPoll, timeout: float = 600) -> float:
    """Wait until every completed request's notice is sent; the seconds it took.

    Notices are queued behind the requests, so when the last request completes up to a
    batch of notices is still queued; the next measurement must not inherit them.
    """
    started = time.perf_counter()
    while poll.unnotified():
        if time.perf_counter() - started > timeout:
            raise SystemExit("notices still unsent")
        time.sleep(0.05)
    return time.perf_counter() - started


def wait_all(poll: StatusPoll, ids: Sequence[RequestId], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    pending = set(ids)
    while pending:
        pending -= poll.completed(list(pending))
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(pending)} requests not completed in {timeout} s")
        time.sleep(POLL)


def one_by_one(
    container: Container, poll: StatusPoll, request_type: RequestType, emails: Sequence[str]
) -> list[float]:
    """Submit-to-complete, in ms, for each e-mail: verified, dispatched, polled."""
    queue = work_queue(container)
    samples = []
    for email in emails:
        request_id = verified(container, request_type, email)
        started = time.perf_counter()
        queue.dispatch(request_id)
        while not poll.completed([request_id]):
            time.sleep(POLL)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def warm_up(container: Container, poll: StatusPoll, emails: Sequence[str]) -> None:
    """One access request per worker, not measured: connectors built, caches filled."""
    ids = [verified(container, RequestType.ACCESS, email) for email in emails]
    for request_id in ids:
        work_queue(container).dispatch(request_id)
    wait_all(poll, ids)
    drain(poll)


def throughput(
    container: Container, poll: StatusPoll, emails: Sequence[str]
) -> tuple[float, float]:
    """Requests per second for a batch dispatched at once: until the last is complete,
    and until the last notice is sent too."""
    ids = [verified(container, RequestType.ACCESS, email) for email in emails]
    queue = work_queue(container)
    started = time.perf_counter()
    for request_id in ids:
        queue.dispatch(request_id)
    wait_all(poll, ids)
    completed = time.perf_counter() - started
    told = completed + drain(poll)
    return round(len(ids) / completed, 1), round(len(ids) / told, 1)


def summary(samples: Sequence[float]) -> dict[str, float]:
    return {"median": round(statistics.median(samples), 2), "p95": round(p95(samples), 2)}


def measure_size(size: int, picks: int, log: Any) -> dict[str, Any]:
    shop_url = build_database(size)
    app_url = fresh_app_database()
    redis.Redis.from_url(QUEUE).flushdb()
    keyring = Keyring.fresh().export_json()
    with running_smtp_server() as (port, _mailbox):
        settings = Settings(
            database=DatabaseSettings(url=app_url),
            keys=KeySettings(keyring=SecretStr(keyring)),
            mail=MailSettings(port=port),
            queue=QueueSettings(url=QUEUE),
            connections={SYSTEM: SecretStr(shop_url)},
        )
        container = build_container(settings)
        migrator.upgrade(container.engine)
        store_register(container.uow(), container.clock, shop_register(), "bench")
        env = {
            **os.environ,
            "SKYDD_DATABASE__URL": app_url,
            "SKYDD_KEYS__KEYRING": keyring,
            "SKYDD_MAIL__PORT": str(port),
            "SKYDD_QUEUE__URL": QUEUE,
            "SKYDD_CONNECTIONS": json.dumps({SYSTEM: shop_url}),
        }
        emails = pick_emails(shop_url, 2 * picks + 3 * BATCH)
        access_emails = emails[:picks]
        erase_emails = emails[picks : 2 * picks]
        hand = HandSql(shop_url)
        hand_ms = []
        for email in access_emails:
            started = time.perf_counter()
            hand.access(email)
            hand_ms.append((time.perf_counter() - started) * 1000)
        result: dict[str, Any] = {"hand_sql_access_ms": summary(hand_ms)}
        poll = StatusPoll(app_url)
        with workers(env, 1):
            warm_up(container, poll, emails[-1:])
            log(f"{size}: access one by one")
            access = one_by_one(container, poll, RequestType.ACCESS, access_emails)
            result["access_ms"] = summary(access)
            log(f"{size}: erasure one by one")
            erasure = one_by_one(container, poll, RequestType.ERASURE, erase_emails)
            result["erasure_ms"] = summary(erasure)
            drain(poll)
            log(f"{size}: {BATCH} queued, 1 worker")
            batch = emails[2 * picks : 2 * picks + BATCH]
            done, told = throughput(container, poll, batch)
            result["throughput_1_worker_per_s"] = done
            result["throughput_1_worker_notified_per_s"] = told
        with workers(env, 2):
            warm_up(container, poll, emails[-3:-1])
            log(f"{size}: {BATCH} queued, 2 workers")
            batch = emails[2 * picks + BATCH : 2 * picks + 2 * BATCH]
            done, told = throughput(container, poll, batch)
            result["throughput_2_workers_per_s"] = done
            result["throughput_2_workers_notified_per_s"] = told
        poll.close()
        container.close()
    return result


def combined(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The median over runs of each figure (of medians and of p95s), and every run."""
    result: dict[str, Any] = {}
    for key, first in runs[0].items():
        if isinstance(first, dict):
            result[key] = {
                stat: round(statistics.median(run[key][stat] for run in runs), 2) for stat in first
            }
        else:
            result[key] = round(statistics.median(run[key] for run in runs), 1)
    result["runs"] = list(runs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--picks", type=int, default=60, help="requests timed one by one")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (fresh skydd)")
    arguments = parser.parse_args()

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sizes = {
        s: combined([measure_size(int(s), arguments.picks, log) for _ in range(arguments.repeat)])
        for s in arguments.sizes.split(",")
    }
    payload = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    payload["end_to_end"] = {
        "topology": "skydd on PostgreSQL, queue on Redis, `skydd worker` processes (1 thread)",
        "poll_ms": POLL * 1000,
        "picks": arguments.picks,
        "repeat": arguments.repeat,
        "batch": BATCH,
        "sizes": sizes,
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(payload["end_to_end"], indent=2))


if __name__ == "__main__":
    main()
