"""Benchmark: one data subject request through the SQL connector, at 1k to 1M customers.

On the 9-table shop of ``bench/dsr_schema.py`` (PostgreSQL, loaded once per size), for
a random customer found by e-mail address:

- **access**: ``SqlDatasetConnector.access`` (one read-only transaction, one query per
  collection, rows made JSON-friendly), against the same reads written by hand: a
  read-only transaction with one query per table, by ``email`` and then by the
  customer's id, on a raw psycopg connection held open (:class:`HandSql`).
- **erasure**: ``SqlDatasetConnector.erase`` with keyed-hash and null masking per data
  category (:func:`policy`), against the same updates by hand: one ``UPDATE`` per
  table in one transaction, the keyed hash computed by pgcrypto. Every erasure is of
  a customer not erased before, so each one writes.

Connector and hand SQL are timed in pairs, back to back, alternating which goes
first (as ``bench/auth.py`` does), so a burst of load on the machine falls on both.
Each access pair reads the same customer, and the two must find the same number of
rows per table; each erasure pair erases two different customers, and afterwards no
personal value of either may be left. Every size is loaded first, then the repeats go
round the sizes in turn, so a change in the load on this shared machine falls on all
sizes alike. The table gives median and p95 over all picks of all repeats, and each
size's connector medians against the smallest size's.

Submit-to-complete through the workers and the throughput of queued requests are
``bench/dsr_end_to_end.py`` (the ``end_to_end`` part of ``bench/results/dsr.json``,
kept when this runs).

Run from the repository root (``python -m bench.dsr`` works too):
    .venv/bin/python bench/dsr.py [--sizes 1000,100000,1000000] [--repeat N] [--keep]
Writes bench/results/dsr.json (key ``connector``) and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as bench/dsr.py rather than python -m bench.dsr
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from bench.dsr_schema import (  # noqa: E402
    ADMIN_URL,
    Build,
    build,
    build_database,
    dataset,
    drop_database,
    libpq_url,
    pick_emails,
    unerased_customers,
)

from skydd.connectors.sql_datasets import SqlDatasetConnector  # noqa: E402
from skydd.domain.dataset_graph import CollectionAddress, build_dataset_graph  # noqa: E402
from skydd.domain.masking import (  # noqa: E402
    KeyedHashMask,
    MaskingPolicy,
    MaskingStrategy,
    NullMask,
    StrategyResolver,
)
from skydd.domain.traversal import TraversalPlan, plan_traversal  # noqa: E402
from skydd.storage.engine import make_engine  # noqa: E402

__all__ = ["build_database", "dataset", "pick_emails", "plan", "policy"]

RESULTS = ROOT / "bench" / "results" / "dsr.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- dsr_connector:begin -->", "<!-- dsr_connector:end -->"
KEY = b"skydd-bench-dsr-key-0123456789ab"
ACCESS_PICKS = 200
ERASURE_PICKS = 100
ACCESS_WARMUPS = 20
ERASURE_WARMUPS = 5


def plan() -> TraversalPlan:
    """The traversal from a customer's e-mail address; employees and reports stay out."""
    planned = plan_traversal(build_dataset_graph([dataset()]), ["email"])
    unreachable = {a.collection for a in planned.unreachable}
    assert unreachable == {"employees", "reports"}, unreachable
    return planned


def policy() -> MaskingPolicy:
    """Keyed hash for e-mail and names (kept unique and linkable), NULL for the rest."""
    strategies: dict[str, MaskingStrategy] = {
        "user.contact.email": KeyedHashMask(KEY),
        "user.name": KeyedHashMask(KEY),
        "user.contact.phone_number": NullMask(),
        "user.contact.address": NullMask(),
        "user.demographic": NullMask(),
        "user.financial": NullMask(),
        "user.device": NullMask(),
        "user.content": NullMask(),
    }
    return MaskingPolicy(StrategyResolver(strategies))


# --- the reference: the same work written by hand ---------------------------------------

HAND_ACCESS = {
    "addresses": "SELECT * FROM addresses WHERE customer_id = ANY(%(ids)s)",
    "orders": "SELECT * FROM orders WHERE customer_id = ANY(%(ids)s)",
    "order_items": "SELECT i.* FROM order_items i JOIN orders o ON o.id = i.order_id"
    " WHERE o.customer_id = ANY(%(ids)s)",
    "payment_cards": "SELECT * FROM payment_cards WHERE customer_id = ANY(%(ids)s)",
    "login_events": "SELECT * FROM login_events WHERE customer_id = ANY(%(ids)s)",
    "service_requests": "SELECT * FROM service_requests WHERE customer_id = ANY(%(ids)s)",
}

HAND_ERASURE = {
    "order_items": """
UPDATE order_items SET gift_message = NULL
WHERE order_id IN (SELECT id FROM orders WHERE customer_id = ANY(%(ids)s))
  AND gift_message IS NOT NULL""",
    "orders": """
UPDATE orders SET delivery_note = NULL
WHERE customer_id = ANY(%(ids)s) AND delivery_note IS NOT NULL""",
    "addresses": """
UPDATE addresses SET street = NULL, postal_code = NULL, city = NULL, country = NULL
WHERE customer_id = ANY(%(ids)s) AND num_nonnulls(street, postal_code, city, country) > 0""",
    "payment_cards": """
UPDATE payment_cards
SET cardholder_name = 'hmac:' || encode(hmac(convert_to(cardholder_name, 'UTF8'), %(key)s,
                                             'sha256'), 'hex'),
    last4 = NULL, card_token = NULL, expires_on = NULL
WHERE customer_id = ANY(%(ids)s)""",
    "login_events": """
UPDATE login_events SET ip_address = NULL, user_agent = NULL
WHERE customer_id = ANY(%(ids)s) AND num_nonnulls(ip_address, user_agent) > 0""",
    "service_requests": """
UPDATE service_requests SET subject = NULL, description = NULL
WHERE customer_id = ANY(%(ids)s) AND num_nonnulls(subject, description) > 0""",
    "customers": """
UPDATE customers
SET email = 'hmac:' || encode(hmac(convert_to(email, 'UTF8'), %(key)s, 'sha256'), 'hex'),
    first_name = 'hmac:' || encode(hmac(convert_to(first_name, 'UTF8'), %(key)s, 'sha256'),
                                   'hex'),
    last_name = 'hmac:' || encode(hmac(convert_to(last_name, 'UTF8'), %(key)s, 'sha256'),
                                  'hex'),
    phone = NULL, birth_date = NULL
WHERE id = ANY(%(ids)s)""",
}
"""Dependants first; the keyed hash is pgcrypto's HMAC-SHA256, as ``KeyedHashMask`` writes it."""

LEFT_OVER = """
SELECT (SELECT count(*) FROM customers WHERE id = ANY(%(ids)s) AND (email NOT LIKE 'hmac:%%'
          OR first_name NOT LIKE 'hmac:%%' OR last_name NOT LIKE 'hmac:%%'
          OR phone IS NOT NULL OR birth_date IS NOT NULL))
     + (SELECT count(*) FROM addresses WHERE customer_id = ANY(%(ids)s)
          AND num_nonnulls(street, postal_code, city, country) > 0)
     + (SELECT count(*) FROM orders WHERE customer_id = ANY(%(ids)s)
          AND delivery_note IS NOT NULL)
     + (SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id
          WHERE o.customer_id = ANY(%(ids)s) AND i.gift_message IS NOT NULL)
     + (SELECT count(*) FROM payment_cards WHERE customer_id = ANY(%(ids)s)
          AND (cardholder_name NOT LIKE 'hmac:%%'
               OR num_nonnulls(last4, card_token, expires_on) > 0))
     + (SELECT count(*) FROM login_events WHERE customer_id = ANY(%(ids)s)
          AND num_nonnulls(ip_address, user_agent) > 0)
     + (SELECT count(*) FROM service_requests WHERE customer_id = ANY(%(ids)s)
          AND num_nonnulls(subject, description) > 0)
"""
"""Rows of these customers that still hold a personal value the policy removes."""


class HandSql:
    """A developer's own SQL for one person: a read-only and a writing connection, held open."""

    def __init__(self, url: str) -> None:
        self.reader = psycopg.connect(libpq_url(url))
        self.reader.read_only = True
        self.writer = psycopg.connect(libpq_url(url))

    def access(self, email: str) -> dict[str, int]:
        """Every row of the person, in one read-only transaction; rows found per table."""
        conn = self.reader
        try:
            customers = conn.execute("SELECT * FROM customers WHERE email = %s", (email,))
            found: dict[str, list[tuple[Any, ...]]] = {"customers": customers.fetchall()}
            ids = [row[0] for row in found["customers"]]
            for table, query in HAND_ACCESS.items():
                found[table] = conn.execute(query, {"ids": ids}).fetchall()
        finally:
            conn.rollback()
        return {table: len(rows) for table, rows in found.items() if rows}

    def erase(self, email: str) -> dict[str, int]:
        """Mask the person's rows, dependants first, in one transaction; rows updated."""
        conn = self.writer
        with conn.transaction():
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM customers WHERE email = %s FOR UPDATE", (email,)
                )
            ]
            params = {"ids": ids, "key": KEY}
            return {
                table: conn.execute(update, params).rowcount
                for table, update in HAND_ERASURE.items()
            }

    def customer_ids(self, emails: Sequence[str]) -> list[int]:
        """The ids of the customers with these addresses (not timed)."""
        with self.writer.transaction():
            rows = self.writer.execute(
                "SELECT id FROM customers WHERE email = ANY(%s)", (list(emails),)
            ).fetchall()
        return [row[0] for row in rows]

    def left_over(self, ids: Sequence[int]) -> int:
        """Rows of customers ``ids`` still holding a value the erasure policy removes."""
        with self.writer.transaction():
            found = self.writer.execute(LEFT_OVER, {"ids": list(ids)}).fetchone()
        assert found is not None
        return int(found[0])

    def close(self) -> None:
        """Close both connections."""
        self.reader.close()
        self.writer.close()


# --- timing -------------------------------------------------------------------------------


def paired(
    connector: Callable[[str], object],
    hand: Callable[[str], object],
    connector_emails: Sequence[str],
    hand_emails: Sequence[str],
    check: Callable[[object, object], None],
) -> tuple[list[float], list[float]]:
    """Time connector and hand SQL back to back per pick, alternating which goes first."""
    connector_ms: list[float] = []
    hand_ms: list[float] = []
    for index, (mine, theirs) in enumerate(zip(connector_emails, hand_emails, strict=True)):
        order = [(connector, mine, connector_ms), (hand, theirs, hand_ms)]
        results = []
        for action, email, samples in order if index % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            result = action(email)
            samples.append((time.perf_counter() - start) * 1000)
            results.append(result)
        check(*(results if index % 2 == 0 else results[::-1]))
    return connector_ms, hand_ms


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(samples, n=20)[-1]


@dataclass
class Samples:
    """Wall times in ms of connector and hand SQL, over all picks, and each repeat's median."""

    connector: list[float] = field(default_factory=list)
    hand: list[float] = field(default_factory=list)
    repeat_medians: list[tuple[float, float]] = field(default_factory=list)

    def add(self, connector: list[float], hand: list[float]) -> None:
        """One repeat's picks."""
        self.connector += connector
        self.hand += hand
        self.repeat_medians.append((statistics.median(connector), statistics.median(hand)))

    def summary(self) -> dict[str, object]:
        """Median and p95 of both, and the repeats' medians, rounded for the JSON."""
        return {
            "connector": {"median": _ms(statistics.median(self.connector)),
                          "p95": _ms(p95(self.connector))},
            "hand_sql": {"median": _ms(statistics.median(self.hand)), "p95": _ms(p95(self.hand))},
            "picks": len(self.connector),
            "repeat_medians": [{"connector": _ms(c), "hand_sql": _ms(h)}
                               for c, h in self.repeat_medians],
        }  # fmt: skip


def _ms(value: float) -> float:
    return round(value, 3)


def access_counts(result: dict[CollectionAddress, list[dict[str, Any]]]) -> dict[str, int]:
    """Rows the connector found per table."""
    return {address.collection: len(rows) for address, rows in result.items()}


class SizeRun:
    """The connector and the hand SQL on one loaded database, and their samples so far."""

    def __init__(self, loaded: Build, repeat: int) -> None:
        self.loaded = loaded
        self.engine = make_engine(loaded.url)
        self.connector = SqlDatasetConnector(self.engine, plan())
        self.erasure = policy()
        self.hand = HandSql(loaded.url)
        self.reads, self.writes = Samples(), Samples()
        fresh = unerased_customers(loaded.url)
        self.erasure_picks = min(ERASURE_PICKS, (fresh // repeat) // 2 - ERASURE_WARMUPS)

    def access(self, email: str) -> object:
        """The connector's access for one person."""
        return self.connector.access({"email": [email]})

    def erase(self, email: str) -> object:
        """The connector's erasure of one person."""
        return self.connector.erase({"email": [email]}, self.erasure)

    def round(self) -> str:
        """One repeat: access, then erasure, on fresh picks; a line for the log."""
        url = self.loaded.url
        emails = pick_emails(url, ACCESS_PICKS + ACCESS_WARMUPS)
        warm, timed = emails[:ACCESS_WARMUPS], emails[ACCESS_WARMUPS:]
        paired(self.access, self.hand.access, warm, warm, same_rows)
        self.reads.add(*paired(self.access, self.hand.access, timed, timed, same_rows))

        emails = pick_emails(url, 2 * (self.erasure_picks + ERASURE_WARMUPS))
        mine, theirs = emails[: len(emails) // 2], emails[len(emails) // 2 :]
        erased = self.hand.customer_ids(emails)
        warmups = ERASURE_WARMUPS
        paired(self.erase, self.hand.erase, mine[:warmups], theirs[:warmups], unchecked)
        self.writes.add(
            *paired(self.erase, self.hand.erase, mine[warmups:], theirs[warmups:], unchecked)
        )
        left = self.hand.left_over(erased)
        assert left == 0, f"{left} rows still hold personal values after erasure"
        (read, read_hand), (write, write_hand) = (
            self.reads.repeat_medians[-1],
            self.writes.repeat_medians[-1],
        )
        return (
            f"{self.loaded.size:>9,} customers: access {read:.2f} ms (hand {read_hand:.2f}),"
            f" erasure {write:.2f} ms (hand {write_hand:.2f})"
        )

    def result(self) -> dict[str, object]:
        """Everything measured on this size, for the JSON."""
        found = self.connector.access({"email": pick_emails(self.loaded.url, 1)})
        return {
            "load_s": round(self.loaded.seconds, 1),
            "reused_database": self.loaded.reused,
            "rows": self.loaded.rows,
            "rows_per_customer_found": access_counts(found),
            "access_ms": self.reads.summary(),
            "erasure_ms": self.writes.summary(),
        }

    def close(self) -> None:
        """Close the hand SQL's connections and the connector's pool."""
        self.hand.close()
        self.engine.dispose()


def same_rows(mine: object, theirs: object) -> None:
    """The connector and the hand SQL found as many rows in each table."""
    assert isinstance(mine, dict)
    assert access_counts(mine) == theirs, (access_counts(mine), theirs)


def unchecked(_mine: object, _theirs: object) -> None:
    """Erasures are checked once per repeat, by :meth:`HandSql.left_over`."""


def measure(
    sizes: Sequence[int], repeat: int, keep: bool, log: Callable[[str], None]
) -> dict[str, dict[str, object]]:
    """Load every size, then run the repeats round-robin over the sizes.

    Taking the sizes in turn within each repeat spreads any change in the load on this
    shared machine over all sizes alike, which matters for their ratio.
    """
    runs: list[SizeRun] = []
    try:
        for size in sizes:
            runs.append(SizeRun(build(size, log=log), repeat))
        for index in range(repeat):
            for run in runs:
                log(f"  repeat {index + 1}, {run.round()}")
        return {str(run.loaded.size): run.result() for run in runs}
    finally:
        for run in runs:
            run.close()
        if not keep:  # only what this run loaded: a reused database may be in use elsewhere
            for run in runs:
                if not run.loaded.reused:
                    drop_database(run.loaded.size)


# --- output -------------------------------------------------------------------------------


def _median(size: dict[str, Any], what: str, who: str = "connector") -> float:
    return float(size[what][who]["median"])


def ratios(sizes: dict[str, dict[str, Any]]) -> dict[str, object] | None:
    """Largest over smallest size, of the connector's (and hand SQL's) median times."""
    if len(sizes) < 2:
        return None
    small, large = (sizes[k] for k in (min(sizes, key=int), max(sizes, key=int)))
    return {
        "sizes": [int(min(sizes, key=int)), int(max(sizes, key=int))],
        **{
            f"{who}_{what}": round(
                _median(large, f"{what}_ms", who) / _median(small, f"{what}_ms", who), 2
            )
            for who in ("connector", "hand_sql")
            for what in ("access", "erasure")
        },
    }


def table(payload: dict[str, Any]) -> str:
    """The Markdown block between the markers in docs/benchmarks.md."""
    part = payload["connector"]
    sizes: dict[str, dict[str, Any]] = part["sizes"]
    smallest = sizes[min(sizes, key=int)]

    def pair(size: dict[str, Any], what: str, who: str) -> str:
        found = size[what][who]
        return f"{found['median']:.2f} / {found['p95']:.2f}"

    def load(size: dict[str, Any]) -> str:
        return "reused" if size["reused_database"] else f"{size['load_s']:.0f} s"

    rows = []
    for name, size in sorted(sizes.items(), key=lambda item: int(item[0])):
        access = _median(size, "access_ms") / _median(smallest, "access_ms")
        erasure = _median(size, "erasure_ms") / _median(smallest, "erasure_ms")
        rows.append(
            f"| {int(name):,} | {sum(size['rows'].values()):,} | {load(size)}"
            f" | {pair(size, 'access_ms', 'connector')} | {pair(size, 'access_ms', 'hand_sql')}"
            f" | {pair(size, 'erasure_ms', 'connector')} | {pair(size, 'erasure_ms', 'hand_sql')}"
            f" | {access:.2f} / {erasure:.2f} |"
        )
    first = sizes[min(sizes, key=int)]
    heading = (
        f"### dsr, connector ({payload['date']}, {payload['machine']}, {payload['database']};"
        f" median / p95 ms over {first['access_ms']['picks']} access and"
        f" {first['erasure_ms']['picks']} erasure picks per size, {part['repeat']} repeats;"
        f" load average {payload['load_average_1min']['start']}"
        f" at the start, {payload['load_average_1min']['end']} at the end)"
    )
    return (
        f"{BEGIN}\n{heading}\n\n"
        "| customers | rows | load | connector access | hand SQL access"
        " | connector erasure | hand SQL erasure | connector × smallest (access / erasure) |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + f"\n{END}"
    )


def write_results(payload: dict[str, Any]) -> None:
    """bench/results/dsr.json, keeping the ``end_to_end`` part another run wrote."""
    if RESULTS.exists():
        earlier = json.loads(RESULTS.read_text(encoding="utf-8"))
        payload = {**earlier, **payload}
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def write_doc(block: str) -> None:
    """Replace the block between the markers, or add a section at the end."""
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n## Data subject requests (connector)\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def server_version() -> str:
    """``PostgreSQL 15.20`` as the server reports it."""
    with psycopg.connect(ADMIN_URL) as conn:
        found = conn.execute("SHOW server_version").fetchone()
    assert found is not None
    return f"PostgreSQL {str(found[0]).split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000", help="customers, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of fresh picks, per size")
    parser.add_argument("--keep", action="store_true", help="keep the databases for the next run")
    arguments = parser.parse_args()
    sizes = [int(s) for s in arguments.sizes.split(",")]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    before = os.getloadavg()[0]
    results: dict[str, dict[str, Any]] = measure(sizes, arguments.repeat, arguments.keep, log)
    after = os.getloadavg()[0]
    payload: dict[str, Any] = {
        "benchmark": "dsr",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),  # noqa: TID251 - wall clock of the run
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "database": f"{server_version()} on localhost",
        "load_average_1min": {"start": round(before, 2), "end": round(after, 2)},
        "connector": {
            "statistic": "wall time per request in ms, median and p95 over all picks;"
            " connector and hand SQL timed in pairs, alternating which goes first",
            "repeat": arguments.repeat,
            "identity": "email",
            "sizes": results,
            "ratio": ratios(results),
        },
        "targets_end_to_end_ms_at_1m": {"access": 40.0, "erasure": 80.0, "ratio_1m_1k": 1.3},
    }
    write_results(payload)
    block = table(payload)
    write_doc(block)
    print(block)


if __name__ == "__main__":
    main()
