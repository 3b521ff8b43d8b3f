"""KS test vectors and builders independent of the codec under test."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from vpaas.api import ks
from vpaas.api.ks import KsError

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


def aes_cipher(secret: str) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(hashlib.sha1(secret.encode()).digest()[:16]), modes.CBC(bytes(16)))


def raw_v2(fields: bytes, secret: str = SECRET, pid: str = "101", rand: bytes = bytes(16)) -> str:
    """A KS v2 built from literal field bytes, independently of the module under test."""
    body = rand + fields
    plain = hashlib.sha1(body).digest() + body
    plain += bytes(-len(plain) % 16)
    enc = aes_cipher(secret).encryptor()
    raw = f"v2|{pid}|".encode() + enc.update(plain) + enc.finalize()
    return base64.urlsafe_b64encode(raw).decode()


def raw_v1(info: bytes, secret: str = SECRET) -> str:
    signature = hashlib.sha1(secret.encode() + info).hexdigest().encode()
    return base64.b64encode(signature + b"|" + info).decode()


def decrypt_v2(ks_string: str, secret: str = SECRET) -> bytes:
    raw = base64.urlsafe_b64decode(ks_string)
    dec = aes_cipher(secret).decryptor()
    return dec.update(raw.split(b"|", 2)[2]) + dec.finalize()


def assert_invalid(token: object, secrets: list[str] | None = None) -> KsError:
    with pytest.raises(KsError) as info:
        ks.decode(token, [SECRET] if secrets is None else secrets)  # type: ignore[arg-type]
    assert (info.value.code, info.value.desc) == (-1, "INVALID_STR")
    return info.value
