"""The library with the official Python client against a real ``vpaas serve``: filtered and
paged media.list, freeText, count, baseEntry.listByReferenceId, update, and clearing a field
(``description__null``).

The compat server runs no workers, so media entries stay NO_CONTENT: the lists ask for that
status explicitly (Kaltura lists only READY entries by default, which is checked too).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from compat.helpers import kaltura_error, value_of
from KalturaClient import KalturaClient
from KalturaClient.Plugins.Core import (
    KalturaEntryStatus,
    KalturaFilterPager,
    KalturaMediaEntry,
    KalturaMediaEntryFilter,
    KalturaMediaEntryOrderBy,
    KalturaMediaType,
)

pytestmark = pytest.mark.usefixtures("require_media")

MakeClient = Callable[..., KalturaClient]
NO_CONTENT = KalturaEntryStatus.NO_CONTENT


def _library(client: KalturaClient, tag: str) -> list[KalturaMediaEntry]:
    added = []
    for name in ("Charlie clip", "Alpha clip", "Bravo clip"):
        entry = KalturaMediaEntry(name=name, mediaType=KalturaMediaType.VIDEO, tags=tag,
                                  description=f"about {name.split()[0].lower()}",
                                  referenceId=f"{tag}-{name[0]}")
        added.append(client.media.add(entry))
    return added


def _filter(tag: str, **props: object) -> KalturaMediaEntryFilter:
    flt = KalturaMediaEntryFilter(tagsMultiLikeOr=tag, statusEqual=NO_CONTENT)
    for name, value in props.items():
        setattr(flt, name, value)
    return flt


def test_list_with_filters_and_pager(make_client: MakeClient, admin_ks: str) -> None:
    client = make_client(admin_ks)
    tag = "lib" + secrets.token_hex(4)
    added = _library(client, tag)
    by_name = _filter(tag, orderBy=KalturaMediaEntryOrderBy.NAME_ASC)
    first = client.media.list(by_name, KalturaFilterPager(pageSize=2, pageIndex=1))
    second = client.media.list(by_name, KalturaFilterPager(pageSize=2, pageIndex=2))
    assert first.totalCount == second.totalCount == 3
    names = [e.name for e in first.objects] + [e.name for e in second.objects]
    assert names == ["Alpha clip", "Bravo clip", "Charlie clip"]
    assert all(isinstance(e, KalturaMediaEntry) for e in first.objects)
    assert value_of(first.objects[0].status) == NO_CONTENT
    newest = client.media.list(_filter(tag, orderBy=KalturaMediaEntryOrderBy.CREATED_AT_DESC,
                                       nameLike="clip", idNotIn=added[0].id))
    assert {e.id for e in newest.objects} == {added[1].id, added[2].id}
    found = client.media.list(_filter(tag, freeText="bravo,charlie !alpha"))
    assert sorted(e.name for e in found.objects) == ["Bravo clip", "Charlie clip"]
    assert client.media.count(_filter(tag, freeText="about")) == 3
    ready_only = client.media.list(KalturaMediaEntryFilter(tagsMultiLikeOr=tag))
    assert ready_only.totalCount == 0  # Kaltura's default: READY entries only
    by_ref = client.baseEntry.listByReferenceId(f"{tag}-A")
    assert [e.id for e in by_ref.objects] == [added[1].id]


def test_update_and_null_a_field(make_client: MakeClient, admin_ks: str) -> None:
    client = make_client(admin_ks)
    tag = "upd" + secrets.token_hex(4)
    entry = _library(client, tag)[0]
    assert entry.description == "about charlie"
    changed = client.media.update(entry.id, KalturaMediaEntry(name="Renamed", tags=tag))
    assert changed.name == "Renamed" and changed.description == "about charlie"
    cleared = client.media.update(entry.id, KalturaMediaEntry(description=None))
    assert cleared.name == "Renamed" and cleared.description in (None, NotImplemented, "")
    stored = client.media.get(entry.id)
    assert stored.description in (None, NotImplemented, "")
    found = client.media.list(_filter(tag, freeText="renamed"))
    assert [e.id for e in found.objects] == [entry.id]
    refused = kaltura_error(lambda: client.media.update(
        entry.id, KalturaMediaEntry(mediaType=KalturaMediaType.AUDIO)))
    assert refused.code == "PROPERTY_VALIDATION_NOT_UPDATABLE"
