"""The unit of work: one transaction around one use case."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from skydd.services.ports import (
    ApiTokenRepository,
    AuditRepository,
    BreachRepository,
    ConsentRepository,
    EventRepository,
    OrganisationRepository,
    PixelRepository,
    PolicyRepository,
    ProcessingLimitRepository,
    RegisterRepository,
    RequestRepository,
    RequestWorkRepository,
    StaffSessionRepository,
    StaffUserRepository,
    SubjectRepository,
)


class UnitOfWork(Protocol):
    """Repositories sharing one transaction; ``commit`` or everything is rolled back."""

    organisations: OrganisationRepository
    registers: RegisterRepository
    policies: PolicyRepository
    audit: AuditRepository
    breaches: BreachRepository
    users: StaffUserRepository
    tokens: ApiTokenRepository
    sessions: StaffSessionRepository
    subjects: SubjectRepository
    requests: RequestRepository
    work: RequestWorkRepository
    limits: ProcessingLimitRepository
    consents: ConsentRepository
    events: EventRepository
    pixels: PixelRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make the work of this unit durable."""
        ...

    def rollback(self) -> None:
        """Undo everything not yet committed."""
        ...
