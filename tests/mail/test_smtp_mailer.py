"""Sending request mail over SMTP: nothing per message that can be worked out once (P17)."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest

from skydd.config import MailSettings
from skydd.documents.request_messages import completion_notice
from skydd.domain.requests import RequestType
from skydd.mail.smtp import SmtpMailer, compose, mail_policy
from tests.conftest import MESTRO
from tests.documents.policy_reading import register_at
from tests.smtp import Mailbox, text_of

pytestmark = pytest.mark.promise("P17")


def test_the_greeting_name_is_looked_up_once_per_mailer(
    monkeypatch: pytest.MonkeyPatch, smtp: tuple[int, Mailbox], mailbox: Mailbox
) -> None:
    lookups: list[str] = []
    sending = threading.get_ident()  # the server, in its own thread, looks up its name too

    def getfqdn(name: str = "") -> str:
        if threading.get_ident() == sending:
            lookups.append(name)
        return "mailer.example.com"

    monkeypatch.setattr(socket, "getfqdn", getfqdn)  # smtplib's own lookup too
    mailer = SmtpMailer(MailSettings(port=smtp[0]))
    message = completion_notice(register_at(MESTRO), "en", RequestType.ERASURE)
    for n in range(3):
        mailer.send("privacy@example.com", f"person{n}@example.org", message)
    assert lookups == [""]
    assert [m["To"] for m in mailbox.messages] == [f"person{n}@example.org" for n in range(3)]
    assert text_of(mailbox.messages[0]).replace("\r\n", "\n") == message.text


def test_the_mailers_header_classes_write_the_same_bytes() -> None:
    message = completion_notice(
        register_at(MESTRO),
        "sv",
        RequestType.ACCESS,
        download_url="https://privacy.example.com/api/v1/requests/answers/abc",
        link_expires_on=dt.date(2026, 12, 2),
        downloads_allowed=3,
    )
    standard = compose("privacy@example.com", "person@example.org", message)
    faster = compose("privacy@example.com", "person@example.org", message, mail_policy())
    for name in ("Date", "Message-ID"):
        faster.replace_header(name, standard[name])
    standard.set_boundary("boundary")
    faster.set_boundary("boundary")
    assert faster.as_bytes() == standard.as_bytes()
