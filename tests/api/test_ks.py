"""KS v1/v2 codec: spec test vectors, the official Python client, tampering, checks, fuzzing."""

from __future__ import annotations

import base64
import hashlib
import random
import time
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from KalturaClient import Client as kaltura_client_module
from KalturaClient import KalturaClient

from vpaas.api import ks
from vpaas.api.ks import KsData, KsError, Privileges

SECRET = "probe-admin-secret"
EXPIRY = 1767225600
PRIVS = "disableentitlement,sview:0_abc,*"
V1_VECTOR = (
    "NWM4YWUwZjBmODZlOTIyYTI0OGM1OTZlMjc4OTE1ZWIxYTkxYzRmOXwxMDE7MTAxOzE3NjcyMjU2MDA7Mjs0MjQy"
    "O3Byb2JlLXVzZXI7ZGlzYWJsZWVudGl0bGVtZW50LHN2aWV3OjBfYWJjLCo="
)
V2_VECTOR = (
    "djJ8MTAxfM4MAbbEZ8m3TrcTFDJvLAtk8nR3aJd4tdxb53WmxGpUvqdvQTzwKZPxvHs6B1ONwLfmLvkI0vGvz7fnY1oN"
    "0OCB1uTeZ-JNF5fGXUnk5d_b2QVFldl-cHHWkm_VZQfehZ9KsSMo1K_-6Z-FTVDvzck="
)
NOW = EXPIRY - 3600


def never_revoked(_key: str) -> bool:
    return False


def _aes(secret: str) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(hashlib.sha1(secret.encode()).digest()[:16]), modes.CBC(bytes(16)))


def raw_v2(fields: bytes, secret: str = SECRET, pid: str = "101", rand: bytes = bytes(16)) -> str:
    """A KS v2 built from literal field bytes, independently of the module under test."""
    body = rand + fields
    plain = hashlib.sha1(body).digest() + body
    plain += bytes(-len(plain) % 16)
    enc = _aes(secret).encryptor()
    raw = f"v2|{pid}|".encode() + enc.update(plain) + enc.finalize()
    return base64.urlsafe_b64encode(raw).decode()


def raw_v1(info: bytes, secret: str = SECRET) -> str:
    signature = hashlib.sha1(secret.encode() + info).hexdigest().encode()
    return base64.b64encode(signature + b"|" + info).decode()


def decrypt_v2(ks_string: str, secret: str = SECRET) -> bytes:
    raw = base64.urlsafe_b64decode(ks_string)
    dec = _aes(secret).decryptor()
    return dec.update(raw.split(b"|", 2)[2]) + dec.finalize()


# --- spec test vectors ----------------------------------------------------------------------------


def test_v1_vector_encodes_byte_for_byte() -> None:
    assert ks.encode_v1(SECRET, 101, EXPIRY, 2, "probe-user", PRIVS, 4242) == V1_VECTOR
    assert base64.b64decode(V1_VECTOR) == (
        b"5c8ae0f0f86e922a248c596e278915eb1a91c4f9|101;101;1767225600;2;4242;probe-user;"
        b"disableentitlement,sview:0_abc,*"
    )


def test_v2_vector_encodes_byte_for_byte() -> None:
    assert ks.encode_v2(SECRET, 101, EXPIRY, 2, "probe-user", PRIVS, bytes(16)) == V2_VECTOR
    assert hashlib.sha1(SECRET.encode()).digest()[:16].hex() == "6a9edd9b416f5d67c18d27587491f738"
    plain = decrypt_v2(V2_VECTOR)
    assert plain[20:36] == bytes(16)
    assert plain[36:] == (
        b"disableentitlement=&sview=0_abc&all=%2A&_e=1767225600&_t=2&_u=probe-user" + bytes(4)
    )


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


# --- round trips ----------------------------------------------------------------------------------


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


def test_encode_rejects_unrepresentable_values() -> None:
    with pytest.raises(ValueError, match="';'"):
        ks.encode_v1(SECRET, 1, EXPIRY, 0, "a;b", "", 1)
    with pytest.raises(ValueError, match="limit"):
        ks.encode_v1(SECRET, 1, EXPIRY, 0, "u", "sview:" + "x" * 8000, 1)
    with pytest.raises(ValueError, match="limit"):
        ks.encode_v2(SECRET, 1, EXPIRY, 0, "u", "sview:" + "x" * 8000)


# --- rejection ------------------------------------------------------------------------------------


def _assert_invalid(token: object, secrets: list[str] | None = None) -> KsError:
    with pytest.raises(KsError) as info:
        ks.decode(token, [SECRET] if secrets is None else secrets)  # type: ignore[arg-type]
    assert (info.value.code, info.value.desc) == (-1, "INVALID_STR")
    return info.value


@pytest.mark.parametrize("vector", [V1_VECTOR, V2_VECTOR])
def test_wrong_secret_is_invalid(vector: str) -> None:
    error = _assert_invalid(vector, ["another-secret"])
    assert error.reason


def test_tampered_v1_signature_and_fields() -> None:
    raw = base64.b64decode(V1_VECTOR)
    flipped = raw[:5] + (b"0" if raw[5:6] != b"0" else b"1") + raw[6:]
    _assert_invalid(base64.b64encode(flipped).decode())
    upgraded = raw.replace(b";probe-user;", b";admin-user;")
    _assert_invalid(base64.b64encode(upgraded).decode())
    _assert_invalid(base64.b64encode(raw.upper()).decode())


def test_tampered_v2_cipher_and_partner() -> None:
    raw = bytearray(base64.urlsafe_b64decode(V2_VECTOR))
    for position in (10, len(raw) - 20, len(raw) - 1):
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        _assert_invalid(base64.urlsafe_b64encode(bytes(tampered)).decode())
    _assert_invalid(base64.urlsafe_b64encode(bytes(raw).replace(b"v2|101|", b"v2|0101|")).decode())
    _assert_invalid(base64.urlsafe_b64encode(bytes(raw[:-3])).decode())
    moved = bytes(raw).replace(b"v2|101|", b"v2|102|")
    data = ks.decode(base64.urlsafe_b64encode(moved).decode(), [SECRET])
    assert data.partner_id == 102  # pid is outside the cipher: the caller passes pid 102's secrets


def test_multiple_secrets() -> None:
    for vector in (V1_VECTOR, V2_VECTOR):
        assert ks.decode(vector, ["old-secret", SECRET]).partner_id == 101
        assert ks.decode(vector, [f"old-secret,{SECRET},"]).partner_id == 101
    _assert_invalid(V1_VECTOR, [])
    _assert_invalid(V1_VECTOR, [",,"])


def test_size_limit() -> None:
    _assert_invalid("A" * (ks.MAX_KS_LENGTH + 4))
    padded = raw_v1(b"1;1;1767225600;0;1;u;sview:" + b"x" * 6200)
    assert len(padded) > ks.MAX_KS_LENGTH
    _assert_invalid(padded)


def test_bad_fields_inside_a_valid_signature() -> None:
    _assert_invalid(raw_v1(b"101;101"))
    _assert_invalid(raw_v1(b"101;101;soon;2"))
    _assert_invalid(raw_v1(b"0101;101;1767225600;2"))
    _assert_invalid(raw_v1(b"101;101;1767225600;admin"))
    _assert_invalid(raw_v1(b"101;101;1767225600;2;1;u;;notanint"))
    _assert_invalid(raw_v1(b"101;101;1767225600;2;1;\xff;"))
    _assert_invalid(raw_v1(b"101;101;1767225600;2;1;u;actionslimit:0"))
    _assert_invalid(raw_v1(b"101;101;1767225600;2;1;u;actionslimit:ten"))
    _assert_invalid(raw_v2(b"_t=2&_u=u"))
    _assert_invalid(raw_v2(b"_e=1.5&_t=2"))
    _assert_invalid(raw_v2(b"_e=1767225600&_u=%ff"))
    _assert_invalid(raw_v2("_e=1767225600&_u=ü".encode()))
    _assert_invalid(raw_v2(b"_e=1&_t=2", pid="abc"))


def test_minimal_v1_has_defaults() -> None:
    data = ks.decode(raw_v1(b"101;101;1767225600"), [SECRET])
    assert (data.session_type, data.user_id, data.rand, data.privileges.items) == (0, "", "", ())


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


# --- the official Python client -------------------------------------------------------------------


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


# --- urlencode quirks -----------------------------------------------------------------------------


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


# --- privileges -----------------------------------------------------------------------------------


def test_privileges_parsing_and_helpers() -> None:
    text = ("sview:0_abc,edit:0_x/0_y,edit:0_z,download:0_y,list:*,setrole:3,actionslimit:10,"
            "iprestrict:1.2.3.4/::1,urirestrict:/api_v3/*|/p/*,disableentitlement,"
            "privacycontext:ctx,widget:1,view:*,preview:30,limitentry:0_z,sessionid:abc,"
            "enableentitlement,name:")
    privileges = Privileges.parse(text)
    assert privileges.to_string() == text
    assert privileges.has("disableentitlement") and privileges.has("name")
    assert not privileges.has("download:0_y") and not privileges.is_all
    assert privileges.values("edit") == ["0_x", "0_y", "0_z"]
    assert privileges.values("name") == [] and privileges.values("missing") == []
    assert privileges.allows_entry("edit", "0_y") and not privileges.allows_entry("edit", "0_q")
    assert privileges.allows_entry("view", "anything") and privileges.allows_entry("list", "x")
    assert not privileges.allows_entry("download", "0_x")
    assert privileges.actions_limit == 10
    assert privileges.ip_restrict == ["1.2.3.4", "::1"]
    assert privileges.uri_restrict == ["/api_v3/*", "/p/*"]
    assert privileges.is_widget
    assert privileges.values("setrole") == ["3"] and privileges.values("preview") == ["30"]


def test_star_privilege_allows_everything() -> None:
    privileges = Privileges.parse("disableentitlement,*")
    assert privileges.is_all and privileges.allows_entry("edit", "0_any")
    assert Privileges.parse("all:*").is_all
    assert Privileges.parse("").items == () and Privileges.parse(None).to_string() == ""
    assert Privileges.parse("a,,b").to_string() == "a,b"
    assert Privileges.parse("widget:0").is_widget is False
    assert Privileges.parse("x").actions_limit is None


# --- request-time checks --------------------------------------------------------------------------


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


def test_error_message_matches_invalid_ks_template() -> None:
    error = _assert_invalid("garbage!")
    assert error.message("garbage!") == 'Invalid KS "garbage!", Error "-1,INVALID_STR"'
    assert KsError(-5).message("abc") == 'Invalid KS "abc", Error "-5,EXPIRED"'
    assert KsError(-11).template_args("abc") == {
        "KSID": "abc", "ERR_CODE": "-11", "ERR_DESC": "EXCEEDED_RESTRICTED_URI"}
    assert len(KsError(-1).message("x" * 100_000)) < ks.MAX_KS_LENGTH + 100
