"""``skydd events``: add and list events, and read sign-ups as a role may see them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from skydd.bootstrap import Container, build_container
from skydd.cli.main import app
from skydd.config import DatabaseSettings, KeySettings, Settings
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.events import SignupForm
from skydd.services.events import sign_up
from skydd.services.subjects import Who
from tests.conftest import MESTRO
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P8", "P12")

runner = CliRunner()
FOOD = "Halal, inga nötter"


@pytest.fixture
def env(db_url: str, keyring_text: str) -> dict[str, str]:
    values = {"SKYDD_DATABASE__URL": db_url, "SKYDD_KEYS__KEYRING": keyring_text}
    loaded = runner.invoke(app, ["register", "load", str(MESTRO)], env=values)
    assert loaded.exit_code == 0, loaded.output
    return values


@pytest.fixture
def same_database(db_url: str, keyring_text: str) -> Iterator[Container]:
    """The services over the database and keys the commands use."""
    settings = Settings(
        database=DatabaseSettings(url=db_url),
        keys=KeySettings(keyring=SecretStr(keyring_text)),
    )
    container = build_container(settings, clock=FakeClock())
    yield container
    container.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["events", *args], env=env)
    return result.exit_code, result.output


def test_add_and_list_events(env: dict[str, str]) -> None:
    code, out = run(env, "add", "summit-2026", "--date", "2026-12-10", "--name", "Mestro Summit")
    assert code == 0, out
    assert out == "event summit-2026 on 2026-12-10 added (purpose events)\n"
    run(env, "add", "meetup", "--date", "2026-12-01", "--name", "Meetup")
    code, out = run(env, "list")
    assert out.splitlines() == [
        "2026-12-01  meetup  0 signed up  Meetup",
        "2026-12-10  summit-2026  0 signed up  Mestro Summit",
        "2 event(s)",
    ]
    code, out = run(env, "list", "--format", "json")
    assert [(e["key"], e["purpose"], e["signups"]) for e in json.loads(out)] == [
        ("meetup", "events", 0),
        ("summit-2026", "events", 0),
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--date", "10/12/2026", "--name", "X"], "error: --date: a date is YYYY-MM-DD"),
        (["--date", "2026-12-10", "--name", "X", "--purpose", "inquiries"], "does not rest on"),
        (["--date", "2026-12-10", "--name", "X", "--purpose", "nope"], "unknown purpose"),
    ],
)
def test_bad_events_are_one_line_and_exit_2(
    env: dict[str, str], args: list[str], says: str
) -> None:
    code, out = run(env, "add", "fika", *args)
    assert code == 2
    assert says in out and len(out.strip().splitlines()) == 1
    assert run(env, "list")[1] == "0 event(s)\n"


def test_a_key_in_use_is_refused(env: dict[str, str]) -> None:
    run(env, "add", "summit", "--date", "2026-12-10", "--name", "Summit")
    code, out = run(env, "add", "summit", "--date", "2026-12-11", "--name", "Summit")
    assert code == 2 and out == "error: an event 'summit' exists already\n"


def test_signups_show_what_the_role_may_see_and_each_read_is_audited(
    env: dict[str, str], same_database: Container
) -> None:
    run(env, "add", "summit", "--date", "2026-12-10", "--name", "Summit")
    form = SignupForm(
        email="anna@example.se",
        name="Anna Svensson",
        details={"home_town": "Uppsala", "food_preferences": FOOD},
        consent=True,
        explicit_consent=True,
    )
    done = sign_up(
        same_database.uow(),
        same_database.clock,
        None,
        "summit",
        form,
        same_database.receipts,
        who=Who("participant", "test"),
    )
    code, out = run(env, "signups", "summit", "--role", "marketing")
    assert code == 0, out
    assert f"- {done.subject_id} (sv)" in out
    assert "    food_preferences: (withheld)" in out
    assert "    home_town: Uppsala" in out and "    email: anna@example.se" in out
    assert FOOD not in out
    code, out = run(env, "signups", "summit", "--role", "dpo", "--format", "json")
    [signup] = json.loads(out)["signups"]
    assert signup["fields"]["food_preferences"] == {"value": FOOD, "withheld": False}
    with same_database.uow() as uow:
        events = [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]
    reads = [e for e in events if e.details.get("what") == "event-signup"]
    assert [(e.action, e.subject, e.origin) for e in reads] == [
        (AuditAction.PERSONAL_DATA_READ, f"subject:{done.subject_id}", "cli")
    ] * 2
    assert all(e.actor.startswith("cli:") for e in reads)
    assert [e.details["shown"] for e in reads] == [
        "name,email,home_town",
        "name,email,food_preferences,home_town",
    ]


def test_a_role_without_the_purpose_or_an_unknown_event_exits_2(
    env: dict[str, str], same_database: Container
) -> None:
    run(env, "add", "summit", "--date", "2026-12-10", "--name", "Summit")
    code, out = run(env, "signups", "summit", "--role", "support")
    assert code == 2 and out == "error: read on events: not-granted\n"
    code, out = run(env, "signups", "no-such", "--role", "dpo")
    assert code == 2 and out == "error: no such event\n"
    with same_database.uow() as uow:
        events = [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]
    assert events[-1].action == AuditAction.ACCESS_DENIED
    assert events[-1].details["route"] == "cli events signups"
