"""Playback rules without HTTP: flavor selection, access decisions, signed tokens, plays."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from vpaas.api.ks import KsData, Privileges
from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain import entries, playback
from vpaas.domain.access.model import ContextType, parse_rules
from vpaas.domain.partners import create_partner

TRACKS = {"video": {"kind": "video"}}


def flavor(fid: str, params: int, bitrate: int, **kw: Any) -> FlavorAssetRow:
    values: dict[str, Any] = dict(id=fid, entry_id="0_e", flavor_params_id=params, status=2,
                                  bitrate=bitrate, height=bitrate // 2, is_original=False,
                                  is_web=True, tags="web,mbr,dash", storage_key=f"k/{fid}.mp4",
                                  video_key=f"k/{fid}/v.mp4", track_index=TRACKS)
    values.update(kw)
    return FlavorAssetRow(**values)


ROWS = [flavor("src", 0, 2000, is_original=True, track_index={}, video_key=None,
               tags="source"),
        flavor("f2", 2, 400), flavor("f3", 3, 600, tags="web"), flavor("f4", 4, 900)]


def entry(**kw: Any) -> EntryRow:
    values: dict[str, Any] = dict(id="0_e", partner_id=1, type=1, status=2, media_type=1,
                                  moderation_status=6, user_id="owner", duration_ms=10_000)
    values.update(kw)
    return EntryRow(**values)


def ks(admin: bool = False, user: str = "u", privileges: str = "") -> KsData:
    return KsData(version=2, partner_id=1, expiry=int(time.time()) + 60,
                  session_type=2 if admin else 0, user_id=user,
                  privileges=Privileges.parse(privileges), rand="r", original="ks",
                  ks_hash="h")


def ids(rows: list[FlavorAssetRow]) -> list[str]:
    return [r.id for r in rows]


def test_select_flavors_by_format_and_query() -> None:
    q = playback.FlavorQuery
    assert ids(playback.select_flavors(ROWS, "applehttp", q())) == ["f2", "f3", "f4"]
    assert ids(playback.select_flavors(ROWS, "url", q())) == ["f2", "f3", "f4"]
    assert ids(playback.select_flavors(ROWS, "url", q(flavor_ids=("src",)))) == ["src"]
    assert ids(playback.select_flavors(ROWS, "applehttp", q(flavor_ids=("src",)))) == []
    assert ids(playback.select_flavors(ROWS, "url", q(flavor_params_ids=(0, 4)))) == ["src",
                                                                                      "f4"]
    assert ids(playback.select_flavors(ROWS, "url", q(tags=("dash",)))) == ["f2", "f4"]
    assert ids(playback.select_flavors(ROWS, "url", q(max_bitrate=700))) == ["f2", "f3"]
    assert ids(playback.select_flavors(ROWS, "url", q(min_bitrate=5000))) == ["f4"]
    only_source = [ROWS[0]]
    assert ids(playback.select_flavors(only_source, "download", q())) == ["src"]


def test_decisions_block_preview_limit_and_moderation() -> None:
    who = playback.Requester(referrer="https://bad.example/", ks=None)
    block = parse_rules([{"actions": [{"type": "1"}], "conditions": [
        {"type": "4", "values": ["good.example"], "not": True}]}])
    assert not playback.decide(None, entry(), ContextType.PLAY, who, rules=block).allowed
    good = playback.Requester(referrer="https://good.example/x")
    assert playback.decide(None, entry(), ContextType.PLAY, good, rules=block).allowed
    admin = playback.Requester(ks=ks(admin=True))
    assert playback.decide(None, entry(), ContextType.PLAY, admin, rules=block).allowed
    preview = parse_rules([{"actions": [{"type": "2", "limit": 3}]}])
    decision = playback.decide(None, entry(), ContextType.PLAY, who, rules=preview)
    assert decision.clip_to_ms(10_000) == 3000
    assert playback.action_fields(decision) == [{"type": 2, "limit": 3}]
    limit = parse_rules([{"actions": [{"type": "3", "flavorParamsIds": "2,3"}]}])
    decision = playback.decide(None, entry(), ContextType.PLAY, who, rules=limit)
    chosen = playback.select_flavors(ROWS, "applehttp", playback.FlavorQuery(), decision)
    assert ids(chosen) == ["f2", "f3"]
    pending = entry(moderation_status=1)
    assert not playback.decide(None, pending, ContextType.PLAY, who, rules=[]).allowed
    owner = playback.Requester(ks=ks(user="owner"))
    assert playback.decide(None, pending, ContextType.PLAY, owner, rules=[]).allowed
    sview = playback.Requester(ks=ks(privileges="sview:0_e"))
    assert playback.decide(None, pending, ContextType.PLAY, sview, rules=[]).allowed
    assert playback.decide(None, pending, ContextType.THUMBNAIL, who, rules=[]).allowed
    with pytest.raises(ValueError):
        playback.decide(None, entry(), ContextType.PLAY, who)


def test_tokens_sign_check_expire_and_bind_to_the_flavor() -> None:
    key = playback.delivery_key("secret1,secret2")
    assert key == playback.delivery_key("secret1")
    token = playback.new_token(clip_ms=1500, now=1_000_000)
    assert token.expiry >= 1_000_000 + playback.TOKEN_LIFETIME
    text = playback.sign_token(key, 1, "0_e", "0_f", token)
    assert playback.check_token(key, text, 1, "0_e", "0_f", now=1_000_000) == token
    assert playback.check_token(key, text, 1, "0_e", "0_g", now=1_000_000) is None
    assert playback.check_token(key, text, 2, "0_e", "0_f", now=1_000_000) is None
    assert playback.check_token(key, text, 1, "0_e", "0_f", now=token.expiry + 1) is None
    assert playback.check_token(b"other", text, 1, "0_e", "0_f", now=1_000_000) is None
    tampered = text.replace(".1500.", ".0.")
    assert playback.check_token(key, tampered, 1, "0_e", "0_f", now=1_000_000) is None
    for junk in ("", "a.b", "zz.1.x", "1.2.3.4"):
        assert playback.check_token(key, junk, 1, "0_e", "0_f") is None


def test_delivery_keys_cache_and_unknown_partners() -> None:
    calls: list[int] = []

    def load(pid: int) -> str | None:
        calls.append(pid)
        return "s" if pid == 1 else None

    keys = playback.DeliveryKeys(load, ttl=60)
    assert keys.cached(1) == (False, None)
    assert keys.get(1) == playback.delivery_key("s") and keys.get(1) is not None
    assert keys.get(2) is None and calls == [1, 2]
    assert keys.cached(1)[0] is True


def test_manifest_url() -> None:
    url = playback.manifest_url("https://h/", entry(), "applehttp", "https", ["a", "b"], "KS")
    assert url == ("https://h/p/1/sp/100/playManifest/entryId/0_e/protocol/https/format/"
                   "applehttp/flavorIds/a,b/ks/KS/a.m3u8")
    assert playback.manifest_url("http://h", entry(), "url", "http", []).endswith(
        "/format/url/a.mp4")


def test_play_counter_counts_sessions_once(database: Database) -> None:
    with database.system_session() as s:
        pid = create_partner(s, "plays").id
        s.commit()
    with database.partner_session(pid) as s:
        row = entries.new_entry(s, entries.EntryType.MEDIA_CLIP, {"name": "x"})
        s.commit()
        eid = row.id
    counter = playback.PlayCounter(database, remember=2)
    assert counter.count(pid, eid, "a") and not counter.count(pid, eid, "a")
    assert counter.count(pid, eid, "b") and counter.count(pid, eid, None)
    counter.count(pid, eid, "c")
    assert counter.count(pid, eid, "a")  # forgotten: the memory holds the last 2 sessions
    with database.partner_session(pid) as s:
        got = s.scalars(select(EntryRow).where(EntryRow.id == eid)).one()
        assert got.plays == 5 and got.last_played_at
