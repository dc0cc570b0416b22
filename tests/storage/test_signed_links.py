"""Signed links: claims round-trip; a changed, truncated, re-keyed or other-kind token is refused.

Forgeries are built by hand (base64url, JSON and HMAC), the way an attacker who knows
the format but not the key would, rather than through the signer under test.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.errors import InvalidLink, LinkExpired
from skydd.services.ports import LinkSigner
from skydd.storage.keyring import KeyId, Keyring
from skydd.storage.signed_links import EXPIRED, FORGED, LINK_INFO, HmacLinks

pytestmark = pytest.mark.promise("P5")

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
CLAIMS = {"s": "0d1f3a9c-55e2-4b1e-8c7d-2a6b9e4f1c33", "p": "newsletter", "l": "sv"}
KIND = "consent-confirm"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_by_hand(key: bytes, kind: str, body: dict[str, object]) -> str:
    payload = b64(json.dumps(body, separators=(",", ":")).encode())
    tag = hmac.new(key, kind.encode() + b"\x00" + payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{b64(tag)}"


def refused(links: LinkSigner, token: str, kind: str = KIND) -> str:
    with pytest.raises(InvalidLink) as caught:
        links.verify(kind, token, NOW)
    assert not isinstance(caught.value, LinkExpired)
    assert caught.value.message == FORGED
    assert not token or token not in caught.value.message
    return caught.value.code


def test_claims_round_trip_and_name_no_more_than_given() -> None:
    links = HmacLinks(Keyring.fresh())
    token = links.sign(KIND, CLAIMS, NOW + dt.timedelta(hours=72))
    assert links.verify(KIND, token, NOW) == CLAIMS
    assert links.verify(KIND, f"  {token}\n", NOW) == CLAIMS  # pasted from a mail
    payload = json.loads(unb64(token.split(".")[0]))
    assert payload == {"c": CLAIMS, "x": int((NOW + dt.timedelta(hours=72)).timestamp())}
    assert all(c.isalnum() or c in "-_." for c in token)  # safe in a URL as it stands


def test_a_link_without_expiry_never_expires() -> None:
    links = HmacLinks(Keyring.fresh())
    token = links.sign("newsletter-unsubscribe", CLAIMS, None)
    later = NOW + dt.timedelta(days=3650)
    assert links.verify("newsletter-unsubscribe", token, later) == CLAIMS
    assert "x" not in json.loads(unb64(token.split(".")[0]))


def test_a_link_expires_exactly_at_its_expiry() -> None:
    links = HmacLinks(Keyring.fresh())
    expires = NOW + dt.timedelta(hours=1)
    token = links.sign(KIND, CLAIMS, expires)
    assert links.verify(KIND, token, expires - dt.timedelta(microseconds=1)) == CLAIMS
    for moment in (expires, expires + dt.timedelta(seconds=1)):
        with pytest.raises(LinkExpired) as caught:
            links.verify(KIND, token, moment)
        assert caught.value.message == EXPIRED and caught.value.code == "link-expired"


def test_expiry_is_rounded_down_to_the_second_never_up() -> None:
    links = HmacLinks(Keyring.fresh())
    token = links.sign(KIND, CLAIMS, NOW + dt.timedelta(seconds=10, microseconds=900_000))
    assert links.verify(KIND, token, NOW + dt.timedelta(seconds=9, microseconds=999_999))
    with pytest.raises(LinkExpired):
        links.verify(KIND, token, NOW + dt.timedelta(seconds=10))


def test_a_link_of_another_kind_is_refused_as_forged() -> None:
    links = HmacLinks(Keyring.fresh())
    unsubscribe = links.sign("newsletter-unsubscribe", CLAIMS, None)
    assert refused(links, unsubscribe, KIND) == "invalid-link"


def test_changed_claims_with_the_old_tag_are_refused() -> None:
    links = HmacLinks(Keyring.fresh())
    payload, tag = links.sign(KIND, CLAIMS, NOW + dt.timedelta(hours=1)).split(".")
    body = json.loads(unb64(payload))
    body["c"]["s"] = "11111111-1111-4111-8111-111111111111"
    refused(links, f"{b64(json.dumps(body, separators=(',', ':')).encode())}.{tag}")
    body = json.loads(unb64(payload))
    del body["x"]  # an attacker dropping the expiry
    refused(links, f"{b64(json.dumps(body, separators=(',', ':')).encode())}.{tag}")


def test_a_token_signed_with_a_key_the_keyring_lacks_is_refused() -> None:
    keyring = Keyring.fresh()
    links = HmacLinks(keyring)
    wrong_key = Keyring.fresh()
    foreign = signed_by_hand(
        wrong_key.derive(wrong_key.active, LINK_INFO), KIND, {"c": CLAIMS, "x": 2_000_000_000}
    )
    refused(links, foreign)
    # The right master key but another derivation (the receipts' info) is no key of links.
    other_info = signed_by_hand(
        keyring.derive(keyring.active, b"skydd/consent-receipt"), KIND, {"c": CLAIMS}
    )
    refused(links, other_info)
    # The right key, made by hand: accepted, which shows the forgeries above failed on the key.
    genuine = signed_by_hand(keyring.derive(keyring.active, LINK_INFO), KIND, {"c": CLAIMS})
    assert links.verify(KIND, genuine, NOW) == CLAIMS


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.split(".")[0],  # no tag
        lambda t: t.replace(".", ""),
        lambda t: t[:-2],  # truncated tag
        lambda t: t + "A",
        lambda t: t.split(".")[0] + ".!" + t.split(".")[1],  # outside base64url
        lambda t: t.split(".")[0] + "." + t.split(".")[1] + "=",
        lambda t: t.replace(".", ".ä"),
        lambda t: "." + t.split(".")[1],
        lambda _t: "",
        lambda t: t + "." + t,
        lambda _t: "A" * 5000,
    ],
)
def test_a_mangled_token_is_refused_with_one_message(mangle: object) -> None:
    links = HmacLinks(Keyring.fresh())
    token = links.sign(KIND, CLAIMS, NOW + dt.timedelta(hours=1))
    assert callable(mangle)
    refused(links, mangle(token))


def test_a_genuine_tag_over_a_payload_skydd_never_writes_is_refused() -> None:
    keyring = Keyring.fresh()
    key = keyring.derive(keyring.active, LINK_INFO)
    links = HmacLinks(keyring)
    bodies: list[dict[str, object]] = [{"c": {"s": 1}}, {"c": "x"}, {"x": 1}, {"c": {}, "x": "1"}]
    for body in bodies:
        refused(links, signed_by_hand(key, KIND, body))


def test_links_of_a_rotated_out_key_verify_while_it_stays_in_the_keyring() -> None:
    old = Keyring.fresh()
    token = HmacLinks(old).sign(KIND, CLAIMS, None)
    rotated = old.with_fresh_active_key()
    assert rotated.active != old.active
    links = HmacLinks(rotated)
    assert links.verify(KIND, token, NOW) == CLAIMS
    new_token = links.sign(KIND, CLAIMS, None)
    assert new_token != token  # the new active key signs
    assert HmacLinks(old).verify(KIND, token, NOW) == CLAIMS
    refused(HmacLinks(old), new_token)  # a keyring without the new key cannot read it
    refused(HmacLinks(without(rotated, old.active)), token)  # retired: its links stop working


def without(keyring: Keyring, key_id: KeyId) -> Keyring:
    """``keyring`` with the master key ``key_id`` retired."""
    exported = json.loads(keyring.export_json())
    keys = {KeyId(k): base64.b64decode(v) for k, v in exported["keys"].items() if k != key_id}
    return Keyring(keys, keyring.active)


def test_claims_must_be_strings_and_expiry_aware() -> None:
    links = HmacLinks(Keyring.fresh())
    with pytest.raises(TypeError):
        links.sign(KIND, {"s": 1}, None)  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="timezone-aware"):
        links.sign(KIND, CLAIMS, dt.datetime(2026, 11, 25, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="over 2048"):
        links.sign(KIND, {"n": "x" * 2000}, None)


def test_repr_names_the_active_key_id_only() -> None:
    keyring = Keyring.fresh()
    assert repr(HmacLinks(keyring)) == f"HmacLinks(active={keyring.active!r})"


FIXED = HmacLinks(Keyring({KeyId("k1"): bytes(range(32))}, KeyId("k1")))


@given(claims=st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=6))
def test_any_string_claims_round_trip(claims: dict[str, str]) -> None:
    assert FIXED.verify(KIND, FIXED.sign(KIND, claims, None), NOW) == claims
