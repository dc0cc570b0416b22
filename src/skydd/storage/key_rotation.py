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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.repositories.subjects import (
    ATTRIBUTES,
    SUBJECTS,
    attribute_of,
    fill_attribute_row,
    fill_subject_row,
    subject_of,
)
from skydd.storage.tables import SubjectAttributeRow, SubjectRow

DEFAULT_BATCH_SIZE = 500

Progress = Callable[[str, int], None]
"""Called after each batch with the table name and the rows it moved."""


@dataclass(frozen=True)
class EncryptedTable:
    """A table whose rows carry tokens under one key each (``key_id``)."""

    name: str
    row_type: type[SubjectRow] | type[SubjectAttributeRow]
    reseal: Callable[[SubjectRow | SubjectAttributeRow, FieldCrypto], None]


def _reseal_subject(row: SubjectRow | SubjectAttributeRow, crypto: FieldCrypto) -> None:
    assert isinstance(row, SubjectRow)  # noqa: S101 - the table says so
    fill_subject_row(row, subject_of(row, crypto), crypto)


def _reseal_attribute(row: SubjectRow | SubjectAttributeRow, crypto: FieldCrypto) -> None:
    assert isinstance(row, SubjectAttributeRow)  # noqa: S101 - the table says so
    fill_attribute_row(row, attribute_of(row, crypto), crypto)


ENCRYPTED_TABLES = (
    EncryptedTable(SUBJECTS, SubjectRow, _reseal_subject),
    EncryptedTable(ATTRIBUTES, SubjectAttributeRow, _reseal_attribute),
)
"""Every table holding encrypted personal data; a new one is added here to be rotated."""


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
                    .where(table.row_type.key_id != crypto.active_key)
                )
                or 0
            )
            for table in ENCRYPTED_TABLES
        }


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
            .where(row_type.key_id != crypto.active_key)
            .order_by(row_type.id)
            .limit(batch_size)
        )
        rows = cast("Sequence[SubjectRow | SubjectAttributeRow]", session.scalars(stale).all())
        moved = 0
        for row in rows:
            old_key = row.key_id
            session.expunge(row)
            table.reseal(row, crypto)
            values = {
                column.key: getattr(row, column.key)
                for column in row_type.__table__.columns
                if column.key != "id"
            }
            result = session.execute(
                update(row_type)
                .where(row_type.id == row.id, row_type.key_id == old_key)
                .values(**values)
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
