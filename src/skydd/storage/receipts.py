"""Consent receipts: compact JWS signed with an Ed25519 key the keyring derives.

A receipt is what a person keeps of a consent event, so it must be checkable years
later by anyone holding the organisation's public keys, and must fail the check when
changed. The signing key is derived from each master key (HKDF, info
:data:`RECEIPT_INFO`), so there is no new secret to keep: a rotated-out master key
still verifies its old receipts for as long as it stays in the keyring, and only the
active one signs.

The header names the key by its RFC 7638 thumbprint: public, stable, and saying
nothing about the master key or its id. ``alg`` is ``Ed25519``, the fully specified
name RFC 9864 gives the algorithm (the older ``EdDSA`` is deprecated there, and
joserfc warns on it). Verification accepts that one algorithm, our ``typ`` and
nothing else in the header, so neither ``none`` nor an HMAC keyed with a public key
can pass. Refusals are :class:`~skydd.domain.errors.InvalidInput` with one line that
never repeats the receipt's content.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from skydd.domain.errors import InvalidInput
from skydd.storage.keyring import KeyId, Keyring

RECEIPT_INFO = b"skydd/consent-receipt"
"""HKDF info of the receipt signing key: no other purpose derives with it."""

ALGORITHM = "Ed25519"
"""RFC 9864's name for EdDSA over Ed25519; the only ``alg`` signed and accepted."""

RECEIPT_TYPE = "consent-receipt+jwt"
"""Explicit typing (RFC 8725 §3.11): a receipt can't pass for another JWT, nor one for it."""

MAX_CLAIMS_BYTES = 64 * 1024
"""Claims larger than this are refused; joserfc refuses to read payloads much larger."""

_HEADER_NAMES = frozenset({"alg", "kid", "typ"})


@dataclass(frozen=True)
class _ReceiptKey:
    kid: str
    private: OKPKey
    public: OKPKey
    signer: Ed25519PrivateKey
    protected: bytes
    """The header as joserfc encodes it (base64url of its JSON), the same on every receipt."""


class JwsReceipts:
    """Signs consent receipts with the active key; verifies those of any key held."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._by_key_id: dict[KeyId, _ReceiptKey] = {}
        self._by_kid: dict[str, _ReceiptKey] = {}

    def __repr__(self) -> str:
        return f"JwsReceipts(active={self._keyring.active!r})"

    def sign(self, claims: Mapping[str, object]) -> str:
        """The compact JWS of ``claims``, serialised canonically, under the active key.

        The same bytes joserfc writes (Ed25519 is deterministic), put together here:
        every consent write signs one, and joserfc's general path costs a quarter more.
        """
        key = self._key(self._keyring.active)
        signing_input = key.protected + b"." + _base64url(canonical_claims(claims))
        signature = _base64url(key.signer.sign(signing_input))
        return (signing_input + b"." + signature).decode("ascii")

    def verify(self, receipt: str) -> dict[str, object]:
        """The claims of ``receipt`` if a key of this keyring signed it as they stand.

        Whitespace around the receipt is ignored (it is often pasted from mail).
        """
        try:
            signed = jws.extract_compact(receipt.strip().encode("ascii"))
        except (JoseError, ValueError):  # UnicodeError is a ValueError
            raise InvalidInput("the consent receipt is not a compact JWS") from None
        key = self._signer_of(signed.headers())
        try:
            genuine = jws.validate_compact(signed, key.public, [ALGORITHM])
        except JoseError:
            genuine = False
        if not genuine:
            raise InvalidInput("the consent receipt's signature does not match its content")
        try:
            claims = json.loads(signed.payload)
        except ValueError:
            claims = None
        if not isinstance(claims, dict):
            raise InvalidInput("the consent receipt's content is not a JSON object")
        return claims

    def public_keys(self) -> dict[str, object]:
        """A JWKS of every key in the keyring, for whoever verifies receipts themselves."""
        keys = [
            key.public.as_dict(kid=key.kid, alg=ALGORITHM, use="sig")
            for key in map(self._key, self._keyring.key_ids)
        ]
        return {"keys": keys}

    def _signer_of(self, header: Mapping[str, object]) -> _ReceiptKey:
        if header.get("alg") != ALGORITHM:
            raise InvalidInput(f"a consent receipt must be signed with {ALGORITHM}")
        if header.get("typ") != RECEIPT_TYPE or not header.keys() <= _HEADER_NAMES:
            raise InvalidInput("the consent receipt's header is not one skydd writes")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidInput("the consent receipt does not name its signing key")
        key = self._held(kid)
        if key is None:
            msg = "the consent receipt is signed by a key this deployment does not hold"
            raise InvalidInput(msg)
        return key

    def _held(self, kid: str) -> _ReceiptKey | None:
        """The key named ``kid``, deriving only the keys not derived yet to find it."""
        if kid not in self._by_kid:
            for key_id in self._keyring.key_ids:
                if key_id not in self._by_key_id and self._key(key_id).kid == kid:
                    break
        return self._by_kid.get(kid)

    def _key(self, key_id: KeyId) -> _ReceiptKey:
        """The signing key of one master key, derived on first use."""
        key = self._by_key_id.get(key_id)
        if key is None:
            seed = self._keyring.derive(key_id, RECEIPT_INFO)
            private = Ed25519PrivateKey.from_private_bytes(seed)
            public = OKPKey.import_key(private.public_key())
            kid = public.thumbprint()
            header = {"alg": ALGORITHM, "kid": kid, "typ": RECEIPT_TYPE}
            signed = jws.serialize_compact(header, b"", OKPKey.import_key(private), [ALGORITHM])
            protected = signed.split(".", 1)[0].encode("ascii")
            key = _ReceiptKey(kid, OKPKey.import_key(private), public, private, protected)
            self._by_key_id[key_id] = self._by_kid[key.kid] = key
        return key


def _base64url(data: bytes) -> bytes:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def canonical_claims(claims: Mapping[str, object]) -> bytes:
    """``claims`` as JSON with sorted keys and no spaces: equal claims, equal bytes."""
    try:
        text = json.dumps(
            dict(claims), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        payload = text.encode("utf-8")
    except (TypeError, ValueError):  # UnicodeError is a ValueError
        raise InvalidInput("consent receipt claims must be plain JSON") from None
    if len(payload) > MAX_CLAIMS_BYTES:
        msg = f"consent receipt claims exceed {MAX_CLAIMS_BYTES} bytes"
        raise InvalidInput(msg)
    return payload
