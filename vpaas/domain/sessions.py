"""Kaltura Sessions: issuing, verifying, describing and revoking KS strings."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from vpaas.api import ks as ks_codec
from vpaas.db.base import Database
from vpaas.db.tables.partner import KsUsageRow, PartnerRow, RevokedKsRow
from vpaas.registry import catalogue as E

USER, ADMIN = 0, 2
WIDGET_PRIVILEGES = "view:*,widget:1"
PARTNER_ACTIVE = 1
SECRET_CACHE_SECONDS = 30.0
REVOCATION_REFRESH_SECONDS = 1.0
VERIFIED_CACHE_SIZE = 8192
VERIFIED_CACHE_MAX_KS = 2048  # longer KS strings are verified every time, never cached
REVOCATIONS_INFO_KEY = "vpaas.ks_revocations"


class RevocationList:
    """The hashes of ended sessions, in memory, so a KS check costs no query.

    Reloaded from the database when the copy is ``refresh_seconds`` old (by the call that finds
    it so, the others wait), and updated at once when :func:`revoke` commits in this process:
    a session ended by another process is rejected here at most ``refresh_seconds`` later.
    """

    def __init__(self, db: Database, refresh_seconds: float = REVOCATION_REFRESH_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._hashes: frozenset[str] = frozenset()
        self._local: dict[str, int] = {}  # ended in this process: hash -> KS expiry
        self._loaded_at: float | None = None

    def is_revoked(self, ks_hash: str) -> bool:
        if self._stale():
            self.refresh()
        return ks_hash in self._hashes

    def _stale(self) -> bool:
        loaded = self._loaded_at
        return loaded is None or self._clock() - loaded >= self.refresh_seconds

    def refresh(self, force: bool = False) -> None:
        """Reload the revoked hashes (if still stale once the lock is ours, or ``force``)."""
        with self._lock:
            if not force and not self._stale():
                return
            started = self._clock()
            now = int(time.time())
            with self.db.system_session() as session:
                stored = session.scalars(select(RevokedKsRow.ks_hash)
                                         .where(RevokedKsRow.expiry >= now)).all()
            self._local = {h: exp for h, exp in self._local.items() if exp >= now}
            self._hashes = frozenset(stored).union(self._local)
            self._loaded_at = started

    def add(self, ks_hash: str, expiry: int) -> None:
        """Reject ``ks_hash`` from now on in this process (its row is committed)."""
        with self._lock:
            self._local[ks_hash] = expiry
            self._hashes = self._hashes | {ks_hash}


class VerifiedKsCache:
    """KS strings whose signature was checked, with their content: an LRU of bounded size.

    An entry is keyed by the KS string and remembers the admin secrets it was verified with; it
    is used only while those are still the partner's and until the KS expires. Expiry,
    revocation and restrictions are still checked on every call.
    """

    def __init__(self, size: int = VERIFIED_CACHE_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[str, ks_codec.KsData]] = OrderedDict()

    def get(self, ks: str, now: float) -> tuple[str, ks_codec.KsData] | None:
        """``(admin secrets, content)`` of a verified, unexpired ``ks``; else None."""
        with self._lock:
            hit = self._entries.get(ks)
            if hit is None:
                return None
            if hit[1].expiry <= now:
                del self._entries[ks]
                return None
            self._entries.move_to_end(ks)
            return hit

    def put(self, ks: str, admin_secret: str, data: ks_codec.KsData) -> None:
        if len(ks) > VERIFIED_CACHE_MAX_KS:
            return
        with self._lock:
            self._entries[ks] = (admin_secret, data)
            self._entries.move_to_end(ks)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class PartnerCache:
    """Partner secrets and status, cached briefly so a KS check costs no extra query; also the
    process's verified-KS cache and revocation list (:func:`verify` uses all three)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._cache: dict[int, tuple[float, PartnerRow | None]] = {}
        self.verified = VerifiedKsCache()
        self.revocations = RevocationList(db)
        db.session_info[REVOCATIONS_INFO_KEY] = self.revocations  # for revoke()

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
    """Verify a KS string; raise INVALID_KS with Kaltura's error code and description.

    ``db`` is unused (revocations come from ``partners.revocations``); kept for the callers.
    """
    del db
    now = int(time.time())
    try:
        data, partner = _decoded(partners, ks, now)
        ks_codec.check(data, now, partners.revocations.is_revoked, client_ip=client_ip,
                       uri=uri)
    except ks_codec.KsError as err:
        raise E.INVALID_KS(ks[:200], err.code, err.desc) from None
    if partner.status != PARTNER_ACTIVE:
        raise E.PARTNER_BLOCKED(partner.id)
    return data


def _decoded(partners: PartnerCache, ks: str, now: int) -> tuple[ks_codec.KsData, PartnerRow]:
    """The KS's content and partner: from the verified cache while the partner's admin secrets
    are unchanged, else decoded (signature checked) and cached."""
    hit = partners.verified.get(ks, now)
    if hit is not None:
        partner = partners.get(hit[1].partner_id)
        if partner is not None and partner.admin_secret == hit[0]:
            return hit[1], partner
    _version, partner_id = ks_codec.peek_partner(ks)
    partner = partners.get(partner_id)
    if partner is None:
        raise ks_codec.KsError(-1, "INVALID_STR")
    data = ks_codec.decode(ks, admin_secrets(partner))
    partners.verified.put(ks, partner.admin_secret, data)
    return data, partner


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
    """End a KS: it stays rejected (LOGOUT) until it would have expired anyway.

    Once ``session`` commits, this process's :class:`RevocationList` knows at once; other
    processes within ``REVOCATION_REFRESH_SECONDS``.
    """
    session.merge(RevokedKsRow(ks_hash=ks_hash, partner_id=partner_id,
                               expiry=expiry))
    session.execute(delete(RevokedKsRow).where(RevokedKsRow.expiry < int(time.time())))
    revocations = session.info.get(REVOCATIONS_INFO_KEY)
    if isinstance(revocations, RevocationList):
        event.listen(session, "after_commit",
                     lambda _s: revocations.add(ks_hash, expiry), once=True)


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
