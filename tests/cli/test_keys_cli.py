"""``skydd keys``: key material goes to stdout or a private file only; ``show`` prints ids."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skydd.cli.keys import app
from skydd.storage.keyring import KeyringError, parse_keyring, read_keyring

pytestmark = pytest.mark.promise("P16")

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No configured keys, and a database (never touched) under tmp_path."""
    return {"SKYDD_DATABASE__URL": f"sqlite:///{tmp_path / 'skydd.db'}"}


def test_generate_prints_a_key_file_with_one_fresh_key(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    first = runner.invoke(app, ["generate"])
    second = runner.invoke(app, ["generate"])

    assert first.exit_code == 0, first.output
    keyring = parse_keyring(first.stdout)
    assert len(keyring.key_ids) == 1
    assert f"new active key {keyring.active}" in first.stderr
    assert parse_keyring(second.stdout).active != keyring.active
    material = json.loads(first.stdout)["keys"][keyring.active]
    assert material not in first.stderr
    assert material not in caplog.text


def test_generate_add_to_keeps_old_keys_and_activates_the_new(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(runner.invoke(app, ["generate"]).stdout, encoding="utf-8")
    old.chmod(0o600)

    result = runner.invoke(app, ["generate", "--add-to", str(old)])

    assert result.exit_code == 0, result.output
    before, after = read_keyring(old), parse_keyring(result.stdout)
    assert after.key_ids == (*before.key_ids, after.active)
    assert (
        json.loads(result.stdout)["keys"][before.active]
        == json.loads(old.read_text(encoding="utf-8"))["keys"][before.active]
    )


def test_generate_output_writes_a_private_file_and_prints_no_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    result = runner.invoke(app, ["generate", "--output", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_keyring(path).active in result.stderr

    again = runner.invoke(app, ["generate", "--output", str(path)])
    assert isinstance(again.exception, KeyringError)


def test_show_lists_ids_and_the_active_one_never_material(tmp_path: Path, env) -> None:
    path = tmp_path / "keys.json"
    runner.invoke(app, ["generate", "--output", str(path)])
    rotated = runner.invoke(app, ["generate", "--add-to", str(path)]).stdout
    keyring = parse_keyring(rotated)
    old, new = keyring.key_ids

    from_env = runner.invoke(app, ["show"], env={**env, "SKYDD_KEYS__KEYRING": rotated})
    from_file = runner.invoke(app, ["show"], env={**env, "SKYDD_KEYS__FILE": str(path)})
    from_option = runner.invoke(app, ["show", "--file", str(path)])

    assert from_env.exit_code == 0, from_env.output
    assert from_env.stdout == f"{old}\n{new} (active)\n"
    assert from_file.stdout == f"{old} (active)\n"
    assert from_option.stdout == from_file.stdout
    for material in json.loads(rotated)["keys"].values():
        assert material not in from_env.output


def test_show_without_configured_keys_says_how_to_configure(env) -> None:
    result = runner.invoke(app, ["show"], env=env)

    assert isinstance(result.exception, KeyringError)
    assert "SKYDD_KEYS__FILE" in result.exception.message
