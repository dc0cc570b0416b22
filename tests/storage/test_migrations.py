"""The one migration history runs up, down and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from skydd.storage import migrator
from skydd.storage.engine import make_engine
from skydd.storage.tables import Base


def test_migrations_create_every_table_and_downgrade_to_nothing(db_url: str) -> None:
    engine = make_engine(db_url)
    expected = set(Base.metadata.tables)
    try:
        assert expected <= set(inspect(engine).get_table_names())
        migrator.downgrade(engine, "base")
        assert expected.isdisjoint(inspect(engine).get_table_names())
        migrator.upgrade(engine)
        assert expected <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_engine_enforces_foreign_keys_and_wal(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
