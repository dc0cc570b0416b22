"""Consent receipts: signed with a key derived from the keyring, refused when changed.

The refusals build forged receipts by hand (base64url and JSON), the way an attacker
would, rather than through the signer under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import KeySet, OKPKey
from pydantic import SecretStr

from skydd.bootstrap import build_container
from skydd.config import DatabaseSettings, KeySettings, Settings
from skydd.domain.errors import InvalidInput, KeyringError
from skydd.services.ports import ReceiptSigner
from skydd.storage.keyring import KeyId, Keyring
from skydd.storage.receipts import RECEIPT_INFO, RECEIPT_TYPE, JwsReceipts

pytestmark = pytest.mark.promise("P16")

KEYRING = Keyring.fresh()
CLAIMS: dict[str, object] = {
    "schema": "skydd-consent-receipt/1",
    "controller": "mestro",
    "record_id": "8b0c4f6e-7d1a-4c55-9a43-3f0c2f9d5a10",
    "pii_principal_id": "0d1f3a9c-55e2-4b1e-8c7d-2a6b9e4f1c33",
    "purpose": "newsletter",
    "pii_categories": ["user.contact.email", "user.name"],
    "consent_status": "given",
    "policy_version": 3,
    "language": "sv",
    "event_time": "2026-03-01T09:30:00+00:00",
    "note": "Prenumerera på nyhetsbrevet",
}
SECRETS = ("mestro", "newsletter", "8b0c4f6e", "0d1f3a9c", "user.contact.email", "nyhetsbrev")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(receipt: str) -> tuple[dict[str, Any], bytes, bytes]:
    header, payload, signature = receipt.split(".")
    return json.loads(unb64(header)), unb64(payload), unb64(signature)


def assemble(header: dict[str, Any], payload: bytes, signature: bytes) -> str:
    return ".".join((b64(json.dumps(header).encode()), b64(payload), b64(signature)))


def private_key_of(keyring: Keyring, key_id: KeyId) -> OKPKey:
    """The receipt key of ``key_id``, derived independently of JwsReceipts."""
    return OKPKey.import_key(
        Ed25519PrivateKey.from_private_bytes(keyring.derive(key_id, RECEIPT_INFO))
    )


def sign_raw(key: OKPKey, header: dict[str, Any], payload: bytes) -> str:
    """A receipt signed with the right key, around whatever header and payload given."""
    return jws.serialize_compact(header, payload, key, [header["alg"]])


def refused(signer: ReceiptSigner, receipt: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        signer.verify(receipt)
    message = caught.value.message
    assert "\n" not in message
    assert not [s for s in SECRETS if s in message]
    assert not [p for p in receipt.split(".") if len(p) > 3 and p in message]
    return message


@pytest.fixture(scope="module")
def signer() -> JwsReceipts:
    return JwsReceipts(KEYRING)


@pytest.fixture(scope="module")
def receipt(signer: JwsReceipts) -> str:
    return signer.sign(CLAIMS)


def test_a_receipt_verifies_to_its_claims(signer: JwsReceipts, receipt: str) -> None:
    assert signer.verify(receipt) == CLAIMS
    assert signer.verify(f"  {receipt}\n") == CLAIMS


def test_the_header_names_the_key_by_its_thumbprint(receipt: str) -> None:
    header, _, signature = parts(receipt)
    public = private_key_of(KEYRING, KEYRING.active).as_dict(private=False)
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": public["x"]}, separators=(",", ":"))
    thumbprint = b64(hashlib.sha256(members.encode()).digest())  # RFC 7638 §3.1
    assert header == {"alg": "Ed25519", "kid": thumbprint, "typ": RECEIPT_TYPE}
    assert KEYRING.active not in receipt.split(".")[0] + json.dumps(header)
    assert len(signature) == 64


def test_the_same_claims_give_the_same_payload(signer: JwsReceipts, receipt: str) -> None:
    shuffled = dict(reversed(list(CLAIMS.items())))
    again = signer.sign(shuffled)
    _, payload, _ = parts(again)
    assert again == receipt  # Ed25519 is deterministic, so the whole receipt repeats
    assert payload == json.dumps(
        CLAIMS, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def test_a_receipt_with_one_payload_byte_changed_is_refused(
    signer: JwsReceipts, receipt: str
) -> None:
    header, payload, signature = parts(receipt)
    changed = payload.replace(b'"given"', b'"giveN"')
    assert len(changed) == len(payload)
    assert changed != payload
    message = refused(signer, assemble(header, changed, signature))
    assert message == "the consent receipt's signature does not match its content"


def test_a_receipt_with_its_signature_changed_is_refused(signer: JwsReceipts, receipt: str) -> None:
    header, payload, signature = parts(receipt)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert refused(signer, assemble(header, payload, flipped)) == (
        "the consent receipt's signature does not match its content"
    )
    assert refused(signer, assemble(header, payload, b"")) == (
        "the consent receipt's signature does not match its content"
    )


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "EdDSA", "ES256", "RS256", ""])
def test_a_receipt_with_another_algorithm_is_refused(
    signer: JwsReceipts, receipt: str, alg: str
) -> None:
    header, payload, signature = parts(receipt)
    forged = assemble({**header, "alg": alg}, payload, signature)
    assert refused(signer, forged) == "a consent receipt must be signed with Ed25519"
    assert refused(signer, assemble({**header, "alg": alg}, payload, b"")) == (
        "a consent receipt must be signed with Ed25519"
    )


def test_an_hmac_keyed_with_the_public_key_is_refused(signer: JwsReceipts, receipt: str) -> None:
    header, payload, _ = parts(receipt)
    jwk = signer.public_keys()["keys"][0]  # type: ignore[index]
    public_bytes = unb64(jwk["x"])
    forged_header = b64(json.dumps({**header, "alg": "HS256"}).encode())
    signing_input = f"{forged_header}.{b64(payload)}".encode()
    for secret in (public_bytes, jwk["x"].encode(), json.dumps(jwk).encode()):
        mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
        assert refused(signer, f"{forged_header}.{b64(payload)}.{b64(mac)}") == (
            "a consent receipt must be signed with Ed25519"
        )


def test_a_receipt_with_an_unknown_or_missing_kid_is_refused(
    signer: JwsReceipts, receipt: str
) -> None:
    header, payload, signature = parts(receipt)
    unknown = assemble({**header, "kid": b64(bytes(32))}, payload, signature)
    assert refused(signer, unknown) == (
        "the consent receipt is signed by a key this deployment does not hold"
    )
    as_key_id = assemble({**header, "kid": KEYRING.active}, payload, signature)
    assert refused(signer, as_key_id) == (
        "the consent receipt is signed by a key this deployment does not hold"
    )
    without = {k: v for k, v in header.items() if k != "kid"}
    for kid_less in (without, {**header, "kid": 7}):
        assert refused(signer, assemble(kid_less, payload, signature)) == (
            "the consent receipt does not name its signing key"
        )


def test_a_header_skydd_does_not_write_is_refused(signer: JwsReceipts, receipt: str) -> None:
    header, payload, _ = parts(receipt)
    key = private_key_of(KEYRING, KEYRING.active)
    other = OKPKey.generate_key("Ed25519")
    for forged_header in (
        {**header, "typ": "JWT"},
        {k: v for k, v in header.items() if k != "typ"},
        {**header, "jwk": other.as_dict(private=False)},  # an embedded key is never trusted
        {**header, "b64": False, "crit": ["b64"]},
        {**header, "cty": "json"},
    ):
        forged = sign_raw(key, forged_header, payload)
        assert refused(signer, forged) == "the consent receipt's header is not one skydd writes"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a receipt",
        "a.b.c",
        "...",
        "a.b",
        "a.b.c.d.e",
        "åäö.åäö.åäö",
        f"{b64(b'[1,2]')}.e30.AAAA",
        f"{b64(b'not json')}.e30.AAAA",
        f"{b64(b'{}')}.%%%.AAAA",
        "x" * 300_000,
    ],
)
def test_garbage_is_refused(signer: JwsReceipts, garbage: str) -> None:
    refused(signer, garbage)


def test_a_signed_payload_that_is_not_a_json_object_is_refused(
    signer: JwsReceipts, receipt: str
) -> None:
    header, _, _ = parts(receipt)
    key = private_key_of(KEYRING, KEYRING.active)
    for payload in (b"[1,2,3]", b'"newsletter"', b"null", b"{not json", b"\xff\xfe"):
        assert refused(signer, sign_raw(key, header, payload)) == (
            "the consent receipt's content is not a JSON object"
        )


def test_rotation_keeps_old_receipts_valid_and_signs_with_the_new_key(receipt: str) -> None:
    rotated = KEYRING.with_fresh_active_key()
    signer = JwsReceipts(rotated)
    assert signer.verify(receipt) == CLAIMS
    fresh = signer.sign(CLAIMS)
    assert parts(fresh)[0]["kid"] != parts(receipt)[0]["kid"]
    assert signer.verify(fresh) == CLAIMS
    assert [key["kid"] for key in signer.public_keys()["keys"]] == [  # type: ignore[attr-defined]
        parts(receipt)[0]["kid"],
        parts(fresh)[0]["kid"],
    ]
    refused(JwsReceipts(KEYRING), fresh)  # the old keyring never saw the new key


def test_a_receipt_of_another_keyring_is_refused(signer: JwsReceipts, receipt: str) -> None:
    other = Keyring.fresh()
    foreign = JwsReceipts(other).sign(CLAIMS)
    assert refused(signer, foreign) == (
        "the consent receipt is signed by a key this deployment does not hold"
    )
    # Claiming our kid does not help: the signature is checked with our key.
    header, payload, _ = parts(receipt)
    impostor = sign_raw(private_key_of(other, other.active), header, payload)
    assert refused(signer, impostor) == (
        "the consent receipt's signature does not match its content"
    )


def test_the_jwks_verifies_receipts_with_plain_joserfc(receipt: str) -> None:
    rotated = KEYRING.with_fresh_active_key()
    jwks = json.loads(json.dumps(JwsReceipts(rotated).public_keys()))  # as published
    fresh = JwsReceipts(rotated).sign(CLAIMS)
    assert all(set(key) == {"kty", "crv", "x", "kid", "alg", "use"} for key in jwks["keys"])
    keys = KeySet.import_key_set(jwks)
    for signed in (receipt, fresh):
        verified = jws.deserialize_compact(signed, keys, algorithms=["Ed25519"])
        assert json.loads(verified.payload) == CLAIMS


def test_keys_are_derived_once_and_only_when_needed() -> None:
    derived: list[KeyId] = []

    class CountingKeyring(Keyring):
        def derive(self, key_id: KeyId, info: bytes) -> bytes:
            derived.append(key_id)
            return super().derive(key_id, info)

    old = Keyring.fresh()
    rotated = old.with_fresh_active_key().with_fresh_active_key()
    signer = JwsReceipts(CountingKeyring(_master_keys(rotated), rotated.active))
    signer.sign(CLAIMS)
    signer.sign(CLAIMS)
    assert derived == [rotated.active]
    old_receipt = JwsReceipts(old).sign(CLAIMS)
    assert signer.verify(old_receipt) == CLAIMS
    assert signer.verify(old_receipt) == CLAIMS
    assert derived == [rotated.active, old.active]
    signer.public_keys()
    assert sorted(derived) == sorted(rotated.key_ids)  # each once


def _master_keys(keyring: Keyring) -> dict[KeyId, bytes]:
    exported = json.loads(keyring.export_json())
    return {KeyId(k): base64.b64decode(v) for k, v in exported["keys"].items()}


@pytest.mark.parametrize("claims", [{"at": float("nan")}, {"at": object()}, {"s": "\udc00"}])
def test_claims_that_are_not_json_are_refused(
    signer: JwsReceipts, claims: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput, match="consent receipt claims must be plain JSON"):
        signer.sign(claims)


def test_oversized_claims_are_refused(signer: JwsReceipts) -> None:
    with pytest.raises(InvalidInput, match="exceed"):
        signer.sign({"note": "x" * 70_000})


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), JSON, max_size=8))
def test_any_json_object_round_trips(claims: dict[str, object]) -> None:
    signer = JwsReceipts(KEYRING)
    assert signer.verify(signer.sign(claims)) == claims


def test_the_container_loads_keys_only_when_receipts_are_used(tmp_path: Path) -> None:
    database = DatabaseSettings(url=f"sqlite:///{tmp_path / 'skydd.db'}")
    keyless = build_container(Settings(database=database))
    try:
        with pytest.raises(KeyringError):
            _ = keyless.receipts
    finally:
        keyless.close()
    keyed = build_container(
        Settings(database=database, keys=KeySettings(keyring=SecretStr(KEYRING.export_json())))
    )
    try:
        assert keyed.receipts is keyed.receipts
        assert keyed.receipts.verify(JwsReceipts(KEYRING).sign(CLAIMS)) == CLAIMS
    finally:
        keyed.close()
