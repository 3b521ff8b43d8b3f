"""KS v1/v2 codec: spec test vectors, the official Python client, tampering, checks, fuzzing."""

from __future__ import annotations

import base64
import hashlib
import random
import time
from collections.abc import Callable

import pytest
from KalturaClient import Client as kaltura_client_module
from KalturaClient import KalturaClient
from support.ks_vectors import (
    EXPIRY,
    NOW,
    PRIVS,
    SECRET,
    V1_VECTOR,
    V2_VECTOR,
    assert_invalid,
    decrypt_v2,
    never_revoked,
    raw_v1,
    raw_v2,
)

from vpaas.api import ks
from vpaas.api.ks import KsData, KsError, Privileges


@pytest.mark.parametrize("vector,version,rand", [(V1_VECTOR, 1, "4242"), (V2_VECTOR, 2, "00" * 16)])
def test_vectors_decode(vector: str, version: int, rand: str) -> None:
    data = ks.decode(vector, [SECRET])
    assert (data.version, data.partner_id, data.expiry) == (version, 101, EXPIRY)
    assert data.session_type == 2
    assert data.user_id == "probe-user"
    assert data.privileges.to_string() == PRIVS
    assert data.rand == rand
    assert data.original == vector
    assert data.is_admin and not data.is_widget
    assert ks.peek_partner(vector) == (version, 101)
    ks.check(data, NOW, never_revoked)


@pytest.mark.parametrize("encode", ["v1", "v2"])
@pytest.mark.parametrize(
    "privileges",
    ["", "*", "edit:0_x,download:0_y,list:*", "setrole:3,actionslimit:10", "sview:0_a/0_b",
     "urirestrict:/api_v3/*|/p/*,iprestrict:1.2.3.4", "privacycontext:ctx,enableentitlement"],
)
def test_round_trip(encode: str, privileges: str) -> None:
    if encode == "v1":
        token = ks.encode_v1(SECRET, 7, EXPIRY, 0, "user@example.com", privileges, 123)
    else:
        token = ks.encode_v2(SECRET, 7, EXPIRY, 0, "user@example.com", privileges)
    data = ks.decode(token, [SECRET])
    assert data.partner_id == 7 and data.expiry == EXPIRY and data.session_type == 0
    assert data.user_id == "user@example.com" and not data.is_admin
    assert data.privileges == Privileges.parse(privileges)


def test_round_trip_server_fields_and_unicode_user() -> None:
    v1 = ks.encode_v1(SECRET, 5, EXPIRY, 2, "jöe", "", "1767225600.1234", 9, "extra data")
    data = ks.decode(v1, [SECRET])
    assert (data.master_partner_id, data.additional_data) == (9, "extra data")
    assert (data.rand, data.user_id) == ("1767225600.1234", "jöe")
    v2 = ks.encode_v2(SECRET, 5, EXPIRY, 2, "jöe", "", None, 9, "a=b&c")
    data = ks.decode(v2, [SECRET])
    assert (data.master_partner_id, data.additional_data, data.user_id) == (9, "a=b&c", "jöe")
    plain_v1 = ks.encode_v1(SECRET, 5, EXPIRY, 2, "", "", 1)
    assert ks.decode(plain_v1, [SECRET]).master_partner_id is None


def test_encode_rejects_unrepresentable_values() -> None:
    with pytest.raises(ValueError, match="';'"):
        ks.encode_v1(SECRET, 1, EXPIRY, 0, "a;b", "", 1)
    with pytest.raises(ValueError, match="limit"):
        ks.encode_v1(SECRET, 1, EXPIRY, 0, "u", "sview:" + "x" * 8000, 1)
    with pytest.raises(ValueError, match="limit"):
        ks.encode_v2(SECRET, 1, EXPIRY, 0, "u", "sview:" + "x" * 8000)


@pytest.mark.parametrize("vector", [V1_VECTOR, V2_VECTOR])
def test_wrong_secret_is_invalid(vector: str) -> None:
    error = assert_invalid(vector, ["another-secret"])
    assert error.reason


def test_multiple_secrets() -> None:
    for vector in (V1_VECTOR, V2_VECTOR):
        assert ks.decode(vector, ["old-secret", SECRET]).partner_id == 101
        assert ks.decode(vector, [f"old-secret,{SECRET},"]).partner_id == 101
    assert_invalid(V1_VECTOR, [])
    assert_invalid(V1_VECTOR, [",,"])


def test_size_limit() -> None:
    assert_invalid("A" * (ks.MAX_KS_LENGTH + 4))
    padded = raw_v1(b"1;1;1767225600;0;1;u;sview:" + b"x" * 6200)
    assert len(padded) > ks.MAX_KS_LENGTH
    assert_invalid(padded)


def test_bad_fields_inside_a_valid_signature() -> None:
    assert_invalid(raw_v1(b"101;101"))
    assert_invalid(raw_v1(b"101;101;soon;2"))
    assert_invalid(raw_v1(b"0101;101;1767225600;2"))
    assert_invalid(raw_v1(b"101;101;1767225600;admin"))
    assert_invalid(raw_v1(b"101;101;1767225600;2;1;u;;notanint"))
    assert_invalid(raw_v1(b"101;101;1767225600;2;1;\xff;"))
    assert_invalid(raw_v1(b"101;101;1767225600;2;1;u;actionslimit:0"))
    assert_invalid(raw_v1(b"101;101;1767225600;2;1;u;actionslimit:ten"))
    assert_invalid(raw_v2(b"_t=2&_u=u"))
    assert_invalid(raw_v2(b"_e=1.5&_t=2"))
    assert_invalid(raw_v2(b"_e=1767225600&_u=%ff"))
    assert_invalid(raw_v2("_e=1767225600&_u=ü".encode()))
    assert_invalid(raw_v2(b"_e=1&_t=2", pid="abc"))


def test_fuzz_garbage_only_raises_ks_error() -> None:
    rng = random.Random(1234)
    alphabet = "ABCxyz0189+/-_=|;:%* \n\x00é"
    samples: list[object] = [None, 123, b"djJ8", "", "=", "v2|1|", "djJ8MXw=", "djJ8MXxh", "fA=="]
    samples += ["".join(rng.choices(alphabet, k=rng.randint(1, 80))) for _ in range(200)]
    samples += [base64.b64encode(rng.randbytes(rng.randint(1, 120))).decode() for _ in range(200)]
    samples += [base64.b64encode(b"v2|101|" + rng.randbytes(16 * rng.randint(0, 6))).decode()
                for _ in range(100)]
    samples += [raw_v1(rng.randbytes(rng.randint(0, 60))) for _ in range(100)]
    samples += [raw_v1(b"1;1;" + rng.randbytes(rng.randint(0, 40))) for _ in range(100)]
    samples += [raw_v2(rng.randbytes(rng.randint(0, 60))) for _ in range(100)]
    for sample in samples:
        try:
            data = ks.decode(sample, [SECRET])  # type: ignore[arg-type]
        except KsError as error:
            assert error.code == -1
        else:
            assert isinstance(data, KsData)
        try:
            ks.peek_partner(sample)  # type: ignore[arg-type]
            ks.ks_hash(sample)  # type: ignore[arg-type]
        except KsError as error:
            assert error.code == -1


def test_python_client_v1_and_v2_decode() -> None:
    v1 = KalturaClient.generateSession(SECRET, "probe-user", 2, 101, 86400, PRIVS).decode()
    v2 = KalturaClient.generateSessionV2(SECRET, "probe-user", 2, 101, 86400, PRIVS).decode()
    for token, version in ((v1, 1), (v2, 2)):
        data = ks.decode(token, [SECRET])
        assert (data.version, data.partner_id, data.session_type, data.user_id) == (
            version, 101, 2, "probe-user")
        assert data.privileges.to_string() == PRIVS
        assert abs(data.expiry - (time.time() + 86400)) < 60
        ks.check(data, time.time(), never_revoked)


def test_python_client_none_user_is_normalised() -> None:
    for make in (KalturaClient.generateSession, KalturaClient.generateSessionV2):
        token = make(SECRET, None, 0, 101, 600, "").decode()
        assert b"None" in (base64.b64decode(token) if make is KalturaClient.generateSession
                           else decrypt_v2(token))
        data = ks.decode(token, [SECRET])
        assert data.user_id == "" and data.is_anonymous and data.session_type == 0


def test_python_client_output_matches_encoders(monkeypatch: pytest.MonkeyPatch) -> None:
    """With its clock and randomness pinned, the client's KS equal ours byte for byte."""
    monkeypatch.setattr(kaltura_client_module.time, "time", lambda: EXPIRY - 600)
    monkeypatch.setattr(kaltura_client_module.random, "randint", lambda _a, _b: 4242)
    monkeypatch.setattr(kaltura_client_module.Random, "get_random_bytes", lambda n: b"\x07" * n)
    privileges = "sview:0_abc,edit:*,disableentitlement,urirestrict:/api_v3/*,*"
    v1 = KalturaClient.generateSession(SECRET, "who", 2, 101, 600, privileges).decode()
    v2 = KalturaClient.generateSessionV2(SECRET, "who", 2, 101, 600, privileges).decode()
    assert v1 == ks.encode_v1(SECRET, 101, EXPIRY, 2, "who", privileges, 4242)
    assert v2 == ks.encode_v2(SECRET, 101, EXPIRY, 2, "who", privileges, b"\x07" * 16)


def _data(privileges: str = "", user: str = "u", session_type: int = 2, pid: int = 101) -> KsData:
    return ks.decode(ks.encode_v2(SECRET, pid, EXPIRY, session_type, user, privileges), [SECRET])


def _check_code(
    data: KsData,
    now: float = NOW,
    revoked: Callable[[str], bool] = never_revoked,
    client_ip: str | None = None,
    uri: str | None = None,
) -> int | None:
    try:
        ks.check(data, now, revoked, client_ip, uri)
    except KsError as error:
        return error.code
    return None


def test_expiry() -> None:
    data = _data()
    assert _check_code(data, EXPIRY - 1) is None
    assert _check_code(data, EXPIRY) == -5
    assert _check_code(data, EXPIRY + 0.5) == -5


def test_ip_and_uri_restrictions() -> None:
    data = _data("iprestrict:10.0.0.1/10.0.0.2,urirestrict:/api_v3/service/media/*|/p/101/x")
    uri = "/api_v3/service/media/action/list?format=1"
    assert _check_code(data, client_ip="10.0.0.2", uri=uri) is None
    assert _check_code(data, client_ip="10.0.0.2", uri="/p/101/x") is None
    assert _check_code(data, client_ip="10.0.0.3", uri=uri) == -9
    assert _check_code(data, uri=uri) == -9
    assert _check_code(data, client_ip="10.0.0.1", uri="/api_v3/service/user/action/list") == -11
    assert _check_code(data, client_ip="10.0.0.1", uri="/p/101/xy") == -11
    assert _check_code(data, client_ip="10.0.0.1") == -11
    assert _check_code(data, EXPIRY, client_ip="10.0.0.3") == -5


def test_revocation() -> None:
    data = _data("sessionid:s1")
    assert _check_code(data, revoked=lambda key: key == data.ks_hash) == -6
    session_key = ks.session_id_hash(101, "s1")
    assert _check_code(data, revoked=lambda key: key == session_key) == -6
    assert _check_code(data, revoked=lambda key: key == "other") is None
    widget = _data("view:*,widget:1", user="0", session_type=0)
    assert widget.is_widget and _check_code(widget, revoked=lambda _k: True) is None
    assert _check_code(_data(pid=-1), revoked=lambda _k: True) is None
    named_user = _data("view:*,widget:1", user="bob", session_type=0)
    assert _check_code(named_user, revoked=lambda _k: True) == -6


def test_widget_detection() -> None:
    assert _data("view:*,widget:1", user="", session_type=0).is_widget
    assert not _data("view:*,widget:1", user="", session_type=2).is_widget
    assert not _data("view:*", user="", session_type=0).is_widget


def test_ks_hash_is_spelling_independent() -> None:
    data = ks.decode(V2_VECTOR, [SECRET])
    respelled = V2_VECTOR.replace("-", "+").replace("_", "/").rstrip("=")
    assert ks.ks_hash(respelled) == ks.ks_hash(V2_VECTOR) == data.ks_hash
    assert ks.decode(respelled, [SECRET]).ks_hash == data.ks_hash
    assert data.ks_hash == hashlib.sha256(base64.urlsafe_b64decode(V2_VECTOR)).hexdigest()
    assert ks.ks_hash(V1_VECTOR) != data.ks_hash
