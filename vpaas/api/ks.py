"""Kaltura Session (KS) codec: build, read and check KS v1 and v2 strings.

Pure functions: no database, no HTTP. Formats follow wire-protocol.md §4 and the reference server
(kSessionBase): a KS is always signed (v1) or encrypted (v2) with one of the partner's *admin*
secrets, even when ``session.start`` was called with the user secret, so :func:`decode` only ever
needs the admin secrets. A partner may hold several admin secrets (a comma-separated list in
Kaltura); each candidate is tried in turn.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

INVALID_STR = -1
EXPIRED = -5
LOGOUT = -6
EXCEEDED_ACTIONS_LIMIT = -8
EXCEEDED_RESTRICTED_IP = -9
EXCEEDED_RESTRICTED_URI = -11

SESSION_USER = 0
SESSION_ADMIN = 2
BATCH_PARTNER_ID = -1
MAX_KS_LENGTH = 8192

_ERROR_DESC = {
    INVALID_STR: "INVALID_STR",
    EXPIRED: "EXPIRED",
    LOGOUT: "LOGOUT",
    EXCEEDED_ACTIONS_LIMIT: "EXCEEDED_ACTIONS_LIMIT",
    EXCEEDED_RESTRICTED_IP: "EXCEEDED_RESTRICTED_IP",
    EXCEEDED_RESTRICTED_URI: "EXCEEDED_RESTRICTED_URI",
}
_V2_PREFIX = b"v2|"
_SHA1_SIZE = 20
_RANDOM_SIZE = 16
_AES_IV = bytes(16)
_V2_SPECIAL = ("_e", "_t", "_u", "_m", "_d")
_B64_RE = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_INT_RE = re.compile(r"-?[0-9]{1,18}")
_CANONICAL_INT_RE = re.compile(r"0|-?[1-9][0-9]{0,17}")


class KsError(Exception):
    """A KS that cannot be used; ``code``/``desc`` are Kaltura's (``-1``/``INVALID_STR`` ...).

    ``reason`` is a human-readable detail for logs; it is never part of the API message.
    """

    def __init__(self, code: int, desc: str | None = None, reason: str = "") -> None:
        self.code = code
        self.desc = desc if desc is not None else _ERROR_DESC.get(code, "?")
        self.reason = reason
        super().__init__(f"{code},{self.desc}" + (f" ({reason})" if reason else ""))

    def template_args(self, ks: str) -> dict[str, str]:
        """Arguments for the ``INVALID_KS`` error template (KSID, ERR_CODE, ERR_DESC)."""
        shown = ks if len(ks) <= MAX_KS_LENGTH else ks[:MAX_KS_LENGTH] + "..."
        return {"KSID": shown, "ERR_CODE": str(self.code), "ERR_DESC": self.desc}

    def message(self, ks: str) -> str:
        """``Invalid KS "<ks>", Error "<code>,<desc>"`` (over-long KS strings are cut)."""
        args = self.template_args(ks)
        return f'Invalid KS "{args["KSID"]}", Error "{args["ERR_CODE"]},{args["ERR_DESC"]}"'


def _invalid(reason: str) -> KsError:
    return KsError(INVALID_STR, reason=reason)


@dataclass(frozen=True)
class Privileges:
    """The privileges of a KS: an ordered list of ``name`` / ``name:value`` items.

    A value may hold several ids joined with ``/`` (``edit:0_a/0_b``); a name may repeat, and
    :meth:`values` merges all of them (as Kaltura's ``parsePrivileges`` does). ``value is None``
    means the item had no colon at all.
    """

    items: tuple[tuple[str, str | None], ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> Privileges:
        """Parse a comma list; empty segments are dropped, nothing else is altered."""
        items: list[tuple[str, str | None]] = []
        for part in (text or "").split(","):
            if not part:
                continue
            name, sep, value = part.partition(":")
            items.append((name, value if sep else None))
        return cls(tuple(items))

    def to_string(self) -> str:
        """The comma list again (``Privileges.parse(s).to_string() == s`` for canonical ``s``)."""
        return ",".join(name if value is None else f"{name}:{value}" for name, value in self.items)

    def has(self, name: str) -> bool:
        """True when an item called ``name`` is present (with or without a value)."""
        return any(item_name == name for item_name, _ in self.items)

    def values(self, name: str) -> list[str]:
        """All ``/``-separated values of every ``name`` item, in order."""
        out: list[str] = []
        for item_name, value in self.items:
            if item_name == name and value:
                out.extend(value.split("/"))
        return out

    @property
    def is_all(self) -> bool:
        """True for the ``*`` privilege (or its v2 spelling ``all:*``)."""
        return self.has("*") or "*" in self.values("all")

    def allows_entry(self, priv_name: str, entry_id: str) -> bool:
        """True if ``priv_name`` covers ``entry_id``: its value ``*``, the id itself, or ``*``."""
        if self.is_all:
            return True
        values = self.values(priv_name)
        return "*" in values or entry_id in values

    @property
    def actions_limit(self) -> int | None:
        """The ``actionslimit`` value, None when absent (decode rejects non-positive values)."""
        if not self.has("actionslimit"):
            return None
        values = self.values("actionslimit")
        if len(values) != 1 or not _INT_RE.fullmatch(values[0]) or int(values[0]) <= 0:
            raise _invalid("actionslimit must be one positive integer")
        return int(values[0])

    @property
    def ip_restrict(self) -> list[str]:
        """Allowed client addresses (exact string match, as in Kaltura)."""
        return self.values("iprestrict")

    @property
    def uri_restrict(self) -> list[str]:
        """Allowed request URIs; alternatives are ``|``-separated, a ``*`` suffix = prefix."""
        out: list[str] = []
        for name, value in self.items:
            if name == "urirestrict" and value:
                out.extend(uri for uri in value.split("|") if uri)
        return out

    @property
    def is_widget(self) -> bool:
        """True when ``widget:1`` is present."""
        return "1" in self.values("widget")


@dataclass(frozen=True)
class KsData:
    """A decoded, signature-checked KS.

    ``user_id`` is normalised: a missing user and the literal ``"None"`` (what the official
    Python client writes when ``userId`` is None) both become ``""``. ``rand`` is opaque (the
    decimal/float string of v1, the hex of the 16 random bytes of v2). ``ks_hash`` is the
    revocation key (see :func:`ks_hash`).
    """

    version: int
    partner_id: int
    expiry: int
    session_type: int
    user_id: str
    privileges: Privileges
    rand: str
    original: str
    ks_hash: str
    master_partner_id: int | None = None
    additional_data: str | None = None

    @property
    def is_admin(self) -> bool:
        """Admin session = type >= 1 (``kSessionBase::isAdmin``)."""
        return self.session_type >= 1

    @property
    def is_anonymous(self) -> bool:
        """No user: ``""`` or ``"0"``."""
        return self.user_id in ("", "0")

    @property
    def is_widget(self) -> bool:
        """Widget session: type USER, anonymous user and ``widget:1`` among the privileges."""
        return self.session_type == SESSION_USER and self.is_anonymous and self.privileges.is_widget


def _as_privileges(privileges: str | Privileges | None) -> str:
    if isinstance(privileges, Privileges):
        return privileges.to_string()
    return privileges or ""


def _check_length(ks: str) -> str:
    if len(ks) > MAX_KS_LENGTH:
        raise ValueError(f"KS would be {len(ks)} characters, over the {MAX_KS_LENGTH} limit")
    return ks


def encode_v1(
    secret: str,
    partner_id: int,
    expiry: int,
    session_type: int,
    user_id: str,
    privileges: str | Privileges | None,
    rand: int | float | str,
    master_partner_id: int | None = None,
    additional_data: str | None = None,
) -> str:
    """Build a KS v1 (``base64(sha1hex(secret + info) | info)``).

    ``info`` has the 7 fields of the Python client, or the 9 of the reference server when
    ``master_partner_id`` or ``additional_data`` is given. Raises ValueError for values that
    cannot be represented (``;`` inside a field) or a result over :data:`MAX_KS_LENGTH`.
    """
    fields = [str(partner_id), str(partner_id), str(int(expiry)), str(int(session_type)),
              str(rand), user_id, _as_privileges(privileges)]
    if master_partner_id is not None or additional_data is not None:
        fields += ["" if master_partner_id is None else str(master_partner_id),
                   additional_data or ""]
    if any(";" in value for value in fields):
        raise ValueError("KS v1 fields (user id, privileges, rand, data) cannot contain ';'")
    info = ";".join(fields).encode("utf-8")
    signature = hashlib.sha1(secret.encode("utf-8") + info).hexdigest().encode("ascii")
    return _check_length(base64.b64encode(signature + b"|" + info).decode("ascii"))


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
    pairs = _v2_privilege_pairs(_as_privileges(privileges))
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
    return _check_length(base64.urlsafe_b64encode(raw).decode("ascii"))


def _b64decode(ks: object) -> bytes:
    """Base64 of either alphabet (as the reference accepts), padding optional."""
    if not isinstance(ks, str):
        raise _invalid("KS must be a string")
    if not ks:
        raise _invalid("empty KS")
    if len(ks) > MAX_KS_LENGTH:
        raise _invalid(f"KS longer than {MAX_KS_LENGTH} characters")
    if not _B64_RE.fullmatch(ks):
        raise _invalid("KS is not base64")
    text = ks.replace("-", "+").replace("_", "/").rstrip("=")
    if len(text) % 4 == 1:
        raise _invalid("KS has a truncated base64 length")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid("KS is not base64") from exc


def _int(value: str | bytes | None, what: str, canonical: bool = False) -> int:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    pattern = _CANONICAL_INT_RE if canonical else _INT_RE
    if text is None or not pattern.fullmatch(text):
        raise _invalid(f"{what} is not an integer")
    return int(text)


def peek_partner(ks: str) -> tuple[int, int]:
    """``(version, partner_id)`` read without verifying anything, to look up the secrets."""
    return _peek(_b64decode(ks))


def _peek(raw: bytes) -> tuple[int, int]:
    if raw.startswith(_V2_PREFIX):
        pieces = raw.split(b"|", 2)
        if len(pieces) != 3:
            raise _invalid("KS v2 lacks its '|' separators")
        return 2, _int(pieces[1], "partner id", canonical=True)
    _, sep, info = raw.partition(b"|")
    parts = info.split(b";")
    if not sep or len(parts) < 3:
        raise _invalid("KS v1 lacks its '|' separator or its 3 first fields")
    return 1, _int(parts[0], "partner id", canonical=True)


def ks_hash(ks: str) -> str:
    """Revocation key: sha256 hex of the base64-decoded KS.

    Hashing the decoded bytes makes every spelling of the same KS (either base64 alphabet, with
    or without padding) share one key, so a revoked KS cannot be replayed re-encoded.
    """
    return hashlib.sha256(_b64decode(ks)).hexdigest()


def session_id_hash(partner_id: int, session_id: str) -> str:
    """Revocation key shared by every KS carrying ``sessionid:<session_id>``."""
    return hashlib.sha256(f"{partner_id}_{session_id}".encode()).hexdigest()


def _candidates(secrets: Iterable[str]) -> list[str]:
    out = [part for secret in secrets for part in secret.split(",") if part]
    if not out:
        raise _invalid("partner has no admin secret")
    return out


def _user(value: str | None) -> str:
    return "" if value in (None, "None") else value or ""


def decode(ks: str, secrets: Iterable[str]) -> KsData:
    """Verify ``ks`` against the partner's admin ``secrets`` and return its content.

    Each secret may itself be a comma-separated list. Raises :class:`KsError` ``-1``
    (INVALID_STR) for anything unparseable or not signed by one of the secrets; never anything
    else. Expiry, revocation and restrictions are checked by :func:`check`.
    """
    raw = _b64decode(ks)
    candidates = _candidates(secrets)
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(_V2_PREFIX):
        data = _decode_v2(raw, ks, digest, candidates)
    else:
        data = _decode_v1(raw, ks, digest, candidates)
    _ = data.privileges.actions_limit  # raises KsError when malformed
    return data


def _decode_v1(raw: bytes, ks: str, digest: str, secrets: list[str]) -> KsData:
    partner_id = _peek(raw)[1]
    signature, _, info = raw.partition(b"|")
    if not any(
        hmac.compare_digest(signature, hashlib.sha1(s.encode() + info).hexdigest().encode())
        for s in secrets
    ):
        raise _invalid("KS v1 signature does not match any admin secret")
    try:
        parts = info.decode("utf-8").split(";")
    except UnicodeDecodeError as exc:
        raise _invalid("KS v1 fields are not UTF-8") from exc
    fields: list[str] = parts[:9] + [""] * (9 - min(len(parts), 9))
    return KsData(
        version=1,
        partner_id=partner_id,
        expiry=_int(fields[2], "expiry"),
        session_type=_int(fields[3] or "0", "session type"),
        user_id=_user(fields[5]),
        privileges=Privileges.parse(fields[6]),
        rand=fields[4],
        original=ks,
        ks_hash=digest,
        master_partner_id=_int(fields[7], "master partner id") if fields[7] else None,
        additional_data=fields[8] or None,
    )


def _decrypt_v2(cipher: bytes, secrets: list[str]) -> bytes:
    """``R16 + fields`` of the first secret whose decryption carries a matching sha1."""
    if not cipher or len(cipher) % 16:
        raise _invalid("KS v2 cipher text is not a whole number of AES blocks")
    for secret in secrets:
        decryptor = _aes(secret).decryptor()
        plain = (decryptor.update(cipher) + decryptor.finalize()).rstrip(b"\0")
        digest, rest = plain[:_SHA1_SIZE], plain[_SHA1_SIZE:]
        if len(rest) >= _RANDOM_SIZE and hmac.compare_digest(digest, hashlib.sha1(rest).digest()):
            return rest
    raise _invalid("KS v2 does not decrypt with any admin secret")


def _v2_pairs(fields: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(fields.decode("ascii"), keep_blank_values=True, errors="strict",
                         max_num_fields=1000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid("KS v2 fields are not a valid query string") from exc


def _decode_v2(raw: bytes, ks: str, digest: str, secrets: list[str]) -> KsData:
    partner_id = _peek(raw)[1]
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
        expiry=_int(special.get("_e"), "expiry"),
        session_type=_int(special.get("_t") or "0", "session type"),
        user_id=_user(special.get("_u")),
        privileges=Privileges(tuple(items)),
        rand=rest[:_RANDOM_SIZE].hex(),
        original=ks,
        ks_hash=digest,
        master_partner_id=_int(master, "master partner id") if master else None,
        additional_data=special.get("_d") or None,
    )


def _uri_allowed(patterns: list[str], uri: str) -> bool:
    return any(
        uri == pattern or (pattern.endswith("*") and uri.startswith(pattern[:-1]))
        for pattern in patterns
    )


def check(
    data: KsData,
    now: float,
    revoked: Callable[[str], bool],
    client_ip: str | None = None,
    uri: str | None = None,
) -> None:
    """Request-time checks in the reference order; raises :class:`KsError`.

    ``-5`` EXPIRED when ``expiry <= now``; ``-9`` when an ``iprestrict`` privilege is present and
    ``client_ip`` is not listed (or unknown); ``-11`` when ``urirestrict`` is present and ``uri``
    (request path + query, like PHP's REQUEST_URI) matches none; ``-6`` LOGOUT when
    ``revoked(data.ks_hash)`` - or, for a ``sessionid:<id>`` KS, ``revoked(session_id_hash(...))``
    - is true. As in Kaltura, batch-partner (-1) and widget sessions are never revoked.
    """
    if data.expiry <= now:
        raise KsError(EXPIRED)
    privileges = data.privileges
    if privileges.has("iprestrict") and client_ip not in privileges.ip_restrict:
        raise KsError(EXCEEDED_RESTRICTED_IP)
    if privileges.has("urirestrict") and (
        uri is None or not _uri_allowed(privileges.uri_restrict, uri)
    ):
        raise KsError(EXCEEDED_RESTRICTED_URI)
    if data.partner_id == BATCH_PARTNER_ID or data.is_widget:
        return
    if revoked(data.ks_hash):
        raise KsError(LOGOUT)
    session_ids = privileges.values("sessionid")
    if session_ids and revoked(session_id_hash(data.partner_id, session_ids[0])):
        raise KsError(LOGOUT)
