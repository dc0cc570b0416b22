"""A register whose datasets the SQL connector would refuse is refused when it is loaded.

Every case is checked twice: the register names the problem on its path, and the
dataset graph a request would build from the same datasets refuses them too, so the
load-time check and the run-time one cannot drift apart unnoticed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fideslang import models as fl
from typer.testing import CliRunner

from skydd.cli.main import app
from skydd.domain.dataset_graph import build_dataset_graph
from skydd.domain.errors import InvalidInput, InvalidRegisterError
from skydd.domain.register import Register, dangling_references
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT
from tests.connectors.conftest import SHOP, read_datasets

FLOW = ROOT / "tests" / "data" / "datasets" / "dsr_flow" / "dataset.yml"
PLATFORM = "mestro_platform"
REFERENCE = ("datasets", 0, "collections", "orders", "fields", "customer_id")

Edit = Callable[[dict[str, Any]], None]


def raw_flow_dataset() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(FLOW.read_text(encoding="utf-8"))["dataset"][0]
    return raw


def collection(raw: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in raw["collections"] if c["name"] == name)
    return found


def field(raw: dict[str, Any], collection_name: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        f for f in collection(raw, collection_name)["fields"] if f["name"] == name
    )
    return found


def flow_dataset(edit: Edit | None = None) -> fl.Dataset:
    """The flow shop's dataset, changed by ``edit``."""
    raw = raw_flow_dataset()
    if edit is not None:
        edit(raw)
    return fl.Dataset.model_validate(raw)


def mestro_with(datasets: list[fl.Dataset], platform_datasets: list[str]) -> Register:
    """Mestro, its own platform naming ``platform_datasets``, holding ``datasets``."""
    mestro = load_register(MESTRO)
    systems = [
        s.model_copy(update={"datasets": platform_datasets}) if s.key == PLATFORM else s
        for s in mestro.systems
    ]
    return Register.model_validate(
        mestro.model_copy(update={"systems": systems, "datasets": datasets}).model_dump()
    )


def refer_orders_to(target: str) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        ref = field(raw, "orders", "customer_id")["fides_meta"]["references"][0]
        ref.update(dict(zip(("dataset", "field"), target.split(":"), strict=True)))

    return edit


def nested_identity(raw: dict[str, Any]) -> None:
    collection(raw, "customers")["fields"].append(
        {
            "name": "profile",
            "fides_meta": {"data_type": "object"},
            "fields": [{"name": "mail", "fides_meta": {"identity": "email"}}],
        }
    )


def nested_reference(raw: dict[str, Any]) -> None:
    collection(raw, "orders")["fields"].append(
        {
            "name": "extra",
            "fields": [
                {
                    "name": "buyer",
                    "fides_meta": {
                        "references": [{"dataset": "flow_shop", "field": "customers.id"}]
                    },
                }
            ],
        }
    )


def erase_after_nowhere(raw: dict[str, Any]) -> None:
    collection(raw, "invoices")["fides_meta"] = {"erase_after": ["flow_shop.receipts"]}


def after_nowhere(raw: dict[str, Any]) -> None:
    raw["fides_meta"] = {"after": ["ledger"]}


CUSTOMER_PROFILE = ("datasets", 0, "collections", "customers", "fields", "profile")
ORDERS_EXTRA = ("datasets", 0, "collections", "orders", "fields", "extra")


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        pytest.param(
            refer_orders_to("flow_shop:clients.id"),
            (*REFERENCE, "fides_meta", "references", 0),
            "flow_shop.orders.customer_id refers to unknown collection flow_shop.clients",
            id="missing-collection",
        ),
        pytest.param(
            refer_orders_to("crm:customers.id"),
            (*REFERENCE, "fides_meta", "references", 0),
            "flow_shop.orders.customer_id refers to unknown dataset 'crm'",
            id="missing-dataset",
        ),
        pytest.param(
            refer_orders_to("flow_shop:customers.number"),
            (*REFERENCE, "fides_meta", "references", 0),
            "flow_shop.orders.customer_id refers to unknown field flow_shop.customers.number",
            id="missing-field",
        ),
        pytest.param(
            refer_orders_to("flow_shop:customers.id.value"),
            (*REFERENCE, "fides_meta", "references", 0),
            "flow_shop.orders.customer_id refers into the nested field"
            " flow_shop.customers.id.value; a SQL dataset refers to whole columns",
            id="into-nested-field",
        ),
        pytest.param(
            nested_identity,
            (*CUSTOMER_PROFILE, "fields", "mail", "fides_meta", "identity"),
            "flow_shop.customers.profile.mail: a nested field cannot be an identity"
            " in a SQL dataset",
            id="nested-identity",
        ),
        pytest.param(
            nested_reference,
            (*ORDERS_EXTRA, "fields", "buyer", "fides_meta", "references"),
            "flow_shop.orders.extra.buyer: a nested field cannot hold a reference in a SQL dataset",
            id="nested-reference",
        ),
        pytest.param(
            erase_after_nowhere,
            ("datasets", 0, "collections", "invoices", "fides_meta", "erase_after", 0),
            "flow_shop.invoices: 'erase_after' names unknown collection flow_shop.receipts",
            id="erase-after-nowhere",
        ),
        pytest.param(
            after_nowhere,
            ("datasets", 0, "fides_meta", "after", 0),
            "flow_shop: 'after' names unknown dataset 'ledger'",
            id="after-nowhere",
        ),
    ],
)
def test_a_dataset_the_connector_would_refuse_is_a_register_problem(
    edit: Edit, path: tuple[str | int, ...], message: str
) -> None:
    dataset = flow_dataset(edit)
    register = mestro_with([dataset], [dataset.fides_key])
    assert dangling_references(register) == [(path, message)]
    with pytest.raises(InvalidInput):
        build_dataset_graph([dataset])


def test_the_flow_shop_dataset_passes_and_plans() -> None:
    dataset = flow_dataset()
    assert dangling_references(mestro_with([dataset], ["flow_shop"])) == []
    graph = build_dataset_graph([dataset])
    assert len(graph.collections) == 3


def test_a_dataset_no_system_names_is_still_checked() -> None:
    dataset = flow_dataset(refer_orders_to("flow_shop:clients.id"))
    [(path, _)] = dangling_references(mestro_with([dataset], []))
    assert path == (*REFERENCE, "fides_meta", "references", 0)


def test_a_system_must_name_every_dataset_its_datasets_refer_to() -> None:
    shop, support = read_datasets(SHOP / "dataset.yml")
    assert (shop.fides_key, support.fides_key) == ("skydd_shop", "skydd_support")
    both = [shop.fides_key, support.fides_key]
    assert dangling_references(mestro_with([shop, support], both)) == []

    only_support = mestro_with([shop, support], [support.fides_key])
    index = next(i for i, s in enumerate(only_support.systems) if s.key == PLATFORM)
    assert dangling_references(only_support) == [
        (
            ("systems", index, "datasets"),
            "skydd_support.tickets.customer_id needs dataset 'skydd_shop', which system"
            " 'mestro_platform' does not name; a system's datasets are searched together,"
            " in its one database",
        )
    ]
    with pytest.raises(InvalidInput, match="unknown dataset 'skydd_shop'"):
        build_dataset_graph([support])  # what a request on that system would build


def test_a_dataset_key_given_twice_is_a_register_problem() -> None:
    dataset = flow_dataset()
    register = mestro_with([dataset, dataset], ["flow_shop"])
    assert dangling_references(register) == [
        (("datasets", 1, "fides_key"), "duplicate dataset 'flow_shop'")
    ]
    with pytest.raises(InvalidInput, match="appears twice"):
        build_dataset_graph([dataset, dataset])


# --- from a register folder, and through `skydd register check` / `register load` ----------

BROKEN_LINE = "                - {dataset: flow_shop, field: clients.id, direction: from}"


def mestro_folder(tmp_path: Path, dataset_text: str) -> Path:
    """A copy of Mestro whose platform names the flow shop, described in ``datasets.yaml``."""
    folder = tmp_path / "mestro"
    shutil.copytree(MESTRO, folder)
    systems = folder / "systems.yaml"
    text = systems.read_text(encoding="utf-8")
    anchor = f"  - key: {PLATFORM}\n"
    assert text.count(anchor) == 1
    systems.write_text(
        text.replace(anchor, f"{anchor}    datasets: [flow_shop]\n"), encoding="utf-8"
    )
    (folder / "datasets.yaml").write_text(dataset_text, encoding="utf-8")
    return folder


def broken_text() -> str:
    text = FLOW.read_text(encoding="utf-8")
    good = "                - {dataset: flow_shop, field: customers.id, direction: from}"
    assert text.count(good) == 1
    return text.replace(good, BROKEN_LINE)


def test_load_names_the_file_line_and_path_of_a_reference_to_nowhere(tmp_path: Path) -> None:
    folder = mestro_folder(tmp_path, broken_text())
    with pytest.raises(InvalidRegisterError) as caught:
        load_register(folder)
    [problem] = caught.value.problems
    assert problem.file == "mestro/datasets.yaml"
    assert problem.field == (
        "datasets[0].collections.orders.fields.customer_id.fides_meta.references[0]"
    )
    assert problem.message == (
        "flow_shop.orders.customer_id refers to unknown collection flow_shop.clients"
    )
    # fideslang sorts collections by name, so the path names them and the line is the
    # dataset's own `collections:`; never another dataset's or another file's line.
    lines = (folder / "datasets.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.line == lines.index("    collections:") + 1


def test_the_same_folder_with_the_reference_mended_loads(tmp_path: Path) -> None:
    folder = mestro_folder(tmp_path, FLOW.read_text(encoding="utf-8"))
    register = load_register(folder)
    assert [d.fides_key for d in register.datasets] == ["flow_shop"]
    assert next(s for s in register.systems if s.key == PLATFORM).datasets == ["flow_shop"]


runner = CliRunner()


def test_register_check_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    folder = mestro_folder(tmp_path, broken_text())
    result = runner.invoke(app, ["register", "check", str(folder)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: mestro/datasets.yaml:{_collections_line(folder)}: datasets[0].collections"
        ".orders.fields.customer_id.fides_meta.references[0]: flow_shop.orders.customer_id"
        " refers to unknown collection flow_shop.clients"
    ]
    assert "Traceback" not in result.output


def test_register_load_refuses_it_before_touching_the_database(tmp_path: Path) -> None:
    folder = mestro_folder(tmp_path, broken_text())
    database = tmp_path / "skydd.db"
    env = {"SKYDD_DATABASE__URL": f"sqlite:///{database}"}
    result = runner.invoke(app, ["register", "load", str(folder)], env=env)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: mestro/datasets.yaml:")
    assert line.endswith("refers to unknown collection flow_shop.clients")
    assert "Traceback" not in result.output
    assert not database.exists()


def _collections_line(folder: Path) -> int:
    lines = (folder / "datasets.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index("    collections:") + 1


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("flow_shop.customers.restricted", None),
        ("flow_shop.customers.blocked", "'flow_shop.customers.blocked' names no field"),
        ("flow_shop.restricted", "'flow_shop.restricted' names no field"),
        ("ledger.customers.restricted", "is not in a dataset system 'mestro_platform' names"),
    ],
)
def test_a_restriction_flag_must_be_a_field_of_the_systems_own_datasets(
    flag: str, message: str | None
) -> None:
    register = mestro_with([flow_dataset()], ["flow_shop"])
    index, platform = next((i, s) for i, s in enumerate(register.systems) if s.key == PLATFORM)
    systems = list(register.systems)
    systems[index] = platform.model_copy(update={"restriction_flag": flag})
    found = dangling_references(register.model_copy(update={"systems": systems}))
    if message is None:
        assert found == []
    else:
        [(path, text)] = found
        assert path == ("systems", index, "restriction_flag") and message in text
