"""Web error pages answer with the same status as the API's problem+json, for every error."""

from __future__ import annotations

import pytest

from skydd.api.problems import status_of
from skydd.domain import errors
from skydd.domain.errors import SkyddError
from skydd.web.errors import http_status_for

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
    return error_type("example")


@pytest.mark.parametrize("error_type", [SkyddError, *ERROR_TYPES], ids=lambda t: t.__name__)
def test_web_status_matches_the_api_mapping(error_type: type[SkyddError]) -> None:
    exc = instance_of(error_type)

    assert http_status_for(exc) == status_of(exc)[0]
