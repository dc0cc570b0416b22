"""CSRF tokens of the staff console's forms: HMAC-SHA256 under the deployment secret.

Two kinds, both derived rather than stored (ADR 0013):

- **Signed in**: the token of a form is ``HMAC(key, "session" ‖ session secret)``. It
  changes whenever the session does (sign-in, password change), needs no column, and
  tells nothing about the session secret it came from.
- **Signing in** (no session yet): a signed double submit. The sign-in page sets a
  cookie holding a random nonce and puts ``HMAC(key, "login" ‖ nonce)`` in a hidden
  field; the form is accepted only when the two belong together. Another site can
  neither read the cookie nor compute the field for a nonce it planted.

The key is derived from ``SKYDD_SECURITY__SECRET_KEY`` with its own label, so these
tokens are unrelated to the keyed hashes of API tokens and session secrets.
Comparison is constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

KEY_LABEL = b"skydd console csrf v1"


class CsrfSigner:
    """Derives and checks the CSRF tokens of one deployment."""

    def __init__(self, secret_key: str) -> None:
        self._key = hmac.new(secret_key.encode("utf-8"), KEY_LABEL, hashlib.sha256).digest()

    def for_session(self, session_secret: str) -> str:
        """The token every form of a signed-in page carries."""
        return self._sign(b"session", session_secret)

    def for_login(self, nonce: str) -> str:
        """The token of the sign-in form whose cookie holds ``nonce``."""
        return self._sign(b"login", nonce)

    def _sign(self, purpose: bytes, value: str) -> str:
        mac = hmac.new(self._key, purpose + b"\x00" + value.encode("utf-8"), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def tokens_match(expected: str, presented: str | None) -> bool:
    """True when ``presented`` is ``expected``, compared in constant time."""
    if presented is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))
