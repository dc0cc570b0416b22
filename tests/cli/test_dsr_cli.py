"""``skydd dsr``: register, verify by code or by hand, extend, reject, list what is due."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skydd.bootstrap import SystemClock
from skydd.cli.main import app
from tests.conftest import MESTRO
from tests.smtp import Mailbox

pytestmark = pytest.mark.promise("P17")

runner = CliRunner()
ANNA = "anna.svensson@example.se"


@pytest.fixture
def env(
    db_url: str, keyring_text: str, smtp: tuple[int, Mailbox], tmp_path: Path
) -> dict[str, str]:
    values = {
        "SKYDD_QUEUE__PATH": str(tmp_path / "queue.db"),
        "SKYDD_DATABASE__URL": db_url,
        "SKYDD_KEYS__KEYRING": keyring_text,
        "SKYDD_MAIL__PORT": str(smtp[0]),
    }
    loaded = runner.invoke(app, ["register", "load", str(MESTRO)], env=values)
    assert loaded.exit_code == 0, loaded.output
    return values


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_submit_mail_the_code_and_verify(env: dict[str, str], mailbox: Mailbox) -> None:
    code, out = run(env, "dsr", "submit", "--type", "access", "--email", ANNA)
    assert code == 0, out
    reference = out.split(":")[0]
    assert "verification code sent" in out
    code, out = run(env, "dsr", "verify", reference, "--code", mailbox.last_code(ANNA))
    assert code == 0, out
    assert "queued for a worker" in out
    shown = json.loads(run(env, "dsr", "show", reference)[1])
    assert shown["status"] == "verified" and shown["verified"] and shown["article"] == 15


def test_a_letter_counts_from_its_receipt_and_shows_as_due(
    env: dict[str, str], mailbox: Mailbox
) -> None:
    received = SystemClock().today() - dt.timedelta(days=40)  # the CLI runs on the real clock
    code, out = run(
        env,
        *("dsr", "submit", "--type", "erasure", "--phone", "070-174 06 05"),
        *("--channel", "letter", "--received-on", received.isoformat()),
    )
    assert code == 0, out
    assert "verify it by other means" in out and mailbox.messages == []
    reference = out.split(":")[0]
    code, out = run(env, "dsr", "list", "--due-within", "7d", "--format", "json")
    [listed] = json.loads(out)
    assert listed["reference"] == reference and listed["days_left"] < 0
    code, out = run(env, "dsr", "list", "--due-within", "1w")
    assert reference in out and "1 open, 1 overdue" in out
    code, out = run(env, "dsr", "verify", reference, "--reason", "Called back.")
    assert code == 0, out
    code, out = run(env, "dsr", "extend", reference, "--reason", "Too late for this.")
    assert code == 2 and "too late to extend" in out
    code, out = run(env, "dsr", "reject", reference, "--reason", "Unfounded.")
    assert code == 0 and "rejected" in out
    assert json.loads(run(env, "dsr", "list", "--format", "json")[1]) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("submit", "--type", "forget-me", "--email", ANNA), "unknown request type"),
        (("submit", "--type", "access", "--email", "anna@@x"), "e-mail"),
        (("submit", "--type", "access", "--email", ANNA, "--channel", "fax"), "unknown channel"),
        (("submit", "--type", "access", "--email", ANNA, "--received-on", "30/10"), "YYYY-MM-DD"),
        (("list", "--due-within", "soon"), "7d or 2w"),
        (("verify", "R-AAAA-BBBB"), "--code or --reason"),
        (("verify", "R-AAAA-BBBB", "--code", "123456"), "no request with that reference"),
        (("submit", "--type", "rectification", "--email", ANNA, "--correct", "name"), "CATEGORY="),
        (("submit", "--type", "rectification", "--email", ANNA), "at least one correction"),
        (("submit", "--type", "objection", "--email", ANNA), "names the purpose"),
        (("submit", "--type", "access", "--email", ANNA, "--purpose", "marketing"), "objection"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    env: dict[str, str], args: tuple[str, ...], fragment: str
) -> None:
    code, out = run(env, "dsr", *args)
    assert code == 2, out
    assert fragment in out
    assert "Traceback" not in out and "anna@@x" not in out


def test_a_rectification_and_an_objection_carry_what_they_need(
    env: dict[str, str], mailbox: Mailbox
) -> None:
    code, out = run(
        env,
        *("dsr", "submit", "--type", "rectification", "--email", ANNA, "--no-send-code"),
        *("--correct", "name=Anna Berg", "--correct", "user.contact.address.city=Lund"),
    )
    assert code == 0, out
    reference = out.split(":")[0]
    code, out = run(env, "dsr", "corrections", reference)
    assert code == 0, out
    assert (
        "asked: user.name → Anna Berg" in out and "asked: user.contact.address.city → Lund" in out
    )
    code, out = run(env, "dsr", "lift", reference, "--reason", "No.")
    assert code == 2 and "only a restriction that was set can be lifted" in out

    code, out = run(
        env, "dsr", "submit", "--type", "objection", "--email", ANNA, "--purpose", "analytics"
    )
    assert code == 0, out
    shown = json.loads(run(env, "dsr", "show", out.split(":")[0])[1])
    assert shown["purpose"] == "analytics" and shown["article"] == 21
    code, out = run(env, "dsr", "corrections", shown["reference"])
    assert code == 2 and "only a rectification request has corrections" in out
