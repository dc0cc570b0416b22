"""The register's part of access reports, worked out once and reused: the same bytes (P17, P19)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from skydd.documents import access_package
from skydd.documents.access_package import ReportCache, build_access_package, finding_shape
from skydd.domain import access_report
from skydd.domain.access_answer import AnsweredRequest, FoundCollection, FoundSystem, ordered
from skydd.domain.access_report import AccessReport
from skydd.domain.register import Register
from skydd.domain.requests import RequestId, RequestType
from tests.conftest import MESTRO, SECOND_ORG
from tests.documents.policy_reading import register_at
from tests.documents.test_access_package import MESTRO_FOUND, SECOND_FOUND

pytestmark = pytest.mark.promise("P17")

CASES = [
    pytest.param(MESTRO, MESTRO_FOUND, id="mestro"),
    pytest.param(SECOND_ORG, SECOND_FOUND, id="second_org"),
]


def answered(request_type: RequestType, n: int = 1) -> AnsweredRequest:
    return AnsweredRequest(
        id=RequestId(uuid.UUID(int=n)),
        type=request_type,
        received_on=dt.date(2026, 11, 2),
        answered_on=dt.date(2026, 11, 25) + dt.timedelta(days=n),
        reference=f"R-7K3F-{n:04d}",
    )


def other_person(found: Sequence[FoundSystem]) -> tuple[FoundSystem, ...]:
    """Another person in the same tables with the same fields filled: other values."""
    return tuple(
        FoundSystem(
            system.key,
            tuple(
                FoundCollection(
                    collection.name,
                    tuple(
                        {k: f"{v}-2" if isinstance(v, str) else v for k, v in row.items()}
                        for row in collection.rows
                    ),
                    collection.field_categories,
                )
                for collection in system.collections
            ),
        )
        for system in found
    )


def emptied(found: Sequence[FoundSystem]) -> tuple[FoundSystem, ...]:
    """The same rows with every other value left empty: fewer kinds of data found."""
    return tuple(
        FoundSystem(
            system.key,
            tuple(
                FoundCollection(
                    collection.name,
                    tuple(
                        {k: None if i % 2 else v for i, (k, v) in enumerate(row.items())}
                        for row in collection.rows
                    ),
                    collection.field_categories,
                )
                for collection in system.collections
            ),
        )
        for system in found
    )


def findings(found: Sequence[FoundSystem]) -> list[tuple[FoundSystem, ...]]:
    singles = [(system,) for system in found]
    return [tuple(found), other_person(found), emptied(found), (), *singles, tuple(found)]


@pytest.mark.parametrize(("folder", "found"), CASES)
@pytest.mark.parametrize("language", ["sv", "en", "de"])
@pytest.mark.parametrize("request_type", [RequestType.ACCESS, RequestType.PORTABILITY])
def test_packages_are_the_same_bytes_with_and_without_the_cache(
    folder: Any, found: Sequence[FoundSystem], language: str, request_type: RequestType
) -> None:
    register = register_at(folder)
    cache = ReportCache()
    for n, finding in enumerate(findings(found)):
        request = answered(request_type, n)
        cached = build_access_package(register, language, request, finding, cache)
        assert cached == build_access_package(register, language, request, finding)


@pytest.fixture
def reports_built(monkeypatch: pytest.MonkeyPatch) -> list[AccessReport]:
    """Every report worked out from the register (not taken from a cache)."""
    built: list[AccessReport] = []
    original = access_report.build_access_report

    def counting(*args: Any, **kwargs: Any) -> AccessReport:
        report = original(*args, **kwargs)
        built.append(report)
        return report

    monkeypatch.setattr(access_package, "build_access_report", counting)  # where it is looked up
    return built


def test_the_register_part_is_worked_out_once_per_shape_of_finding(
    reports_built: list[AccessReport],
) -> None:
    register = register_at(MESTRO)
    cache = ReportCache()
    for n, finding in enumerate([MESTRO_FOUND, other_person(MESTRO_FOUND), MESTRO_FOUND]):
        build_access_package(register, "sv", answered(RequestType.ACCESS, n), finding, cache)
    assert len(reports_built) == 1
    build_access_package(register, "sv", answered(RequestType.ACCESS), emptied(MESTRO_FOUND), cache)
    build_access_package(register, "en", answered(RequestType.ACCESS), MESTRO_FOUND, cache)
    build_access_package(register, "sv", answered(RequestType.PORTABILITY), MESTRO_FOUND, cache)
    assert len(reports_built) == 4


def test_another_register_object_is_never_served_from_the_cache(
    reports_built: list[AccessReport],
) -> None:
    cache = ReportCache()
    first = register_at(MESTRO)
    changed: Register = first.model_copy(
        update={"organisation": first.organisation.model_copy(update={"name": "Other AB"})}
    )
    build_access_package(first, "sv", answered(RequestType.ACCESS), MESTRO_FOUND, cache)
    package = build_access_package(changed, "sv", answered(RequestType.ACCESS), MESTRO_FOUND, cache)
    assert len(reports_built) == 2
    assert package == build_access_package(
        changed, "sv", answered(RequestType.ACCESS), MESTRO_FOUND
    )


def test_the_cache_keeps_the_most_recently_used_entries(
    reports_built: list[AccessReport],
) -> None:
    register = register_at(MESTRO)
    cache = ReportCache(max_entries=2)
    first, second, third = [(system,) for system in MESTRO_FOUND]
    for finding in [first, second, first, third, first, second]:
        build_access_package(register, "sv", answered(RequestType.ACCESS), finding, cache)
    # Built: first, second, third (evicting second, the least recently used), second.
    names = {system.key: system.name for system in register.systems}
    assert [r.tables[0].system for r in reports_built] == [
        names[found[0].key] for found in [first, second, third, second]
    ]


def test_the_cache_keeps_no_rows_of_the_person_it_was_filled_for() -> None:
    register = register_at(MESTRO)
    cache = ReportCache()
    build_access_package(register, "sv", answered(RequestType.ACCESS), MESTRO_FOUND, cache)
    shape = finding_shape(ordered(MESTRO_FOUND))
    known = cache.get(register, (id(register), "sv", RequestType.ACCESS, shape))
    assert known is not None
    assert known.report.tables == ()
    assert "alex@example.com" not in known.general
