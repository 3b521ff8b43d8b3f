"""metadataProfile and metadata through the API: validation, versions, lists, isolation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings

XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
 <xsd:element name="metadata"><xsd:complexType><xsd:sequence>
  <xsd:element name="Color" minOccurs="0">
   <xsd:annotation><xsd:appinfo><label>Colour</label><key>color</key>
    <searchable>true</searchable></xsd:appinfo></xsd:annotation>
   <xsd:simpleType><xsd:restriction base="xsd:string">
    <xsd:enumeration value="Red"/><xsd:enumeration value="Blue"/>
   </xsd:restriction></xsd:simpleType>
  </xsd:element>
  <xsd:element name="Notes" type="xsd:string" minOccurs="0"/>
 </xsd:sequence></xsd:complexType></xsd:element>
</xsd:schema>"""
PROFILE = {"objectType": "KalturaMetadataProfile", "metadataObjectType": "1", "name": "Main",
           "systemName": "main"}


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def add_profile(api: ApiHelper, xsd: str = XSD, ks: str | None = None, **extra: Any) -> Any:
    return api.call("metadata_metadataProfile", "add", metadataProfile={**PROFILE, **extra},
                    xsdData=xsd, ks=ks or api.admin_ks)


def add_entry(api: ApiHelper, name: str = "clip", **params: Any) -> str:
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": name,
                                            "mediaType": 1}, **params)
    return str(entry["id"])


def add_metadata(api: ApiHelper, profile_id: int, entry_id: str, body: str, **params: Any
                 ) -> Any:
    return api.call("metadata_metadata", "add", metadataProfileId=profile_id, objectType="1",
                    objectId=entry_id, xmlData=f"<metadata>{body}</metadata>", **params)


def test_profile_lifecycle_and_fields(api: ApiHelper) -> None:
    profile = add_profile(api)
    assert profile["version"] == 1 and profile["status"] == 1 and profile["xsd"] == XSD
    assert profile["partnerId"] == api.partner.id and profile["name"] == "Main"
    fields = api.call("metadata_metadataProfile", "listFields",
                      metadataProfileId=profile["id"])
    assert [(f["key"], f["label"]) for f in fields["objects"]] == [
        ("color", "Colour"), ("Notes", "Notes")]
    assert fields["objects"][0]["xPath"] == "/*[local-name()='metadata']/*[local-name()='Color']"
    renamed = api.call("metadata_metadataProfile", "update", id=profile["id"], metadataProfile={
        "objectType": "KalturaMetadataProfile", "name": "Renamed"})
    assert renamed["name"] == "Renamed" and renamed["version"] == 1
    wider = XSD.replace('<xsd:enumeration value="Blue"/>', '<xsd:enumeration value="Blue"/>'
                        '<xsd:enumeration value="Green"/>')
    bumped = api.call("metadata_metadataProfile", "update", id=profile["id"], metadataProfile={
        "objectType": "KalturaMetadataProfile"}, xsdData=wider)
    assert bumped["version"] == 2 and bumped["xsd"] == wider and bumped["name"] == "Renamed"
    served = api.client.get(f"/api_v3/service/metadata_metadataProfile/action/serve"
                            f"?id={profile['id']}&ks={api.admin_ks}")
    assert served.status_code == 200 and served.text == wider
    api.call("metadata_metadataProfile", "delete", id=profile["id"])
    assert is_error(api.call("metadata_metadataProfile", "get", id=profile["id"]),
                    "METADATA_PROFILE_NOT_FOUND")
    assert api.call("metadata_metadataProfile", "list")["totalCount"] == 0


def test_bad_profiles_are_refused_with_reasons(api: ApiHelper) -> None:
    bad = add_profile(api, xsd="<xsd:schema")
    assert is_error(bad, "INVALID_METADATA_PROFILE_SCHEMA") and "well-formed" in bad["message"]
    unknown = add_profile(api, xsd=XSD.replace('type="xsd:string"', 'type="xsd:nope"'))
    assert is_error(unknown, "INVALID_METADATA_PROFILE_SCHEMA") and "nope" in unknown["message"]
    no_type = api.call("metadata_metadataProfile", "add", metadataProfile={
        "objectType": "KalturaMetadataProfile", "name": "x"}, xsdData=XSD)
    assert is_error(no_type, "PROPERTY_VALIDATION_CANNOT_BE_NULL")
    assert is_error(add_profile(api, ks=api.ks()), "SERVICE_FORBIDDEN")
    assert api.call("metadata_metadataProfile", "list")["totalCount"] == 0
    profile = add_profile(api)
    update = api.call("metadata_metadataProfile", "update", id=profile["id"], metadataProfile={
        "objectType": "KalturaMetadataProfile"}, xsdData="<nope/>")
    assert is_error(update, "INVALID_METADATA_PROFILE_SCHEMA")
    assert api.call("metadata_metadataProfile", "get", id=profile["id"])["version"] == 1


def test_metadata_add_get_update_versions_and_delete(api: ApiHelper) -> None:
    profile = add_profile(api)
    entry_id = add_entry(api)
    added = add_metadata(api, profile["id"], entry_id, "<Color>Red</Color>")
    assert (added["version"], added["status"], added["objectId"]) == (1, 1, entry_id)
    assert added["metadataProfileVersion"] == 1
    assert api.call("metadata_metadata", "get", id=added["id"])["xml"] == (
        "<metadata><Color>Red</Color></metadata>")
    updated = api.call("metadata_metadata", "update", id=added["id"], version=1,
                       xmlData="<metadata><Color>Blue</Color></metadata>")
    assert updated["version"] == 2 and "Blue" in updated["xml"]
    stale = api.call("metadata_metadata", "update", id=added["id"], version=1,
                     xmlData="<metadata><Color>Red</Color></metadata>")
    assert is_error(stale, "INVALID_METADATA_VERSION") and stale["args"]["VERSION"] == "2"
    invalid = api.call("metadata_metadata", "update", id=added["id"],
                       xmlData="<metadata><Color>Pink</Color></metadata>")
    assert is_error(invalid, "INVALID_METADATA_DATA") and "Pink" in invalid["message"]
    assert api.call("metadata_metadata", "get", id=added["id"])["version"] == 2
    served = api.client.get(f"/api_v3/service/metadata_metadata/action/serve"
                            f"?id={added['id']}&ks={api.admin_ks}")
    assert "Blue" in served.text
    api.call("metadata_metadata", "delete", id=added["id"])
    assert is_error(api.call("metadata_metadata", "get", id=added["id"]), "METADATA_NOT_FOUND")
    again = add_metadata(api, profile["id"], entry_id, "<Color>Red</Color>")
    assert again["id"] != added["id"] and again["version"] == 1


def test_metadata_add_errors(api: ApiHelper) -> None:
    profile = add_profile(api)
    entry_id = add_entry(api)
    assert is_error(add_metadata(api, profile["id"] + 100, entry_id, ""),
                    "METADATA_PROFILE_NOT_FOUND")
    assert is_error(add_metadata(api, profile["id"], "0_nothere", ""), "INVALID_METADATA_OBJECT")
    bad = add_metadata(api, profile["id"], entry_id, "<Shape>round</Shape>")
    assert is_error(bad, "INVALID_METADATA_DATA") and "Shape" in bad["message"]
    xxe = api.call("metadata_metadata", "add", metadataProfileId=profile["id"], objectType="1",
                   objectId=entry_id, xmlData='<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/'
                   'passwd">]><metadata><Notes>&x;</Notes></metadata>')
    assert is_error(xxe, "INVALID_METADATA_DATA") and "root:" not in xxe["message"]
    category = api.call("metadata_metadata", "add", metadataProfileId=profile["id"],
                        objectType="2", objectId="1", xmlData="<metadata/>")
    assert is_error(category, "INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE")
    add_metadata(api, profile["id"], entry_id, "")
    assert is_error(add_metadata(api, profile["id"], entry_id, ""), "METADATA_ALREADY_EXISTS")


def test_list_filters_and_order(api: ApiHelper) -> None:
    first, second = add_profile(api), add_profile(api, name="Second", systemName="second")
    entries = [add_entry(api, f"e{i}") for i in range(3)]
    ids = [add_metadata(api, first["id"], e, "")["id"] for e in entries]
    other = add_metadata(api, second["id"], entries[0], "")["id"]
    api.call("metadata_metadata", "update", id=ids[1], xmlData="<metadata/>")

    def listed(**conditions: Any) -> list[int]:
        result = api.call("metadata_metadata", "list", filter={
            "objectType": "KalturaMetadataFilter", **conditions})
        return [m["id"] for m in result["objects"]]

    assert listed() == [*ids, other]
    assert listed(metadataProfileIdEqual=first["id"]) == ids
    assert listed(objectIdEqual=entries[0]) == [ids[0], other]
    assert listed(objectIdIn=f"{entries[1]},{entries[2]}") == ids[1:]
    assert listed(versionGreaterThanOrEqual=2) == [ids[1]]
    assert listed(metadataObjectTypeEqual="2") == []
    assert listed(orderBy="-version")[0] == ids[1]
    paged = api.call("metadata_metadata", "list", pager={"pageSize": 2, "pageIndex": 2})
    assert paged["totalCount"] == 4 and [m["id"] for m in paged["objects"]] == [*ids[2:], other]
    profiles = api.call("metadata_metadataProfile", "list", filter={
        "objectType": "KalturaMetadataProfileFilter", "systemNameEqual": "second"})
    assert [p["id"] for p in profiles["objects"]] == [second["id"]]
    bad_order = api.call("metadata_metadata", "list", filter={
        "objectType": "KalturaMetadataFilter", "orderBy": "+xml"})
    assert is_error(bad_order, "INVALID_ORDER_BY")


def test_partners_are_isolated(api: ApiHelper) -> None:
    profile = add_profile(api)
    metadata = add_metadata(api, profile["id"], add_entry(api), "<Color>Red</Color>")
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("metadata_metadataProfile", "get", id=profile["id"], ks=other_ks),
                    "METADATA_PROFILE_NOT_FOUND")
    assert is_error(api.call("metadata_metadata", "get", id=metadata["id"], ks=other_ks),
                    "METADATA_NOT_FOUND")
    assert is_error(api.call("metadata_metadata", "update", id=metadata["id"], ks=other_ks,
                             xmlData="<metadata/>"), "METADATA_NOT_FOUND")
    assert api.call("metadata_metadata", "list", ks=other_ks)["totalCount"] == 0
    assert api.call("metadata_metadataProfile", "list", ks=other_ks)["totalCount"] == 0
    own_entry = add_entry(api, ks=other_ks)
    foreign = add_metadata(api, profile["id"], own_entry, "", ks=other_ks)
    assert is_error(foreign, "METADATA_PROFILE_NOT_FOUND")
    other_profile = add_profile(api, ks=other_ks)
    stolen = add_metadata(api, other_profile["id"], str(metadata["objectId"]), "", ks=other_ks)
    assert is_error(stolen, "INVALID_METADATA_OBJECT")


def test_deleting_an_entry_deletes_its_metadata(api: ApiHelper) -> None:
    profile = add_profile(api)
    entry_id = add_entry(api)
    added = add_metadata(api, profile["id"], entry_id, "<Color>Red</Color>")
    api.call("media", "delete", entryId=entry_id)
    assert "code" in api.call("metadata_metadata", "get", id=added["id"])
    listed = api.call("metadata_metadata", "list", filter={
        "objectType": "KalturaMetadataFilter", "objectIdEqual": entry_id})
    assert listed["totalCount"] == 0
