"""The register's systems that skydd reaches itself: one SQL connector per connected system.

A system is connected when the deployment names a database URL for it
(``SKYDD_CONNECTIONS``) and the register gives it datasets. Engines are made once per
URL and connectors once per system, register version and set of identity kinds (the
traversal depends on which identities a request brings), so a request pays for its
queries and nothing else.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import cast

from sqlalchemy import Engine, create_engine, make_url

from skydd.connectors.sql_datasets import SqlConnectorError, SqlDatasetConnector
from skydd.domain.access_answer import FoundCollection, FoundSystem, Row
from skydd.domain.dataset_graph import CollectionAddress, FieldAddress, build_dataset_graph
from skydd.domain.errors import InvalidInput
from skydd.domain.masking import ErasurePolicy, ErasureResult
from skydd.domain.processors import System
from skydd.domain.rectification import Correction, RectificationResult
from skydd.domain.register import Register
from skydd.domain.traversal import TraversalPlan, plan_traversal

_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}


def engine_url(url: str) -> str:
    """``url`` with the driver skydd ships for its database named (psycopg, PyMySQL)."""
    scheme, sep, rest = url.partition("://")
    return f"{_DRIVERS.get(scheme, scheme)}{sep}{rest}"


class SqlSystems:
    """Connectors to the organisation's own databases, by system key."""

    def __init__(self, connections: Mapping[str, str]) -> None:
        self._urls = dict(connections)
        self._engines: dict[str, Engine] = {}
        self._connectors: dict[
            tuple[str, frozenset[str]], tuple[Register, SqlDatasetConnector]
        ] = {}
        self._lock = threading.Lock()

    def connected(self) -> frozenset[str]:
        """The system keys with a database URL."""
        return frozenset(self._urls)

    def access(
        self, register: Register, system_key: str, identities: Mapping[str, Sequence[str]]
    ) -> FoundSystem:
        """Everything the system's datasets hold about the person, collection by collection."""
        connector = self._connector(register, system_key, identities)
        found = connector.access(identities)
        single = len({s.collection.address.dataset for s in connector.plan.steps}) == 1
        collections = []
        for step in connector.plan.steps:
            address = step.collection.address
            rows = found.get(address)
            if rows:
                collections.append(
                    FoundCollection(
                        name=address.collection
                        if single
                        else f"{address.dataset}.{address.collection}",
                        rows=tuple(cast("list[Row]", rows)),
                        field_categories={
                            f.name: tuple(f.data_categories) for f in step.collection.fields
                        },
                    )
                )
        return FoundSystem(system_key, tuple(collections))

    def erase(
        self,
        register: Register,
        system_key: str,
        identities: Mapping[str, Sequence[str]],
        policy: ErasurePolicy,
    ) -> ErasureResult:
        """Mask the person's data in the system's datasets (one transaction)."""
        return self._connector(register, system_key, identities).erase(identities, policy)

    def rectify(
        self,
        register: Register,
        system_key: str,
        identities: Mapping[str, Sequence[str]],
        corrections: Sequence[Correction],
    ) -> RectificationResult:
        """Write the corrected values to every field of their categories (one transaction)."""
        connector = self._connector(register, system_key, identities)
        return connector.rectify(identities, corrections)

    def restrict(
        self,
        register: Register,
        system_key: str,
        identities: Mapping[str, Sequence[str]],
        *,
        restricted: bool,
    ) -> int:
        """Set (or clear) the system's restriction flag on the person's rows; rows changed."""
        flag = _restriction_flag(_system(register, system_key))
        connector = self._connector(register, system_key, identities)
        return connector.flag(identities, flag, restricted)

    def close(self) -> None:
        """Release every engine's connections."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._connectors.clear()

    def _connector(
        self, register: Register, system_key: str, identities: Mapping[str, Sequence[str]]
    ) -> SqlDatasetConnector:
        kinds = frozenset(k for k, values in identities.items() if values)
        key = (system_key, kinds)
        with self._lock:
            cached = self._connectors.get(key)
            # Registers are cached by version: the same object until a new one is loaded.
            if cached is None or cached[0] is not register:
                plan = _plan(register, system_key, kinds)
                cached = (register, SqlDatasetConnector(self._engine(system_key), plan))
                self._connectors[key] = cached
        return cached[1]

    def _engine(self, system_key: str) -> Engine:
        engine = self._engines.get(system_key)
        if engine is None:
            url = self._urls.get(system_key)
            if url is None:
                msg = f"system {system_key!r} has no database connection"
                raise InvalidInput(msg)
            engine = _engine_for(engine_url(url))
            self._engines[system_key] = engine
        return engine


def _plan(register: Register, system_key: str, kinds: frozenset[str]) -> TraversalPlan:
    system = _system(register, system_key)
    datasets = [d for d in register.datasets if d.fides_key in system.datasets]
    return plan_traversal(build_dataset_graph(datasets), kinds)


def _system(register: Register, system_key: str) -> System:
    """The register's system, which skydd can reach only through its datasets."""
    system = next((s for s in register.systems if s.key == system_key), None)
    if system is None or not system.datasets:
        msg = f"system {system_key!r} has no datasets in the register"
        raise InvalidInput(msg)
    return system


def _restriction_flag(system: System) -> FieldAddress:
    """The column the system reads to skip a restricted person, from the register.

    Without one, skydd has no way to restrict in the system itself: that is for the
    register to say, not something to guess.
    """
    flag = system.restriction_flag
    if flag is None:
        msg = (
            f"system {system.key!r} has no restriction_flag in the register: name the boolean"
            " column (dataset.collection.field) the system reads to skip a restricted person"
        )
        raise InvalidInput(msg)
    dataset, _, rest = flag.partition(".")  # as the register check reads it
    collection, _, field = rest.partition(".")
    if not (dataset and collection and field):
        msg = f"system {system.key!r}: restriction_flag {flag!r} is not dataset.collection.field"
        raise InvalidInput(msg)
    return FieldAddress(CollectionAddress(dataset, collection), field)


CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_MS = 60_000
"""A database that accepts a connection and then hangs must not hold a worker for ever."""


def _engine_for(url: str) -> Engine:
    """An engine with connect and statement timeouts; a URL that is not usable is refused.

    The error names the kind of failure only: a URL may carry a password.
    """
    try:
        parsed = make_url(url)
        args: dict[str, object] = {}
        if parsed.get_backend_name() == "postgresql":
            args = {
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            }
        elif parsed.get_backend_name() in {"mysql", "mariadb"}:
            timeout = STATEMENT_TIMEOUT_MS // 1000
            args = {
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "read_timeout": timeout,
                "write_timeout": timeout,
            }
        return create_engine(parsed, pool_pre_ping=True, connect_args=args)
    except Exception as exc:  # noqa: BLE001 - any failure here is a bad URL; its text may hold it
        msg = f"the connection URL is not usable ({type(exc).__name__})"
        raise SqlConnectorError(msg) from None
