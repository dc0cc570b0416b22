"""Statements run straight on the driver (``fast_reads.execute``) behave as SQLAlchemy's do;
the PostgreSQL pool is as large as configured."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import pytest
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import QueuePool

from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, Settings
from skydd.storage.engine import MAX_OVERFLOW
from skydd.storage.fast_reads import execute
from skydd.storage.tables import OrganisationRow

ORGS = cast("Table", OrganisationRow.__table__)
ADD = insert(ORGS)
BY_ID = select(ORGS).where(ORGS.c.id == bindparam("id"))
SECRET = "acme-secret-key-value"


def row(key: str) -> dict[str, object]:
    """An organisation made on a leap day, in UTC (the type stores and reads it as such)."""
    return {
        "id": uuid.uuid4(),
        "key": key,
        "name": "Acme AB",
        "created_at": dt.datetime(2024, 2, 29, 23, 59, 30, 123456, tzinfo=dt.UTC),
    }


def test_values_go_in_and_come_out_converted_as_the_orm_converts_them(
    container: Container,
) -> None:
    values = row("acme")
    session = container.session_factory()
    with session.begin():
        assert execute(session, ADD, values) == []
        [found] = execute(session, BY_ID, {"id": values["id"]})
    session.close()
    assert found.id == values["id"] and isinstance(found.id, uuid.UUID)
    for column, value in values.items():
        assert found[column] == value
    with container.engine.connect() as conn:  # and SQLAlchemy reads what was written
        assert conn.execute(BY_ID, {"id": values["id"]}).one().key == "acme"


def test_a_driver_error_is_sqlalchemys_and_lists_no_value(container: Container) -> None:
    values = row(SECRET)
    session = container.session_factory()
    with session.begin():
        execute(session, ADD, values)
    with pytest.raises(IntegrityError) as raised, session.begin():
        execute(session, ADD, {**values, "id": uuid.uuid4()})  # the same key again
    session.close()
    message = str(raised.value)
    assert "[parameters:" not in message  # the values sent are never listed
    if container.engine.dialect.name == "sqlite":  # PostgreSQL's own DETAIL names the key
        assert SECRET not in message


def test_a_postgresql_pool_keeps_as_many_connections_as_the_settings_say(
    postgres_url: str,
) -> None:
    settings = Settings(database=DatabaseSettings(url=postgres_url, pool_size=7))
    container = build_container(settings)
    try:
        pool = container.engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow) == (7, MAX_OVERFLOW)
    finally:
        container.close()
