"""Personal data never reaches logs or error bodies (STYLE §8.9, issue 4 item 6).

Known e-mail addresses, phone numbers and personnummer are sent into every error path
of the API, the web pages and the command line; the test fails if any of them appears
in a response (body or headers), in the command's output, or in a log record. Log
records are captured raw, with the redacting filter taken off pytest's handler, so the
test checks what skydd *writes*, not what the filter would clean up afterwards.
"""

from __future__ import annotations

import logging
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from skydd.api.hardening import TokenBuckets
from skydd.api.log_hygiene import PersonalDataFilter
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.cli.main import app as cli
from skydd.domain.access_vocabulary import Scope
from skydd.services.accounts import add_user, create_token
from tests.conftest import MESTRO
from tests.staff import PASSWORD
from tests.web.conftest import publish
from tests.web.test_console_support import CSRF

EMAIL = "anna.svensson@example.com"
PHONE = "+46701740605"
PERSONNUMMER = "191212121212"
PERSONNUMMER_DASHED = "19121212-1212"
SEEDED = (EMAIL, PHONE, PERSONNUMMER, PERSONNUMMER_DASHED)

CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore")
"""The test client's own loggers: they log the URLs the test sends, on the client side."""


def _leaks(text: str) -> list[str]:
    # "+" may arrive form-decoded as a space; the digits alone are the tell.
    return [v for v in (*SEEDED, PHONE.lstrip("+")) if v in text]


@pytest.fixture
def raw_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG and up, unredacted."""
    with caplog.at_level(logging.DEBUG):
        yield caplog


def _assert_no_personal_data_logged(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        if record.name.split(".")[0] in CLIENT_LOGGERS:
            continue
        text = record.getMessage() + (record.exc_text or "") + (record.stack_info or "")
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        assert _leaks(text) == [], f"{record.name}: {text}"


def _unfiltered(caplog: pytest.LogCaptureFixture) -> None:
    for f in list(caplog.handler.filters):
        if isinstance(f, PersonalDataFilter):
            caplog.handler.removeFilter(f)


def _paths(value: str) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, query) of every error path, with ``value`` where input goes."""
    return [  # the status each answers is EXPECTED_STATUSES, in the same order
        ("GET", f"/api/v1/register/{value}", {}),
        ("GET", f"/api/v1/register/purposes/{value}", {}),
        ("GET", f"/api/v1/register/{value}/{value}", {}),
        ("GET", "/api/v1/ropa", {"lang": value}),
        ("GET", "/api/v1/ropa", {"format": value}),
        ("GET", "/api/v1/ropa", {"format": value, "lang": value}),
        ("POST", "/api/v1/register", {"q": value}),
        ("DELETE", "/api/v1/ropa", {"lang": value}),
        ("GET", f"/api/v1/{value}", {}),
        ("GET", f"/{value}", {}),
        ("GET", "/healthz", {"x": value}),
        ("GET", "/policy", {"lang": value}),
        ("GET", "/policy", {"format": value}),
        ("GET", "/policy", {"lang": value, "format": value}),
        ("GET", "/policy.md", {"lang": value}),
        ("GET", f"/policy/{value}", {}),
        ("GET", f"/policy/{value}", {"lang": value}),
        ("GET", "/policy/1", {"lang": value, "format": value}),
        ("GET", "/policy/versions", {"lang": value}),
        ("GET", "/embed/policy", {"lang": value}),
        ("GET", f"/embed/policy/{value}", {"lang": value}),
        ("POST", "/policy", {"lang": value}),
        ("GET", f"/static/{value}", {}),
    ]


EXPECTED_STATUSES = [404, 404, 404, 400, 422, 422, 405, 405, 404, 404, 200, 400]
EXPECTED_STATUSES += [400, 400, 400, 404, 404, 400, 400, 400, 404, 405, 404]
"""Error paths all (``/healthz`` with a stray parameter aside), and never a 500."""


@pytest.mark.parametrize("value", SEEDED)
def test_http_error_paths_never_echo_or_log_personal_data(
    container: Container, raw_logs: pytest.LogCaptureFixture, value: str
) -> None:
    publish(container, MESTRO)
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    _unfiltered(raw_logs)
    client = TestClient(app, raise_server_exceptions=False)

    statuses = []
    for method, path, query in _paths(value):
        response = client.request(
            method, path, params=query, headers={"Accept-Language": value, "X-Contact": value}
        )
        statuses.append(response.status_code)
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        assert _leaks(response.text + headers) == [], (method, path, query)
    body = client.post("/api/v1/register", json={"email": value, "phone": value})
    assert _leaks(body.text) == []

    assert statuses == EXPECTED_STATUSES
    assert 500 not in statuses
    _assert_no_personal_data_logged(raw_logs)


def _register_with_personal_data(tmp_path: Path) -> Path:
    folder = tmp_path / "register"
    shutil.copytree(MESTRO, folder)
    organisation = folder / "organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    organisation.write_text(
        text + f"\npersonal_contact: {EMAIL}\nphone_of_anna: '{PHONE}'\n", encoding="utf-8"
    )
    retention = folder / "retention.yaml"
    text = retention.read_text(encoding="utf-8")
    retention.write_text(text.replace("period: P12M", f"period: {PERSONNUMMER}", 1), "utf-8")
    return folder


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["policy", "render", "--lang", EMAIL], id="render-lang-email"),
        pytest.param(["policy", "render", "--lang", PERSONNUMMER_DASHED], id="render-lang-pnr"),
        pytest.param(["policy", "render", "--lang", PHONE], id="render-lang-phone"),
        pytest.param(["ropa", "export", "--lang", EMAIL], id="ropa-lang-email"),
    ],
)
def test_cli_error_paths_log_no_personal_data(
    db_url: str, raw_logs: pytest.LogCaptureFixture, args: list[str]
) -> None:
    env = {"SKYDD_DATABASE__URL": db_url}
    runner = CliRunner()
    assert runner.invoke(cli, ["register", "load", str(MESTRO)], env=env).exit_code == 0

    result = runner.invoke(cli, args, env=env)

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    _assert_no_personal_data_logged(raw_logs)


def test_cli_language_errors_do_not_repeat_the_value(db_url: str) -> None:
    env = {"SKYDD_DATABASE__URL": db_url}
    runner = CliRunner()
    assert runner.invoke(cli, ["register", "load", str(MESTRO)], env=env).exit_code == 0

    rendered = runner.invoke(cli, ["policy", "render", "--lang", EMAIL], env=env)
    exported = runner.invoke(cli, ["ropa", "export", "--lang", EMAIL], env=env)

    assert rendered.exit_code == exported.exit_code == 2
    assert _leaks(rendered.output + exported.output) == []


def test_register_check_logs_no_personal_data(
    tmp_path: Path, raw_logs: pytest.LogCaptureFixture
) -> None:
    folder = _register_with_personal_data(tmp_path)

    result = CliRunner().invoke(cli, ["register", "check", str(folder)])

    assert result.exit_code == 2, result.output
    assert "personal_contact: unknown key" in result.output
    assert "retention[0].period:" in result.output
    assert "Traceback" not in result.output
    assert _leaks(result.output) == []
    _assert_no_personal_data_logged(raw_logs)


@pytest.mark.parametrize("value", SEEDED)
def test_guarded_and_console_error_paths_never_echo_or_log_personal_data(
    container: Container, raw_logs: pytest.LogCaptureFixture, value: str
) -> None:
    """Refused tokens, a caller without the right, bad references, the console's forms."""
    publish(container, MESTRO)
    uow, clock = container.uow, container.clock
    hasher = container.password_hasher
    add_user(
        uow(), clock, hasher, "ro", roles=["read_only"], password=PASSWORD, actor="t", origin="t"
    )
    limited, _ = create_token(
        uow(),
        clock,
        container.token_hasher,
        name="t",
        scopes=frozenset({Scope("register:read")}),
        owner="ro",
        actor="t",
        origin="t",
    )
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    _unfiltered(raw_logs)
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    bad = {"Authorization": f"Bearer {value}"}
    forged = {"Authorization": f"Bearer skydd_0123456789abcdef_{value}"}
    weak = {"Authorization": f"Bearer {limited}"}

    answers = [
        client.get("/api/v1/audit/verify", headers=bad),
        client.get("/api/v1/audit/anchor", headers=forged),
        client.get(f"/api/v1/breaches/{value}", headers=bad),
        client.get(f"/api/v1/breaches/{value}", headers=weak),
        client.get("/api/v1/breaches", headers=weak, params={"q": value}),
        client.get(f"/api/v1/breaches/{value}%00", headers=weak),
        client.get("/console/login", params={"next": value}),
        client.post("/console/login", data={"username": value, "password": value}),
        client.get("/console", headers={"Cookie": f"skydd_session={value}"}),
        client.post("/console/password", data={"current_password": value}),
        client.post("/console/logout", data={"csrf_token": value}),
    ]
    login_page = client.get("/console/login")
    token = CSRF.search(login_page.text)
    assert token is not None
    answers.append(
        client.post(
            "/console/login",
            data={"username": value, "password": value, "csrf_token": token.group(1)},
        )
    )

    statuses = [a.status_code for a in answers]
    assert statuses == [401, 401, 401, 403, 403, 400, 200, 403, 303, 401, 303, 422]
    for answer in answers:
        headers = "\n".join(f"{k}: {v}" for k, v in answer.headers.items())
        assert _leaks(answer.text + headers) == [], answer.request.url
    _assert_no_personal_data_logged(raw_logs)


@pytest.mark.parametrize("value", SEEDED)
def test_request_intake_never_echoes_or_logs_personal_data(
    container: Container, raw_logs: pytest.LogCaptureFixture, value: str
) -> None:
    publish(container, MESTRO)
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(container, rate_limit=unlimited, intake_limit=unlimited)
    _unfiltered(raw_logs)
    client = TestClient(app, raise_server_exceptions=False)
    bodies: list[dict[str, object]] = [
        {"type": "access", "email": value},
        {"type": "access", "phone": value},
        {"type": "access", "personnummer": value},
        {"type": "access", "email": EMAIL, "phone": value, "name": value, "details": value},
        {"type": value, "email": value},
        {"type": "access", "email": value, value: value},
    ]
    statuses = []
    for body in bodies:
        response = client.post("/api/v1/requests", json=body)
        statuses.append(response.status_code)
        assert _leaks(response.text) == [], body
        if response.status_code == 202:
            reference = response.json()["reference"]
            for path, sent in (("verification", {"code": value}), ("code", None)):
                answer = client.post(f"/api/v1/requests/{reference}/{path}", json=sent)
                assert answer.status_code in {400, 409, 422, 429}
                assert _leaks(answer.text) == []
    for path in (f"/api/v1/requests/{value}/verification", f"/api/v1/requests/{value}/code"):
        response = client.post(path, json={"code": "123456"})
        assert response.status_code == 404 and _leaks(response.text) == []
    assert 500 not in statuses and 202 in statuses
    _assert_no_personal_data_logged(raw_logs)
