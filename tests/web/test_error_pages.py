"""Web error pages answer with the same status as the API's problem+json, for every error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from skydd.api.problems import status_of
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain import errors
from skydd.domain.errors import DecryptionError, SkyddError
from skydd.web.errors import http_status_for, shown_message

ERROR_TYPES = sorted(
    (
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, SkyddError) and obj is not SkyddError
    ),
    key=lambda t: t.__name__,
)


def instance_of(error_type: type[SkyddError]) -> SkyddError:
    if error_type is errors.InvalidRegisterError:
        return errors.InvalidRegisterError([])
    if error_type is errors.TooManyAttempts:
        return errors.TooManyAttempts("example", retry_after=60)
    return error_type("example")


@pytest.mark.parametrize("error_type", [SkyddError, *ERROR_TYPES], ids=lambda t: t.__name__)
def test_web_status_matches_the_api_mapping(error_type: type[SkyddError]) -> None:
    exc = instance_of(error_type)

    assert http_status_for(exc) == status_of(exc)[0]


def test_a_fault_of_ours_is_a_500_page_that_names_no_internals(
    container: Container, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise DecryptionError("the token was made under key k0a1b2c3, which is not here")

    monkeypatch.setattr("skydd.web.policy_pages.load_current_view", broken)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        response = client.get("/policy", headers={"Accept-Language": "sv"})

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Något gick fel hos oss" in response.text
    assert "k0a1b2c3" not in response.text
    assert "decryption-failed" in caplog.text


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (DecryptionError("key k1"), None),
        (errors.NotFoundError("no such version"), "no such version"),
    ],
)
def test_only_errors_of_the_request_show_their_message(
    error: SkyddError, shown: str | None
) -> None:
    assert shown_message(error) == shown
