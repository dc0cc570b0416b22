"""Migration 0007 encrypts TOTP secrets stored in clear before it, and needs keys to do so."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from skydd.storage import migrator
from skydd.storage.engine import make_engine
from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.keyring import KeyringError, parse_keyring
from skydd.storage.totp_secrets import open_totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
USERS = sa.table(
    "staff_users",
    sa.column("id", sa.Uuid()),
    sa.column("username", sa.String()),
    sa.column("password_hash", sa.String()),
    sa.column("roles", sa.Text()),
    sa.column("disabled", sa.Boolean()),
    sa.column("failed_attempts", sa.Integer()),
    sa.column("totp_secret", sa.String()),
    sa.column("must_change_password", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


@pytest.fixture
def at_0006(db_url: str) -> Iterator[tuple[Engine, uuid.UUID]]:
    """The database at 0006 with one account whose TOTP secret is in clear; head after."""
    engine = make_engine(db_url)
    migrator.downgrade(engine, "0006")
    user_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            USERS.insert().values(
                id=user_id,
                username="anna",
                password_hash="x",
                roles="[]",
                disabled=False,
                failed_attempts=0,
                totp_secret=SECRET,
                must_change_password=False,
                created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )
    try:
        yield engine, user_id
    finally:
        # Emptied first: migrating the test's account up again would need its keys.
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM staff_users"))
        migrator.upgrade(engine)
        engine.dispose()


def test_secrets_in_clear_are_encrypted_and_decrypted_back_on_downgrade(
    at_0006: tuple[Engine, uuid.UUID], keyring_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, user_id = at_0006
    monkeypatch.setenv("SKYDD_KEYS__KEYRING", keyring_text)
    crypto = FieldCrypto.of(parse_keyring(keyring_text))

    migrator.upgrade(engine)

    with engine.connect() as conn:
        token, key_id = conn.execute(
            sa.text("SELECT totp_token, totp_key_id FROM staff_users")
        ).one()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("staff_users")}
    assert "totp_secret" not in columns
    assert SECRET.encode() not in bytes(token)
    assert key_id == crypto.active_key
    assert open_totp(crypto, user_id, bytes(token)) == SECRET

    migrator.downgrade(engine, "0006")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT totp_secret FROM staff_users")).scalar() == SECRET


def test_without_keys_it_refuses_and_leaves_the_database_as_it_was(
    at_0006: tuple[Engine, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = at_0006
    monkeypatch.delenv("SKYDD_KEYS__KEYRING", raising=False)
    monkeypatch.delenv("SKYDD_KEYS__FILE", raising=False)

    with pytest.raises(KeyringError, match="no keys configured"):
        migrator.upgrade(engine)

    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        assert conn.execute(sa.text("SELECT totp_secret FROM staff_users")).scalar() == SECRET
