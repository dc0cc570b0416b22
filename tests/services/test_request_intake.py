"""Receiving and verifying requests: true receipt dates, codes over real SMTP, limits, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from skydd.bootstrap import Container, build_container
from skydd.config import MailSettings, Settings
from skydd.domain.audit import AuditAction, AuditEvent, UnreadableEvent
from skydd.domain.errors import ConflictError, InvalidInput, NotFoundError, TooManyAttempts
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.request_deadlines import deadlines_for
from skydd.domain.requests import Channel, DataSubjectRequest, RequestStatus, RequestType
from skydd.domain.verification import VerificationMethod
from skydd.services.register import store_register
from skydd.services.request_reminders import remind_staff
from skydd.services.request_verification import check_code, send_code
from skydd.services.requests import (
    StaffDecision,
    Submission,
    extend_request,
    open_requests,
    receive_request,
    reject_request,
    verify_manually,
)
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.smtp import Mailbox, free_port, text_of

pytestmark = pytest.mark.promise("P17")

PERSON = Who("requester", "203.0.113.7")
STAFF = Who("user:dpo", "cli")
ANNA = "anna.svensson@example.se"


@pytest.fixture
def settings_without_smtp(settings: Settings, clock: FakeClock) -> Iterator[Container]:
    """Mestro served, with the mail server down (nothing listens on the port)."""
    down = settings.model_copy(update={"mail": MailSettings(port=free_port(), timeout_seconds=2)})
    container = build_container(down, clock=clock)
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    yield container
    container.close()


@pytest.fixture
def served(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    return container


def submit(
    container: Container,
    *,
    identifiers: dict[IdentifierKind, str] | None = None,
    type_: RequestType = RequestType.ACCESS,
    received_on: dt.date | None = None,
    channel: Channel = Channel.API,
    language: str | None = None,
) -> DataSubjectRequest:
    request, _ = receive_request(
        container.uow(),
        container.clock,
        None,
        Submission(
            type_,
            identifiers or {IdentifierKind.EMAIL: ANNA},
            channel=channel,
            received_on=received_on,
            language=language,
        ),
        who=PERSON if received_on is None else STAFF,
    )
    return request


def mail_code(container: Container, reference: str) -> bool:
    return send_code(
        container.uow(), container.clock, None, reference, container.code_mail(), who=PERSON
    )


def enter(container: Container, reference: str, code: str) -> DataSubjectRequest:
    return check_code(
        container.uow(),
        container.clock,
        None,
        reference,
        code,
        container.token_hasher,
        who=PERSON,
    )


def events(container: Container) -> list[AuditEvent]:
    with container.uow() as uow:
        return [e for e in uow.audit.page(0, 10_000) if not isinstance(e, UnreadableEvent)]


def test_a_request_is_due_a_month_from_its_true_receipt(served: Container) -> None:
    # Registered by staff on 25 Nov; the letter arrived on Friday 30 October.
    request = submit(served, received_on=dt.date(2026, 10, 30), channel=Channel.LETTER)
    assert request.status is RequestStatus.RECEIVED
    assert request.deadlines.received_on == dt.date(2026, 10, 30)
    assert request.due_on == dt.date(2026, 11, 30)
    assert request.deadlines.target_on == dt.date(2026, 11, 24)
    assert request.registered_by == STAFF.actor
    received = events(served)[-1]
    assert received.action == AuditAction.REQUEST_RECEIVED
    assert received.target == f"request:{request.reference}"
    assert received.details["received_on"] == "2026-10-30"
    assert ANNA not in repr(events(served))


def test_receipt_dates_in_the_future_or_long_ago_are_refused(served: Container) -> None:
    with pytest.raises(InvalidInput, match="future"):
        submit(served, received_on=dt.date(2026, 11, 26))
    with pytest.raises(InvalidInput, match="more than a year"):
        submit(served, received_on=dt.date(2025, 11, 1))


def test_malformed_identifiers_are_refused_without_repeating_them(served: Container) -> None:
    for kind, raw in [
        (IdentifierKind.EMAIL, "anna@@example"),
        (IdentifierKind.PHONE, "070-12"),
        (IdentifierKind.PERSONNUMMER, "121212-1213"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            submit(served, identifiers={kind: raw})
        assert raw not in str(caught.value)
    with container_requests(served) as requests:
        assert requests == []


class container_requests:  # noqa: N801 - reads like a function in a with statement
    """The open requests of the served organisation, for a ``with`` block."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def __enter__(self) -> list[DataSubjectRequest]:
        return open_requests(self.container.uow(), self.container.clock, None, None)

    def __exit__(self, *_: object) -> None:
        return None


def test_one_request_names_several_identifiers_in_the_language_asked(served: Container) -> None:
    request, requester = receive_request(
        served.uow(),
        served.clock,
        None,
        Submission(
            RequestType.ERASURE,
            {
                IdentifierKind.EMAIL: "Anna.Svensson@Example.SE",
                IdentifierKind.PHONE: "070-174 06 05",
                IdentifierKind.PERSONNUMMER: "121212-1212",
            },
            language="EN",
        ),
        who=PERSON,
    )
    assert [i.value for i in requester.identifiers] == [ANNA, "+46701740605", "201212121212"]
    assert request.language == "en"
    with served.uow() as uow:
        assert uow.requests.requester(request.id) == requester
    assert submit(served, language="fi").language == "sv"  # Mestro's default


def test_the_mailed_code_verifies_the_request_once(served: Container, mailbox: Mailbox) -> None:
    request = submit(served)
    assert mail_code(served, request.reference)
    [message] = mailbox.to(ANNA)
    assert message["From"] is not None and "@" in message["From"]
    code = mailbox.last_code(ANNA)
    assert code not in repr(events(served))
    verified = enter(served, request.reference, f" {code[:3]} {code[3:]} ")
    assert verified.status is RequestStatus.VERIFIED
    assert verified.verification is not None
    assert verified.verification.method is VerificationMethod.EMAIL_CODE
    assert events(served)[-1].action == AuditAction.REQUEST_VERIFIED
    with pytest.raises(ConflictError, match="no code is waiting"):
        enter(served, request.reference, code)
    with served.uow() as uow:
        assert uow.requests.code(request.id) is None
    assert "15" in text_of(message)


def test_wrong_codes_count_down_and_five_end_the_code(
    served: Container, clock: FakeClock, mailbox: Mailbox
) -> None:
    request = submit(served)
    mail_code(served, request.reference)
    right = mailbox.last_code(ANNA)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput, match=f"{left} attempts left"):
            enter(served, request.reference, wrong)
    with pytest.raises(InvalidInput, match="ask for a new code"):
        enter(served, request.reference, wrong)
    with pytest.raises(ConflictError, match="no attempts left"):
        enter(served, request.reference, right)
    # A new code, a minute later, works.
    clock.advance(minutes=1)
    assert mail_code(served, request.reference)
    assert (
        enter(served, request.reference, mailbox.last_code(ANNA)).status is RequestStatus.VERIFIED
    )


def test_a_code_expires_after_fifteen_minutes(
    served: Container, clock: FakeClock, mailbox: Mailbox
) -> None:
    request = submit(served)
    mail_code(served, request.reference)
    clock.advance(minutes=15)
    with pytest.raises(InvalidInput, match="expired"):
        enter(served, request.reference, mailbox.last_code(ANNA))


def test_codes_are_resent_at_most_once_a_minute_five_times(
    served: Container, clock: FakeClock, mailbox: Mailbox
) -> None:
    request = submit(served)
    assert mail_code(served, request.reference)
    with pytest.raises(TooManyAttempts) as caught:
        mail_code(served, request.reference)
    assert 1 <= caught.value.retry_after <= 60
    for _ in range(4):
        clock.advance(minutes=1)
        assert mail_code(served, request.reference)
    clock.advance(minutes=1)
    with pytest.raises(ConflictError, match="no more codes"):
        mail_code(served, request.reference)
    assert len(mailbox.to(ANNA)) == 5
    codes = [mailbox.last_code(ANNA)]
    with pytest.raises(InvalidInput):
        enter(served, request.reference, f"{(int(codes[0]) + 1) % 1_000_000:06d}")


def test_a_mail_server_that_is_down_costs_a_send_not_a_secret(
    settings_without_smtp: Container,
) -> None:
    container = settings_without_smtp
    request = submit(container)
    assert not mail_code(container, request.reference)
    with container.uow() as uow:
        challenge = uow.requests.code(request.id)
    assert challenge is not None and challenge.sends == 1


def test_staff_verify_by_hand_with_a_reason_only(served: Container) -> None:
    request = submit(served, identifiers={IdentifierKind.PHONE: "070-174 06 05"})
    with pytest.raises(ConflictError, match="names no e-mail"):
        mail_code(served, request.reference)
    with pytest.raises(InvalidInput, match="reason"):
        verify_manually(
            served.uow(), served.clock, None, StaffDecision(request.reference, "  ", STAFF)
        )
    verified = verify_manually(
        served.uow(),
        served.clock,
        None,
        StaffDecision(request.reference, "Called back on the number.", STAFF),
    )
    assert verified.verification is not None
    assert verified.verification.by == STAFF.actor
    assert verified.verification.reason == "Called back on the number."
    assert events(served)[-1].details["method"] == "manual"


def test_unknown_references_are_not_found(served: Container) -> None:
    with pytest.raises(NotFoundError):
        mail_code(served, "R-AAAA-BBBB")
    with pytest.raises(NotFoundError):
        enter(served, "R-AAAA-BBBB", "123456")


def test_due_lists_put_overdue_first_and_follow_extensions(
    served: Container, clock: FakeClock
) -> None:
    late = submit(served, received_on=dt.date(2026, 10, 12), channel=Channel.EMAIL)  # due 12 Nov
    soon = submit(served, received_on=dt.date(2026, 11, 2), channel=Channel.EMAIL)  # due 2 Dec
    later = submit(served)  # due 28 Dec (25 Dec is a Friday holiday; 26, 27 weekend)
    done = submit(served, received_on=dt.date(2026, 10, 1), channel=Channel.EMAIL)
    reject_request(
        served.uow(), clock, None, StaffDecision(done.reference, "Not a request.", STAFF)
    )

    def due(days: int | None) -> list[str]:
        within = None if days is None else dt.timedelta(days=days)
        return [r.reference for r in open_requests(served.uow(), clock, None, within)]

    assert due(7) == [late.reference, soon.reference]
    assert due(0) == [late.reference]
    assert due(None) == [late.reference, soon.reference, later.reference]
    verify_manually(served.uow(), clock, None, StaffDecision(soon.reference, "ID checked.", STAFF))
    extended = extend_request(
        served.uow(), clock, None, StaffDecision(soon.reference, "Many systems.", STAFF)
    )
    assert extended.due_on == dt.date(2027, 2, 2)
    assert due(7) == [late.reference]
    assert due(None)[-1] == soon.reference


def test_the_second_organisation_counts_by_its_own_calendar(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(SECOND_ORG), "s")
    request = submit(
        container,
        identifiers={IdentifierKind.PHONE: "087 123 4567"},
        received_on=dt.date(2026, 9, 26),
        channel=Channel.PHONE,
    )
    # 26 October 2026 is Ireland's October bank holiday, a working day in Sweden.
    assert request.due_on == dt.date(2026, 10, 27)
    assert deadlines_for(dt.date(2026, 9, 26), "SE").due_on == dt.date(2026, 10, 26)


def test_the_person_is_told_of_an_extension_and_of_a_rejection(
    served: Container, clock: FakeClock, mailbox: Mailbox
) -> None:
    first = submit(served)
    second = submit(served)
    for request in (first, second):
        decision = StaffDecision(request.reference, "ID checked by phone.", STAFF)
        verify_manually(served.uow(), clock, None, decision)
    extend_request(
        served.uow(),
        clock,
        None,
        StaffDecision(first.reference, "We must search twelve systems.", STAFF),
        served.postman(),
    )
    notice = text_of(mailbox.to(ANNA)[-1])
    assert "We must search twelve systems." in notice
    assert "25 februari 2027" in notice  # Swedish: Mestro's default language
    reject_request(
        served.uow(),
        clock,
        None,
        StaffDecision(second.reference, "The same request came last week.", STAFF),
        served.postman(),
    )
    refusal = text_of(mailbox.to(ANNA)[-1])
    assert "The same request came last week." in refusal
    assert "Integritetsskyddsmyndigheten" in refusal  # the register's authority
    assert len(mailbox.to(ANNA)) == 2


def test_staff_are_reminded_of_what_is_due_without_personal_data(
    served: Container, clock: FakeClock, mailbox: Mailbox
) -> None:
    assert remind_staff(served.uow(), clock, None, served.postman()).sent_to == 0
    assert mailbox.messages == []
    late = submit(served, received_on=dt.date(2026, 10, 12), channel=Channel.EMAIL)  # 12 Nov
    soon = submit(served, received_on=dt.date(2026, 11, 2), channel=Channel.EMAIL)  # 2 Dec
    submit(served)  # due 28 Dec: not yet
    reminder = remind_staff(served.uow(), clock, None, served.postman())
    assert [d.reference for d in reminder.overdue] == [late.reference]
    assert [d.reference for d in reminder.due_soon] == [soon.reference]
    [message] = mailbox.to("support@mestro.se")  # the DPO's contact point in the register
    body = text_of(message)
    assert late.reference in body and soon.reference in body
    assert ANNA not in body and "anna" not in message.as_string().lower()
