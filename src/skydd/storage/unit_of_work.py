"""The SQL unit of work: one session, one transaction, repositories bound to it."""

from __future__ import annotations

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
            self.organisations = SqlOrganisationRepository(session)
            reads = self._reads = self._fast.borrowing() if self._fast is not None else None
            if reads is not None:
                reads.follow(session)
            self.registers = SqlRegisterRepository(session, self._register_cache, reads)
            self.policies = SqlPolicyRepository(session)
            self.audit = SqlAuditRepository(session)
            self.breaches = SqlBreachRepository(session)
            self.users = SqlStaffUserRepository(session, self._crypto)
            self.tokens = SqlApiTokenRepository(session, reads)
            self.sessions = SqlStaffSessionRepository(session)
            self.subjects = SqlSubjectRepository(session, self._crypto)
            self.requests = SqlRequestRepository(session, self._crypto)
            self.work = SqlRequestWorkRepository(session, self._crypto)
            self.limits = SqlProcessingLimitRepository(session, self._crypto)
            self.consents = SqlConsentRepository(session, self._crypto)
            self.events = SqlEventRepository(session)
            self.pixels = SqlPixelRepository(session)
        return self

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


def _no_keys() -> FieldCrypto:
    """The crypto source of a unit of work built without keys: personal data is refused."""
    raise KeyringError("no keys configured: set SKYDD_KEYS__FILE or SKYDD_KEYS__KEYRING")
