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
        self._keyed: dict[tuple[KeyId, IdentifierKind], hmac.HMAC] = {}

    def of(self, identifier: Identifier) -> str:
        """The index value to store, under the active key."""
        return self._digest(self.keyring.active, identifier)

    def candidates(self, identifier: Identifier) -> tuple[str, ...]:
        """The index under every key, active first: what a lookup matches during rotation."""
        keyring = self.keyring
        if len(keyring.key_ids) == 1:  # no rotation running: the common case, kept short
            return (self._digest(keyring.active, identifier),)
        others = (k for k in keyring.key_ids if k != keyring.active)
        return tuple(self._digest(key_id, identifier) for key_id in (keyring.active, *others))

    def _digest(self, key_id: KeyId, identifier: Identifier) -> str:
        keyed = self._keyed.get((key_id, identifier.kind))
        if keyed is None:
            info = BLIND_INDEX_INFO + identifier.kind.value.encode("ascii")
            keyed = hmac.new(self.keyring.derive(key_id, info), digestmod=hashlib.sha256)
            self._keyed[(key_id, identifier.kind)] = keyed
        # A copy of the keyed HMAC skips keying it again for every value: a bulk check
        # of 100,000 identities spends this on each of them.
        digest = keyed.copy()
        digest.update(identifier.value.encode("utf-8"))
        return digest.hexdigest()
