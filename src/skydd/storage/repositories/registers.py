"""Register versions: canonical JSON rows ↔ validated :class:`Register` values."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session, defer

from skydd.domain.errors import NotFoundError
from skydd.domain.ids import OrganisationId, RegisterVersionId
from skydd.domain.policy import register_json
from skydd.domain.register import Register
from skydd.services.ports import RegisterHead, StoredRegister
from skydd.storage.fast_reads import BorrowedReads
from skydd.storage.tables import OrganisationRow, RegisterVersionRow

_ORGANISATIONS = OrganisationRow.__table__
_VERSIONS = RegisterVersionRow.__table__
_NEWEST_VERSION = (
    select(_VERSIONS.c.id)
    .where(_VERSIONS.c.organisation_id == _ORGANISATIONS.c.id)
    .order_by(_VERSIONS.c.number.desc())
    .limit(1)
    .correlate(_ORGANISATIONS)
    .scalar_subquery()
)
_HEADS = select(_ORGANISATIONS.c.key, _NEWEST_VERSION).order_by(_ORGANISATIONS.c.key)
_FIRST_HEADS = _HEADS.limit(bindparam("limit", type_=Integer))
_HEAD_BY_KEY = _HEADS.where(_ORGANISATIONS.c.key == bindparam("key"))
"""Every authorised request runs one of these, so they are built once from plain
columns: on SQLite, composing the statement would cost about as much as running it.
The newest version is found through the (organisation, number) unique index."""


class RegisterCache:
    """Validated registers by content hash, shared by every unit of work of a process.

    A stored register never changes (a new load is a new version with a new hash), so
    a validated one can be reused: an authorised request then costs a primary-key
    lookup instead of parsing and validating the whole register again. Requests run
    in a thread pool, so the look-up-then-reorder steps hold a lock: without it one
    thread could evict the entry another is moving to the end.
    """

    def __init__(self, max_entries: int = 16) -> None:
        self._entries: OrderedDict[str, Register] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._versions: dict[RegisterVersionId, StoredRegister] = {}

    def version(self, version_id: RegisterVersionId) -> StoredRegister | None:
        """The stored version ``version_id`` if seen before: a version never changes."""
        return self._versions.get(version_id)

    def remember(self, stored: StoredRegister) -> None:
        """Keep ``stored`` by its id (a few versions at most; the oldest go first)."""
        with self._lock:
            self._versions[stored.id] = stored
            while len(self._versions) > self._max_entries:
                del self._versions[next(iter(self._versions))]

    def get(self, content_hash: str) -> Register | None:
        """The cached register with ``content_hash``, if any."""
        with self._lock:
            register = self._entries.get(content_hash)
            if register is not None:
                self._entries.move_to_end(content_hash)
            return register

    def put(self, content_hash: str, register: Register) -> None:
        """Remember ``register``; the least recently used entry goes when full."""
        with self._lock:
            self._entries[content_hash] = register
            self._entries.move_to_end(content_hash)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


class SqlRegisterRepository:
    """Register versions in the SQL database."""

    def __init__(
        self,
        session: Session,
        cache: RegisterCache | None = None,
        fast: BorrowedReads | None = None,
    ) -> None:
        self._session = session
        self._cache = cache or RegisterCache()
        self._fast = fast

    def latest(self, organisation_id: OrganisationId) -> StoredRegister | None:
        """The newest stored register of an organisation."""
        row = self._session.scalar(
            select(RegisterVersionRow)
            .options(defer(RegisterVersionRow.document))
            .where(RegisterVersionRow.organisation_id == organisation_id)
            .order_by(RegisterVersionRow.number.desc())
            .limit(1)
        )
        return self._to_stored(row) if row is not None else None

    def get(self, version_id: RegisterVersionId) -> StoredRegister:
        """One stored register version by id."""
        cached = self._cache.version(version_id)
        if cached is not None:
            return cached
        row = self._session.get(
            RegisterVersionRow, version_id, options=[defer(RegisterVersionRow.document)]
        )
        if row is None:
            msg = f"no register version {version_id}"
            raise NotFoundError(msg)
        stored = self._to_stored(row)
        self._cache.remember(stored)
        return stored

    def heads(self, organisation_key: str | None, limit: int) -> list[RegisterHead]:
        """Organisations by key with their newest version id, in one query.

        Only the organisation with ``organisation_key`` when given, else up to ``limit``.
        """
        statement, params = (
            (_HEAD_BY_KEY, {"key": organisation_key})
            if organisation_key is not None
            else (_FIRST_HEADS, {"limit": limit})
        )
        if self._fast is not None and not self._session.in_transaction():
            rows = [tuple(record.values()) for record in self._fast.all(statement, params)]
        else:
            rows = [tuple(row) for row in self._session.execute(statement, params)]
        return [
            RegisterHead(key, RegisterVersionId(version_id) if version_id is not None else None)
            for key, version_id in rows
        ]

    def _to_stored(self, row: RegisterVersionRow) -> StoredRegister:
        register = self._cache.get(row.content_hash)
        if register is None:
            # Loads the deferred document only on a cache miss.
            register = Register.model_validate_json(row.document)
            self._cache.put(row.content_hash, register)
        return StoredRegister(
            id=RegisterVersionId(row.id),
            organisation_id=OrganisationId(row.organisation_id),
            number=row.number,
            content_hash=row.content_hash,
            loaded_at=row.loaded_at,
            source=row.source,
            register=register,
        )

    def add(
        self,
        organisation_id: OrganisationId,
        register: Register,
        content_hash: str,
        source: str,
        at: dt.datetime,
    ) -> StoredRegister:
        """Store a new register version with the next number."""
        highest = self._session.scalar(
            select(func.max(RegisterVersionRow.number)).where(
                RegisterVersionRow.organisation_id == organisation_id
            )
        )
        row = RegisterVersionRow(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            number=(highest or 0) + 1,
            content_hash=content_hash,
            loaded_at=at,
            source=source,
            document=register_json(register),
        )
        self._session.add(row)
        self._session.flush()
        return StoredRegister(
            RegisterVersionId(row.id),
            organisation_id,
            row.number,
            content_hash,
            at,
            source,
            register,
        )
