"""Kaltura Sessions: issuing, verifying, describing and revoking KS strings."""

from __future__ import annotations

import secrets
import threading
import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vpaas.api import ks as ks_codec
from vpaas.db.base import Database
from vpaas.db.tables.partner import KsUsageRow, PartnerRow, RevokedKsRow
from vpaas.registry import catalogue as E

USER, ADMIN = 0, 2
WIDGET_PRIVILEGES = "view:*,widget:1"
PARTNER_ACTIVE = 1
SECRET_CACHE_SECONDS = 30.0


class PartnerCache:
    """Partner secrets and status, cached briefly so a KS check costs no extra query."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._cache: dict[int, tuple[float, PartnerRow | None]] = {}

    def get(self, partner_id: int) -> PartnerRow | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(partner_id)
        if hit and now - hit[0] < SECRET_CACHE_SECONDS:
            return hit[1]
        with self.db.system_session() as session:
            row = session.get(PartnerRow, partner_id)
            if row is not None:
                session.expunge(row)
        with self._lock:
            self._cache[partner_id] = (now, row)
        return row

    def forget(self, partner_id: int) -> None:
        with self._lock:
            self._cache.pop(partner_id, None)


def admin_secrets(partner: PartnerRow) -> list[str]:
    return [s.strip() for s in partner.admin_secret.split(",") if s.strip()]


def verify(db: Database, partners: PartnerCache, ks: str, client_ip: str | None = None,
           uri: str | None = None) -> ks_codec.KsData:
    """Verify a KS string; raise INVALID_KS with Kaltura's error code and description."""
    try:
        _version, partner_id = ks_codec.peek_partner(ks)
        partner = partners.get(partner_id)
        if partner is None:
            raise ks_codec.KsError(-1, "INVALID_STR")
        data = ks_codec.decode(ks, admin_secrets(partner))
        ks_codec.check(data, int(time.time()), lambda h: _is_revoked(db, h),
                       client_ip=client_ip, uri=uri)
    except ks_codec.KsError as err:
        raise E.INVALID_KS(ks[:200], err.code, err.desc) from None
    if partner.status != PARTNER_ACTIVE:
        raise E.PARTNER_BLOCKED(partner_id)
    return data


def _is_revoked(db: Database, ks_hash: str) -> bool:
    with db.system_session() as session:
        found = session.scalar(select(RevokedKsRow.ks_hash).where(RevokedKsRow.ks_hash == ks_hash))
    return found is not None


def secret_grants(partner: PartnerRow, secret: str, session_type: int) -> bool:
    """The admin secret opens any session type; the user secret only USER sessions."""
    if any(secrets.compare_digest(secret, s) for s in admin_secrets(partner)):
        return True
    return session_type == USER and secrets.compare_digest(secret, partner.secret)


def issue(partner: PartnerRow, session_type: int, user_id: str, expiry_seconds: int,
          privileges: str, max_expiry: int) -> str:
    """Sign a KS v2 with the partner's first admin secret."""
    expiry_seconds = max(1, min(expiry_seconds or 86400, max_expiry))
    return ks_codec.encode_v2(admin_secrets(partner)[0], partner.id,
                              int(time.time()) + expiry_seconds, session_type, user_id,
                              privileges, None)


def revoke(session: Session, ks_hash: str, partner_id: int, expiry: int) -> None:
    """End a KS: it stays rejected (LOGOUT) until it would have expired anyway."""
    session.merge(RevokedKsRow(ks_hash=ks_hash, partner_id=partner_id,
                               expiry=expiry))
    session.execute(delete(RevokedKsRow).where(RevokedKsRow.expiry < int(time.time())))


def count_action(db: Database, data: ks_codec.KsData) -> None:
    """Enforce ``actionslimit:N``: the KS may be used for N calls, then INVALID_KS (-4)."""
    limit = data.privileges.actions_limit
    if limit is None:
        return
    with db.system_session() as session:
        row = session.get(KsUsageRow, data.ks_hash, with_for_update=True)
        if row is None:
            row = KsUsageRow(ks_hash=data.ks_hash, calls=0, expiry=data.expiry)
            session.add(row)
        row.calls += 1
        session.commit()
        calls = row.calls
    if calls > limit:
        raise E.INVALID_KS(data.original[:200], ks_codec.EXCEEDED_ACTIONS_LIMIT,
                           "EXCEEDED_ACTIONS_LIMIT")
