"""Rectification and the restriction flag on real SQLite, PostgreSQL and MariaDB.

A correction reaches every field of exactly its category in the person's rows and no
one else's, never a key, reference or read-only field; it reports old and new, writes
all or nothing and nothing the second time. The restriction flag is set and cleared
on the person's rows only, through the register's ``restriction_flag``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fideslang import models as fl
from sqlalchemy import Engine, event, text

from skydd.connectors.sql_datasets import SqlConnectorError, SqlDatasetConnector, json_value
from skydd.connectors.sql_rectification import correctable_fields
from skydd.connectors.sql_systems import SqlSystems
from skydd.domain.dataset_graph import CollectionAddress, FieldAddress, build_dataset_graph
from skydd.domain.errors import InvalidInput
from skydd.domain.rectification import CorrectedField, Correction, RectificationResult
from skydd.domain.register import Register
from skydd.domain.traversal import plan_traversal
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.connectors.conftest import DATASETS, read_datasets, run_sql

RECTIFICATION = pytest.mark.promise("P18")
RESTRICTION = pytest.mark.promise("P19")
SHOP = DATASETS / "rectification"
ANNA = {"email": ["anna@example.com"]}
CUSTOMERS = CollectionAddress("fix_shop", "customers")
ORDERS = CollectionAddress("fix_shop", "orders")
NEWSLETTER = CollectionAddress("fix_shop", "newsletter")
FLAG = FieldAddress(CUSTOMERS, "restricted")


@pytest.fixture
def shop(engine: Engine) -> Engine:
    """The shop of ``tests/data/datasets/rectification`` on each engine."""
    run_sql(engine, SHOP / "seed.sql")
    return engine


def connector(engine: Engine, *identities: str) -> SqlDatasetConnector:
    graph = build_dataset_graph(read_datasets(SHOP / "dataset.yml"))
    return SqlDatasetConnector(engine, plan_traversal(graph, identities or ["email"]))


def rows(engine: Engine, sql: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [
            {k: json_value(v) for k, v in r.items()} for r in conn.execute(text(sql)).mappings()
        ]


def snapshot(engine: Engine) -> dict[str, list[dict[str, object]]]:
    tables = ["customers", "orders", "newsletter"]
    return {t: rows(engine, f"SELECT * FROM {t} ORDER BY id") for t in tables}  # noqa: S608


def rectify(engine: Engine, *corrections: tuple[str, str]) -> RectificationResult:
    return connector(engine).rectify(ANNA, [Correction(c, v) for c, v in corrections])


def statements(engine: Engine) -> list[str]:
    """The SQL run on ``engine`` from now on, as it runs."""
    run: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: run.append(a[2]))
    return run


def updates(run: list[str]) -> list[str]:
    return [s for s in run if s.lstrip().upper().startswith("UPDATE")]


@RECTIFICATION
def test_a_correction_reaches_every_field_of_exactly_its_category(shop: Engine) -> None:
    before = snapshot(shop)
    result = rectify(shop, ("user.name", "Anna Berg"), ("user.contact.address.city", "Lund"))
    assert result.corrected == (  # in erasure order, each collection's fields by name
        CorrectedField(ORDERS, "recipient", 2, ("A. Svensson", "Anna Svensson"), "Anna Berg"),
        CorrectedField(CUSTOMERS, "city", 1, old=("Uppsala",), new="Lund"),
        CorrectedField(CUSTOMERS, "name", 1, old=("Anna Svensson",), new="Anna Berg"),
    )
    assert dict(result.rows_updated) == {ORDERS: 2, CUSTOMERS: 1}
    after = snapshot(shop)
    assert after["customers"][0] == {
        **before["customers"][0],
        "name": "Anna Berg",  # signup_name is read-only, address is the city's parent
        "city": "Lund",
    }
    assert after["orders"][:2] == [
        {**order, "recipient": "Anna Berg"} for order in before["orders"][:2]
    ]
    assert after["customers"][1:] == before["customers"][1:]  # Bo
    assert after["orders"][2:] == before["orders"][2:]  # Bo's order
    assert after["newsletter"] == before["newsletter"]  # not reached by e-mail


@RECTIFICATION
def test_a_second_rectification_changes_nothing(shop: Engine) -> None:
    corrections = (("user.name", "Anna Berg"), ("user.contact.address.city", "Lund"))
    assert not rectify(shop, *corrections).changed_nothing
    before = snapshot(shop)
    run = statements(shop)
    again = rectify(shop, *corrections)
    assert again == RectificationResult()
    assert again.changed_nothing and again.rows_updated == {}
    assert updates(run) == []
    assert snapshot(shop) == before


@RECTIFICATION
def test_an_identity_field_can_be_corrected(shop: Engine) -> None:
    result = rectify(shop, ("user.contact.email", "anna.berg@example.com"))
    assert result.corrected == (
        CorrectedField(CUSTOMERS, "email", 1, ("anna@example.com",), "anna.berg@example.com"),
    )
    assert rows(shop, "SELECT id, email FROM customers ORDER BY id") == [
        {"id": 1, "email": "anna.berg@example.com"},
        {"id": 2, "email": "bo@example.com"},
    ]
    conn = connector(shop)
    assert conn.access(ANNA) == {}
    assert [r["id"] for r in conn.access({"email": ["anna.berg@example.com"]})[CUSTOMERS]] == [1]
    moved = [Correction("user.contact.email", "anna.berg@example.com")]
    assert conn.rectify({"email": ["anna.berg@example.com"]}, moved).changed_nothing


@RECTIFICATION
def test_keys_and_references_are_never_corrected(shop: Engine) -> None:
    before = snapshot(shop)
    run = statements(shop)
    result = rectify(shop, ("user.unique_id", "99"))  # customers.id and orders.customer_id
    assert result == RectificationResult()
    assert updates(run) == []
    assert snapshot(shop) == before


@RECTIFICATION
def test_a_parent_or_child_category_is_not_corrected(shop: Engine) -> None:
    before = snapshot(shop)
    assert rectify(shop, ("user.contact", "Lund"), ("user", "Anna Berg")).changed_nothing
    assert rectify(shop, ("user.contact.address.city.name", "Lund")).changed_nothing
    assert snapshot(shop) == before


@RECTIFICATION
def test_numbers_and_dates_are_written_as_their_columns_hold_them(shop: Engine) -> None:
    corrections = (
        ("user.contact.address.postal_code", "75321"),
        ("user.demographic.date_of_birth", "1990-05-18"),
    )
    result = rectify(shop, *corrections)
    assert [(f.field, f.old, f.new) for f in result.corrected] == [
        ("birth_date", ("1990-05-17",), "1990-05-18"),
        ("postal_code", (75320,), "75321"),
    ]
    assert rows(shop, "SELECT postal_code, birth_date FROM customers ORDER BY id") == [
        {"postal_code": 75321, "birth_date": "1990-05-18"},
        {"postal_code": 22222, "birth_date": "1985-01-02"},
    ]
    assert rectify(shop, *corrections).changed_nothing


@RECTIFICATION
@pytest.mark.parametrize(
    ("category", "value", "message"),
    [
        ("user.contact.address.postal_code", "SE-753 21", "field 'postal_code': the corrected"
         " value is not an integer"),
        ("user.contact.address.postal_code", "9" * 12, "field 'postal_code': the corrected"
         " value is out of range for a 32-bit integer column"),
        ("user.demographic.date_of_birth", "18 May 1990", "field 'birth_date': the corrected"
         " value is not an ISO 8601 date (YYYY-MM-DD)"),
        ("user.contact.address.city", "Lund" * 26, "field 'city': the corrected value is longer"
         " than the column's 100 characters"),
    ],
)  # fmt: skip
def test_a_value_the_column_cannot_take_is_refused_and_nothing_is_written(
    shop: Engine, category: str, value: str, message: str
) -> None:
    before = snapshot(shop)
    run = statements(shop)
    with pytest.raises(SqlConnectorError) as caught:
        rectify(shop, ("user.name", "Anna Berg"), (category, value))
    assert caught.value.message == f"collection fix_shop:customers, {message}"
    assert value not in caught.value.message
    assert updates(run) == []  # refused before anything was sent
    assert snapshot(shop) == before


@RECTIFICATION
def test_a_name_longer_than_one_of_its_columns_is_refused_not_cut(shop: Engine) -> None:
    before = snapshot(shop)
    name = "Anna Maria Elisabeth Charlotta Svensson Berg"  # 44: fits orders, not customers
    with pytest.raises(SqlConnectorError) as caught:
        rectify(shop, ("user.name", name))
    assert caught.value.message == (
        "collection fix_shop:customers, field 'name': the corrected value is longer than the"
        " column's 40 characters"
    )
    assert snapshot(shop) == before


@RECTIFICATION
def test_a_write_the_database_refuses_rolls_back_every_collection(shop: Engine) -> None:
    before = snapshot(shop)
    conn = connector(shop)
    assert conn.plan.erasure_order.index(ORDERS) < conn.plan.erasure_order.index(CUSTOMERS)
    corrections = [
        Correction("user.name", "Anna Berg"),
        Correction("user.contact.address.city", "Atlantis"),
    ]
    run = statements(shop)
    with pytest.raises(SqlConnectorError) as caught:
        conn.rectify(ANNA, corrections)
    assert [s.split()[1].strip('"`') for s in updates(run)] == ["orders", "customers"]
    assert caught.value.collection == CUSTOMERS  # its city check failed
    assert "Atlantis" not in caught.value.message and "Anna" not in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert snapshot(shop) == before


@RECTIFICATION
def test_corrections_that_disagree_on_one_field_are_refused() -> None:
    both = fl.Dataset.model_validate({"fides_key": "crm", "collections": [{
        "name": "contacts",
        "fields": [
            {"name": "id", "data_categories": ["system.operations"],
             "fides_meta": {"primary_key": True, "identity": "email"}},
            {"name": "label", "data_categories": ["user.name", "user.contact.email"]},
        ],
    }]})  # fmt: skip
    plan = plan_traversal(build_dataset_graph([both]), ["email"])
    node = plan.steps[0].collection
    name, email = Correction("user.name", "Anna Berg"), Correction("user.contact.email", "a@x.test")
    assert correctable_fields(plan, node, [name]) == {"label": name}
    with pytest.raises(InvalidInput) as caught:
        correctable_fields(plan, node, [name, email])
    assert caught.value.message == (
        "collection crm:contacts, field 'label': it carries 'user.name', 'user.contact.email',"
        " whose corrections differ"
    )


@RESTRICTION
def test_the_flag_is_set_and_cleared_on_the_persons_rows_only(shop: Engine) -> None:
    conn = connector(shop)
    assert conn.flag(ANNA, FLAG, value=True) == 1
    assert flags(shop) == {1: True, 2: False}
    assert conn.flag(ANNA, FLAG, value=True) == 0
    assert conn.flag(ANNA, FLAG, value=False) == 1
    assert flags(shop) == {1: False, 2: False}
    run = statements(shop)
    assert conn.flag(ANNA, FLAG, value=False) == 0
    assert updates(run) == []


def flags(engine: Engine, table: str = "customers") -> dict[object, object]:
    found = rows(engine, f"SELECT id, restricted FROM {table} ORDER BY id")  # noqa: S608
    return {r["id"]: None if r["restricted"] is None else bool(r["restricted"]) for r in found}


@RESTRICTION
def test_a_flag_that_was_never_set_is_written(shop: Engine) -> None:
    with shop.begin() as conn:
        conn.execute(text("UPDATE newsletter SET restricted = NULL"))
    phone = {"phone_number": ["+46700000001"]}
    flag = FieldAddress(NEWSLETTER, "restricted")
    assert connector(shop, "phone_number").flag(phone, flag, value=False) == 1
    assert flags(shop, "newsletter") == {1: False}


@RESTRICTION
def test_a_flag_the_identities_do_not_reach_is_a_connector_error(shop: Engine) -> None:
    with pytest.raises(SqlConnectorError) as caught:
        connector(shop).flag(ANNA, FieldAddress(NEWSLETTER, "restricted"), value=True)
    assert caught.value.message == (
        "collection fix_shop:newsletter: the flag's collection is not reached from these kinds"
        " of identity"
    )
    with pytest.raises(SqlConnectorError, match="field 'id': the flag is not a field skydd may"):
        connector(shop).flag(ANNA, FieldAddress(CUSTOMERS, "id"), value=True)


def shop_register(restriction_flag: str | None) -> Register:
    mestro = load_register(MESTRO)
    platform = next(s for s in mestro.systems if s.key == "mestro_platform")
    system = platform.model_copy(
        update={"datasets": ["fix_shop"], "restriction_flag": restriction_flag}
    )
    return mestro.model_copy(
        update={"systems": [system], "datasets": read_datasets(SHOP / "dataset.yml")}
    )


@pytest.fixture
def systems(shop: Engine) -> Iterator[SqlSystems]:
    """The shop as the register's ``mestro_platform``."""
    connected = SqlSystems({"mestro_platform": shop.url.render_as_string(hide_password=False)})
    yield connected
    connected.close()


@RECTIFICATION
@RESTRICTION
def test_the_systems_rectify_and_restrict_through_the_register(
    shop: Engine, systems: SqlSystems
) -> None:
    register = shop_register("fix_shop.customers.restricted")
    fixed = systems.rectify(
        register, "mestro_platform", ANNA, [Correction("user.name", "Anna Berg")]
    )
    assert {f.field: f.rows for f in fixed.corrected} == {"recipient": 2, "name": 1}
    assert systems.restrict(register, "mestro_platform", ANNA, restricted=True) == 1
    assert flags(shop) == {1: True, 2: False}
    assert systems.restrict(register, "mestro_platform", ANNA, restricted=True) == 0
    assert systems.restrict(register, "mestro_platform", ANNA, restricted=False) == 1
    assert flags(shop) == {1: False, 2: False}


@RESTRICTION
def test_a_system_without_a_restriction_flag_cannot_be_restricted(
    shop: Engine, systems: SqlSystems
) -> None:
    with pytest.raises(InvalidInput) as caught:
        systems.restrict(shop_register(None), "mestro_platform", ANNA, restricted=True)
    assert str(caught.value).startswith(
        "system 'mestro_platform' has no restriction_flag in the register"
    )
    assert flags(shop) == {1: False, 2: False}
