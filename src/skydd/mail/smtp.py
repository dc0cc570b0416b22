"""Sending mail through an SMTP server with the standard library.

One connection per thread, kept open while it is used: a worker sends a notice for
every request it completes, and a new connection per message costs more than the
message. A failure is raised as :class:`MailNotSent` naming the server, never the
recipient.

What does not change from message to message is worked out once per mailer: the name
given in ``EHLO`` (the standard library looks up the machine's fully qualified name
for every connection otherwise, which can wait on DNS) and the header classes of the
``email`` package (its registry builds a new class for every header it sets or parses).
"""

from __future__ import annotations

import email.policy
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid

from skydd.config import MailSettings
from skydd.domain.errors import MailNotSent
from skydd.services.ports import MailMessage

MAX_LINE = 998
"""The longest line RFC 5322 allows (§2.1.1), ending excluded."""

IDLE_SECONDS = 30.0
"""A connection idle this long is closed before the next message, not trusted: servers
drop idle clients (RFC 5321 asks them to wait at least five minutes; many wait less)."""


@dataclass
class _Connection:
    smtp: smtplib.SMTP
    used_at: float


class SmtpMailer:
    """Sends messages to the configured server over one connection per thread, kept open.

    A worker sending notice after notice pays for the TCP connection, the greeting and
    the login once rather than per message. A connection the server has closed meanwhile
    is noticed when the next message fails to start, and that message goes again over a
    fresh connection; any other failure closes the connection, so a broken state is
    never carried to the next message.
    """

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings
        self._policy = mail_policy()
        self._local_hostname: str | None = None
        self._local = threading.local()
        self._open: list[_Connection] = []
        self._lock = threading.Lock()

    def send(self, sender: str, to: str, message: MailMessage) -> None:
        """Deliver ``message`` to ``to`` from ``sender``; :class:`MailNotSent` if it fails."""
        mime = compose(sender, to, message, self._policy)
        settings = self._settings
        try:
            self._deliver(mime)
        except (OSError, smtplib.SMTPException):
            msg = f"the mail server {settings.host}:{settings.port} did not take the message"
            # Not chained: an SMTP refusal quotes the recipient address.
            raise MailNotSent(msg) from None

    def close(self) -> None:
        """Close every open connection (the process is stopping)."""
        with self._lock:
            connections, self._open = self._open, []
        for connection in connections:
            _quit(connection.smtp)

    def _deliver(self, mime: EmailMessage) -> None:
        kept: _Connection | None = getattr(self._local, "connection", None)
        if kept is not None and time.monotonic() - kept.used_at < IDLE_SECONDS:
            try:
                kept.smtp.send_message(mime)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                self._drop(kept)  # closed while idle: send again over a new one
            except BaseException:
                self._drop(kept)
                raise
            else:
                kept.used_at = time.monotonic()
                return
        elif kept is not None:
            self._drop(kept)
        fresh = _Connection(self._connect(), time.monotonic())
        try:
            fresh.smtp.send_message(mime)
        except BaseException:
            _quit(fresh.smtp)
            raise
        self._local.connection = fresh
        with self._lock:
            self._open.append(fresh)

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        smtp = smtplib.SMTP(
            settings.host,
            settings.port,
            local_hostname=self._ehlo_name(),
            timeout=settings.timeout_seconds,
        )
        try:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username is not None and settings.password is not None:
                smtp.login(settings.username, settings.password.get_secret_value())
        except BaseException:
            _quit(smtp)
            raise
        return smtp

    def _drop(self, connection: _Connection) -> None:
        self._local.connection = None
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)
        _quit(connection.smtp)

    def _ehlo_name(self) -> str:
        # Looked up on the first message, not when the mailer is built: most processes
        # (CLI commands, the API) never send one.
        if self._local_hostname is None:
            self._local_hostname = ehlo_name()
        return self._local_hostname


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye if the server still listens; close the socket either way."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def ehlo_name() -> str:
    """The name :mod:`smtplib` would greet with: the fully qualified name, else ``[address]``."""
    fqdn = socket.getfqdn()
    if "." in fqdn:
        return fqdn
    try:
        address = socket.gethostbyname(socket.gethostname())
    except socket.gaierror:
        address = "127.0.0.1"
    return f"[{address}]"


class _HeaderClasses(HeaderRegistry):
    """The standard registry, making each header's class once instead of on every header."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


def mail_policy() -> EmailPolicy[EmailMessage]:
    """``email.policy.default`` with header classes made once: the same bytes, faster."""
    return email.policy.default.clone(header_factory=_HeaderClasses())


def compose(
    sender: str,
    to: str,
    message: MailMessage,
    policy: EmailPolicy[EmailMessage] = email.policy.default,
) -> EmailMessage:
    """The MIME message: plain text, with an HTML alternative when there is one."""
    mime = EmailMessage(policy=policy)
    mime["From"] = sender
    mime["To"] = to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # A message may add headers (a newsletter's List-Unsubscribe, RFC 8058), kept unfolded.
    extra: Mapping[str, str] = getattr(message, "headers", {})
    for name, value in extra.items():
        mime[name] = _Unfolded(name, value)
    mime.set_content(message.text)
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html")
    return mime


class _Unfolded(str):
    """A header written on one line as given, never folded or encoded.

    The ``email`` package folds a long header with no spaces into RFC 2047 encoded
    words, which breaks a URL in ``List-Unsubscribe``: RFC 2369 has the URL in angle
    brackets and forbids inserting whitespace into it, and lines may run to 998
    characters (RFC 5322 §2.1.1). Only printable ASCII is taken.
    """

    name: str

    def __new__(cls, name: str, value: str) -> _Unfolded:
        if len(name) + len(value) + 2 > MAX_LINE or not all(" " <= c <= "~" for c in value):
            msg = f"the {name} header is not one line of printable ASCII"
            raise ValueError(msg)
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: EmailPolicy[EmailMessage]) -> str:
        """The header line as given, with the policy's line ending."""
        return f"{self.name}: {self}{policy.linesep}"
