"""The data side of the DSR benchmark: a 9-table customer schema on PostgreSQL, filled fast.

The shop: ``customers`` (the identity, ``email``, unique), their ``addresses``,
``orders`` and their ``order_items``, ``payment_cards``, ``login_events`` and
``service_requests``; ``employees`` handle the requests and write ``reports``. One
table (:data:`TABLES`) describes every column once: its SQL type, its fideslang data
category, and the reference it holds. The DDL, the foreign keys, the indexes and the
fideslang dataset (:func:`dataset`) are all derived from it, so they cannot disagree.

Employees are not a customer's data. ``service_requests.handled_by`` and
``reports.employee_id`` reference ``employees.id`` with direction ``from`` (values
flow from employees into them, never back), so no customer's request reaches an
employee or their reports: with the ``email`` identity both are unreachable, and the
plan reports them so. The references still give the erasure order and the foreign
keys. The handler's id on a request is a key column, never masked.
``orders.delivery_address_id`` references ``addresses.id`` with direction ``to``: a
customer's addresses are found through the customer and through their orders.

Per customer: 2 addresses, 3 orders of 2 items each, 1 payment card, 6 login events
and 1 service request (20 rows with the customer). One employee per 500 customers
(at least 10), 12 reports each. Rows are numbered per table and the k-th row of
every customer follows all the (k-1)-th rows, as rows written over time would: one
customer's orders are far apart in the table, not on one page. Every value is a pure
function of the row number through ``md5`` (:data:`HELPERS`), so a size always
gives the same data.

Everything is generated inside PostgreSQL with ``INSERT … SELECT … FROM
generate_series`` on two connections at once (the machine has two cores); keys,
indexes and foreign keys are added after the load, then ``VACUUM (ANALYZE)`` leaves
the tables as a long-lived database has them (statistics, hint bits, visibility map).
Each size gets its own database, ``skydd_bench_dsr_<size>``; a finished load is marked
in the database's comment, so a database kept by ``--keep`` (or loaded by another
process) is reused while at least 90 % of its customers are still unerased.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import psycopg
from fideslang import models as fl
from psycopg import sql

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "postgres@127.0.0.1:5432"
DATASET_KEY = "bench_shop"
SCHEMA_VERSION = 1
FRESH_ENOUGH = 0.9
"""A kept database is reused while this share of its customers is not yet erased."""

PER_CUSTOMER = {
    "addresses": 2,
    "orders": 3,
    "payment_cards": 1,
    "login_events": 6,
    "service_requests": 1,
}
ITEMS_PER_ORDER = 2
CUSTOMERS_PER_EMPLOYEE = 500
REPORTS_PER_EMPLOYEE = 12


@dataclass(frozen=True)
class Column:
    """One column: SQL type, data category, and the reference (foreign key) it holds."""

    name: str
    sql_type: str
    category: str
    primary_key: bool = False
    identity: str | None = None
    references: str | None = None
    """``table.column`` this column's values point at (a foreign key)."""
    direction: Literal["from", "to"] = "from"
    """fideslang direction: ``from`` brings the referenced values into this column."""


PK = "bigint NOT NULL"
FK = "bigint NOT NULL"

TABLES: dict[str, tuple[Column, ...]] = {
    "employees": (
        Column("id", PK, "user.unique_id", primary_key=True),
        Column("email", "text NOT NULL", "user.contact.email"),
        Column("full_name", "text NOT NULL", "user.name"),
        Column("department", "text NOT NULL", "user.workplace"),
        Column("hired_on", "date NOT NULL", "system.operations"),
    ),
    "customers": (
        Column("id", PK, "user.unique_id", primary_key=True),
        Column("email", "text NOT NULL", "user.contact.email", identity="email"),
        Column("phone", "text", "user.contact.phone_number"),
        Column("first_name", "text", "user.name.first"),
        Column("last_name", "text", "user.name.last"),
        Column("birth_date", "date", "user.demographic.date_of_birth"),
        Column("created_at", "timestamptz NOT NULL", "system.operations"),
    ),
    "addresses": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("customer_id", FK, "user.unique_id", references="customers.id"),
        Column("kind", "text NOT NULL", "system.operations"),
        Column("street", "text", "user.contact.address.street"),
        Column("postal_code", "text", "user.contact.address.postal_code"),
        Column("city", "text", "user.contact.address.city"),
        Column("country", "text", "user.contact.address.country"),
    ),
    "orders": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("customer_id", FK, "user.unique_id", references="customers.id"),
        Column(
            "delivery_address_id",
            "bigint",
            "system.operations",
            references="addresses.id",
            direction="to",
        ),
        Column("placed_at", "timestamptz NOT NULL", "system.operations"),
        Column("status", "text NOT NULL", "system.operations"),
        Column("total", "numeric(10, 2) NOT NULL", "system.operations"),
        Column("delivery_note", "text", "user.content.private"),
    ),
    "order_items": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("order_id", FK, "system.operations", references="orders.id"),
        Column("product_code", "text NOT NULL", "user.behavior.purchase_history"),
        Column("quantity", "integer NOT NULL", "system.operations"),
        Column("unit_price", "numeric(10, 2) NOT NULL", "system.operations"),
        Column("gift_message", "text", "user.content.private"),
    ),
    "payment_cards": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("customer_id", FK, "user.unique_id", references="customers.id"),
        Column("cardholder_name", "text", "user.name"),
        Column("brand", "text NOT NULL", "system.operations"),
        Column("last4", "text", "user.financial.credit_card"),
        Column("card_token", "text", "user.financial.credit_card"),
        Column("expires_on", "date", "user.financial.credit_card"),
    ),
    "login_events": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("customer_id", FK, "user.unique_id", references="customers.id"),
        Column("occurred_at", "timestamptz NOT NULL", "system.operations"),
        Column("ip_address", "inet", "user.device.ip_address"),
        Column("user_agent", "text", "user.device"),
        Column("succeeded", "boolean NOT NULL", "system.operations"),
    ),
    "service_requests": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("customer_id", FK, "user.unique_id", references="customers.id"),
        Column("handled_by", "bigint", "system.operations", references="employees.id"),
        Column("opened_at", "timestamptz NOT NULL", "system.operations"),
        Column("channel", "text NOT NULL", "system.operations"),
        Column("subject", "text", "user.content.private"),
        Column("description", "text", "user.content.private"),
        Column("status", "text NOT NULL", "system.operations"),
    ),
    "reports": (
        Column("id", PK, "system.operations", primary_key=True),
        Column("employee_id", FK, "user.unique_id", references="employees.id"),
        Column("period_start", "date NOT NULL", "system.operations"),
        Column("title", "text NOT NULL", "system.operations"),
        Column("body", "text NOT NULL", "system.operations"),
    ),
}
"""Every table, parents before children."""

UNIQUE = {("customers", "email"), ("employees", "email")}


def dataset() -> fl.Dataset:
    """The fideslang dataset of the schema: identity ``email``, references, categories."""
    return fl.Dataset(
        fides_key=DATASET_KEY,
        name="Benchmark shop",
        description="Customers, their orders and service requests (bench/dsr_schema.py).",
        collections=[
            fl.DatasetCollection(name=table, fields=[_field(c) for c in columns])
            for table, columns in TABLES.items()
        ],
    )


def _field(column: Column) -> fl.DatasetField:
    references = None
    if column.references:
        references = [
            fl.FidesDatasetReference(
                dataset=DATASET_KEY,
                field=column.references,
                direction=fl.EdgeDirection(column.direction),
            )
        ]
    meta = None
    if column.primary_key or column.identity or references:
        meta = fl.FidesMeta(
            primary_key=column.primary_key or None,
            identity=column.identity,
            data_type="string" if column.identity else None,
            references=references,
        )
    return fl.DatasetField(name=column.name, data_categories=[column.category], fides_meta=meta)


# --- generation ------------------------------------------------------------------------

HELPERS = (
    # A number in [0, modulo) for row ``id``: PostgreSQL's own 64-bit hash of the id
    # (the one hash partitioning uses), a different ``seed`` for every column. A tenth
    # of the cost of md5, which made the load three times longer.
    "CREATE FUNCTION bench_int(id bigint, seed int, modulo bigint) RETURNS bigint"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
    " AS $$ SELECT (hashint8extended(id, seed) & 9223372036854775807) % modulo $$",
    "CREATE FUNCTION bench_pick(id bigint, seed int, choices text[]) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
    " AS $$ SELECT choices[1 + bench_int(id, seed, cardinality(choices))] $$",
    # One row in ``one_in`` gets a value from ``choices``, the others NULL.
    "CREATE FUNCTION bench_some(id bigint, seed int, choices text[], one_in int) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
    " AS $$ SELECT choices[1 + bench_int(id, seed, cardinality(choices) * one_in)] $$",
    # Hex digits for tokens and references.
    "CREATE FUNCTION bench_hex(id bigint, seed int) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
    " AS $$ SELECT lpad(to_hex(hashint8extended(id, seed)), 16, '0') $$",
)
DROP_HELPERS = (
    "DROP FUNCTION bench_hex(bigint, int)",
    "DROP FUNCTION bench_some(bigint, int, text[], int)",
    "DROP FUNCTION bench_pick(bigint, int, text[])",
    "DROP FUNCTION bench_int(bigint, int, bigint)",
)

WORDS: dict[str, list[str]] = {
    "first_names": ["Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Eva", "Johan",
                    "Sara", "Per", "Emma", "Nils", "Elin", "Olof", "Linnea", "Karl", "Ida",
                    "Oskar", "Maja", "Hugo"],
    "last_names": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
                   "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson",
                   "Jansson", "Hansson", "Bengtsson", "Lindberg", "Jakobsson", "Magnusson",
                   "Lindstrom", "Olofsson"],
    "streets": ["Storgatan", "Kungsgatan", "Drottninggatan", "Skolgatan", "Parkvagen",
                "Kyrkogatan", "Nygatan", "Villagatan", "Strandvagen", "Backvagen",
                "Ringvagen", "Sodra vagen", "Bjorkvagen", "Ekvagen", "Tallvagen", "Hamngatan"],
    "cities": ["Stockholm", "Goteborg", "Malmo", "Uppsala", "Vasteras", "Orebro",
               "Linkoping", "Helsingborg", "Jonkoping", "Norrkoping", "Lund", "Umea",
               "Gavle", "Boras", "Sundsvall", "Lulea"],
    "statuses": ["placed", "paid", "shipped", "delivered", "delivered", "delivered",
                 "returned", "cancelled"],
    "notes": ["Leave at the door", "Call before delivery", "Ring twice", "Deliver after 17:00",
              "Use the back entrance", "Leave with the neighbour"],
    "gifts": ["Happy birthday!", "Congratulations", "Merry Christmas", "With love",
              "Thank you for everything"],
    "brands": ["visa", "mastercard", "amex"],
    "agents": ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
               "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148",
               "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile",
               "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"],
    "channels": ["email", "phone", "chat", "letter"],
    "subjects": ["Where is my parcel?", "Wrong size delivered", "Refund request",
                 "Change my delivery address", "Card charged twice", "Cancel my order",
                 "Question about an invoice"],
    "departments": ["Customer service", "Logistics", "Finance", "Returns"],
    "request_states": ["open", "waiting", "closed", "closed", "closed"],
}  # fmt: skip


# Row k of customer c (k from 0) has id k * n + c: rows written over time, interleaved.
# Every seed (the second argument of bench_int/pick/some/hex) is used by one column only,
# except a card's holder name, which takes the customer's own (1 and 2).
INSERTS: dict[str, str] = {
    "employees": """
INSERT INTO employees (id, email, full_name, department, hired_on)
SELECT e, 'staff' || e || '@bench.example.com',
       bench_pick(e, 50, %(first_names)s::text[]) || ' '
         || bench_pick(e, 51, %(last_names)s::text[]),
       bench_pick(e, 52, %(departments)s::text[]),
       date '2010-01-01' + bench_int(e, 53, 5000)::int
FROM generate_series(1, %(employees)s) AS e""",
    "customers": """
INSERT INTO customers (id, email, phone, first_name, last_name, birth_date, created_at)
SELECT c, lower(f || '.' || l) || '.' || c || '@example.com',
       '+4670' || lpad(bench_int(c, 3, 10000000)::text, 7, '0'),
       f, l,
       date '1945-01-01' + bench_int(c, 4, 21000)::int,
       timestamptz '2016-01-01 00:00:00+00' + make_interval(secs => c * %(customer_s)s)
FROM (SELECT c, bench_pick(c, 1, %(first_names)s::text[]) AS f,
             bench_pick(c, 2, %(last_names)s::text[]) AS l
      FROM generate_series(1, %(n)s) AS c OFFSET 0) AS c""",
    "addresses": """
INSERT INTO addresses (id, customer_id, kind, street, postal_code, city, country)
SELECT a, (a - 1) %% %(n)s + 1,
       CASE WHEN a <= %(n)s THEN 'home' ELSE 'delivery' END,
       bench_pick(a, 10, %(streets)s::text[]) || ' ' || (1 + bench_int(a, 11, 150)),
       (10000 + bench_int(a, 12, 90000))::text,
       bench_pick(a, 13, %(cities)s::text[]),
       'SE'
FROM generate_series(1, %(n)s * %(addresses)s) AS a""",
    "orders": """
INSERT INTO orders (id, customer_id, delivery_address_id, placed_at, status, total,
                    delivery_note)
SELECT o, c, c + %(n)s * bench_int(o, 20, %(addresses)s),
       timestamptz '2019-01-01 00:00:00+00' + make_interval(secs => o * %(order_s)s),
       bench_pick(o, 21, %(statuses)s::text[]),
       1 + bench_int(o, 22, 300000) / 100.0,
       bench_some(o, 23, %(notes)s::text[], 4)
FROM (SELECT o, (o - 1) %% %(n)s + 1 AS c
      FROM generate_series(1, %(n)s * %(orders)s) AS o) AS o""",
    "order_items": """
INSERT INTO order_items (id, order_id, product_code, quantity, unit_price, gift_message)
SELECT i, (i - 1) %% (%(n)s * %(orders)s) + 1,
       'P-' || lpad(bench_int(i, 25, 5000)::text, 5, '0'),
       1 + bench_int(i, 26, 3)::int,
       1 + bench_int(i, 27, 100000) / 100.0,
       bench_some(i, 28, %(gifts)s::text[], 10)
FROM generate_series(1, %(n)s * %(orders)s * %(items)s) AS i""",
    "payment_cards": """
INSERT INTO payment_cards (id, customer_id, cardholder_name, brand, last4, card_token,
                           expires_on)
SELECT p, c,
       bench_pick(c, 1, %(first_names)s::text[]) || ' '
         || bench_pick(c, 2, %(last_names)s::text[]),
       bench_pick(p, 30, %(brands)s::text[]),
       lpad(bench_int(p, 31, 10000)::text, 4, '0'),
       'tok_' || bench_hex(p, 32) || bench_hex(p, 33),
       make_date(2026 + bench_int(p, 34, 5)::int, 1 + bench_int(p, 35, 12)::int, 1)
FROM (SELECT p, (p - 1) %% %(n)s + 1 AS c
      FROM generate_series(1, %(n)s * %(payment_cards)s) AS p) AS p""",
    "login_events": """
INSERT INTO login_events (id, customer_id, occurred_at, ip_address, user_agent, succeeded)
SELECT l, (l - 1) %% %(n)s + 1,
       timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => l * %(login_s)s),
       inet '1.0.0.0' + bench_int(l, 40, 3500000000),
       bench_pick(l, 41, %(agents)s::text[]),
       bench_int(l, 42, 20) <> 0
FROM generate_series(1, %(n)s * %(login_events)s) AS l""",
    "service_requests": """
INSERT INTO service_requests (id, customer_id, handled_by, opened_at, channel, subject,
                              description, status)
SELECT s, c, 1 + bench_int(s, 45, %(employees)s),
       timestamptz '2021-01-01 00:00:00+00' + make_interval(secs => s * %(request_s)s),
       bench_pick(s, 46, %(channels)s::text[]),
       subject,
       subject || ' Order ' || (c + %(n)s * bench_int(s, 47, %(orders)s))
         || ', reference ' || bench_hex(s, 48) || '.',
       bench_pick(s, 49, %(request_states)s::text[])
FROM (SELECT s, (s - 1) %% %(n)s + 1 AS c, bench_pick(s, 44, %(subjects)s::text[]) AS subject
      FROM generate_series(1, %(n)s * %(service_requests)s) AS s OFFSET 0) AS s""",
    "reports": """
INSERT INTO reports (id, employee_id, period_start, title, body)
SELECT r, (r - 1) %% %(employees)s + 1,
       make_date(2024, 1, 1) + make_interval(months => ((r - 1) / %(employees)s)::int),
       'Monthly report ' || ((r - 1) / %(employees)s + 1),
       'Requests handled: ' || bench_int(r, 55, 400)
         || '. Median handling time: ' || (1 + bench_int(r, 56, 72)) || ' h.'
FROM generate_series(1, %(employees)s * %(reports)s) AS r""",
}

DAY_S = 86400.0
SPANS_S = {"customer_s": 3000, "order_s": 2000, "login_s": 700, "request_s": 1460}
"""Days over which each table's rows are spread, oldest row first."""


def employees_for(size: int) -> int:
    """How many employees a shop of ``size`` customers has."""
    return max(10, size // CUSTOMERS_PER_EMPLOYEE)


def expected_rows(size: int) -> dict[str, int]:
    """Rows per table for ``size`` customers."""
    rows = {"customers": size, **{t: size * k for t, k in PER_CUSTOMER.items()}}
    rows["order_items"] = rows["orders"] * ITEMS_PER_ORDER
    rows["employees"] = employees_for(size)
    rows["reports"] = rows["employees"] * REPORTS_PER_EMPLOYEE
    return {t: rows[t] for t in TABLES}


def _parameters(size: int) -> dict[str, object]:
    rows = expected_rows(size)
    per_row = {"customer_s": "customers", "order_s": "orders", "login_s": "login_events",
               "request_s": "service_requests"}  # fmt: skip
    return {
        **{key: SPANS_S[key] * DAY_S / rows[table] for key, table in per_row.items()},
        "n": size,
        "employees": employees_for(size),
        "items": ITEMS_PER_ORDER,
        "reports": REPORTS_PER_EMPLOYEE,
        **PER_CUSTOMER,
        **WORDS,
    }


def create_table(table: str) -> sql.Composed:
    """``CREATE TABLE`` with the columns only: keys and indexes come after the load."""
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type)) for c in TABLES[table]
    )
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), columns)


def keys_and_indexes(table: str) -> list[sql.Composed]:
    """Primary key, unique identity, and an index on every referencing column."""
    name = sql.Identifier(table)
    statements = []
    for c in TABLES[table]:
        column = sql.Identifier(c.name)
        if c.primary_key:
            statements.append(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(name, column))
        elif (table, c.name) in UNIQUE:
            statements.append(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})").format(
                    name, sql.Identifier(f"{table}_{c.name}_key"), column
                )
            )
        elif c.references:
            statements.append(
                sql.SQL("CREATE INDEX {} ON {} ({})").format(
                    sql.Identifier(f"{table}_{c.name}_idx"), name, column
                )
            )
    return statements


def foreign_keys(table: str) -> list[sql.Composed]:
    """One foreign key per reference, checked against the whole table."""
    statements = []
    for c in TABLES[table]:
        if c.references:
            parent, key = c.references.split(".")
            statements.append(
                sql.SQL(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})"
                ).format(
                    sql.Identifier(table),
                    sql.Identifier(f"{table}_{c.name}_fkey"),
                    sql.Identifier(c.name),
                    sql.Identifier(parent),
                    sql.Identifier(key),
                )
            )
    return statements


# --- databases -------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """A loaded database: its SQLAlchemy URL, how long the load took, and whether it was reused."""

    size: int
    url: str
    seconds: float
    reused: bool
    rows: dict[str, int]


def database_name(size: int) -> str:
    """The benchmark's own database for ``size`` customers."""
    return f"skydd_bench_dsr_{size}"


def database_url(size: int) -> str:
    """SQLAlchemy URL (psycopg 3) of the database for ``size`` customers."""
    return f"postgresql+psycopg://{HOST}/{database_name(size)}"


def libpq_url(url: str) -> str:
    """The same URL as psycopg itself takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _marker(size: int) -> str:
    return f"skydd dsr bench v{SCHEMA_VERSION}: {size} customers, loaded"


def build_database(size: int) -> str:
    """The URL of a database holding ``size`` customers, loading it unless already there."""
    return build(size).url


def build(size: int, *, log: Callable[[str], None] = lambda _: None) -> Build:
    """Load ``size`` customers into their own database, or reuse a finished load of them.

    An advisory lock per size makes a second process wait for a load in progress and
    then reuse it, rather than drop the database under the first.
    """
    name = database_name(size)
    url = database_url(size)
    with psycopg.connect(ADMIN_URL, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
        if _reusable(size):
            log(f"{name}: reusing the loaded database")
            return Build(size, url, 0.0, True, expected_rows(size))
        start = time.perf_counter()
        _load(size, log)
        seconds = time.perf_counter() - start
    log(f"{name}: loaded in {seconds:.1f} s")
    return Build(size, url, seconds, False, expected_rows(size))


def _load(size: int, log: Callable[[str], None]) -> None:
    """(Re)create the database of ``size`` customers and fill it; mark it loaded."""
    name = database_name(size)
    start = time.perf_counter()
    drop_database(size)
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = libpq_url(database_url(size))
    _run(target, [*HELPERS, "CREATE EXTENSION IF NOT EXISTS pgcrypto"])
    _run(target, [create_table(t) for t in TABLES])
    params = _parameters(size)
    biggest_first = sorted(TABLES, key=lambda t: -expected_rows(size)[t])
    _parallel(target, [[(INSERTS[t], params)] for t in biggest_first], log, "rows")
    _parallel(
        target, [[(s, None) for s in keys_and_indexes(t)] for t in biggest_first], log, "keys"
    )
    # One at a time: each takes a lock on the parent table that the others would wait for.
    _run(target, [s for t in TABLES for s in foreign_keys(t)])
    log(f"{name}: foreign keys checked, {time.perf_counter() - start:.1f} s")
    _run(target, list(DROP_HELPERS))
    _parallel(
        target,
        [[(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(t)), None)] for t in biggest_first],
        log,
        "vacuum",
    )
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(_marker(size))
            )
        )


def drop_database(size: int) -> None:
    """Drop the database of ``size`` customers, if there is one."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(size))
            )
        )


def _reusable(size: int) -> bool:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        found = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (database_name(size),),
        ).fetchone()
    return (
        found is not None
        and found[0] == _marker(size)
        and (unerased_customers(database_url(size)) >= size * FRESH_ENOUGH)
    )


Statement = str | sql.Composed


def _run(url: str, statements: Sequence[Statement]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _parallel(
    url: str,
    jobs: Sequence[Sequence[tuple[Statement, dict[str, object] | None]]],
    log: Callable[[str], None],
    what: str,
) -> None:
    """Run each job's statements on its own connection, two jobs at a time."""

    def run(job: Sequence[tuple[Statement, dict[str, object] | None]]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            conn.execute("SET maintenance_work_mem = '512MB'")
            for statement, params in job:
                conn.execute(statement, params)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, jobs))
    log(f"  {what}: {time.perf_counter() - start:.1f} s")


def unerased_customers(url: str) -> int:
    """Customers whose e-mail address is not yet a keyed hash."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        found = conn.execute(
            "SELECT count(*) FROM customers WHERE email NOT LIKE 'hmac:%'"
        ).fetchone()
    assert found is not None
    return int(found[0])


def pick_emails(url: str, n: int) -> list[str]:
    """``n`` distinct e-mail addresses of random customers not yet erased (fewer if short)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT email FROM customers WHERE email NOT LIKE 'hmac:%%' ORDER BY random() LIMIT %s",
            (n,),
        ).fetchall()
    return [email for (email,) in rows]
