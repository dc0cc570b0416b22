"""Target databases for the SQL connector: SQLite, PostgreSQL and MariaDB, emptied per test.

PostgreSQL and MariaDB get one database per xdist worker (``skydd_conn_<worker>_<pid>``),
created here and dropped at the end; each test leaves it empty again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from fideslang import models as fl
from sqlalchemy import Engine, create_engine, text

from tests.conftest import PG_ADMIN, ROOT

DATASETS = ROOT / "tests" / "data" / "datasets"
SHOP = DATASETS / "shop"
FIDES_EXAMPLE = DATASETS / "fides_postgres_example"
ENGINES = ["sqlite", "postgresql", "mariadb"]

LoadSql = Callable[[Engine, Path], None]


def read_datasets(path: Path) -> list[fl.Dataset]:
    """The datasets of a fideslang YAML file (``dataset:`` list)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [fl.Dataset.model_validate(d) for d in raw["dataset"]]


def run_sql(engine: Engine, path: Path) -> None:
    """Run a file of statements, each ending with ``;`` at a line end, in one transaction."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("--")]
    statements = [s.strip() for s in "\n".join(lines).split(";\n") if s.strip()]
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement.removesuffix(";"))


def _database_name(worker: str) -> str:
    return f"skydd_conn_{worker}_{os.getpid()}"


@pytest.fixture(scope="session")
def postgresql_target(worker: str) -> Iterator[str]:
    """A PostgreSQL database of this worker's own."""
    name = _database_name(worker)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _mariadb(statement: str) -> None:
    server = create_engine("mysql+pymysql://root@127.0.0.1:3306/", isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def mariadb_target(worker: str) -> Iterator[str]:
    """A MariaDB database of this worker's own."""
    name = _database_name(worker)
    _mariadb(f"DROP DATABASE IF EXISTS `{name}`")
    _mariadb(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    yield f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    _mariadb(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path, worker: str) -> Iterator[Engine]:
    """An empty target database on each engine."""
    if request.param == "sqlite":
        built = create_engine(f"sqlite:///{tmp_path / 'target.db'}")
        yield built
        built.dispose()
        return
    url: str = request.getfixturevalue(f"{request.param}_target")
    built = create_engine(url)
    yield built
    if request.param == "postgresql":
        with built.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        built.dispose()
        return
    built.dispose()
    name = _database_name(worker)
    _mariadb(f"DROP DATABASE `{name}`")
    _mariadb(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")


@pytest.fixture
def shop(engine: Engine) -> Engine:
    """The shop of ``tests/data/datasets/shop`` on each engine."""
    run_sql(engine, SHOP / "seed.sql")
    return engine


@pytest.fixture
def fides_example(engine: Engine) -> Engine:
    """The Fides PostgreSQL example (adapted to run anywhere) on each engine."""
    run_sql(engine, FIDES_EXAMPLE / "seed.sql")
    return engine
