"""``skydd keys rotate``: move every encrypted row to the active key, in batches, resumably.

Each batch is one short transaction: select up to ``batch_size`` rows whose
``key_id`` is not the active key, decrypt them (any key in the keyring), encrypt them
again under the active key, recompute their blind indexes, and update each row only
if its ``key_id`` is still the old one (a concurrent write already made it current).
Nothing else is kept between batches, so a run that is killed half-way is resumed by
running it again: it finds the rows still to do. The service keeps running all the
while, since lookups match the blind index under every key (ADR 0010).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.identity_tokens import IDENTITY_COLUMNS
from skydd.storage.repositories.request_work import (
    ANSWERS,
    STEPS,
    open_answer,
    open_result,
    seal_answer,
    seal_result,
)
from skydd.storage.repositories.requests import REQUESTS, requester_of, seal_requester
from skydd.storage.repositories.subjects import (
    ATTRIBUTES,
    SUBJECTS,
    attribute_of,
    fill_attribute_row,
    fill_subject_row,
    subject_of,
)
from skydd.storage.tables import (
    Base,
    RequestAnswerRow,
    RequestRow,
    RequestStepRow,
    StaffUserRow,
    SubjectAttributeRow,
    SubjectRow,
)
from skydd.storage.totp_secrets import TOTP_COLUMN, TOTP_TABLE, open_totp, seal_totp

DEFAULT_BATCH_SIZE = 500

Progress = Callable[[str, int], None]
"""Called after each batch with the table name and the rows it moved."""


@dataclass(frozen=True)
class EncryptedTable:
    """A table whose rows carry tokens under one key each, named in ``key_column``.

    ``sealed_columns`` are the columns ``reseal`` rewrites (tokens, blind indexes and
    the key column); rotation writes those only, never a row's other fields.
    """

    name: str
    row_type: type[Base]
    key_column: str
    sealed_columns: tuple[str, ...]
    reseal: Callable[[Any, FieldCrypto], None]
    id_column: str = "id"

    @property
    def key(self) -> Column[Any]:
        """The column naming the key a row's tokens are under."""
        return self._columns[self.key_column]

    @property
    def primary_key(self) -> Column[Any]:
        """The row id, the order batches walk in."""
        return self._columns[self.id_column]

    @property
    def _columns(self) -> ReadOnlyColumnCollection[str, Column[Any]]:
        return cast("Table", self.row_type.__table__).c


def _reseal_subject(row: SubjectRow, crypto: FieldCrypto) -> None:
    fill_subject_row(row, subject_of(row, crypto), crypto)


def _reseal_attribute(row: SubjectAttributeRow, crypto: FieldCrypto) -> None:
    fill_attribute_row(row, attribute_of(row, crypto), crypto)


def _reseal_request(row: RequestRow, crypto: FieldCrypto) -> None:
    seal_requester(row, requester_of(row, crypto), crypto)


def _reseal_step(row: RequestStepRow, crypto: FieldCrypto) -> None:
    if row.result_token is not None:
        row.result_token = seal_result(
            crypto, row.id, open_result(crypto, row.id, row.result_token)
        )
        row.key_id = crypto.active_key


def _reseal_answer(row: RequestAnswerRow, crypto: FieldCrypto) -> None:
    content = open_answer(crypto, row.request_id, row.file_token)
    row.file_token = seal_answer(crypto, row.request_id, content)
    row.key_id = crypto.active_key


def _reseal_totp(row: StaffUserRow, crypto: FieldCrypto) -> None:
    if row.totp_token is not None:
        row.totp_token = seal_totp(crypto, row.id, open_totp(crypto, row.id, row.totp_token))
        row.totp_key_id = crypto.active_key


ENCRYPTED_TABLES = (
    EncryptedTable(
        SUBJECTS,
        SubjectRow,
        "key_id",
        IDENTITY_COLUMNS,
        _reseal_subject,
    ),
    EncryptedTable(
        REQUESTS,
        RequestRow,
        "key_id",
        (*IDENTITY_COLUMNS, "details_token", "corrections_token"),
        _reseal_request,
    ),
    EncryptedTable(STEPS, RequestStepRow, "key_id", ("key_id", "result_token"), _reseal_step),
    EncryptedTable(
        ANSWERS,
        RequestAnswerRow,
        "key_id",
        ("key_id", "file_token"),
        _reseal_answer,
        id_column="request_id",
    ),
    EncryptedTable(
        ATTRIBUTES, SubjectAttributeRow, "key_id", ("key_id", "value_token"), _reseal_attribute
    ),
    EncryptedTable(
        TOTP_TABLE, StaffUserRow, "totp_key_id", ("totp_key_id", TOTP_COLUMN), _reseal_totp
    ),
)
"""Every table holding encrypted data; a new one is added here to be rotated.

A row whose key column is NULL (a staff member without TOTP) holds no token."""


@dataclass(frozen=True)
class RotationReport:
    """What a run moved, per table, and how long it took."""

    active_key: str
    moved: dict[str, int]
    seconds: float

    @property
    def total(self) -> int:
        """Rows moved in all tables."""
        return sum(self.moved.values())


def stale_counts(session_factory: sessionmaker[Session], crypto: FieldCrypto) -> dict[str, int]:
    """Rows per table still under a key other than the active one."""
    with session_factory() as session:
        return {
            table.name: int(
                session.scalar(
                    select(func.count())
                    .select_from(table.row_type)
                    .where(table.key != crypto.active_key)
                )
                or 0
            )
            for table in ENCRYPTED_TABLES
        }


def key_usage(session_factory: sessionmaker[Session]) -> dict[str, dict[str, int]]:
    """Rows per master key id, per table: what still needs a key before it is retired."""
    usage: dict[str, dict[str, int]] = {}
    with session_factory() as session:
        for table in ENCRYPTED_TABLES:
            counts = session.execute(
                select(table.key, func.count()).where(table.key.is_not(None)).group_by(table.key)
            )
            usage[table.name] = {str(key_id): int(rows) for key_id, rows in counts}
    return usage


def rotate_batch(
    session_factory: sessionmaker[Session],
    crypto: FieldCrypto,
    table: EncryptedTable,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Move one batch of ``table`` to the active key, in one transaction; rows moved."""
    row_type = table.row_type
    with session_factory() as session, session.begin():
        stale = (
            select(row_type)
            .where(table.key != crypto.active_key)
            .order_by(table.primary_key)
            .limit(batch_size)
        )
        moved = 0
        for row in session.scalars(stale).all():
            old_key = getattr(row, table.key_column)
            row_id = getattr(row, table.id_column)
            session.expunge(row)
            table.reseal(row, crypto)
            result = session.execute(
                update(row_type)
                .where(table.primary_key == row_id, table.key == old_key)
                .values({name: getattr(row, name) for name in table.sealed_columns})
                .execution_options(synchronize_session=False)
            )
            moved += cast("CursorResult[Any]", result).rowcount
    return moved


def rotate_all(
    session_factory: sessionmaker[Session],
    crypto: FieldCrypto,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    pause: float = 0.0,
    progress: Progress | None = None,
) -> RotationReport:
    """Rotate every encrypted table until no row is under an old key.

    ``pause`` seconds between batches spare a busy production database (as online
    schema change tools do); the default is none.
    """
    if batch_size < 1:
        msg = "the batch size must be at least 1"
        raise ValueError(msg)
    started = time.monotonic()
    moved = dict.fromkeys((t.name for t in ENCRYPTED_TABLES), 0)
    for table in ENCRYPTED_TABLES:
        while True:
            count = rotate_batch(session_factory, crypto, table, batch_size)
            if count == 0:
                break
            moved[table.name] += count
            if progress is not None:
                progress(table.name, count)
            if pause:
                time.sleep(pause)
    return RotationReport(crypto.active_key, moved, time.monotonic() - started)
