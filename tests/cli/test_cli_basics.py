"""The command line: exit codes, one-line errors, the load → publish → diff path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skydd.cli.main import app
from tests.conftest import MESTRO, ROOT, SECOND_ORG

runner = CliRunner()


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"SKYDD_DATABASE__URL": db_url}


def test_python_dash_m_shows_the_nouns() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skydd", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for noun in ("db", "register", "policy", "ropa", "keys", "serve"):
        assert noun in result.stdout


def test_load_then_publish_then_diff(env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["register", "load", str(MESTRO)], env=env).exit_code == 0
    published = runner.invoke(app, ["policy", "publish", "--effective-on", "2026-12-01"], env=env)
    assert published.exit_code == 0, published.output
    assert "version 1 effective 2026-12-01" in published.output

    changed = tmp_path / "mestro"
    shutil.copytree(MESTRO, changed)
    taxonomy_text = (changed / "organisation.yaml").read_text(encoding="utf-8")
    (changed / "organisation.yaml").write_text(
        taxonomy_text.replace("name: Mestro", "name: Mestro Nordic", 1), encoding="utf-8"
    )
    assert runner.invoke(app, ["register", "load", str(changed)], env=env).exit_code == 0
    assert runner.invoke(app, ["policy", "publish"], env=env).exit_code == 0

    listed = runner.invoke(app, ["policy", "list", "--format", "json"], env=env)
    assert [v["number"] for v in json.loads(listed.stdout)] == [1, 2]

    diff = runner.invoke(app, ["policy", "diff", "1", "2", "--format", "json"], env=env)
    assert diff.exit_code == 0, diff.output
    payload = json.loads(diff.stdout)
    assert {"section": "organisation", "field": "name"}.items() <= payload["changes"][0].items()
    assert "Mestro Nordic" in payload["text_diff"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["policy", "diff", "1", "9"], "error: no policy version"),
        (["policy", "render", "--lang", "de"], "error: that language is not published"),
        (["register", "load", "does-not-exist"], "is not a register folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    env: dict[str, str], args: list[str], message: str
) -> None:
    runner.invoke(app, ["register", "load", str(MESTRO)], env=env)
    runner.invoke(app, ["policy", "publish"], env=env)
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_invalid_register_names_file_line_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "org"
    shutil.copytree(SECOND_ORG, broken)
    first = sorted(broken.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nsurprise: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["register", "check", str(broken)])
    assert result.exit_code == 2
    assert f"{first.relative_to(tmp_path)}:" in result.stderr
    assert "surprise: unknown key" in result.stderr


def test_render_from_a_folder_needs_no_database(tmp_path: Path) -> None:
    out = tmp_path / "policy.md"
    env = {"SKYDD_DATABASE__URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    result = runner.invoke(
        app, ["policy", "render", str(SECOND_ORG), "--output", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("#")
    assert ROOT.exists()
