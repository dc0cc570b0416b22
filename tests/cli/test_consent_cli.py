"""``skydd consent``: record, show, rebuild and verify receipts from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skydd.cli.main import app
from tests.conftest import MESTRO

pytestmark = pytest.mark.promise("P5", "P6")

runner = CliRunner()
ANNA = "anna.svensson@example.se"


@pytest.fixture
def env(db_url: str, keyring_text: str) -> dict[str, str]:
    values = {"SKYDD_DATABASE__URL": db_url, "SKYDD_KEYS__KEYRING": keyring_text}
    loaded = runner.invoke(app, ["register", "load", str(MESTRO)], env=values)
    assert loaded.exit_code == 0, loaded.output
    return values


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["consent", *args], env=env)
    return result.exit_code, result.output


def test_give_withdraw_show_rebuild_and_verify_a_receipt(
    env: dict[str, str], tmp_path: Path
) -> None:
    receipt = tmp_path / "receipt.jws"
    code, out = run(
        env,
        "give",
        "--purpose",
        "newsletter",
        "--email",
        ANNA,
        "--notice",
        "nl-v2",
        "--receipt-out",
        str(receipt),
    )
    assert code == 0, out
    assert "consented now: company, email, name" in out
    code, out = run(
        env, "withdraw", "--purpose", "newsletter", "--email", ANNA, "--category", "company"
    )
    assert code == 0 and "no longer consented: company" in out
    code, out = run(env, "show", "--email", ANNA)
    [state] = json.loads(out)
    assert state["categories"] == ["email", "name"] and state["status"] == "given"
    code, out = run(env, "verify-receipt", str(receipt))
    assert code == 0 and out.startswith("genuine: ") and '"notice_id": "nl-v2"' in out
    tampered = tmp_path / "tampered.jws"
    tampered.write_text(receipt.read_text(encoding="utf-8").strip()[:-6] + "AAAAAA")
    code, out = run(env, "verify-receipt", str(tampered))
    assert code == 2 and "Traceback" not in out
    code, out = run(env, "rebuild")
    assert code == 0 and "1 states rebuilt" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("give", "--purpose", "newsletter"), "names the person"),
        (("give", "--purpose", "customer_relations", "--email", ANNA), "does not rest on consent"),
        (("give", "--purpose", "newsletter", "--email", ANNA, "--method", "fax"), "unknown method"),
        (("verify-receipt", "/no/such/file"), "cannot read the receipt file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    env: dict[str, str], args: tuple[str, ...], fragment: str
) -> None:
    code, out = run(env, *args)
    assert code == 2, out
    assert fragment in out and "Traceback" not in out


def test_stale_lists_consents_given_before_the_purpose_changed(
    env: dict[str, str], tmp_path: Path
) -> None:
    for email in ("a@example.org", "b@example.org"):
        assert run(env, "give", "--purpose", "newsletter", "--email", email)[0] == 0
    code, out = run(env, "stale")
    assert code == 0 and "0 consent(s) need renewing" in out
    changed = tmp_path / "mestro"
    shutil.copytree(MESTRO, changed)
    purposes = changed / "purposes.yaml"
    text = purposes.read_text(encoding="utf-8")
    text = text.replace(
        "data_categories: [name, email, company]", "data_categories: [name, email, company, phone]"
    )
    purposes.write_text(text, encoding="utf-8")
    loaded = runner.invoke(app, ["register", "load", str(changed)], env=env)
    assert loaded.exit_code == 0, loaded.output
    code, out = run(env, "stale")
    assert "newsletter: 2 consent(s) given to earlier terms" in out
    code, out = run(env, "stale", "--format", "json")
    assert {row["purpose"] for row in json.loads(out)} == {"newsletter"}
    assert run(env, "give", "--purpose", "newsletter", "--email", "a@example.org")[0] == 0
    assert "1 consent(s) need renewing" in run(env, "stale")[1]


def test_withdrawing_names_what_is_erased_where_and_what_is_kept(env: dict[str, str]) -> None:
    assert run(env, "give", "--purpose", "events", "--email", ANNA)[0] == 0
    code, out = run(
        env,
        "withdraw",
        "--purpose",
        "events",
        "--email",
        ANNA,
        "--category",
        "home_town",
        "--category",
        "food_preferences",
        "--erase",
        "home_town",
    )
    assert code == 0, out
    assert "erased in skydd: home_town" in out
    assert "to erase in hubspot: home_town" in out
    assert "kept food_preferences: the person chose to keep it" in out
    assert "handed to the workers" in out
    code, out = run(
        env,
        "withdraw",
        "--purpose",
        "events",
        "--email",
        ANNA,
        "--category",
        "phone",
        "--erase",
        "email",
    )
    assert code == 2 and "only withdrawn categories can be erased" in out
    code, out = run(env, "show", "--email", ANNA)
    [state] = json.loads(out)
    assert "phone" in state["categories"], "a refused withdrawal recorded nothing"
