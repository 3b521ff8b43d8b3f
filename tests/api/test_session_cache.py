"""The KS checks of every call: verified-KS cache and in-memory revocation list
(vpaas.domain.sessions; exercised here as the api edge uses them)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from vpaas.api import ks as ks_codec
from vpaas.db.base import Database
from vpaas.db.tables.partner import PartnerRow
from vpaas.domain import sessions
from vpaas.domain.partners import create_partner
from vpaas.registry import ApiError


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def partner(database: Database) -> PartnerRow:
    with database.system_session() as s:
        row = create_partner(s, "cache test")
        s.commit()
    return row


@pytest.fixture
def other_process(database: Database) -> Iterator[Database]:
    """A second Database on the same URL: what another server process would hold."""
    db = Database(database.url)
    yield db
    db.dispose()


def _ks(partner: PartnerRow, expiry: int = 3600) -> str:
    return sessions.issue(partner, sessions.ADMIN, "admin", expiry, "", 86400)


def _end(db: Database, data: ks_codec.KsData, commit: bool = True) -> None:
    with db.new_session(data.partner_id) as s:
        sessions.revoke(s, data.ks_hash, data.partner_id, data.expiry)
        if commit:
            s.commit()
        else:
            s.rollback()


def _error_code(call: object) -> str | None:
    try:
        call()  # type: ignore[operator]
    except ApiError as err:
        return str(err.args_map.get("ERR_CODE"))
    return None


def test_verified_ks_is_decoded_once_and_dropped_when_secrets_change(
        database: Database, partner: PartnerRow) -> None:
    partners = sessions.PartnerCache(database)
    ks = _ks(partner)
    first = sessions.verify(database, partners, ks)
    assert sessions.verify(database, partners, ks) is first  # from the cache
    assert len(partners.verified) == 1
    with database.system_session() as s:
        s.get(PartnerRow, partner.id).admin_secret = "rotated-" + partner.admin_secret
        s.commit()
    partners.forget(partner.id)
    assert _error_code(lambda: sessions.verify(database, partners, ks)) == "-1"


def test_verified_cache_is_bounded_and_entries_expire_with_the_ks(partner: PartnerRow) -> None:
    cache = sessions.VerifiedKsCache(size=2)
    now = int(time.time())
    datas = []
    for seconds in (100, 200, 300):
        ks = _ks(partner, seconds)
        datas.append(ks_codec.decode(ks, [partner.admin_secret]))
        cache.put(ks, partner.admin_secret, datas[-1])
    assert len(cache) == 2 and cache.get(datas[0].original, now) is None  # least recent out
    assert cache.get(datas[1].original, now) is not None
    assert cache.get(datas[1].original, datas[1].expiry) is None  # expired: gone
    assert len(cache) == 1
    cache.put("x" * (sessions.VERIFIED_CACHE_MAX_KS + 1), "s", datas[2])
    assert len(cache) == 1  # huge KS strings are never kept


def test_expired_ks_is_rejected_even_when_cached(database: Database,
                                                 partner: PartnerRow) -> None:
    partners = sessions.PartnerCache(database)
    ks = _ks(partner, 1)
    data = sessions.verify(database, partners, ks)
    assert partners.verified.get(ks, data.expiry) is None
    time.sleep(max(0.0, data.expiry - time.time()) + 0.05)
    assert _error_code(lambda: sessions.verify(database, partners, ks)) == "-5"


def test_revocation_is_immediate_here_and_within_the_refresh_elsewhere(
        database: Database, other_process: Database, partner: PartnerRow) -> None:
    here = sessions.PartnerCache(database)
    there = sessions.PartnerCache(other_process)
    clock = Clock()
    there.revocations = sessions.RevocationList(other_process, refresh_seconds=1.0, clock=clock)
    ks = _ks(partner)
    data = sessions.verify(database, here, ks)
    sessions.verify(other_process, there, ks)
    _end(database, data)
    assert _error_code(lambda: sessions.verify(database, here, ks)) == "-6"
    assert _error_code(lambda: sessions.verify(other_process, there, ks)) is None  # not yet
    clock.now += 0.99
    assert _error_code(lambda: sessions.verify(other_process, there, ks)) is None
    clock.now += 0.01
    assert _error_code(lambda: sessions.verify(other_process, there, ks)) == "-6"


def test_rolled_back_end_revokes_nothing(database: Database, partner: PartnerRow) -> None:
    partners = sessions.PartnerCache(database)
    ks = _ks(partner)
    data = sessions.verify(database, partners, ks)
    _end(database, data, commit=False)
    assert _error_code(lambda: sessions.verify(database, partners, ks)) is None
    partners.revocations.refresh(force=True)
    assert _error_code(lambda: sessions.verify(database, partners, ks)) is None


def test_revocations_outlive_a_refresh_and_expired_ones_are_dropped(
        database: Database, partner: PartnerRow) -> None:
    clock = Clock()
    revocations = sessions.RevocationList(database, refresh_seconds=1.0, clock=clock)
    revocations.add("local-hash", int(time.time()) + 60)
    revocations.add("old-hash", int(time.time()) - 1)
    clock.now += 5
    assert revocations.is_revoked("local-hash")  # kept across the reload
    assert not revocations.is_revoked("old-hash")
