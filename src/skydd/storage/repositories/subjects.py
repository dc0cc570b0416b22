"""Data subjects' rows ↔ :class:`Subject`: every personal field encrypted, identifiers indexed.

Each token is bound to its table, column and row id (see ``storage.encryption``), so
a token copied elsewhere fails to decrypt. All tokens of a row are made under the
same master key, recorded in ``key_id``, which is what ``skydd keys rotate`` selects on.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import uuid
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from skydd.domain.errors import ConflictError, NotFoundError
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.subjects import (
    Subject,
    SubjectAttribute,
    SubjectId,
)
from skydd.storage.blind_index import BLIND_INDEX_INFO
from skydd.storage.fast_reads import execute
from skydd.storage.field_crypto import CryptoSource, EncryptedRepository, FieldCrypto
from skydd.storage.identity_tokens import open_identifiers, open_name, seal_identity
from skydd.storage.keyring import KeyId, Keyring
from skydd.storage.tables import SubjectAttributeRow, SubjectRow

SUBJECTS = "subjects"
ATTRIBUTES = "subject_attributes"

DEVICE_INDEX_INFO = BLIND_INDEX_INFO + b"device"
"""The derivation info of the key that turns a visitor id into a subject id."""

INDEX_COLUMNS = {
    IdentifierKind.EMAIL: SubjectRow.email_index,
    IdentifierKind.PHONE: SubjectRow.phone_index,
    IdentifierKind.PERSONNUMMER: SubjectRow.personnummer_index,
}
"""The blind-index column of each identifier kind on ``subjects``."""


class SqlSubjectRepository(EncryptedRepository):
    """Subjects of one database; encryption keys come from ``crypto`` on first use."""

    def __init__(self, session: Session, crypto: CryptoSource) -> None:
        super().__init__(crypto)
        self._session = session

    def find(self, organisation_id: OrganisationId, identifier: Identifier) -> list[Subject]:
        """The subjects with ``identifier`` (one, normally), matching under any key.

        A statement prepared once per kind and number of keys, run on the driver: the
        hot path of every consent and request (ADR 0027).
        """
        lookups = self.crypto.lookups(identifier)
        params: dict[str, object] = {"organisation_id": organisation_id}
        params.update((f"index_{n}", index) for n, index in enumerate(lookups))
        rows = execute(self._session, _finding(identifier.kind, len(lookups)), params)
        return [subject_of(cast("SubjectRow", row), self.crypto) for row in rows]

    def get(self, organisation_id: OrganisationId, subject_id: SubjectId) -> Subject | None:
        """The subject with ``subject_id`` in the organisation, if any."""
        row = self._session.get(SubjectRow, subject_id)
        if row is None or row.organisation_id != organisation_id:
            return None
        return subject_of(row, self.crypto)

    def count(self, organisation_id: OrganisationId) -> int:
        """How many subjects the organisation has."""
        found = self._session.scalar(
            select(func.count())
            .select_from(SubjectRow)
            .where(SubjectRow.organisation_id == organisation_id)
        )
        return int(found or 0)

    def add(self, organisation_id: OrganisationId, subject: Subject) -> bool:
        """Store a new subject; False when another has one of its identifiers already.

        That happens when two transactions add the same new person at once: the
        unique blind indexes let the first win, and ``ON CONFLICT DO NOTHING`` keeps
        the loser's transaction usable (no savepoint), so it can find the winner and
        go on.
        """
        row = SubjectRow(
            id=subject.id, organisation_id=organisation_id, created_at=subject.created_at
        )
        fill_subject_row(row, subject, self.crypto)
        dialect = self._session.get_bind().dialect.name
        values = {column: getattr(row, column) for column in _SUBJECT_COLUMNS}
        return bool(execute(self._session, _ADD_NEW[dialect], values))

    def device(
        self, organisation_id: OrganisationId, visitor_id: uuid.UUID, now: dt.datetime
    ) -> Subject:
        """The subject of a browser's random visitor id (cookie banner), found or added.

        The subject's id is derived from the visitor id by :func:`device_subject_id`, so
        the visitor id is never stored, and the row holds no identifier at all. While a
        rotation runs, the id under every key of the keyring is looked for; a new
        subject takes the active key's. A concurrent insert of the same visitor loses
        to the first one (``ON CONFLICT DO NOTHING``), and finds it.
        """
        keyring = self.crypto.index.keyring
        key_ids = (keyring.active, *(k for k in keyring.key_ids if k != keyring.active))
        ids = [device_subject_id(keyring, k, organisation_id, visitor_id) for k in key_ids]
        found = self._device_row(organisation_id, ids)
        if found is not None:
            return subject_of(found, self.crypto)
        subject = Subject(id=SubjectId(ids[0]), created_at=now, updated_at=now)
        if self.add(organisation_id, subject):
            return subject
        found = self._device_row(organisation_id, ids)  # added at the same moment elsewhere
        if found is None:
            msg = "the visitor was being recorded by another request: try again"
            raise ConflictError(msg)
        return subject_of(found, self.crypto)

    def _device_row(
        self, organisation_id: OrganisationId, ids: list[uuid.UUID]
    ) -> SubjectRow | None:
        return self._session.scalar(
            select(SubjectRow)
            .where(SubjectRow.id.in_(ids))
            .where(SubjectRow.organisation_id == organisation_id)
            .limit(1)
        )

    def save(self, subject: Subject) -> None:
        """Store a changed subject (every field re-encrypted under the active key)."""
        row = self._session.get(SubjectRow, subject.id)
        if row is None:
            msg = "no such subject"
            raise NotFoundError(msg)
        fill_subject_row(row, subject, self.crypto)
        self._session.flush()

    def attributes(self, subject_id: SubjectId) -> list[SubjectAttribute]:
        """The subject's category values, by category."""
        rows = self._session.scalars(
            select(SubjectAttributeRow)
            .where(SubjectAttributeRow.subject_id == subject_id)
            .order_by(SubjectAttributeRow.category)
        )
        return [attribute_of(row, self.crypto) for row in rows]

    def set_attribute(self, subject_id: SubjectId, attribute: SubjectAttribute) -> None:
        """Store ``attribute``, replacing the subject's earlier value of that category."""
        row = self._session.scalar(
            select(SubjectAttributeRow)
            .where(SubjectAttributeRow.subject_id == subject_id)
            .where(SubjectAttributeRow.category == attribute.category)
        )
        if row is None:
            row = SubjectAttributeRow(id=uuid.uuid4(), subject_id=subject_id)
            self._session.add(row)
        fill_attribute_row(row, attribute, self.crypto)
        self._session.flush()

    def remove_attributes(self, subject_id: SubjectId, categories: Iterable[str]) -> int:
        """Delete the subject's values of ``categories``; how many there were."""
        names = list(categories)
        if not names:
            return 0
        result = self._session.execute(
            delete(SubjectAttributeRow)
            .where(SubjectAttributeRow.subject_id == subject_id)
            .where(SubjectAttributeRow.category.in_(names))
        )
        return int(getattr(result, "rowcount", 0) or 0)


_SUBJECTS = cast("Table", SubjectRow.__table__)
_SUBJECT_COLUMNS = tuple(column.key for column in _SUBJECTS.columns)


@functools.cache
def _finding(kind: IdentifierKind, keys: int) -> Select[Any]:
    """The subjects whose ``kind`` index is one of ``:index_0`` … (one per key of the keyring)."""
    column = _SUBJECTS.c[f"{kind.value}_index"]
    return (
        select(_SUBJECTS)
        .where(_SUBJECTS.c.organisation_id == bindparam("organisation_id"))
        .where(column.in_([bindparam(f"index_{n}") for n in range(keys)]))
        .order_by(_SUBJECTS.c.created_at, _SUBJECTS.c.id)
    )


_ADD_NEW = {
    "sqlite": sqlite.insert(_SUBJECTS).on_conflict_do_nothing().returning(_SUBJECTS.c.id),
    "postgresql": postgresql.insert(_SUBJECTS).on_conflict_do_nothing().returning(_SUBJECTS.c.id),
}
"""Insert a subject unless its id or a unique blind index is taken; its id when inserted.

(The returned id, not the row count, says whether it was: SQLAlchemy's row count for
this statement on PostgreSQL read -1.)"""


def device_subject_id(
    keyring: Keyring, key_id: KeyId, organisation_id: OrganisationId, visitor_id: uuid.UUID
) -> uuid.UUID:
    """The subject id of a visitor: HMAC-SHA256 of organisation and visitor, as a UUID (v8).

    The key is derived from the master key for this alone (info
    ``skydd/blind-index/device``), as the blind index's are, so whoever holds the
    database but not the keys cannot link a browser's visitor id to its consents.
    """
    key = keyring.derive(key_id, DEVICE_INDEX_INFO)
    message = f"{organisation_id}:{visitor_id}".encode("ascii")
    digest = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:16], "big")
    digest &= ~(0xF000 << 64) & ~(0xC000 << 48)  # clear the version and variant bits
    return uuid.UUID(int=digest | (0x8000 << 64) | (0x8000 << 48))  # RFC 9562 v8


def subject_of(row: SubjectRow, crypto: FieldCrypto) -> Subject:
    """Decrypt a row into a :class:`Subject`."""
    identifiers = open_identifiers(row, SUBJECTS, crypto)
    return Subject(
        id=SubjectId(row.id),
        created_at=row.created_at,
        updated_at=row.updated_at,
        name=open_name(row, SUBJECTS, crypto),
        email=identifiers.get(IdentifierKind.EMAIL),
        phone=identifiers.get(IdentifierKind.PHONE),
        personnummer=identifiers.get(IdentifierKind.PERSONNUMMER),
    )


def fill_subject_row(row: SubjectRow, subject: Subject, crypto: FieldCrypto) -> None:
    """Write every field of ``subject`` into ``row``, encrypted and indexed under the active key."""
    row.updated_at = subject.updated_at
    by_kind = {i.kind: i for i in subject.identifiers}
    seal_identity(row, SUBJECTS, by_kind, subject.name, crypto)


def attribute_of(row: SubjectAttributeRow, crypto: FieldCrypto) -> SubjectAttribute:
    """Decrypt an attribute row (under its category's key, sensitive or not)."""
    value = crypto.open(
        row.value_token,
        table=ATTRIBUTES,
        column="value",
        row_id=row.id,
        category=row.category,
        sensitive=row.sensitive,
    )
    return SubjectAttribute(
        category=row.category, value=value, sensitive=row.sensitive, recorded_at=row.recorded_at
    )


def fill_attribute_row(
    row: SubjectAttributeRow, attribute: SubjectAttribute, crypto: FieldCrypto
) -> None:
    """Write ``attribute`` into ``row``, encrypted under the active key of its category."""
    row.category = attribute.category
    row.sensitive = attribute.sensitive
    row.recorded_at = attribute.recorded_at
    row.key_id = crypto.active_key
    row.value_token = crypto.seal(
        attribute.value,
        table=ATTRIBUTES,
        column="value",
        row_id=row.id,
        category=attribute.category,
        sensitive=attribute.sensitive,
    )
