"""Sending request mail over SMTP: nothing per message that can be worked out once (P17)."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import threading
from typing import Any

import pytest

from skydd.config import MailSettings
from skydd.documents.request_messages import completion_notice
from skydd.domain.errors import MailNotSent
from skydd.domain.requests import RequestType
from skydd.mail.smtp import IDLE_SECONDS, SmtpMailer, compose, mail_policy
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
    mailer.close()
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


def test_one_connection_carries_message_after_message_and_a_dropped_one_is_replaced(
    smtp: tuple[int, Mailbox], mailbox: Mailbox
) -> None:
    sessions: list[int] = []
    real_connect = smtplib.SMTP.connect

    def counting_connect(self: smtplib.SMTP, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        sessions.append(1)
        return real_connect(self, *args, **kwargs)

    mailer = SmtpMailer(MailSettings(port=smtp[0]))
    message = completion_notice(register_at(MESTRO), "en", RequestType.ERASURE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(smtplib.SMTP, "connect", counting_connect)
        for n in range(3):
            mailer.send("privacy@example.com", f"kept{n}@example.org", message)
        assert len(sessions) == 1
        # The server drops the connection while it is idle: the next message still goes.
        kept = mailer._local.connection
        kept.smtp.sock.shutdown(socket.SHUT_RDWR)
        mailer.send("privacy@example.com", "after-drop@example.org", message)
        assert len(sessions) == 2
        # One left idle too long is not trusted.
        mailer._local.connection.used_at -= IDLE_SECONDS
        mailer.send("privacy@example.com", "after-idle@example.org", message)
        assert len(sessions) == 3
    received = [m["To"] for m in mailbox.messages]
    assert received[-5:] == [
        *(f"kept{n}@example.org" for n in range(3)),
        "after-drop@example.org",
        "after-idle@example.org",
    ]
    mailer.close()
    assert mailer._open == []


def test_a_server_that_is_gone_is_mail_not_sent_naming_no_recipient() -> None:
    mailer = SmtpMailer(MailSettings(port=1, timeout_seconds=2))
    message = completion_notice(register_at(MESTRO), "en", RequestType.ERASURE)
    with pytest.raises(MailNotSent) as caught:
        mailer.send("privacy@example.com", "nobody@example.org", message)
    assert "127.0.0.1:1" in str(caught.value) and "nobody" not in str(caught.value)
