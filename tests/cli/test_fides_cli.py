"""`skydd register export-fides` / `import-fides`: byte-stable round trips through files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fideslang import models as fl
from fideslang.manifests import ingest_manifests
from fideslang.parse import load_manifests_into_taxonomy
from typer.testing import CliRunner

from skydd.cli.main import app
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT, SECOND_ORG

runner = CliRunner()
EXAMPLES = pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
FIDES_EXAMPLE = (
    ROOT.parent
    / "shared"
    / "fixtures"
    / "fides_postgres_example"
    / "postgres_example_test_dataset.yml"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SKYDD_DATABASE__URL": f"sqlite:///{tmp_path / 'unused.db'}"}


def invoke(args: list[str], env: dict[str, str]) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output


@EXAMPLES
def test_export_import_export_gives_identical_bytes(
    folder: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    first, second = tmp_path / "first.yml", tmp_path / "second.yml"
    invoke(["register", "export-fides", str(folder), "--output", str(first)], env)
    invoke(["register", "import-fides", str(first), "--into", str(tmp_path / "reg")], env)
    invoke(["register", "export-fides", str(tmp_path / "reg"), "--output", str(second)], env)
    assert second.read_bytes() == first.read_bytes()


@EXAMPLES
def test_import_with_base_writes_the_same_register(
    folder: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    manifests = tmp_path / "manifests"
    invoke(["register", "export-fides", str(folder), "--output", str(manifests)], env)
    assert sorted(p.name for p in manifests.iterdir()) == [
        "data_category.yml",
        "data_subject.yml",
        "organization.yml",
        "system.yml",
    ]
    into = tmp_path / "reg"
    args = ["register", "import-fides", str(manifests), "--into", str(into)]
    invoke([*args, "--base", str(folder)], env)
    assert load_register(into) == load_register(folder)


def test_fideslang_reads_the_exported_manifest(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "mestro.yml"
    invoke(["register", "export-fides", str(MESTRO), "--output", str(out)], env)
    taxonomy = load_manifests_into_taxonomy(ingest_manifests(str(out)))
    register = load_register(MESTRO)
    assert [s.fides_key for s in taxonomy.system] == sorted(s.key for s in register.systems)
    assert [o.fides_key for o in taxonomy.organization] == ["mestro"]


def test_import_reports_placeholders(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "m.yml"
    invoke(["register", "export-fides", str(SECOND_ORG), "--output", str(out)], env)
    result = runner.invoke(
        app, ["register", "import-fides", str(out), "--into", str(tmp_path / "r")], env=env
    )
    assert result.exit_code == 0, result.output
    purposes = len(load_register(SECOND_ORG).purposes)
    assert f"{2 * purposes} placeholders to fill" in result.stderr
    assert "purposes.0.name.en" in result.stderr


def test_third_party_dataset_comes_back_field_for_field(
    tmp_path: Path, env: dict[str, str]
) -> None:
    into, out = tmp_path / "reg", tmp_path / "out.yml"
    invoke(["register", "import-fides", str(FIDES_EXAMPLE), "--into", str(into)], env)
    invoke(["register", "export-fides", str(into), "--output", str(out)], env)
    original = yaml.safe_load(FIDES_EXAMPLE.read_text(encoding="utf-8"))["dataset"]
    exported = yaml.safe_load(out.read_text(encoding="utf-8"))["dataset"]
    assert [fl.Dataset.model_validate(d) for d in exported] == [
        fl.Dataset.model_validate(d) for d in original
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.yml", "no such manifest file or folder"),
        (lambda d: write(d / "bad.yml", "organisation:\n  key: x\n"), "is not a fides resource"),
        (lambda d: write(d / "bad.yml", "system:\n  - name: x\n"), "system[0] (?): fides_key"),
    ],
)
def test_bad_manifests_are_one_line_and_exit_2(
    make: Callable[[Path], Path], message: str, tmp_path: Path, env: dict[str, str]
) -> None:
    path = make(tmp_path)
    result = runner.invoke(
        app, ["register", "import-fides", str(path), "--into", str(tmp_path / "r")], env=env
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_refuses_a_folder_that_holds_a_register(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "m.yml"
    invoke(["register", "export-fides", str(MESTRO), "--output", str(out)], env)
    result = runner.invoke(
        app, ["register", "import-fides", str(out), "--into", str(MESTRO)], env=env
    )
    assert result.exit_code == 2
    assert "already holds YAML files" in result.stderr


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
