"""The legacy accessControl service: restrictions stored as rules, shared with
accessControlProfile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


RESTRICTIONS = [
    {"objectType": "KalturaSiteRestriction", "siteRestrictionType": 1,
     "siteList": "example.com,example.org"},
    {"objectType": "KalturaCountryRestriction", "countryRestrictionType": 0, "countryList": "FR"},
    {"objectType": "KalturaIpAddressRestriction", "ipAddressRestrictionType": 0,
     "ipAddressList": "10.0.0.0/8"},
    {"objectType": "KalturaUserAgentRestriction", "userAgentRestrictionType": 0,
     "userAgentRegexList": "curl,wget"},
    {"objectType": "KalturaPreviewRestriction", "previewLength": 20},
    {"objectType": "KalturaLimitFlavorsRestriction", "limitFlavorsRestrictionType": 1,
     "flavorParamsIds": "0,2"},
]


def explain(api: ApiHelper, entry_id: str, **params: Any) -> dict[str, Any]:
    result = api.call("accessControlProfile", "explain", entryId=entry_id, **params)
    assert not is_error(result), result
    return result


def test_restrictions_round_trip_and_are_enforced(api: ApiHelper) -> None:
    added = api.call("accessControl", "add", accessControl={
        "objectType": "KalturaAccessControl", "name": "legacy", "restrictions": RESTRICTIONS})
    assert not is_error(added), added
    assert added["containsUnsuportedRestrictions"] is False
    shown = [{k: v for k, v in r.items()} for r in added["restrictions"]]
    assert shown == RESTRICTIONS
    profile = api.call("accessControlProfile", "get", id=added["id"])
    assert len(profile["rules"]) == 6 and profile["rules"][0]["conditions"][0]["not"] is True
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "e",
                                            "mediaType": 1, "accessControlId": added["id"]})
    ok = explain(api, entry["id"], ip="8.8.8.8", referrer="https://www.example.com/",
                 userAgent="Mozilla/5.0")
    assert ok["allowed"] and ok["previewSeconds"] == 20
    assert ok["allowedFlavorParamsIds"] == "0,2"
    off_site = explain(api, entry["id"], ip="8.8.8.8", referrer="https://other.net/")
    assert not off_site["allowed"]
    assert [m["code"] for m in off_site["messages"]] == ["SITE_RESTRICTED"]
    robot = explain(api, entry["id"], ip="8.8.8.8", referrer="https://example.org/",
                    userAgent="curl/8.0")
    assert not robot["allowed"] and robot["messages"][0]["code"] == "USER_AGENT_RESTRICTED"
    viewer = api.ks(privileges=f"sview:{entry['id']}")
    full = explain(api, entry["id"], ip="8.8.8.8", referrer="https://example.com/",
                   viewerKs=viewer)
    assert full["allowed"] and "previewSeconds" not in full


def test_profiles_with_new_rules_are_read_only_here(api: ApiHelper) -> None:
    profile = api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": "KalturaAccessControlProfile", "name": "new", "rules": [
            {"objectType": "KalturaRule", "conditions": [
                {"objectType": "KalturaEntryScheduledCondition"}]}]})
    legacy = api.call("accessControl", "get", id=profile["id"])
    assert legacy["containsUnsuportedRestrictions"] is True and "restrictions" not in legacy
    assert is_error(api.call("accessControl", "update", id=profile["id"], accessControl={
        "objectType": "KalturaAccessControl", "name": "x"}), "ACCESS_CONTROL_NEW_VERSION_UPDATE")
    listed = api.call("accessControl", "list", filter={
        "objectType": "KalturaAccessControlFilter", "orderBy": "-createdAt"})
    assert listed["totalCount"] == 2 and listed["objectType"] == "KalturaAccessControlListResponse"
    default = next(o for o in listed["objects"] if o["isDefault"] == 1)
    assert default["restrictions"] == [] and default["containsUnsuportedRestrictions"] is False
    updated = api.call("accessControl", "update", id=default["id"], accessControl={
        "objectType": "KalturaAccessControl", "restrictions": [RESTRICTIONS[1]]})
    assert updated["restrictions"] == [RESTRICTIONS[1]]
    assert is_error(api.call("accessControl", "delete", id=default["id"]),
                    "CANNOT_DELETE_DEFAULT_ACCESS_CONTROL")
    bad = {"objectType": "KalturaIpAddressRestriction", "ipAddressRestrictionType": 0,
           "ipAddressList": "nope"}
    result = api.call("accessControl", "add", accessControl={
        "objectType": "KalturaAccessControl", "name": "bad", "restrictions": [bad]})
    assert is_error(result, "INVALID_ACCESS_CONTROL_RULE")
    assert result["args"]["WHERE"] == "restrictions:0:conditions:0:values:0"
