"""Rectification, restriction and objection: what a request may ask, and what it stops."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.processing_limits import (
    LimitKind,
    ended_by_rejection,
    lift,
    limits_for_objection,
    may_process,
    objected_purpose,
    restriction,
)
from skydd.domain.purposes import BasisClaim, LegalBasis, Purpose
from skydd.domain.rectification import MAX_CORRECTIONS, checked_corrections
from skydd.domain.register import Register
from skydd.domain.request_deadlines import deadlines_for
from skydd.domain.request_work import StepKind, plan_steps
from skydd.domain.requests import (
    Channel,
    DataSubjectRequest,
    RequestId,
    RequestType,
    new_request,
)
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO

pytestmark = pytest.mark.promise("P17", "P18")

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
REQUEST = RequestId(uuid.uuid4())


@pytest.fixture(scope="module")
def mestro() -> Register:
    return load_register(MESTRO)


def purpose(key: str, use: str, *bases: LegalBasis) -> Purpose:
    return Purpose(
        key=key,
        name={"en": key},
        description={"en": key},
        legal_bases=[BasisClaim(basis=b) for b in bases],
        data_use=use,
    )


def test_corrections_are_named_by_register_or_fideslang_key_and_sorted(mestro: Register) -> None:
    found = checked_corrections(
        mestro, {"name": " Anna Berg ", "user.contact.address.city": "Lund"}
    )
    assert [(c.category, c.value) for c in found] == [
        ("user.contact.address.city", "Lund"),
        ("user.name", "Anna Berg"),
    ]
    assert "Anna" not in repr(found)


@pytest.mark.parametrize(
    ("given_", "message"),
    [
        ({}, "at least one correction"),
        ({"shoe_size": "42"}, "unknown data category 'shoe_size'"),
        ({"name": "   "}, "1-1000 characters"),
        ({"name": "x" * 1001}, "1-1000 characters"),
        ({"name": "A", "user.name": "B"}, "two corrections for the data category 'user.name'"),
        ({f"user.name{i}": "x" for i in range(MAX_CORRECTIONS + 1)}, "at most 20"),
    ],
)
def test_corrections_that_cannot_be_carried_out_are_refused_without_the_value(
    mestro: Register, given_: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        checked_corrections(mestro, given_)
    assert "Anna" not in str(caught.value) and "42" not in str(caught.value)


@pytest.mark.parametrize(
    ("use", "direct"),
    [
        ("marketing", True),
        ("marketing.communications.email", True),
        ("analytics", False),
        ("essential.service", False),
    ],
)
def test_direct_marketing_is_the_fideslang_marketing_use_and_below(use: str, direct: bool) -> None:
    assert purpose("p", use, LegalBasis.CONSENT).is_direct_marketing is direct


def test_art_21_decides_which_purposes_a_person_may_object_to() -> None:
    register_purposes = [
        purpose("ads", "marketing.advertising", LegalBasis.CONSENT),
        purpose("stats", "analytics", LegalBasis.LEGITIMATE_INTERESTS),
        purpose("duty", "essential", LegalBasis.PUBLIC_TASK),
        purpose("club", "essential.service", LegalBasis.CONSENT),
        purpose("books", "essential", LegalBasis.CONTRACT, LegalBasis.LEGAL_OBLIGATION),
    ]
    register = load_register(MESTRO).model_copy(update={"purposes": register_purposes})
    assert objected_purpose(register, "ads").key == "ads"  # marketing: any basis
    assert objected_purpose(register, " stats ").key == "stats"
    assert objected_purpose(register, "duty").key == "duty"
    with pytest.raises(InvalidInput, match="withdraw the consent"):
        objected_purpose(register, "club")
    with pytest.raises(InvalidInput, match="no right to object"):
        objected_purpose(register, "books")
    with pytest.raises(InvalidInput, match="unknown purpose; known: ads, stats"):
        objected_purpose(register, "nope")
    with pytest.raises(InvalidInput, match="names the purpose"):
        objected_purpose(register, None)


def test_an_objection_to_marketing_suppresses_all_marketing_and_nothing_else() -> None:
    ads = purpose("ads", "marketing.advertising", LegalBasis.CONSENT)
    letters = purpose("letters", "marketing.communications.email", LegalBasis.CONSENT)
    stats = purpose("stats", "analytics", LegalBasis.LEGITIMATE_INTERESTS)
    limits = limits_for_objection(REQUEST, ads, AT)
    assert [limit.kind for limit in limits] == [LimitKind.OBJECTED, LimitKind.SUPPRESSED]
    assert not may_process(limits, ads) and not may_process(limits, letters)
    assert may_process(limits, stats)
    only_stats = limits_for_objection(REQUEST, stats, AT)
    assert [limit.kind for limit in only_stats] == [LimitKind.OBJECTED]
    assert not may_process(only_stats, stats) and may_process(only_stats, ads)


@given(st.sampled_from(["marketing", "analytics", "essential.service", "operations"]))
def test_a_restriction_stops_every_purpose_until_lifted(use: str) -> None:
    any_purpose = purpose("p", use, LegalBasis.CONTRACT)
    limit = restriction(REQUEST, AT)
    assert not may_process([limit], any_purpose)
    lifted = lift(limit, "Accuracy verified.", AT + dt.timedelta(days=3))
    assert may_process([lifted], any_purpose) and not lifted.active


def test_lifting_needs_a_restriction_still_in_force_and_a_reason() -> None:
    limit = restriction(REQUEST, AT)
    with pytest.raises(InvalidInput, match="a reason is 1-2000"):
        lift(limit, "  ", AT)
    lifted = lift(limit, "Verified.", AT)
    with pytest.raises(ConflictError, match="already lifted"):
        lift(lifted, "Again.", AT)
    ads = purpose("ads", "marketing", LegalBasis.CONSENT)
    suppressed = limits_for_objection(REQUEST, ads, AT)[1]
    with pytest.raises(ConflictError, match="only a restriction"):
        lift(suppressed, "No.", AT)


def test_a_rejection_lifts_all_but_the_suppression_list() -> None:
    ads = purpose("ads", "marketing", LegalBasis.LEGITIMATE_INTERESTS)
    ended = ended_by_rejection(
        [*limits_for_objection(REQUEST, ads, AT), restriction(REQUEST, AT)], AT
    )
    assert sorted(limit.kind for limit in ended) == [LimitKind.OBJECTED, LimitKind.RESTRICTED]
    assert all(limit.lifted_at == AT for limit in ended)


def _request(kind: RequestType, purpose_key: str | None = None) -> DataSubjectRequest:
    return new_request(kind, Channel.WEB, deadlines_for(AT.date(), "SE"), purpose=purpose_key)


def test_steps_follow_the_right(mestro: Register) -> None:
    platform = "mestro_platform"
    flagged = [
        s.model_copy(update={"datasets": ["shop"], "restriction_flag": "shop.c.flag"})
        if s.key == platform
        else s
        for s in mestro.systems
    ]
    register = mestro.model_copy(update={"systems": flagged})
    connected = frozenset({platform})

    def kinds(kind: RequestType, purpose_key: str | None = None) -> dict[str, StepKind]:
        steps = plan_steps(register, _request(kind, purpose_key), connected)
        return {s.system: s.kind for s in steps}

    everyone = {s.key for s in register.systems}
    for right in (RequestType.ACCESS, RequestType.ERASURE, RequestType.RECTIFICATION):
        assert set(kinds(right)) == everyone and kinds(right)[platform] is StepKind.CONNECTOR
    assert kinds(RequestType.RESTRICTION)[platform] is StepKind.CONNECTOR
    unflagged = [s.model_copy(update={"restriction_flag": None}) for s in register.systems]
    no_flag = register.model_copy(update={"systems": unflagged})
    steps = plan_steps(no_flag, _request(RequestType.RESTRICTION), connected)
    assert {s.system: s.kind for s in steps}[platform] is StepKind.MANUAL
    # An objection reaches the systems serving the purpose, all by hand.
    analytics = kinds(RequestType.OBJECTION, "analytics")
    assert set(analytics) == {s.key for s in register.systems if "analytics" in s.purposes} and set(
        analytics.values()
    ) == {StepKind.MANUAL}
    # Objecting to one marketing purpose reaches every system serving any of them.
    marketing = {"marketing", "newsletter", "events"}
    assert set(kinds(RequestType.OBJECTION, "marketing")) == {
        s.key for s in register.systems if marketing & set(s.purposes)
    }
