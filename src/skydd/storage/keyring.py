"""Master keys for field encryption, read from a key file or an inline string.

The keys live outside the database (a file the operator protects, or a secret
manager that sets ``SKYDD_KEYS__KEYRING``), so a stolen database or backup holds
ciphertext only. Several keys can be present at once: the ``active`` one encrypts,
the others still decrypt what they encrypted until rotation has moved it.

Two text formats, the same for the file and the inline string::

    {"active": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "<…>"}}

    # one key per line (or separated by commas); the last one is active
    k1:<base64 of 32 bytes>
    k2:<base64 of 32 bytes>

Master keys are never used directly: :meth:`Keyring.derive` gives each purpose
(a data category, a blind index) its own key with HKDF-SHA256, so no two purposes
share key material. Nothing here ever puts key material in a message or ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import NewType

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Defined in the error tree so adapters can map it; re-exported for existing imports.
from skydd.domain.errors import KeyringError as KeyringError

logger = logging.getLogger(__name__)

KeyId = NewType("KeyId", str)

KEY_BYTES = 32
"""AES-256 and HMAC-SHA256 keys: 256 bits."""

_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class Keyring:
    """Master keys by id, one of them active (the one new ciphertext is made with)."""

    def __init__(self, keys: Mapping[KeyId, bytes], active: KeyId) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id):
                msg = "a key id must be 1-64 letters, digits, '.', '_' or '-'"
                raise KeyringError(msg)
            if len(key) != KEY_BYTES:
                msg = f"key {key_id} is not {KEY_BYTES} bytes"
                raise KeyringError(msg)
        if active not in keys:
            msg = f"the active key {active} is not in the keyring"
            raise KeyringError(msg)
        self._keys = dict(keys)
        self.active = active

    def __repr__(self) -> str:
        return f"Keyring(active={self.active!r}, key_ids={self.key_ids!r})"

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    @property
    def key_ids(self) -> tuple[KeyId, ...]:
        """Every key id, in the order given."""
        return tuple(self._keys)

    def derive(self, key_id: KeyId, info: bytes) -> bytes:
        """A 32-byte key for one purpose (``info``) from the master key ``key_id``."""
        if key_id not in self._keys:
            msg = f"key {key_id} is not in the keyring"
            raise KeyringError(msg)
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info)
        return hkdf.derive(self._keys[key_id])

    def with_fresh_active_key(self) -> Keyring:
        """This keyring plus a new random key, which becomes active (the rotation step)."""
        key_id = KeyId(f"k{secrets.token_hex(6)}")
        return Keyring({**self._keys, key_id: secrets.token_bytes(KEY_BYTES)}, key_id)

    @classmethod
    def fresh(cls) -> Keyring:
        """A keyring of one new random key."""
        key_id = KeyId(f"k{secrets.token_hex(6)}")
        return cls({key_id: secrets.token_bytes(KEY_BYTES)}, key_id)

    def export_json(self) -> str:
        """The key file content, key material included: write it only where keys belong."""
        keys = {key_id: base64.b64encode(key).decode("ascii") for key_id, key in self._keys.items()}
        return json.dumps({"active": self.active, "keys": keys}, indent=2) + "\n"


def parse_keyring(text: str) -> Keyring:
    """Read either format (JSON if it starts with ``{``, else ``id:base64`` entries)."""
    if text.lstrip().startswith("{"):
        return _parse_json(text)
    keys: dict[KeyId, bytes] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for entry in re.split(r"[\s,;]+", line.split("#", 1)[0].strip()):
            if not entry:
                continue
            key_id, colon, encoded = entry.partition(":")
            if not colon or key_id in keys:
                msg = f"line {number}: expected a new key as id:base64"
                raise KeyringError(msg)
            keys[KeyId(key_id)] = _decode_key(encoded, KeyId(key_id))
    if not keys:
        raise KeyringError("the keyring holds no keys")
    return Keyring(keys, list(keys)[-1])


def _parse_json(text: str) -> Keyring:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"the keyring is not valid JSON (line {exc.lineno})"
        raise KeyringError(msg) from None
    if not (
        isinstance(document, dict)
        and isinstance(document.get("active"), str)
        and isinstance(document.get("keys"), dict)
        and all(isinstance(v, str) for v in document["keys"].values())
    ):
        raise KeyringError('a JSON keyring is {"active": ID, "keys": {ID: BASE64, …}}')
    keys = {KeyId(k): _decode_key(v, KeyId(k)) for k, v in document["keys"].items()}
    return Keyring(keys, KeyId(document["active"]))


def _decode_key(encoded: str, key_id: KeyId) -> bytes:
    try:
        return base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
    except binascii.Error:
        msg = f"key {key_id} is not valid base64"
        raise KeyringError(msg) from None


def read_keyring(path: Path) -> Keyring:
    """Read a key file, warning when people other than the owner may read it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read the key file {path}: {exc.strerror}"
        raise KeyringError(msg) from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        logger.warning("key file %s is accessible to group or others; chmod 600 it", path)
    return parse_keyring(text)


def write_keyring(path: Path, keyring: Keyring) -> None:
    """Write a new key file readable by its owner only; never overwrite one."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        msg = f"{path} exists; skydd never overwrites a key file"
        raise KeyringError(msg) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(keyring.export_json())


def load_keyring(file: Path | None, inline: str | None) -> Keyring:
    """The keyring the settings point at (``SKYDD_KEYS__FILE`` or ``SKYDD_KEYS__KEYRING``)."""
    if file is not None and inline is not None:
        raise KeyringError("set either SKYDD_KEYS__FILE or SKYDD_KEYS__KEYRING, not both")
    if file is not None:
        return read_keyring(file)
    if inline is not None:
        return parse_keyring(inline)
    raise KeyringError("no keys configured: set SKYDD_KEYS__FILE or SKYDD_KEYS__KEYRING")
