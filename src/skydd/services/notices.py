"""Mail to people and staff about requests: one way to send, and one way to fail.

A mail server that does not take a message never undoes the change the message is
about (a stored extension stays extended): the failure is logged with the request's
reference, never the address, and the caller learns it from the return value.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from skydd.domain.errors import ConflictError, MailNotSent
from skydd.domain.register import Register
from skydd.services.ports import Mailer, MailMessage, RequestMail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Postman:
    """The mail server, the writer of request mail, and the From address (None: register's)."""

    mailer: Mailer
    writer: RequestMail
    sender: str | None = None

    def send(self, register: Register, to: str, message: MailMessage, about: str) -> bool:
        """Send ``message``; ``False`` (logged, naming ``about``) when the server refused it."""
        try:
            self.mailer.send(self.sender or sender_of(register), to, message)
        except MailNotSent as exc:
            logger.warning("mail about %s not sent: %s", about, exc)
            return False
        return True


def sender_of(register: Register) -> str:
    """The From address of request mail: the intake contact point, else the first one."""
    org = register.organisation
    points = {p.key: p for p in org.contact_points}
    chosen = points.get(org.intake_contact or "") or next(iter(points.values()), None)
    if chosen is None:
        msg = "the register names no contact point to send request mail from"
        raise ConflictError(msg)
    return str(chosen.email)
