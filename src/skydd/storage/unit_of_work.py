"""The SQL unit of work: one session, one transaction, repositories bound to it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

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
from skydd.storage.fast_reads import BorrowedReads, FastReads
from skydd.storage.field_crypto import CryptoSource, FieldCrypto
from skydd.storage.keyring import KeyringError
from skydd.storage.repositories.accounts import SqlApiTokenRepository, SqlStaffUserRepository
from skydd.storage.repositories.audit import SqlAuditRepository
from skydd.storage.repositories.breaches import SqlBreachRepository
from skydd.storage.repositories.consent import SqlConsentRepository
from skydd.storage.repositories.events import SqlEventRepository
from skydd.storage.repositories.organisations import SqlOrganisationRepository
from skydd.storage.repositories.pixels import SqlPixelRepository
from skydd.storage.repositories.policies import SqlPolicyRepository
from skydd.storage.repositories.processing_limits import SqlProcessingLimitRepository
from skydd.storage.repositories.registers import RegisterCache, SqlRegisterRepository
from skydd.storage.repositories.request_work import SqlRequestWorkRepository
from skydd.storage.repositories.requests import SqlRequestRepository
from skydd.storage.repositories.sessions import SqlStaffSessionRepository
from skydd.storage.repositories.subjects import SqlSubjectRepository


class SqlUnitOfWork:
    """Opens a session on enter; rolls back on exit unless ``commit`` was called."""

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

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        register_cache: RegisterCache | None = None,
        crypto: CryptoSource | None = None,
        fast: FastReads | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._fast = fast
        self._register_cache = register_cache or RegisterCache()
        self._crypto = crypto or _no_keys
        self._session: Session | None = None
        self._reads: BorrowedReads | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        # Re-entry (a use case calling another) joins the open transaction.
        self._depth += 1
        if self._depth == 1:
            session = self._session_factory()
            self._session = session
            reads = self._reads = self._fast.borrowing() if self._fast is not None else None
            if reads is not None:
                reads.follow(session)
        return self

    def __getattr__(self, name: str) -> object:
        """A repository, made on first use in this unit of work (most use two or three)."""
        make = _REPOSITORIES.get(name)
        session = self.__dict__.get("_session")
        if make is None or session is None:
            raise AttributeError(name)
        repository = make(self, session)
        self.__dict__[name] = repository
        return repository

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0 and self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None
            for name in _REPOSITORIES:
                self.__dict__.pop(name, None)
            if self._reads is not None:
                self._reads.release()
                self._reads = None

    def commit(self) -> None:
        """Make the work of this unit durable."""
        if self._session is not None:
            self._session.commit()

    def rollback(self) -> None:
        """Undo everything not yet committed."""
        if self._session is not None:
            self._session.rollback()


_REPOSITORIES: dict[str, Callable[[SqlUnitOfWork, Session], object]] = {
    "organisations": lambda _uow, session: SqlOrganisationRepository(session),
    "registers": lambda uow, session: SqlRegisterRepository(
        session, uow._register_cache, uow._reads
    ),
    "policies": lambda _uow, session: SqlPolicyRepository(session),
    "audit": lambda _uow, session: SqlAuditRepository(session),
    "breaches": lambda _uow, session: SqlBreachRepository(session),
    "users": lambda uow, session: SqlStaffUserRepository(session, uow._crypto),
    "tokens": lambda uow, session: SqlApiTokenRepository(session, uow._reads),
    "sessions": lambda _uow, session: SqlStaffSessionRepository(session),
    "subjects": lambda uow, session: SqlSubjectRepository(session, uow._crypto),
    "requests": lambda uow, session: SqlRequestRepository(session, uow._crypto),
    "work": lambda uow, session: SqlRequestWorkRepository(session, uow._crypto),
    "limits": lambda uow, session: SqlProcessingLimitRepository(session, uow._crypto),
    "consents": lambda uow, session: SqlConsentRepository(session, uow._crypto),
    "events": lambda _uow, session: SqlEventRepository(session),
    "pixels": lambda _uow, session: SqlPixelRepository(session),
}
"""How each repository of a unit of work is made, from its open session."""


def _no_keys() -> FieldCrypto:
    """The crypto source of a unit of work built without keys: personal data is refused."""
    raise KeyringError("no keys configured: set SKYDD_KEYS__FILE or SKYDD_KEYS__KEYRING")
