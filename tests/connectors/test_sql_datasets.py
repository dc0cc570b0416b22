"""The generic SQL connector on real SQLite, PostgreSQL and MariaDB: our shop dataset.

Access returns exactly one person's rows, in one read-only transaction with one query
per collection; erasure masks by category, keeps what a hold keeps, writes all or
nothing and does nothing the second time. At the end, the same on the Fides
project's PostgreSQL example, a dataset skydd did not write, against plain SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fideslang import models as fl
from sqlalchemy import Engine, create_engine, event, text

from skydd.connectors.sql_datasets import (
    AccessResult,
    SqlConnectorError,
    SqlDatasetConnector,
    json_value,
)
from skydd.domain.dataset_graph import CollectionAddress, build_dataset_graph
from skydd.domain.masking import (
    FieldHold,
    FixedMask,
    KeptField,
    KeyedHashMask,
    MaskedField,
    MaskingPolicy,
    MaskingStrategy,
    NullMask,
    StrategyResolver,
    TruncateDateMask,
)
from skydd.domain.retention import bookkeeping_hold_ends_on
from skydd.domain.traversal import plan_traversal
from skydd.storage.engine import make_engine
from tests.connectors.conftest import FIDES_EXAMPLE, SHOP, read_datasets, run_sql

ACCESS = pytest.mark.promise("P17")
ERASURE = pytest.mark.promise("P19")
HOLDS = pytest.mark.promise("P10")
ADA = {"email": ["ada@example.com"]}
KEY = b"skydd-test-key-0123456789abcdef!"


def in_shop(collection: str) -> CollectionAddress:
    return CollectionAddress("skydd_shop", collection)


TICKETS = CollectionAddress("skydd_support", "tickets")


def connector(
    engine: Engine, identities: Sequence[str] = ("email", "phone_number"), **kw: int
) -> SqlDatasetConnector:
    plan = plan_traversal(build_dataset_graph(read_datasets(SHOP / "dataset.yml")), identities)
    return SqlDatasetConnector(engine, plan, **kw)


def rows(engine: Engine, sql: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [
            {k: json_value(v) for k, v in r.items()} for r in conn.execute(text(sql)).mappings()
        ]


def bookkeeping(
    collection: CollectionAddress, field: str, categories: Sequence[str], row: object
) -> FieldHold | None:
    """The Bookkeeping Act keeps invoice rows; the fiscal year is the calendar year."""
    if collection != in_shop("invoices"):
        return None
    assert isinstance(row, dict)
    issued_on = dt.date.fromisoformat(str(row["issued_on"]))
    return FieldHold(bookkeeping_hold_ends_on(dt.date(issued_on.year, 12, 31)), "bookkeeping_act")


STRATEGIES: dict[str, MaskingStrategy] = {
    "user.contact.email": KeyedHashMask(KEY),
    "user.contact.phone_number": NullMask(),
    "user.name": FixedMask("(erased)"),
    "user.demographic.date_of_birth": TruncateDateMask("year"),
    "user.contact.address": NullMask(),
    "user.contact.address.city": FixedMask("(erased)"),
    "user.content": NullMask(),
}
POLICY = MaskingPolicy(StrategyResolver(STRATEGIES), holds=(bookkeeping,))


@ACCESS
def test_access_returns_exactly_the_persons_rows(shop: Engine) -> None:
    found = connector(shop).access(ADA)
    keys = {in_shop("order_items"): ("order_id", "line_no")}
    assert {a: sorted_by(found, a, *keys.get(a, ("id",))) for a in found} == {
        in_shop("customers"): [
            {"id": 1, "email": "ada@example.com", "phone": "+46701111111", "name": "Alex Example",
             "birth_date": "1990-05-17", "address_id": 10, "created_on": "2020-01-01"},
        ],
        in_shop("addresses"): [{"id": 10, "street": "1 Example Road", "city": "Exampleby"}],
        in_shop("orders"): [
            {"id": 2, "customer_id": 1, "placed_on": "2024-02-01",
             "delivery_note": "Leave at the door"},
            {"id": 3, "customer_id": 1, "placed_on": "2025-06-15", "delivery_note": None},
        ],
        in_shop("order_items"): [
            {"order_id": 2, "line_no": 1, "product_code": "P-1", "gift_message": "Happy birthday"},
            {"order_id": 2, "line_no": 2, "product_code": "P-2", "gift_message": None},
            {"order_id": 3, "line_no": 1, "product_code": "P-3", "gift_message": None},
        ],
        in_shop("invoices"): [
            {"id": 100, "order_id": 2, "issued_on": "2024-02-02", "billing_name": "Alex Example",
             "billing_email": "ada@example.com", "amount": 120},
            {"id": 102, "order_id": 3, "issued_on": "2025-06-16", "billing_name": "Alex Example",
             "billing_email": "ada@example.com", "amount": 35.5},
        ],
        TICKETS: [
            {"id": 1, "customer_id": 1, "contact_email": "ada@example.com",
             "body": "Where is my parcel?", "opened_at": "2024-02-05 10:15:00"},
            {"id": 3, "customer_id": None, "contact_email": "ada@example.com",
             "body": "Please unsubscribe me", "opened_at": "2024-04-01 08:30:00"},
            {"id": 4, "customer_id": 1, "contact_email": "desk@example.net",
             "body": "Called about a refund", "opened_at": "2024-04-02 14:00:00"},
        ],
    }  # fmt: skip
    json.dumps({str(k): v for k, v in found.items()})  # JSON-friendly all the way down


def sorted_by(found: AccessResult, address: CollectionAddress, *keys: str) -> list[Any]:
    return sorted(found[address], key=lambda r: tuple(r[k] for k in keys))


def ids(found: AccessResult, address: CollectionAddress, *keys: str) -> list[Any]:
    values = sorted(tuple(r[k] for k in keys) for r in found[address])
    return [v[0] for v in values] if len(keys) == 1 else values


@ACCESS
def test_access_by_phone_follows_the_references_to_the_other_person_only(shop: Engine) -> None:
    found = connector(shop).access({"phone_number": ["+46702222222"]})
    assert ids(found, in_shop("customers"), "id") == [2]
    assert ids(found, in_shop("addresses"), "id") == [11]
    assert ids(found, in_shop("orders"), "id") == [1]
    assert ids(found, in_shop("order_items"), "order_id", "line_no") == [(1, 1)]
    assert ids(found, in_shop("invoices"), "id") == [101]
    assert ids(found, TICKETS, "id") == [2]
    assert in_shop("products") not in found


@ACCESS
@ERASURE
def test_identities_with_no_match_give_an_empty_result(shop: Engine) -> None:
    conn = connector(shop)
    assert conn.access({"email": ["nobody@example.com"]}) == {}
    assert conn.access({}) == {}
    assert conn.erase({"email": ["nobody@example.com"]}, POLICY).changed_nothing


@ACCESS
def test_access_is_one_read_only_transaction_with_one_query_per_collection(shop: Engine) -> None:
    conn = connector(shop)
    conn.access(ADA)  # the first connection runs the dialect's own start-up queries
    statements: list[str] = []
    event.listen(shop, "before_cursor_execute", lambda *a: statements.append(a[2]))
    conn.access(ADA)
    opening = {"postgresql": "SET TRANSACTION READ ONLY", "sqlite": "BEGIN"}
    assert statements[0] == opening.get(shop.dialect.name, "START TRANSACTION READ ONLY")
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len(conn.plan.steps) == 6
    assert "ada@example.com" not in " ".join(statements)  # values are bound, never SQL text


@ACCESS
def test_long_identity_lists_go_in_chunks_and_find_the_union(shop: Engine) -> None:
    emails = [
        "ada@example.com",
        "a@example.net",
        "b@example.net",
        "c@example.net",
        "bo@example.com",
    ]
    statements: list[str] = []
    chunked = connector(shop, chunk_size=2)
    chunked.access(ADA)
    event.listen(shop, "before_cursor_execute", lambda *a: statements.append(a[2]))
    found = chunked.access({"email": emails})
    whole = connector(shop)
    ada, bo = whole.access(ADA), whole.access({"email": ["bo@example.com"]})
    for address in found:
        expected = sorted_by(ada, address, *_key(address)) if address in ada else []
        expected += bo.get(address, [])
        assert sorted(map(repr, found[address])) == sorted(map(repr, expected)), address
    assert sum(s.lstrip().upper().startswith("SELECT") for s in statements) > len(found)


def _key(address: CollectionAddress) -> tuple[str, ...]:
    return ("order_id", "line_no") if address == in_shop("order_items") else ("id",)


def snapshot(engine: Engine) -> dict[str, list[dict[str, object]]]:
    tables = ["addresses", "customers", "orders", "order_items", "invoices", "products", "tickets"]
    return {t: rows(engine, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}  # noqa: S608


@ERASURE
@HOLDS
def test_erasure_masks_by_category_and_keeps_what_the_bookkeeping_act_holds(shop: Engine) -> None:
    before = snapshot(shop)
    result = connector(shop).erase(ADA, POLICY)
    hashed = KeyedHashMask(KEY).mask("ada@example.com")
    assert rows(shop, "SELECT * FROM customers WHERE id = 1") == [
        {"id": 1, "email": hashed, "phone": None, "name": "(erased)", "birth_date": "1990-01-01",
         "address_id": 10, "created_on": "2020-01-01"}
    ]  # fmt: skip
    assert rows(shop, "SELECT street, city FROM addresses WHERE id = 10") == [
        {"street": None, "city": "(erased)"}
    ]
    assert rows(shop, "SELECT delivery_note FROM orders WHERE id IN (2, 3)") == [
        {"delivery_note": None},
        {"delivery_note": None},
    ]
    assert rows(shop, "SELECT contact_email, body FROM tickets WHERE id IN (1, 3, 4)") == [
        {"contact_email": KeyedHashMask(KEY).mask(e), "body": None}
        for e in ["ada@example.com", "ada@example.com", "desk@example.net"]
    ]
    assert rows(
        shop, "SELECT gift_message FROM order_items WHERE order_id = 2 AND line_no = 1"
    ) == [{"gift_message": None}]
    after = snapshot(shop)
    assert after["invoices"] == before["invoices"]  # held, all of it
    ada_rows = {"addresses": [10], "customers": [1], "orders": [2, 3], "tickets": [1, 3, 4]}
    for table, ada_ids in ada_rows.items():
        others = [r for r in before[table] if r["id"] not in ada_ids]
        assert [r for r in after[table] if r["id"] not in ada_ids] == others, table
    assert [r for r in after["order_items"] if r["order_id"] != 2] == [
        r for r in before["order_items"] if r["order_id"] != 2
    ]
    assert after["products"] == before["products"]
    assert set(result.masked) == {
        MaskedField(in_shop("customers"), "birth_date", 1, "truncate_date"),
        MaskedField(in_shop("customers"), "email", 1, "keyed_hash"),
        MaskedField(in_shop("customers"), "name", 1, "fixed"),
        MaskedField(in_shop("customers"), "phone", 1, "null"),
        MaskedField(in_shop("addresses"), "city", 1, "fixed"),
        MaskedField(in_shop("addresses"), "street", 1, "null"),
        MaskedField(in_shop("orders"), "delivery_note", 1, "null"),
        MaskedField(in_shop("order_items"), "gift_message", 1, "null"),
        MaskedField(TICKETS, "body", 3, "null"),
        MaskedField(TICKETS, "contact_email", 3, "keyed_hash"),
    }
    assert result.kept == (
        KeptField(
            in_shop("invoices"), "billing_email", 2, dt.date(2032, 12, 31), "bookkeeping_act"
        ),
        KeptField(in_shop("invoices"), "billing_name", 2, dt.date(2032, 12, 31), "bookkeeping_act"),
    )
    assert dict(result.rows_updated) == {
        in_shop("customers"): 1,
        in_shop("addresses"): 1,
        in_shop("orders"): 1,
        in_shop("order_items"): 1,
        TICKETS: 3,
    }
    assert connector(shop).erase(ADA, POLICY).changed_nothing


@ERASURE
@HOLDS
def test_a_second_erasure_that_finds_the_same_rows_changes_nothing(shop: Engine) -> None:
    keeps_identities = {k: v for k, v in STRATEGIES.items() if not k.startswith("user.contact")}
    policy = MaskingPolicy(StrategyResolver(keeps_identities), holds=(bookkeeping,))
    first = connector(shop).erase(ADA, policy)
    before = snapshot(shop)
    second = connector(shop).erase(ADA, policy)
    assert first.masked and not first.changed_nothing
    assert second.changed_nothing and second.rows_updated == {}
    assert (
        second.kept
        == first.kept
        == (
            KeptField(
                in_shop("invoices"), "billing_name", 2, dt.date(2032, 12, 31), "bookkeeping_act"
            ),
        )
    )
    assert snapshot(shop) == before


@ERASURE
def test_a_failed_write_rolls_back_every_collection(shop: Engine) -> None:
    before = snapshot(shop)
    city_nulled = MaskingPolicy(
        StrategyResolver({**STRATEGIES, "user.contact.address.city": NullMask()})
    )
    conn = connector(shop)
    assert conn.plan.erasure_order[-1] == in_shop("addresses")  # written last, after the others
    with pytest.raises(SqlConnectorError) as caught:
        conn.erase(ADA, city_nulled)  # addresses.city is NOT NULL
    assert "skydd_shop:addresses" in caught.value.message
    assert "ada@example.com" not in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert snapshot(shop) == before


@ACCESS
@ERASURE
def test_a_missing_table_is_a_connector_error_and_nothing_is_written(shop: Engine) -> None:
    with shop.begin() as conn:
        conn.execute(text("DROP TABLE tickets"))
    before = snapshot_without_tickets(shop)
    runs: list[Callable[[SqlDatasetConnector], object]] = [
        lambda c: c.access(ADA),
        lambda c: c.erase(ADA, POLICY),
    ]
    for run in runs:
        with pytest.raises(SqlConnectorError) as caught:
            run(connector(shop))
        assert caught.value.message == "collection skydd_support:tickets: the table does not exist"
        assert caught.value.collection == TICKETS
    assert snapshot_without_tickets(shop) == before


def snapshot_without_tickets(engine: Engine) -> dict[str, object]:
    return {t: rows(engine, f"SELECT * FROM {t} ORDER BY 1, 2") for t in ["customers", "orders"]}  # noqa: S608


def test_a_missing_column_is_named(shop: Engine) -> None:
    datasets = read_datasets(SHOP / "dataset.yml")
    customers = datasets[0].collections[1]
    customers.fields.append(customers.fields[3].model_copy(update={"name": "nickname"}))
    plan = plan_traversal(build_dataset_graph(datasets), ["email"])
    with pytest.raises(SqlConnectorError) as caught:
        SqlDatasetConnector(shop, plan).access(ADA)
    assert caught.value.message == (
        "collection skydd_shop:customers, field 'nickname': the column does not exist"
    )


def newsletter(*, email_is_key: bool) -> fl.Dataset:
    email_meta = {"identity": "email", "primary_key": email_is_key}
    return fl.Dataset.model_validate({"fides_key": "mail", "collections": [{
        "name": "newsletter",
        "fields": [
            {"name": "email", "data_categories": ["user.contact.email"], "fides_meta": email_meta},
            {"name": "name", "data_categories": ["user.name"]},
            {"name": "source", "data_categories": ["user.name"], "fides_meta": {"read_only": True}},
        ],
    }]})  # fmt: skip


@ERASURE
def test_without_a_primary_key_rows_are_read_but_not_erased(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE newsletter (email VARCHAR(100), name VARCHAR(100),"
                " source VARCHAR(100))"
            )
        )
        conn.execute(text("INSERT INTO newsletter VALUES"
                          " ('ada@example.com', 'Alex Example', 'Alex at the fair'),"
                          " ('bo@example.com', 'Bo', 'Bo online')"))  # fmt: skip
    unkeyed = SqlDatasetConnector(
        engine, plan_traversal(build_dataset_graph([newsletter(email_is_key=False)]), ["email"])
    )
    ada = {"email": "ada@example.com", "name": "Alex Example", "source": "Alex at the fair"}
    assert unkeyed.access(ADA) == {CollectionAddress("mail", "newsletter"): [ada]}
    with pytest.raises(SqlConnectorError) as caught:
        unkeyed.erase(ADA, POLICY)
    assert caught.value.message == "collection mail:newsletter: no primary key to update rows by"
    keyed = SqlDatasetConnector(
        engine, plan_traversal(build_dataset_graph([newsletter(email_is_key=True)]), ["email"])
    )
    result = keyed.erase(ADA, POLICY)
    assert result.masked == (
        MaskedField(CollectionAddress("mail", "newsletter"), "name", 1, "fixed"),
    )
    assert rows(engine, "SELECT * FROM newsletter ORDER BY email") == [
        {**ada, "name": "(erased)"},  # the key and the read-only field stay
        {"email": "bo@example.com", "name": "Bo", "source": "Bo online"},
    ]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/skydd_conn_nowhere",
        "mysql+pymysql://root@127.0.0.1:1/skydd_conn_nowhere",
        "sqlite:////nonexistent-directory/skydd/target.db",
    ],
)
def test_an_unreachable_database_is_a_connector_error(url: str) -> None:
    unreachable = create_engine(url)
    try:
        with pytest.raises(SqlConnectorError, match=r"^database: the database does not answer"):
            connector(unreachable).access(ADA)
    finally:
        unreachable.dispose()


def test_schema_qualified_collections(shop: Engine) -> None:
    datasets = read_datasets(SHOP / "dataset.yml")
    schema = {"postgresql": "public", "sqlite": "main"}.get(shop.dialect.name, shop.url.database)
    plan = plan_traversal(build_dataset_graph(with_schema(datasets, schema)), ["email"])
    assert {s.collection.schema for s in plan.steps} == {schema}
    found = SqlDatasetConnector(shop, plan).access(ADA)
    assert ids(found, in_shop("orders"), "id") == [2, 3]


def with_schema(datasets: list[fl.Dataset], schema: str | None) -> list[fl.Dataset]:
    return [
        d.model_copy(update={"fides_meta": fl.DatasetMetadata(namespace={"schema": schema})})
        for d in datasets
    ]


@pytest.fixture
def skydd_sqlite(tmp_path: Path) -> Iterator[Engine]:
    """SQLite through skydd's own engine factory (WAL, BEGIN IMMEDIATE)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'skydd-target.db'}")
    run_sql(engine, SHOP / "seed.sql")
    yield engine
    engine.dispose()


def test_works_on_an_engine_that_begins_its_own_transactions(skydd_sqlite: Engine) -> None:
    conn = connector(skydd_sqlite)
    assert ids(conn.access(ADA), in_shop("orders"), "id") == [2, 3]
    assert len(conn.erase(ADA, POLICY).masked) == 10
    assert conn.access(ADA) == {}


# The Fides PostgreSQL example: expected rows by hand-written SQL, alias ``t`` the table.
FIDES = "postgres_example_test_dataset"
FIDES_ROWS = {
    "customer": "FROM customer t WHERE t.email = :e",
    "employee": "FROM employee t WHERE t.email = :e",
    "report": "FROM report t WHERE t.email = :e",
    "visit": "FROM visit t WHERE t.email = :e",
    "service_request": "FROM service_request t WHERE t.email = :e OR t.alt_email = :e"
    " OR t.employee_id IN (SELECT m.id FROM employee m WHERE m.email = :e)",
    "login": "FROM login t JOIN customer c ON t.customer_id = c.id WHERE c.email = :e",
    "orders": "FROM orders t JOIN customer c ON t.customer_id = c.id WHERE c.email = :e",
    "payment_card": "FROM payment_card t JOIN customer c ON t.customer_id = c.id"
    " WHERE c.email = :e",
    "order_item": "FROM order_item t JOIN orders o ON t.order_id = o.id"
    " JOIN customer c ON o.customer_id = c.id WHERE c.email = :e",
    "product": "FROM product t WHERE t.id IN (SELECT i.product_id FROM order_item i"
    " JOIN orders o ON i.order_id = o.id JOIN customer c ON o.customer_id = c.id"
    " WHERE c.email = :e)",
    "address": "FROM address t WHERE t.id IN (SELECT c.address_id FROM customer c"
    " WHERE c.email = :e) OR t.id IN (SELECT m.address_id FROM employee m WHERE m.email = :e)"
    " OR t.id IN (SELECT o.shipping_address_id FROM orders o JOIN customer c"
    " ON o.customer_id = c.id WHERE c.email = :e) OR t.id IN (SELECT p.billing_address_id"
    " FROM payment_card p JOIN customer c ON p.customer_id = c.id WHERE c.email = :e)",
}
FIDES_PEOPLE = [
    "customer-1@example.com",
    "customer-2@example.com",
    "jane@example.com",
    "employee-1@example.com",
    "admin-account@example.com",
    "customer-3@example.com",
]
FIDES_KEYS = {
    "order_item": ("order_id", "item_no"),
    "visit": ("email", "last_visit"),
    "payment_card": ("id",),
}


def fides_connector(engine: Engine) -> SqlDatasetConnector:
    plan = plan_traversal(
        build_dataset_graph(read_datasets(FIDES_EXAMPLE / "dataset.yml")), ["email"]
    )
    return SqlDatasetConnector(engine, plan)


def fides_rows(engine: Engine, table: str, columns: Sequence[str], email: str) -> list[str]:
    """The rows plain SQL finds, each as sorted JSON so lists compare as multisets."""
    quote = engine.dialect.identifier_preparer.quote
    select = ", ".join(f"t.{quote(c)} AS {quote(c)}" for c in columns)
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT {select} {FIDES_ROWS[table]}"), {"e": email})
        return sorted(
            json.dumps({k: json_value(v) for k, v in r.items()}) for r in found.mappings()
        )


@ACCESS
def test_fides_example_access_equals_plain_sql(
    fides_example: Engine, subtests: pytest.Subtests
) -> None:
    conn = fides_connector(fides_example)
    for email in FIDES_PEOPLE:
        with subtests.test(email=email):
            found = conn.access({"email": [email]})
            assert found  # every one of them is somebody in the example
            for step in conn.plan.steps:
                table = step.collection.address.collection
                columns = [f.name for f in step.collection.fields]
                got = sorted(json.dumps(r) for r in found.get(step.collection.address, []))
                assert got == fides_rows(fides_example, table, columns, email), table


NULLED = {
    "customer": {"email", "name"},
    "login": {"time"},
    "payment_card": {"ccn", "code", "name", "preferred"},
    "address": {"city", "house", "state", "street", "zip"},
    "service_request": {"alt_email"},
}


@ERASURE
def test_fides_example_erasure_with_a_null_strategy(fides_example: Engine) -> None:
    email = "customer-1@example.com"
    keys = {t: FIDES_KEYS.get(t, ("id",)) for t in FIDES_ROWS}
    erased = {t: set(fides_rows(fides_example, t, keys[t], email)) for t in FIDES_ROWS}
    before = {t: fides_table(fides_example, t, keys[t]) for t in FIDES_ROWS}
    conn = fides_connector(fides_example)
    result = conn.erase({"email": [email]}, MaskingPolicy(StrategyResolver({"user": NullMask()})))
    for table in FIDES_ROWS:
        after = fides_table(fides_example, table, keys[table])
        assert after.keys() == before[table].keys()
        for key, row in after.items():
            nulled = NULLED.get(table, set()) if key in erased[table] else set()
            expected = {c: None if c in nulled else v for c, v in before[table][key].items()}
            assert row == expected, (table, key)
    assert {(m.collection.collection, m.field) for m in result.masked} == {
        (t, c) for t, cols in NULLED.items() for c in cols
    }
    assert result.rows_updated[CollectionAddress(FIDES, "login")] == 6
    assert result.rows_updated[CollectionAddress(FIDES, "address")] == 2
    once = {t: fides_table(fides_example, t, keys[t]) for t in FIDES_ROWS}
    second = conn.erase({"email": [email]}, MaskingPolicy(StrategyResolver({"user": NullMask()})))
    assert second.changed_nothing
    assert {t: fides_table(fides_example, t, keys[t]) for t in FIDES_ROWS} == once


def fides_table(engine: Engine, table: str, key: Sequence[str]) -> dict[str, dict[str, object]]:
    """Every row of ``table``, keyed as :func:`fides_rows` keys them."""
    found = rows(engine, f"SELECT * FROM {table}")  # noqa: S608
    return {json.dumps({k: r[k] for k in key}): r for r in found}
