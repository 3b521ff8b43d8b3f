"""media.update / baseEntry.update: written fields, clearing (``__null``, -1), read-only and
insert-only refusals, who may update, and the freeText index following the update."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update
from support.api import ApiHelper, is_error

from vpaas.db.tables.entry import EntryRow
from vpaas.settings import Settings

START, END = 1_800_000_000, 1_900_000_000


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def add(api: ApiHelper, ks: str | None = None, **fields: Any) -> dict[str, Any]:
    entry = {"objectType": "KalturaMediaEntry", "name": "clip", "mediaType": 1, **fields}
    added = api.call("media", "add", ks=ks or api.admin_ks, entry=entry)
    assert not is_error(added), added
    with api.runtime.db.partner_session(api.partner.id) as s:  # listable
        s.execute(update(EntryRow).where(EntryRow.id == added["id"]).values(status=2))
        s.commit()
    return dict(added)


def media_update(api: ApiHelper, entry_id: str, ks: str | None = None,
                 **fields: Any) -> dict[str, Any]:
    return dict(api.call("media", "update", ks=ks or api.admin_ks, entryId=entry_id,
                         mediaEntry={"objectType": "KalturaMediaEntry", **fields}))


def found(api: ApiHelper, text: str) -> set[str]:
    result = api.call("media", "list", filter={"objectType": "KalturaMediaEntryFilter",
                                               "freeText": text})
    return {o["id"] for o in result["objects"]}


def test_update_writes_the_fields_sent_and_keeps_the_others(api: ApiHelper) -> None:
    entry = add(api, description="old words", tags="a,b", referenceId="r1")
    updated = media_update(api, entry["id"], name="New name", tags="c", partnerSortValue=9)
    assert (updated["name"], updated["tags"], updated["partnerSortValue"]) == ("New name", "c", 9)
    assert (updated["description"], updated["referenceId"]) == ("old words", "r1")
    got = api.call("media", "get", entryId=entry["id"])
    assert (got["name"], got["tags"], got["description"]) == ("New name", "c", "old words")
    assert got["objectType"] == "KalturaMediaEntry" and got["mediaType"] == 1


def test_null_clears_and_minus_one_clears_schedule_and_access_control(api: ApiHelper) -> None:
    entry = add(api, description="words", tags="t", startDate=START, endDate=END,
                accessControlId=4)
    assert (entry["startDate"], entry["endDate"], entry["accessControlId"]) == (START, END, 4)
    cleared = media_update(api, entry["id"], description__null="", tags__null="")
    assert "description" not in cleared and "tags" not in cleared
    assert cleared["startDate"] == START
    minus = media_update(api, entry["id"], startDate=-1, endDate=-1, accessControlId=-1)
    for name in ("startDate", "endDate", "accessControlId"):
        assert name not in minus, name
    again = media_update(api, entry["id"], startDate=START)
    assert again["startDate"] == START
    assert "startDate" not in media_update(api, entry["id"], startDate__null="")
    stored = api.call("media", "get", entryId=entry["id"])
    assert "description" not in stored and "startDate" not in stored


def test_fields_that_cannot_be_empty_refuse_null(api: ApiHelper) -> None:
    entry = add(api)
    for name in ("name", "partnerSortValue", "displayInSearch"):
        refused = media_update(api, entry["id"], **{f"{name}__null": ""})
        assert is_error(refused, "PROPERTY_VALIDATION_CANNOT_BE_NULL"), (name, refused)
    assert api.call("media", "get", entryId=entry["id"])["name"] == "clip"
    assert is_error(media_update(api, entry["id"], name="  "), "PROPERTY_VALIDATION_MIN_LENGTH")


@pytest.mark.parametrize("field", [
    {"id": "0_other"}, {"createdAt": START}, {"status": "2"}, {"partnerId": 5},
    {"plays": 3}, {"duration": 10}, {"mediaType": 5}, {"creatorId": "x"},
    {"sourceType": "5"}, {"rank": 1.5},
])
def test_read_only_and_insert_only_fields_are_refused(api: ApiHelper,
                                                      field: dict[str, Any]) -> None:
    entry = add(api)
    refused = media_update(api, entry["id"], name="renamed", **field)
    assert is_error(refused, "PROPERTY_VALIDATION_NOT_UPDATABLE"), refused
    assert next(iter(field)) in refused["message"]
    assert api.call("media", "get", entryId=entry["id"])["name"] == "clip"


def test_who_may_update(api: ApiHelper) -> None:
    own = add(api, ks=api.ks(user="alice"), entitledUsersEdit="")
    assert own["userId"] == "alice"
    assert media_update(api, own["id"], ks=api.ks(user="alice"), name="mine")["name"] == "mine"
    stranger = media_update(api, own["id"], ks=api.ks(user="mallory"), name="theirs")
    assert is_error(stranger, "INVALID_KS")
    widget = media_update(api, own["id"], ks=api.ks(user="", privileges="widget:1"),
                          name="w")
    assert is_error(widget)
    shared = add(api, entitledUsersEdit="bob,carol")
    assert media_update(api, shared["id"], ks=api.ks(user="carol"), name="c")["name"] == "c"
    granted = api.ks(user="mallory", privileges=f"edit:{own['id']}")
    assert media_update(api, own["id"], ks=granted, name="granted")["name"] == "granted"
    assert is_error(media_update(api, own["id"], ks=api.ks(user="alice"), adminTags="x"),
                    "PROPERTY_VALIDATION_ADMIN_PROPERTY")
    assert media_update(api, own["id"], ks=api.ks(user="alice"), userId="bob")["userId"] \
        == "alice"  # only admins change the owner
    assert media_update(api, own["id"], userId="bob")["userId"] == "bob"
    assert api.call("media", "get", entryId=own["id"])["name"] == "granted"


def test_update_of_missing_or_other_type_entries(api: ApiHelper) -> None:
    doc = api.call("baseEntry", "add", entry={"objectType": "KalturaDocumentEntry",
                                              "name": "d", "documentType": 13})
    assert is_error(media_update(api, doc["id"], name="x"), "ENTRY_ID_NOT_FOUND")
    assert is_error(media_update(api, "0_missing", name="x"), "ENTRY_ID_NOT_FOUND")
    entry = add(api)
    api.call("media", "delete", entryId=entry["id"])
    assert is_error(media_update(api, entry["id"], name="x"), "ENTRY_ID_NOT_FOUND")


def test_base_entry_update_takes_the_concrete_class(api: ApiHelper) -> None:
    entry = add(api)
    updated = api.call("baseEntry", "update", entryId=entry["id"],
                       baseEntry={"objectType": "KalturaMediaEntry", "name": "via base",
                                  "creditUserName": "Ann"})
    assert updated["objectType"] == "KalturaMediaEntry" and updated["name"] == "via base"
    data = api.call("baseEntry", "add", entry={"objectType": "KalturaDataEntry", "name": "d",
                                               "dataContent": "one"})
    changed = api.call("baseEntry", "update", entryId=data["id"],
                       baseEntry={"objectType": "KalturaDataEntry", "dataContent": "two"})
    assert changed["dataContent"] == "two" and changed["objectType"] == "KalturaDataEntry"
    refused = api.call("baseEntry", "update", entryId=data["id"],
                       baseEntry={"objectType": "KalturaBaseEntry", "version": 3})
    assert is_error(refused, "PROPERTY_VALIDATION_NOT_UPDATABLE")


def test_free_text_follows_updates_and_deletes(api: ApiHelper) -> None:
    entry = add(api, name="Original title", description="about herons")
    assert found(api, "original") == {entry["id"]} == found(api, "herons")
    media_update(api, entry["id"], name="Brand new", description__null="",
                 referenceId="ext-42")
    assert found(api, "original") == set() and found(api, "herons") == set()
    assert found(api, "brand new") == {entry["id"]} == found(api, "ext-42")
    api.call("media", "delete", entryId=entry["id"])
    assert found(api, "brand") == set()
    listed = api.call("media", "list", filter={"objectType": "KalturaMediaEntryFilter",
                                               "freeText": "brand", "statusEqual": "3"})
    assert listed["totalCount"] == 0  # deleted entries leave the index
