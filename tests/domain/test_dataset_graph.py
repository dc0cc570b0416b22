"""Planning the traversal of fideslang datasets: ours, Fides's own example, and bad ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fideslang import models as fl
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.dataset_graph import (
    CollectionAddress,
    FieldAddress,
    Identity,
    build_dataset_graph,
)
from skydd.domain.errors import InvalidInput
from skydd.domain.traversal import Lookup, TraversalPlan, plan_traversal
from tests.conftest import ROOT

pytestmark = pytest.mark.promise("P17")

DATASETS = ROOT / "tests" / "data" / "datasets"
FIDES = "postgres_example_test_dataset"


def read(path: Path) -> list[fl.Dataset]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [fl.Dataset.model_validate(d) for d in raw["dataset"]]


def shop(collection: str) -> CollectionAddress:
    return CollectionAddress("skydd_shop", collection)


def fides(collection: str, field: str | None = None) -> Any:
    address = CollectionAddress(FIDES, collection)
    return address if field is None else FieldAddress(address, field)


TICKETS = CollectionAddress("skydd_support", "tickets")


def outline(plan: TraversalPlan) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each step as (collection, [(field, source)]), sources as text."""
    return [
        (
            str(s.collection.address),
            [
                (lk.field, lk.source.name if isinstance(lk.source, Identity) else str(lk.source))
                for lk in s.lookups
            ],
        )
        for s in plan.steps
    ]


def test_the_shop_plan_follows_references_in_every_direction_and_across_datasets() -> None:
    plan = plan_traversal(build_dataset_graph(read(DATASETS / "shop" / "dataset.yml")), ["email"])
    assert outline(plan) == [
        ("skydd_shop:customers", [("email", "email")]),
        ("skydd_support:tickets", [("contact_email", "email"),
                                   ("customer_id", "skydd_shop:customers.id")]),
        ("skydd_shop:addresses", [("id", "skydd_shop:customers.address_id")]),
        ("skydd_shop:orders", [("customer_id", "skydd_shop:customers.id")]),
        ("skydd_shop:invoices", [("order_id", "skydd_shop:orders.id")]),
        ("skydd_shop:order_items", [("order_id", "skydd_shop:orders.id")]),
    ]  # fmt: skip
    assert plan.unreachable == (shop("products"),)
    assert plan.erasure_order == (
        shop("order_items"),
        shop("invoices"),
        shop("orders"),
        TICKETS,
        shop("customers"),
        shop("addresses"),
    )
    assert FieldAddress(shop("customers"), "id") in plan.reference_fields
    assert FieldAddress(shop("customers"), "email") not in plan.reference_fields


def test_only_the_identities_given_seed_the_traversal() -> None:
    graph = build_dataset_graph(read(DATASETS / "shop" / "dataset.yml"))
    assert graph.identity_names == {"email", "phone_number"}
    by_phone = plan_traversal(graph, ["phone_number"])
    assert by_phone.steps[0].lookups == (Lookup("phone", Identity("phone_number")),)
    assert by_phone.step(TICKETS).lookups == (
        Lookup("customer_id", FieldAddress(shop("customers"), "id")),
    )
    nothing = plan_traversal(graph, ["personnummer"])
    assert nothing.steps == () and nothing.erasure_order == ()
    assert len(nothing.unreachable) == len(graph.collections)


def test_fields_carry_categories_keys_identities_and_lengths() -> None:
    graph = build_dataset_graph(read(DATASETS / "fides_postgres_example" / "dataset.yml"))
    customer = graph.collections[fides("customer")]
    assert customer.primary_key == ("id",)
    assert customer.field("email").data_categories == ("user.contact.email",)
    assert customer.field("email").identity == "email"
    assert customer.field("name").length == 40
    assert graph.collections[fides("order_item")].primary_key == ()  # reflected by connectors
    assert customer.schema is None


def test_the_fides_postgres_example_plans_as_fides_traverses_it() -> None:
    plan = plan_traversal(
        build_dataset_graph(read(DATASETS / "fides_postgres_example" / "dataset.yml")), ["email"]
    )
    p = f"{FIDES}:"
    assert outline(plan) == [
        (p + "customer", [("email", "email")]),
        (p + "employee", [("email", "email")]),
        (p + "report", [("email", "email")]),
        (p + "service_request", [("alt_email", "email"), ("email", "email"),
                                 ("employee_id", p + "employee.id")]),
        (p + "visit", [("email", "email")]),
        (p + "login", [("customer_id", p + "customer.id")]),
        (p + "orders", [("customer_id", p + "customer.id")]),
        (p + "payment_card", [("customer_id", p + "customer.id")]),
        (p + "address", [("id", p + "customer.address_id"), ("id", p + "employee.address_id"),
                         ("id", p + "orders.shipping_address_id"),
                         ("id", p + "payment_card.billing_address_id")]),
        (p + "order_item", [("order_id", p + "orders.id")]),
        (p + "product", [("id", p + "order_item.product_id")]),
    ]  # fmt: skip
    assert plan.unreachable == ()
    order = plan.erasure_order
    for dependant, referenced in [("payment_card", "address"), ("order_item", "product"),
                                  ("orders", "customer"), ("customer", "address")]:  # fmt: skip
        assert order.index(fides(dependant)) < order.index(fides(referenced))


def dataset(key: str, *collections: dict[str, Any], **extra: Any) -> fl.Dataset:
    return fl.Dataset.model_validate({"fides_key": key, "collections": list(collections), **extra})


def coll(name: str, *fields: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {"name": name, "fields": list(fields), **({"fides_meta": meta} if meta else {})}


def fld(name: str, *refs: tuple[str, str, str | None], **meta: Any) -> dict[str, Any]:
    references = [{"dataset": d, "field": f, "direction": dr} for d, f, dr in refs]
    meta = {**meta, **({"references": references} if references else {})}
    return {"name": name, "data_categories": ["user"], **({"fides_meta": meta} if meta else {})}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (fld("a_id", ("elsewhere", "a.id", "from")),
         "dataset 'd', collection 'b', field 'a_id': reference to unknown dataset 'elsewhere'"),
        (fld("a_id", ("d", "nope.id", "from")),
         "dataset 'd', collection 'b', field 'a_id': reference to unknown collection d.nope"),
        (fld("a_id", ("d", "a.nope", "from")),
         "dataset 'd', collection 'b', field 'a_id': reference to unknown field d.a.nope"),
        (fld("a_id", ("d", "a", "from")),
         "dataset 'd', collection 'b', field 'a_id': reference to unknown field d.a"),
        (fld("a_id", ("d", "a.doc.id", "from")),
         "dataset 'd', collection 'b', field 'a_id': reference into nested field d.a.doc.id"),
    ],
)  # fmt: skip
def test_a_reference_that_points_nowhere_is_invalid_input(
    field: dict[str, Any], message: str
) -> None:
    nested = {"name": "doc", "fields": [fld("id")]}
    bad = dataset("d", coll("a", fld("id", identity="email"), nested), coll("b", field))
    with pytest.raises(InvalidInput) as caught:
        build_dataset_graph([bad])
    assert caught.value.message.startswith(message)


def test_a_repeated_dataset_bad_ordering_keys_and_nested_identities_are_invalid_input() -> None:
    one = dataset("d", coll("a", fld("id")))
    with pytest.raises(InvalidInput, match="dataset 'd' appears twice"):
        build_dataset_graph([one, one])
    with pytest.raises(
        InvalidInput, match=r"collection 'a': ordering names unknown collection d\.z"
    ):
        build_dataset_graph([dataset("d", coll("a", fld("id"), erase_after=["d.z"]))])
    nested_identity = {"name": "doc", "fields": [fld("mail", identity="email")]}
    with pytest.raises(InvalidInput, match="field 'doc': a nested field cannot be an identity"):
        build_dataset_graph([dataset("d", coll("a", fld("id"), nested_identity))])


def test_cycles_start_nearest_the_identity_and_self_references_are_not_followed() -> None:
    graph = build_dataset_graph([
        dataset("d",
                coll("a", fld("id", identity="email"), fld("b_id", ("d", "b.id", None)),
                     fld("boss", ("d", "a.id", "to"))),
                coll("b", fld("id"), fld("c_id", ("d", "c.id", "to"))),
                coll("c", fld("id"), fld("a_id", ("d", "a.id", "to"))),
                coll("lonely", fld("id")))
    ])  # fmt: skip
    plan = plan_traversal(graph, ["email"])
    assert outline(plan) == [
        ("d:a", [("id", "email")]),
        ("d:b", [("id", "d:a.b_id")]),
        ("d:c", [("id", "d:b.c_id")]),
    ]
    assert plan.unreachable == (CollectionAddress("d", "lonely"),)


def test_skipped_collections_and_ordering_hints_are_honoured() -> None:
    graph = build_dataset_graph([
        dataset("d",
                coll("a", fld("id", identity="email")),
                coll("b", fld("a_id", ("d", "a.id", "from")), erase_after=["d.a"]),
                coll("c", fld("a_id", ("d", "a.id", "from")), skip_processing=True),
                coll("e", fld("mail", identity="email"), after=["d.b"]),
                fides_meta={"namespace": {"schema": "crm"}}),
    ])  # fmt: skip
    plan = plan_traversal(graph, ["email"])
    assert [str(s.collection.address) for s in plan.steps] == ["d:a", "d:b", "d:e"]
    assert plan.erasure_order == tuple(CollectionAddress("d", n) for n in ["e", "a", "b"])
    assert {s.collection.schema for s in plan.steps} == {"crm"}
    assert CollectionAddress("d", "c") not in plan.unreachable  # skipped, not unreachable


@st.composite
def reference_graphs(draw: st.DrawFn) -> fl.Dataset:
    """Up to 7 collections, each with an ``id``; random references and identities."""
    n = draw(st.integers(1, 7))
    collections = []
    for i in range(n):
        fields = [fld("id", **({"identity": "email"} if draw(st.booleans()) else {}))]
        for j in draw(st.sets(st.integers(0, n - 1), max_size=3)):
            direction = draw(st.sampled_from(["to", "from", None]))
            fields.append(fld(f"ref_{j}", ("g", f"c{j}.id", direction)))
        collections.append(coll(f"c{i}", *fields))
    return dataset("g", *collections)


@given(reference_graphs())
def test_every_lookup_is_fed_by_an_earlier_step_or_an_identity(graph_dataset: fl.Dataset) -> None:
    graph = build_dataset_graph([graph_dataset])
    plan = plan_traversal(graph, ["email"])
    order = [s.collection.address for s in plan.steps]
    assert len(set(order)) == len(order)
    assert set(order) | set(plan.unreachable) == set(graph.collections)
    assert sorted(plan.erasure_order) == sorted(order)
    for index, step in enumerate(plan.steps):
        assert step.lookups, "a planned collection is looked up by something"
        for lookup in step.lookups:
            if isinstance(lookup.source, Identity):
                assert step.collection.field(lookup.field).identity == "email"
            else:
                assert lookup.source.collection in order[:index]
