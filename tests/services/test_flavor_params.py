"""flavorParams and conversionProfile through the API: system ladder, partner params, profiles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def test_system_ladder_is_listed_with_the_source_as_id_0(api: ApiHelper) -> None:
    listed = api.call("flavorParams", "list")
    ids = [p["id"] for p in listed["objects"]]
    assert ids == [0, 2, 3, 4, 5, 6, 7, 11] and listed["totalCount"] == 8
    source = api.call("flavorParams", "get", id=0)
    assert source["tags"] == "source" and source["isSystemDefault"] == 1
    hd = api.call("flavorParams", "get", id=7)
    assert (hd["height"], hd["videoBitrate"], hd["videoCodec"], hd["format"]) == (
        1080, 4000, "h264h", "mp4")
    assert "mbr" in hd["tags"].split(",")


def test_partner_params_add_update_delete_and_isolation(api: ApiHelper) -> None:
    added = api.call("flavorParams", "add", flavorParams={
        "objectType": "KalturaFlavorParams", "name": "Tiny", "videoCodec": "h264b",
        "videoBitrate": 200, "audioCodec": "aac", "audioBitrate": 48, "height": 240,
        "tags": "web,mbr", "format": "mp4"})
    assert added["id"] >= 1000 and added["partnerId"] == api.partner.id
    updated = api.call("flavorParams", "update", id=added["id"],
                       flavorParams={"objectType": "KalturaFlavorParams", "videoBitrate": 250})
    assert updated["videoBitrate"] == 250 and updated["height"] == 240
    assert is_error(api.call("flavorParams", "update", id=7, flavorParams={
        "objectType": "KalturaFlavorParams", "videoBitrate": 1}), "FLAVOR_PARAMS_ID_NOT_FOUND")
    other = api.new_partner()
    other_ks = api.ks(admin=True, partner=other)
    assert is_error(api.call("flavorParams", "get", id=added["id"], ks=other_ks),
                    "FLAVOR_PARAMS_ID_NOT_FOUND")
    assert api.call("flavorParams", "get", id=7, ks=other_ks)["id"] == 7
    api.call("flavorParams", "delete", id=added["id"])
    assert is_error(api.call("flavorParams", "get", id=added["id"]),
                    "FLAVOR_PARAMS_ID_NOT_FOUND")


def test_bad_values_are_refused(api: ApiHelper) -> None:
    result = api.call("flavorParams", "add", flavorParams={
        "objectType": "KalturaFlavorParams", "name": "x", "width": 100000})
    assert is_error(result, "INVALID_PARAMETER_VALUE")


def test_default_profile_holds_the_ladder_and_profiles_can_change(api: ApiHelper) -> None:
    default = api.call("conversionProfile", "getDefault")
    assert default["flavorParamsIds"] == "0,2,3,4,5,6,7,11" and default["isDefault"] == 1
    added = api.call("conversionProfile", "add", conversionProfile={
        "objectType": "KalturaConversionProfile", "name": "small", "flavorParamsIds": "0,2,3"})
    assert added["flavorParamsIds"] == "0,2,3" and added["isDefault"] == 0
    params = api.call("flavorParams", "getByConversionProfileId",
                      conversionProfileId=added["id"])
    assert [p["id"] for p in params] == [0, 2, 3]
    assert is_error(api.call("conversionProfile", "update", id=added["id"], conversionProfile={
        "objectType": "KalturaConversionProfile", "flavorParamsIds": "0,99999"}),
        "FLAVOR_PARAMS_ID_NOT_FOUND")
    api.call("conversionProfile", "setAsDefault", id=added["id"])
    assert api.call("conversionProfile", "getDefault")["id"] == added["id"]
    assert api.call("conversionProfile", "list")["totalCount"] == 2
    assert is_error(api.call("conversionProfile", "delete", id=added["id"]),
                    "CANNOT_DELETE_DEFAULT_CONVERSION_PROFILE")
    api.call("conversionProfile", "delete", id=default["id"])
    assert is_error(api.call("conversionProfile", "get", id=default["id"]),
                    "CONVERSION_PROFILE_ID_NOT_FOUND")
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("conversionProfile", "get", id=added["id"], ks=other_ks),
                    "CONVERSION_PROFILE_ID_NOT_FOUND")
