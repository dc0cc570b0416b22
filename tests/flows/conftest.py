"""Request flows end to end: skydd's own database × the organisation's database engines."""

from __future__ import annotations

from tests.connectors.conftest import engine, mariadb_target, postgresql_target

__all__ = ["engine", "mariadb_target", "postgresql_target"]
