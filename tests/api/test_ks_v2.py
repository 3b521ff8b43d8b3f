"""KS v2: the spec vector, randomness, repeated privileges, tampering, field encoding."""

from __future__ import annotations

import base64
import hashlib

import pytest
from support.ks_vectors import (
    EXPIRY,
    PRIVS,
    SECRET,
    V2_VECTOR,
    assert_invalid,
    decrypt_v2,
    raw_v2,
)

from vpaas.api import ks


def test_v2_vector_encodes_byte_for_byte() -> None:
    assert ks.encode_v2(SECRET, 101, EXPIRY, 2, "probe-user", PRIVS, bytes(16)) == V2_VECTOR
    assert hashlib.sha1(SECRET.encode()).digest()[:16].hex() == "6a9edd9b416f5d67c18d27587491f738"
    plain = decrypt_v2(V2_VECTOR)
    assert plain[20:36] == bytes(16)
    assert plain[36:] == (
        b"disableentitlement=&sview=0_abc&all=%2A&_e=1767225600&_t=2&_u=probe-user" + bytes(4)
    )


def test_v2_rand_is_random_by_default() -> None:
    first = ks.encode_v2(SECRET, 1, EXPIRY, 0, "u", "")
    assert first != ks.encode_v2(SECRET, 1, EXPIRY, 0, "u", "")
    with pytest.raises(ValueError, match="16 bytes"):
        ks.encode_v2(SECRET, 1, EXPIRY, 0, "u", "", b"short")


def test_v2_repeated_privilege_keeps_all_values() -> None:
    privileges = "edit:0_a, edit:0_b,,disableentitlement"
    token = ks.encode_v2(SECRET, 1, EXPIRY, 0, "u", privileges, bytes(16))
    assert b"edit=0_a%2F0_b&disableentitlement=&_e=" in decrypt_v2(token)
    assert ks.decode(token, [SECRET]).privileges.values("edit") == ["0_a", "0_b"]


def test_tampered_v2_cipher_and_partner() -> None:
    raw = bytearray(base64.urlsafe_b64decode(V2_VECTOR))
    for position in (10, len(raw) - 20, len(raw) - 1):
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        assert_invalid(base64.urlsafe_b64encode(bytes(tampered)).decode())
    assert_invalid(base64.urlsafe_b64encode(bytes(raw).replace(b"v2|101|", b"v2|0101|")).decode())
    assert_invalid(base64.urlsafe_b64encode(bytes(raw[:-3])).decode())
    moved = bytes(raw).replace(b"v2|101|", b"v2|102|")
    data = ks.decode(base64.urlsafe_b64encode(moved).decode(), [SECRET])
    assert data.partner_id == 102  # pid is outside the cipher: the caller passes pid 102's secrets


@pytest.mark.parametrize(
    "fields",
    [b"all=%2A&edit=%2A&_e=1767225600&_t=2&_u=a%40b",   # Python quote_plus
     b"all=*&edit=*&_e=1767225600&_t=2&_u=a@b",         # Node querystring / hand-made
     b"all=%2a&edit=%2a&_e=1767225600&_t=2&_u=a%40b"],  # lower-case hex
)
def test_v2_star_encoded_or_not(fields: bytes) -> None:
    data = ks.decode(raw_v2(fields), [SECRET])
    assert data.privileges.to_string() == "*,edit:*"
    assert data.privileges.is_all and data.user_id == "a@b"


def test_v2_plus_space_tilde_and_blank_values() -> None:
    fields = b"privacycontext=a+b%7Ec&disableentitlement=&sessionid&_e=1767225600&_u=x%2By"
    data = ks.decode(raw_v2(fields), [SECRET])
    assert data.privileges.to_string() == "privacycontext:a b~c,disableentitlement,sessionid"
    assert data.user_id == "x+y"
