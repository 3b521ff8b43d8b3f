"""KS v1: ``base64(sha1hex(secret + info) | info)`` with ``;``-separated fields."""

from __future__ import annotations

import base64
import hashlib
import hmac

from vpaas.api.ks_errors import invalid_ks
from vpaas.api.ks_privileges import Privileges, privileges_text
from vpaas.api.ks_wire import (
    KsData,
    checked_length,
    normalized_user,
    parse_int,
    peek_raw,
)


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
              str(rand), user_id, privileges_text(privileges)]
    if master_partner_id is not None or additional_data is not None:
        fields += ["" if master_partner_id is None else str(master_partner_id),
                   additional_data or ""]
    if any(";" in value for value in fields):
        raise ValueError("KS v1 fields (user id, privileges, rand, data) cannot contain ';'")
    info = ";".join(fields).encode("utf-8")
    signature = hashlib.sha1(secret.encode("utf-8") + info).hexdigest().encode("ascii")
    return checked_length(base64.b64encode(signature + b"|" + info).decode("ascii"))


def decode_v1(raw: bytes, ks: str, digest: str, secrets: list[str]) -> KsData:
    """Verify a v1 signature against ``secrets`` and read the fields of ``raw``."""
    partner_id = peek_raw(raw)[1]
    signature, _, info = raw.partition(b"|")
    if not any(
        hmac.compare_digest(signature, hashlib.sha1(s.encode() + info).hexdigest().encode())
        for s in secrets
    ):
        raise invalid_ks("KS v1 signature does not match any admin secret")
    try:
        parts = info.decode("utf-8").split(";")
    except UnicodeDecodeError as exc:
        raise invalid_ks("KS v1 fields are not UTF-8") from exc
    fields: list[str] = parts[:9] + [""] * (9 - min(len(parts), 9))
    return KsData(
        version=1,
        partner_id=partner_id,
        expiry=parse_int(fields[2], "expiry"),
        session_type=parse_int(fields[3] or "0", "session type"),
        user_id=normalized_user(fields[5]),
        privileges=Privileges.parse(fields[6]),
        rand=fields[4],
        original=ks,
        ks_hash=digest,
        master_partner_id=parse_int(fields[7], "master partner id") if fields[7] else None,
        additional_data=fields[8] or None,
    )
