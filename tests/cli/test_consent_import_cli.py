"""``skydd consent import`` and ``skydd consent stale --mail`` from the command line.

An import records consent only for people the ledger does not know for the purpose:
whoever unsubscribed, refused or objected stays out, whoever consents already stays
as they are. Bad rows are named by line number, never by content; a bad file is one
line and exit 2.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from skydd.bootstrap import build_container
from skydd.cli.main import app
from skydd.config import DatabaseSettings, KeySettings, Settings
from skydd.domain.audit import AuditEvent
from skydd.domain.consent import CollectionMethod
from skydd.services.register import current_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.smtp import Mailbox, text_of

pytestmark = pytest.mark.promise("P5", "P20")

runner = CliRunner()
LIST = """\
email,name,language
anna.svensson@example.se,Anna Svensson,sv
bo@example.se,,
not an address,Nils,sv
cecilia@example.se,Cecilia,de
dora@example.se,Dora,en
BO@example.se,Bo Again,
"""


@pytest.fixture
def env(db_url: str, keyring_text: str, smtp: tuple[int, Mailbox]) -> dict[str, str]:
    values = {
        "SKYDD_DATABASE__URL": db_url,
        "SKYDD_KEYS__KEYRING": keyring_text,
        "SKYDD_MAIL__PORT": str(smtp[0]),
        "SKYDD_SERVER__PUBLIC_URL": "https://privacy.example.se",
    }
    loaded = runner.invoke(app, ["register", "load", str(MESTRO)], env=values)
    assert loaded.exit_code == 0, loaded.output
    return values


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["consent", *args], env=env)
    return result.exit_code, result.output


def show(env: dict[str, str], email: str) -> list[dict[str, object]]:
    code, out = run(env, "show", "--email", email)
    assert code == 0, out
    states: list[dict[str, object]] = json.loads(out)
    return states


def csv_file(tmp_path: Path, text: str = LIST, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_import_records_new_people_and_names_bad_rows_by_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    code, out = run(env, "import", str(csv_file(tmp_path)), "--purpose", "newsletter")
    assert code == 0, out
    assert "newsletter: 3 imported, 1 already consenting, 0 skipped" in out
    assert "2 invalid" in out and "invalid rows (line numbers): 4, 5" in out
    assert "not an address" not in out and "Cecilia" not in out and "Nils" not in out
    [state] = show(env, "anna.svensson@example.se")
    assert state["status"] == "given"
    assert state["categories"] == ["company", "email", "name"]
    assert show(env, "cecilia@example.se") == []  # German is not published: invalid row
    code, out = run(env, "import", str(csv_file(tmp_path)), "--purpose", "newsletter")
    assert code == 0 and "newsletter: 0 imported, 4 already consenting" in out


def test_an_unsubscribed_or_objecting_address_stays_out_after_an_import(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert run(env, "give", "--purpose", "newsletter", "--email", "bo@example.se")[0] == 0
    assert run(env, "withdraw", "--purpose", "newsletter", "--email", "bo@example.se")[0] == 0
    assert run(env, "refuse", "--purpose", "newsletter", "--email", "dora@example.se")[0] == 0
    code, out = run(env, "import", str(csv_file(tmp_path)), "--purpose", "newsletter")
    assert code == 0, out
    assert "newsletter: 1 imported, 0 already consenting, 3 skipped" in out
    assert [s["status"] for s in show(env, "bo@example.se")] == ["withdrawn"]
    assert [s["status"] for s in show(env, "dora@example.se")] == ["refused"]


def test_an_import_never_widens_a_consent_the_person_narrowed(
    env: dict[str, str], tmp_path: Path
) -> None:
    email = "anna.svensson@example.se"
    assert run(env, "give", "--purpose", "newsletter", "--email", email)[0] == 0
    narrowed = ["withdraw", "--purpose", "newsletter", "--email", email, "--category", "company"]
    assert run(env, *narrowed)[0] == 0
    code, out = run(env, "import", str(csv_file(tmp_path)), "--purpose", "newsletter")
    assert code == 0 and "2 imported, 2 already consenting" in out  # Anna, and Bo's 2nd row
    [state] = show(env, email)
    assert state["categories"] == ["email", "name"]


def test_imported_events_say_how_and_from_where(
    env: dict[str, str], keyring_text: str, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "Email\nreader@example.com\n", "crm.csv")
    code, out = run(
        env, "import", str(path), "--purpose", "events", "--source", "crm-2026", "--notice", "n-7"
    )
    assert code == 0 and "events: 1 imported" in out
    settings = Settings(
        database=DatabaseSettings(url=env["SKYDD_DATABASE__URL"]),
        keys=KeySettings(keyring=SecretStr(keyring_text)),
    )
    container = build_container(settings)
    try:
        with container.uow() as uow:
            org_id = current_register(uow, None).organisation_id
            [event] = uow.consents.events(org_id)
            audit = [e for e in uow.audit.page(0, 1000) if isinstance(e, AuditEvent)]
    finally:
        container.close()
    assert (event.method, event.source, event.notice_id) == (
        CollectionMethod.IMPORT,
        "crm-2026",
        "n-7",
    )
    [summary] = [e for e in audit if e.target == "consent:events"]
    assert dict(summary.details) == {
        "what": "import",
        "imported": 1,
        "already": 0,
        "suppressed": 0,
        "invalid": 0,
    }
    assert "reader" not in repr(audit)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("name,language\nAnna,sv\n", "must name an email column"),
        ("", "must name an email column"),
        (b"email\n\xff\xfe\n", "is not UTF-8 text"),
        ('email\n"unterminated\n', "not valid CSV after line 1"),
        ('email\nok@example.se\n"a"b\n', "not valid CSV after line 2"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(
    env: dict[str, str], tmp_path: Path, content: str | bytes, fragment: str
) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, out = run(env, "import", str(path), "--purpose", "newsletter")
    assert code == 2, out
    assert fragment in out and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def test_a_missing_file_or_a_purpose_not_on_consent_is_exit_2(
    env: dict[str, str], tmp_path: Path
) -> None:
    code, out = run(env, "import", str(tmp_path / "nope.csv"), "--purpose", "newsletter")
    assert code == 2 and "cannot read the import file nope.csv" in out
    code, out = run(env, "import", str(csv_file(tmp_path)), "--purpose", "marketing")
    assert code == 2 and "does not rest on consent" in out
    assert show(env, "anna.svensson@example.se") == []  # nothing imported before refusing


def test_the_second_organisation_imports_to_its_own_purpose(
    db_url: str, keyring_text: str, tmp_path: Path
) -> None:
    env = {"SKYDD_DATABASE__URL": db_url, "SKYDD_KEYS__KEYRING": keyring_text}
    assert runner.invoke(app, ["register", "load", str(SECOND_ORG)], env=env).exit_code == 0
    path = csv_file(tmp_path, "email\nreader@example.com\n")
    code, out = run(env, "import", str(path), "--purpose", "newsletter")
    assert code == 0 and "newsletter: 1 imported" in out
    [state] = show(env, "reader@example.com")
    assert state["categories"] == ["email_address", "full_name"]


def test_stale_mail_asks_each_person_to_renew_and_audits_the_count(
    env: dict[str, str], tmp_path: Path, smtp: tuple[int, Mailbox]
) -> None:
    mailbox = smtp[1]
    mailbox.clear()
    for email, language in (("a@example.org", "sv"), ("b@example.org", "en")):
        given = ["give", "--purpose", "newsletter", "--email", email, "--language", language]
        assert run(env, *given)[0] == 0
    code, out = run(env, "stale", "--mail")
    assert code == 0 and "renewal requests: 0 sent" in out and mailbox.messages == []
    changed = tmp_path / "mestro"
    shutil.copytree(MESTRO, changed)
    purposes = changed / "purposes.yaml"
    text = purposes.read_text(encoding="utf-8")
    text = text.replace(
        "data_categories: [name, email, company]", "data_categories: [name, email, company, phone]"
    )
    purposes.write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["register", "load", str(changed)], env=env).exit_code == 0
    result = runner.invoke(app, ["consent", "stale", "--mail", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2  # stdout stays one JSON document
    assert "renewal requests: 2 sent" in result.stderr
    assert {m["To"] for m in mailbox.messages} == {"a@example.org", "b@example.org"}
    swedish = mailbox.to("a@example.org")[0]
    assert swedish["Subject"] == "Förnya ditt samtycke: Nyhetsbrev från Mestro"
    link = re.search(
        r"https://privacy\.example\.se/newsletter/confirm\?t=\S+&lang=sv", text_of(swedish)
    )
    assert link is not None
    code, out = run(env, "stale", "--mail")
    assert "renewal requests: 2 sent, 0 not sent, 0 skipped" in out
