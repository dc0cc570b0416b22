"""Sending mail through an SMTP server with the standard library.

One connection per message: skydd sends few mails (codes, notices, one reminder a
day), and a fresh connection never carries a broken state from the last one. A
failure is raised as :class:`MailNotSent` naming the server, never the recipient.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from skydd.config import MailSettings
from skydd.domain.errors import MailNotSent
from skydd.services.ports import MailMessage


class SmtpMailer:
    """Sends each message over its own SMTP connection to the configured server."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings

    def send(self, sender: str, to: str, message: MailMessage) -> None:
        """Deliver ``message`` to ``to`` from ``sender``; :class:`MailNotSent` if it fails."""
        email = compose(sender, to, message)
        settings = self._settings
        try:
            with smtplib.SMTP(
                settings.host, settings.port, timeout=settings.timeout_seconds
            ) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username is not None and settings.password is not None:
                    smtp.login(settings.username, settings.password.get_secret_value())
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException):
            msg = f"the mail server {settings.host}:{settings.port} did not take the message"
            # Not chained: an SMTP refusal quotes the recipient address.
            raise MailNotSent(msg) from None


def compose(sender: str, to: str, message: MailMessage) -> EmailMessage:
    """The MIME message: plain text, with an HTML alternative when there is one."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email
