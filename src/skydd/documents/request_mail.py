"""The :class:`~skydd.services.ports.RequestMail` port, written by the request messages."""

from __future__ import annotations

from skydd.documents.request_messages import verification_code_message
from skydd.domain.register import Register
from skydd.services.ports import MailMessage


class RequestMailWriter:
    """Writes request mail in the person's language from the register's organisation."""

    def verification_code(
        self, register: Register, language: str, code: str, valid_minutes: int
    ) -> MailMessage:
        """The mail carrying a verification code."""
        return verification_code_message(register, language, code, valid_minutes)
