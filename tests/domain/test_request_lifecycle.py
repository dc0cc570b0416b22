"""The lifecycle of a data subject request: allowed moves, rejection, extension in time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.request_deadlines import deadlines_for
from skydd.domain.requests import (
    NEXT_STATUSES,
    Channel,
    DataSubjectRequest,
    RequestStatus,
    RequestType,
    Verification,
    advance,
    extend,
    mark_notified,
    new_request,
    parse_request_type,
    reject,
    verify,
)
from skydd.domain.verification import VerificationMethod

pytestmark = pytest.mark.promise("P17")

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
RECEIVED = dt.date(2026, 11, 25)
BY_CODE = Verification(VerificationMethod.EMAIL_CODE, AT, "requester")


def received(request_type: RequestType = RequestType.ACCESS) -> DataSubjectRequest:
    return new_request(request_type, Channel.EMAIL, deadlines_for(RECEIVED, "SE"))


def test_the_happy_path_and_the_final_state() -> None:
    request = received()
    request = verify(request, BY_CODE)
    assert request.verification == BY_CODE
    for status in (RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED):
        request = advance(request, status, AT)
    assert request.status is RequestStatus.COMPLETED and request.is_final
    with pytest.raises(ConflictError, match="completed request cannot become in_progress"):
        advance(request, RequestStatus.IN_PROGRESS, AT)


def test_nothing_runs_before_verification() -> None:
    with pytest.raises(ConflictError):
        advance(received(), RequestStatus.IN_PROGRESS, AT)
    with pytest.raises(ConflictError):
        advance(received(), RequestStatus.COMPLETED, AT)


def test_a_rejection_carries_its_reason_and_is_final() -> None:
    with pytest.raises(InvalidInput, match="use reject"):
        advance(received(), RequestStatus.REJECTED, AT)
    with pytest.raises(InvalidInput):
        reject(received(), "   ", AT)
    rejected = reject(received(), "Manifestly unfounded: the same request weekly.", AT)
    assert rejected.rejected_because == "Manifestly unfounded: the same request weekly."
    assert rejected.is_final
    with pytest.raises(ConflictError):
        reject(rejected, "again", AT)


def test_an_extension_moves_the_deadline_once_and_only_in_time() -> None:
    request = verify(received(), BY_CODE)
    assert request.due_on == dt.date(2026, 12, 28)
    extended = extend(request, "Many systems to search.", dt.date(2026, 12, 28), AT)
    assert extended.status is RequestStatus.VERIFIED  # extension is not a state
    assert extended.due_on == dt.date(2027, 2, 25)
    with pytest.raises(ConflictError, match="already been extended"):
        extend(extended, "again", dt.date(2026, 12, 1), AT)
    with pytest.raises(ConflictError, match="too late to extend"):
        extend(request, "late", dt.date(2026, 12, 29), AT)
    done = advance(advance(request, RequestStatus.IN_PROGRESS, AT), RequestStatus.COMPLETED, AT)
    with pytest.raises(ConflictError):
        extend(done, "after the fact", dt.date(2026, 12, 1), AT)


def test_request_types_parse_and_name_their_article() -> None:
    assert parse_request_type(" Erasure ") is RequestType.ERASURE
    assert [t.article for t in RequestType] == [15, 16, 17, 18, 20, 21]
    with pytest.raises(InvalidInput) as caught:
        parse_request_type("anna@example.com")
    assert "anna" not in str(caught.value) and "access" in str(caught.value)


@given(st.lists(st.sampled_from(list(RequestStatus)), max_size=8))
def test_every_reachable_state_follows_the_table(moves: list[RequestStatus]) -> None:
    request = received()
    for to in moves:
        allowed = to in NEXT_STATUSES[request.status]
        try:
            if to is RequestStatus.REJECTED:
                request = reject(request, "reason", AT)
            elif to is RequestStatus.VERIFIED:
                request = verify(request, BY_CODE)
            else:
                request = advance(request, to, AT)
        except ConflictError:
            assert not allowed
        else:
            assert allowed and request.status is to


def test_verification_has_its_own_move_and_manual_needs_a_reason() -> None:
    with pytest.raises(InvalidInput, match="use verify"):
        advance(received(), RequestStatus.VERIFIED, AT)
    with pytest.raises(InvalidInput, match="reason"):
        verify(received(), Verification(VerificationMethod.MANUAL, AT, "user:dpo"))
    checked = Verification(
        VerificationMethod.MANUAL, AT, "user:dpo", "  Called back on file number. "
    )
    verified = verify(received(), checked)
    assert verified.verification is not None
    assert verified.verification.reason == "Called back on file number."
    with pytest.raises(ConflictError):
        verify(verified, BY_CODE)


def test_references_are_unambiguous_and_distinct() -> None:
    references = {received().reference for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert reference.startswith("R-") and len(reference) == 11
        assert not set(reference[2:].replace("-", "")) & set("01ILOU")


def test_only_a_completed_request_is_notified_and_the_first_time_stands() -> None:
    request = verify(received(), BY_CODE)
    with pytest.raises(ConflictError, match="verified request has no completion notice"):
        mark_notified(request, AT)
    done = advance(advance(request, RequestStatus.IN_PROGRESS, AT), RequestStatus.COMPLETED, AT)
    told = mark_notified(done, AT)
    assert told.notified_at == AT
    assert mark_notified(told, AT + dt.timedelta(hours=1)).notified_at == AT
