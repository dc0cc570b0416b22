"""TOTP secrets encrypted; the last accepted TOTP step kept against replays

``staff_users.totp_secret`` (clear text since 0004) becomes ``totp_token``, an
AES-256-GCM field token under the configured keys (``totp_key_id`` names the key,
for rotation), and ``totp_last_step`` records the last time step accepted, so a
code is never accepted twice (RFC 6238 §5.2). Existing secrets are encrypted here:
when any exist the migration needs the keys (``SKYDD_KEYS__FILE`` or
``SKYDD_KEYS__KEYRING``) and refuses to run without them. Downgrading decrypts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from skydd.config import Settings
from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.keyring import load_keyring
from skydd.storage.totp_secrets import TOTP_COLUMN, TOTP_TABLE, open_totp, seal_totp

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _crypto() -> FieldCrypto:
    keys = Settings().keys
    inline = keys.keyring.get_secret_value() if keys.keyring is not None else None
    return FieldCrypto.of(load_keyring(keys.file, inline))


def upgrade() -> None:
    with op.batch_alter_table(TOTP_TABLE) as batch:
        batch.add_column(sa.Column(TOTP_COLUMN, sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("totp_key_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.create_index(batch.f("ix_staff_users_totp_key_id"), ["totp_key_id"], unique=False)
    connection = op.get_bind()
    users = sa.table(
        TOTP_TABLE,
        sa.column("id", sa.Uuid()),
        sa.column("totp_secret", sa.String()),
        sa.column(TOTP_COLUMN, sa.LargeBinary()),
        sa.column("totp_key_id", sa.String()),
    )
    enrolled = connection.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    if enrolled:
        crypto = _crypto()
        for user_id, secret in enrolled:
            connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(
                    {
                        TOTP_COLUMN: seal_totp(crypto, user_id, secret),
                        "totp_key_id": crypto.active_key,
                    }
                )
            )
    with op.batch_alter_table(TOTP_TABLE) as batch:
        batch.drop_column("totp_secret")


def downgrade() -> None:
    with op.batch_alter_table(TOTP_TABLE) as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    users = sa.table(
        TOTP_TABLE,
        sa.column("id", sa.Uuid()),
        sa.column("totp_secret", sa.String()),
        sa.column(TOTP_COLUMN, sa.LargeBinary()),
    )
    enrolled = connection.execute(
        sa.select(users.c.id, users.c[TOTP_COLUMN]).where(users.c[TOTP_COLUMN].is_not(None))
    ).all()
    if enrolled:
        crypto = _crypto()
        for user_id, token in enrolled:
            connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(totp_secret=open_totp(crypto, user_id, token))
            )
    with op.batch_alter_table(TOTP_TABLE) as batch:
        batch.drop_index(batch.f("ix_staff_users_totp_key_id"))
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_key_id")
        batch.drop_column(TOTP_COLUMN)
