"""Signed links: claims in a URL that only this deployment can have written (HMAC-SHA256).

A link mailed to a person (confirm a subscription, unsubscribe, renew a consent) is the
capability to do that one thing for that one person, so it must be unforgeable, bound
to what it is for, and may expire. A token is two base64url parts joined by a dot::

    <payload> . <tag>
    payload = canonical JSON {"c": {claims}, "x": expiry in epoch seconds (absent: never)}
    tag     = HMAC-SHA256(key, kind ‖ 0x00 ‖ payload)

The kind of link (``purpose_of_link``) is bound into the tag but not written in the
token, so a token made for one kind fails as forged for another. The key is derived
from each master key of the keyring (HKDF, info :data:`LINK_INFO`), so there is no new
secret to keep; only the active key signs, and every key still in the keyring
verifies, so links outlive a rotation for as long as the old key is kept.

Plain HMAC rather than a JWS: the header of a JWS would name an algorithm and key that
verification must ignore anyway, and a link is shorter without it (mail clients and
``List-Unsubscribe`` headers carry it whole). Claims are strings and hold pseudonymous
ids only, never an e-mail address: a token is readable by whoever holds it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from skydd.domain.errors import InvalidLink, LinkExpired
from skydd.storage.keyring import KeyId, Keyring

LINK_INFO = b"skydd/signed-links"
"""HKDF info of the link key: no other purpose derives with it."""

MAX_TOKEN_CHARS = 2048
"""Longer tokens are refused unread: no link skydd makes comes near it."""

FORGED = "the link is not valid: it is incomplete, was changed, or is not meant for this"
EXPIRED = "the link has expired; ask for a new one"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class HmacLinks:
    """Signs links with the keyring's active key; verifies those of any key it holds."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._keys: dict[KeyId, bytes] = {}

    def __repr__(self) -> str:
        return f"HmacLinks(active={self._keyring.active!r})"

    def sign(
        self, purpose_of_link: str, claims: Mapping[str, str], expires: dt.datetime | None
    ) -> str:
        """A token carrying ``claims`` for links of ``purpose_of_link``, valid until ``expires``.

        Expiry is kept to the second, rounded down: a link never lives longer than asked.
        """
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in claims.items()):
            msg = "link claims are strings"
            raise TypeError(msg)
        body: dict[str, object] = {"c": dict(claims)}
        if expires is not None:
            if expires.tzinfo is None:
                msg = "a link's expiry must be timezone-aware"
                raise ValueError(msg)
            body["x"] = int(expires.timestamp())
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        payload = _encode(text.encode("utf-8"))
        tag = self._tag(self._keyring.active, purpose_of_link, payload)
        token = f"{payload}.{_encode(tag)}"
        if len(token) > MAX_TOKEN_CHARS:
            msg = f"link claims make a token over {MAX_TOKEN_CHARS} characters"
            raise ValueError(msg)
        return token

    def verify(self, purpose_of_link: str, token: str, now: dt.datetime) -> dict[str, str]:
        """The claims of a genuine, unexpired token for ``purpose_of_link``.

        Raises :class:`InvalidLink` for anything forged, truncated or of another kind,
        and :class:`LinkExpired` (checked only once the tag matches) at or after its
        expiry. Neither message repeats the token.
        """
        token = token.strip()
        payload, dot, tag_text = token.partition(".")
        if len(token) > MAX_TOKEN_CHARS or not dot or not payload:
            raise InvalidLink(FORGED)
        raw, tag = _decode(payload), _decode(tag_text)
        genuine = any(
            hmac.compare_digest(self._tag(key_id, purpose_of_link, payload), tag)
            for key_id in self._keyring.key_ids
        )
        if not genuine:
            raise InvalidLink(FORGED)
        claims, expiry = _read(raw)
        if expiry is not None and now.timestamp() >= expiry:
            raise LinkExpired(EXPIRED)
        return claims

    def _tag(self, key_id: KeyId, purpose_of_link: str, payload: str) -> bytes:
        key = self._keys.get(key_id)
        if key is None:
            key = self._keys[key_id] = self._keyring.derive(key_id, LINK_INFO)
        message = purpose_of_link.encode("utf-8") + b"\x00" + payload.encode("ascii")
        return hmac.new(key, message, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    """Strict base64url: a character outside its alphabet is refused, not skipped."""
    if not _BASE64URL.fullmatch(text):
        raise InvalidLink(FORGED)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:  # a length no encoding gives
        raise InvalidLink(FORGED) from None


def _read(payload: bytes) -> tuple[dict[str, str], int | None]:
    """The claims and expiry of a payload whose tag matched (so skydd wrote it)."""
    try:
        body = json.loads(payload)
    except ValueError:
        body = None
    claims = body.get("c") if isinstance(body, dict) else None
    expiry = body.get("x") if isinstance(body, dict) else None
    if not isinstance(claims, dict) or not all(isinstance(v, str) for v in claims.values()):
        raise InvalidLink(FORGED)
    if expiry is not None and not isinstance(expiry, int):
        raise InvalidLink(FORGED)
    return claims, expiry
