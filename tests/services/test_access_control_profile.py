"""accessControlProfile through the API: CRUD, defaults, isolation, the official client's
objects on the wire, and the explain action."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Base import KalturaObjectFactory
from KalturaClient.Plugins import Core as K
from support.api import ApiHelper, is_error

from vpaas.settings import Settings

PROFILE = "KalturaAccessControlProfile"


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def values(*items: str) -> list[dict[str, str]]:
    return [{"objectType": "KalturaStringValue", "value": v} for v in items]


def block_rule(condition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"objectType": "KalturaRule", "conditions": [condition],
            "actions": [{"objectType": "KalturaAccessControlBlockAction"}], **extra}


US_ONLY = block_rule({"objectType": "KalturaCountryCondition", "not": True,
                      "values": values("US")}, message="US only", code="GEO")


def add_profile(api: ApiHelper, name: str, rules: list[dict[str, Any]] | None = None,
                **extra: Any) -> dict[str, Any]:
    result = api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": PROFILE, "name": name, "rules": rules or [], **extra})
    assert not is_error(result), result
    return result


def add_entry(api: ApiHelper, **fields: Any) -> dict[str, Any]:
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "e",
                                            "mediaType": 1, **fields})
    assert not is_error(entry), entry
    return entry


def test_default_profile_is_listed_and_cannot_be_deleted(api: ApiHelper) -> None:
    listed = api.call("accessControlProfile", "list", ks=api.ks())
    assert listed["totalCount"] == 1
    default = listed["objects"][0]
    assert default["isDefault"] == 1 and default["name"] == "Default" and default["rules"] == []
    assert api.call("accessControlProfile", "get", id=default["id"])["id"] == default["id"]
    assert is_error(api.call("accessControlProfile", "delete", id=default["id"]),
                    "CANNOT_DELETE_DEFAULT_ACCESS_CONTROL")
    assert is_error(api.call("accessControlProfile", "add", ks=api.ks(), accessControlProfile={
        "objectType": PROFILE, "name": "x"}), "SERVICE_FORBIDDEN")


def test_the_official_clients_objects_round_trip(api: ApiHelper) -> None:
    KalturaClient(KalturaConfiguration())  # registers the client's object factories
    profile = K.KalturaAccessControlProfile(name="client", systemName="client_rules", rules=[
        K.KalturaRule(
            conditions=[K.KalturaSiteCondition(not_=True, values=[
                K.KalturaStringValue(value="example.com")]),
                K.KalturaIpAddressCondition(values=[K.KalturaStringValue(value="8.8.8.0/24")])],
            actions=[K.KalturaAccessControlBlockAction(),
                     K.KalturaAccessControlPreviewAction(limit=5),
                     K.KalturaAccessControlLimitFlavorsAction(flavorParamsIds="0,2",
                                                              isBlockedList=True)],
            contexts=[K.KalturaAccessControlContextTypeHolder(type=K.KalturaContextType.PLAY)],
            stopProcessing=True, message="hi", code="X")])
    node = api.call("accessControlProfile", "add", format=2,
                    accessControlProfile=profile.toParams().get())
    back = KalturaObjectFactory.create(node, "KalturaAccessControlProfile")
    rule = back.rules[0]
    assert back.name == "client" and back.isDefault.getValue() == 0
    assert (rule.stopProcessing, rule.message, rule.code) == (True, "hi", "X")
    assert [(type(c).__name__, c.not_, [v.value for v in c.values]) for c in rule.conditions] == [
        ("KalturaSiteCondition", True, ["example.com"]),
        ("KalturaIpAddressCondition", False, ["8.8.8.0/24"])]
    assert [a.type.getValue() for a in rule.actions] == ["1", "2", "3"]
    assert rule.actions[1].limit == 5 and rule.actions[2].isBlockedList is True
    assert [c.type.getValue() for c in rule.contexts] == ["1"]
    as_json = api.call("accessControlProfile", "get", id=back.id)["rules"][0]
    assert as_json["actions"][0] == {"type": 1, "objectType": "KalturaAccessControlBlockAction"}
    assert as_json["conditions"][0]["type"] == 4 and as_json["conditions"][0]["not"] is True


def test_update_default_switch_system_names_and_delete(api: ApiHelper) -> None:
    first = add_profile(api, "first", [US_ONLY], systemName="first")
    assert first["rules"][0]["message"] == "US only"
    assert is_error(api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": PROFILE, "name": "dup", "systemName": "first"}),
        "SYSTEM_NAME_ALREADY_EXISTS")
    updated = api.call("accessControlProfile", "update", id=first["id"], accessControlProfile={
        "objectType": PROFILE, "description": "geo", "isDefault": 1})
    assert updated["rules"] == first["rules"] and updated["description"] == "geo"
    assert updated["isDefault"] == 1
    defaults = [p for p in api.call("accessControlProfile", "list")["objects"] if p["isDefault"]]
    assert [p["id"] for p in defaults] == [first["id"]]
    cleared = api.call("accessControlProfile", "update", id=first["id"], accessControlProfile={
        "objectType": PROFILE, "rules": {"-": ""}})
    assert cleared["rules"] == []
    assert is_error(api.call("accessControlProfile", "update", id=first["id"],
                             accessControlProfile={"objectType": PROFILE, "name": ""}),
                    "PROPERTY_VALIDATION_MIN_LENGTH")
    assert is_error(api.call("accessControlProfile", "update", id=first["id"],
                             accessControlProfile={"objectType": PROFILE, "id": 5}),
                    "PROPERTY_VALIDATION_NOT_UPDATABLE")


def test_new_entries_get_the_default_profile_unless_they_name_one(api: ApiHelper) -> None:
    default = api.call("accessControlProfile", "list")["objects"][0]
    assert default["isDefault"] == 1
    plain = add_entry(api)
    assert plain["accessControlId"] == default["id"]
    assert api.call("baseEntry", "get", entryId=plain["id"])["accessControlId"] == default["id"]
    strict = add_profile(api, "named", [US_ONLY])
    assert add_entry(api, accessControlId=strict["id"])["accessControlId"] == strict["id"]
    data = api.call("baseEntry", "add", entry={"objectType": "KalturaDataEntry", "name": "d"},
                    type=6)
    assert data["accessControlId"] == default["id"]


def test_deleting_a_profile_moves_its_entries_to_the_default(api: ApiHelper) -> None:
    default = api.call("accessControlProfile", "list")["objects"][0]
    strict = add_profile(api, "strict", [US_ONLY])
    entry = add_entry(api, accessControlId=strict["id"])
    assert entry["accessControlId"] == strict["id"]
    assert api.call("accessControlProfile", "delete", id=strict["id"]) is None
    assert is_error(api.call("accessControlProfile", "get", id=strict["id"]),
                    "ACCESS_CONTROL_ID_NOT_FOUND")
    assert api.call("baseEntry", "get", entryId=entry["id"])["accessControlId"] == default["id"]


def test_invalid_rules_are_refused_with_a_reason(api: ApiHelper) -> None:
    bad = block_rule({"objectType": "KalturaIpAddressCondition", "values": values("1.2.3/40")})
    result = api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": PROFILE, "name": "bad", "rules": [US_ONLY, bad]})
    assert is_error(result, "INVALID_ACCESS_CONTROL_RULE")
    assert result["args"]["WHERE"] == "rules:1:conditions:0:values:0"
    regex = block_rule({"objectType": "KalturaUserAgentCondition", "values": values("(")})
    assert is_error(api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": PROFILE, "name": "bad", "rules": [regex]}), "INVALID_ACCESS_CONTROL_RULE")
    abstract = {"objectType": "KalturaRule", "conditions": [{"objectType": "KalturaCondition"}]}
    assert is_error(api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": PROFILE, "name": "bad", "rules": [abstract]}), "OBJECT_TYPE_ABSTRACT")
    assert is_error(api.call("accessControlProfile", "add", accessControlProfile={
        "objectType": PROFILE}), "PROPERTY_VALIDATION_CANNOT_BE_NULL")


def test_partners_are_isolated_and_lists_filter(api: ApiHelper) -> None:
    mine = [add_profile(api, f"p{i}", systemName=f"sys{i}") for i in range(3)]
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("accessControlProfile", "get", id=mine[0]["id"], ks=other_ks),
                    "ACCESS_CONTROL_ID_NOT_FOUND")
    assert is_error(api.call("accessControlProfile", "delete", id=mine[0]["id"], ks=other_ks),
                    "ACCESS_CONTROL_ID_NOT_FOUND")
    theirs = api.call("accessControlProfile", "list", ks=other_ks)
    assert theirs["totalCount"] == 1 and theirs["objects"][0]["id"] not in {p["id"] for p in mine}
    ids = f"{mine[0]['id']},{mine[2]['id']}"
    picked = api.call("accessControlProfile", "list", filter={
        "objectType": "KalturaAccessControlProfileFilter", "idIn": ids, "orderBy": "-createdAt"})
    assert sorted(p["id"] for p in picked["objects"]) == [mine[0]["id"], mine[2]["id"]]
    named = api.call("accessControlProfile", "list", filter={
        "objectType": "KalturaAccessControlProfileFilter", "systemNameEqual": "sys1"})
    assert [p["id"] for p in named["objects"]] == [mine[1]["id"]]
    paged = api.call("accessControlProfile", "list", pager={
        "objectType": "KalturaFilterPager", "pageSize": 2, "pageIndex": 2})
    assert paged["totalCount"] == 4 and len(paged["objects"]) == 2


def explain(api: ApiHelper, entry_id: str, **params: Any) -> dict[str, Any]:
    result = api.call("accessControlProfile", "explain", entryId=entry_id, **params)
    assert not is_error(result), result
    assert result["objectType"] == "KalturaAccessControlExplanation"
    return result


def test_explain_tells_which_rule_matched_and_why(api: ApiHelper) -> None:
    site_preview = {"objectType": "KalturaRule", "description": "preview off-site",
                    "conditions": [{"objectType": "KalturaSiteCondition", "not": True,
                                    "values": values("example.com")}],
                    "actions": [{"objectType": "KalturaAccessControlPreviewAction",
                                 "limit": 30}]}
    profile = add_profile(api, "geo", [US_ONLY, site_preview])
    entry = add_entry(api, accessControlId=profile["id"])
    here = explain(api, entry["id"], ip="8.8.8.8", referrer="https://www.example.com/p")
    assert here["allowed"] is True and here["country"] == "US"
    assert here["referrerHost"] == "www.example.com" and "previewSeconds" not in here
    assert [r["outcome"] for r in here["rules"]] == ["not fulfilled", "not fulfilled"]
    assert "US" in here["rules"][0]["conditions"][0]["reason"]
    away = explain(api, entry["id"], ip="81.2.69.142", referrer="https://other.org/")
    assert away["allowed"] is False and away["reason"] == "blocked by rule 0"
    assert away["country"] == "GB" and away["messages"][0]["code"] == "GEO"
    first = away["rules"][0]
    assert first["fired"] is True and first["conditions"][0]["not"] is True
    assert first["conditions"][0]["matched"] is False and first["conditions"][0]["fulfilled"]
    assert away["rules"][1]["actions"][0]["limit"] == 30
    preview = explain(api, entry["id"], ip="8.8.8.8", referrer="https://other.org/")
    assert preview["allowed"] and preview["previewSeconds"] == 30
    thumb = explain(api, entry["id"], ip="81.2.69.142", contextType="3")
    assert thumb["allowed"] is False  # rules without contexts apply everywhere
    admin = explain(api, entry["id"], ip="81.2.69.142", viewerKs=api.admin_ks)
    assert admin["allowed"] and {r["outcome"] for r in admin["rules"]} == {"skipped for admin KS"}
    assert is_error(api.call("accessControlProfile", "explain", entryId=entry["id"],
                             viewerKs="garbage"), "INVALID_KS")
    assert is_error(api.call("accessControlProfile", "explain", entryId=entry["id"],
                             ks=api.ks()), "SERVICE_FORBIDDEN")
    assert is_error(api.call("accessControlProfile", "explain", entryId="0_nothere"),
                    "ENTRY_ID_NOT_FOUND")


def test_explain_scheduling_and_the_default_profile(api: ApiHelper) -> None:
    later = int(time.time()) + 3600
    entry = add_entry(api, startDate=later)
    refused = explain(api, entry["id"])
    assert refused["allowed"] is False and refused["scheduled"] is False
    assert refused["messages"][-1]["code"] == "SCHEDULED_RESTRICTED"
    assert refused["accessControlName"] == "Default" and refused["rules"] == []
    assert explain(api, entry["id"], time=later + 1)["allowed"] is True
    sview = api.ks(privileges=f"sview:{entry['id']}")
    assert explain(api, entry["id"], viewerKs=sview)["allowed"] is True
    assert explain(api, entry["id"], contextType="3")["allowed"] is True
