"""``skydd breach``: open, update, close, list as JSON, draft; bad input is one line, exit 2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from skydd.cli.main import app
from tests.conftest import MESTRO

runner = CliRunner()


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"SKYDD_DATABASE__URL": db_url}


AWARE_AT = "2026-01-05T09:30+01:00"


def open_args(risk: str = "high_risk") -> list[str]:
    return [
        "breach",
        "open",
        "--aware-at",
        AWARE_AT,
        "--description",
        "Backup disk lost in transit.",
        "--risk",
        risk,
        "--category",
        "user.contact.email",
        "--category",
        "user.financial",
        "--subjects",
        "300",
        "--consequences",
        "Possible fraud.",
        "--measures",
        "Courier contacted; customers warned.",
    ]


def test_open_update_close_and_list(env: dict[str, str]) -> None:
    opened = runner.invoke(app, open_args(), env=env)
    assert opened.exit_code == 0, opened.output
    reference = opened.stdout.split()[0]
    assert reference.startswith("BR-")
    assert "notify the authority by 2026-01-08 08:30 UTC (overdue by " in opened.stdout

    updated = runner.invoke(
        app,
        [
            *("breach", "update", reference, "--notified-at", "2026-01-06T10:00Z"),
            *("--subjects-informed", "--subjects", "320"),
        ],
        env=env,
    )
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.startswith(f"{reference} notified risk=high_risk: authority notified")

    closed = runner.invoke(app, ["breach", "close", reference], env=env)
    assert closed.exit_code == 0, closed.output
    assert closed.stdout == f"{reference} closed\n"

    listed = runner.invoke(app, ["breach", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    [entry] = json.loads(listed.stdout)
    assert entry["reference"] == reference
    assert entry["status"] == "closed"
    assert entry["approx_subjects"] == 320
    assert entry["subjects_informed"] is True
    assert entry["must_inform_subjects"] is True
    assert entry["data_categories"] == ["user.contact.email", "user.financial"]
    aware = dt.datetime.fromisoformat(entry["aware_at"])
    assert aware == dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)
    assert entry["notified_authority_at"] == "2026-01-06T10:00:00+00:00"
    assert dt.datetime.fromisoformat(entry["notification_due_at"]) - aware == dt.timedelta(hours=72)

    audit = runner.invoke(app, ["audit", "verify"], env=env)
    assert audit.exit_code == 0, audit.output
    assert audit.stdout.startswith("audit chain intact: 3 events")


@pytest.mark.parametrize(
    ("lang", "authority"),
    [("sv", "Integritetsskyddsmyndigheten"), ("en", "Swedish Authority for Privacy Protection")],
)
def test_draft_prints_the_notice(env: dict[str, str], lang: str, authority: str) -> None:
    assert runner.invoke(app, ["register", "load", str(MESTRO)], env=env).exit_code == 0
    reference = runner.invoke(app, open_args(), env=env).stdout.split()[0]
    result = runner.invoke(app, ["breach", "draft", reference, "--lang", lang], env=env)
    assert result.exit_code == 0, result.output
    assert reference in result.stdout
    assert authority in result.stdout
    assert "user.contact.email, user.financial" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (open_args("catastrophic"), "error: unknown risk level 'catastrophic'"),
        (["breach", "close", "BR-2026-999"], "error: no breach with reference 'BR-2026-999'"),
        (["breach", "update", "BR-2026-999", "--measures", "x"], "error: no breach with"),
        (
            [
                *("breach", "open", "--aware-at", "2026-11-25T08:00"),
                *("--description", "x", "--risk", "risk"),
            ],
            "error: --aware-at '2026-11-25T08:00' needs a time zone",
        ),
        (["breach", "draft", "BR-2026-999", "--lang", "sv"], "error: no breach with"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_closing_an_unnotified_risky_breach_is_refused(env: dict[str, str]) -> None:
    reference = runner.invoke(app, open_args("risk"), env=env).stdout.split()[0]
    result = runner.invoke(app, ["breach", "close", reference], env=env)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: breach {reference} must be notified to the authority before it is closed\n"
    )
