"""``skydd users`` and ``skydd tokens``: secrets are printed once; bad input is one line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from skydd.cli.main import app

pytestmark = pytest.mark.promise("P12")

runner = CliRunner()


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"SKYDD_DATABASE__URL": db_url}


def test_first_admin_gets_a_one_time_password_printed_once(env: dict[str, str]) -> None:
    added = runner.invoke(app, ["users", "add", "root", "--admin"], env=env)
    assert added.exit_code == 0, added.output
    lines = [line for line in added.output.splitlines() if line.startswith("one-time password: ")]
    assert len(lines) == 1
    password = lines[0].removeprefix("one-time password: ")
    assert len(password) >= 20
    listed = runner.invoke(app, ["users", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert password not in listed.output
    (user,) = json.loads(listed.output)
    assert user["username"] == "root"
    assert user["roles"] == ["admin"]
    assert "password_hash" not in user


def test_password_from_stdin_set_role_and_disable(env: dict[str, str]) -> None:
    added = runner.invoke(
        app,
        ["users", "add", "alice", "--role", "dpo", "--password-stdin"],
        env=env,
        input="correct horse battery staple\n",
    )
    assert added.exit_code == 0, added.output
    assert "one-time password" not in added.output
    changed = runner.invoke(app, ["users", "set-role", "alice", "--role", "hr"], env=env)
    assert changed.exit_code == 0, changed.output
    assert "alice: hr" in changed.output
    disabled = runner.invoke(app, ["users", "disable", "alice"], env=env)
    assert disabled.exit_code == 0, disabled.output
    listed = runner.invoke(app, ["users", "list"], env=env)
    assert "alice\thr\tdisabled" in listed.output


def test_unknown_role_is_one_line_and_exit_2(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["users", "add", "bob", "--role", "wizard"], env=env)
    assert result.exit_code == 2
    assert result.output.startswith("error: unknown role 'wizard'")
    assert len(result.output.strip().splitlines()) == 1


def test_token_is_printed_once_listed_without_secret_and_revoked(env: dict[str, str]) -> None:
    runner.invoke(app, ["users", "add", "root", "--admin"], env=env)
    created = runner.invoke(
        app,
        [
            "tokens",
            "create",
            "--name",
            "website",
            "--scope",
            "requests:write",
            "--scope",
            "consent:write",
            "--days",
            "30",
            "--owner",
            "root",
        ],
        env=env,
    )
    assert created.exit_code == 0, created.output
    tokens = [line for line in created.output.splitlines() if line.startswith("skydd_")]
    assert len(tokens) == 1
    token_id = tokens[0].split("_")[1]
    listed = runner.invoke(app, ["tokens", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert tokens[0] not in listed.output
    (token,) = json.loads(listed.output)
    assert token["token_id"] == token_id
    assert token["scopes"] == ["consent:write", "requests:write"]
    assert token["expires_at"] is not None
    revoked = runner.invoke(app, ["tokens", "revoke", token_id], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(app, ["tokens", "list"], env=env).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "root"], "error: unknown scope 'root'"),
        (["--scope", "audit:read", "--expires", "soon"], "error: --expires takes a date"),
        (["--scope", "audit:read", "--owner", "nobody"], "error: no user with that name"),
    ],
)
def test_bad_token_input_is_one_line_and_exit_2(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["tokens", "create", "--name", "x", *args], env=env)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
