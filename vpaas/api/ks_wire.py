"""What both KS versions share: the decoded :class:`KsData`, base64, integer fields, the peek
at version and partner id, the length limit."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from vpaas.api.ks_errors import (
    MAX_KS_LENGTH,
    invalid_ks,
)
from vpaas.api.ks_privileges import INT_RE, Privileges

SESSION_USER = 0
SESSION_ADMIN = 2
V2_PREFIX = b"v2|"
_B64_RE = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_CANONICAL_INT_RE = re.compile(r"0|-?[1-9][0-9]{0,17}")


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


def checked_length(ks: str) -> str:
    """``ks`` unchanged, or ValueError when it is over :data:`MAX_KS_LENGTH`."""
    if len(ks) > MAX_KS_LENGTH:
        raise ValueError(f"KS would be {len(ks)} characters, over the {MAX_KS_LENGTH} limit")
    return ks


def b64decode_ks(ks: object) -> bytes:
    """Base64 of either alphabet (as the reference accepts), padding optional."""
    if not isinstance(ks, str):
        raise invalid_ks("KS must be a string")
    if not ks:
        raise invalid_ks("empty KS")
    if len(ks) > MAX_KS_LENGTH:
        raise invalid_ks(f"KS longer than {MAX_KS_LENGTH} characters")
    if not _B64_RE.fullmatch(ks):
        raise invalid_ks("KS is not base64")
    text = ks.replace("-", "+").replace("_", "/").rstrip("=")
    if len(text) % 4 == 1:
        raise invalid_ks("KS has a truncated base64 length")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid_ks("KS is not base64") from exc


def parse_int(value: str | bytes | None, what: str, canonical: bool = False) -> int:
    """An integer field (``canonical``: no leading zeros or ``-0``), else INVALID_STR."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    pattern = _CANONICAL_INT_RE if canonical else INT_RE
    if text is None or not pattern.fullmatch(text):
        raise invalid_ks(f"{what} is not an integer")
    return int(text)


def peek_raw(raw: bytes) -> tuple[int, int]:
    """``(version, partner_id)`` of a base64-decoded KS, unverified."""
    if raw.startswith(V2_PREFIX):
        pieces = raw.split(b"|", 2)
        if len(pieces) != 3:
            raise invalid_ks("KS v2 lacks its '|' separators")
        return 2, parse_int(pieces[1], "partner id", canonical=True)
    _, sep, info = raw.partition(b"|")
    parts = info.split(b";")
    if not sep or len(parts) < 3:
        raise invalid_ks("KS v1 lacks its '|' separator or its 3 first fields")
    return 1, parse_int(parts[0], "partner id", canonical=True)


def normalized_user(value: str | None) -> str:
    """The user id, with a missing one and the Python client's ``"None"`` as ``""``."""
    return "" if value in (None, "None") else value or ""
