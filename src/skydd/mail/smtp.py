"""Sending mail through an SMTP server with the standard library.

One connection per message: skydd sends few mails (codes, notices, one reminder a
day), and a fresh connection never carries a broken state from the last one. A
failure is raised as :class:`MailNotSent` naming the server, never the recipient.

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
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid

from skydd.config import MailSettings
from skydd.domain.errors import MailNotSent
from skydd.services.ports import MailMessage


class SmtpMailer:
    """Sends each message over its own SMTP connection to the configured server."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings
        self._policy = mail_policy()
        self._local_hostname: str | None = None

    def send(self, sender: str, to: str, message: MailMessage) -> None:
        """Deliver ``message`` to ``to`` from ``sender``; :class:`MailNotSent` if it fails."""
        mime = compose(sender, to, message, self._policy)
        settings = self._settings
        try:
            with smtplib.SMTP(
                settings.host,
                settings.port,
                local_hostname=self._ehlo_name(),
                timeout=settings.timeout_seconds,
            ) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username is not None and settings.password is not None:
                    smtp.login(settings.username, settings.password.get_secret_value())
                smtp.send_message(mime)
        except (OSError, smtplib.SMTPException):
            msg = f"the mail server {settings.host}:{settings.port} did not take the message"
            # Not chained: an SMTP refusal quotes the recipient address.
            raise MailNotSent(msg) from None

    def _ehlo_name(self) -> str:
        # Looked up on the first message, not when the mailer is built: most processes
        # (CLI commands, the API) never send one.
        if self._local_hostname is None:
            self._local_hostname = ehlo_name()
        return self._local_hostname


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
    mime.set_content(message.text)
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html")
    return mime
