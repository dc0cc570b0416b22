"""Storing registers and publishing policies, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from skydd.bootstrap import Container
from skydd.domain.errors import NotFoundError, PolicyVersionNotFound
from skydd.services.policy import diff_policies, publish_policy, published_policy
from skydd.services.register import current_register, store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock


@pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
def test_store_register_round_trips_the_register(container: Container, folder) -> None:
    register = load_register(folder)
    stored = store_register(container.uow(), container.clock, register, str(folder))
    again = current_register(container.uow(), None)
    assert stored.number == 1
    assert again.register == register
    assert again.content_hash == stored.content_hash


def test_store_register_twice_keeps_one_version(container: Container) -> None:
    register = load_register(MESTRO)
    store_register(container.uow(), container.clock, register, "a")
    second = store_register(container.uow(), container.clock, register, "b")
    assert second.number == 1
    assert second.source == "a"


def test_current_register_without_any_is_not_found(container: Container) -> None:
    with pytest.raises(NotFoundError):
        current_register(container.uow(), None)


def test_publish_numbers_versions_and_skips_unchanged(
    container: Container, clock: FakeClock
) -> None:
    register = load_register(MESTRO)
    store_register(container.uow(), clock, register, "mestro")
    first = publish_policy(container.uow(), clock, container.renderer, None)
    again = publish_policy(container.uow(), clock, container.renderer, None)
    assert first.created is True
    assert first.policy.number == 1
    assert first.policy.effective_on == dt.date(2026, 11, 25)
    assert again.created is False
    assert again.policy.number == 1

    changed = register.model_copy(update={"systems": register.systems[:-1]})
    clock.advance(days=40)
    store_register(container.uow(), clock, changed, "mestro-2")
    second = publish_policy(container.uow(), clock, container.renderer, None)
    assert second.policy.number == 2
    assert second.policy.effective_on == dt.date(2027, 1, 4)
    assert published_policy(container.uow(), None, 1).content_hash == first.policy.content_hash

    diff = diff_policies(container.uow(), None, 1, 2, "sv")
    removed = register.systems[-1].key
    assert [c.describe() for c in diff.changes] == [f"systems {removed!r} removed"]


def test_published_policy_unknown_version_is_not_found(container: Container) -> None:
    store_register(container.uow(), container.clock, load_register(MESTRO), "m")
    with pytest.raises(PolicyVersionNotFound):
        published_policy(container.uow(), None, 7)


def test_publish_is_one_transaction_nothing_half_written(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from skydd.services.policy import published_numbers
    from skydd.storage.repositories.policies import SqlPolicyRepository
    from skydd.storage.tables import PolicyRenditionRow

    store_register(container.uow(), clock, load_register(MESTRO), "m")
    original_add = SqlPolicyRepository.add

    def add_then_fail(self: SqlPolicyRepository, *args: object) -> None:
        original_add(self, *args)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlPolicyRepository, "add", add_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        publish_policy(container.uow(), clock, container.renderer, None)
    monkeypatch.undo()

    assert published_numbers(container.uow(), None) == []
    with container.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PolicyRenditionRow)) == 0
    assert publish_policy(container.uow(), clock, container.renderer, None).policy.number == 1


def test_stored_registers_are_validated_once_per_content(container: Container) -> None:
    register = load_register(MESTRO)
    store_register(container.uow(), container.clock, register, "m")
    first = current_register(container.uow(), None).register
    assert current_register(container.uow(), None).register is first

    changed = register.model_copy(update={"systems": register.systems[:-1]})
    store_register(container.uow(), container.clock, changed, "m2")
    newest = current_register(container.uow(), None)
    assert newest.number == 2
    assert newest.register == changed
