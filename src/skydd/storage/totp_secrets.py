"""How a staff member's TOTP secret is sealed in ``staff_users``: one cell, one context.

Shared by the account repository, key rotation and the migration that encrypted the
secrets stored in clear before, so all three bind the token to the same table,
column and row and use the same key family.
"""

from __future__ import annotations

from skydd.storage.field_crypto import FieldCrypto

TOTP_TABLE = "staff_users"
TOTP_COLUMN = "totp_token"
TOTP_CATEGORY = "credential.totp_secret"
"""Not a data category of any register: a credential, under the sensitive key family."""


def seal_totp(crypto: FieldCrypto, user_id: object, secret: str) -> bytes:
    """The TOTP secret of ``user_id`` as a field token under the active key."""
    return crypto.seal(
        secret,
        table=TOTP_TABLE,
        column=TOTP_COLUMN,
        row_id=user_id,
        category=TOTP_CATEGORY,
        sensitive=True,
    )


def open_totp(crypto: FieldCrypto, user_id: object, token: bytes) -> str:
    """The TOTP secret in a token made by :func:`seal_totp` for ``user_id``."""
    return crypto.open(
        token,
        table=TOTP_TABLE,
        column=TOTP_COLUMN,
        row_id=user_id,
        category=TOTP_CATEGORY,
        sensitive=True,
    )
