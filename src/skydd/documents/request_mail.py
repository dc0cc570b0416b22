"""The :class:`~skydd.services.ports.RequestMail` port: request mail and the access package."""

from __future__ import annotations

from collections.abc import Sequence

from skydd.documents.access_package import ReportCache, build_access_package
from skydd.documents.request_messages import (
    completion_notice,
    extension_notice,
    rejection_notice,
    restriction_lifted_notice,
    staff_reminder,
    verification_code_message,
)
from skydd.domain.access_answer import AnsweredRequest, FoundSystem
from skydd.domain.register import Register
from skydd.domain.request_notices import DueRequest, KeptRecord
from skydd.domain.requests import DataSubjectRequest
from skydd.services.ports import AnswerLink, MailMessage


class RequestMailWriter:
    """Writes request mail in the person's language from the register's organisation.

    One writer serves a process: it keeps the register's part of access reports
    (:class:`~skydd.documents.access_package.ReportCache`) from answer to answer.
    """

    def __init__(self, reports: ReportCache | None = None) -> None:
        self._reports = reports if reports is not None else ReportCache()

    def verification_code(
        self, register: Register, language: str, code: str, valid_minutes: int
    ) -> MailMessage:
        """The mail carrying a verification code."""
        return verification_code_message(register, language, code, valid_minutes)

    def completion(
        self,
        register: Register,
        request: DataSubjectRequest,
        answer: AnswerLink | None,
        kept: Sequence[KeptRecord],
    ) -> MailMessage:
        """The mail saying the request is done: the download link, or what was kept."""
        return completion_notice(
            register,
            request.language,
            request.type,
            download_url=None if answer is None else answer.url,
            link_expires_on=None if answer is None else answer.expires_on,
            downloads_allowed=None if answer is None else answer.downloads,
            kept=kept,
        )

    def extension(self, register: Register, request: DataSubjectRequest) -> MailMessage:
        """The Art. 12(3) notice: the deadline is extended, why, and the new date."""
        return extension_notice(
            register,
            request.language,
            request.type,
            request.deadlines.received_on,
            request.due_on,
            request.extended_because or "",
        )

    def rejection(self, register: Register, request: DataSubjectRequest) -> MailMessage:
        """The Art. 12(4) notice: why nothing is done, and the right to complain."""
        return rejection_notice(
            register, request.language, request.type, request.rejected_because or ""
        )

    def restriction_lifted(
        self, register: Register, request: DataSubjectRequest, reason: str
    ) -> MailMessage:
        """The Art. 18(3) notice, sent before a restriction is lifted: that it is, and why."""
        return restriction_lifted_notice(register, request.language, request.type, reason)

    def reminder(
        self, language: str, overdue: Sequence[DueRequest], due_soon: Sequence[DueRequest]
    ) -> MailMessage:
        """The daily reminder to staff: references, types and dates only."""
        return staff_reminder(language, overdue, due_soon)

    def access_package(
        self,
        register: Register,
        language: str,
        request: AnsweredRequest,
        found: Sequence[FoundSystem],
    ) -> bytes:
        """The zip answering an access or portability request, in the person's language."""
        return build_access_package(register, language, request, found, self._reports)
