"""Password hashing (argon2id, OWASP parameters) and the keyed hash of API tokens.

Passwords are slow to hash on purpose: argon2id with m=19 MiB, t=2, p=1, the OWASP
Password Storage Cheat Sheet's first recommendation. API tokens carry 256 random
bits, so a fast keyed hash (HMAC-SHA256) is enough and a request costs microseconds;
the key is derived from ``SKYDD_SECURITY__SECRET_KEY``, so a stolen database alone
does not let anyone test token guesses offline.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from skydd.config import SecuritySettings

OWASP_MEMORY_KIB = 19456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1
TOKEN_KEY_LABEL = b"skydd api token hash v1"


class Argon2PasswordHasher:
    """argon2id with the OWASP parameters; ``needs_rehash`` says when they changed."""

    def __init__(
        self,
        memory_cost: int = OWASP_MEMORY_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        """The encoded argon2id hash (parameters and salt included)."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; False on a mismatch or an unreadable hash."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


class HmacTokenHasher:
    """HMAC-SHA256 of a token's secret under a key derived from the settings' secret."""

    def __init__(self, secret_key: bytes) -> None:
        self._key = hmac.new(secret_key, TOKEN_KEY_LABEL, hashlib.sha256).digest()

    @classmethod
    def from_settings(cls, security: SecuritySettings) -> HmacTokenHasher:
        """The hasher for this deployment's secret (the development one when unset)."""
        return cls(security.effective_secret_key().encode("utf-8"))

    def digest(self, secret: str) -> str:
        """The hex digest stored for ``secret``."""
        return hmac.new(self._key, secret.encode("utf-8"), hashlib.sha256).hexdigest()
