"""Identifier and name columns, encrypted and blind-indexed, as subjects and requests keep them.

A row that holds a person's identifiers has, per kind, a token (the value encrypted
under that kind's category key, bound to table, column and row) and a blind index
(HMAC) to find it by, plus a name token; ``key_id`` names the master key they are all
under. The subject and request repositories both store people this way, so the rule
lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping

from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.subjects import IDENTIFIER_CATEGORIES, NAME_CATEGORY
from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.tables import IdentityColumns

IDENTITY_COLUMNS = (
    "key_id",
    "name_token",
    "email_token",
    "email_index",
    "phone_token",
    "phone_index",
    "personnummer_token",
    "personnummer_index",
)
"""What re-encryption rewrites on such a row."""


def open_name(row: IdentityColumns, table: str, crypto: FieldCrypto) -> str | None:
    """The decrypted name, if any."""
    return _opened(row, table, "name", row.name_token, NAME_CATEGORY, crypto)


def open_identifiers(
    row: IdentityColumns, table: str, crypto: FieldCrypto
) -> dict[IdentifierKind, Identifier]:
    """The decrypted identifiers of the row, by kind."""
    found: dict[IdentifierKind, Identifier] = {}
    for kind in IdentifierKind:
        token = getattr(row, f"{kind.value}_token")
        value = _opened(row, table, kind.value, token, IDENTIFIER_CATEGORIES[kind], crypto)
        if value is not None:
            found[kind] = Identifier(kind, value)
    return found


def seal_identity(
    row: IdentityColumns,
    table: str,
    identifiers: Mapping[IdentifierKind, Identifier],
    name: str | None,
    crypto: FieldCrypto,
) -> None:
    """Write name and identifiers into ``row``, encrypted and indexed under the active key."""
    row.key_id = crypto.active_key
    row.name_token = _sealed(row, table, "name", name, NAME_CATEGORY, crypto)
    for kind in IdentifierKind:
        identifier = identifiers.get(kind)
        value = None if identifier is None else identifier.value
        token = _sealed(row, table, kind.value, value, IDENTIFIER_CATEGORIES[kind], crypto)
        index = None if identifier is None else crypto.index_of(identifier)
        setattr(row, f"{kind.value}_token", token)
        setattr(row, f"{kind.value}_index", index)


def _opened(
    row: IdentityColumns,
    table: str,
    column: str,
    token: bytes | None,
    category: str,
    crypto: FieldCrypto,
) -> str | None:
    if token is None:
        return None
    return crypto.open(
        token, table=table, column=column, row_id=row.id, category=category, sensitive=False
    )


def _sealed(
    row: IdentityColumns,
    table: str,
    column: str,
    value: str | None,
    category: str,
    crypto: FieldCrypto,
) -> bytes | None:
    if value is None:
        return None
    return crypto.seal(
        value, table=table, column=column, row_id=row.id, category=category, sensitive=False
    )
