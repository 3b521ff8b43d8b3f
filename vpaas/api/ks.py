"""Kaltura Session (KS) codec: build, read and check KS v1 and v2 strings.

Pure functions: no database, no HTTP. Formats follow wire-protocol.md §4 and the reference server
(kSessionBase): a KS is always signed (v1) or encrypted (v2) with one of the partner's *admin*
secrets, even when ``session.start`` was called with the user secret, so :func:`decode` only ever
needs the admin secrets. A partner may hold several admin secrets (a comma-separated list in
Kaltura); each candidate is tried in turn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from vpaas.api.ks_errors import (
    EXCEEDED_ACTIONS_LIMIT,
    EXCEEDED_RESTRICTED_IP,
    EXCEEDED_RESTRICTED_URI,
    EXPIRED,
    LOGOUT,
    MAX_KS_LENGTH,
    KsError,
    invalid_ks,
)
from vpaas.api.ks_privileges import Privileges
from vpaas.api.ks_v1 import decode_v1, encode_v1
from vpaas.api.ks_v2 import decode_v2, encode_v2
from vpaas.api.ks_wire import (
    V2_PREFIX,
    KsData,
    b64decode_ks,
    peek_raw,
)

__all__ = [
    "EXCEEDED_ACTIONS_LIMIT", "MAX_KS_LENGTH", "KsData", "KsError", "Privileges", "check",
    "decode", "encode_v1", "encode_v2", "ks_hash", "peek_partner", "session_id_hash",
]
"""The KS codec API; the pieces live in ``ks_errors``, ``ks_privileges``, ``ks_wire``, ``ks_v1``
and ``ks_v2``."""

BATCH_PARTNER_ID = -1


def peek_partner(ks: str) -> tuple[int, int]:
    """``(version, partner_id)`` read without verifying anything, to look up the secrets."""
    return peek_raw(b64decode_ks(ks))


def ks_hash(ks: str) -> str:
    """Revocation key: sha256 hex of the base64-decoded KS.

    Hashing the decoded bytes makes every spelling of the same KS (either base64 alphabet, with
    or without padding) share one key, so a revoked KS cannot be replayed re-encoded.
    """
    return hashlib.sha256(b64decode_ks(ks)).hexdigest()


def session_id_hash(partner_id: int, session_id: str) -> str:
    """Revocation key shared by every KS carrying ``sessionid:<session_id>``."""
    return hashlib.sha256(f"{partner_id}_{session_id}".encode()).hexdigest()


def _candidates(secrets: Iterable[str]) -> list[str]:
    out = [part for secret in secrets for part in secret.split(",") if part]
    if not out:
        raise invalid_ks("partner has no admin secret")
    return out


def decode(ks: str, secrets: Iterable[str]) -> KsData:
    """Verify ``ks`` against the partner's admin ``secrets`` and return its content.

    Each secret may itself be a comma-separated list. Raises :class:`KsError` ``-1``
    (INVALID_STR) for anything unparseable or not signed by one of the secrets; never anything
    else. Expiry, revocation and restrictions are checked by :func:`check`.
    """
    raw = b64decode_ks(ks)
    candidates = _candidates(secrets)
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(V2_PREFIX):
        data = decode_v2(raw, ks, digest, candidates)
    else:
        data = decode_v1(raw, ks, digest, candidates)
    _ = data.privileges.actions_limit  # raises KsError when malformed
    return data


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
