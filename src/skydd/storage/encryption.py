"""Field encryption: personal data in skydd's own tables is stored as AES-256-GCM tokens.

A token is self-describing, so a reader (and rotation) knows which key made it::

    version (1 byte, 0x01) | key id length (1 byte) | key id (ASCII)
    | nonce (12 random bytes) | ciphertext and 16-byte GCM tag

The key is derived per data category from the master key (HKDF-SHA256, info
``skydd/field/<category>``), and Art. 9 and other sensitive categories use a
separate info prefix (``skydd/sensitive/<category>``), so a key leaked or misused
for one category opens no other. The associated data is the token header plus
the caller's *context* (table, column, row id: :func:`row_context`), so a token
copied to another row, column or category fails to decrypt instead of quietly
showing one person's data as another's. See docs/decisions/0010-field-encryption.md.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Defined in the error tree so adapters can map it; re-exported for existing imports.
from skydd.domain.errors import DecryptionError as DecryptionError
from skydd.storage.keyring import KeyId, Keyring

VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
FIELD_INFO = b"skydd/field/"
SENSITIVE_INFO = b"skydd/sensitive/"


def row_context(table: str, column: str, row_id: object) -> bytes:
    """The context binding a field's token to one cell: table, column and row id."""
    if "\x00" in table or "\x00" in column:
        msg = "table and column names cannot contain NUL"
        raise ValueError(msg)
    return f"{table}\x00{column}\x00{row_id}".encode()


class FieldCipher:
    """Encrypts and decrypts fields under a keyring; caches one AEAD per derived key."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._aeads: dict[tuple[KeyId, bool, str], AESGCM] = {}

    def encrypt(self, plaintext: str, *, category: str, sensitive: bool, context: bytes) -> bytes:
        """Encrypt under the active key, bound to ``category`` and ``context``."""
        key_id = self.keyring.active
        header = bytes([VERSION, len(key_id)]) + key_id.encode("ascii")
        # Random 96-bit nonces are safe up to 2**32 encryptions per derived key (NIST
        # SP 800-38D); keys are per category and rotated, far below that.
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead(key_id, category, sensitive=sensitive).encrypt(
            nonce, plaintext.encode("utf-8"), header + context
        )
        return header + nonce + sealed

    def decrypt(self, token: bytes, *, category: str, sensitive: bool, context: bytes) -> str:
        """Decrypt a token made for this ``category`` and ``context``, under any known key."""
        key_id, header, body = _split(token)
        if key_id not in self.keyring:
            msg = f"the token was made under key {key_id}, which is not in the keyring"
            raise DecryptionError(msg)
        nonce, sealed = body[:NONCE_BYTES], body[NONCE_BYTES:]
        try:
            plaintext = self._aead(key_id, category, sensitive=sensitive).decrypt(
                nonce, sealed, header + context
            )
        except InvalidTag:
            msg = "the token does not authenticate: altered, misplaced or another category"
            raise DecryptionError(msg) from None
        return plaintext.decode("utf-8")

    def needs_rotation(self, token: bytes) -> bool:
        """True when the token was made under a key other than the active one."""
        return _split(token)[0] != self.keyring.active

    def rotate(self, token: bytes, *, category: str, sensitive: bool, context: bytes) -> bytes:
        """The token re-encrypted under the active key; unchanged if it already is.

        Returning current tokens unchanged makes a rotation batch idempotent: a run
        interrupted half-way is simply started again.
        """
        if not self.needs_rotation(token):
            return token
        plaintext = self.decrypt(token, category=category, sensitive=sensitive, context=context)
        return self.encrypt(plaintext, category=category, sensitive=sensitive, context=context)

    def _aead(self, key_id: KeyId, category: str, *, sensitive: bool) -> AESGCM:
        cached = self._aeads.get((key_id, sensitive, category))
        if cached is None:
            if not category:
                msg = "a field needs a data category to be encrypted"
                raise ValueError(msg)
            prefix = SENSITIVE_INFO if sensitive else FIELD_INFO
            key = self.keyring.derive(key_id, prefix + category.encode("utf-8"))
            cached = self._aeads[(key_id, sensitive, category)] = AESGCM(key)
        return cached


def _split(token: bytes) -> tuple[KeyId, bytes, bytes]:
    """Parse the header: (key id, header bytes, nonce + ciphertext)."""
    if len(token) < 2 or token[0] != VERSION:
        raise DecryptionError("not a skydd field token (unknown version)")
    end = 2 + token[1]
    if len(token) < end + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("not a skydd field token (truncated)")
    try:
        key_id = KeyId(token[2:end].decode("ascii"))
    except UnicodeDecodeError:
        raise DecryptionError("not a skydd field token (bad key id)") from None
    return key_id, token[:end], token[end:]
