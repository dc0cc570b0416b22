"""Shared fixtures: clock, database URL on both engines, container, example registers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, KeySettings, MailSettings, QueueSettings, Settings
from skydd.storage import migrator
from skydd.storage.engine import make_engine
from skydd.storage.keyring import Keyring
from skydd.storage.tables import Base
from tests.fakes import FakeClock
from tests.smtp import Mailbox, running_smtp_server

ROOT = Path(__file__).resolve().parent.parent
MESTRO = ROOT / "examples" / "mestro"
SECOND_ORG = ROOT / "tests" / "data" / "second_org"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the same database share an xdist group, so each worker migrates once."""
    del items


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrator.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(worker: str) -> Iterator[str]:
    """A PostgreSQL database per xdist worker, migrated once."""
    name = f"skydd_test_{worker}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = make_engine(url)
    migrator.upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "skydd.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    _empty_postgres(url)


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


@pytest.fixture
def keyring_text() -> str:
    """A fresh key file's text (JSON), as ``SKYDD_KEYS__KEYRING`` would hold it."""
    return Keyring.fresh().export_json()


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server on 127.0.0.1 per test worker: its port and its mailbox."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def mailbox(smtp: tuple[int, Mailbox]) -> Mailbox:
    """The server's mailbox, emptied for this test."""
    smtp[1].clear()
    return smtp[1]


@pytest.fixture
def settings(db_url: str, keyring_text: str, smtp: tuple[int, Mailbox], tmp_path: Path) -> Settings:
    return Settings(
        database=DatabaseSettings(url=db_url),
        keys=KeySettings(keyring=SecretStr(keyring_text)),
        mail=MailSettings(port=smtp[0]),
        queue=QueueSettings(path=tmp_path / "queue.db"),
    )


@pytest.fixture
def container(settings: Settings, clock: FakeClock) -> Iterator[Container]:
    built = build_container(settings, clock=clock)
    yield built
    built.close()
