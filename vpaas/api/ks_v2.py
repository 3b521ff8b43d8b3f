"""KS v2: ``v2|pid|`` + AES-128-CBC of ``sha1(R16 + fields) + R16 + fields`` (url-safe base64)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from vpaas.api.ks_errors import invalid_ks
from vpaas.api.ks_privileges import Privileges, privileges_text
from vpaas.api.ks_wire import (
    KsData,
    checked_length,
    normalized_user,
    parse_int,
    peek_raw,
)

_SHA1_SIZE = 20
_RANDOM_SIZE = 16
_AES_IV = bytes(16)
_V2_SPECIAL = ("_e", "_t", "_u", "_m", "_d")


def _v2_privilege_pairs(privileges: str) -> list[tuple[str, str]]:
    """Privileges as v2 query pairs; a repeated name keeps its first position, values joined."""
    merged: dict[str, list[str]] = {}
    for raw in privileges.split(","):
        item = raw.strip()
        if not item:
            continue
        name, _, value = ("all:*" if item == "*" else item).partition(":")
        values = merged.setdefault(name, [])
        if value:
            values.append(value)
    return [(name, "/".join(values)) for name, values in merged.items()]


def _aes(secret: str) -> Cipher[modes.CBC]:
    key = hashlib.sha1(secret.encode("utf-8")).digest()[:16]
    return Cipher(algorithms.AES(key), modes.CBC(_AES_IV))


def encode_v2(
    secret: str,
    partner_id: int,
    expiry: int,
    session_type: int,
    user_id: str,
    privileges: str | Privileges | None,
    rand16: bytes | None = None,
    master_partner_id: int | None = None,
    additional_data: str | None = None,
) -> str:
    """Build a KS v2 (url-safe base64 of ``v2|pid|`` + AES-128-CBC ciphertext, padding kept).

    The plaintext is ``sha1(R16 + fields) + R16 + fields``, zero-padded; key ``sha1(secret)[:16]``,
    zero IV.

    ``fields`` is urlencoded the way the Python client does it (``*`` → ``%2A``); ``*`` becomes
    ``all=*``. ``rand16`` defaults to 16 fresh random bytes. Unlike the reference, a repeated
    privilege name keeps all its values (joined with ``/``) instead of only the last one.
    """
    rand = os.urandom(_RANDOM_SIZE) if rand16 is None else rand16
    if len(rand) != _RANDOM_SIZE:
        raise ValueError("rand16 must be exactly 16 bytes")
    pairs = _v2_privilege_pairs(privileges_text(privileges))
    pairs += [("_e", str(int(expiry))), ("_t", str(int(session_type))), ("_u", user_id)]
    if master_partner_id is not None:
        pairs.append(("_m", str(master_partner_id)))
    if additional_data is not None:
        pairs.append(("_d", additional_data))
    body = rand + urlencode(pairs).encode("ascii")
    plain = hashlib.sha1(body).digest() + body
    plain += bytes(-len(plain) % 16)
    encryptor = _aes(secret).encryptor()
    cipher = encryptor.update(plain) + encryptor.finalize()
    raw = f"v2|{partner_id}|".encode("ascii") + cipher
    return checked_length(base64.urlsafe_b64encode(raw).decode("ascii"))


def _decrypt_v2(cipher: bytes, secrets: list[str]) -> bytes:
    """``R16 + fields`` of the first secret whose decryption carries a matching sha1."""
    if not cipher or len(cipher) % 16:
        raise invalid_ks("KS v2 cipher text is not a whole number of AES blocks")
    for secret in secrets:
        decryptor = _aes(secret).decryptor()
        plain = (decryptor.update(cipher) + decryptor.finalize()).rstrip(b"\0")
        digest, rest = plain[:_SHA1_SIZE], plain[_SHA1_SIZE:]
        if len(rest) >= _RANDOM_SIZE and hmac.compare_digest(digest, hashlib.sha1(rest).digest()):
            return rest
    raise invalid_ks("KS v2 does not decrypt with any admin secret")


def _v2_pairs(fields: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(fields.decode("ascii"), keep_blank_values=True, errors="strict",
                         max_num_fields=1000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_ks("KS v2 fields are not a valid query string") from exc


def decode_v2(raw: bytes, ks: str, digest: str, secrets: list[str]) -> KsData:
    """Decrypt a v2 KS with the first matching of ``secrets`` and read its fields."""
    partner_id = peek_raw(raw)[1]
    rest = _decrypt_v2(raw.split(b"|", 2)[2], secrets)
    special: dict[str, str] = {}
    items: list[tuple[str, str | None]] = []
    for name, value in _v2_pairs(rest[_RANDOM_SIZE:]):
        if name in _V2_SPECIAL:
            special[name] = value
        elif name == "all" and value == "*":
            items.append(("*", None))
        else:
            items.append((name, value or None))
    master = special.get("_m")
    return KsData(
        version=2,
        partner_id=partner_id,
        expiry=parse_int(special.get("_e"), "expiry"),
        session_type=parse_int(special.get("_t") or "0", "session type"),
        user_id=normalized_user(special.get("_u")),
        privileges=Privileges(tuple(items)),
        rand=rest[:_RANDOM_SIZE].hex(),
        original=ks,
        ks_hash=digest,
        master_partner_id=parse_int(master, "master partner id") if master else None,
        additional_data=special.get("_d") or None,
    )
