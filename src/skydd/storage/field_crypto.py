"""The field cipher and blind index of one keyring, built once and handed to repositories.

Repositories of tables holding personal data take a :data:`CryptoSource` (a callable)
rather than the keys themselves, so a deployment without keys can still run every
command that touches no personal data; the first one that does gets a clear
:class:`~skydd.storage.keyring.KeyringError` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skydd.domain.identifiers import Identifier
from skydd.storage.blind_index import BlindIndex
from skydd.storage.encryption import FieldCipher, row_context
from skydd.storage.keyring import KeyId, Keyring


@dataclass(frozen=True)
class FieldCrypto:
    """Encrypt, decrypt and blind-index the cells of one table under one keyring."""

    cipher: FieldCipher
    index: BlindIndex

    @classmethod
    def of(cls, keyring: Keyring) -> FieldCrypto:
        """The cipher and blind index of ``keyring``."""
        return cls(FieldCipher(keyring), BlindIndex(keyring))

    @property
    def active_key(self) -> KeyId:
        """The key new tokens are made under."""
        return self.cipher.keyring.active

    def seal(
        self, value: str, *, table: str, column: str, row_id: object, category: str, sensitive: bool
    ) -> bytes:
        """``value`` encrypted for one cell, under the active key."""
        return self.cipher.encrypt(
            value,
            category=category,
            sensitive=sensitive,
            context=row_context(table, column, row_id),
        )

    def open(
        self,
        token: bytes,
        *,
        table: str,
        column: str,
        row_id: object,
        category: str,
        sensitive: bool,
    ) -> str:
        """The plaintext of one cell's token, under whichever known key made it."""
        return self.cipher.decrypt(
            token,
            category=category,
            sensitive=sensitive,
            context=row_context(table, column, row_id),
        )

    def index_of(self, identifier: Identifier) -> str:
        """The blind index to store for ``identifier`` (active key)."""
        return self.index.of(identifier)

    def lookups(self, identifier: Identifier) -> tuple[str, ...]:
        """The index values a lookup matches: one per key, so rotation never hides a row."""
        return self.index.candidates(identifier)


CryptoSource = Callable[[], FieldCrypto]
"""Gives the deployment's :class:`FieldCrypto`; raises ``KeyringError`` when none is set."""


class EncryptedRepository:
    """Base of repositories of personal data: the keys are loaded on first use only."""

    def __init__(self, crypto: CryptoSource) -> None:
        self._crypto_source = crypto
        self._crypto: FieldCrypto | None = None

    @property
    def crypto(self) -> FieldCrypto:
        """The keyring's cipher and index, loaded when personal data is first touched."""
        if self._crypto is None:
            self._crypto = self._crypto_source()
        return self._crypto
