"""Benchmark: the consent ledger at web speed, over HTTP, beside the framework's ceiling.

For each engine (SQLite file, PostgreSQL on localhost) a fresh skydd database is
migrated, Mestro's register stored and its policy published (as ``skydd serve --load``
does), and a ``marketing`` member gets a token with ``consent:write`` and
``data:read``. uvicorn then serves skydd (``bench/consent_app.py``: the production app
with the per-address rate limit off, since every request comes from 127.0.0.1) with
``--workers`` processes, no access log. The load generator is ``wrk`` (compiled, one
or two threads), driven by Lua scripts written here:

- **writes**: ``POST /api/v1/consents`` at 1, 8 and 32 connections. Half the requests
  are a new person (a new e-mail) giving consent to the newsletter; the other half
  change the consent of someone that connection's thread created earlier in the run,
  in a cycle that is always a real change: withdraw one category, withdraw the rest,
  give again. The thread never touches a person whose first consent may still be in
  flight. Requests/s, p50 and p99 latency (wrk's, from the start of the request).
- **ceiling**: a minimal FastAPI app (``POST /ceiling``, a pydantic body of the same
  shape, a small JSON answer) under the same uvicorn settings, same connections, same
  run. ``share`` = consent writes/s ÷ ceiling requests/s at 32 connections.
- **reads**: ``GET /api/v1/consent/check`` at 32 connections, each for a random one of
  the people seeded before the runs (all consenting; each check is an audited read).
- **bulk**: 1,000,000 identities checked with ``POST /api/v1/consent/check`` in calls
  of 100,000 (``services.consent.MAX_BULK``), two calls at a time (one per worker);
  wall time from the first body encoded to the last answer decoded, client JSON
  included. Every 50th identity is a seeded person, the rest unknown: the answer
  must say yes for exactly those.
- **/consent.js**: its size gzipped at level 9, as served (``null`` when it answers 404).

Each measurement is repeated ``--repeat`` times; the median of the runs is reported
and every run is kept in ``bench/results/consent.json``. At the end the ledger must
hold exactly as many events as the clients saw 201 answers (seeding and warm-up
included): nothing counted as recorded is lost.

Run from the repository root (needs ``wrk``: ``apt-get install -y wrk``):
    .venv/bin/python bench/consent.py [--engines sqlite,postgresql] [--seconds 10]
        [--repeat 3] [--workers 2]
Writes bench/results/consent.json and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from pydantic import SecretStr
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skydd.bootstrap import build_container
from skydd.config import DatabaseSettings, KeySettings, SecuritySettings, Settings
from skydd.domain.access_vocabulary import Scope
from skydd.services.accounts import add_user, create_token
from skydd.services.consent import MAX_BULK
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.storage import migrator
from skydd.storage.keyring import Keyring
from skydd.storage.register_files import load_register
from skydd.storage.tables import ConsentEventRow, SubjectRow

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "consent.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- consent:begin -->", "<!-- consent:end -->"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "skydd_bench_consent"
SKYDD_PORT, CEILING_PORT = 18470, 18471
LEVELS = (1, 8, 32)
SEEDS_PER_THREAD = 2000
"""People seeded per wrk thread before the runs: whom checks and the bulk check find."""
SEED_THREADS = 2
BULK = 1_000_000
BULK_KNOWN_EVERY = 50
BULK_PARALLEL = 2
PURPOSE = "newsletter"
TARGETS = {
    "writes_per_s_at_32": 2000,
    "p99_ms_at_32": 30,
    "share_of_ceiling": 0.4,
    "bulk_1m_s": 2.0,
    "consent_js_gzip_bytes": 8 * 1024,
}

# Shared by every script: counts answers per status, reports one JSON line.
LUA_COMMON = r"""
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
c201, c200, cother, cyes = 0, 0, 0, 0
function response(status, headers, body)
  if status == 201 then c201 = c201 + 1
  elseif status == 200 then
    c200 = c200 + 1
    if body and string.find(body, '"consented":true', 1, true) then cyes = cyes + 1 end
  else cother = cother + 1 end
end
function done(summary, latency, requests)
  local t201, t200, tother, tyes = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t201 = t201 + t:get("c201"); t200 = t200 + t:get("c200")
    tother = tother + t:get("cother"); tyes = tyes + t:get("cyes")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":%d,"c201":%d,"c200":%d,"other":%d,"yes":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.status + e.timeout,
    t201, t200, tother, tyes))
end
-- wrk calls request() once in the first thread's state before the run, to check it,
-- and never sends that request (script_verify_request): that call must change nothing.
local verifying = false
local function started() verifying = (id == 1) end
local function checking()
  if verifying then verifying = false; return true end
  return false
end
local function json_post(path, body)
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token}, body)
end
"""

LUA_WRITES = r"""
local people, made, n = {}, 0, 0
function init(args)
  prefix, token, window = args[1], args[2], tonumber(args[3])
  math.randomseed(id * 7919 + os.time())
  started()
end
local function email(i) return prefix .. "-" .. id .. "-" .. i .. "@example.com" end
function request()
  if checking() then return wrk.format("GET", "/healthz") end
  local body
  if made <= window or math.random() < 0.5 then
    made = made + 1
    people[made] = 0
    body = '{"email":"' .. email(made) .. '","purpose":"newsletter","status":"given",' ..
      '"notice_id":"nl-v2","source":"bench"}'
  else
    local i = math.random(1, made - window)
    local s = (people[i] + 1) % 3
    people[i] = s
    if s == 1 then
      body = '{"email":"' .. email(i) .. '","purpose":"newsletter","status":"withdrawn",' ..
        '"categories":["company"],"source":"bench"}'
    elseif s == 2 then
      body = '{"email":"' .. email(i) .. '","purpose":"newsletter","status":"withdrawn",' ..
        '"source":"bench"}'
    else
      body = '{"email":"' .. email(i) .. '","purpose":"newsletter","status":"given",' ..
        '"notice_id":"nl-v2","source":"bench"}'
    end
  end
  return json_post("/api/v1/consents", body)
end
"""

LUA_READS = r"""
function init(args)
  token, seeds, threads_seeded = args[2], tonumber(args[3]), tonumber(args[4])
  math.randomseed(id * 104729 + os.time())
end
function request()
  local path = "/api/v1/consent/check?purpose=newsletter&email=seed-" ..
    math.random(1, threads_seeded) .. "-" .. math.random(1, seeds) .. "%40example.com"
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
"""

LUA_CEILING = r"""
local n = 0
function init(args)
  token = ""
end
function request()
  n = n + 1
  return wrk.format("POST", "/ceiling", {["Content-Type"] = "application/json"},
    '{"email":"c-' .. id .. '-' .. n .. '@example.com","purpose":"newsletter",' ..
    '"status":"given"}')
end
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Scripts:
    """The Lua scripts, written once to a temporary directory."""

    def __init__(self, folder: Path) -> None:
        self.paths = {}
        for name, body in {
            "writes": LUA_WRITES,
            "reads": LUA_READS,
            "ceiling": LUA_CEILING,
        }.items():
            path = folder / f"{name}.lua"
            path.write_text(LUA_COMMON + body, encoding="utf-8")
            self.paths[name] = path


def cpu_seconds(wanted: Callable[[str, list[str]], bool]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each live process ``wanted`` selects.

    ``wanted`` gets each process's id and its ``/proc/PID/stat`` fields after the
    command name (state first, so the process group is ``[2]``).
    """
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if wanted(stat.parent.name, fields):
            found[stat.parent.name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def in_group(group: int) -> Callable[[str, list[str]], bool]:
    """Selects the processes of process group ``group``: a server and its workers."""
    return lambda _pid, fields: int(fields[2]) == group


def serving_database(name: str) -> Callable[[str, list[str]], bool]:
    """Selects the PostgreSQL backends connected to database ``name``."""

    def wanted(pid: str, _fields: list[str]) -> bool:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return title.startswith(b"postgres: ") and f" {name} ".encode() in title

    return wanted


class Meters:
    """The CPU the server, PostgreSQL's backends of the bench and wrk spend on a run."""

    def __init__(self, server: int, database: str | None) -> None:
        self.selectors = {"server": in_group(server)}
        if database is not None:
            self.selectors["postgresql"] = serving_database(database)

    def read(self) -> dict[str, dict[str, float]]:
        """CPU seconds so far, per process, of each meter (wrk: of the children waited for)."""
        found = {name: cpu_seconds(wanted) for name, wanted in self.selectors.items()}
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        found["client"] = {"wrk": children.ru_utime + children.ru_stime}
        return found

    @staticmethod
    def spent(
        before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
    ) -> dict[str, float]:
        """CPU seconds each meter used between two readings, over the processes in both.

        A pooled backend that ended or started between them is left out, rather than
        counting its whole life or a negative.
        """
        return {
            name: sum(
                after[name][pid] - was for pid, was in before[name].items() if pid in after[name]
            )
            for name in after
        }


def wrk(
    script: Path,
    port: int,
    connections: int,
    seconds: float,
    args: Sequence[str] = (),
    meters: Meters | None = None,
) -> dict[str, Any]:
    """One wrk run; its report (requests/s, p50/p99 ms, answers by status, CPU/request)."""
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{round(seconds)}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
        "--",
        *args,
    ]
    before = meters.read() if meters is not None else {}
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    after = meters.read() if meters is not None else {}
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    raw = json.loads(line.removeprefix("BENCH "))
    seconds_run = raw["duration_us"] / 1e6
    if raw["requests"] == 0:  # not one answer within the run: the server stalled
        log(f"  no request finished in {seconds} s at {connections} connections")
    requests = max(1, raw["requests"])
    return {
        "connections": connections,
        "requests": raw["requests"],
        "per_s": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": raw["errors"],
        "answers": {"201": raw["c201"], "200": raw["c200"], "other": raw["other"]},
        "consented": raw["yes"],
        "cpu_ms_per_request": {
            name: round(seconds * 1000 / requests, 3)
            for name, seconds in Meters.spent(before, after).items()
        },
    }


@contextmanager
def uvicorn(
    app: str, port: int, workers: int, env: dict[str, str], database: str | None = None
) -> Iterator[Meters]:
    """``app`` served by uvicorn with ``workers`` processes until the block ends.

    Through ``bench/consent_app.py``, which binds the socket as uvicorn should (see
    there): ``uvicorn --workers 2`` itself adds about 40 ms to every keep-alive request.
    Yields the meters of the CPU it (and PostgreSQL's backends for ``database``) use.
    """
    command = [sys.executable, "-m", "bench.consent_app", app, str(port), str(workers)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        wait_until_up(port, workers)
        yield Meters(process.pid, database)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(port: int, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            time.sleep(1.0 + 0.5 * workers)  # the other workers finish starting too
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def fresh_database(engine: str, folder: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder}/consent.db"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def prepare(url: str, keyring: str, secret_key: str) -> str:
    """Migrate, store Mestro, publish its policy, add a marketing member; their token."""
    settings = Settings(
        database=DatabaseSettings(url=url),
        keys=KeySettings(keyring=SecretStr(keyring)),
        security=SecuritySettings(secret_key=SecretStr(secret_key)),
    )
    container = build_container(settings)
    migrator.upgrade(container.engine)
    register = load_register(ROOT / "examples" / "mestro")
    store_register(container.uow(), container.clock, register, "bench")
    publish_policy(container.uow(), container.clock, container.renderer, None)
    add_user(
        container.uow(),
        container.clock,
        container.password_hasher,
        "newsletter-bench",
        roles=["marketing"],
        password="correct horse battery staple",  # noqa: S106 - a benchmark account
        actor="bench",
        origin="bench",
    )
    token, _ = create_token(
        container.uow(),
        container.clock,
        container.token_hasher,
        name="bench",
        scopes=frozenset({Scope.CONSENT_WRITE, Scope.DATA_READ}),
        owner="newsletter-bench",
        actor="bench",
        origin="bench",
    )
    container.close()
    return token


def ledger_counts(url: str, keyring: str, secret_key: str) -> dict[str, int]:
    """Events in the ledger, subjects, and blind indexes held by more than one subject."""
    settings = Settings(
        database=DatabaseSettings(url=url),
        keys=KeySettings(keyring=SecretStr(keyring)),
        security=SecuritySettings(secret_key=SecretStr(secret_key)),
    )
    container = build_container(settings)
    with container.engine.connect() as conn:
        events = conn.scalar(select(func.count()).select_from(ConsentEventRow)) or 0
        subjects = conn.scalar(select(func.count()).select_from(SubjectRow)) or 0
        indexes = conn.scalar(select(func.count(func.distinct(SubjectRow.email_index)))) or 0
    container.close()
    return {"events": events, "subjects": subjects, "duplicate_subjects": subjects - indexes}


def seed(token: str, per_thread: int) -> int:
    """Give consent for ``seed-T-N@example.com`` (T, N from 1), 8 at a time; 201s counted.

    Checks and the bulk check ask for these people. Sent from Python, not wrk: wrk
    runs for its whole duration even when every thread has stopped.
    """
    headers = {"Authorization": f"Bearer {token}"}
    created: list[int] = []

    def worker(people: list[tuple[int, int]]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{SKYDD_PORT}", timeout=60) as client:
            for thread, n in people:
                body = {
                    "email": f"seed-{thread}-{n}@example.com",
                    "purpose": PURPOSE,
                    "status": "given",
                    "source": "bench",
                }
                answer = client.post("/api/v1/consents", json=body, headers=headers)
                if answer.status_code != 201:
                    raise SystemExit(f"seeding: {answer.status_code} {answer.text[:200]}")
                created.append(1)

    people = [(t, n) for n in range(1, per_thread + 1) for t in range(1, SEED_THREADS + 1)]
    workers = [threading.Thread(target=worker, args=(people[i::8],)) for i in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if len(created) != len(people):
        raise SystemExit(f"seeding: {len(created)} of {len(people)} recorded")
    return len(created)


def bulk_check(token: str, seeds: int, size: int = BULK) -> dict[str, Any]:
    """``size`` identities in calls of MAX_BULK, BULK_PARALLEL at a time: wall s, answers."""
    calls = range(0, size, MAX_BULK)
    yes: list[int] = []
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def identity(n: int) -> dict[str, str]:
        if n % BULK_KNOWN_EVERY == 0:
            k = n // BULK_KNOWN_EVERY
            return {
                "email": f"seed-{k % SEED_THREADS + 1}-{k // SEED_THREADS % seeds + 1}@example.com"
            }
        return {"email": f"bulk-{n}@example.net"}

    def worker(starts: list[int]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{SKYDD_PORT}", timeout=120) as client:
            for start in starts:
                body = json.dumps(
                    {
                        "purpose": PURPOSE,
                        "identities": [
                            identity(n) for n in range(start, min(size, start + MAX_BULK))
                        ],
                    }
                )
                answer = client.post("/api/v1/consent/check", content=body, headers=headers)
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code}: {answer.text[:200]}")
                    continue
                yes.append(sum(answer.json()["consented"]))

    shares = [list(calls)[i::BULK_PARALLEL] for i in range(BULK_PARALLEL)]
    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(f"bulk check failed: {failures[0]}")
    expected = len(range(0, size, BULK_KNOWN_EVERY))
    if sum(yes) != expected:
        raise SystemExit(f"bulk check said yes {sum(yes)} times, expected {expected}")
    return {"identities": size, "seconds": round(seconds, 3), "consented": sum(yes)}


def consent_js_size() -> int | None:
    """``/consent.js`` as served, gzipped at level 9; None when it is not served (404)."""
    answer = httpx.get(f"http://127.0.0.1:{SKYDD_PORT}/consent.js", timeout=10)
    if answer.status_code == 404:
        return None
    answer.raise_for_status()
    return len(gzip.compress(answer.content, compresslevel=9))


def median_of(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    keys = ("per_s", "p50_ms", "p99_ms")
    found: dict[str, Any] = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    found["cpu_ms_per_request"] = {
        name: round(statistics.median(r["cpu_ms_per_request"][name] for r in runs), 3)
        for name in runs[0]["cpu_ms_per_request"]
    }
    return found


def measure_engine(engine: str, arguments: argparse.Namespace, scripts: Scripts) -> dict[str, Any]:
    seconds, repeat, workers = arguments.seconds, arguments.repeat, arguments.workers
    per_thread = arguments.seeds // SEED_THREADS
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(engine, Path(tmp))
        keyring = Keyring.fresh().export_json()
        secret_key = secrets.token_urlsafe(48)
        token = prepare(url, keyring, secret_key)
        env = {
            **os.environ,
            "SKYDD_DATABASE__URL": url,
            "SKYDD_KEYS__KEYRING": keyring,
            "SKYDD_SECURITY__SECRET_KEY": secret_key,
            "SKYDD_QUEUE__PATH": f"{tmp}/queue.db",
        }
        recorded = 0
        runs: dict[str, list[dict[str, Any]]] = {f"writes_{c}": [] for c in LEVELS}
        runs |= {f"ceiling_{c}": [] for c in LEVELS}
        runs |= {"reads_32": [], "bulk": []}
        js_size: int | None = None
        database = PG_DB if engine == "postgresql" else None
        with (
            uvicorn("bench.consent_app:skydd_app", SKYDD_PORT, workers, env, database) as meters,
            uvicorn("bench.consent_app:ceiling_app", CEILING_PORT, workers, env) as ceiling_meters,
        ):
            log(f"{engine}: seeding {SEED_THREADS * per_thread} people")
            recorded += seed(token, per_thread)
            warm = wrk(scripts.paths["writes"], SKYDD_PORT, 8, 2, ["warm", token, "5"])
            recorded += warm["answers"]["201"]
            cut_off = 8  # requests in flight when a timed run ends: wrk drops their answers
            wrk(scripts.paths["ceiling"], CEILING_PORT, 8, 2)
            js_size = consent_js_size()
            for run in range(repeat):
                for c in LEVELS:
                    log(f"{engine} run {run + 1}: ceiling, writes at {c} connections")
                    ceiling = wrk(
                        scripts.paths["ceiling"], CEILING_PORT, c, seconds, meters=ceiling_meters
                    )
                    runs[f"ceiling_{c}"].append(ceiling)
                    window = str(c // min(2, c) + 1)
                    writes = wrk(
                        scripts.paths["writes"],
                        SKYDD_PORT,
                        c,
                        seconds,
                        [f"r{run}c{c}", token, window],
                        meters,
                    )
                    if writes["errors"] or writes["answers"]["other"]:
                        raise SystemExit(f"writes failed: {writes}")
                    recorded += writes["answers"]["201"]
                    cut_off += c
                    runs[f"writes_{c}"].append(writes)
                    log(
                        f"  ceiling {ceiling['per_s']}/s, writes {writes['per_s']}/s "
                        f"p50 {writes['p50_ms']} p99 {writes['p99_ms']} ms, "
                        f"CPU ms/request {writes['cpu_ms_per_request']}"
                    )
                log(f"{engine} run {run + 1}: reads at 32 connections")
                reads = wrk(
                    scripts.paths["reads"],
                    SKYDD_PORT,
                    32,
                    seconds,
                    ["", token, str(per_thread), str(SEED_THREADS)],
                    meters,
                )
                if (
                    reads["errors"]
                    or reads["answers"]["other"]
                    or reads["consented"] != reads["requests"]
                ):
                    raise SystemExit(f"reads failed: {reads}")
                runs["reads_32"].append(reads)
                log(
                    f"  reads {reads['per_s']}/s p99 {reads['p99_ms']} ms, "
                    f"CPU ms/request {reads['cpu_ms_per_request']}"
                )
                log(f"{engine} run {run + 1}: bulk check of {arguments.bulk:,} identities")
                bulk = bulk_check(token, per_thread, arguments.bulk)
                runs["bulk"].append(bulk)
                log(f"  bulk {bulk['seconds']} s")
        counts = ledger_counts(url, keyring, secret_key)
    if not recorded <= counts["events"] <= recorded + cut_off:
        raise SystemExit(f"{engine}: {recorded} answers were 201, the ledger holds {counts}")
    writes_32 = median_of(runs["writes_32"])["per_s"]
    ceiling_32 = median_of(runs["ceiling_32"])["per_s"]
    return {
        "writes": {str(c): median_of(runs[f"writes_{c}"]) for c in LEVELS},
        "ceiling": {str(c): median_of(runs[f"ceiling_{c}"]) for c in LEVELS},
        "share_of_ceiling_at_32": round(writes_32 / ceiling_32, 3),
        "reads_32": median_of(runs["reads_32"]),
        "bulk_identities": arguments.bulk,
        "bulk_s": statistics.median(b["seconds"] for b in runs["bulk"]),
        "ledger": {"answered_201": recorded, "cut_off_at_most": cut_off, **counts},
        "consent_js_gzip_bytes": js_size,
        "runs": runs,
    }


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _cpu(cpu: dict[str, float]) -> str:
    backends = f" + {cpu['postgresql']:.2f}" if "postgresql" in cpu else ""
    return f"{cpu['server']:.2f}{backends}"


def table(payload: dict[str, Any]) -> str:
    engines = payload["engines"]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    header = "| | " + " | ".join(names[e] for e in engines) + " |"
    rule = "|---|" + "---|" * len(engines)
    rows = []
    for c in LEVELS:
        rows.append(
            f"| consent writes/s, {c} client{'s' if c > 1 else ''} (p50 / p99 ms) | "
            + " | ".join(
                f"{r['writes'][str(c)]['per_s']:,.0f} ({r['writes'][str(c)]['p50_ms']} / "
                f"{r['writes'][str(c)]['p99_ms']})"
                for r in engines.values()
            )
            + " |"
        )
    for c in LEVELS:
        rows.append(
            f"| reference: minimal FastAPI POST/s, {c} client{'s' if c > 1 else ''} "
            "(p50 / p99 ms) | "
            + " | ".join(
                f"{r['ceiling'][str(c)]['per_s']:,.0f} ({r['ceiling'][str(c)]['p50_ms']} / "
                f"{r['ceiling'][str(c)]['p99_ms']})"
                for r in engines.values()
            )
            + " |"
        )
    rows.append(
        "| server CPU ms per write, 32 clients (skydd + PostgreSQL backends) | "
        + " | ".join(_cpu(r["writes"]["32"]["cpu_ms_per_request"]) for r in engines.values())
        + " |"
    )
    rows.append(
        "| wrk CPU ms per request, 32 clients (consent / ceiling) | "
        + " | ".join(
            f"{r['writes']['32']['cpu_ms_per_request']['client']:.3f} / "
            f"{r['ceiling']['32']['cpu_ms_per_request']['client']:.3f}"
            for r in engines.values()
        )
        + " |"
    )
    rows.append(
        "| writes ÷ ceiling, 32 clients | "
        + " | ".join(f"{r['share_of_ceiling_at_32']:.2f}" for r in engines.values())
        + " |"
    )
    rows.append(
        "| single-identity checks/s, 32 clients (p50 / p99 ms) | "
        + " | ".join(
            f"{r['reads_32']['per_s']:,.0f} ({r['reads_32']['p50_ms']} / {r['reads_32']['p99_ms']})"
            for r in engines.values()
        )
        + " |"
    )
    rows.append(
        f"| bulk check of {next(iter(engines.values()))['bulk_identities']:,} identities, s | "
        + " | ".join(f"{r['bulk_s']:.2f}" for r in engines.values())
        + " |"
    )
    rows.append(
        "| events in the ledger / 201 answers counted (+ at most abandoned in flight) | "
        + " | ".join(
            f"{r['ledger']['events']:,} / {r['ledger']['answered_201']:,} "
            f"(+ {r['ledger']['cut_off_at_most']})"
            for r in engines.values()
        )
        + " |"
    )
    size = payload["consent_js_gzip_bytes"]
    js = "not served yet (404)" if size is None else f"{size:,} bytes"
    return (
        f"{BEGIN}\n### consent ({payload['date']}, {payload['machine']}, uvicorn "
        f"{payload['workers']} workers, wrk; median of {payload['repeat']} runs of "
        f"{payload['seconds']} s; load average {payload['load_average'][0]} at the start, "
        f"{payload['load_average'][1]} at the end)\n\n{header}\n{rule}\n"
        + "\n".join(rows)
        + f"\n\n`/consent.js` with its styles and both languages, gzip -9: {js}.\n{END}"
    )


INTRO = """## consent

`bench/consent.py`: the consent ledger over HTTP under load, beside a minimal FastAPI
endpoint served the same way in the same run (the framework's ceiling). uvicorn serves
the production app (rate limit off: all load comes from one address) with two worker
processes on this 2-core machine, started by `bench/consent_app.py`, which binds the
listening socket with `IPPROTO_TCP`: `uvicorn --workers 2` leaves `proto` at 0, asyncio
then never sets `TCP_NODELAY` on the connections, and every keep-alive answer waits
about 40 ms for the client's delayed ACK (uvicorn issue #3149; the ceiling app fell from
3,400 to 180 requests/s at one client). `wrk` generates the load. Writes are half new
people giving consent, half people created earlier in the run withdrawing a category,
withdrawing the rest or giving again, each a real change (an event and a receipt).
Checks ask for people seeded before the runs (each an audited read). The bulk check
sends 1,000,000 identities in ten calls of 100,000, two at a time, client JSON included,
and must say yes for exactly the seeded people among them. The CPU rows are what the
server's processes (and PostgreSQL's backends of the bench database) spent per request,
read from `/proc`: steadier than throughput on a shared machine; wrk's own CPU shows the
load generator is far from the bottleneck. At the end the ledger must hold an event for
every 201 answer counted (and at most the requests wrk abandoned in flight more).

"""


def write_doc(payload: dict[str, Any]) -> str:
    section = table(payload)
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + INTRO + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=SEED_THREADS * SEEDS_PER_THREAD)
    parser.add_argument("--bulk", type=int, default=BULK, help="identities in the bulk check")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    started_load = load_average()
    with tempfile.TemporaryDirectory() as tmp:
        scripts = Scripts(Path(tmp))
        engines = {e: measure_engine(e, arguments, scripts) for e in arguments.engines.split(",")}
    sizes = {r.pop("consent_js_gzip_bytes") for r in engines.values()}
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    payload = {
        "benchmark": "consent",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),  # noqa: TID251 - wall clock of the run
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average": [started_load, load_average()],
        "client": (version.stdout or version.stderr).splitlines()[0],
        "workers": arguments.workers,
        "seconds": arguments.seconds,
        "repeat": arguments.repeat,
        "statistic": "median of the runs; p50/p99 are wrk's latency percentiles of each run",
        "targets": TARGETS,
        "consent_js_gzip_bytes": next(iter(sizes))
        if len(sizes) == 1
        else sorted(sizes, key=str)[-1],
        "engines": engines,
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(write_doc(payload))


if __name__ == "__main__":
    main()
