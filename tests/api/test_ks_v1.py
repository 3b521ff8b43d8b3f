"""KS v1: the spec vector, tampering, minimal fields."""

from __future__ import annotations

import base64

from support.ks_vectors import (
    EXPIRY,
    PRIVS,
    SECRET,
    V1_VECTOR,
    assert_invalid,
    raw_v1,
)

from vpaas.api import ks


def test_v1_vector_encodes_byte_for_byte() -> None:
    assert ks.encode_v1(SECRET, 101, EXPIRY, 2, "probe-user", PRIVS, 4242) == V1_VECTOR
    assert base64.b64decode(V1_VECTOR) == (
        b"5c8ae0f0f86e922a248c596e278915eb1a91c4f9|101;101;1767225600;2;4242;probe-user;"
        b"disableentitlement,sview:0_abc,*"
    )


def test_tampered_v1_signature_and_fields() -> None:
    raw = base64.b64decode(V1_VECTOR)
    flipped = raw[:5] + (b"0" if raw[5:6] != b"0" else b"1") + raw[6:]
    assert_invalid(base64.b64encode(flipped).decode())
    upgraded = raw.replace(b";probe-user;", b";admin-user;")
    assert_invalid(base64.b64encode(upgraded).decode())
    assert_invalid(base64.b64encode(raw.upper()).decode())


def test_minimal_v1_has_defaults() -> None:
    data = ks.decode(raw_v1(b"101;101;1767225600"), [SECRET])
    assert (data.session_type, data.user_id, data.rand, data.privileges.items) == (0, "", "", ())
