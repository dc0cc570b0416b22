"""Food preferences at rest under a key of their own (P8), before and after key rotation.

Every data category's values are encrypted under a key derived for that category
alone (HKDF info ``skydd/sensitive/<category>`` for sensitive ones, ADR 0010), so a
token of food preferences opens under no other category's key, ordinary or
sensitive, and a leaked key of one category exposes no other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, KeySettings, Settings
from skydd.domain.errors import DecryptionError
from skydd.domain.events import SignupForm
from skydd.services.events import add_event, sign_up
from skydd.services.register import store_register
from skydd.services.subjects import Who
from skydd.storage.encryption import row_context
from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.key_rotation import rotate_all
from skydd.storage.keyring import Keyring, parse_keyring
from skydd.storage.register_files import load_register
from skydd.storage.repositories.subjects import ATTRIBUTES
from skydd.storage.tables import SubjectAttributeRow
from tests.conftest import MESTRO
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P8")

WHO = Who("participant", "test")
FOOD = "Koscher, laktosfri"
OTHER_CATEGORIES = ("home_town", "company", "job_title", "email", "cv")


@pytest.fixture
def signed_up(container: Container, clock: FakeClock) -> Container:
    """Mestro's register, and one sign-up with food preferences and a home town."""
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    add_event(container.uow(), clock, None, "summit", "Summit", dt.date(2026, 12, 10), "events")
    details = {"food_preferences": FOOD, "home_town": "Uppsala"}
    form = SignupForm(email="anna@example.se", details=details, consent=True, explicit_consent=True)
    sign_up(container.uow(), clock, None, "summit", form, container.receipts, who=WHO)
    return container


def rows(container: Container) -> dict[str, SubjectAttributeRow]:
    with container.session_factory() as session:
        found = session.scalars(select(SubjectAttributeRow)).all()
        session.expunge_all()
    return {row.category: row for row in found}


def opens(crypto: FieldCrypto, row: SubjectAttributeRow, category: str, *, sensitive: bool) -> str:
    return crypto.cipher.decrypt(
        row.value_token,
        category=category,
        sensitive=sensitive,
        context=row_context(ATTRIBUTES, "value", row.id),
    )


def assert_under_own_key(crypto: FieldCrypto, row: SubjectAttributeRow) -> None:
    assert row.sensitive
    assert opens(crypto, row, "food_preferences", sensitive=True) == FOOD
    # The same cell, the same header and context: only the key differs, and none opens it.
    with pytest.raises(DecryptionError):
        opens(crypto, row, "food_preferences", sensitive=False)
    for other in OTHER_CATEGORIES:
        for sensitive in (True, False):
            with pytest.raises(DecryptionError):
                opens(crypto, row, other, sensitive=sensitive)


def test_food_preferences_open_under_their_own_key_only(signed_up: Container) -> None:
    crypto = signed_up.field_crypto()
    stored = rows(signed_up)
    assert sorted(stored) == ["food_preferences", "home_town"]
    assert FOOD.encode() not in stored["food_preferences"].value_token
    assert_under_own_key(crypto, stored["food_preferences"])
    # And the other way round: a home town never opens as food preferences.
    home = stored["home_town"]
    assert not home.sensitive
    assert opens(crypto, home, "home_town", sensitive=False) == "Uppsala"
    with pytest.raises(DecryptionError):
        opens(crypto, home, "food_preferences", sensitive=True)


def test_each_category_derives_a_key_no_other_shares(keyring_text: str) -> None:
    keyring = parse_keyring(keyring_text)
    infos = [
        b"skydd/sensitive/food_preferences",
        b"skydd/field/food_preferences",
        *(b"skydd/sensitive/" + c.encode() for c in OTHER_CATEGORIES),
        *(b"skydd/field/" + c.encode() for c in OTHER_CATEGORIES),
    ]
    keys = {keyring.derive(keyring.active, info) for info in infos}
    assert len(keys) == len(infos)


@pytest.fixture
def rotated(signed_up: Container, keyring_text: str, clock: FakeClock) -> Iterator[Keyring]:
    """The signed-up database moved to a fresh key; yields the keyring holding both."""
    both = parse_keyring(keyring_text).with_fresh_active_key()
    settings = signed_up.settings.model_copy(
        update={"keys": KeySettings(keyring=SecretStr(both.export_json()))}
    )
    rotating = build_container(settings, clock=clock)
    try:
        report = rotate_all(rotating.session_factory, rotating.field_crypto())
        assert report.moved["subject_attributes"] == 2
        yield both
    finally:
        rotating.close()


def test_rotation_moves_food_preferences_and_keeps_them_apart(
    signed_up: Container, rotated: Keyring, clock: FakeClock
) -> None:
    document = json.loads(rotated.export_json())
    kept = {"active": rotated.active, "keys": {rotated.active: document["keys"][rotated.active]}}
    new_only = parse_keyring(json.dumps(kept))
    settings = Settings(
        database=DatabaseSettings(url=signed_up.settings.database.url),
        keys=KeySettings(keyring=SecretStr(new_only.export_json())),
    )
    after = build_container(settings, clock=clock)
    try:
        food = rows(after)["food_preferences"]
        assert food.key_id == rotated.active
        assert_under_own_key(after.field_crypto(), food)
        # The old key alone no longer opens it: rotation really re-encrypted it.
        with pytest.raises(DecryptionError):
            opens(signed_up.field_crypto(), food, "food_preferences", sensitive=True)
    finally:
        after.close()
