"""The fast read path gives back exactly what the ORM session does, on both engines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Scope
from skydd.domain.credentials import TokenId
from skydd.services.accounts import add_user, create_token
from skydd.services.register import store_register
from skydd.storage.engine import make_engine
from skydd.storage.fast_reads import FastReads
from skydd.storage.register_files import load_register
from skydd.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock


def test_token_with_owner_reads_the_same_with_and_without_the_session(
    container: Container, clock: FakeClock
) -> None:
    hasher = container.password_hasher
    add_user(container.uow(), clock, hasher, "ada", roles=["auditor"], actor="t", origin="t")
    _, token = create_token(
        container.uow(),
        clock,
        container.token_hasher,
        name="t",
        scopes=frozenset({Scope("audit:read")}),
        owner="ada",
        expires_at=clock.now() + dt.timedelta(days=3),
        actor="t",
        origin="t",
    )
    uow = container.uow()
    with uow:
        fast = uow.tokens.with_owner(TokenId(token.token_id))  # no transaction yet: fast path
        uow.tokens.by_token_id(TokenId(token.token_id))  # begins the session's transaction
        in_session = uow.tokens.with_owner(TokenId(token.token_id))
    assert fast is not None and fast == in_session
    read, owner = fast
    assert read == token
    assert read.expires_at is not None and read.expires_at.tzinfo is not None
    assert owner is not None and owner.roles == ("auditor",) and not owner.disabled


def test_register_heads_read_the_same_with_and_without_the_session(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    store_register(container.uow(), clock, load_register(SECOND_ORG), "s")
    uow = container.uow()
    with uow:
        fast = uow.registers.heads(None, limit=5)
        by_key = uow.registers.heads("mestro", limit=5)
        uow.organisations.keys()  # begins the session's transaction
        in_session = uow.registers.heads(None, limit=5)
    assert fast == in_session
    assert [head.organisation_key for head in fast] == ["mestro", "northwind_health"]
    assert by_key == [fast[0]] and fast[0].version_id is not None


def test_a_unit_of_work_gives_its_borrowed_connection_back(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    pool = container.engine.pool
    uow = container.uow()
    with uow:
        uow.registers.heads(None, limit=2)
        uow.registers.heads("mestro", limit=2)  # the same borrowed connection
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    with container.engine.connect() as conn:  # back in the pool out of autocommit
        assert conn.connection.dbapi_connection is not None
        assert getattr(conn.connection.dbapi_connection, "autocommit", False) is False


def test_a_unit_of_work_never_holds_two_pooled_connections(
    container: Container, clock: FakeClock
) -> None:
    """With a pool of one, a read then a write in one unit of work must not wait on itself."""
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    url = container.engine.url.render_as_string(hide_password=False)
    engine = (
        make_engine(url)
        if "sqlite" in url
        else create_engine(url, pool_size=1, max_overflow=0, pool_timeout=2)
    )
    try:
        uow = SqlUnitOfWork(sessionmaker(engine), fast=FastReads(engine))
        with uow:
            heads = uow.registers.heads(None, limit=2)  # borrows the pool's one connection
            keys = uow.organisations.keys()  # the session needs one too
        assert [h.organisation_key for h in heads] == keys == ["mestro"]
    finally:
        engine.dispose()
