"""Blind index: find a person by e-mail, phone or personnummer without storing them in clear.

Field encryption uses a random nonce, so equal plaintexts give unequal tokens and
cannot be looked up. Beside each encrypted identifier skydd therefore stores
HMAC-SHA256 of its *normalised* form (:mod:`skydd.domain.identifiers`), under a key
derived per identifier kind (info ``skydd/blind-index/<kind>``) that is never used
to encrypt. Without the master key the index cannot be computed, so it does not
let someone holding the database test guesses (as a plain hash of a personnummer
would: there are only some tens of millions of them).

The index depends on the master key, so rotation recomputes it; while a rotation
runs, rows carry either key's index, and lookups ask for all of
:meth:`BlindIndex.candidates`.
"""

from __future__ import annotations

import hashlib
import hmac

from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.storage.keyring import KeyId, Keyring

BLIND_INDEX_INFO = b"skydd/blind-index/"


class BlindIndex:
    """Keyed hashes of normalised identifiers, as 64 hex digits (indexable everywhere)."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._keys: dict[tuple[KeyId, IdentifierKind], bytes] = {}

    def of(self, identifier: Identifier) -> str:
        """The index value to store, under the active key."""
        return self._digest(self.keyring.active, identifier)

    def candidates(self, identifier: Identifier) -> tuple[str, ...]:
        """The index under every key, active first: what a lookup matches during rotation."""
        ids = (self.keyring.active, *(k for k in self.keyring.key_ids if k != self.keyring.active))
        return tuple(self._digest(key_id, identifier) for key_id in ids)

    def _digest(self, key_id: KeyId, identifier: Identifier) -> str:
        key = self._keys.get((key_id, identifier.kind))
        if key is None:
            info = BLIND_INDEX_INFO + identifier.kind.value.encode("ascii")
            key = self._keys[(key_id, identifier.kind)] = self.keyring.derive(key_id, info)
        return hmac.new(key, identifier.value.encode("utf-8"), hashlib.sha256).hexdigest()
