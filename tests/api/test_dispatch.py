"""Which calls run on the event loop, and that those answer exactly as in a worker thread."""

from __future__ import annotations

from typing import Any

from vpaas.api.dispatch import Dispatcher
from vpaas.registry.declare import UploadedFile


def _add(edge: Any, ks: str) -> str:
    entry = edge.json("media", "add", ks=ks, entry={"objectType": "KalturaMediaEntry",
                                                     "name": "clip", "mediaType": 1})
    return str(entry["id"])


def test_key_reads_run_inline_while_a_connection_is_idle(edge) -> None:
    d = Dispatcher(edge.runtime)
    edge.runtime.db.dispose()  # no open connection: a key read would have to connect
    assert not d.runs_inline({"service": "media", "action": "get"}, {})
    edge.json("media", "get", entryId=_add(edge, edge.admin_ks))  # leaves its connection idle
    assert d.runs_inline({"service": "media", "action": "get"}, {})
    assert d.runs_inline({"service": "baseEntry", "action": "GET"}, {})
    assert not d.runs_inline({"service": "media", "action": "list"}, {})
    assert not d.runs_inline({"service": "media", "action": "get"},
                             {"f": UploadedFile("f", None, 0)})
    assert not d.runs_inline({"service": ["media"], "action": "get"}, {})


def test_get_is_scoped_to_the_session_partner(edge) -> None:
    entry_id = _add(edge, edge.admin_ks)
    mine = edge.json("media", "get", entryId=entry_id)
    assert mine["id"] == entry_id and mine["partnerId"] == edge.partner.id
    assert mine["objectType"] == "KalturaMediaEntry"
    same = edge.json("baseEntry", "get", entryId=entry_id)
    assert same == mine
    other_ks = edge.ks(admin=True, partner=edge.other)
    err = edge.json("media", "get", ks=other_ks, entryId=entry_id)
    assert err["code"] == "ENTRY_ID_NOT_FOUND"
    assert edge.json("baseEntry", "get", ks=other_ks, entryId=entry_id)["code"] == \
        "ENTRY_ID_NOT_FOUND"


def test_get_sees_the_previous_call_of_a_multirequest(edge) -> None:
    entry_id = _add(edge, edge.admin_ks)
    resp = edge.client.post("/api_v3/service/multirequest", json={
        "format": 1, "ks": edge.admin_ks,
        "1": {"service": "media", "action": "update", "entryId": entry_id,
              "mediaEntry": {"objectType": "KalturaMediaEntry", "name": "renamed"}},
        "2": {"service": "media", "action": "get", "entryId": entry_id}})
    assert [r["name"] for r in resp.json()] == ["renamed", "renamed"]
