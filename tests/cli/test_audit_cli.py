"""``skydd audit``: verify's exit codes, JSON-lines export, the anchor to publish (P16)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from skydd.cli.audit import cli_actor
from skydd.cli.main import app
from skydd.domain.audit import GENESIS, canonical_json
from skydd.storage.engine import make_engine
from tests.conftest import MESTRO

pytestmark = pytest.mark.promise("P16")

runner = CliRunner()
WHOLE_TIME = ["--since", "2000-01-01", "--until", "2999-12-31"]


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"SKYDD_DATABASE__URL": db_url}


def load_and_publish(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["register", "load", str(MESTRO)], env=env).exit_code == 0
    assert runner.invoke(app, ["policy", "publish"], env=env).exit_code == 0


def alter(db_url: str, statement: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_verify_passes_on_a_clean_database(env: dict[str, str]) -> None:
    empty = runner.invoke(app, ["audit", "verify"], env=env)
    assert empty.exit_code == 0, empty.output
    assert empty.stdout == f"audit chain intact: 0 events, head {GENESIS}\n"
    load_and_publish(env)
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("audit chain intact: 2 events, head ")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_verify_names_the_row_altered_in_sqlite_and_exits_1(
    env: dict[str, str], db_url: str
) -> None:
    load_and_publish(env)
    alter(db_url, "UPDATE audit_events SET actor = 'cli:someone-else' WHERE sequence = 2")
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert result.stdout.startswith("audit chain broken at event 2: hash does not match")
    as_json = runner.invoke(app, ["audit", "verify", "--format", "json"], env=env)
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert (report["ok"], report["first_broken_sequence"], report["count"]) == (False, 2, 1)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_published_anchor_catches_a_removed_tail(
    env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    load_and_publish(env)
    anchored = runner.invoke(app, ["audit", "anchor"], env=env)
    assert anchored.exit_code == 0
    anchor = json.loads(anchored.stdout)
    assert anchor["sequence"] == 2
    (tmp_path / "anchor.json").write_text(anchored.stdout, encoding="utf-8")
    with_anchor = ["audit", "verify", "--anchor", str(tmp_path / "anchor.json")]
    assert runner.invoke(app, with_anchor, env=env).exit_code == 0

    alter(db_url, "DELETE FROM audit_events WHERE sequence = 2")
    assert runner.invoke(app, ["audit", "verify"], env=env).exit_code == 0
    result = runner.invoke(app, with_anchor, env=env)
    assert result.exit_code == 1
    assert "broken at event 2: the log ends before the anchored event 2" in result.stdout


def test_a_bad_anchor_file_is_one_line_and_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "anchor.json"
    bad.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify", "--anchor", str(bad)], env=env)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {bad} is not an anchor printed by `skydd audit anchor`"


def test_export_writes_json_lines_that_prove_their_hashes(
    env: dict[str, str], tmp_path: Path
) -> None:
    load_and_publish(env)
    out = tmp_path / "audit.jsonl"
    result = runner.invoke(app, ["audit", "export", *WHOLE_TIME, "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert [(e["sequence"], e["action"]) for e in events] == [
        (1, "register.loaded"),
        (2, "policy.published"),
        (3, "audit.exported"),
    ]
    assert {(e["actor"], e["origin"]) for e in events} == {(cli_actor(), "cli")}
    assert events[0]["target"] == "register:1"
    assert events[1]["target"] == "policy:1"
    for line, event in zip(lines, events, strict=True):
        assert canonical_json(event) == line
        digest = event.pop("hash")
        assert hashlib.sha256(canonical_json(event).encode()).hexdigest() == digest
    assert [e["prev_hash"] for e in events[1:]] == [
        hashlib.sha256(canonical_json(e).encode()).hexdigest() for e in events[:-1]
    ]


def test_export_to_stdout_and_an_empty_range(env: dict[str, str]) -> None:
    load_and_publish(env)
    printed = runner.invoke(app, ["audit", "export", *WHOLE_TIME], env=env)
    assert printed.exit_code == 0
    assert [json.loads(line)["sequence"] for line in printed.stdout.splitlines()] == [1, 2, 3]
    old = runner.invoke(
        app, ["audit", "export", "--since", "2001-01-01", "--until", "2001-01-31"], env=env
    )
    assert (old.exit_code, old.stdout) == (0, "")


def test_export_refuses_a_range_that_ends_before_it_starts(env: dict[str, str]) -> None:
    args = ["audit", "export", "--since", "2026-02-01", "--until", "2026-01-31"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --until is before --since"
