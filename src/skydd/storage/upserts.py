"""``INSERT … ON CONFLICT … DO UPDATE`` on skydd's own database, SQLite or PostgreSQL.

Both engines say it the same way, through their own dialect's ``insert``: one
statement where a read and a write would otherwise race.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def upsert(
    session: Session,
    model: type[DeclarativeBase],
    key: Mapping[str, object],
    values: Mapping[str, object],
) -> Executable:
    """A row of ``model`` with ``key`` and ``values``; where ``key`` exists, ``values`` set."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(model)
        .values(**key, **values)
        .on_conflict_do_update(index_elements=list(key), set_=dict(values))
    )
