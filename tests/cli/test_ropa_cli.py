"""`skydd ropa export`: every format to a file or stdout; bad input is one line and exit 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from skydd.cli.main import app
from skydd.domain.ropa import ROPA_COLUMNS
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG

runner = CliRunner()


@pytest.fixture
def no_db(tmp_path: Path) -> dict[str, str]:
    """An environment whose database is never touched when a register folder is given."""
    return {"SKYDD_DATABASE__URL": f"sqlite:///{tmp_path / 'unused.db'}"}


def test_export_xlsx_from_a_folder(tmp_path: Path, no_db: dict[str, str]) -> None:
    out = tmp_path / "ropa.xlsx"
    args = ["ropa", "export", "--format", "xlsx", "--output", str(out), str(MESTRO)]
    result = runner.invoke(app, args, env=no_db)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[0]
    assert sheet.max_row == 1 + len(load_register(MESTRO).purposes)
    assert sheet["B1"].value == "Behandling"
    assert not (tmp_path / "unused.db").exists()


def test_export_csv_in_english(tmp_path: Path, no_db: dict[str, str]) -> None:
    out = tmp_path / "ropa.csv"
    args = ["ropa", "export", "--format", "csv", "--output", str(out), "--lang", "en"]
    result = runner.invoke(app, [*args, str(SECOND_ORG)], env=no_db)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == [c.label("en") for c in ROPA_COLUMNS]
    assert len(rows) == 1 + len(load_register(SECOND_ORG).purposes)


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_text_formats_go_to_stdout_without_output(fmt: str, no_db: dict[str, str]) -> None:
    result = runner.invoke(app, ["ropa", "export", "--format", fmt, str(MESTRO)], env=no_db)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.stdout)["organisation"] == "mestro"
    else:
        assert result.stdout.startswith("<!DOCTYPE html>")


def test_export_from_the_stored_register(db_url: str, tmp_path: Path) -> None:
    env = {"SKYDD_DATABASE__URL": db_url}
    assert runner.invoke(app, ["register", "load", str(SECOND_ORG)], env=env).exit_code == 0
    out = tmp_path / "ropa.json"
    result = runner.invoke(
        app, ["ropa", "export", "--format", "json", "--output", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["organisation"] == "northwind_health"
    assert payload["language"] == "en"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "error: unknown format 'pdf'"),
        (["--format", "xlsx"], "error: --output is required for xlsx"),
        (["--format", "csv", "--lang", "de"], "error: the Art. 30 record has no such language"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, no_db: dict[str, str]
) -> None:
    result = runner.invoke(app, ["ropa", "export", *args, str(MESTRO)], env=no_db)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
