"""Field encryption, key separation, rotation and the blind index, on real AES-GCM and HMAC."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.identifiers import (
    Identifier,
    IdentifierKind,
    normalise_email,
    normalise_personnummer,
    normalise_phone,
)
from skydd.storage.blind_index import BLIND_INDEX_INFO, BlindIndex
from skydd.storage.encryption import DecryptionError, FieldCipher, row_context
from skydd.storage.keyring import (
    KeyId,
    Keyring,
    KeyringError,
    load_keyring,
    parse_keyring,
    read_keyring,
    write_keyring,
)

pytestmark = pytest.mark.promise("P16")

K1, K2 = KeyId("k1"), KeyId("k2")
MASTER_1, MASTER_2 = bytes(range(32)), bytes(range(32, 64))
TODAY = dt.date(2026, 6, 1)

EMAIL = "anna@example.com"
PHONE = "+46701740605"  # PTS's range for fiction: 070-174 06 05 … 99
PERSONNUMMER = "191212121212"  # Skatteverket's well-known test number
SEEDS = [EMAIL, PHONE, PERSONNUMMER, "19121212-1212", "Anna Berg, vegetarian"]
CONTEXT = row_context("subjects", "email", "0b6f0c1e-1c1e-4f4f-9a9a-000000000001")


def cipher(*keys: tuple[KeyId, bytes], active: KeyId = K1) -> FieldCipher:
    return FieldCipher(Keyring(dict(keys), active))


def encrypt(
    c: FieldCipher,
    text: str = EMAIL,
    *,
    category: str = "user.contact.email",
    sensitive: bool = False,
    context: bytes = CONTEXT,
) -> bytes:
    return c.encrypt(text, category=category, sensitive=sensitive, context=context)


def decrypt(
    c: FieldCipher,
    token: bytes,
    *,
    category: str = "user.contact.email",
    sensitive: bool = False,
    context: bytes = CONTEXT,
) -> str:
    return c.decrypt(token, category=category, sensitive=sensitive, context=context)


ONE = cipher((K1, MASTER_1))


# --- encryption ----------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", SEEDS)
def test_round_trip(plaintext: str) -> None:
    assert decrypt(ONE, encrypt(ONE, plaintext)) == plaintext


@pytest.mark.parametrize("plaintext", SEEDS)
def test_token_contains_no_plaintext(plaintext: str) -> None:
    token = encrypt(ONE, plaintext)
    for fragment in (plaintext, plaintext.upper(), plaintext.split("@")[0], plaintext[-6:]):
        assert fragment.encode() not in token
        assert fragment.encode("utf-16-le") not in token


def test_equal_plaintexts_give_unequal_tokens() -> None:
    assert encrypt(ONE) != encrypt(ONE)


def test_token_layout_names_version_and_key() -> None:
    token = encrypt(ONE, "x")
    assert token[:4] == b"\x01\x02k1"
    assert len(token) == 1 + 1 + 2 + 12 + 1 + 16


def test_tampering_with_any_byte_fails() -> None:
    token = encrypt(ONE, PERSONNUMMER)
    for index in range(len(token)):
        altered = bytearray(token)
        altered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(ONE, bytes(altered))


@pytest.mark.parametrize(
    "token", [b"", b"\x01", b"\x02\x02k1" + bytes(40), b"\x01\x02k1" + bytes(27)]
)
def test_malformed_tokens_fail(token: bytes) -> None:
    with pytest.raises(DecryptionError, match="not a skydd field token"):
        decrypt(ONE, token)


def test_truncated_or_extended_token_fails() -> None:
    token = encrypt(ONE)
    for altered in (token[:-1], token + b"\x00"):
        with pytest.raises(DecryptionError):
            decrypt(ONE, altered)


@pytest.mark.parametrize(
    "elsewhere",
    [
        row_context("subjects", "email", "0b6f0c1e-1c1e-4f4f-9a9a-000000000002"),
        row_context("subjects", "phone", "0b6f0c1e-1c1e-4f4f-9a9a-000000000001"),
        row_context("consents", "email", "0b6f0c1e-1c1e-4f4f-9a9a-000000000001"),
        b"",
    ],
)
def test_token_copied_to_another_cell_fails(elsewhere: bytes) -> None:
    token = encrypt(ONE)
    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt(ONE, token, context=elsewhere)


def test_error_carries_no_plaintext_or_context() -> None:
    token = encrypt(ONE)
    with pytest.raises(DecryptionError) as caught:
        decrypt(ONE, token, context=b"elsewhere")
    rendered = f"{caught.value} {caught.value!r}"
    assert EMAIL not in rendered
    assert "subjects" not in rendered
    assert caught.value.__cause__ is None


def test_sensitive_and_normal_keys_cannot_open_each_other() -> None:
    """Art. 9 data (food preferences may reveal religion or health) has its own key."""
    food = "food_preferences"
    sensitive = encrypt(ONE, "vegetarian, no pork", category=food, sensitive=True)
    normal = encrypt(ONE, "vegetarian, no pork", category=food, sensitive=False)

    with pytest.raises(DecryptionError):
        decrypt(ONE, sensitive, category=food, sensitive=False)
    with pytest.raises(DecryptionError):
        decrypt(ONE, normal, category=food, sensitive=True)
    assert decrypt(ONE, sensitive, category=food, sensitive=True) == "vegetarian, no pork"


def test_each_category_has_its_own_key() -> None:
    token = encrypt(ONE, category="user.contact.email")
    with pytest.raises(DecryptionError):
        decrypt(ONE, token, category="user.contact.phone_number")


def test_another_master_key_cannot_decrypt() -> None:
    token = encrypt(ONE)
    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt(cipher((K1, MASTER_2)), token)


def test_empty_category_is_refused() -> None:
    with pytest.raises(ValueError, match="data category"):
        encrypt(ONE, category="")


@given(st.text())
def test_any_text_round_trips(plaintext: str) -> None:
    token = ONE.encrypt(plaintext, category="notes", sensitive=True, context=b"t\x00c\x001")
    assert ONE.decrypt(token, category="notes", sensitive=True, context=b"t\x00c\x001") == plaintext


# --- rotation ------------------------------------------------------------------------------


def test_rotation_moves_a_token_to_the_active_key() -> None:
    old = encrypt(ONE, PERSONNUMMER)
    both = cipher((K1, MASTER_1), (K2, MASTER_2), active=K2)

    assert both.needs_rotation(old)
    assert decrypt(both, old) == PERSONNUMMER  # k1 still decrypts while rotation runs
    rotated = both.rotate(old, category="user.contact.email", sensitive=False, context=CONTEXT)

    assert not both.needs_rotation(rotated)
    assert rotated[2:4] == b"k2"
    assert decrypt(both, rotated) == PERSONNUMMER
    assert decrypt(cipher((K2, MASTER_2), active=K2), rotated) == PERSONNUMMER
    with pytest.raises(DecryptionError, match="key k2, which is not in the keyring"):
        decrypt(ONE, rotated)


def test_rotating_a_current_token_returns_it_unchanged() -> None:
    """So an interrupted batch can simply run again."""
    token = encrypt(ONE)
    assert not ONE.needs_rotation(token)
    assert (
        ONE.rotate(token, category="user.contact.email", sensitive=False, context=CONTEXT) is token
    )


def test_rotation_keeps_the_context_binding() -> None:
    both = cipher((K1, MASTER_1), (K2, MASTER_2), active=K2)
    rotated = both.rotate(
        encrypt(ONE, sensitive=True), category="user.contact.email", sensitive=True, context=CONTEXT
    )
    with pytest.raises(DecryptionError):
        decrypt(both, rotated, sensitive=True, context=b"another row")
    with pytest.raises(DecryptionError):
        decrypt(both, rotated, sensitive=False)


# --- blind index ---------------------------------------------------------------------------


INDEX = BlindIndex(Keyring({K1: MASTER_1}, K1))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (normalise_email("Anna@Example.com "), normalise_email("anna@example.com")),
        (
            normalise_phone("070-174 06 05", default_region="SE"),
            normalise_phone("+46701740605", default_region="SE"),
        ),
        (
            normalise_personnummer("121212+1212", today=TODAY),
            normalise_personnummer("191212121212", today=TODAY),
        ),
        (
            normalise_personnummer("121212-1212", today=TODAY),
            normalise_personnummer("20121212-1212", today=TODAY),
        ),
    ],
)
def test_blind_index_is_equal_for_spellings_of_one_identity(one, other) -> None:
    assert INDEX.of(one) == INDEX.of(other)
    assert len(INDEX.of(one)) == 64
    assert one.value not in INDEX.of(one)


def test_blind_index_differs_between_identities() -> None:
    values = {
        INDEX.of(normalise_email("anna@example.com")),
        INDEX.of(normalise_email("anna@example.org")),
        INDEX.of(normalise_phone("+46701740605", default_region="SE")),
        INDEX.of(normalise_phone("+46701740606", default_region="SE")),
        INDEX.of(normalise_personnummer("191212121212", today=TODAY)),
        INDEX.of(normalise_personnummer("201212121212", today=TODAY)),
    }
    assert len(values) == 6


def test_blind_index_differs_under_another_master_key() -> None:
    anna = normalise_email(EMAIL)
    assert INDEX.of(anna) != BlindIndex(Keyring({K1: MASTER_2}, K1)).of(anna)


def test_blind_index_key_is_not_the_field_key() -> None:
    """The same master key gives unrelated values per kind, and no value the cipher uses."""
    keyring = Keyring({K1: MASTER_1}, K1)
    index_key = keyring.derive(K1, b"skydd/blind-index/email")
    assert index_key != keyring.derive(K1, b"skydd/field/email")
    assert index_key != keyring.derive(K1, b"skydd/blind-index/phone")


def test_lookups_during_rotation_match_either_key() -> None:
    anna = normalise_email(EMAIL)
    both = BlindIndex(Keyring({K1: MASTER_1, K2: MASTER_2}, K2))
    stored_before_rotation = INDEX.of(anna)
    assert both.candidates(anna) == (both.of(anna), stored_before_rotation)


# --- keyring -------------------------------------------------------------------------------


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_keyring_reads_json_and_lines_alike() -> None:
    as_json = json.dumps({"active": "k1", "keys": {"k2": _b64(MASTER_2), "k1": _b64(MASTER_1)}})
    as_lines = f"# keys\nk2:{_b64(MASTER_2)}\n\nk1:{_b64(MASTER_1)}  # newest\n"
    as_env = f"k2:{_b64(MASTER_2)},k1:{base64.urlsafe_b64encode(MASTER_1).decode()}"
    token = encrypt(ONE)
    for text in (as_json, as_lines, as_env):
        keyring = parse_keyring(text)
        assert keyring.active == K1
        assert set(keyring.key_ids) == {K1, K2}
        assert decrypt(FieldCipher(keyring), token) == EMAIL


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no keys"),
        ("# nothing\n", "no keys"),
        (f"k1{_b64(MASTER_1)}", "line 1"),
        (f"k1:{_b64(MASTER_1)}\nk1:{_b64(MASTER_2)}", "line 2"),
        ("k1:not base64!", "not valid base64"),
        (f"k1:{_b64(MASTER_1[:16])}", "not 32 bytes"),
        (f"bad id:{_b64(MASTER_1)}", "line 1"),
        (f"b/d:{_b64(MASTER_1)}", "key id"),
        ("{not json", "not valid JSON"),
        ('{"active": "k1", "keys": []}', "a JSON keyring is"),
        (json.dumps({"active": "k9", "keys": {"k1": _b64(MASTER_1)}}), "active key k9"),
    ],
)
def test_malformed_keyring_says_where_never_what(text: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message) as caught:
        parse_keyring(text)
    for secret in (_b64(MASTER_1), _b64(MASTER_2), _b64(MASTER_1[:16])):
        assert secret not in str(caught.value)


def test_keyring_repr_shows_ids_only() -> None:
    keyring = Keyring({K1: MASTER_1}, K1)
    assert repr(keyring) == "Keyring(active='k1', key_ids=('k1',))"


def test_key_file_is_written_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = Keyring.fresh()
    write_keyring(path, keyring)

    assert path.stat().st_mode & 0o777 == 0o600
    assert read_keyring(path).key_ids == keyring.key_ids
    with pytest.raises(KeyringError, match="never overwrites"):
        write_keyring(path, Keyring.fresh())


def test_a_readable_key_file_is_warned_about(tmp_path: Path, caplog) -> None:
    path = tmp_path / "keys.txt"
    path.write_text(f"k1:{_b64(MASTER_1)}\n", encoding="utf-8")
    path.chmod(0o644)
    read_keyring(path)
    assert "accessible to group or others" in caplog.text
    assert _b64(MASTER_1) not in caplog.text


def test_fresh_active_key_keeps_the_old_ones() -> None:
    old = Keyring.fresh()
    new = old.with_fresh_active_key()
    assert new.active not in old
    assert new.key_ids == (*old.key_ids, new.active)


def test_settings_name_exactly_one_source(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    write_keyring(path, Keyring({K1: MASTER_1}, K1))
    assert load_keyring(path, None).key_ids == (K1,)
    assert load_keyring(None, f"k2:{_b64(MASTER_2)}").key_ids == (K2,)
    with pytest.raises(KeyringError, match="not both"):
        load_keyring(path, f"k2:{_b64(MASTER_2)}")
    with pytest.raises(KeyringError, match="no keys configured"):
        load_keyring(None, None)
    with pytest.raises(KeyringError, match="cannot read the key file"):
        load_keyring(tmp_path / "missing.json", None)


def test_the_blind_index_is_plain_hmac_sha256_under_the_derived_key() -> None:
    """The index any HMAC-SHA256 implementation would compute: nothing home-made."""
    keyring = Keyring.fresh()
    index = BlindIndex(keyring)
    anna = Identifier(IdentifierKind.EMAIL, "anna@example.se")
    key = keyring.derive(keyring.active, BLIND_INDEX_INFO + b"email")
    expected = hmac.new(key, b"anna@example.se", hashlib.sha256).hexdigest()
    assert index.of(anna) == expected
    assert index.of(anna) == expected, "the same the second time (the keyed copy is reused)"
    assert index.of(Identifier(IdentifierKind.EMAIL, "bo@example.se")) != expected
